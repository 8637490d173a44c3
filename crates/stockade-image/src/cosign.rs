//! Cosign signatures.
//!
//! Classic signatures live in the image's repository under the tag `sha256-<hex>.sig`: an OCI
//! manifest whose layers are simple-signing payloads
//! (`application/vnd.dev.cosign.simplesigning.v1+json`), each carrying its base64 signature in
//! the `dev.cosignproject.cosign/signature` annotation. The payload names the image's manifest
//! digest, so a signature copied onto another image does not verify.
//!
//! Sigstore bundles (`application/vnd.dev.sigstore.bundle.v0.3+json`) are found through the OCI
//! referrers API or its `sha256-<hex>` tag fallback; those signed with a key as a DSSE
//! envelope over an in-toto statement naming the image digest are verified.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::keyless::{Bundle, Evidence, Trust, identify};
use crate::keys::{PrivateKey, PublicKey, encode_signature};
use crate::manifest::{Descriptor, ImageManifest, Manifest, OCI_CONFIG, OCI_MANIFEST};
use crate::reference::Reference;
use crate::registry::Client;
use crate::sigstore::TlogEntry;
use crate::{Error, sha256_digest};
use sha2::Digest as _;

/// Media type of a simple-signing payload layer.
pub const SIMPLESIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// Layer annotation holding the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The `critical.type` of a cosign payload.
pub const COSIGN_SIGNATURE_TYPE: &str = "cosign container image signature";
/// Artifact type prefix of Sigstore bundles.
pub const BUNDLE_ARTIFACT_PREFIX: &str = "application/vnd.dev.sigstore.bundle";

/// The simple-signing payload exactly as cosign (go-containerregistry + Go's encoding/json)
/// writes it: fixed key order, no spaces, `<`, `>`, `&` escaped as `\u003c`..., `optional`
/// `null` when there are no annotations, else an object with sorted keys.
pub fn payload(
    docker_reference: &str,
    digest: &str,
    annotations: Option<&BTreeMap<String, String>>,
) -> Vec<u8> {
    let optional = match annotations {
        Some(a) if !a.is_empty() => {
            let mut out = String::from("{");
            for (i, (k, v)) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&go_json_string(k));
                out.push(':');
                out.push_str(&go_json_string(v));
            }
            out.push('}');
            out
        }
        _ => "null".to_string(),
    };
    format!(
        r#"{{"critical":{{"identity":{{"docker-reference":{}}},"image":{{"docker-manifest-digest":{}}},"type":{}}},"optional":{}}}"#,
        go_json_string(docker_reference),
        go_json_string(digest),
        go_json_string(COSIGN_SIGNATURE_TYPE),
        optional
    )
    .into_bytes()
}

