//! Signing and verification keys as cosign stores them: public keys as PEM
//! SubjectPublicKeyInfo; private keys as PKCS#8 or SEC1 PEM, or in cosign's encrypted format
//! (`ENCRYPTED SIGSTORE PRIVATE KEY` / `ENCRYPTED COSIGN PRIVATE KEY`: scrypt-derived key,
//! NaCl secretbox, as go-securesystemslib's `encrypted` package writes it).
//!
//! Signatures are cosign's: ECDSA (P-256, P-384) over the SHA-256 of the message, ASN.1 DER;
//! Ed25519 over the message itself, 64 raw bytes.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use ecdsa::signature::{Signer, Verifier};
use pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use sha2::Digest as _;

use crate::Error;

/// PEM label cosign (2.x) gives encrypted private keys.
pub const ENCRYPTED_SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// PEM label of older cosign releases.
pub const ENCRYPTED_COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// A verification key.
#[derive(Clone)]
pub struct PublicKey {
    key: PublicKeyKind,
    /// Where the key came from (a file name), for reports.
    pub name: String,
    /// `sha256:` of the DER SubjectPublicKeyInfo (first 16 hex digits), for reports.
    pub fingerprint: String,
}

#[derive(Clone)]
enum PublicKeyKind {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PublicKey({} {} {})",
            self.algorithm(),
            self.name,
            self.fingerprint
        )
    }
}

impl PublicKey {
    /// Reads a PEM public key file.
    pub fn from_file(path: &Path) -> Result<PublicKey, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        PublicKey::from_pem(&text, &path.display().to_string())
    }

    /// Parses a PEM SubjectPublicKeyInfo (`PUBLIC KEY`; cosign's older `COSIGN PUBLIC KEY`
    /// label too). `name` identifies the key in reports and errors.
    pub fn from_pem(text: &str, name: &str) -> Result<PublicKey, Error> {
        let err = |reason: String| Error::Key {
            path: name.to_string(),
            reason,
        };
        let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes())
            .map_err(|e| err(format!("not a PEM public key: {e}")))?;
        if !label.ends_with("PUBLIC KEY") {
            return Err(err(format!("PEM block is {label:?}, expected PUBLIC KEY")));
        }
        PublicKey::from_spki_der(&der, name)
    }

    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8], name: &str) -> Result<PublicKey, Error> {
        let key = if let Ok(k) = p256::PublicKey::from_public_key_der(der) {
            PublicKeyKind::P256(k.into())
        } else if let Ok(k) = p384::PublicKey::from_public_key_der(der) {
            PublicKeyKind::P384(k.into())
        } else if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(der) {
            PublicKeyKind::Ed25519(k)
        } else {
            return Err(Error::Key {
                path: name.to_string(),
                reason: "not an ECDSA P-256, ECDSA P-384 or Ed25519 public key".into(),
            });
        };
        Ok(PublicKey {
            key,
            name: name.to_string(),
            fingerprint: fingerprint(der),
        })
    }

    /// `ecdsa-p256`, `ecdsa-p384` or `ed25519`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            PublicKeyKind::P256(_) => "ecdsa-p256",
            PublicKeyKind::P384(_) => "ecdsa-p384",
            PublicKeyKind::Ed25519(_) => "ed25519",
        }
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Vec<u8> {
        let doc = match &self.key {
            PublicKeyKind::P256(k) => k.to_public_key_der(),
            PublicKeyKind::P384(k) => k.to_public_key_der(),
            PublicKeyKind::Ed25519(k) => k.to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        pem_rfc7468::encode_string(
            "PUBLIC KEY",
            pem_rfc7468::LineEnding::LF,
            &self.to_spki_der(),
        )
        .unwrap_or_default()
    }

    /// Whether `signature` (DER ECDSA) is this ECDSA key's signature over a message whose
    /// digest is `hash` (how X.509 signatures are checked: the digest is named by the
    /// signature algorithm). Ed25519 keys sign messages, not digests: always false.
    pub fn verify_prehash(&self, hash: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            PublicKeyKind::P256(k) => {
                p256_sig(signature).is_some_and(|sig| k.verify_prehash(hash, &sig).is_ok())
            }
            PublicKeyKind::P384(k) => {
                p384_sig(signature).is_some_and(|sig| k.verify_prehash(hash, &sig).is_ok())
            }
            PublicKeyKind::Ed25519(_) => false,
        }
    }

    /// Whether this Ed25519 key signed `message` (X.509 signatures with Ed25519 keys).
    pub fn verify_ed25519(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            PublicKeyKind::Ed25519(k) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|sig| k.verify_strict(message, &sig).is_ok()),
            _ => false,
        }
    }

    /// Whether `signature` is this key's signature over `message` in cosign's scheme.
    /// ECDSA signatures are accepted as DER or as raw `r || s`; P-384 over SHA-256 (what
    /// cosign signs with) or SHA-384.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            PublicKeyKind::P256(k) => {
                let Some(sig) = p256_sig(signature) else {
                    return false;
                };
                k.verify(message, &sig).is_ok()
            }
            PublicKeyKind::P384(k) => {
                let Some(sig) = p384_sig(signature) else {
                    return false;
                };
                k.verify_prehash(&sha2::Sha256::digest(message), &sig)
                    .is_ok()
                    || k.verify(message, &sig).is_ok()
            }
            PublicKeyKind::Ed25519(k) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                k.verify_strict(message, &sig).is_ok()
            }
        }
    }
}

