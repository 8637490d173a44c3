//! Keyless verification: a test PKI built here (root CA -> intermediate -> Fulcio-style leaf,
//! a fake Rekor key signing SETs and checkpoints) for every way a signature must be refused,
//! and genuine Sigstore bundles with Sigstore's own trusted roots (tests/fixtures/sigstore,
//! fetched by scripts/fetch-sigstore-fixtures.sh).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use sha2::{Digest as _, Sha256};
use stockade_image::cosign::{Reason, dsse_pae};
use stockade_image::keyless::{Bundle, Identity, Trust};
use stockade_image::sigstore::{TrustedRoot, verify_entry};
use stockade_image::{PrivateKey, PublicKey};

const GITHUB: &str = "https://token.actions.githubusercontent.com";
const WORKFLOW: &str = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
/// 2026-01-01T00:00:00Z: the leaf certificates are valid for ten minutes from here.
const T0: i64 = 1_767_225_600;

fn at(t: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t).unwrap()
}

fn dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "sigstore.test");
    dn.push(DnType::CommonName, cn);
    dn
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = at(T0 - 86_400 * 365);
    p.not_after = at(T0 + 86_400 * 365);
    p
}

/// A DER UTF8String.
fn utf8(s: &str) -> Vec<u8> {
    assert!(s.len() < 128);
    let mut v = vec![0x0c, s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

struct Pki {
    /// PEM of the root and intermediate.
    ca_pem: String,
    intermediate: Issuer<'static, KeyPair>,
    rekor: PrivateKey,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let root_params = ca_params(&format!("{name}-root"));
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);
        let inter_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let inter_params = ca_params(&format!("{name}-intermediate"));
        let inter = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
        Pki {
            ca_pem: format!("{}{}", inter.pem(), root.pem()),
            intermediate: Issuer::new(inter_params, inter_key),
            rekor: PrivateKey::generate_p256().unwrap(),
        }
    }

    /// The trusted root as PEM: CA certificates and the Rekor key.
    fn root(&self) -> Arc<TrustedRoot> {
        let pem = format!("{}{}", self.ca_pem, self.rekor.public_key().to_pem());
        Arc::new(TrustedRoot::from_pem(&pem, "test root").unwrap())
    }

    /// A Fulcio-style leaf: SAN, OIDC issuer in both extensions, code signing, ten minutes.
    fn leaf(&self, san: SanType, issuer: &str, not_before: i64) -> (Vec<u8>, PrivateKey) {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        p.subject_alt_names = vec![san];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        p.custom_extensions = vec![
            CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, 1],
                issuer.as_bytes().to_vec(),
            ),
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 57264, 1, 8], utf8(issuer)),
        ];
        p.not_before = at(not_before);
        p.not_after = at(not_before + 600);
        let cert = p.signed_by(&key, &self.intermediate).unwrap();
        let private = PrivateKey::from_pkcs8_der(&key.serialize_der()).unwrap();
        (cert.der().to_vec(), private)
    }
}

fn uri(s: &str) -> SanType {
    SanType::URI(s.try_into().unwrap())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn pem_cert(der: &[u8]) -> String {
    pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, der).unwrap()
}

/// How the bundle's Rekor entry is made.
#[derive(Clone, Copy, Default)]
struct Log {
    /// No tlog entry at all.
    none: bool,
    /// Leave the SET out.
    no_set: bool,
    /// Integrated time (default: a minute into the certificate's life).
    time: Option<i64>,
    /// Change the integrated time after Rekor signed it.
    tamper_time: bool,
    /// Log a different payload hash than the signed one.
    other_payload: bool,
}