/// A JSON string as Go's encoding/json writes it (HTML-safe escaping).
fn go_json_string(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The tag cosign stores an image's signatures under: `sha256-<hex>.sig`.
pub fn signature_tag(digest: &str) -> String {
    format!("{}.sig", digest.replace(':', "-"))
}

/// What [`sign`] did.
#[derive(Debug, Clone, Serialize)]
pub struct SignOutcome {
    /// The signed image, pinned to its digest.
    pub image: String,
    /// The manifest digest that was signed.
    pub digest: String,
    /// The signature manifest's reference (`repo:sha256-<hex>.sig`).
    pub signature_ref: String,
    /// Digest of the signature manifest now under that tag.
    pub signature_manifest: String,
    /// Number of signatures in it.
    pub signatures: usize,
    /// The same payload and signature were already there: nothing was pushed.
    pub already_present: bool,
}

/// Signs `image` as `cosign sign --key` does (without a transparency log upload): resolves
/// the tag to a digest, signs the simple-signing payload and adds it to the
/// `sha256-<hex>.sig` manifest, keeping the signatures already there.
pub fn sign(
    client: &Client,
    image: &Reference,
    key: &PrivateKey,
    annotations: Option<&BTreeMap<String, String>>,
) -> Result<SignOutcome, Error> {
    let digest = client.resolve(image)?;
    let body = payload(&image.cosign_identity(), &digest, annotations);
    let signature = encode_signature(&key.sign(&body));
    attach_signature(client, image, &digest, &body, &signature)
}

/// Adds a payload and its base64 signature to the image's `.sig` manifest, in cosign's
/// layout. Used by [`sign`]; exposed so signatures made elsewhere (openssl, an HSM) can be
/// attached.
pub fn attach_signature(
    client: &Client,
    image: &Reference,
    digest: &str,
    payload: &[u8],
    signature_b64: &str,
) -> Result<SignOutcome, Error> {
    let tag = signature_tag(digest);
    let sig_ref = image.with_tag(&tag);
    let mut layers: Vec<Descriptor> = match client.try_get_manifest(&sig_ref, &tag)? {
        Some(m) => match m.parse()? {
            Manifest::Image(im) => im.layers.clone(),
            Manifest::Index(_) => {
                return Err(Error::BadResponse {
                    what: sig_ref.to_string(),
                    reason: "is an index, not a cosign signature manifest".into(),
                });
            }
        },
        None => Vec::new(),
    };
    let payload_digest = sha256_digest(payload);
    let present = layers.iter().any(|l| {
        l.digest == payload_digest
            && l.annotations.get(SIGNATURE_ANNOTATION).map(String::as_str) == Some(signature_b64)
    });
    if present {
        let existing = client.resolve(&sig_ref)?;
        return Ok(SignOutcome {
            image: image.with_digest(digest).to_string(),
            digest: digest.to_string(),
            signature_ref: sig_ref.to_string(),
            signature_manifest: existing,
            signatures: layers.len(),
            already_present: true,
        });
    }
    client.put_blob(image, payload)?;
    let mut annotations = BTreeMap::new();
    annotations.insert(SIGNATURE_ANNOTATION.to_string(), signature_b64.to_string());
    layers.push(Descriptor {
        media_type: SIMPLESIGNING_MEDIA_TYPE.to_string(),
        size: payload.len() as u64,
        digest: payload_digest,
        annotations,
        platform: None,
        artifact_type: None,
    });
    let config = signature_config(&layers);
    let config_digest = client.put_blob(image, &config)?;
    let manifest = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.to_string()),
        artifact_type: None,
        config: Descriptor {
            media_type: OCI_CONFIG.to_string(),
            size: config.len() as u64,
            digest: config_digest,
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        },
        layers,
        subject: None,
        annotations: BTreeMap::new(),
    };
    let bytes = serde_json::to_vec(&manifest).map_err(|e| Error::Config(e.to_string()))?;
    let manifest_digest = client.put_manifest(image, &tag, &bytes, OCI_MANIFEST)?;
    Ok(SignOutcome {
        image: image.with_digest(digest).to_string(),
        digest: digest.to_string(),
        signature_ref: sig_ref.to_string(),
        signature_manifest: manifest_digest,
        signatures: manifest.layers.len(),
        already_present: false,
    })
}

/// The config blob of a signature manifest: go-containerregistry's empty image with one
/// history entry and diff ID per layer, as cosign pushes it.
fn signature_config(layers: &[Descriptor]) -> Vec<u8> {
    let history: Vec<String> = layers
        .iter()
        .map(|_| r#"{"created":"0001-01-01T00:00:00Z"}"#.to_string())
        .collect();
    let diff_ids: Vec<String> = layers.iter().map(|l| format!("\"{}\"", l.digest)).collect();
    format!(
        r#"{{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{}],"os":"","rootfs":{{"type":"layers","diff_ids":[{}]}},"config":{{}}}}"#,
        history.join(","),
        diff_ids.join(",")
    )
    .into_bytes()
}

/// How many of the keys must have signed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Require {
    /// At least one key (cosign's behaviour with one key).
    #[default]
    Any,
    /// Every key.
    All,
}

