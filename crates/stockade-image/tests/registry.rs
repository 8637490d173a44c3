//! Against a real registry (docker-registry on 127.0.0.1): push images built here, sign
//! them, verify them, and check every way verification must fail.

use std::collections::BTreeMap;
use std::process::Command;

use base64::Engine as _;
use stockade_image::cosign::{self, Reason, Require};
use stockade_image::manifest::{
    Descriptor, ImageIndex, ImageManifest, OCI_INDEX, OCI_MANIFEST, Platform,
};
use stockade_image::testing::{self as support, Registry, client, desc, push_image};
use stockade_image::{
    Client, ClientConfig, Error, PrivateKey, PublicKey, Reference, sha256_digest,
};

fn reference(reg: &Registry, path: &str) -> Reference {
    Reference::parse(&format!("{}/{path}", reg.host)).unwrap()
}

fn keypair() -> (PrivateKey, PublicKey) {
    let k = PrivateKey::generate_p256().unwrap();
    let mut p = k.public_key();
    p.name = format!("key-{}", &p.fingerprint[7..15]);
    (k, p)
}

#[test]
fn sign_then_verify_and_the_signature_manifest_is_cosigns_layout() {
    let reg = Registry::start();
    let c = client(&reg);
    let r = reference(&reg, "team/app:v1");
    let digest = push_image(&c, &r, "one", "amd64");
    assert_eq!(c.resolve(&r).unwrap(), digest);

    let (key, public) = keypair();
    let out = cosign::sign(&c, &r, &key, None).unwrap();
    assert_eq!(out.digest, digest);
    assert_eq!(out.signatures, 1);
    assert!(!out.already_present);
    let hex = &digest[7..];
    assert_eq!(
        out.signature_ref,
        format!("{}/team/app:sha256-{hex}.sig", reg.host)
    );

    // The stored layout: one simple-signing layer, the signature annotation, the exact payload.
    let sig_ref = r.with_tag(&format!("sha256-{hex}.sig"));
    let m = c.get_manifest(&sig_ref, sig_ref.target()).unwrap();
    assert_eq!(m.media_type.as_deref(), Some(OCI_MANIFEST));
    let im: ImageManifest = serde_json::from_slice(&m.bytes).unwrap();
    assert_eq!(im.layers.len(), 1);
    let layer = &im.layers[0];
    assert_eq!(
        layer.media_type,
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    let payload = c.get_blob(&r, &layer.digest).unwrap();
    assert_eq!(
        String::from_utf8(payload.clone()).unwrap(),
        format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"{}/team/app"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#,
            reg.host
        )
    );
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&layer.annotations["dev.cosignproject.cosign/signature"])
        .unwrap();
    assert!(public.verify(&payload, &sig));

    let v = cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any).unwrap();
    assert!(v.verified, "{}", v.message);
    assert_eq!(v.digest, digest);
    assert_eq!(v.reason, None);
    assert_eq!(v.verified_by, vec![public.name.clone()]);

    // Signing again with the same key changes nothing (ECDSA here is deterministic).
    let again = cosign::sign(&c, &r, &key, None).unwrap();
    assert!(again.already_present);
    assert_eq!(again.signature_manifest, out.signature_manifest);

    // A second key appends a second layer; both keys are then satisfied with --require all.
    let (key2, public2) = keypair();
    let out2 = cosign::sign(&c, &r, &key2, None).unwrap();
    assert_eq!(out2.signatures, 2);
    let both = [public.clone(), public2.clone()];
    let v = cosign::verify(&c, &r, &both, Require::All).unwrap();
    assert!(v.verified, "{}", v.message);
    assert_eq!(
        v.verified_by,
        vec![public.name.clone(), public2.name.clone()]
    );

    // A third key that never signed: fine for "any", not for "all".
    let (_, public3) = keypair();
    let three = [public.clone(), public3.clone()];
    assert!(
        cosign::verify(&c, &r, &three, Require::Any)
            .unwrap()
            .verified
    );
    let v = cosign::verify(&c, &r, &three, Require::All).unwrap();
    assert!(!v.verified);
    assert_eq!(v.reason, Some(Reason::MissingKeys));
    assert_eq!(
        v.message,
        format!(
            "not signed by every key: no valid signature by {}",
            public3.name
        )
    );

    // Verifying by digest needs no tag.
    let by_digest = Reference::parse(&format!("{}/team/app@{digest}", reg.host)).unwrap();
    assert!(
        cosign::verify(&c, &by_digest, &[public], Require::Any)
            .unwrap()
            .verified
    );
}

