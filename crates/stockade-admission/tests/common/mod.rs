//! Test harness: certificates made with rcgen, the real server on ephemeral loopback ports,
//! and a small HTTPS client that trusts the test CA.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use stockade_admission::server::{Server, ServerConfig, State};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A test CA that issues serving certificates for `localhost`.
pub struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "stockade test CA");
        Pki {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// A new leaf: (certificate PEM, key PEM, certificate DER).
    pub fn leaf(&self) -> (String, String, CertificateDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        (cert.pem(), key.serialize_pem(), cert.der().clone())
    }

    /// Writes a new leaf to `dir/tls.crt` and `dir/tls.key`; returns its DER.
    ///
    /// Each file is replaced whole, but one after the other: a running server's reload can see
    /// the new key with the old certificate, refuse the pair and count a certificate reload
    /// error, then take the pair at its next check.
    pub fn write_leaf(&self, dir: &Path) -> CertificateDer<'static> {
        let (cert, key, der) = self.leaf();
        // Write to temporary names and rename, as a Secret volume update does.
        std::fs::write(dir.join("tls.key.tmp"), key).unwrap();
        std::fs::write(dir.join("tls.crt.tmp"), cert).unwrap();
        std::fs::rename(dir.join("tls.key.tmp"), dir.join("tls.key")).unwrap();
        std::fs::rename(dir.join("tls.crt.tmp"), dir.join("tls.crt")).unwrap();
        der
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub admin: SocketAddr,
    pub state: Arc<State>,
    pub pki: Pki,
    pub dir: tempfile::TempDir,
    pub leaf: CertificateDer<'static>,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Starts the server with `config` (YAML) written to `dir/config.yaml`.
    pub async fn start(config: &str) -> Running {
        Running::start_with(config, |_| {}).await
    }

    /// As [`Running::start`], with `tweak` applied to the server configuration.
    pub async fn start_with(config: &str, tweak: impl FnOnce(&mut ServerConfig)) -> Running {
        Running::start_between(config, tweak, |_| {}).await
    }

    /// As [`Running::start_with`], with `between` called on the directory after the server is
    /// bound and before it runs.
    pub async fn start_between(
        config: &str,
        tweak: impl FnOnce(&mut ServerConfig),
        between: impl FnOnce(&Path),
    ) -> Running {
        let pki = Pki::new();
        let dir = tempfile::tempdir().unwrap();
        let leaf = pki.write_leaf(dir.path());
        std::fs::write(dir.path().join("config.yaml"), config).unwrap();
        let mut sc = ServerConfig::new(dir.path().join("tls.crt"), dir.path().join("tls.key"));
        sc.listen = "127.0.0.1:0".parse().unwrap();
        sc.admin_listen = "127.0.0.1:0".parse().unwrap();
        sc.config = Some(dir.path().join("config.yaml"));
        sc.reload_interval = Duration::from_millis(50);
        sc.drain_timeout = Duration::from_secs(5);
        sc.events = Some(dir.path().join("events.db"));
        tweak(&mut sc);
        let server = Server::bind(sc).await.unwrap();
        between(dir.path());
        let (addr, admin, state) = (server.local_addr(), server.admin_addr(), server.state());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .run(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Running {
            addr,
            admin,
            state,
            pki,
            dir,
            leaf,
            stop: Some(tx),
            task,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Begins shutdown (as SIGTERM does).
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    pub async fn tls(&self) -> TlsStream<TcpStream> {
        tls_connect(self.addr, self.pki.ca_der()).await
    }

    /// POSTs `body` to `path` over a new HTTPS connection.
    pub async fn post(&self, path: &str, body: impl Into<Bytes>) -> (u16, String) {
        let mut send = http1(self.tls().await).await;
        request(&mut send, "POST", path, body.into()).await
    }

    /// The value of the sample `name` (with its labels, as exposed) on `/metrics`; 0 when the
    /// family has no such sample yet.
    pub async fn metric(&self, name: &str) -> u64 {
        let (code, text) = self.admin_get("/metrics").await;
        assert_eq!(code, 200, "{text}");
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .map_or(0, |v| {
                v.parse().unwrap_or_else(|e| panic!("{name} {v}: {e}"))
            })
    }

    /// GETs `path` from the admin listener.
    pub async fn admin_get(&self, path: &str) -> (u16, String) {
        let tcp = TcpStream::connect(self.admin).await.unwrap();
        let mut send = http1(tcp).await;
        request(&mut send, "GET", path, Bytes::new()).await
    }
}

pub async fn tls_connect(addr: SocketAddr, ca: CertificateDer<'static>) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap()
}

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn http1<IO>(io: IO) -> Sender
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .unwrap();
    tokio::spawn(conn);
    send
}

pub async fn request(send: &mut Sender, method: &str, path: &str, body: Bytes) -> (u16, String) {
    request_with(send, method, path, body, &[]).await
}

/// A request with extra headers.
pub async fn request_with(
    send: &mut Sender,
    method: &str,
    path: &str,
    body: Bytes,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut req = hyper::Request::builder();
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

pub fn fixture(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Replaces `path` whole (a temporary file renamed over it), so that a server reading it
/// concurrently sees the old or the new contents, never a part.
pub fn write_atomically(path: &Path, contents: impl AsRef<[u8]>) {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, contents).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Polls `f` every 20 ms for up to 5 s.
pub async fn eventually<F, Fut>(mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..250 {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
