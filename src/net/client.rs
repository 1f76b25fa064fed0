//! Building the HTTP clients the door sends through: proxy, CA roots, user
//! agent, timeouts, the guarded resolver. Redirects are never followed and
//! bodies never decompressed by a client: the door sees every hop and
//! reads every body within a limit.

use super::NetConfig;
use reqwest::{header, Client, Url};

/// A failure to build the HTTP client (bad proxy URL, unreadable CA file).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The CA file could not be read or parsed.
    #[error("cannot use CA certificate file {path}: {reason}; pass a PEM file to --ca-cert or fix SSL_CERT_FILE")]
    Ca {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The proxy setting is not a URL.
    #[error("invalid proxy '{proxy}' (expected e.g. http://127.0.0.1:3128)")]
    Proxy {
        /// The value given.
        proxy: String,
        /// The parse error.
        #[source]
        source: reqwest::Error,
    },
    /// The client could not be built.
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// Builds one client; `guarded`: names resolve through the guard.
pub(super) fn build(cfg: &NetConfig, guarded: bool) -> Result<Client, ClientError> {
    let mut headers = header::HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        header::HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
    );
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(cfg.user_agent.clone())
        .default_headers(headers)
        .timeout(cfg.timeout)
        .connect_timeout(cfg.connect_timeout)
        .pool_max_idle_per_host(cfg.max_idle_per_host.max(1))
        .pool_idle_timeout(cfg.keep_alive)
        .tcp_nodelay(true)
        .tls_built_in_root_certs(cfg.system_roots)
        .danger_accept_invalid_certs(cfg.insecure)
        .no_proxy();
    for path in &cfg.ca_files {
        let ca_err = |reason: String| ClientError::Ca {
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| ca_err(e.to_string()))?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_err(e.to_string()))?;
        if certs.is_empty() {
            return Err(ca_err("no PEM certificate in it".into()));
        }
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    let no_proxy = cfg
        .proxy
        .no_proxy
        .as_deref()
        .and_then(reqwest::NoProxy::from_string);
    if guarded {
        // Proxies are the user's choice: their names resolve unfiltered.
        let trusted = [&cfg.proxy.http, &cfg.proxy.https]
            .into_iter()
            .flatten()
            .filter_map(|p| Url::parse(p).ok()?.host_str().map(str::to_ascii_lowercase))
            .collect();
        b = b.dns_resolver(std::sync::Arc::new(super::guard::GuardedResolver {
            trusted,
        }));
    }
    for (host, addr) in &cfg.resolve {
        b = b.resolve(host, *addr);
    }
    for (value, scheme) in [(&cfg.proxy.http, "http"), (&cfg.proxy.https, "https")] {
        let Some(p) = value else { continue };
        let proxy = if scheme == "http" {
            reqwest::Proxy::http(p.as_str())
        } else {
            reqwest::Proxy::https(p.as_str())
        }
        .map_err(|source| ClientError::Proxy {
            proxy: p.clone(),
            source,
        })?;
        b = b.proxy(proxy.no_proxy(no_proxy.clone()));
    }
    b.build().map_err(ClientError::Build)
}