#[test]
fn unsigned_image_is_rejected_with_no_signature() {
    let reg = Registry::start();
    let c = client(&reg);
    let r = reference(&reg, "app:latest");
    let digest = push_image(&c, &r, "unsigned", "amd64");
    let (_, public) = keypair();
    let v = cosign::verify(&c, &r, &[public], Require::Any).unwrap();
    assert!(!v.verified);
    assert_eq!(v.reason, Some(Reason::NoSignature));
    assert_eq!(
        v.message,
        format!(
            "no signature: {}/app:sha256-{}.sig does not exist and no Sigstore bundle refers to {digest}",
            reg.host,
            &digest[7..]
        )
    );
    assert!(v.signatures.is_empty());
}

#[test]
fn wrong_key_is_rejected() {
    let reg = Registry::start();
    let c = client(&reg);
    let r = reference(&reg, "app:v1");
    push_image(&c, &r, "wrong key", "amd64");
    let (key, _) = keypair();
    cosign::sign(&c, &r, &key, None).unwrap();
    let (_, other) = keypair();
    let v = cosign::verify(&c, &r, std::slice::from_ref(&other), Require::Any).unwrap();
    assert!(!v.verified);
    assert_eq!(v.reason, Some(Reason::WrongKey));
    assert_eq!(
        v.message,
        format!(
            "1 signature(s) found, none verifies with {} (signed by another key, or the payload \
             was changed after signing)",
            other.name
        )
    );
}

#[test]
fn retagged_image_is_rejected() {
    let reg = Registry::start();
    let c = client(&reg);
    let r = reference(&reg, "app:v1");
    let good = push_image(&c, &r, "good", "amd64");
    let (key, public) = keypair();
    cosign::sign(&c, &r, &key, None).unwrap();
    assert!(
        cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any)
            .unwrap()
            .verified
    );

    // An attacker moves the tag to another image: it has no signature of its own.
    let evil = push_image(&c, &r, "evil", "amd64");
    assert_ne!(good, evil);
    let v = cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any).unwrap();
    assert_eq!(v.digest, evil);
    assert_eq!(v.reason, Some(Reason::NoSignature));

    // ... and copies the good image's signature manifest under the evil image's .sig tag.
    let good_sig = r.with_tag(&format!("sha256-{}.sig", &good[7..]));
    let m = c.get_manifest(&good_sig, good_sig.target()).unwrap();
    c.put_manifest(
        &r,
        &format!("sha256-{}.sig", &evil[7..]),
        &m.bytes,
        OCI_MANIFEST,
    )
    .unwrap();
    let v = cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any).unwrap();
    assert!(!v.verified);
    assert_eq!(v.reason, Some(Reason::DigestMismatch));
    assert_eq!(
        v.message,
        format!(
            "digest mismatch: the signature by {} names {good} ({}/app), not this image's {evil} \
             (a signature copied from another image)",
            public.name, reg.host
        )
    );
}

