//! Who signed: a key, or a Fulcio certificate (keyless).
//!
//! A keyless signature is accepted when, in this order:
//! 1. it verifies with the public key of the certificate that came with it;
//! 2. a Rekor entry for it is in a log of the trusted root: its signed entry timestamp
//!    (SET) verifies with the log's key, its inclusion proof and checkpoint too when present,
//!    and its body names this signature, this certificate and this payload's hash;
//! 3. the certificate chains to a Fulcio CA of the trusted root that was valid at the time
//!    the SET proves (the certificate's own validity included: Fulcio certificates live ten
//!    minutes, so a signature is judged at the time it was logged, never at "now");
//! 4. its OIDC issuer (extension 1.3.6.1.4.1.57264.1.8, else .1.1) and one of its subject
//!    alternative names (email, URI, DNS) match one of the configured identities.
//!
//! Key signatures may carry a Rekor entry too; with a trusted root given, it must verify.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use crate::cosign::{Reason, Require, dsse_pae};
use crate::keys::PublicKey;
use crate::sigstore::{TlogEntry, TrustedRoot, Window, format_time, hex, verify_entry};

/// OIDC issuer, raw string (Fulcio's first version of the extension).
pub const OID_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
/// OIDC issuer, DER UTF8String.
pub const OID_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";

/// How a certificate's subject alternative name must look.
#[derive(Debug, Clone)]
pub enum SubjectMatch {
    /// Exactly this string.
    Exact(String),
    /// The whole name matches this regular expression (anchored at both ends).
    Regex(regex::Regex),
}

/// An accepted signer identity: subject and OIDC issuer.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The subject alternative name.
    pub subject: SubjectMatch,
    /// The OIDC issuer, exactly.
    pub issuer: String,
}

impl Identity {
    /// A subject given exactly.
    pub fn exact(subject: &str, issuer: &str) -> Identity {
        Identity {
            subject: SubjectMatch::Exact(subject.to_string()),
            issuer: issuer.to_string(),
        }
    }

    /// A subject given as a regular expression; it must match the whole name (unlike
    /// cosign's `--certificate-identity-regexp`, which matches anywhere in it).
    pub fn regex(pattern: &str, issuer: &str) -> Result<Identity, String> {
        let re = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| format!("identity regexp {pattern:?}: {e}"))?;
        Ok(Identity {
            subject: SubjectMatch::Regex(re),
            issuer: issuer.to_string(),
        })
    }

    /// `subject (issuer)` as reports name it.
    pub fn label(&self) -> String {
        let subject = match &self.subject {
            SubjectMatch::Exact(s) => s.clone(),
            SubjectMatch::Regex(r) => format!(
                "~{}",
                r.as_str().trim_start_matches("^(?:").trim_end_matches(")$")
            ),
        };
        format!("{subject} ({})", self.issuer)
    }

    fn matches_subject(&self, names: &[String]) -> bool {
        names.iter().any(|n| match &self.subject {
            SubjectMatch::Exact(s) => n == s,
            SubjectMatch::Regex(r) => r.is_match(n),
        })
    }
}

/// Who may have signed: keys, keyless identities, and the trusted root that anchors
/// keyless certificates and Rekor entries.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Public keys.
    pub keys: Vec<PublicKey>,
    /// Keyless identities (need `root`).
    pub identities: Vec<Identity>,
    /// Fulcio CAs and Rekor keys.
    pub root: Option<Arc<TrustedRoot>>,
    /// Any or all of the signers (keys and identities together).
    pub require: Require,
}

impl Trust {
    /// Keys only.
    pub fn keys(keys: Vec<PublicKey>, require: Require) -> Trust {
        Trust {
            keys,
            require,
            ..Trust::default()
        }
    }

    /// Every signer's name: key names, then identity labels.
    pub fn signers(&self) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| k.name.clone())
            .chain(self.identities.iter().map(Identity::label))
            .collect()
    }
}

/// A signer established for one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The key's name or the identity's label (as in [`Trust::signers`]).
    pub name: String,
    /// What was proven, for people.
    pub detail: String,
}

/// Why a signature does not count, with a sentence for people.
pub type Failure = (Reason, String);