/// A DSSE bundle over an in-toto statement naming `subject`, signed by `key` with
/// certificate `cert`, logged per `log` by `pki`'s Rekor key.
fn bundle(pki: &Pki, cert: &[u8], key: &PrivateKey, log: Log) -> Vec<u8> {
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"aa"}}],"predicateType":"https://example.test/v1","predicate":{}}"#;
    let payload_type = "application/vnd.in-toto+json";
    let sig = key.sign(&dsse_pae(payload_type, payload));
    let logged_payload: &[u8] = if log.other_payload { b"other" } else { payload };
    let body = serde_json::json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "payloadHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(logged_payload))},
            "signatures": [{
                "signature": STANDARD.encode(&sig),
                "verifier": STANDARD.encode(pem_cert(cert)),
            }],
        },
    })
    .to_string();
    let log_id = Sha256::digest(pki.rekor.public_key().to_spki_der()).to_vec();
    let time = log.time.unwrap_or(T0 + 60);
    let index = 41;
    let set_payload = format!(
        r#"{{"body":"{}","integratedTime":{time},"logID":"{}","logIndex":{index}}}"#,
        STANDARD.encode(&body),
        hex(&log_id)
    );
    let set = pki.rekor.sign(set_payload.as_bytes());
    // A two-leaf tree: this entry at index 1.
    let leaf = |d: &[u8]| -> Vec<u8> {
        let mut h = Sha256::new();
        h.update([0]);
        h.update(d);
        h.finalize().to_vec()
    };
    let sibling = leaf(b"another entry");
    let mut h = Sha256::new();
    h.update([1]);
    h.update(&sibling);
    h.update(leaf(body.as_bytes()));
    let root_hash = h.finalize().to_vec();
    let note = format!("rekor.test - 1\n2\n{}\n", STANDARD.encode(&root_hash));
    let mut note_sig = log_id[..4].to_vec();
    note_sig.extend(pki.rekor.sign(note.as_bytes()));
    let checkpoint = format!(
        "{note}\n\u{2014} rekor.test {}\n",
        STANDARD.encode(&note_sig)
    );
    let mut entry = serde_json::json!({
        "logIndex": index.to_string(),
        "logId": {"keyId": STANDARD.encode(&log_id)},
        "kindVersion": {"kind": "dsse", "version": "0.0.1"},
        "integratedTime": (if log.tamper_time { time - 30 } else { time }).to_string(),
        "inclusionPromise": {"signedEntryTimestamp": STANDARD.encode(&set)},
        "inclusionProof": {
            "logIndex": "1",
            "rootHash": STANDARD.encode(&root_hash),
            "treeSize": "2",
            "hashes": [STANDARD.encode(&sibling)],
            "checkpoint": {"envelope": checkpoint},
        },
        "canonicalizedBody": STANDARD.encode(&body),
    });
    if log.no_set {
        entry.as_object_mut().unwrap().remove("inclusionPromise");
    }
    let entries = if log.none { vec![] } else { vec![entry] };
    serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": STANDARD.encode(cert)},
            "tlogEntries": entries,
        },
        "dsseEnvelope": {
            "payload": STANDARD.encode(payload),
            "payloadType": payload_type,
            "signatures": [{"sig": STANDARD.encode(&sig)}],
        },
    })
    .to_string()
    .into_bytes()
}

fn keyless(root: Arc<TrustedRoot>, ids: Vec<Identity>) -> Trust {
    Trust {
        identities: ids,
        root: Some(root),
        ..Trust::default()
    }
}

fn identify(bytes: &[u8], trust: &Trust) -> Result<String, (Reason, String)> {
    Bundle::parse(bytes)
        .unwrap()
        .identify(trust, None)
        .map(|s| s.name)
}

fn reason(r: Result<String, (Reason, String)>) -> Reason {
    match r {
        Ok(name) => panic!("verified by {name}, expected a refusal"),
        Err((reason, _)) => reason,
    }
}

