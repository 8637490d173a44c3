//! A small blocking client for the OCI distribution API: manifests, blobs, tags, uploads,
//! with bearer-token and basic authentication. Plain HTTP only for registries listed as
//! insecure; HTTPS trusts Mozilla's roots, or the CA file given instead.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use ureq::http::{Method, Request};

use crate::auth::{AuthStore, Credential, basic_header, parse_challenges};
use crate::manifest::{ACCEPT_ALL, Manifest, Platform};
use crate::reference::Reference;
use crate::{Error, sha256_digest};

/// How to reach registries.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Credentials by registry.
    pub auth: AuthStore,
    /// Registries (`host:port`) spoken to over plain HTTP; every other one uses HTTPS.
    pub insecure: Vec<String>,
    /// PEM file of CA certificates to trust for HTTPS instead of Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// Deadline for each whole HTTP exchange (connect, send, receive).
    pub timeout: Duration,
    /// `timeout` was given explicitly (a `--registry-timeout` flag): an image policy's
    /// `images.timeout` does not replace it.
    pub timeout_is_explicit: bool,
    /// Largest manifest accepted, in bytes.
    pub max_manifest_size: u64,
    /// Largest blob read into memory, in bytes.
    pub max_blob_size: u64,
    /// Deadline for a whole streamed blob ([`Client::open_blob`]): layers are large, so
    /// they get longer than `timeout`.
    pub blob_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            auth: AuthStore::new(),
            insecure: Vec::new(),
            ca_file: None,
            timeout: Duration::from_secs(10),
            timeout_is_explicit: false,
            max_manifest_size: 4 << 20,
            max_blob_size: 64 << 20,
            blob_timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// A fetched manifest with its digest and media type.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// The raw bytes, exactly as served (their SHA-256 is the digest).
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
    /// The `Content-Type` the registry sent.
    pub media_type: Option<String>,
}

impl FetchedManifest {
    /// Parses the manifest.
    pub fn parse(&self) -> Result<Manifest, Error> {
        Manifest::parse(&self.bytes, self.media_type.as_deref()).map_err(|reason| {
            Error::BadResponse {
                what: format!("manifest {}", self.digest),
                reason,
            }
        })
    }
}

/// The registry client. Cheap to share between threads; bearer tokens are cached per
/// registry and scope for the client's lifetime.
pub struct Client {
    agent: ureq::Agent,
    config: ClientConfig,
    tokens: Mutex<HashMap<(String, String), String>>,
}

struct Resp {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: ureq::Body,
}