/// Why an image did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// No signature manifest, and no Sigstore bundle among the referrers.
    NoSignature,
    /// Signatures exist, but none verifies with the given keys (signed by another key, or
    /// the payload was changed after signing and re-pushed).
    WrongKey,
    /// A signature verifies, but its payload names another image digest: the signature was
    /// copied from another image (re-tagged).
    DigestMismatch,
    /// A payload's bytes do not match the digest they are stored under.
    TamperedPayload,
    /// A signature verifies over something that is not a cosign payload.
    InvalidPayload,
    /// `--require all`: some keys signed, not all.
    MissingKeys,
    /// A keyless certificate that does not chain to a CA of the trusted root.
    UntrustedCertificate,
    /// A keyless certificate for another identity (subject alternative name).
    WrongIdentity,
    /// A keyless certificate from another OIDC issuer.
    WrongIssuer,
    /// A keyless signature without a Rekor entry proving when it was made.
    NoTlog,
    /// A Rekor entry whose SET, inclusion proof or content does not verify.
    InvalidTlog,
    /// A keyless certificate not valid at the time Rekor logged the signature.
    CertificateExpired,
}

impl Reason {
    /// Stable kebab-case name (`wrong-key`), as in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Reason::NoSignature => "no-signature",
            Reason::WrongKey => "wrong-key",
            Reason::DigestMismatch => "digest-mismatch",
            Reason::TamperedPayload => "tampered-payload",
            Reason::InvalidPayload => "invalid-payload",
            Reason::MissingKeys => "missing-keys",
            Reason::UntrustedCertificate => "untrusted-certificate",
            Reason::WrongIdentity => "wrong-identity",
            Reason::WrongIssuer => "wrong-issuer",
            Reason::NoTlog => "no-transparency-log",
            Reason::InvalidTlog => "invalid-transparency-log",
            Reason::CertificateExpired => "certificate-expired",
        }
    }
}

/// The result of checking one signature (a `.sig` layer or a bundle).
#[derive(Debug, Clone, Serialize)]
pub struct SignatureCheck {
    /// `sig-layer 0` or `bundle sha256:...`.
    pub source: String,
    /// Digest of the signed payload.
    pub payload_digest: String,
    /// The key that verified it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Whether it counts: verified by a key and naming this image's digest.
    pub ok: bool,
    /// Why it does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// Details for people.
    pub detail: String,
}

/// The verdict on one image.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The image as given.
    pub image: String,
    /// The manifest digest checked.
    pub digest: String,
    /// Whether the key policy is satisfied.
    pub verified: bool,
    /// The main reason when not verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// One sentence saying why.
    pub message: String,
    /// Keys that verified a signature naming this digest.
    pub verified_by: Vec<String>,
    /// Every signature looked at.
    pub signatures: Vec<SignatureCheck>,
}

#[derive(serde::Deserialize)]
struct SimpleSigning {
    critical: Critical,
}

#[derive(serde::Deserialize)]
struct Critical {
    identity: Identity,
    image: ImageField,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(serde::Deserialize)]
struct Identity {
    #[serde(rename = "docker-reference")]
    docker_reference: String,
}

