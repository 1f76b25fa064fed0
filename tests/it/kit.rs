//! The test kit: a scripted HTTP/1.1 server on 127.0.0.1 (also usable as a
//! proxy, and over TLS with a CA made per test), and helpers that run
//! linkrot's stages or its binary against it. Nothing leaves loopback.

use linkrot::check::{self, CheckConfig, CheckResult, Classifier, Target};
use linkrot::net::{Door, NetConfig, ProxyConfig};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does for a path.
#[derive(Clone, Debug)]
pub enum Behave {
    /// Answer with this status and a small page.
    Status(u16),
    /// Redirect with this status to this location (absolute or relative).
    Redirect(u16, String),
    /// Answer HEAD with the first status, GET with the second.
    HeadGet(u16, u16),
    /// 429 with `Retry-After: secs` for the first `times` requests, then 200.
    RateLimited { times: usize, retry_after: u64 },
    /// This status for the first `times` requests, then 200.
    Flaky { times: usize, status: u16 },
    /// Drop the connection for the first `times` requests, then 200.
    ResetFirst { times: usize },
    /// Accept the request and never answer.
    Hang,
    /// Drop the connection without answering, always.
    Reset,
    /// 200 with a body of this many bytes, streamed.
    Big(usize),
    /// HEAD refused (405); GET streams a body of this many bytes.
    BigNoHead(usize),
    /// HEAD refused (405); GET streams a body of this many bytes, or only
    /// the range asked for (`Range: bytes=a-b`, answered 206).
    RangedBigNoHead(usize),
    /// HEAD refused (405); 416 to a GET with a `Range` header, 200 without.
    RangeUnsatisfiable,
    /// 200 after this many milliseconds.
    Slow(u64),
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    /// The Host header (or the authority of an absolute-form target).
    pub host: String,
    /// Whether the request came in proxy (absolute-form) style.
    pub proxied: bool,
    pub at: Instant,
    /// Its headers, names in lower case.
    pub headers: HashMap<String, String>,
}

/// A request as a [`Handler`] sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Lower-case header names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

/// A scripted answer: status, headers, body.
pub type Reply = (u16, Vec<(String, String)>, Vec<u8>);

/// Answers requests no fixed route covers (a fake archive, say).
pub type Handler = Arc<dyn Fn(&Request) -> Option<Reply> + Send + Sync>;

#[derive(Default)]
struct State {
    handler: Option<Handler>,
    routes: HashMap<String, Behave>,
    hits: Vec<Hit>,
    counts: HashMap<String, usize>,
    bytes_sent: usize,
    in_flight: usize,
    peak: usize,
    connections: usize,
}

/// A running test server; stops when dropped (its task is aborted).
pub struct Server {
    pub addr: SocketAddr,
    tls: bool,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Plain HTTP on 127.0.0.1, port chosen by the OS.
    pub async fn start(routes: &[(&str, Behave)]) -> Server {
        Self::start_inner(routes, None).await
    }

    /// Plain HTTP answered by `handler` (fixed routes come second).
    pub async fn start_handler(handler: Handler) -> Server {
        let s = Self::start_inner(&[], None).await;
        s.state.lock().unwrap().handler = Some(handler);
        s
    }

    /// HTTPS with a certificate for 127.0.0.1 and localhost signed by `ca`.
    pub async fn start_tls(routes: &[(&str, Behave)], ca: &TestCa) -> Server {
        Self::start_inner(routes, Some(ca.acceptor())).await
    }