/// DER or raw fixed-size ECDSA signature, with S normalised to the low half: (r, s) and
/// (r, n - s) are equally valid, and OpenSSL emits either.
macro_rules! ecdsa_sig {
    ($name:ident, $sig:ty) => {
        fn $name(bytes: &[u8]) -> Option<$sig> {
            let sig = <$sig>::from_der(bytes)
                .or_else(|_| <$sig>::from_slice(bytes))
                .ok()?;
            Some(sig.normalize_s().unwrap_or(sig))
        }
    };
}
ecdsa_sig!(p256_sig, p256::ecdsa::Signature);
ecdsa_sig!(p384_sig, p384::ecdsa::Signature);

fn fingerprint(der: &[u8]) -> String {
    let d = crate::sha256_digest(der);
    d[..7 + 16].to_string()
}

/// A signing key.
pub struct PrivateKey {
    key: PrivateKeyKind,
}

enum PrivateKeyKind {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({})", self.public_key().algorithm())
    }
}

/// scrypt parameters of an encrypted key (`N` = 2^`log_n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptParams {
    /// log2 of N (cosign: 15).
    pub log_n: u8,
    /// r (cosign: 8).
    pub r: u32,
    /// p (cosign: 1).
    pub p: u32,
}

impl Default for ScryptParams {
    /// cosign's parameters: N = 32768, r = 8, p = 1.
    fn default() -> Self {
        ScryptParams {
            log_n: 15,
            r: 8,
            p: 1,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Encrypted {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KdfParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

impl PrivateKey {
    /// Reads a private key file; `password` decrypts cosign's encrypted format.
    pub fn from_file(path: &Path, password: Option<&[u8]>) -> Result<PrivateKey, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        PrivateKey::from_pem(&text, password, &path.display().to_string())
    }

    /// Parses PEM: `PRIVATE KEY` (PKCS#8), `EC PRIVATE KEY` (SEC1), or cosign's encrypted
    /// labels (needs `password`; an empty password is valid, as `cosign generate-key-pair`
    /// allows it).
    pub fn from_pem(text: &str, password: Option<&[u8]>, name: &str) -> Result<PrivateKey, Error> {
        let err = |reason: String| Error::Key {
            path: name.to_string(),
            reason,
        };
        let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes())
            .map_err(|e| err(format!("not a PEM private key: {e}")))?;
        match label {
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&der).map_err(err),
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                    Ok(PrivateKey {
                        key: PrivateKeyKind::P256(k.into()),
                    })
                } else if let Ok(k) = p384::SecretKey::from_sec1_der(&der) {
                    Ok(PrivateKey {
                        key: PrivateKeyKind::P384(k.into()),
                    })
                } else {
                    Err(err("EC PRIVATE KEY is not a P-256 or P-384 key".into()))
                }
            }
            ENCRYPTED_SIGSTORE_LABEL | ENCRYPTED_COSIGN_LABEL => {
                let password = password.ok_or_else(|| {
                    err("the key is encrypted: set COSIGN_PASSWORD (empty for no password)".into())
                })?;
                let plain = decrypt(&der, password).map_err(err)?;
                PrivateKey::from_pkcs8_der(&plain).map_err(err)
            }
            "ENCRYPTED PRIVATE KEY" => Err(err(
                "PKCS#8 encrypted keys are not supported; use cosign's format or decrypt with \
                 `openssl pkcs8`"
                    .into(),
            )),
            other => Err(err(format!("unsupported PEM block {other:?}"))),
        }
    }

    /// Parses a PKCS#8 DER private key (P-256, P-384 or Ed25519).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, String> {
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Ok(PrivateKey {
                key: PrivateKeyKind::P256(k.into()),
            });
        }
        if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
            return Ok(PrivateKey {
                key: PrivateKeyKind::P384(k.into()),
            });
        }
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
            return Ok(PrivateKey {
                key: PrivateKeyKind::Ed25519(Box::new(k)),
            });
        }
        Err("PKCS#8 key is not ECDSA P-256, ECDSA P-384 or Ed25519".into())
    }

    /// A fresh random ECDSA P-256 key (cosign's default algorithm).
    pub fn generate_p256() -> Result<PrivateKey, Error> {
        let mut bytes = [0u8; 32];
        loop {
            getrandom::getrandom(&mut bytes).map_err(|e| Error::Config(e.to_string()))?;
            if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                return Ok(PrivateKey {
                    key: PrivateKeyKind::P256(k),
                });
            }
        }
    }

    /// The PKCS#8 DER encoding.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        use pkcs8::EncodePrivateKey as _;
        let doc = match &self.key {
            PrivateKeyKind::P256(k) => k.to_pkcs8_der(),
            PrivateKeyKind::P384(k) => k.to_pkcs8_der(),
            PrivateKeyKind::Ed25519(k) => k.to_pkcs8_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        let (key, der) = match &self.key {
            PrivateKeyKind::P256(k) => {
                let v = *k.verifying_key();
                (PublicKeyKind::P256(v), v.to_public_key_der())
            }
            PrivateKeyKind::P384(k) => {
                let v = *k.verifying_key();
                (PublicKeyKind::P384(v), v.to_public_key_der())
            }
            PrivateKeyKind::Ed25519(k) => {
                let v = k.verifying_key();
                (PublicKeyKind::Ed25519(v), v.to_public_key_der())
            }
        };
        let der = der.map(|d| d.as_bytes().to_vec()).unwrap_or_default();
        PublicKey {
            key,
            name: "<private key>".into(),
            fingerprint: fingerprint(&der),
        }
    }

    /// Signs `message` as cosign does: ECDSA over SHA-256 (DER), Ed25519 over the message.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.key {
            PrivateKeyKind::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            PrivateKeyKind::P384(k) => {
                let digest = sha2::Sha256::digest(message);
                // Signing a 32-byte prehash with a P-384 key cannot fail (the hash is
                // zero-extended to the field size).
                match PrehashSigner::<p384::ecdsa::Signature>::sign_prehash(k, &digest) {
                    Ok(sig) => sig.to_der().as_bytes().to_vec(),
                    Err(_) => Vec::new(),
                }
            }
            PrivateKeyKind::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
        }
    }

    /// The key in cosign's encrypted PEM format (`ENCRYPTED SIGSTORE PRIVATE KEY`), with a
    /// random salt and nonce.
    pub fn to_encrypted_pem(&self, password: &[u8], params: ScryptParams) -> Result<String, Error> {
        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut salt).map_err(|e| Error::Config(e.to_string()))?;
        getrandom::getrandom(&mut nonce).map_err(|e| Error::Config(e.to_string()))?;
        let json = encrypt(&self.to_pkcs8_der(), password, params, &salt, &nonce)
            .map_err(Error::Config)?;
        pem_rfc7468::encode_string(ENCRYPTED_SIGSTORE_LABEL, pem_rfc7468::LineEnding::LF, &json)
            .map_err(|e| Error::Config(e.to_string()))
    }

    /// The PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted.
    pub fn to_pkcs8_pem(&self) -> String {
        pem_rfc7468::encode_string(
            "PRIVATE KEY",
            pem_rfc7468::LineEnding::LF,
            &self.to_pkcs8_der(),
        )
        .unwrap_or_default()
    }
}