#[test]
fn valid_keyless_signature_verifies_with_exact_and_regexp_identities() {
    let pki = Pki::new("fulcio");
    let (cert, key) = pki.leaf(uri(WORKFLOW), GITHUB, T0);
    let b = bundle(&pki, &cert, &key, Log::default());
    let exact = keyless(pki.root(), vec![Identity::exact(WORKFLOW, GITHUB)]);
    assert_eq!(
        identify(&b, &exact).unwrap(),
        format!("{WORKFLOW} ({GITHUB})")
    );
    let re = Identity::regex(r"https://github\.com/acme/.*@refs/heads/main", GITHUB).unwrap();
    let label = re.label();
    assert_eq!(identify(&b, &keyless(pki.root(), vec![re])).unwrap(), label);
    // The detail says what was proven.
    let signer = Bundle::parse(&b).unwrap().identify(&exact, None).unwrap();
    assert_eq!(
        signer.detail,
        format!(
            "signed by {WORKFLOW} (issuer {GITHUB}), certificate from O=sigstore.test, \
             CN=fulcio-intermediate, logged at 2026-01-01T00:01:00Z with inclusion proof"
        )
    );
}

#[test]
fn wrong_identity_and_wrong_issuer_are_refused() {
    let pki = Pki::new("fulcio");
    let (cert, key) = pki.leaf(uri(WORKFLOW), GITHUB, T0);
    let b = bundle(&pki, &cert, &key, Log::default());
    let other = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/dev";
    let r = identify(
        &b,
        &keyless(pki.root(), vec![Identity::exact(other, GITHUB)]),
    );
    assert_eq!(
        r.unwrap_err(),
        (
            Reason::WrongIdentity,
            format!(
                "the certificate names {WORKFLOW} (issuer {GITHUB}), which matches none of {other} ({GITHUB})"
            )
        )
    );
    // A regexp must match the whole name.
    let prefix = Identity::regex("https://github.com/acme/app", GITHUB).unwrap();
    assert_eq!(
        reason(identify(&b, &keyless(pki.root(), vec![prefix]))),
        Reason::WrongIdentity
    );
    let r = identify(
        &b,
        &keyless(
            pki.root(),
            vec![Identity::exact(WORKFLOW, "https://accounts.google.com")],
        ),
    );
    assert_eq!(
        r.unwrap_err(),
        (
            Reason::WrongIssuer,
            format!(
                "the certificate of {WORKFLOW} was issued for OIDC issuer \"{GITHUB}\", not \"https://accounts.google.com\""
            )
        )
    );
    // An email identity from the right issuer.
    let (cert, key) = pki.leaf(
        SanType::Rfc822Name("dev@acme.test".try_into().unwrap()),
        "https://github.com/login/oauth",
        T0,
    );
    let b = bundle(&pki, &cert, &key, Log::default());
    let trust = keyless(
        pki.root(),
        vec![Identity::exact(
            "dev@acme.test",
            "https://github.com/login/oauth",
        )],
    );
    assert_eq!(
        identify(&b, &trust).unwrap(),
        "dev@acme.test (https://github.com/login/oauth)"
    );
}

#[test]
fn certificate_not_chaining_to_the_root_is_refused() {
    let pki = Pki::new("fulcio");
    // Same names, other keys: only the signatures tell them apart. The rogue CA's Rekor
    // entry is signed by the trusted log, so only the chain is wrong.
    let mut rogue = Pki::new("fulcio");
    rogue.rekor = PrivateKey::from_pkcs8_der(&pki.rekor.to_pkcs8_der()).unwrap();
    let (cert, key) = rogue.leaf(uri(WORKFLOW), GITHUB, T0);
    let b = bundle(&rogue, &cert, &key, Log::default());
    let r = identify(
        &b,
        &keyless(pki.root(), vec![Identity::exact(WORKFLOW, GITHUB)]),
    );
    assert_eq!(
        r.unwrap_err(),
        (
            Reason::UntrustedCertificate,
            "the signing certificate (issuer O=sigstore.test, CN=fulcio-intermediate) does not \
             chain to a certificate authority of the trusted root"
                .to_string()
        )
    );
    // And its log: a root without the rogue's Rekor key does not know the log.
    let rogue2 = Pki::new("other");
    let (cert, key) = rogue2.leaf(uri(WORKFLOW), GITHUB, T0);
    let b = bundle(&rogue2, &cert, &key, Log::default());
    let (r, detail) = identify(
        &b,
        &keyless(pki.root(), vec![Identity::exact(WORKFLOW, GITHUB)]),
    )
    .unwrap_err();
    assert_eq!(r, Reason::InvalidTlog);
    assert!(detail.ends_with("is not in the trusted root"), "{detail}");
}