/// One signature and what came with it.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The bytes signed (a payload, a DSSE PAE, a manifest).
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
    /// Hex SHA-256 a Rekor entry must name: of the message (hashedrekord) or of the DSSE
    /// payload (dsse).
    pub logged_hash: &'a str,
    /// The Fulcio certificate (DER), for keyless signatures.
    pub certificate: Option<&'a [u8]>,
    /// Rekor entries.
    pub tlog: &'a [TlogEntry],
}

/// A parsed leaf certificate.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Email, URI and DNS subject alternative names.
    pub names: Vec<String>,
    /// The OIDC issuer extension.
    pub issuer: Option<String>,
    /// notBefore..notAfter.
    pub valid: Window,
    /// The certified key.
    pub key: PublicKey,
}

/// Reads a leaf certificate's names, issuer, validity and key.
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| format!("the signing certificate does not parse: {e}"))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::RFC822Name(s) | GeneralName::URI(s) | GeneralName::DNSName(s) => {
                    names.push(s.to_string())
                }
                _ => {}
            }
        }
    }
    let mut issuer_v1 = None;
    let mut issuer_v2 = None;
    for ext in cert.extensions() {
        match ext.oid.to_id_string().as_str() {
            OID_ISSUER_V1 => issuer_v1 = std::str::from_utf8(ext.value).ok().map(String::from),
            OID_ISSUER_V2 => issuer_v2 = der_utf8(ext.value),
            _ => {}
        }
    }
    let key = PublicKey::from_spki_der(cert.public_key().raw, "certificate")
        .map_err(|e| format!("the signing certificate's key: {e}"))?;
    Ok(Certificate {
        names,
        issuer: issuer_v2.or(issuer_v1),
        valid: Window {
            start: Some(cert.validity().not_before.timestamp()),
            end: Some(cert.validity().not_after.timestamp()),
        },
        key,
    })
}