#[derive(serde::Deserialize)]
struct ImageField {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

/// Verifies `image` against `keys`: classic `.sig` signatures and key-signed Sigstore
/// bundles. Registry errors are errors; an unsigned or wrongly signed image is a verdict.
pub fn verify(
    client: &Client,
    image: &Reference,
    keys: &[PublicKey],
    require: Require,
) -> Result<Verdict, Error> {
    verify_with(client, image, &Trust::keys(keys.to_vec(), require))
}

/// Verifies `image` against keys and keyless identities: classic `.sig` signatures
/// (with their certificate and Rekor bundle annotations) and Sigstore bundles.
pub fn verify_with(client: &Client, image: &Reference, trust: &Trust) -> Result<Verdict, Error> {
    let signers = trust.signers();
    if signers.is_empty() {
        return Err(Error::Config(
            "no verification key or keyless identity given".into(),
        ));
    }
    if !trust.identities.is_empty() && trust.root.is_none() {
        return Err(Error::Config(
            "keyless identities need a trusted root (Fulcio CAs and Rekor keys)".into(),
        ));
    }
    let digest = client.resolve(image)?;
    let mut checks = Vec::new();
    let tag = signature_tag(&digest);
    let sig_ref = image.with_tag(&tag);
    let mut sig_manifest_found = false;
    if let Some(m) = client.try_get_manifest(&sig_ref, &tag)? {
        sig_manifest_found = true;
        if let Manifest::Image(im) = m.parse()? {
            for (i, layer) in im.layers.iter().enumerate() {
                checks.push(check_layer(client, image, &digest, i, layer, trust)?);
            }
        }
    }
    if let Some(Manifest::Index(idx)) = client.referrers(image, &digest)? {
        for entry in &idx.manifests {
            let is_bundle = entry
                .artifact_type
                .as_deref()
                .is_some_and(|t| t.starts_with(BUNDLE_ARTIFACT_PREFIX));
            if is_bundle {
                checks.push(check_bundle(client, image, &digest, &entry.digest, trust)?);
            }
        }
    }
    let verified_by: Vec<String> = signers
        .iter()
        .filter(|name| checks.iter().any(|c| c.ok && c.key.as_ref() == Some(name)))
        .cloned()
        .collect();
    let satisfied = match trust.require {
        Require::Any => !verified_by.is_empty(),
        Require::All => verified_by.len() == signers.len(),
    };
    let (reason, message) = if satisfied {
        (
            None,
            format!(
                "verified: signed by {} ({} of {} signature(s) valid)",
                verified_by.join(", "),
                checks.iter().filter(|c| c.ok).count(),
                checks.len()
            ),
        )
    } else if checks.is_empty() {
        (
            Some(Reason::NoSignature),
            format!(
                "no signature: {} {} and no Sigstore bundle refers to {digest}",
                sig_ref,
                if sig_manifest_found {
                    "has no layers"
                } else {
                    "does not exist"
                }
            ),
        )
    } else if !verified_by.is_empty() {
        let missing: Vec<&str> = signers
            .iter()
            .filter(|k| !verified_by.contains(k))
            .map(String::as_str)
            .collect();
        (
            Some(Reason::MissingKeys),
            format!(
                "not signed by every key: no valid signature by {}",
                missing.join(", ")
            ),
        )
    } else {
        let first = |r: Reason| checks.iter().find(|c| c.reason == Some(r));
        let reason = [
            Reason::DigestMismatch,
            Reason::TamperedPayload,
            Reason::InvalidPayload,
            Reason::InvalidTlog,
            Reason::CertificateExpired,
            Reason::NoTlog,
            Reason::UntrustedCertificate,
            Reason::WrongIssuer,
            Reason::WrongIdentity,
        ]
        .into_iter()
        .find(|r| first(*r).is_some())
        .unwrap_or(Reason::WrongKey);
        let message = match first(reason) {
            Some(c) if reason != Reason::WrongKey => c.detail.clone(),
            _ => format!(
                "{} signature(s) found, none verifies with {} (signed by another key, or the \
                 payload was changed after signing)",
                checks.len(),
                signers.join(", ")
            ),
        };
        (Some(reason), message)
    };
    Ok(Verdict {
        image: image.to_string(),
        digest,
        verified: satisfied,
        reason,
        message,
        verified_by,
        signatures: checks,
    })
}

/// Layer annotation holding a keyless signature's Fulcio certificate (PEM).
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// Layer annotation holding the certificate's chain (PEM).
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// Layer annotation holding the Rekor entry (SET and payload) as JSON.
pub const REKOR_BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";

fn check_layer(
    client: &Client,
    image: &Reference,
    digest: &str,
    index: usize,
    layer: &Descriptor,
    trust: &Trust,
) -> Result<SignatureCheck, Error> {
    let source = format!("{} layer {index}", signature_tag(digest));
    let mut check = SignatureCheck {
        source,
        payload_digest: layer.digest.clone(),
        key: None,
        ok: false,
        reason: None,
        detail: String::new(),
    };
    let Some(sig_b64) = layer.annotations.get(SIGNATURE_ANNOTATION) else {
        check.reason = Some(Reason::WrongKey);
        check.detail = format!("layer {index} has no {SIGNATURE_ANNOTATION} annotation");
        return Ok(check);
    };
    let body = match client.get_blob(image, &layer.digest) {
        Ok(b) => b,
        Err(Error::DigestMismatch { actual, .. }) => {
            check.reason = Some(Reason::TamperedPayload);
            check.detail = format!(
                "tampered payload: signature layer {index} is stored as {} but its content \
                 hashes to {actual}",
                layer.digest
            );
            return Ok(check);
        }
        Err(e) => return Err(e),
    };
    let Ok(sig) = STANDARD.decode(sig_b64.trim()) else {
        check.reason = Some(Reason::WrongKey);
        check.detail = format!("layer {index}: signature annotation is not base64");
        return Ok(check);
    };
    let certificate = layer
        .annotations
        .get(CERTIFICATE_ANNOTATION)
        .and_then(|pem| {
            let block = crate::sigstore::pem_blocks(pem).into_iter().next()?;
            pem_rfc7468::decode_vec(block.as_bytes())
                .ok()
                .map(|(_, d)| d)
        });
    let tlog = match layer
        .annotations
        .get(REKOR_BUNDLE_ANNOTATION)
        .map(|b| TlogEntry::from_cosign_bundle(b))
        .transpose()
    {
        Ok(t) => t.into_iter().collect::<Vec<_>>(),
        Err(e) => {
            check.reason = Some(Reason::InvalidTlog);
            check.detail = format!("layer {index}: {e}");
            return Ok(check);
        }
    };
    let logged = crate::sigstore::hex(&sha2::Sha256::digest(&body));
    let signer = match identify(
        trust,
        &Evidence {
            message: &body,
            signature: &sig,
            logged_hash: &logged,
            certificate: certificate.as_deref(),
            tlog: &tlog,
        },
    ) {
        Ok(s) => s,
        Err((reason, detail)) => {
            check.reason = Some(reason);
            check.detail = format!("layer {index}: {detail}");
            return Ok(check);
        }
    };
    check.key = Some(signer.name.clone());
    match serde_json::from_slice::<SimpleSigning>(&body) {
        Ok(p) if p.critical.kind != COSIGN_SIGNATURE_TYPE => {
            check.reason = Some(Reason::InvalidPayload);
            check.detail = format!(
                "invalid payload: layer {index} has critical.type {:?}, not {COSIGN_SIGNATURE_TYPE:?}",
                p.critical.kind
            );
        }
        Ok(p) if p.critical.image.docker_manifest_digest != digest => {
            check.reason = Some(Reason::DigestMismatch);
            check.detail = format!(
                "digest mismatch: the signature by {} names {} ({}), not this image's {digest} \
                 (a signature copied from another image)",
                signer.name,
                p.critical.image.docker_manifest_digest,
                p.critical.identity.docker_reference
            );
        }
        Ok(p) => {
            check.ok = true;
            check.detail = format!(
                "{} for {}",
                signer.detail, p.critical.identity.docker_reference
            );
        }
        Err(e) => {
            check.reason = Some(Reason::InvalidPayload);
            check.detail = format!("invalid payload: layer {index} is not a cosign payload: {e}");
        }
    }
    Ok(check)
}

#[derive(serde::Deserialize)]
struct Statement {
    #[serde(default)]
    subject: Vec<Subject>,
}

#[derive(serde::Deserialize)]
struct Subject {
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

/// DSSE pre-authentication encoding: what a DSSE signature signs.
pub fn dsse_pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn check_bundle(
    client: &Client,
    image: &Reference,
    digest: &str,
    manifest_digest: &str,
    trust: &Trust,
) -> Result<SignatureCheck, Error> {
    let mut check = SignatureCheck {
        source: format!("bundle {manifest_digest}"),
        payload_digest: String::new(),
        key: None,
        ok: false,
        reason: None,
        detail: String::new(),
    };
    let m = client.get_manifest(image, manifest_digest)?;
    let Manifest::Image(im) = m.parse()? else {
        check.reason = Some(Reason::InvalidPayload);
        check.detail = format!("bundle {manifest_digest} is an index, not a manifest");
        return Ok(check);
    };
    let Some(layer) = im.layers.first() else {
        check.reason = Some(Reason::InvalidPayload);
        check.detail = format!("bundle {manifest_digest} has no layer");
        return Ok(check);
    };
    check.payload_digest = layer.digest.clone();
    let bytes = match client.get_blob(image, &layer.digest) {
        Ok(b) => b,
        Err(Error::DigestMismatch { actual, .. }) => {
            check.reason = Some(Reason::TamperedPayload);
            check.detail = format!(
                "tampered payload: bundle {} hashes to {actual}",
                layer.digest
            );
            return Ok(check);
        }
        Err(e) => return Err(e),
    };
    let bundle = match Bundle::parse(&bytes) {
        Ok(b) => b,
        Err(e) => {
            check.reason = Some(Reason::InvalidPayload);
            check.detail = format!("bundle {manifest_digest}: {e}");
            return Ok(check);
        }
    };
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    // A message signature is over the image manifest: fetch it only then.
    let manifest = if bundle.dsse.is_none() {
        Some(client.get_manifest(image, digest)?)
    } else {
        None
    };
    let signer = match bundle.identify(trust, manifest.as_ref().map(|m| m.bytes.as_slice())) {
        Ok(s) => s,
        Err((reason, detail)) => {
            check.reason = Some(reason);
            check.detail = format!("bundle {manifest_digest}: {detail}");
            return Ok(check);
        }
    };
    check.key = Some(signer.name.clone());
    let Some((_, payload, _)) = &bundle.dsse else {
        check.ok = true;
        check.detail = format!("bundle: {}", signer.detail);
        return Ok(check);
    };
    match serde_json::from_slice::<Statement>(payload) {
        Ok(st)
            if st
                .subject
                .iter()
                .any(|s| s.digest.get("sha256").map(String::as_str) == Some(hex)) =>
        {
            check.ok = true;
            check.detail = format!("bundle: {}", signer.detail);
        }
        Ok(_) => {
            check.reason = Some(Reason::DigestMismatch);
            check.detail = format!(
                "digest mismatch: the bundle signed by {} does not name {digest} among its subjects",
                signer.name
            );
        }
        Err(e) => {
            check.reason = Some(Reason::InvalidPayload);
            check.detail =
                format!("bundle {manifest_digest}: payload is not an in-toto statement: {e}");
        }
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_byte_for_byte_cosigns() {
        let d = "sha256:4d4b3a1d33b3d4f7ca8c0b1d8e0a2a2f4e6a4b1c2d3e4f5a6b7c8d9e0f1a2b3c";
        assert_eq!(
            String::from_utf8(payload("127.0.0.1:5000/team/app", d, None)).unwrap(),
            format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"127.0.0.1:5000/team/app"}},"image":{{"docker-manifest-digest":"{d}"}},"type":"cosign container image signature"}},"optional":null}}"#
            )
        );
        let mut a = BTreeMap::new();
        a.insert("z".to_string(), "1".to_string());
        a.insert("a".to_string(), "<b>&".to_string());
        let p = String::from_utf8(payload("index.docker.io/library/nginx", d, Some(&a))).unwrap();
        assert!(
            p.ends_with(r#""optional":{"a":"\u003cb\u003e\u0026","z":"1"}}"#),
            "{p}"
        );
    }

    #[test]
    fn signature_tag_and_pae() {
        assert_eq!(signature_tag("sha256:abc"), "sha256-abc.sig");
        // The DSSE specification's example.
        assert_eq!(
            dsse_pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }
}
