//! TLS with rustls (TLS 1.2 and 1.3, ring provider): the serving certificate is read from disk
//! and swapped in place when the files change, without dropping a connection.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// A certificate or key that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file does not hold a PEM certificate chain.
    #[error("{path}: cannot read certificate: {message}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The key file does not hold a usable PEM private key.
    #[error("{path}: cannot read private key: {message}")]
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The key is not the certificate's.
    #[error("{cert} and {key}: the private key does not match the certificate: {message}")]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// Why.
        message: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// Reads a PEM certificate chain and private key.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let cert_err = |message: String| TlsError::Certificate {
        path: cert.to_path_buf(),
        message,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_err("no CERTIFICATE block".into()));
    }
    let key_err = |message: String| TlsError::Key {
        path: key.to_path_buf(),
        message,
    };
    let der = PrivateKeyDer::from_pem_file(key).map_err(|e| key_err(e.to_string()))?;
    let signing =
        rustls::crypto::ring::sign::any_supported_type(&der).map_err(|e| key_err(e.to_string()))?;
    let ck = CertifiedKey::new(chain, signing);
    ck.keys_match().map_err(|e| TlsError::Mismatch {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(ck)
}

/// A digest of a file's contents, to notice changes. Contents rather than modification
/// times: file systems keep coarse timestamps, and a Secret volume swaps files by renaming.
/// The files are small and read every few seconds.
pub(crate) type Stamp = Option<u64>;

pub(crate) fn stamp(path: &Path) -> Stamp {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    Some(h.finish())
}

/// The serving certificate, swapped on reload.
#[derive(Debug)]
pub struct CertStore {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
    stamps: RwLock<(Stamp, Stamp)>,
}

impl CertStore {
    /// Loads the certificate and key.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let stamps = (stamp(cert), stamp(key));
        let ck = load_certified_key(cert, key)?;
        Ok(CertStore {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(Arc::new(ck)),
            stamps: RwLock::new(stamps),
        })
    }

    /// Reloads when either file changed since the last attempt. `Ok(false)`: unchanged;
    /// `Ok(true)`: reloaded; `Err`: changed but unusable (the old certificate stays in use and
    /// the next change is tried again).
    pub fn reload_if_changed(&self) -> Result<bool, TlsError> {
        let now = (stamp(&self.cert), stamp(&self.key));
        {
            let Ok(mut s) = self.stamps.write() else {
                return Ok(false);
            };
            if *s == now {
                return Ok(false);
            }
            *s = now;
        }
        let ck = load_certified_key(&self.cert, &self.key)?;
        if let Ok(mut c) = self.current.write() {
            *c = Arc::new(ck);
        }
        Ok(true)
    }

    /// The rustls server configuration resolving to this store (ALPN h2 and http/1.1).
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<ServerConfig>, TlsError> {
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
                .with_no_client_auth()
                .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}
