//! `stockade image`: generate-key-pair, sign, verify and resolve through the real binary,
//! against a real registry (docker-registry on 127.0.0.1, see the stockade-image tests).

use std::path::Path;
use std::process::Command;

use stockade_image::Reference;
use stockade_image::testing::{self as support, push_image};

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

#[test]
fn generate_sign_verify_resolve_with_exit_codes() {
    let reg = support::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = support::client(&reg);
    let image = format!("{}/cli/app:v1", reg.host);
    let digest = push_image(&client, &Reference::parse(&image).unwrap(), "cli", "amd64");
    let unsigned = format!("{}/cli/unsigned:v1", reg.host);
    push_image(
        &client,
        &Reference::parse(&unsigned).unwrap(),
        "unsigned",
        "amd64",
    );
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

#[test]
fn scan_verify_images_reports_refused_images_once_per_container() {
    let reg = support::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = support::client(&reg);
    let h = reg.host.clone();
    let signed = format!("{h}/team/app:v1");
    push_image(
        &client,
        &Reference::parse(&signed).unwrap(),
        "signed",
        "amd64",
    );
    let unsigned = format!("{h}/team/unsigned:v1");
    push_image(
        &client,
        &Reference::parse(&unsigned).unwrap(),
        "unsigned",
        "amd64",
    );
    let key = stockade_image::PrivateKey::generate_p256().unwrap();
    stockade_image::cosign::sign(&client, &Reference::parse(&signed).unwrap(), &key, None).unwrap();
    std::fs::create_dir(d.join("keys")).unwrap();
    std::fs::write(d.join("keys/team.pub"), key.public_key().to_pem()).unwrap();
    // Key paths are relative to the configuration file.
    std::fs::write(
        d.join(".stockade.yaml"),
        format!(
            "select: [STK212]\nimages:\n  rules:\n    - image: \"{h}/team/**\"\n      keys: [keys/team.pub]\n    - image: \"docker.io/library/*\"\n      action: allow\n    - image: \"**\"\n      action: deny\n      message: not an approved registry\n"
        ),
    )
    .unwrap();
    std::fs::create_dir(d.join("k8s")).unwrap();
    // The unsigned image twice (two containers, verified once), a signed one, one that a rule
    // denies, one that a rule allows.
    std::fs::write(
        d.join("k8s/pods.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: ok\n      image: {signed}\n    - name: bad\n      image: {unsigned}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: init\n          image: {unsigned}\n      containers:\n        - name: web\n          image: nginx:1.27\n        - name: miner\n          image: quay.io/evil/miner:1\n"
        ),
    )
    .unwrap();
    let host = h.as_str();
    let (code, out, err) = run(
        d,
        &[
            "scan",
            "k8s",
            "--verify-images",
            "--insecure-registry",
            host,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, u64, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["container"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2.as_str()),
        ("STK212", 10, "bad")
    );
    assert!(
        found[0].3.starts_with(&format!(
            "image {unsigned} is refused: {unsigned}: no signature"
        )),
        "{}",
        found[0].3
    );
    assert_eq!((found[1].1, found[1].2.as_str()), (21, "init"));
    assert_eq!(found[1].3, found[0].3);
    assert_eq!(
        (found[2].1, found[2].2.as_str(), found[2].3.as_str()),
        (
            26,
            "miner",
            "image quay.io/evil/miner:1 is refused: not an approved registry"
        )
    );
    assert_eq!(report["findings"][0]["severity"], "high");

    // Without --verify-images: no registry is asked (it is stopped), no finding.
    drop(reg);
    let (code, out, err) = run(d, &["scan", "k8s", "--format", "json"], None);
    assert_eq!(code, 0, "{out}{err}");
    // With it and the registry gone: the signed image cannot be verified either (on-error
    // deny by default).
    let (code, out, _) = run(
        d,
        &[
            "scan",
            "k8s",
            "--verify-images",
            "--insecure-registry",
            host,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "image {signed} is refused: cannot verify {signed}"
        )),
        "{out}"
    );

    // --verify-images without an `images:` section is a usage error.
    std::fs::write(d.join(".stockade.yaml"), "select: [STK212]\n").unwrap();
    let (code, _, err) = run(d, &["scan", "k8s", "--verify-images"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("--verify-images needs an `images:` section"),
        "{err}"
    );
}