#[test]
fn expired_certificate_needs_a_rekor_time_inside_its_validity() {
    let pki = Pki::new("fulcio");
    let trust = keyless(pki.root(), vec![Identity::exact(WORKFLOW, GITHUB)]);
    let (cert, key) = pki.leaf(uri(WORKFLOW), GITHUB, T0);
    // The certificate expired years ago by wall clock? Irrelevant: T0 is in 2026 and the
    // signature, logged inside the ten minutes, verifies (tested above). Logged late:
    let late = bundle(
        &pki,
        &cert,
        &key,
        Log {
            time: Some(T0 + 601),
            ..Log::default()
        },
    );
    assert_eq!(
        identify(&late, &trust).unwrap_err(),
        (
            Reason::CertificateExpired,
            "the certificate was valid from 2026-01-01T00:00:00Z to 2026-01-01T00:10:00Z, the \
             signature was logged at 2026-01-01T00:10:01Z"
                .to_string()
        )
    );
    // No log entry at all.
    let none = bundle(
        &pki,
        &cert,
        &key,
        Log {
            none: true,
            ..Log::default()
        },
    );
    assert_eq!(reason(identify(&none, &trust)), Reason::NoTlog);
    // An inclusion proof without a SET proves inclusion, not the time.
    let no_set = bundle(
        &pki,
        &cert,
        &key,
        Log {
            no_set: true,
            ..Log::default()
        },
    );
    assert_eq!(
        identify(&no_set, &trust).unwrap_err(),
        (
            Reason::NoTlog,
            "no signed entry timestamp: the time the signature was logged is not proven".into()
        )
    );
}