/// A DER UTF8String's text.
fn der_utf8(v: &[u8]) -> Option<String> {
    let (&tag, rest) = v.split_first()?;
    if tag != 0x0c {
        return None;
    }
    let (&len, rest) = rest.split_first()?;
    let (len, rest) = if len < 0x80 {
        (len as usize, rest)
    } else {
        let n = (len & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    std::str::from_utf8(rest.get(..len)?).ok().map(String::from)
}

/// Whether `issuer`'s key made `cert`'s signature.
fn signed_by(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> bool {
    let Ok(key) = PublicKey::from_spki_der(issuer.public_key().raw, "issuer") else {
        return false;
    };
    let tbs = cert.tbs_certificate.as_ref();
    let sig = &cert.signature_value.data;
    match cert.signature_algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.10045.4.3.2" => key.verify_prehash(&Sha256::digest(tbs), sig),
        "1.2.840.10045.4.3.3" => key.verify_prehash(&Sha384::digest(tbs), sig),
        "1.2.840.10045.4.3.4" => key.verify_prehash(&Sha512::digest(tbs), sig),
        "1.3.101.112" => key.verify_ed25519(tbs, sig),
        _ => false,
    }
}

fn is_ca(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

fn valid_at(cert: &X509Certificate<'_>, t: i64) -> bool {
    let v = cert.validity();
    v.not_before.timestamp() <= t && t <= v.not_after.timestamp()
}

/// Checks that `leaf` was issued by a CA of `root` and that the CA certificates up from its
/// issuer were valid at `time`. Returns the issuing certificate's subject.
pub fn verify_chain(root: &TrustedRoot, leaf: &[u8], time: i64) -> Result<String, String> {
    let (_, leaf) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| format!("the signing certificate does not parse: {e}"))?;
    if !matches!(leaf.extended_key_usage(), Ok(Some(eku)) if eku.value.code_signing) {
        return Err("the signing certificate is not for code signing (extended key usage)".into());
    }
    let mut near_miss = None;
    for ca in &root.authorities {
        let parsed: Vec<X509Certificate<'_>> = ca
            .certificates
            .iter()
            .filter_map(|d| x509_parser::parse_x509_certificate(d).ok().map(|(_, c)| c))
            .collect();
        for (i, issuer) in parsed.iter().enumerate() {
            if issuer.subject().as_raw() != leaf.issuer().as_raw() || !signed_by(&leaf, issuer) {
                continue;
            }
            let chain = &parsed[i..];
            let bad = chain
                .iter()
                .find(|c| !is_ca(c) || !valid_at(c, time))
                .map(|c| c.subject().to_string());
            match bad {
                None if ca.valid.contains(time) => return Ok(issuer.subject().to_string()),
                None => {
                    near_miss = Some(format!(
                        "the CA {} was not issuing certificates at {}",
                        issuer.subject(),
                        format_time(time)
                    ))
                }
                Some(subject) => {
                    near_miss = Some(format!(
                        "the CA certificate {subject} is not a CA valid at {}",
                        format_time(time)
                    ))
                }
            }
        }
    }
    Err(near_miss.unwrap_or_else(|| {
        format!(
            "the signing certificate (issuer {}) does not chain to a certificate authority of \
             the trusted root",
            leaf.issuer()
        )
    }))
}

/// Checks that a Rekor entry body is about this signature: its hash, its signature bytes
/// and the signer's certificate or key (`signer`: certificate DER or SubjectPublicKeyInfo
/// DER). hashedrekord and dsse entries are understood.
pub fn entry_names(body: &[u8], ev: &Evidence<'_>, signer: &[u8]) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("log entry body is not JSON: {e}"))?;
    let kind = v["kind"].as_str().unwrap_or_default();
    let spec = &v["spec"];
    let decoded = |v: &serde_json::Value| v.as_str().and_then(|s| STANDARD.decode(s).ok());
    let same_signer = |v: &serde_json::Value| {
        decoded(v)
            .is_some_and(|pem| pem_der(&String::from_utf8_lossy(&pem)).is_some_and(|d| d == signer))
    };
    let (hash, signed) = match kind {
        "hashedrekord" => (
            spec["data"]["hash"]["value"].as_str(),
            decoded(&spec["signature"]["content"]).as_deref() == Some(ev.signature)
                && same_signer(&spec["signature"]["publicKey"]["content"]),
        ),
        "dsse" => (
            spec["payloadHash"]["value"].as_str(),
            spec["signatures"].as_array().is_some_and(|sigs| {
                sigs.iter().any(|s| {
                    decoded(&s["signature"]).as_deref() == Some(ev.signature)
                        && same_signer(&s["verifier"])
                })
            }),
        ),
        other => {
            return Err(format!(
                "log entry kind {other:?} is not understood (hashedrekord and dsse are)"
            ));
        }
    };
    if hash != Some(ev.logged_hash) {
        return Err(format!(
            "the {kind} log entry names hash {}, not the signed content's {}",
            hash.unwrap_or("(none)"),
            ev.logged_hash
        ));
    }
    if !signed {
        return Err(format!(
            "the {kind} log entry is for another signature or signer"
        ));
    }
    Ok(())
}

/// The DER of the first PEM block of a text.
fn pem_der(text: &str) -> Option<Vec<u8>> {
    let block = crate::sigstore::pem_blocks(text).into_iter().next()?;
    pem_rfc7468::decode_vec(block.as_bytes())
        .ok()
        .map(|(_, d)| d)
}

/// Establishes who made a signature: a key of `trust`, or a certificate whose chain,
/// Rekor entry and identity satisfy it.
pub fn identify(trust: &Trust, ev: &Evidence<'_>) -> Result<Signer, Failure> {
    if let Some(key) = trust
        .keys
        .iter()
        .find(|k| k.verify(ev.message, ev.signature))
    {
        let mut detail = format!("signed by {}", key.name);
        if let Some(root) = &trust.root {
            for entry in ev.tlog {
                let proof = verify_entry(root, entry)
                    .and_then(|p| entry_names(&entry.body, ev, &key.to_spki_der()).map(|()| p))
                    .map_err(|e| (Reason::InvalidTlog, e))?;
                detail.push_str(&format!(
                    ", in the transparency log at index {}{}",
                    proof.log_index,
                    proof
                        .time
                        .map(|t| format!(" ({})", format_time(t)))
                        .unwrap_or_default()
                ));
            }
        }
        return Ok(Signer {
            name: key.name.clone(),
            detail,
        });
    }
    let (Some(der), false, Some(root)) = (ev.certificate, trust.identities.is_empty(), &trust.root)
    else {
        let what = if ev.certificate.is_some() && trust.identities.is_empty() {
            " (a keyless signature: give identities and a trusted root to accept it)"
        } else {
            ""
        };
        return Err((
            Reason::WrongKey,
            format!("signature does not verify with any given key{what}"),
        ));
    };
    let cert = parse_certificate(der).map_err(|e| (Reason::UntrustedCertificate, e))?;
    if !cert.key.verify(ev.message, ev.signature) {
        return Err((
            Reason::WrongKey,
            "signature does not verify with its certificate's key (content changed after signing)"
                .into(),
        ));
    }
    if ev.tlog.is_empty() {
        return Err((
            Reason::NoTlog,
            "no transparency-log entry: a keyless signature needs Rekor's proof of when it was made"
                .into(),
        ));
    }
    let mut time = None;
    let mut included = false;
    for entry in ev.tlog {
        let proof = verify_entry(root, entry)
            .and_then(|p| entry_names(&entry.body, ev, der).map(|()| p))
            .map_err(|e| (Reason::InvalidTlog, e))?;
        time = time.or(proof.time);
        included |= proof.included;
    }
    let Some(time) = time else {
        return Err((
            Reason::NoTlog,
            "no signed entry timestamp: the time the signature was logged is not proven".into(),
        ));
    };
    let ca = verify_chain(root, der, time).map_err(|e| (Reason::UntrustedCertificate, e))?;
    if !cert.valid.contains(time) {
        return Err((
            Reason::CertificateExpired,
            format!(
                "the certificate was valid from {} to {}, the signature was logged at {}",
                cert.valid.start.map_or("?".into(), format_time),
                cert.valid.end.map_or("?".into(), format_time),
                format_time(time)
            ),
        ));
    }
    let issuer = cert.issuer.clone().unwrap_or_default();
    if let Some(id) = trust
        .identities
        .iter()
        .find(|id| id.issuer == issuer && id.matches_subject(&cert.names))
    {
        return Ok(Signer {
            name: id.label(),
            detail: format!(
                "signed by {} (issuer {issuer}), certificate from {ca}, logged at {}{}",
                cert.names.join(", "),
                format_time(time),
                if included {
                    " with inclusion proof"
                } else {
                    ""
                }
            ),
        });
    }
    let subject_ok = trust
        .identities
        .iter()
        .any(|id| id.matches_subject(&cert.names));
    Err(if subject_ok {
        (
            Reason::WrongIssuer,
            format!(
                "the certificate of {} was issued for OIDC issuer {:?}, not {}",
                cert.names.join(", "),
                issuer,
                trust
                    .identities
                    .iter()
                    .map(|i| format!("{:?}", i.issuer))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        )
    } else {
        (
            Reason::WrongIdentity,
            format!(
                "the certificate names {} (issuer {issuer}), which matches none of {}",
                if cert.names.is_empty() {
                    "no subject".to_string()
                } else {
                    cert.names.join(", ")
                },
                trust
                    .identities
                    .iter()
                    .map(Identity::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// A Sigstore bundle (v0.1 to v0.3): the signed content and its verification material.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The DSSE envelope: payload type, payload, signatures.
    pub dsse: Option<(String, Vec<u8>, Vec<Vec<u8>>)>,
    /// A message signature: digest algorithm, digest, signature.
    pub message: Option<(String, Vec<u8>, Vec<u8>)>,
    /// The leaf certificate (DER), when keyless.
    pub certificate: Option<Vec<u8>>,
    /// Rekor entries.
    pub tlog: Vec<TlogEntry>,
}

impl Bundle {
    /// Parses a bundle's JSON.
    pub fn parse(bytes: &[u8]) -> Result<Bundle, String> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("not a Sigstore bundle: {e}"))?;
        let b64 = |v: &serde_json::Value, what: &str| -> Result<Vec<u8>, String> {
            v.as_str()
                .and_then(|s| STANDARD.decode(s).ok())
                .ok_or_else(|| format!("{what} is missing or not base64"))
        };
        let vm = &v["verificationMaterial"];
        let certificate = if !vm["certificate"].is_null() {
            Some(b64(&vm["certificate"]["rawBytes"], "certificate.rawBytes")?)
        } else if let Some(first) = vm["x509CertificateChain"]["certificates"]
            .as_array()
            .and_then(|c| c.first())
        {
            Some(b64(
                &first["rawBytes"],
                "x509CertificateChain.certificates[0]",
            )?)
        } else {
            None
        };
        let tlog = vm["tlogEntries"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(TlogEntry::from_bundle_json)
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let dsse = match v.get("dsseEnvelope") {
            Some(env) => {
                let sigs = env["signatures"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .map(|s| b64(&s["sig"], "dsseEnvelope.signatures[].sig"))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?
                    .unwrap_or_default();
                Some((
                    env["payloadType"].as_str().unwrap_or_default().to_string(),
                    b64(&env["payload"], "dsseEnvelope.payload")?,
                    sigs,
                ))
            }
            None => None,
        };
        let message = match v.get("messageSignature") {
            Some(ms) => Some((
                ms["messageDigest"]["algorithm"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                b64(&ms["messageDigest"]["digest"], "messageDigest.digest")?,
                b64(&ms["signature"], "messageSignature.signature")?,
            )),
            None => None,
        };
        if dsse.is_none() && message.is_none() {
            return Err("the bundle has neither dsseEnvelope nor messageSignature".into());
        }
        Ok(Bundle {
            dsse,
            message,
            certificate,
            tlog,
        })
    }

    /// Who signed the bundle. `artifact`: the signed bytes of a message signature (the
    /// image manifest); unused for DSSE, whose payload is in the bundle.
    pub fn identify(&self, trust: &Trust, artifact: Option<&[u8]>) -> Result<Signer, Failure> {
        if let Some((payload_type, payload, sigs)) = &self.dsse {
            let pae = dsse_pae(payload_type, payload);
            let logged = hex(&Sha256::digest(payload));
            let mut last = (
                Reason::WrongKey,
                "the DSSE envelope has no signature".to_string(),
            );
            for sig in sigs {
                match identify(
                    trust,
                    &Evidence {
                        message: &pae,
                        signature: sig,
                        logged_hash: &logged,
                        certificate: self.certificate.as_deref(),
                        tlog: &self.tlog,
                    },
                ) {
                    Ok(s) => return Ok(s),
                    Err(e) => last = e,
                }
            }
            return Err(last);
        }
        let Some((_, digest, sig)) = &self.message else {
            return Err((Reason::InvalidPayload, "nothing signed".into()));
        };
        let Some(artifact) = artifact else {
            return Err((
                Reason::InvalidPayload,
                "a message signature needs the signed artifact".into(),
            ));
        };
        let hash = Sha256::digest(artifact);
        if hash.as_slice() != digest.as_slice() {
            return Err((
                Reason::DigestMismatch,
                "the bundle signs another message digest than the artifact's".into(),
            ));
        }
        identify(
            trust,
            &Evidence {
                message: artifact,
                signature: sig,
                logged_hash: &hex(&hash),
                certificate: self.certificate.as_deref(),
                tlog: &self.tlog,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_and_der_strings() {
        let id = Identity::regex("https://github.com/acme/.*", "https://issuer").unwrap();
        assert!(id.matches_subject(&["https://github.com/acme/app".into()]));
        // Anchored: a prefix elsewhere does not match.
        assert!(!id.matches_subject(&["https://evil.example/https://github.com/acme/x".into()]));
        assert_eq!(id.label(), "~https://github.com/acme/.* (https://issuer)");
        assert!(Identity::regex("(", "i").is_err());
        assert_eq!(der_utf8(b"\x0c\x03abc"), Some("abc".into()));
        assert_eq!(der_utf8(b"\x0c\x81\x03abc"), Some("abc".into()));
        assert_eq!(der_utf8(b"\x13\x03abc"), None);
        assert_eq!(der_utf8(b"\x0c\x05abc"), None);
    }
}
