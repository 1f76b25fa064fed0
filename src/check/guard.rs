//! Safety: the addresses linkrot refuses to connect to.
//!
//! A link checker fetches URLs that strangers wrote, often inside CI with
//! cloud credentials a metadata endpoint away. By default every connection
//! to a private, loopback, link-local (cloud metadata included),
//! unique-local, shared or unspecified address is refused: for literal
//! addresses before any request (on every redirect hop), and for names
//! after DNS resolution, by the resolver itself. A configured proxy and
//! `--resolve` overrides are the user's own choice and are not filtered.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether `ip` is one linkrot refuses unless private addresses are allowed.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()              // 10/8, 172.16/12, 192.168/16
        || ip.is_loopback()      // 127/8
        || ip.is_link_local()    // 169.254/16, cloud metadata
        || ip.is_unspecified()   // 0.0.0.0
        || ip.is_broadcast()
        || o[0] == 0             // 0/8
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10, carrier-grade NAT
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || (first & 0xfe00) == 0xfc00 // fc00::/7 unique local
        || (first & 0xffc0) == 0xfe80 // fe80::/10 link local
}

/// A connection refused because of where it would go.
#[derive(Debug, thiserror::Error)]
#[error("{host} is {addr}, a private address; not checked (pass --allow-private to check it)")]
pub struct PrivateAddress {
    /// The name (or literal) in the URL.
    pub host: String,
    /// The address it is or resolved to.
    pub addr: IpAddr,
}

/// The refusal for a URL whose host is a literal private address.
pub fn literal_private(url: &Url) -> Option<PrivateAddress> {
    let addr = match url.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => IpAddr::V6(v6),
        url::Host::Domain(_) => return None,
    };
    is_private(addr).then(|| PrivateAddress {
        host: url.host_str().unwrap_or_default().to_string(),
        addr,
    })
}

/// The system resolver, minus private addresses. A name whose every
/// address is private fails with [`PrivateAddress`]; `trusted` names (the
/// proxies) resolve unfiltered.
#[derive(Debug, Default)]
pub struct GuardedResolver {
    /// Names resolved without filtering.
    pub trusted: HashSet<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let trusted = self.trusted.contains(&host.to_ascii_lowercase());
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if trusted {
                return Ok(Box::new(found.into_iter()) as Addrs);
            }
            let public: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| !is_private(a.ip()))
                .collect();
            match (public.is_empty(), found.first()) {
                (true, Some(first)) => Err(Box::new(PrivateAddress {
                    host,
                    addr: first.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_recognised() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "172.32.0.1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }
}