    async fn start_inner(
        routes: &[(&str, Behave)],
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            routes: routes
                .iter()
                .map(|(p, b)| (p.to_string(), b.clone()))
                .collect(),
            ..State::default()
        }));
        let st = state.clone();
        let is_tls = tls.is_some();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                st.lock().unwrap().connections += 1;
                let st = st.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(acc) => {
                            if let Ok(s) = acc.accept(sock).await {
                                serve(s, st).await;
                            }
                        }
                        None => serve(sock, st).await,
                    }
                });
            }
        });
        Server {
            addr,
            tls: is_tls,
            state,
            task,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// Requests received for `path` (any method).
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .hits
            .iter()
            .filter(|h| h.path == path)
            .count()
    }

    /// Every request received, in order.
    pub fn all_hits(&self) -> Vec<Hit> {
        self.state.lock().unwrap().hits.clone()
    }

    /// Methods used for `path`, in order.
    pub fn methods(&self, path: &str) -> Vec<String> {
        let st = self.state.lock().unwrap();
        st.hits
            .iter()
            .filter(|h| h.path == path)
            .map(|h| h.method.clone())
            .collect()
    }

    /// Most requests ever in progress at once.
    pub fn peak_concurrency(&self) -> usize {
        self.state.lock().unwrap().peak
    }

    /// Settings that send every request (http and https) through this
    /// server as a proxy, so none can go further than it.
    pub fn as_proxy(&self) -> ProxyConfig {
        ProxyConfig {
            http: Some(self.url("")),
            https: Some(self.url("")),
            no_proxy: None,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// Body bytes written so far.
    pub fn bytes_sent(&self) -> usize {
        self.state.lock().unwrap().bytes_sent
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut sock: S, st: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        buf.drain(..head_end);
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        while buf.len() < length {
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf.drain(..length).collect();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_string();
        let target = first.next().unwrap_or("").to_string();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let (proxied, host, path) = match target.split_once("://") {
            Some((_, rest)) => {
                let (host, path) = rest
                    .split_once('/')
                    .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
                (true, host.to_string(), path)
            }
            None => (
                false,
                headers.get("host").cloned().unwrap_or_default(),
                target.clone(),
            ),
        };
        let handler = st.lock().unwrap().handler.clone();
        if let Some(h) = handler {
            let req = Request {
                method: method.clone(),
                target: target.clone(),
                headers: headers.clone(),
                body: body.clone(),
            };
            st.lock().unwrap().hits.push(Hit {
                method: method.clone(),
                path: target.split('?').next().unwrap_or("").to_string(),
                host: headers.get("host").cloned().unwrap_or_default(),
                proxied,
                at: Instant::now(),
                headers: headers.clone(),
            });
            if let Some((status, extra, body)) = h(&req) {
                let mut resp = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in extra {
                    resp.push_str(&format!("{k}: {v}\r\n"));
                }
                resp.push_str("\r\n");
                let mut out = resp.into_bytes();
                // A HEAD's answer has the length of the body, not the body.
                if method != "HEAD" {
                    out.extend_from_slice(&body);
                }
                if sock.write_all(&out).await.is_err() {
                    return;
                }
                continue;
            }
        }
        let (behave, n) = {
            let mut s = st.lock().unwrap();
            s.hits.push(Hit {
                method: method.clone(),
                path: path.clone(),
                host,
                proxied,
                at: Instant::now(),
                headers: headers.clone(),
            });
            let n = {
                let c = s.counts.entry(path.clone()).or_default();
                *c += 1;
                *c
            };
            (s.routes.get(&path).cloned(), n)
        };
        let head_only = method == "HEAD";
        let range = headers.get("range").and_then(|r| {
            let (a, b) = r.strip_prefix("bytes=")?.split_once('-')?;
            Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
        });
        let behave = match (behave, range) {
            (Some(Behave::RangedBigNoHead(size)), Some((a, b))) if !head_only && a < size => {
                // Honour the range: a 206 with just those bytes.
                let n = b.min(size - 1) + 1 - a;
                let head = format!("HTTP/1.1 206 Partial Content\r\nContent-Length: {n}\r\nContent-Range: bytes {a}-{}/{size}\r\nContent-Type: text/html\r\n\r\n", a + n - 1);
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let body = vec![b'x'; n];
                st.lock().unwrap().bytes_sent += n;
                if sock.write_all(&body).await.is_err() {
                    return;
                }
                continue;
            }
            (Some(Behave::RangedBigNoHead(size)), _) => Some(Behave::BigNoHead(size)),
            (Some(Behave::RangeUnsatisfiable), _) if head_only => Some(Behave::Status(405)),
            (Some(Behave::RangeUnsatisfiable), Some(_)) => Some(Behave::Status(416)),
            (Some(Behave::RangeUnsatisfiable), None) => Some(Behave::Status(200)),
            (b, _) => b,
        };
        let (status, extra, body): (u16, Vec<(String, String)>, Vec<u8>) = match behave {
            None => (404, vec![], b"not found".to_vec()),
            Some(Behave::RangedBigNoHead(_) | Behave::RangeUnsatisfiable) => {
                unreachable!("mapped above")
            }
            Some(Behave::Status(s)) => (s, vec![], format!("status {s}").into_bytes()),
            Some(Behave::Redirect(s, loc)) => (s, vec![("Location".into(), loc)], vec![]),
            Some(Behave::HeadGet(h, g)) => {
                (if head_only { h } else { g }, vec![], b"page".to_vec())
            }
            Some(Behave::RateLimited { times, retry_after }) if n <= times => (
                429,
                vec![("Retry-After".into(), retry_after.to_string())],
                b"slow down".to_vec(),
            ),
            Some(Behave::Flaky { times, status }) if n <= times => {
                (status, vec![], b"try again".to_vec())
            }
            Some(Behave::ResetFirst { times }) if n <= times => return,
            Some(Behave::RateLimited { .. } | Behave::Flaky { .. } | Behave::ResetFirst { .. }) => {
                (200, vec![], b"ok now".to_vec())
            }
            Some(Behave::Hang) => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Some(Behave::Reset) => return,
            Some(Behave::Slow(ms)) => {
                {
                    let mut s = st.lock().unwrap();
                    s.in_flight += 1;
                    s.peak = s.peak.max(s.in_flight);
                }
                tokio::time::sleep(Duration::from_millis(ms)).await;
                st.lock().unwrap().in_flight -= 1;
                (200, vec![], b"slow".to_vec())
            }
            Some(Behave::BigNoHead(_)) if head_only => (405, vec![], vec![]),
            Some(Behave::Big(size) | Behave::BigNoHead(size)) => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nContent-Type: application/octet-stream\r\n\r\n");
                if sock.write_all(head.as_bytes()).await.is_err() || head_only {
                    if head_only {
                        continue;
                    }
                    return;
                }
                let chunk = vec![0u8; 16 * 1024];
                let mut left = size;
                while left > 0 {
                    let n = left.min(chunk.len());
                    if sock.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    st.lock().unwrap().bytes_sent += n;
                    left -= n;
                }
                continue;
            }
        };
        let mut resp = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in extra {
            resp.push_str(&format!("{k}: {v}\r\n"));
        }
        resp.push_str("\r\n");
        let mut out = resp.into_bytes();
        if !head_only {
            out.extend_from_slice(&body);
            st.lock().unwrap().bytes_sent += body.len();
        }
        if sock.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// A CA made for one test, and server certificates signed by it.
pub struct TestCa {
    pub pem_path: PathBuf,
    _dir: tempfile::TempDir,
    server_cert: rcgen::Certificate,
    server_key: rcgen::KeyPair,
}

impl TestCa {
    pub fn new() -> TestCa {
        Self::build(false)
    }

    /// A CA whose server certificate expired years ago.
    pub fn expired() -> TestCa {
        Self::build(true)
    }

    fn build(expired: bool) -> TestCa {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "linkrot test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let server_key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
        if expired {
            params.not_before = rcgen::date_time_ymd(2015, 1, 1);
            params.not_after = rcgen::date_time_ymd(2016, 1, 1);
        }
        let server_cert = params.signed_by(&server_key, &ca_cert, &ca_key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pem_path = dir.path().join("ca.pem");
        std::fs::write(&pem_path, ca_cert.pem()).unwrap();
        TestCa {
            pem_path,
            _dir: dir,
            server_cert,
            server_key,
        }
    }

    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        use tokio_rustls::rustls;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = vec![self.server_cert.der().clone()];
        let key =
            rustls::pki_types::PrivateKeyDer::try_from(self.server_key.serialize_der()).unwrap();
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(cfg))
    }
}

/// What a check is run with: how to check, and how to reach the network.
#[derive(Debug, Clone)]
pub struct Settings {
    pub check: CheckConfig,
    pub net: NetConfig,
}

/// Network settings for tests: fast backoff, short timeouts, no system
/// roots (so no test depends on the machine's CA store), and private
/// addresses allowed (every test server is on 127.0.0.1).
pub fn test_net() -> NetConfig {
    let mut net = NetConfig {
        timeout: Duration::from_millis(1500),
        connect_timeout: Duration::from_millis(1000),
        system_roots: false,
        allow_private: true,
        ..NetConfig::default()
    };
    net.retry.backoff_base = Duration::from_millis(20);
    net.retry.max_retry_after = Duration::from_secs(5);
    net
}

/// Settings for tests: the defaults over [`test_net`].
pub fn test_config() -> Settings {
    Settings {
        check: CheckConfig::default(),
        net: test_net(),
    }
}

/// Checks `urls` (as written) with `cfg`, returning one result each, in order.
pub async fn check_all(urls: &[String], cfg: Settings) -> Vec<CheckResult> {
    let Settings { check: cfg, net } = cfg;
    let classifier = Classifier::new(&cfg).unwrap();
    let door = Door::new(&net).unwrap();
    let mut out: Vec<Option<CheckResult>> = vec![None; urls.len()];
    let mut todo = Vec::new();
    for (i, u) in urls.iter().enumerate() {
        match classifier.classify(u) {
            Target::Check(url) => {
                let anchors = reqwest::Url::parse(u)
                    .ok()
                    .and_then(|w| w.fragment().and_then(check::anchor_name))
                    .into_iter()
                    .collect();
                todo.push(check::ToCheck {
                    id: i,
                    url,
                    anchors,
                });
            }
            Target::Skip(r) => out[i] = Some(r),
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let task = tokio::spawn(check::check_urls(door, Arc::new(cfg), todo, tx));
    while let Some((i, r)) = rx.recv().await {
        out[i] = Some(r);
    }
    task.await.unwrap();
    out.into_iter()
        .map(|r| r.expect("every URL gets a verdict"))
        .collect()
}

/// Checks one URL with the test settings.
pub async fn check_one(url: &str) -> CheckResult {
    check_all(&[url.to_string()], test_config()).await.remove(0)
}

/// The linkrot binary built for these tests.
pub fn linkrot() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_linkrot"));
    // Tests never inherit a proxy or CA from the machine running them.
    for v in [
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
        "no_proxy",
        "NO_PROXY",
        "SSL_CERT_FILE",
        "LINKROT_DB",
        "GITHUB_TOKEN",
        "RUST_LOG",
    ] {
        cmd.env_remove(v);
    }
    // Nor a linkrot.toml, .linkrotignore or linkrot.db of the checkout:
    // every run starts in an empty folder of its own.
    cmd.current_dir(empty_cwd());
    cmd.env("CI", "1");
    // Every test server is on 127.0.0.1; tests of the guard itself unset this.
    cmd.env("LINKROT_ALLOW_PRIVATE", "1");
    cmd
}

/// An empty folder to run the binary in (see [`linkrot`]).
pub fn empty_cwd() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("empty-cwd");
    std::fs::create_dir_all(&dir).expect("create the empty folder");
    dir
}

/// Where the shared corpus lives, when this checkout sits beside `shared/`.
pub fn corpus_dir() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/devopsweekly");
    p.is_dir().then_some(p)
}