#[test]
fn tampered_set_inclusion_proof_or_entry_is_refused() {
    let pki = Pki::new("fulcio");
    let trust = keyless(pki.root(), vec![Identity::exact(WORKFLOW, GITHUB)]);
    let (cert, key) = pki.leaf(uri(WORKFLOW), GITHUB, T0);
    // The integrated time moved after Rekor signed it.
    let b = bundle(
        &pki,
        &cert,
        &key,
        Log {
            tamper_time: true,
            ..Log::default()
        },
    );
    assert_eq!(
        identify(&b, &trust).unwrap_err(),
        (
            Reason::InvalidTlog,
            "the signed entry timestamp of log entry 41 does not verify with the log's key \
             (entry or timestamp altered)"
                .into()
        )
    );
    // A flipped bit in the SET itself.
    let good = bundle(&pki, &cert, &key, Log::default());
    let mut v: serde_json::Value = serde_json::from_slice(&good).unwrap();
    let set = &mut v["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]["signedEntryTimestamp"];
    let mut raw = STANDARD.decode(set.as_str().unwrap()).unwrap();
    let n = raw.len();
    raw[n - 3] ^= 1;
    *set = STANDARD.encode(&raw).into();
    assert_eq!(
        reason(identify(&serde_json::to_vec(&v).unwrap(), &trust)),
        Reason::InvalidTlog
    );
    // A wrong root hash in the inclusion proof.
    let mut v: serde_json::Value = serde_json::from_slice(&good).unwrap();
    v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["rootHash"] =
        STANDARD.encode([7u8; 32]).into();
    let (r, detail) = identify(&serde_json::to_vec(&v).unwrap(), &trust).unwrap_err();
    assert_eq!(r, Reason::InvalidTlog);
    assert!(detail.contains("leads to root"), "{detail}");
    // A genuine, signed log entry for another payload.
    let b = bundle(
        &pki,
        &cert,
        &key,
        Log {
            other_payload: true,
            ..Log::default()
        },
    );
    let (r, detail) = identify(&b, &trust).unwrap_err();
    assert_eq!(r, Reason::InvalidTlog);
    assert!(
        detail.starts_with("the dsse log entry names hash"),
        "{detail}"
    );
    // The payload changed after signing: the certificate's key does not verify it.
    let mut v: serde_json::Value = serde_json::from_slice(&good).unwrap();
    v["dsseEnvelope"]["payload"] = STANDARD.encode(b"{}").into();
    assert_eq!(
        reason(identify(&serde_json::to_vec(&v).unwrap(), &trust)),
        Reason::WrongKey
    );
}

#[test]
fn key_signatures_with_a_rekor_entry_check_its_set() {
    let pki = Pki::new("fulcio");
    // A key signature logged by Rekor: the entry's verifier is the key (SPKI PEM), here
    // simulated with a certificate-free bundle whose entry names the key.
    let key = PrivateKey::generate_p256().unwrap();
    let mut public = key.public_key();
    public.name = "team.pub".into();
    let (cert, _) = pki.leaf(uri(WORKFLOW), GITHUB, T0);
    let b = bundle(&pki, &cert, &key, Log::default());
    // Re-point the entry's verifier from the certificate to the key, and re-sign the SET.
    let mut v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    v["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("certificate");
    let entry = &mut v["verificationMaterial"]["tlogEntries"][0];
    let body = STANDARD
        .decode(entry["canonicalizedBody"].as_str().unwrap())
        .unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    body["spec"]["signatures"][0]["verifier"] = STANDARD.encode(public.to_pem()).into();
    let body = body.to_string();
    let log_id = Sha256::digest(pki.rekor.public_key().to_spki_der());
    let set_payload = format!(
        r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":41}}"#,
        STANDARD.encode(&body),
        T0 + 60,
        hex(&log_id)
    );
    entry["canonicalizedBody"] = STANDARD.encode(&body).into();
    entry["inclusionPromise"]["signedEntryTimestamp"] = STANDARD
        .encode(pki.rekor.sign(set_payload.as_bytes()))
        .into();
    entry.as_object_mut().unwrap().remove("inclusionProof");
    let keyed = Trust {
        keys: vec![public.clone()],
        root: Some(pki.root()),
        ..Trust::default()
    };
    let bytes = serde_json::to_vec(&v).unwrap();
    let signer = Bundle::parse(&bytes)
        .unwrap()
        .identify(&keyed, None)
        .unwrap();
    assert_eq!(signer.name, "team.pub");
    assert_eq!(
        signer.detail,
        "signed by team.pub, in the transparency log at index 41 (2026-01-01T00:01:00Z)"
    );
    // Without a trusted root the entry is not checked; with one, a bad SET refuses.
    let mut v2 = v.clone();
    v2["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1".into();
    let bytes = serde_json::to_vec(&v2).unwrap();
    assert_eq!(reason(identify(&bytes, &keyed)), Reason::InvalidTlog);
    let no_root = Trust::keys(vec![public], Default::default());
    assert_eq!(identify(&bytes, &no_root).unwrap(), "team.pub");
}

#[test]
fn trusted_root_json_and_pem_errors() {
    let pki = Pki::new("fulcio");
    let certs: Vec<String> = stockade_image_pem_ders(&pki.ca_pem)
        .iter()
        .map(|d| format!(r#"{{"rawBytes":"{}"}}"#, STANDARD.encode(d)))
        .collect();
    let json = format!(
        r#"{{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs":[{{"baseUrl":"https://rekor.test","hashAlgorithm":"SHA2_256",
          "publicKey":{{"rawBytes":"{}","keyDetails":"PKIX_ECDSA_P256_SHA_256","validFor":{{"start":"2025-01-01T00:00:00Z"}}}},
          "logId":{{"keyId":"x"}}}}],
        "certificateAuthorities":[{{"certChain":{{"certificates":[{}]}},
          "validFor":{{"start":"2025-01-01T00:00:00Z","end":"2026-01-01T00:00:30.5Z"}}}}]}}"#,
        STANDARD.encode(pki.rekor.public_key().to_spki_der()),
        certs.join(",")
    );
    let root = Arc::new(TrustedRoot::from_json(json.as_bytes(), "trusted_root.json").unwrap());
    let trust = keyless(root.clone(), vec![Identity::exact(WORKFLOW, GITHUB)]);
    let (cert, key) = pki.leaf(uri(WORKFLOW), GITHUB, T0);
    // Logged at T0+20: inside the CA's window; at T0+60 the CA had stopped issuing.
    let b = bundle(
        &pki,
        &cert,
        &key,
        Log {
            time: Some(T0 + 20),
            ..Log::default()
        },
    );
    assert!(identify(&b, &trust).is_ok());
    let b = bundle(&pki, &cert, &key, Log::default());
    assert_eq!(
        identify(&b, &trust).unwrap_err(),
        (
            Reason::UntrustedCertificate,
            "the CA O=sigstore.test, CN=fulcio-intermediate was not issuing certificates at \
             2026-01-01T00:01:00Z"
                .into()
        )
    );
    // Errors name the file and the problem.
    let e = TrustedRoot::from_json(b"{\"tlogs\":[]}", "r.json").unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.json: no certificate authority and no transparency log"
    );
    let e = TrustedRoot::from_pem(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "r.pem",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.pem: PEM block 1 is \"PRIVATE KEY\": expected CERTIFICATE or PUBLIC KEY"
    );
}

