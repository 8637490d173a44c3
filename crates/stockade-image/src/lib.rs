//! Container image supply chain: a small blocking OCI registry client ([`registry`]), image
//! references ([`reference`]), registry credentials ([`auth`]), signing keys ([`keys`]) and
//! cosign signatures ([`cosign`]: classic `sha256-<digest>.sig` signatures, signed and verified;
//! Sigstore bundles found through the referrers API or its tag fallback), keyless signatures
//! ([`keyless`]: Fulcio certificates, identities and issuers) and Rekor proofs verified offline
//! against a Sigstore trusted root ([`sigstore`]).
//!
//! Everything is blocking and bounded: every registry call has a timeout, every response a
//! size limit, so a caller in an async server runs it on a blocking thread with a deadline.

pub mod auth;
pub mod cosign;
pub mod keyless;
pub mod keys;
pub mod manifest;
pub mod policy;
pub mod reference;
pub mod registry;
pub mod sigstore;
#[cfg(feature = "testing")]
pub mod testing;

pub use cosign::{Require, SignOutcome, Verdict, sign, verify};
pub use keys::{PrivateKey, PublicKey};
pub use reference::Reference;
pub use registry::{Client, ClientConfig};

use std::path::PathBuf;

/// Everything that can go wrong in this crate, named after the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An image reference that does not parse.
    #[error("invalid image reference {input:?}: {reason}")]
    Reference { input: String, reason: String },
    /// A file that cannot be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A key file that cannot be used.
    #[error("{path}: {reason}")]
    Key { path: String, reason: String },
    /// A docker config.json or pull Secret that cannot be used.
    #[error("{path}: {reason}")]
    Credentials { path: String, reason: String },
    /// A Sigstore trusted root (Fulcio CAs, Rekor keys) that cannot be used.
    #[error("{path}: {reason}")]
    Trust { path: String, reason: String },
    /// An image policy that cannot be used.
    #[error("{path}: {reason}")]
    Policy { path: String, reason: String },
    /// The registry could not be reached (connection, TLS, timeout).
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    /// The registry answered with an unexpected status.
    #[error("{url}: HTTP {status}{}", if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    /// Authentication with the registry failed.
    #[error("authenticating to {registry}: {reason}")]
    Auth { registry: String, reason: String },
    /// A registry response that is not what it claims to be.
    #[error("{what}: {reason}")]
    BadResponse { what: String, reason: String },
    /// Content that does not hash to the digest it is stored under.
    #[error("{what}: content hashes to {actual}, not {expected} (tampered or corrupt)")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    /// Invalid TLS or client configuration.
    #[error("registry client: {0}")]
    Config(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `sha256:<hex>` of some bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in hash {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
    }
    out
}