fn derive(password: &[u8], salt: &[u8], p: ScryptParams) -> Result<[u8; 32], String> {
    let params = scrypt::Params::new(p.log_n, p.r, p.p, 32)
        .map_err(|e| format!("invalid scrypt parameters: {e}"))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(password, salt, &params, &mut key).map_err(|e| format!("scrypt: {e}"))?;
    Ok(key)
}

/// Encrypts `plaintext` in go-securesystemslib's `encrypted` JSON format (what the PEM block
/// of an encrypted cosign key holds), with the given salt and nonce.
pub fn encrypt(
    plaintext: &[u8],
    password: &[u8],
    params: ScryptParams,
    salt: &[u8],
    nonce: &[u8; 24],
) -> Result<Vec<u8>, String> {
    use crypto_secretbox::aead::{Aead, KeyInit};
    let key = derive(password, salt, params)?;
    let cipher = crypto_secretbox::XSalsa20Poly1305::new(&key.into());
    let ciphertext = cipher
        .encrypt(nonce.into(), plaintext)
        .map_err(|_| "secretbox encryption failed".to_string())?;
    let doc = Encrypted {
        kdf: Kdf {
            name: "scrypt".into(),
            params: KdfParams {
                n: 1u64 << params.log_n,
                r: params.r,
                p: params.p,
            },
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    };
    serde_json::to_vec(&doc).map_err(|e| e.to_string())
}

/// Decrypts go-securesystemslib's `encrypted` JSON. The scrypt cost is bounded (N ≤ 2^20,
/// r ≤ 32, p ≤ 16) so a hostile key file cannot make us spend minutes or gigabytes.
pub fn decrypt(json: &[u8], password: &[u8]) -> Result<Vec<u8>, String> {
    use crypto_secretbox::aead::{Aead, KeyInit};
    let doc: Encrypted = serde_json::from_slice(json)
        .map_err(|e| format!("encrypted key is not the expected JSON: {e}"))?;
    if doc.kdf.name != "scrypt" {
        return Err(format!("unsupported key derivation {:?}", doc.kdf.name));
    }
    if doc.cipher.name != "nacl/secretbox" {
        return Err(format!("unsupported cipher {:?}", doc.cipher.name));
    }
    let n = doc.kdf.params.n;
    if !n.is_power_of_two()
        || !(2..=1 << 20).contains(&n)
        || doc.kdf.params.r > 32
        || doc.kdf.params.p > 16
    {
        return Err(format!(
            "scrypt parameters N={n} r={} p={} are outside the accepted range",
            doc.kdf.params.r, doc.kdf.params.p
        ));
    }
    let params = ScryptParams {
        log_n: n.trailing_zeros() as u8,
        r: doc.kdf.params.r,
        p: doc.kdf.params.p,
    };
    let salt = STANDARD
        .decode(&doc.kdf.salt)
        .map_err(|e| format!("salt is not base64: {e}"))?;
    let nonce: [u8; 24] = STANDARD
        .decode(&doc.cipher.nonce)
        .map_err(|e| format!("nonce is not base64: {e}"))?
        .try_into()
        .map_err(|_| "nonce is not 24 bytes".to_string())?;
    let ciphertext = STANDARD
        .decode(&doc.ciphertext)
        .map_err(|e| format!("ciphertext is not base64: {e}"))?;
    let key = derive(password, &salt, params)?;
    let cipher = crypto_secretbox::XSalsa20Poly1305::new(&key.into());
    cipher
        .decrypt((&nonce).into(), ciphertext.as_slice())
        .map_err(|_| "wrong password (or corrupt key): decryption failed".to_string())
}

/// The base64 of a signature, as cosign puts it in the layer annotation.
pub fn encode_signature(sig: &[u8]) -> String {
    STANDARD.encode(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A key made by `cosign generate-key-pair` with an empty password, its public key, and a
    // `cosign sign-blob` signature over MESSAGE: published as test data in
    // edgelesssys/constellation (cli/internal/cmd/configfetchmeasurements_test.go).
    const COSIGN_KEY: &str = "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----
eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
OCwicCI6MX0sInNhbHQiOiJlRHVYMWRQMGtIWVRnK0xkbjcxM0tjbFVJaU92eFVX
VXgvNi9BbitFVk5BPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
Iiwibm9uY2UiOiJwaWhLL2txNmFXa2hqSVVHR3RVUzhTVkdHTDNIWWp4TCJ9LCJj
aXBoZXJ0ZXh0Ijoidm81SHVWRVFWcUZ2WFlQTTVPaTVaWHM5a255bndZU2dvcyth
VklIeHcrOGFPamNZNEtvVjVmL3lHRHR0K3BHV2toanJPR1FLOWdBbmtsazFpQ0c5
a2czUXpPQTZsU2JRaHgvZlowRVRZQ0hLeElncEdPRVRyTDlDenZDemhPZXVSOXJ6
TDcvRjBBVy9vUDVqZXR3dmJMNmQxOEhjck9kWE8yVmYxY2w0YzNLZjVRcnFSZzlN
dlRxQWFsNXJCNHNpY1JaMVhpUUJjb0YwNHc9PSJ9
-----END ENCRYPTED COSIGN PRIVATE KEY-----
";
    const COSIGN_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEu78QgxOOcao6U91CSzEXxrKhvFTt
JHNy+eX6EMePtDm8CnDF9HSwnTlD0itGJ/XHPQA5YX10fJAqI1y+ehlFMw==
-----END PUBLIC KEY-----
";
    const MESSAGE: &str = "{\n\t\"csp\": \"gcp\",\n\t\"image\": \"v999.999.999\",\n\t\"measurements\": {\n\t\t\"0\": \"0000000000000000000000000000000000000000000000000000000000000000\",\n\t\t\"1\": \"1111111111111111111111111111111111111111111111111111111111111111\",\n\t\t\"2\": \"2222222222222222222222222222222222222222222222222222222222222222\",\n\t\t\"3\": \"3333333333333333333333333333333333333333333333333333333333333333\",\n\t\t\"4\": \"4444444444444444444444444444444444444444444444444444444444444444\",\n\t\t\"5\": \"5555555555555555555555555555555555555555555555555555555555555555\",\n\t\t\"6\": \"6666666666666666666666666666666666666666666666666666666666666666\"\n\t}\n}\n";
    const SIGNATURE: &str = "MEYCIQDRAQNK2NjHJBGrnw3HQAyBsXMCmVCptBdgA6VZ3IlyiAIhAPG42waF1aFZq7dnjP3b2jsMNUtaKYDQQSazW1AX8jgF";

    #[test]
    fn decrypts_a_key_written_by_cosign() {
        let key = PrivateKey::from_pem(COSIGN_KEY, Some(b""), "cosign.key").unwrap();
        let public = PublicKey::from_pem(COSIGN_PUB, "cosign.pub").unwrap();
        assert_eq!(key.public_key().to_spki_der(), public.to_spki_der());
        assert_eq!(public.algorithm(), "ecdsa-p256");
        let sig = STANDARD.decode(SIGNATURE).unwrap();
        assert!(public.verify(MESSAGE.as_bytes(), &sig));
        assert!(!public.verify(b"another message", &sig));
        // Our signature over the same message verifies with cosign's public key.
        assert!(public.verify(MESSAGE.as_bytes(), &key.sign(MESSAGE.as_bytes())));
        let e = PrivateKey::from_pem(COSIGN_KEY, Some(b"not-the-password"), "cosign.key")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "cosign.key: wrong password (or corrupt key): decryption failed"
        );
        let e = PrivateKey::from_pem(COSIGN_KEY, None, "cosign.key")
            .unwrap_err()
            .to_string();
        assert!(e.contains("COSIGN_PASSWORD"), "{e}");
    }

    #[test]
    fn encrypted_format_round_trips_with_known_parameters() {
        let params = ScryptParams {
            log_n: 10,
            r: 8,
            p: 1,
        };
        let salt = [7u8; 32];
        let nonce = [9u8; 24];
        let json = encrypt(b"secret bytes", b"pw", params, &salt, &nonce).unwrap();
        let text = std::str::from_utf8(&json).unwrap();
        // Field names and order as go-securesystemslib writes them.
        assert!(
            text.starts_with(
                r#"{"kdf":{"name":"scrypt","params":{"N":1024,"r":8,"p":1},"salt":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=""#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#""cipher":{"name":"nacl/secretbox","nonce":"CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJ"}"#
        ));
        // secretbox output is the plaintext plus a 16-byte tag.
        let doc: Encrypted = serde_json::from_slice(&json).unwrap();
        assert_eq!(STANDARD.decode(doc.ciphertext).unwrap().len(), 12 + 16);
        assert_eq!(decrypt(&json, b"pw").unwrap(), b"secret bytes");
        assert!(decrypt(&json, b"wrong").is_err());
        // Deterministic given salt and nonce.
        assert_eq!(
            encrypt(b"secret bytes", b"pw", params, &salt, &nonce).unwrap(),
            json
        );
    }

    #[test]
    fn encrypted_key_file_round_trips() {
        let key = PrivateKey::generate_p256().unwrap();
        let pem = key
            .to_encrypted_pem(
                b"hunter2",
                ScryptParams {
                    log_n: 10,
                    r: 8,
                    p: 1,
                },
            )
            .unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let back = PrivateKey::from_pem(&pem, Some(b"hunter2"), "k").unwrap();
        assert_eq!(back.to_pkcs8_der(), key.to_pkcs8_der());
    }

    #[test]
    fn rejects_hostile_scrypt_parameters() {
        let json = br#"{"kdf":{"name":"scrypt","params":{"N":1073741824,"r":8,"p":1},"salt":""},"cipher":{"name":"nacl/secretbox","nonce":""},"ciphertext":""}"#;
        let e = decrypt(json, b"").unwrap_err();
        assert!(e.contains("outside the accepted range"), "{e}");
    }

    #[test]
    fn signs_and_verifies_each_algorithm() {
        let p384 = p384::ecdsa::SigningKey::from_slice(&[3u8; 48]).unwrap();
        let ed = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
        let keys = [
            PrivateKey::generate_p256().unwrap(),
            PrivateKey {
                key: PrivateKeyKind::P384(p384),
            },
            PrivateKey {
                key: PrivateKeyKind::Ed25519(Box::new(ed)),
            },
        ];
        for key in &keys {
            let pem = key.to_pkcs8_pem();
            let back = PrivateKey::from_pem(&pem, None, "k").unwrap();
            let public = PublicKey::from_pem(&back.public_key().to_pem(), "p").unwrap();
            let sig = back.sign(b"payload");
            assert!(public.verify(b"payload", &sig), "{}", public.algorithm());
            assert!(!public.verify(b"payloae", &sig), "{}", public.algorithm());
            for other in &keys {
                if other.to_pkcs8_der() != key.to_pkcs8_der() {
                    assert!(!other.public_key().verify(b"payload", &sig));
                }
            }
        }
        assert_eq!(keys[1].public_key().algorithm(), "ecdsa-p384");
        assert_eq!(keys[2].public_key().algorithm(), "ed25519");
    }

    #[test]
    fn reads_sec1_keys_and_reports_bad_files() {
        let sk = p256::SecretKey::from_slice(&[1u8; 32]).unwrap();
        let sec1 = sk.to_sec1_pem(pkcs8::LineEnding::LF).unwrap();
        let key = PrivateKey::from_pem(&sec1, None, "ec.pem").unwrap();
        assert_eq!(key.public_key().algorithm(), "ecdsa-p256");
        let e = PublicKey::from_pem("hello", "x.pub")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.pub: not a PEM public key"), "{e}");
        let e = PublicKey::from_pem(&key.to_pkcs8_pem(), "x.pub")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "x.pub: PEM block is \"PRIVATE KEY\", expected PUBLIC KEY"
        );
    }
}