fn stockade_image_pem_ders(pem: &str) -> Vec<Vec<u8>> {
    pem.split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("BEGIN"))
        .map(|b| pem_rfc7468::decode_vec(b.trim().as_bytes()).unwrap().1)
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sigstore")
        .join(name)
}

fn real(bundle: &str, root: &str, identity: Identity) -> Result<String, (Reason, String)> {
    let root = Arc::new(TrustedRoot::from_file(&fixture(root)).unwrap());
    let bytes = std::fs::read(fixture(bundle)).unwrap();
    let b = Bundle::parse(&bytes).unwrap();
    b.identify(&keyless(root, vec![identity]), None)
        .map(|s| s.detail)
}

#[test]
fn genuine_production_bundle_verifies_against_sigstores_trusted_root() {
    let id = "https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2";
    let detail = real(
        "production-dsse.sigstore.json",
        "trusted_root.production.json",
        Identity::exact(id, GITHUB),
    )
    .unwrap();
    assert_eq!(
        detail,
        format!(
            "signed by {id} (issuer {GITHUB}), certificate from O=sigstore.dev, \
             CN=sigstore-intermediate, logged at 2024-06-10T19:47:25Z with inclusion proof"
        )
    );
    // Its SET and inclusion proof, on their own.
    let root = TrustedRoot::from_file(&fixture("trusted_root.production.json")).unwrap();
    let b =
        Bundle::parse(&std::fs::read(fixture("production-dsse.sigstore.json")).unwrap()).unwrap();
    let proof = verify_entry(&root, &b.tlog[0]).unwrap();
    assert_eq!((proof.time, proof.included), (Some(1718048845), true));
    // The DSSE payload names the attested file's digest.
    let payload = String::from_utf8(b.dsse.as_ref().unwrap().1.clone()).unwrap();
    assert!(payload.contains(
        r#""digest":{"sha256":"c9709ce6fd5b67b59b4a28758cf14d3f411803c4b89b6068b1f1a8e4ee94c8ef"}"#
    ));
    // Another workflow, another issuer, another root: refused.
    let r = real(
        "production-dsse.sigstore.json",
        "trusted_root.production.json",
        Identity::exact(&id.replace("v0.0.4a2", "v9"), GITHUB),
    );
    assert_eq!(reason(r), Reason::WrongIdentity);
    let r = real(
        "production-dsse.sigstore.json",
        "trusted_root.production.json",
        Identity::exact(id, "https://accounts.google.com"),
    );
    assert_eq!(reason(r), Reason::WrongIssuer);
    let r = real(
        "production-dsse.sigstore.json",
        "trusted_root.staging.json",
        Identity::exact(id, GITHUB),
    );
    assert_eq!(reason(r), Reason::InvalidTlog);
}

