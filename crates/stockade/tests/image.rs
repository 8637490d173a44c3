//! `stockade image`: generate-key-pair, sign, verify and resolve through the real binary,
//! against a real registry (docker-registry on 127.0.0.1, see the stockade-image tests).

#[path = "../../stockade-image/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use stockade_image::manifest::{
    Descriptor, ImageManifest, OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST,
};
use stockade_image::{Client, ClientConfig, Reference, sha256_digest};

fn run(dir: &Path, args: &[&str], password: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stockade"));
    cmd.current_dir(dir)
        .args(args)
        .env("DOCKER_CONFIG", dir.join("no-docker-config"));
    match password {
        Some(p) => cmd.env("COSIGN_PASSWORD", p),
        None => cmd.env_remove("COSIGN_PASSWORD"),
    };
    let out = cmd.output().expect("run stockade");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn desc(media_type: &str, bytes: &[u8]) -> Descriptor {
    Descriptor {
        media_type: media_type.into(),
        size: bytes.len() as u64,
        digest: sha256_digest(bytes),
        annotations: BTreeMap::new(),
        platform: None,
        artifact_type: None,
    }
}

fn push_image(c: &Client, r: &Reference, content: &str) -> String {
    let layer = support::tar_with_file("hello.txt", content.as_bytes());
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{}"]}},"config":{{}}}}"#,
        sha256_digest(&layer)
    );
    c.put_blob(r, &layer).unwrap();
    c.put_blob(r, config.as_bytes()).unwrap();
    let m = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.into()),
        artifact_type: None,
        config: desc(OCI_CONFIG, config.as_bytes()),
        layers: vec![desc(OCI_LAYER_TAR, &layer)],
        subject: None,
        annotations: BTreeMap::new(),
    };
    c.put_manifest(
        r,
        r.target(),
        &serde_json::to_vec(&m).unwrap(),
        OCI_MANIFEST,
    )
    .unwrap()
}

#[test]
fn generate_sign_verify_resolve_with_exit_codes() {
    let reg = support::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = Client::new(ClientConfig {
        insecure: vec![reg.host.clone()],
        ..ClientConfig::default()
    })
    .unwrap();
    let image = format!("{}/cli/app:v1", reg.host);
    let digest = push_image(&client, &Reference::parse(&image).unwrap(), "cli");
    let unsigned = format!("{}/cli/unsigned:v1", reg.host);
    push_image(&client, &Reference::parse(&unsigned).unwrap(), "unsigned");
    let host = reg.host.clone();
    let insecure = ["--insecure-registry", host.as_str()];

    let (code, out, _) = run(d, &["image", "generate-key-pair"], Some("pw"));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "Private key written to cosign.key\nPublic key written to cosign.pub\n"
    );
    let key = std::fs::read_to_string(d.join("cosign.key")).unwrap();
    assert!(key.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    let (code, _, err) = run(d, &["image", "generate-key-pair"], Some("pw"));
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "stockade: error: cosign.key exists; not overwriting it\n"
        )
    );
    let (code, ..) = run(
        d,
        &["image", "generate-key-pair", "--output-key-prefix", "other"],
        Some(""),
    );
    assert_eq!(code, 0);

    // Encrypted key without its password: a usage error, nothing pushed.
    let (code, _, err) = run(
        d,
        &[
            &["image", "sign", &image, "--key", "cosign.key"][..],
            &insecure,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("set COSIGN_PASSWORD"), "{err}");
    let (code, _, err) = run(
        d,
        &[
            &["image", "sign", &image, "--key", "cosign.key"][..],
            &insecure,
        ]
        .concat(),
        Some("wrong"),
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "stockade: error: cosign.key: wrong password (or corrupt key): decryption failed\n"
    );

    let (code, out, err) = run(
        d,
        &[
            &["image", "sign", &image, "--key", "cosign.key"][..],
            &insecure,
        ]
        .concat(),
        Some("pw"),
    );
    assert_eq!(code, 0, "{err}");
    let hex = &digest[7..];
    assert_eq!(
        out,
        format!(
            "signed {image}@{digest}: {}/cli/app:sha256-{hex}.sig (1 signature(s))\n",
            reg.host
        )
    );

    let (code, out, _) = run(
        d,
        &[
            &["image", "verify", &image, "--key", "cosign.pub"][..],
            &insecure,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        format!(
            "VERIFIED {image}@{digest}: verified: signed by cosign.pub (1 of 1 signature(s) valid)\n  ok   sha256-{hex}.sig layer 0: signed by cosign.pub for {}/cli/app\n",
            reg.host
        )
    );

    // Wrong key and unsigned image: exit 1 with the reason.
    let (code, out, _) = run(
        d,
        &[
            &["image", "verify", &image, "--key", "other.pub"][..],
            &insecure,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 1);
    assert!(out.starts_with(&format!("NOT VERIFIED [wrong-key] {image}@{digest}: 1 signature(s) found, none verifies with other.pub")), "{out}");
    let (code, out, _) = run(
        d,
        &[
            &[
                "image",
                "verify",
                &image,
                &unsigned,
                "--key",
                "cosign.pub",
                "-o",
                "json",
            ][..],
            &insecure,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["verified"], true);
    assert_eq!(v[0]["verified_by"], serde_json::json!(["cosign.pub"]));
    assert_eq!(v[1]["verified"], false);
    assert_eq!(v[1]["reason"], "no-signature");
    // --require all with a key that never signed.
    let (code, out, _) = run(
        d,
        &[
            &[
                "image",
                "verify",
                &image,
                "--key",
                "cosign.pub",
                "--key",
                "other.pub",
                "--require",
                "all",
            ][..],
            &insecure,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("NOT VERIFIED [missing-keys]"), "{out}");

    let (code, out, _) = run(
        d,
        &[&["image", "resolve", &image][..], &insecure].concat(),
        None,
    );
    assert_eq!((code, out), (0, format!("{image}@{digest}\n")));

    // Without --insecure-registry the plain-HTTP registry is not used: an error, exit 2.
    let (code, _, err) = run(
        d,
        &[
            "image",
            "verify",
            &image,
            "--key",
            "cosign.pub",
            "--registry-timeout",
            "2s",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "stockade: error: verifying {image}: https://{}/v2/cli/app/manifests/v1:",
            reg.host
        )),
        "{err}"
    );
    // A bad key file is an error before any registry call.
    std::fs::write(d.join("bad.pub"), "not a key").unwrap();
    let (code, _, err) = run(d, &["image", "verify", &image, "--key", "bad.pub"], None);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("stockade: error: bad.pub: not a PEM public key"),
        "{err}"
    );

    // Registry gone: exit 2.
    drop(reg);
    let (code, _, _) = run(
        d,
        &[
            &[
                "image",
                "verify",
                &image,
                "--key",
                "cosign.pub",
                "--registry-timeout",
                "2s",
            ][..],
            &insecure,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 2);
}
