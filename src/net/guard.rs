//! Safety: the addresses linkrot refuses to connect to.
//!
//! A link checker fetches URLs that strangers wrote, often inside CI with
//! cloud credentials a metadata endpoint away. By default every request to
//! this machine or its network is refused, before it is sent and on every
//! redirect hop (the door checks each request it sends):
//!
//! - literal addresses in the private, loopback, link-local (cloud
//!   metadata), unique-local, shared and unspecified ranges, however they
//!   are spelled (`url` normalises decimal, short, octal and hex IPv4 and
//!   IPv4-mapped IPv6 to one form, and the check is on that form);
//! - names that always mean "this machine or its network", whoever
//!   resolves them: `localhost` and `*.localhost` (RFC 6761), `*.internal`
//!   (ICANN's private-use TLD, home of cloud metadata names such as
//!   `metadata.google.internal`), `*.local` (mDNS), `*.home.arpa`
//!   (RFC 8375), the never-delegated `*.lan`, `*.home`, `*.corp`,
//!   `*.intranet`, `*.private`, `*.localdomain`, and single-label names
//!   (`http://metadata/`), which only a search domain can resolve;
//! - any other name whose every address is private, after DNS resolution,
//!   by [`GuardedResolver`]. Behind a proxy, the proxy resolves names: the
//!   name rules above are what still holds there.
//!
//! Configured addresses (proxies, `--resolve` pins, archive endpoints) are
//! the user's own settings and are not filtered.

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
        // 64:ff9b::/96 NAT64 of a private IPv4 address
        || (ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
            && private_v4(Ipv4Addr::from(
                (u32::from(ip.segments()[6]) << 16) | u32::from(ip.segments()[7]),
            )))
}

/// Top-level labels that never name a public host (RFC 6761, RFC 6762,
/// RFC 8375, ICANN's `.internal`, and names ICANN will never delegate).
const LOCAL_SUFFIXES: &[&str] = &[
    "localhost",
    "internal",
    "local",
    "home.arpa",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
    "localdomain",
];

/// A request refused because of where it would go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// A literal private address, or a name that resolved only to private ones.
    #[error("{host} is {addr}, a private address; not checked (pass --allow-private to check it)")]
    Address {
        /// The name (or literal) in the URL.
        host: String,
        /// The address it is or resolved to.
        addr: IpAddr,
    },
    /// A name that always means this machine or its network.
    #[error("{host} {why}; not checked (pass --allow-private to check it)")]
    Name {
        /// The name in the URL.
        host: String,
        /// Which rule it meets.
        why: &'static str,
    },
}

/// The refusal of a request to `url`, if its host is a literal private
/// address or a name that always means this machine or its network.
pub fn refused(url: &Url) -> Option<Refused> {
    let addr = match url.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => IpAddr::V6(v6),
        url::Host::Domain(name) => return refused_name(name),
    };
    is_private(addr).then(|| Refused::Address {
        host: url.host_str().unwrap_or_default().to_string(),
        addr,
    })
}

fn refused_name(name: &str) -> Option<Refused> {
    let host = name.trim_end_matches('.').to_ascii_lowercase();
    let refuse = |why| {
        Some(Refused::Name {
            host: name.to_string(),
            why,
        })
    };
    if host.is_empty() {
        return None;
    }
    if !host.contains('.') {
        return if host == "localhost" {
            refuse("names this machine")
        } else {
            refuse("is a single-label name, which only a local search domain resolves")
        };
    }
    for suffix in LOCAL_SUFFIXES {
        let under = host
            .strip_suffix(suffix)
            .is_some_and(|rest| rest.ends_with('.'));
        if under {
            return refuse(match *suffix {
                "localhost" => "is under .localhost, which names this machine",
                "internal" => {
                    "is under .internal, a private network's (cloud metadata lives there)"
                }
                "local" => "is under .local, this network's (mDNS)",
                "home.arpa" => "is under .home.arpa, a home network's",
                _ => "is under a top-level name that is never public",
            });
        }
    }
    None
}

/// The system resolver, minus private addresses. A name whose every
/// address is private fails with [`Refused::Address`]; `trusted` names (the
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
                (true, Some(first)) => Err(Box::new(Refused::Address {
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
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "93.184.216.34",
            "2606:4700::1111",
            "172.32.0.1",
            "64:ff9b::808:808",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn local_names_and_every_spelling_of_a_private_literal_are_refused() {
        for u in [
            "http://localhost:1/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://printer.local/",
            "http://nas.home.arpa/",
            "http://router.lan/",
            "http://metadata/computeMetadata/v1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:7f00:1]/",
        ] {
            let url = Url::parse(u).unwrap();
            assert!(refused(&url).is_some(), "{u} ({:?})", url.host());
        }
        for u in [
            "https://example.com/",
            "https://local.example.com/",
            "https://internal.example.org/x",
            "https://localhost.example.com/",
            "https://github.com/x",
        ] {
            assert_eq!(refused(&Url::parse(u).unwrap()), None, "{u}");
        }
    }
}