#[test]
fn genuine_staging_bundle_with_an_email_identity() {
    let detail = real(
        "staging-dsse.sigstore.json",
        "trusted_root.staging.json",
        Identity::exact("william@yossarian.net", "https://github.com/login/oauth"),
    )
    .unwrap();
    assert!(
        detail
            .starts_with("signed by william@yossarian.net (issuer https://github.com/login/oauth)"),
        "{detail}"
    );
    // A changed payload no longer verifies with the certificate's key.
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("staging-dsse.sigstore.json")).unwrap())
            .unwrap();
    v["dsseEnvelope"]["payload"] = STANDARD.encode(b"{\"subject\":[]}").into();
    let root = Arc::new(TrustedRoot::from_file(&fixture("trusted_root.staging.json")).unwrap());
    let trust = keyless(
        root,
        vec![Identity::exact(
            "william@yossarian.net",
            "https://github.com/login/oauth",
        )],
    );
    assert_eq!(
        reason(identify(&serde_json::to_vec(&v).unwrap(), &trust)),
        Reason::WrongKey
    );
    // The keyless signature does not count for a key policy.
    let k = PublicKey::from_spki_der(
        &PrivateKey::generate_p256()
            .unwrap()
            .public_key()
            .to_spki_der(),
        "k.pub",
    )
    .unwrap();
    let bytes = std::fs::read(fixture("staging-dsse.sigstore.json")).unwrap();
    assert_eq!(
        identify(&bytes, &Trust::keys(vec![k], Default::default())).unwrap_err(),
        (
            Reason::WrongKey,
            "signature does not verify with any given key (a keyless signature: give identities \
             and a trusted root to accept it)"
                .into()
        )
    );
}

/// Pushes a classic cosign keyless signature of `r` (`digest`): the payload layer with the
/// signature, certificate, chain and Rekor bundle annotations, as cosign lays them out.
fn push_keyless_sig(
    c: &stockade_image::Client,
    r: &stockade_image::Reference,
    digest: &str,
    pki: &Pki,
    cert: &[u8],
    key: &PrivateKey,
    time: i64,
) {
    use stockade_image::manifest::{Descriptor, ImageManifest, OCI_CONFIG, OCI_MANIFEST};
    let payload = stockade_image::cosign::payload(&r.cosign_identity(), digest, None);
    let sig = key.sign(&payload);
    let body = serde_json::json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex(&Sha256::digest(&payload))}},
            "signature": {
                "content": STANDARD.encode(&sig),
                "publicKey": {"content": STANDARD.encode(pem_cert(cert))},
            },
        },
    })
    .to_string();
    let log_id = hex(&Sha256::digest(pki.rekor.public_key().to_spki_der()));
    let set_payload = format!(
        r#"{{"body":"{}","integratedTime":{time},"logID":"{log_id}","logIndex":7}}"#,
        STANDARD.encode(&body)
    );
    let rekor = serde_json::json!({
        "SignedEntryTimestamp": STANDARD.encode(pki.rekor.sign(set_payload.as_bytes())),
        "Payload": {"body": STANDARD.encode(&body), "integratedTime": time, "logIndex": 7, "logID": log_id},
    })
    .to_string();
    let payload_digest = c.put_blob(r, &payload).unwrap();
    let mut annotations = std::collections::BTreeMap::new();
    annotations.insert(
        "dev.cosignproject.cosign/signature".to_string(),
        STANDARD.encode(&sig),
    );
    annotations.insert("dev.sigstore.cosign/certificate".into(), pem_cert(cert));
    annotations.insert("dev.sigstore.cosign/chain".into(), pki.ca_pem.clone());
    annotations.insert("dev.sigstore.cosign/bundle".into(), rekor);
    let config = b"{}".to_vec();
    let config_digest = c.put_blob(r, &config).unwrap();
    let manifest = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.to_string()),
        artifact_type: None,
        config: Descriptor {
            media_type: OCI_CONFIG.to_string(),
            size: config.len() as u64,
            digest: config_digest,
            annotations: Default::default(),
            platform: None,
            artifact_type: None,
        },
        layers: vec![Descriptor {
            media_type: stockade_image::cosign::SIMPLESIGNING_MEDIA_TYPE.to_string(),
            size: payload.len() as u64,
            digest: payload_digest,
            annotations,
            platform: None,
            artifact_type: None,
        }],
        subject: None,
        annotations: Default::default(),
    };
    let tag = stockade_image::cosign::signature_tag(digest);
    c.put_manifest(
        r,
        &tag,
        &serde_json::to_vec(&manifest).unwrap(),
        OCI_MANIFEST,
    )
    .unwrap();
}

