//! Sigstore trust material and Rekor transparency-log proofs, verified offline.
//!
//! A [`TrustedRoot`] is read from Sigstore's `trusted_root.json` (what `cosign` and the
//! Sigstore clients get through TUF) or from a PEM file holding the Fulcio CA certificates
//! (`CERTIFICATE` blocks) and the Rekor public keys (`PUBLIC KEY` blocks).
//!
//! A [`TlogEntry`] is a Rekor entry as carried by a Sigstore bundle (`tlogEntries`) or by
//! cosign's `dev.sigstore.cosign/bundle` annotation. [`verify_entry`] checks, with the log's
//! key only and no network:
//! - the signed entry timestamp (SET): Rekor's signature over the canonical JSON of the
//!   entry's body, integrated time, log ID and index; the integrated time it covers is the
//!   only time a keyless signature is judged at;
//! - the inclusion proof: the RFC 6962 audit path from the entry's leaf hash to the root
//!   hash, and the checkpoint (a signed note) that commits the log to that root and size.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::keys::PublicKey;

/// A validity window in seconds since the epoch; open ends are unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Not before.
    pub start: Option<i64>,
    /// Not after.
    pub end: Option<i64>,
}

impl Window {
    /// Whether `t` falls in the window.
    pub fn contains(&self, t: i64) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }
}

/// A certificate authority (Fulcio): its certificates, leaf-most first, all trusted.
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    /// DER certificates (intermediates, then the root).
    pub certificates: Vec<Vec<u8>>,
    /// When it issued certificates.
    pub valid: Window,
}

/// A transparency log (Rekor) and its key.
#[derive(Debug, Clone)]
pub struct TransparencyLog {
    /// The log's public key.
    pub key: PublicKey,
    /// SHA-256 of the key's DER SubjectPublicKeyInfo: the `logID` entries name.
    pub log_id: Vec<u8>,
    /// When the key signed.
    pub valid: Window,
}