impl Client {
    /// A client for this configuration (reads the CA file now).
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(&pem) {
                match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(Error::Config(format!("{}: {e}", path.display())));
                    }
                }
            }
            if certs.is_empty() {
                return Err(Error::Config(format!(
                    "{}: no PEM certificate in the file",
                    path.display()
                )));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(config.timeout))
            .user_agent(concat!("stockade/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(agent_config),
            config,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn base(&self, r: &Reference) -> String {
        let host = r.api_host();
        let insecure = self
            .config
            .insecure
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(&r.registry));
        let scheme = if insecure { "http" } else { "https" };
        format!("{scheme}://{host}/v2/{}", r.repository)
    }

    /// Resolves a reference to the digest of what it names (the index for multi-platform
    /// images): the reference's own digest when it has one, else a HEAD on the tag.
    pub fn resolve(&self, r: &Reference) -> Result<String, Error> {
        if let Some(d) = &r.digest {
            return Ok(d.clone());
        }
        let url = format!("{}/manifests/{}", self.base(r), r.target());
        let resp = self.send(
            r,
            Method::HEAD,
            &url,
            &[("Accept", ACCEPT_ALL)],
            None,
            false,
        )?;
        match resp.status {
            200 => {
                if let Some(d) = header(&resp.headers, "docker-content-digest") {
                    return Ok(d);
                }
                // Some registries leave the header out of HEAD answers: fetch and hash.
                Ok(self.get_manifest(r, r.target())?.digest)
            }
            404 => Err(Error::Status {
                url,
                status: 404,
                body: "manifest unknown".into(),
            }),
            status => Err(Error::Status {
                url,
                status,
                body: String::new(),
            }),
        }
    }

    /// Fetches a manifest by tag or digest. When `target` is a digest, the bytes are checked
    /// against it.
    pub fn get_manifest(&self, r: &Reference, target: &str) -> Result<FetchedManifest, Error> {
        match self.try_get_manifest(r, target)? {
            Some(m) => Ok(m),
            None => Err(Error::Status {
                url: format!("{}/manifests/{target}", self.base(r)),
                status: 404,
                body: "manifest unknown".into(),
            }),
        }
    }

    /// [`Client::get_manifest`], with `None` for a manifest that does not exist.
    pub fn try_get_manifest(
        &self,
        r: &Reference,
        target: &str,
    ) -> Result<Option<FetchedManifest>, Error> {
        let url = format!("{}/manifests/{target}", self.base(r));
        let resp = self.send(r, Method::GET, &url, &[("Accept", ACCEPT_ALL)], None, false)?;
        if resp.status == 404 {
            return Ok(None);
        }
        let media_type = header(&resp.headers, "content-type")
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string());
        let bytes = read_ok(resp, &url, self.config.max_manifest_size)?;
        let digest = sha256_digest(&bytes);
        if target.contains(':') && target != digest {
            return Err(Error::DigestMismatch {
                what: url,
                expected: target.to_string(),
                actual: digest,
            });
        }
        Ok(Some(FetchedManifest {
            bytes,
            digest,
            media_type,
        }))
    }

    /// The image manifest for a platform: follows an index to the entry for `platform`;
    /// a single-image manifest is returned as is.
    pub fn get_platform_manifest(
        &self,
        r: &Reference,
        platform: &Platform,
    ) -> Result<FetchedManifest, Error> {
        let top = self.get_manifest(r, r.target())?;
        match top.parse()? {
            Manifest::Image(_) => Ok(top),
            Manifest::Index(idx) => {
                let entry = idx.select(platform).ok_or_else(|| Error::BadResponse {
                    what: format!("{r}"),
                    reason: format!(
                        "no manifest for platform {platform} (the index has {})",
                        idx.manifests
                            .iter()
                            .filter_map(|d| d.platform.as_ref().map(ToString::to_string))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
                self.get_manifest(r, &entry.digest)
            }
        }
    }

    /// Fetches a blob and checks it against its digest.
    pub fn get_blob(&self, r: &Reference, digest: &str) -> Result<Vec<u8>, Error> {
        let url = format!("{}/blobs/{digest}", self.base(r));
        let resp = self.send(r, Method::GET, &url, &[], None, false)?;
        let bytes = read_ok(resp, &url, self.config.max_blob_size)?;
        let got = sha256_digest(&bytes);
        if got != digest {
            return Err(Error::DigestMismatch {
                what: format!("blob {digest}"),
                expected: digest.to_string(),
                actual: got,
            });
        }
        Ok(bytes)
    }

    /// Opens a blob as a stream: a [`std::io::Read`] over the HTTP body, whose SHA-256 is
    /// checked against `digest` when the end is reached (a mismatch, or a body that ends
    /// early, is a read error). Nothing is buffered beyond the reader's own buffer, so a
    /// layer of any size is read in constant memory. `expected_size`, when known (from the
    /// manifest's descriptor), is checked too.
    pub fn open_blob(
        &self,
        r: &Reference,
        digest: &str,
        expected_size: Option<u64>,
    ) -> Result<BlobReader, Error> {
        let Some(hex) = digest.strip_prefix("sha256:") else {
            return Err(Error::BadResponse {
                what: format!("blob {digest}"),
                reason: "only sha256 digests are supported".into(),
            });
        };
        let url = format!("{}/blobs/{digest}", self.base(r));
        let resp = self.send_with(
            r,
            Method::GET,
            &url,
            &[],
            None,
            false,
            self.config.blob_timeout,
        )?;
        if resp.status != 200 {
            return Err(status_error(resp, &url));
        }
        Ok(BlobReader {
            inner: resp.body.into_reader(),
            hasher: sha2::Sha256::default(),
            expected: hex.to_ascii_lowercase(),
            expected_size,
            read: 0,
            done: false,
            url,
        })
    }

    /// Uploads a blob (monolithic upload) unless the registry has it; returns its digest.
    pub fn put_blob(&self, r: &Reference, bytes: &[u8]) -> Result<String, Error> {
        let digest = sha256_digest(bytes);
        let head = format!("{}/blobs/{digest}", self.base(r));
        let resp = self.send(r, Method::HEAD, &head, &[], None, true)?;
        if resp.status == 200 {
            return Ok(digest);
        }
        let start = format!("{}/blobs/uploads/", self.base(r));
        let resp = self.send(r, Method::POST, &start, &[], Some(&[]), true)?;
        if resp.status != 202 {
            return Err(status_error(resp, &start));
        }
        let location = header(&resp.headers, "location").ok_or_else(|| Error::BadResponse {
            what: start.clone(),
            reason: "upload started without a Location".into(),
        })?;
        let mut url = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else {
            let base = self.base(r);
            let origin_end = base.find("/v2/").unwrap_or(base.len());
            format!("{}{location}", &base[..origin_end])
        };
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("digest=");
        url.push_str(&digest.replace(':', "%3A"));
        let resp = self.send(
            r,
            Method::PUT,
            &url,
            &[("Content-Type", "application/octet-stream")],
            Some(bytes),
            true,
        )?;
        if resp.status != 201 {
            return Err(status_error(resp, &url));
        }
        Ok(digest)
    }

    /// Uploads a manifest under a tag or its digest; returns its digest.
    pub fn put_manifest(
        &self,
        r: &Reference,
        target: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<String, Error> {
        let url = format!("{}/manifests/{target}", self.base(r));
        let resp = self.send(
            r,
            Method::PUT,
            &url,
            &[("Content-Type", media_type)],
            Some(bytes),
            true,
        )?;
        if resp.status != 201 {
            return Err(status_error(resp, &url));
        }
        Ok(sha256_digest(bytes))
    }

    /// The OCI 1.1 referrers of a digest: the referrers API when the registry has it, else
    /// the `sha256-<hex>` tag fallback. `None` when there are none.
    pub fn referrers(&self, r: &Reference, digest: &str) -> Result<Option<Manifest>, Error> {
        let url = format!("{}/referrers/{digest}", self.base(r));
        let resp = self.send(r, Method::GET, &url, &[("Accept", ACCEPT_ALL)], None, false)?;
        if resp.status == 200 {
            let ct = header(&resp.headers, "content-type");
            let bytes = read_ok(resp, &url, self.config.max_manifest_size)?;
            return Manifest::parse(&bytes, ct.as_deref())
                .map(Some)
                .map_err(|reason| Error::BadResponse { what: url, reason });
        }
        let tag = digest.replace(':', "-");
        match self.try_get_manifest(r, &tag)? {
            Some(m) => m.parse().map(Some),
            None => Ok(None),
        }
    }

    /// One request, authenticating once on a 401 challenge and retrying.
    fn send(
        &self,
        r: &Reference,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        push: bool,
    ) -> Result<Resp, Error> {
        self.send_with(r, method, url, headers, body, push, self.config.timeout)
    }

    /// [`Client::send`] with another deadline for the exchange.
    #[allow(clippy::too_many_arguments)]
    fn send_with(
        &self,
        r: &Reference,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        push: bool,
        timeout: Duration,
    ) -> Result<Resp, Error> {
        let scope = format!(
            "repository:{}:{}",
            r.repository,
            if push { "pull,push" } else { "pull" }
        );
        let key = (r.registry.clone(), scope.clone());
        let cached = self.tokens.lock().ok().and_then(|t| t.get(&key).cloned());
        let resp = self.exchange_with(
            method.clone(),
            url,
            headers,
            body,
            cached.as_deref(),
            timeout,
        )?;
        if resp.status != 401 {
            return Ok(resp);
        }
        let challenge = header(&resp.headers, "www-authenticate").unwrap_or_default();
        let auth = self.authenticate(r, &challenge, &scope)?;
        let resp = self.exchange_with(method, url, headers, body, Some(&auth), timeout)?;
        if resp.status == 401 || resp.status == 403 {
            return Err(Error::Auth {
                registry: r.registry.clone(),
                reason: format!(
                    "{url}: HTTP {} after authenticating{}",
                    resp.status,
                    if self.config.auth.get(&r.registry).is_none() {
                        " anonymously (no credentials for this registry)"
                    } else {
                        ""
                    }
                ),
            });
        }
        if let Ok(mut t) = self.tokens.lock() {
            if t.len() > 1024 {
                t.clear();
            }
            t.insert(key, auth);
        }
        Ok(resp)
    }

    fn exchange(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        auth: Option<&str>,
    ) -> Result<Resp, Error> {
        self.exchange_with(method, url, headers, body, auth, self.config.timeout)
    }

    fn exchange_with(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        auth: Option<&str>,
        timeout: Duration,
    ) -> Result<Resp, Error> {
        let mut req = Request::builder().method(method).uri(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let transport = |e: ureq::Error| Error::Transport {
            url: url.to_string(),
            reason: e.to_string(),
        };
        let resp = match body {
            Some(b) => {
                let req = req.body(b).map_err(|e| Error::Config(e.to_string()))?;
                self.agent.run(self.with_deadline(req, timeout))
            }
            None => {
                let req = req
                    .body(ureq::SendBody::none())
                    .map_err(|e| Error::Config(e.to_string()))?;
                self.agent.run(self.with_deadline(req, timeout))
            }
        }
        .map_err(transport)?;
        let (parts, body) = resp.into_parts();
        Ok(Resp {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// The request with its own deadline when it differs from the agent's.
    fn with_deadline<B: ureq::AsSendBody>(&self, req: Request<B>, timeout: Duration) -> Request<B> {
        if timeout == self.config.timeout {
            return req;
        }
        self.agent
            .configure_request(req)
            .timeout_global(Some(timeout))
            .build()
    }

    /// The `Authorization` value answering a challenge: a bearer token from the realm (with
    /// the registry's credentials when there are any), or basic credentials.
    fn authenticate(&self, r: &Reference, challenge: &str, scope: &str) -> Result<String, Error> {
        let cred = self.config.auth.get(&r.registry);
        let auth_err = |reason: String| Error::Auth {
            registry: r.registry.clone(),
            reason,
        };
        let challenges = parse_challenges(challenge);
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer
                .params
                .get("realm")
                .ok_or_else(|| auth_err("Bearer challenge without realm".into()))?;
            if !realm.starts_with("https://") && !realm.starts_with("http://") {
                return Err(auth_err(format!(
                    "token realm {realm:?} is not an HTTP URL"
                )));
            }
            let mut query = Vec::new();
            if let Some(service) = bearer.params.get("service") {
                query.push(format!("service={}", urlencode(service)));
            }
            query.push(format!("scope={}", urlencode(scope)));
            let (method, body, basic) = match cred {
                Some(Credential::IdentityToken(t)) => {
                    let form = format!(
                        "grant_type=refresh_token&client_id=stockade&refresh_token={}&{}",
                        urlencode(t),
                        query.join("&")
                    );
                    (Method::POST, Some(form.into_bytes()), None)
                }
                Some(Credential::Basic { username, password }) => {
                    (Method::GET, None, Some(basic_header(username, password)))
                }
                None => (Method::GET, None, None),
            };
            let url = if body.is_some() {
                realm.clone()
            } else {
                format!(
                    "{realm}{}{}",
                    if realm.contains('?') { '&' } else { '?' },
                    query.join("&")
                )
            };
            let headers: &[(&str, &str)] = if body.is_some() {
                &[("Content-Type", "application/x-www-form-urlencoded")]
            } else {
                &[]
            };
            let resp = self.exchange(method, &url, headers, body.as_deref(), basic.as_deref())?;
            if resp.status != 200 {
                return Err(auth_err(format!(
                    "token endpoint {realm}: HTTP {}",
                    resp.status
                )));
            }
            let bytes = read_ok(resp, &url, 1 << 20)?;
            #[derive(serde::Deserialize)]
            struct Token {
                token: Option<String>,
                access_token: Option<String>,
            }
            let t: Token = serde_json::from_slice(&bytes)
                .map_err(|e| auth_err(format!("token endpoint {realm}: {e}")))?;
            let token = t
                .token
                .or(t.access_token)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| auth_err(format!("token endpoint {realm} sent no token")))?;
            return Ok(format!("Bearer {token}"));
        }
        if challenges.iter().any(|c| c.scheme == "basic") {
            return match cred {
                Some(Credential::Basic { username, password }) => {
                    Ok(basic_header(username, password))
                }
                _ => Err(auth_err(
                    "the registry wants basic credentials and none are configured".into(),
                )),
            };
        }
        Err(auth_err(format!(
            "HTTP 401 with an unsupported challenge {challenge:?}"
        )))
    }
}

/// A blob streamed from a registry (see [`Client::open_blob`]): reads fail with
/// `InvalidData` when the content does not match its digest or size, so a consumer that
/// reads to the end never accepts tampered or truncated data silently.
pub struct BlobReader {
    inner: ureq::BodyReader<'static>,
    hasher: sha2::Sha256,
    expected: String,
    expected_size: Option<u64>,
    read: u64,
    done: bool,
    url: String,
}

impl BlobReader {
    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }
}

impl std::io::Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest as _;
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        let bad = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidData, msg);
        if let Some(size) = self.expected_size
            && self.read > size
        {
            self.done = true;
            return Err(bad(format!(
                "{}: more than the {size} bytes the manifest gives",
                self.url
            )));
        }
        if n == 0 {
            self.done = true;
            if let Some(size) = self.expected_size
                && self.read != size
            {
                return Err(bad(format!(
                    "{}: {} bytes, the manifest gives {size}",
                    self.url, self.read
                )));
            }
            let got = hex(&std::mem::take(&mut self.hasher).finalize());
            if got != self.expected {
                return Err(bad(format!(
                    "{}: content digest is sha256:{got}, expected sha256:{}",
                    self.url, self.expected
                )));
            }
        }
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn header(h: &ureq::http::HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn read_ok(mut resp: Resp, url: &str, limit: u64) -> Result<Vec<u8>, Error> {
    if resp.status != 200 {
        return Err(status_error(resp, url));
    }
    let mut out = Vec::new();
    resp.body
        .as_reader()
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::Transport {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    if out.len() as u64 > limit {
        return Err(Error::BadResponse {
            what: url.to_string(),
            reason: format!("larger than the {limit}-byte limit"),
        });
    }
    Ok(out)
}

fn status_error(mut resp: Resp, url: &str) -> Error {
    let mut body = String::new();
    let _ = resp.body.as_reader().take(512).read_to_string(&mut body);
    Error::Status {
        url: url.to_string(),
        status: resp.status,
        body: body.trim().to_string(),
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