#[test]
fn tampered_payload_is_rejected() {
    let reg = Registry::start();
    let c = client(&reg);
    let r = reference(&reg, "app:v1");
    let digest = push_image(&c, &r, "tamper", "amd64");
    let (key, public) = keypair();
    cosign::sign(&c, &r, &key, None).unwrap();
    let sig_ref = r.with_tag(&format!("sha256-{}.sig", &digest[7..]));
    let m = c.get_manifest(&sig_ref, sig_ref.target()).unwrap();
    let im: ImageManifest = serde_json::from_slice(&m.bytes).unwrap();
    let layer = im.layers[0].clone();
    let original = c.get_blob(&r, &layer.digest).unwrap();

    // 1. The payload is rewritten in the registry's storage (same length, one byte changed).
    let path = reg.blob_path(&layer.digest);
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes, original);
    let at = bytes.len() - 20;
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    std::fs::write(&path, &bytes).unwrap();
    let v = cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any).unwrap();
    assert!(!v.verified);
    assert_eq!(v.reason, Some(Reason::TamperedPayload));
    assert_eq!(
        v.message,
        format!(
            "tampered payload: signature layer 0 is stored as {} but its content hashes to {}",
            layer.digest,
            sha256_digest(&bytes)
        )
    );
    std::fs::write(&path, &original).unwrap();
    assert!(
        cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any)
            .unwrap()
            .verified
    );

    // 2. A payload edited to name another image, re-pushed under the original signature:
    //    the signature no longer verifies.
    let other = push_image(&c, &r.with_tag("other"), "other", "amd64");
    let edited = String::from_utf8(original)
        .unwrap()
        .replace(&digest, &other);
    let sig = layer.annotations["dev.cosignproject.cosign/signature"].clone();
    cosign::attach_signature(&c, &r.with_tag("other"), &other, edited.as_bytes(), &sig).unwrap();
    let v = cosign::verify(&c, &r.with_tag("other"), &[public], Require::Any).unwrap();
    assert!(!v.verified);
    assert_eq!(v.reason, Some(Reason::WrongKey));
    assert_eq!(
        v.signatures[0].detail,
        "layer 0: signature does not verify with any given key"
    );
}

fn openssl(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn interoperates_with_openssl_in_both_directions() {
    support::install(&["openssl"]);
    let reg = Registry::start();
    let c = client(&reg);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [(&str, &[&str], bool); 3] = [
        (
            "p256",
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "p256.key",
            ],
            true,
        ),
        (
            "p384",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
                "-out",
                "p384.key",
            ],
            true,
        ),
        (
            "ed25519",
            &["genpkey", "-algorithm", "ed25519", "-out", "ed25519.key"],
            false,
        ),
    ];
    for (name, genkey, ecdsa) in cases {
        openssl(genkey, d);
        openssl(
            &[
                "pkey",
                "-in",
                &format!("{name}.key"),
                "-pubout",
                "-out",
                &format!("{name}.pub"),
            ],
            d,
        );
        let public = PublicKey::from_file(&d.join(format!("{name}.pub"))).unwrap();

        // openssl signs the payload; we attach it in cosign's layout and verify it.
        let r = reference(&reg, &format!("interop/{name}:openssl"));
        let digest = push_image(&c, &r, &format!("{name} openssl"), "amd64");
        let body = cosign::payload(&r.cosign_identity(), &digest, None);
        std::fs::write(d.join("payload.json"), &body).unwrap();
        if ecdsa {
            openssl(
                &[
                    "dgst",
                    "-sha256",
                    "-sign",
                    &format!("{name}.key"),
                    "-out",
                    "payload.sig",
                    "payload.json",
                ],
                d,
            );
        } else {
            openssl(
                &[
                    "pkeyutl",
                    "-sign",
                    "-rawin",
                    "-inkey",
                    &format!("{name}.key"),
                    "-in",
                    "payload.json",
                    "-out",
                    "payload.sig",
                ],
                d,
            );
        }
        let sig = std::fs::read(d.join("payload.sig")).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(sig);
        cosign::attach_signature(&c, &r, &digest, &body, &b64).unwrap();
        let v = cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any).unwrap();
        assert!(v.verified, "{name}: {}", v.message);

        // We sign with openssl's key file; openssl verifies what we pushed.
        let r = reference(&reg, &format!("interop/{name}:ours"));
        let digest = push_image(&c, &r, &format!("{name} ours"), "amd64");
        let key = PrivateKey::from_file(&d.join(format!("{name}.key")), None).unwrap();
        cosign::sign(&c, &r, &key, None).unwrap();
        let sig_ref = r.with_tag(&format!("sha256-{}.sig", &digest[7..]));
        let m = c.get_manifest(&sig_ref, sig_ref.target()).unwrap();
        let im: ImageManifest = serde_json::from_slice(&m.bytes).unwrap();
        let payload = c.get_blob(&r, &im.layers[0].digest).unwrap();
        let sig = base64::engine::general_purpose::STANDARD
            .decode(&im.layers[0].annotations["dev.cosignproject.cosign/signature"])
            .unwrap();
        std::fs::write(d.join("ours.json"), &payload).unwrap();
        std::fs::write(d.join("ours.sig"), &sig).unwrap();
        let out = if ecdsa {
            openssl(
                &[
                    "dgst",
                    "-sha256",
                    "-verify",
                    &format!("{name}.pub"),
                    "-signature",
                    "ours.sig",
                    "ours.json",
                ],
                d,
            )
        } else {
            openssl(
                &[
                    "pkeyutl",
                    "-verify",
                    "-rawin",
                    "-pubin",
                    "-inkey",
                    &format!("{name}.pub"),
                    "-in",
                    "ours.json",
                    "-sigfile",
                    "ours.sig",
                ],
                d,
            )
        };
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains("Verified") || said.contains("verified"),
            "{name}: openssl said {said:?}"
        );
    }
}