#[test]
fn classic_keyless_signatures_in_a_registry() {
    use stockade_image::testing::{Registry, client, push_image};
    let reg = Registry::start();
    let c = client(&reg);
    let pki = Pki::new("fulcio");
    let trust = keyless(pki.root(), vec![Identity::exact(WORKFLOW, GITHUB)]);
    let (cert, key) = pki.leaf(uri(WORKFLOW), GITHUB, T0);

    let r = stockade_image::Reference::parse(&format!("{}/team/app:v1", reg.host)).unwrap();
    let digest = push_image(&c, &r, "one", "amd64");
    push_keyless_sig(&c, &r, &digest, &pki, &cert, &key, T0 + 60);
    let v = stockade_image::cosign::verify_with(&c, &r, &trust).unwrap();
    assert!(v.verified, "{}", v.message);
    assert_eq!(v.verified_by, vec![format!("{WORKFLOW} ({GITHUB})")]);
    assert_eq!(
        v.signatures[0].detail,
        format!(
            "signed by {WORKFLOW} (issuer {GITHUB}), certificate from O=sigstore.test, \
             CN=fulcio-intermediate, logged at 2026-01-01T00:01:00Z for {}/team/app",
            reg.host
        )
    );
    // Another identity, or keys only: refused with the reason.
    let other = keyless(pki.root(), vec![Identity::exact("dev@acme.test", GITHUB)]);
    let v = stockade_image::cosign::verify_with(&c, &r, &other).unwrap();
    assert_eq!((v.verified, v.reason), (false, Some(Reason::WrongIdentity)));
    let k = PrivateKey::generate_p256().unwrap().public_key();
    let v = stockade_image::cosign::verify(&c, &r, &[k], Default::default()).unwrap();
    assert_eq!((v.verified, v.reason), (false, Some(Reason::WrongKey)));

    // Logged after the certificate expired.
    let r2 = stockade_image::Reference::parse(&format!("{}/team/late:v1", reg.host)).unwrap();
    let d2 = push_image(&c, &r2, "two", "amd64");
    push_keyless_sig(&c, &r2, &d2, &pki, &cert, &key, T0 + 3600);
    let v = stockade_image::cosign::verify_with(&c, &r2, &trust).unwrap();
    assert_eq!(
        (v.verified, v.reason),
        (false, Some(Reason::CertificateExpired))
    );
    assert_eq!(
        v.message,
        "layer 0: the certificate was valid from 2026-01-01T00:00:00Z to 2026-01-01T00:10:00Z, \
         the signature was logged at 2026-01-01T01:00:00Z"
    );
}