/// Fulcio CAs and Rekor keys to verify keyless signatures with.
#[derive(Debug, Clone, Default)]
pub struct TrustedRoot {
    /// Certificate authorities.
    pub authorities: Vec<CertificateAuthority>,
    /// Transparency logs.
    pub logs: Vec<TransparencyLog>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RootJson {
    #[serde(default)]
    tlogs: Vec<TlogJson>,
    #[serde(default)]
    certificate_authorities: Vec<CaJson>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TlogJson {
    public_key: PublicKeyJson,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicKeyJson {
    raw_bytes: String,
    #[serde(default)]
    valid_for: Option<ValidForJson>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaJson {
    cert_chain: CertChainJson,
    #[serde(default)]
    valid_for: Option<ValidForJson>,
}

#[derive(serde::Deserialize)]
struct CertChainJson {
    certificates: Vec<RawBytesJson>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawBytesJson {
    raw_bytes: String,
}

#[derive(serde::Deserialize)]
struct ValidForJson {
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
}

fn rfc3339(s: &str) -> Option<i64> {
    let t = humantime::parse_rfc3339_weak(s).ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(d.as_secs() as i64)
}

impl TrustedRoot {
    /// Reads a `trusted_root.json` or a PEM file of CA certificates and Rekor keys.
    pub fn from_file(path: &Path) -> Result<TrustedRoot, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let origin = path.display().to_string();
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            TrustedRoot::from_json(&bytes, &origin)
        } else {
            TrustedRoot::from_pem(&String::from_utf8_lossy(&bytes), &origin)
        }
    }

    /// Parses Sigstore's `trusted_root.json` (`certificateAuthorities` and `tlogs`; CT logs
    /// and timestamp authorities are not used).
    pub fn from_json(bytes: &[u8], origin: &str) -> Result<TrustedRoot, Error> {
        let bad = |reason: String| Error::Trust {
            path: origin.to_string(),
            reason,
        };
        let json: RootJson = serde_json::from_slice(bytes)
            .map_err(|e| bad(format!("not a Sigstore trusted root: {e}")))?;
        let window = |v: &Option<ValidForJson>, what: &str| -> Result<Window, Error> {
            let Some(v) = v else {
                return Ok(Window::default());
            };
            let parse = |s: &Option<String>| -> Result<Option<i64>, Error> {
                s.as_deref()
                    .map(|s| rfc3339(s).ok_or_else(|| bad(format!("{what}: bad time {s:?}"))))
                    .transpose()
            };
            Ok(Window {
                start: parse(&v.start)?,
                end: parse(&v.end)?,
            })
        };
        let mut root = TrustedRoot::default();
        for (i, ca) in json.certificate_authorities.iter().enumerate() {
            let what = format!("certificateAuthorities[{i}]");
            let certificates = ca
                .cert_chain
                .certificates
                .iter()
                .map(|c| {
                    STANDARD
                        .decode(&c.raw_bytes)
                        .map_err(|e| bad(format!("{what}: certificate is not base64: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            for der in &certificates {
                x509_parser::parse_x509_certificate(der)
                    .map_err(|e| bad(format!("{what}: bad certificate: {e}")))?;
            }
            root.authorities.push(CertificateAuthority {
                certificates,
                valid: window(&ca.valid_for, &what)?,
            });
        }
        for (i, log) in json.tlogs.iter().enumerate() {
            let what = format!("tlogs[{i}]");
            let der = STANDARD
                .decode(&log.public_key.raw_bytes)
                .map_err(|e| bad(format!("{what}: key is not base64: {e}")))?;
            let key =
                PublicKey::from_spki_der(&der, &what).map_err(|e| bad(format!("{what}: {e}")))?;
            root.logs.push(TransparencyLog {
                key,
                log_id: Sha256::digest(&der).to_vec(),
                valid: window(&log.public_key.valid_for, &what)?,
            });
        }
        if root.authorities.is_empty() && root.logs.is_empty() {
            return Err(bad(
                "no certificate authority and no transparency log".into()
            ));
        }
        Ok(root)
    }

    /// Parses PEM: every `CERTIFICATE` block is a trusted CA certificate (one authority,
    /// valid at any time), every `PUBLIC KEY` block a Rekor key.
    pub fn from_pem(text: &str, origin: &str) -> Result<TrustedRoot, Error> {
        let bad = |reason: String| Error::Trust {
            path: origin.to_string(),
            reason,
        };
        let mut certificates = Vec::new();
        let mut root = TrustedRoot::default();
        for (i, block) in pem_blocks(text).into_iter().enumerate() {
            let (label, der) = pem_rfc7468::decode_vec(block.as_bytes())
                .map_err(|e| bad(format!("PEM block {}: {e}", i + 1)))?;
            match label {
                "CERTIFICATE" => {
                    x509_parser::parse_x509_certificate(&der)
                        .map_err(|e| bad(format!("PEM block {}: bad certificate: {e}", i + 1)))?;
                    certificates.push(der);
                }
                "PUBLIC KEY" => {
                    let key = PublicKey::from_spki_der(&der, &format!("{origin} key {}", i + 1))
                        .map_err(|e| bad(format!("PEM block {}: {e}", i + 1)))?;
                    root.logs.push(TransparencyLog {
                        key,
                        log_id: Sha256::digest(&der).to_vec(),
                        valid: Window::default(),
                    });
                }
                other => {
                    return Err(bad(format!(
                        "PEM block {} is {other:?}: expected CERTIFICATE or PUBLIC KEY",
                        i + 1
                    )));
                }
            }
        }
        if !certificates.is_empty() {
            root.authorities.push(CertificateAuthority {
                certificates,
                valid: Window::default(),
            });
        }
        if root.authorities.is_empty() && root.logs.is_empty() {
            return Err(bad("no CERTIFICATE or PUBLIC KEY block".into()));
        }
        Ok(root)
    }

    /// The log with this ID.
    pub fn log(&self, log_id: &[u8]) -> Option<&TransparencyLog> {
        self.logs.iter().find(|l| l.log_id == log_id)
    }
}

/// The PEM blocks of a text, each from its BEGIN line to its END line.
pub(crate) fn pem_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            current = Some(format!("{line}\n"));
        } else if let Some(c) = current.as_mut() {
            c.push_str(line);
            c.push('\n');
            if line.starts_with("-----END ") {
                out.extend(current.take());
            }
        }
    }
    out
}

/// A Rekor entry with whatever proofs came with it.
#[derive(Debug, Clone)]
pub struct TlogEntry {
    /// The canonicalized entry body (JSON).
    pub body: Vec<u8>,
    /// When the log integrated the entry (seconds since the epoch), as the entry claims.
    pub integrated_time: i64,
    /// The entry's index.
    pub log_index: i64,
    /// SHA-256 of the log's key.
    pub log_id: Vec<u8>,
    /// The signed entry timestamp.
    pub set: Option<Vec<u8>>,
    /// The inclusion proof.
    pub proof: Option<InclusionProof>,
}

/// An RFC 6962 inclusion proof with its checkpoint.
#[derive(Debug, Clone)]
pub struct InclusionProof {
    /// The leaf's index in the tree the proof is for.
    pub log_index: u64,
    /// Size of that tree.
    pub tree_size: u64,
    /// Its root hash.
    pub root_hash: Vec<u8>,
    /// The audit path, leaf to root.
    pub hashes: Vec<Vec<u8>>,
    /// The signed note committing to the root (`origin\nsize\nroot\n\n— name sig\n`).
    pub checkpoint: Option<String>,
}

/// What [`verify_entry`] proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// The integrated time, when the SET that covers it verified.
    pub time: Option<i64>,
    /// Whether an inclusion proof and its checkpoint verified.
    pub included: bool,
    /// The entry's index.
    pub log_index: i64,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BundleTlogJson {
    log_index: serde_json::Value,
    log_id: LogIdJson,
    integrated_time: serde_json::Value,
    #[serde(default)]
    inclusion_promise: Option<PromiseJson>,
    #[serde(default)]
    inclusion_proof: Option<ProofJson>,
    canonicalized_body: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogIdJson {
    key_id: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromiseJson {
    signed_entry_timestamp: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProofJson {
    log_index: serde_json::Value,
    root_hash: String,
    tree_size: serde_json::Value,
    #[serde(default)]
    hashes: Vec<String>,
    #[serde(default)]
    checkpoint: Option<CheckpointJson>,
}

#[derive(serde::Deserialize)]
struct CheckpointJson {
    envelope: String,
}

/// Protobuf JSON writes 64-bit integers as strings; accept both.
fn int(v: &serde_json::Value, what: &str) -> Result<i64, String> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("{what} is not an integer"))
}

fn b64(s: &str, what: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(s.trim())
        .map_err(|e| format!("{what} is not base64: {e}"))
}

impl TlogEntry {
    /// An entry of a Sigstore bundle's `verificationMaterial.tlogEntries`.
    pub fn from_bundle_json(value: &serde_json::Value) -> Result<TlogEntry, String> {
        let j: BundleTlogJson = serde_json::from_value(value.clone())
            .map_err(|e| format!("transparency log entry: {e}"))?;
        let proof = match &j.inclusion_proof {
            Some(p) => Some(InclusionProof {
                log_index: int(&p.log_index, "inclusionProof.logIndex")? as u64,
                tree_size: int(&p.tree_size, "inclusionProof.treeSize")? as u64,
                root_hash: b64(&p.root_hash, "inclusionProof.rootHash")?,
                hashes: p
                    .hashes
                    .iter()
                    .map(|h| b64(h, "inclusionProof.hashes"))
                    .collect::<Result<_, _>>()?,
                checkpoint: p.checkpoint.as_ref().map(|c| c.envelope.clone()),
            }),
            None => None,
        };
        Ok(TlogEntry {
            body: b64(&j.canonicalized_body, "canonicalizedBody")?,
            integrated_time: int(&j.integrated_time, "integratedTime")?,
            log_index: int(&j.log_index, "logIndex")?,
            log_id: b64(&j.log_id.key_id, "logId.keyId")?,
            set: j
                .inclusion_promise
                .as_ref()
                .map(|p| b64(&p.signed_entry_timestamp, "signedEntryTimestamp"))
                .transpose()?,
            proof,
        })
    }

    /// cosign's `dev.sigstore.cosign/bundle` annotation:
    /// `{"SignedEntryTimestamp": b64, "Payload": {"body": b64, "integratedTime": n,
    /// "logIndex": n, "logID": hex}}`.
    pub fn from_cosign_bundle(text: &str) -> Result<TlogEntry, String> {
        #[derive(serde::Deserialize)]
        struct Rekor {
            #[serde(rename = "SignedEntryTimestamp")]
            set: String,
            #[serde(rename = "Payload")]
            payload: Payload,
        }
        #[derive(serde::Deserialize)]
        struct Payload {
            body: String,
            #[serde(rename = "integratedTime")]
            integrated_time: i64,
            #[serde(rename = "logIndex")]
            log_index: i64,
            #[serde(rename = "logID")]
            log_id: String,
        }
        let r: Rekor =
            serde_json::from_str(text).map_err(|e| format!("cosign Rekor bundle: {e}"))?;
        let log_id = hex_decode(&r.payload.log_id).ok_or_else(|| {
            format!(
                "cosign Rekor bundle: logID {:?} is not hex",
                r.payload.log_id
            )
        })?;
        Ok(TlogEntry {
            body: b64(&r.payload.body, "Payload.body")?,
            integrated_time: r.payload.integrated_time,
            log_index: r.payload.log_index,
            log_id,
            set: Some(b64(&r.set, "SignedEntryTimestamp")?),
            proof: None,
        })
    }

    /// The bytes Rekor signs as the SET: the RFC 8785 canonical JSON of body, integrated
    /// time, log ID (hex) and index (keys in this order, no spaces).
    pub fn set_payload(&self) -> Vec<u8> {
        format!(
            r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
            STANDARD.encode(&self.body),
            self.integrated_time,
            hex(&self.log_id),
            self.log_index
        )
        .into_bytes()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies an entry's SET and inclusion proof with the log's key from `root`. An entry
/// with neither, from an unknown log, or with a proof that does not verify is an error
/// (a sentence for people).
pub fn verify_entry(root: &TrustedRoot, entry: &TlogEntry) -> Result<TlogProof, String> {
    let log = root.log(&entry.log_id).ok_or_else(|| {
        format!(
            "transparency log {} is not in the trusted root",
            hex(&entry.log_id)
        )
    })?;
    if entry.set.is_none() && entry.proof.is_none() {
        return Err(format!(
            "log entry {} has neither a signed entry timestamp nor an inclusion proof",
            entry.log_index
        ));
    }
    let mut proof = TlogProof {
        time: None,
        included: false,
        log_index: entry.log_index,
    };
    if let Some(set) = &entry.set {
        if !log.key.verify(&entry.set_payload(), set) {
            return Err(format!(
                "the signed entry timestamp of log entry {} does not verify with the log's key \
                 (entry or timestamp altered)",
                entry.log_index
            ));
        }
        if !log.valid.contains(entry.integrated_time) {
            return Err(format!(
                "log entry {} was integrated at {} when the log key was not valid",
                entry.log_index,
                format_time(entry.integrated_time)
            ));
        }
        proof.time = Some(entry.integrated_time);
    }
    if let Some(p) = &entry.proof {
        verify_inclusion(log, entry, p)?;
        proof.included = true;
    }
    Ok(proof)
}

/// RFC 6962 leaf hash.
fn leaf_hash(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root an audit path leads to (RFC 9162 section 2.1.3.2), or `None` when the path
/// has the wrong length for the index and size.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    path: &[Vec<u8>],
) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    if path.len() != inner + border || path.iter().any(|h| h.len() != 32) {
        return None;
    }
    let mut hash = leaf;
    for (i, sibling) in path[..inner].iter().enumerate() {
        hash = if (index >> i) & 1 == 0 {
            node_hash(&hash, sibling)
        } else {
            node_hash(sibling, &hash)
        };
    }
    for sibling in &path[inner..] {
        hash = node_hash(sibling, &hash);
    }
    Some(hash)
}

fn verify_inclusion(
    log: &TransparencyLog,
    entry: &TlogEntry,
    p: &InclusionProof,
) -> Result<(), String> {
    let root = root_from_inclusion_proof(
        p.log_index,
        p.tree_size,
        leaf_hash(&entry.body),
        &p.hashes,
    )
    .ok_or_else(|| {
        format!(
            "inclusion proof of log entry {}: {} hashes do not fit index {} in a tree of {}",
            entry.log_index,
            p.hashes.len(),
            p.log_index,
            p.tree_size
        )
    })?;
    if root.as_slice() != p.root_hash {
        return Err(format!(
            "inclusion proof of log entry {} leads to root {}, not the proof's {} (entry altered)",
            entry.log_index,
            hex(&root),
            hex(&p.root_hash)
        ));
    }
    let Some(note) = &p.checkpoint else {
        return Err(format!(
            "inclusion proof of log entry {} has no checkpoint to commit the log to its root",
            entry.log_index
        ));
    };
    verify_checkpoint(log, note, p.tree_size, &p.root_hash)
        .map_err(|e| format!("checkpoint of log entry {}: {e}", entry.log_index))
}

/// Verifies a checkpoint (C2SP signed note) with the log's key and checks that it names
/// `size` and `root`.
pub fn verify_checkpoint(
    log: &TransparencyLog,
    note: &str,
    size: u64,
    root: &[u8],
) -> Result<(), String> {
    let split = note
        .find("\n\n")
        .ok_or("not a signed note (no blank line before the signatures)")?;
    let text = &note[..split + 1];
    let mut lines = text.lines();
    let _origin = lines.next().ok_or("empty note")?;
    let note_size: u64 = lines
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or("second line is not a tree size")?;
    let note_root = lines
        .next()
        .and_then(|l| STANDARD.decode(l).ok())
        .ok_or("third line is not a base64 root hash")?;
    if note_size != size || note_root != root {
        return Err(format!(
            "it commits to size {note_size} and root {}, the proof to size {size} and root {}",
            hex(&note_root),
            hex(root)
        ));
    }
    let hint = log.log_id.get(..4).unwrap_or_default();
    for line in note[split + 2..].lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            continue;
        };
        let Some((_, sig)) = rest.rsplit_once(' ') else {
            continue;
        };
        let Ok(sig) = STANDARD.decode(sig) else {
            continue;
        };
        if sig.len() > 4 && &sig[..4] == hint && log.key.verify(text.as_bytes(), &sig[4..]) {
            return Ok(());
        }
    }
    Err("no signature by the log's key verifies".into())
}

/// `2024-06-10T19:47:25Z`.
pub fn format_time(t: i64) -> String {
    match u64::try_from(t) {
        Ok(s) => humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(s),
        )
        .to_string(),
        Err(_) => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_paths_of_a_small_tree() {
        // A tree of 5 leaves: check every index against the root computed directly.
        let leaves: Vec<[u8; 32]> = (0u8..5).map(|i| leaf_hash(&[i])).collect();
        let h01 = node_hash(&leaves[0], &leaves[1]);
        let h23 = node_hash(&leaves[2], &leaves[3]);
        let h0123 = node_hash(&h01, &h23);
        let root = node_hash(&h0123, &leaves[4]);
        let paths: [Vec<[u8; 32]>; 5] = [
            vec![leaves[1], h23, leaves[4]],
            vec![leaves[0], h23, leaves[4]],
            vec![leaves[3], h01, leaves[4]],
            vec![leaves[2], h01, leaves[4]],
            vec![h0123],
        ];
        for (i, path) in paths.iter().enumerate() {
            let path: Vec<Vec<u8>> = path.iter().map(|h| h.to_vec()).collect();
            assert_eq!(
                root_from_inclusion_proof(i as u64, 5, leaves[i], &path),
                Some(root),
                "leaf {i}"
            );
        }
        // The wrong leaf, a wrong length, an index outside the tree.
        let path: Vec<Vec<u8>> = paths[0].iter().map(|h| h.to_vec()).collect();
        assert_ne!(
            root_from_inclusion_proof(0, 5, leaves[2], &path),
            Some(root)
        );
        assert_eq!(root_from_inclusion_proof(0, 5, leaves[0], &path[..2]), None);
        assert_eq!(root_from_inclusion_proof(5, 5, leaves[0], &path), None);
    }

    #[test]
    fn set_payload_is_canonical_json() {
        let e = TlogEntry {
            body: b"{}".to_vec(),
            integrated_time: 1718048845,
            log_index: 7,
            log_id: vec![0xab, 0x01],
            set: None,
            proof: None,
        };
        assert_eq!(
            String::from_utf8(e.set_payload()).unwrap(),
            r#"{"body":"e30=","integratedTime":1718048845,"logID":"ab01","logIndex":7}"#
        );
        assert_eq!(hex_decode("ab01"), Some(vec![0xab, 0x01]));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(format_time(1718048845), "2024-06-10T19:47:25Z");
    }
}