#[test]
fn multi_platform_index_resolves_and_verifies() {
    let reg = Registry::start();
    let c = client(&reg);
    let repo = reference(&reg, "multi:1.0");
    let amd = push_image(&c, &repo.with_tag("amd64"), "amd64 build", "amd64");
    let arm = push_image(&c, &repo.with_tag("arm64"), "arm64 build", "arm64");
    let entry = |digest: &str, arch: &str, variant: Option<&str>| {
        let m = c.get_manifest(&repo, digest).unwrap();
        Descriptor {
            media_type: OCI_MANIFEST.into(),
            size: m.bytes.len() as u64,
            digest: digest.into(),
            annotations: BTreeMap::new(),
            platform: Some(Platform {
                os: "linux".into(),
                architecture: arch.into(),
                variant: variant.map(str::to_string),
            }),
            artifact_type: None,
        }
    };
    let index = ImageIndex {
        schema_version: 2,
        media_type: Some(OCI_INDEX.into()),
        manifests: vec![entry(&amd, "amd64", None), entry(&arm, "arm64", Some("v8"))],
    };
    let bytes = serde_json::to_vec(&index).unwrap();
    let index_digest = c.put_manifest(&repo, "1.0", &bytes, OCI_INDEX).unwrap();
    assert_eq!(c.resolve(&repo).unwrap(), index_digest);
    let p = c
        .get_platform_manifest(&repo, &Platform::parse("linux/arm64").unwrap())
        .unwrap();
    assert_eq!(p.digest, arm);
    let e = c
        .get_platform_manifest(&repo, &Platform::parse("linux/s390x").unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with(
            "no manifest for platform linux/s390x (the index has linux/amd64, linux/arm64/v8)"
        ),
        "{e}"
    );

    // Signing the tag signs the index, as cosign does.
    let (key, public) = keypair();
    let out = cosign::sign(&c, &repo, &key, None).unwrap();
    assert_eq!(out.digest, index_digest);
    assert!(
        cosign::verify(&c, &repo, std::slice::from_ref(&public), Require::Any)
            .unwrap()
            .verified
    );
    // The platform images themselves are not signed.
    let arm_ref = repo.with_digest(&arm);
    assert_eq!(
        cosign::verify(&c, &arm_ref, &[public], Require::Any)
            .unwrap()
            .reason,
        Some(Reason::NoSignature)
    );
}

#[test]
fn key_signed_sigstore_bundle_found_through_the_referrers_tag_fallback() {
    let reg = Registry::start();
    let c = client(&reg);
    let r = reference(&reg, "bundled:v1");
    let digest = push_image(&c, &r, "bundle", "amd64");
    let (key, public) = keypair();
    // A DSSE envelope over an in-toto statement naming the image, as cosign's new bundle
    // format writes it, in an artifact manifest whose subject is the image.
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"{}","digest":{{"sha256":"{}"}}}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{{}}}}"#,
        r.cosign_identity(),
        &digest[7..]
    );
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let pae = cosign::dsse_pae("application/vnd.in-toto+json", statement.as_bytes());
    let bundle = format!(
        r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{"publicKey":{{"hint":""}}}},"dsseEnvelope":{{"payload":"{}","payloadType":"application/vnd.in-toto+json","signatures":[{{"sig":"{}"}}]}}}}"#,
        b64(statement.as_bytes()),
        b64(&key.sign(&pae))
    );
    let bundle_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
    c.put_blob(&r, bundle.as_bytes()).unwrap();
    c.put_blob(&r, b"{}").unwrap();
    let subject = c.get_manifest(&r, &digest).unwrap();
    let artifact = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.into()),
        artifact_type: Some(bundle_type.into()),
        config: desc("application/vnd.oci.empty.v1+json", b"{}"),
        layers: vec![desc(bundle_type, bundle.as_bytes())],
        subject: Some(desc(OCI_MANIFEST, &subject.bytes)),
        annotations: BTreeMap::new(),
    };
    let artifact_bytes = serde_json::to_vec(&artifact).unwrap();
    let artifact_digest = sha256_digest(&artifact_bytes);
    c.put_manifest(&r, &artifact_digest, &artifact_bytes, OCI_MANIFEST)
        .unwrap();
    // distribution 2.8 has no referrers API: clients maintain the sha256-<hex> index.
    let mut entry = desc(OCI_MANIFEST, &artifact_bytes);
    entry.artifact_type = Some(bundle_type.into());
    let index = ImageIndex {
        schema_version: 2,
        media_type: Some(OCI_INDEX.into()),
        manifests: vec![entry],
    };
    c.put_manifest(
        &r,
        &format!("sha256-{}", &digest[7..]),
        &serde_json::to_vec(&index).unwrap(),
        OCI_INDEX,
    )
    .unwrap();

    let v = cosign::verify(&c, &r, std::slice::from_ref(&public), Require::Any).unwrap();
    assert!(v.verified, "{}", v.message);
    assert_eq!(v.signatures.len(), 1);
    assert_eq!(v.signatures[0].source, format!("bundle {artifact_digest}"));
    let (_, other) = keypair();
    let v = cosign::verify(&c, &r, &[other], Require::Any).unwrap();
    assert_eq!(v.reason, Some(Reason::WrongKey));
}

#[test]
fn https_with_a_custom_ca_and_plain_http_only_when_marked_insecure() {
    let reg = Registry::start_with(support::Options {
        tls: true,
        htpasswd: false,
    });
    let r = reference(&reg, "tls/app:v1");
    // Mozilla's roots do not include the test CA.
    let e = Client::new(ClientConfig::default())
        .unwrap()
        .resolve(&r)
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e}");
    let c = Client::new(ClientConfig {
        ca_file: Some(reg.ca_file()),
        ..ClientConfig::default()
    })
    .unwrap();
    let digest = push_image(&c, &r, "tls", "amd64");
    assert_eq!(c.resolve(&r).unwrap(), digest);

    // A plain-HTTP registry is not spoken to over HTTP unless listed as insecure.
    let plain = Registry::start();
    let r = reference(&plain, "app:v1");
    let e = Client::new(ClientConfig::default())
        .unwrap()
        .resolve(&r)
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e}");
}

#[test]
fn basic_auth_from_a_docker_config() {
    let reg = Registry::start_with(support::Options {
        tls: false,
        htpasswd: true,
    });
    let r = reference(&reg, "private/app:v1");
    let anonymous = client(&reg);
    let e = anonymous.resolve(&r).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "authenticating to {}: the registry wants basic credentials and none are configured",
            reg.host
        )
    );
    let mut auth = stockade_image::auth::AuthStore::new();
    let config = format!(
        r#"{{"auths":{{"http://{}":{{"auth":"{}"}}}}}}"#,
        reg.host,
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            support::USER,
            support::PASSWORD
        ))
    );
    auth.add_docker_config_json(&config, "config.json").unwrap();
    let c = Client::new(ClientConfig {
        insecure: vec![reg.host.clone()],
        auth,
        ..ClientConfig::default()
    })
    .unwrap();
    let digest = push_image(&c, &r, "private", "amd64");
    let (key, public) = keypair();
    cosign::sign(&c, &r, &key, None).unwrap();
    let v = cosign::verify(&c, &r, &[public], Require::Any).unwrap();
    assert!(v.verified, "{}", v.message);
    assert_eq!(v.digest, digest);
}

#[test]
fn image_policy_verifies_caches_and_applies_the_failure_mode() {
    use stockade_image::policy::{Decision, ImagePolicy};
    let reg = Registry::start();
    let c = client(&reg);
    let signed = reference(&reg, "prod/app:v1");
    let digest = push_image(&c, &signed, "policy signed", "amd64");
    let later = reference(&reg, "prod/later:v1");
    push_image(&c, &later, "policy later", "amd64");
    let (key, public) = keypair();
    cosign::sign(&c, &signed, &key, None).unwrap();
    cosign::sign(&c, &later, &key, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("team.pub"), public.to_pem()).unwrap();
    let (_, stranger) = keypair();
    std::fs::write(dir.path().join("stranger.pub"), stranger.to_pem()).unwrap();
    let yaml = |on_error: &str| {
        format!(
            "check: ignored\nimages:\n  on-error: {on_error}\n  default: deny\n  cache-ttl: 1h\n  cache-size: 2\n  timeout: 2s\n  rules:\n    - image: \"{h}/prod/**\"\n      keys: [team.pub]\n    - image: \"{h}/other/**\"\n      keys: [stranger.pub]\n      message: other must be signed by the stranger\n",
            h = reg.host
        )
    };
    let cfg = || ClientConfig {
        insecure: vec![reg.host.clone()],
        ..ClientConfig::default()
    };
    let deny = ImagePolicy::from_yaml_section(&yaml("deny"), "p.yaml", dir.path(), cfg()).unwrap();
    let allow =
        ImagePolicy::from_yaml_section(&yaml("allow"), "p.yaml", dir.path(), cfg()).unwrap();
    let image = signed.to_string();
    assert!(deny.needs_registry(&image));
    match deny.evaluate(&image) {
        Decision::Allow { digest: d, .. } => assert_eq!(d, Some(digest.clone())),
        other => panic!("{other:?}"),
    }
    assert_eq!(deny.registry_calls(), 1);
    assert!(deny.evaluate(&image).allowed());
    assert_eq!(
        deny.registry_calls(),
        1,
        "the second verdict comes from the cache"
    );

    let other = reference(&reg, "other/app:v1");
    push_image(&c, &other, "other", "amd64");
    cosign::sign(&c, &other, &key, None).unwrap();
    match deny.evaluate(&other.to_string()) {
        Decision::Deny { reason } => assert!(
            reason.starts_with("other must be signed by the stranger: 1 signature(s) found, none verifies with stranger.pub"),
            "{reason}"
        ),
        d => panic!("{d:?}"),
    }
    assert_eq!(deny.cached(), 2);
    // Images no rule names are denied by `default: deny` without a registry call.
    let calls = deny.registry_calls();
    assert!(!deny.evaluate("docker.io/library/nginx:1").allowed());
    assert_eq!(deny.registry_calls(), calls);

    // Registry down: cached verdicts still hold; new images follow on-error.
    assert!(allow.evaluate(&image).allowed());
    drop(reg);
    assert!(deny.evaluate(&image).allowed());
    match deny.evaluate(&later.to_string()) {
        Decision::Deny { reason } => assert!(
            reason.starts_with(&format!("cannot verify {later}: ")),
            "{reason}"
        ),
        d => panic!("{d:?}"),
    }
    match allow.evaluate(&later.to_string()) {
        Decision::Warn { warning } => assert!(
            warning.starts_with(&format!("{later} admitted without verification: ")),
            "{warning}"
        ),
        d => panic!("{d:?}"),
    }
}
