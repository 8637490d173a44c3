//! Registry references as targets of `stockade sbom` and `stockade vuln`: a multi-layer image
//! pushed to a real registry (docker-registry on 127.0.0.1, see the stockade-image tests) gives
//! the same inventory as the same blobs written as an OCI layout, and a corrupted layer is
//! caught by its digest.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use stockade_image::manifest::{Descriptor, ImageManifest, OCI_CONFIG, OCI_MANIFEST};
use stockade_image::testing as support;
use stockade_image::{Client, Reference, sha256_digest};

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir)
        .args(args)
        .env("DOCKER_CONFIG", dir.join("no-docker-config"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run stockade");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A tar stream of regular files (no end-of-archive blocks between them).
fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        let one = support::tar_with_file(name, data);
        out.extend_from_slice(&one[..one.len() - 1024]);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

const STATUS: &str = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n\
Source: glibc\nVersion: 2.36-9+deb12u4\n\nPackage: libssl3\nStatus: install ok installed\n\
Architecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n";

fn metadata(name: &str, version: &str) -> String {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
}

/// Three layers, one per compression: the OS (gzip), two Python packages (plain tar), a
/// whiteout removing one of them and a new package (zstd). Returns (config, layers).
fn image_blobs() -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let requests = metadata("requests", "2.31.0");
    let six = metadata("six", "1.16.0");
    let urllib3 = metadata("urllib3", "1.26.5");
    let uncompressed = [
        tar(&[
            ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
            ("var/lib/dpkg/status", STATUS.as_bytes()),
        ]),
        tar(&[
            (
                "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
                requests.as_bytes(),
            ),
            (
                "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
                six.as_bytes(),
            ),
        ]),
        tar(&[
            (
                "usr/lib/python3/dist-packages/.wh.six-1.16.0.dist-info",
                b"",
            ),
            (
                "usr/lib/python3/dist-packages/urllib3-1.26.5.dist-info/METADATA",
                urllib3.as_bytes(),
            ),
        ]),
    ];
    let blobs = [
        ("gzip", gzip(&uncompressed[0])),
        ("", uncompressed[1].clone()),
        ("zstd", zstd(&uncompressed[2])),
    ];
    let diff_ids: Vec<String> = uncompressed.iter().map(|u| sha256_digest(u)).collect();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux", "created": "2024-05-01T10:00:00Z",
        "config": {"User": "65532", "Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}
    }))
    .unwrap();
    let layers = blobs
        .into_iter()
        .map(|(c, b)| {
            let media = match c {
                "" => "application/vnd.oci.image.layer.v1.tar".to_string(),
                c => format!("application/vnd.oci.image.layer.v1.tar+{c}"),
            };
            (media, b)
        })
        .collect();
    (config, layers)
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

fn manifest(config: &[u8], layers: &[(String, Vec<u8>)]) -> Vec<u8> {
    serde_json::to_vec(&ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.into()),
        artifact_type: None,
        config: desc(OCI_CONFIG, config),
        layers: layers.iter().map(|(m, b)| desc(m, b)).collect(),
        subject: None,
        annotations: BTreeMap::new(),
    })
    .unwrap()
}

/// Pushes the image under `tag`, and a one-entry index for linux/amd64 under `tag-index`
/// (the multi-arch path); returns the manifest's digest.
fn push(c: &Client, r: &Reference, config: &[u8], layers: &[(String, Vec<u8>)]) -> String {
    for (_, b) in layers {
        c.put_blob(r, b).unwrap();
    }
    c.put_blob(r, config).unwrap();
    let m = manifest(config, layers);
    let digest = c.put_manifest(r, r.target(), &m, OCI_MANIFEST).unwrap();
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": digest, "size": m.len(),
             "platform": {"os": "linux", "architecture": "amd64"}}
        ]
    });
    let tag = format!("{}-index", r.target());
    c.put_manifest(
        r,
        &tag,
        &serde_json::to_vec(&index).unwrap(),
        "application/vnd.oci.image.index.v1+json",
    )
    .unwrap();
    digest
}

fn write_layout(dir: &Path, config: &[u8], layers: &[(String, Vec<u8>)]) {
    let blob = |bytes: &[u8]| {
        let p = dir.join("blobs/sha256").join(&sha256_digest(bytes)[7..]);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    for (_, b) in layers {
        blob(b);
    }
    blob(config);
    let m = manifest(config, layers);
    blob(&m);
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": sha256_digest(&m), "size": m.len()}
    ]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// The inventory JSON without the target's name and kind, which differ by source.
fn inventory(stdout: &str) -> Value {
    let mut v: Value = serde_json::from_str(stdout).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("target");
    o.remove("kind");
    v
}

#[test]
fn sbom_and_vuln_of_a_registry_image_equal_those_of_the_same_oci_layout() {
    let reg = support::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = support::client(&reg);
    let image = format!("{}/sbom/app:v1", reg.host);
    let r = Reference::parse(&image).unwrap();
    let (config, layers) = image_blobs();
    let digest = push(&client, &r, &config, &layers);
    let layout = d.join("layout");
    write_layout(&layout, &config, &layers);

    let (code, local, stderr) = run(d, &["sbom", "layout", "--format", "json"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let local = inventory(&local);
    let names: Vec<(&str, &str)> = local["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["layer"].as_str().unwrap()))
        .collect();
    let layer = |i: usize| sha256_digest(&layers[i].1);
    assert_eq!(
        names,
        [
            ("libc6", layer(0).as_str()),
            ("libssl3", layer(0).as_str()),
            ("requests", layer(1).as_str()),
            ("urllib3", layer(2).as_str()),
        ]
    );

    let insecure = ["--insecure-registry", reg.host.as_str()];
    for reference in [image.clone(), format!("{image}-index")] {
        let mut args = vec!["sbom", reference.as_str(), "--format", "json"];
        args.extend(insecure);
        let (code, out, stderr) = run(d, &args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{reference}");
        let full: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(full["kind"], "registry");
        assert_eq!(full["target"], format!("{reference}@{digest}"));
        assert_eq!(inventory(&out), local, "{reference}");
    }

    // CycloneDX from the registry equals the layout's but for the subject's name.
    let mut args = vec!["sbom", image.as_str()];
    args.extend(insecure);
    let (code, registry_bom, _) = run(d, &args);
    assert_eq!(code, 0);
    let (_, layout_bom, _) = run(d, &["sbom", "layout"]);
    let strip = |s: &str| {
        let mut v: Value = serde_json::from_str(s).unwrap();
        v["metadata"]["component"]
            .as_object_mut()
            .unwrap()
            .retain(|k, _| k == "type");
        v.as_object_mut().unwrap().remove("serialNumber");
        v
    };
    assert_eq!(strip(&registry_bom), strip(&layout_bom));

    // `stockade vuln IMAGE` names the layer that introduced each vulnerable package.
    let osv = d.join("GHSA-test-0001.json");
    std::fs::write(
        &osv,
        r#"{"id": "GHSA-test-0001", "modified": "2024-06-01T00:00:00Z",
            "summary": "urllib3 test advisory",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "urllib3"},
              "ranges": [{"type": "ECOSYSTEM",
                          "events": [{"introduced": "0"}, {"fixed": "1.26.18"}]}]}],
            "database_specific": {"severity": "HIGH"}}"#,
    )
    .unwrap();
    let db = d.join("db");
    let db = db.to_str().unwrap();
    let (code, _, stderr) = run(d, &["db", "import", "--db", db, osv.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let scan = |format: &str, command: &[&str]| {
        let mut args = command.to_vec();
        args.extend([image.as_str(), "--db", db, "--format", format]);
        args.extend(insecure);
        run(d, &args)
    };
    let (code, out, stderr) = scan("json", &["vuln"]);
    assert_eq!(code, 1, "{stderr}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["packages"], 4);
    let m = &v["matches"].as_array().unwrap()[..];
    assert_eq!(m.len(), 1, "{out}");
    assert_eq!(
        (&m[0]["id"], &m[0]["package"], &m[0]["layer"]),
        (
            &json!("GHSA-test-0001"),
            &json!("urllib3"),
            &json!(layer(2))
        )
    );
    let (code, out, _) = scan("text", &["image", "scan"]);
    assert_eq!(code, 1);
    let short = &layer(2)[7..19];
    assert_eq!(
        out.lines().take(2).collect::<Vec<_>>(),
        [
            "ID              SEVERITY  PACKAGE  INSTALLED  FIXED    LAYER         SUMMARY"
                .to_string(),
            format!(
                "GHSA-test-0001  high      urllib3  1.26.5     1.26.18  {short}  urllib3 test advisory"
            )
        ]
    );

    // Ignore entries in .stockade.yaml, limited to images by a glob.
    let config = |image_glob: &str| {
        std::fs::write(
            d.join(".stockade.yaml"),
            format!(
                "vulnerabilities:\n  ignore:\n    - id: GHSA-test-0001\n      package: url*\n      image: \"{image_glob}\"\n      reason: not reachable\n"
            ),
        )
        .unwrap();
    };
    config(&format!("{}/sbom/*", reg.host));
    let (code, out, stderr) = scan("json", &["vuln"]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matches"], json!([]));
    assert_eq!(
        (&v["suppressed"][0]["id"], &v["suppressed"][0]["reason"]),
        (&json!("GHSA-test-0001"), &json!("not reachable"))
    );
    config(&format!("{}/other/*", reg.host));
    let (code, _, _) = scan("json", &["vuln"]);
    assert_eq!(code, 1);
    let mut args = vec!["vuln", image.as_str(), "--db", db, "--no-config"];
    args.extend(insecure);
    config(&format!("{}/sbom/*", reg.host));
    assert_eq!(run(d, &args).0, 1);
    std::fs::write(
        d.join(".stockade.yaml"),
        "vulnerabilities:\n  ignore:\n    - id: GHSA-test-0001\n      reason: \"\"\n",
    )
    .unwrap();
    let (code, _, stderr) = scan("json", &["vuln"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("ignore entry 1 (GHSA-test-0001): empty reason"),
        "{stderr}"
    );
    std::fs::remove_file(d.join(".stockade.yaml")).unwrap();

    // A platform the image does not have is an error naming what there is.
    let index_ref = format!("{image}-index");
    let mut args = vec!["sbom", index_ref.as_str(), "--platform", "linux/arm64"];
    args.extend(insecure);
    let (code, _, stderr) = run(d, &args);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no manifest for platform linux/arm64 (the index has linux/amd64)"),
        "{stderr}"
    );
    // Without --insecure-registry the registry is spoken to over HTTPS, which fails.
    let (code, _, stderr) = run(d, &["sbom", image.as_str()]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn a_layer_whose_content_does_not_match_its_digest_is_reported() {
    let reg = support::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = support::client(&reg);
    let image = format!("{}/sbom/tampered:v1", reg.host);
    let r = Reference::parse(&image).unwrap();
    let (config, layers) = image_blobs();
    push(&client, &r, &config, &layers);
    // Overwrite the stored plain-tar layer with other bytes of the same length.
    let hex = &sha256_digest(&layers[1].1)[7..];
    let data = reg
        .dir
        .path()
        .join("storage/docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(hex)
        .join("data");
    let mut bytes = std::fs::read(&data).unwrap();
    let at = bytes
        .windows(15)
        .position(|w| w == b"Version: 2.31.0")
        .unwrap();
    bytes[at + 9..at + 15].copy_from_slice(b"9.99.9");
    std::fs::write(&data, bytes).unwrap();

    let (code, out, stderr) = run(
        d,
        &[
            "sbom",
            image.as_str(),
            "--format",
            "json",
            "--insecure-registry",
            reg.host.as_str(),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let err = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        err.contains("content digest is sha256:")
            && err.ends_with(&format!(
                "expected sha256:{hex}; nothing of this layer is used"
            )),
        "{err}"
    );
    assert_eq!(
        v["errors"][0]["location"],
        format!("layer 2 (sha256:{hex})")
    );
    // Nothing of the tampered layer is listed.
    let names: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["libc6", "libssl3", "urllib3"]);
}

/// Not a test: the figures for BENCHMARKS.md (time and peak RSS of `stockade sbom` on a
/// registry image with one large layer, next to the same image as an OCI layout). Run with
/// `STOCKADE_BENCH_MB=200 cargo test -p stockade --test pull -- --ignored --nocapture`;
/// STOCKADE_BIN picks another binary (a release build).
#[test]
#[ignore = "benchmark: prints figures, asserts nothing about them"]
fn figures_registry_pull_time_and_peak_rss() {
    let mb: usize = std::env::var("STOCKADE_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let bin = std::env::var("STOCKADE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_stockade").to_string());
    let reg = support::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = support::client(&reg);
    // Incompressible content (xorshift), as binaries and compressed assets mostly are.
    let mut big = vec![0u8; mb << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in big.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let (config, mut layers) = image_blobs();
    let large = gzip(&tar(&[
        ("opt/data/blob.bin", &big),
        (
            "usr/lib/python3/dist-packages/idna-3.4.dist-info/METADATA",
            metadata("idna", "3.4").as_bytes(),
        ),
    ]));
    drop(big);
    layers.insert(
        1,
        ("application/vnd.oci.image.layer.v1.tar+gzip".into(), large),
    );
    // The config's diff_ids no longer line up; the inventory does not need them.
    let size: usize = layers.iter().map(|(_, b)| b.len()).sum();
    let image = format!("{}/bench/large:v1", reg.host);
    let r = Reference::parse(&image).unwrap();
    push(&client, &r, &config, &layers);
    write_layout(&d.join("layout"), &config, &layers);
    drop(layers);
    let measure = |target: &str| {
        let out = Command::new("/usr/bin/time")
            .current_dir(d)
            .args(["-f", "%e %M", &bin, "sbom", target, "--format", "json"])
            .args(["--insecure-registry", reg.host.as_str()])
            .env("DOCKER_CONFIG", d.join("none"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let packages = serde_json::from_slice::<Value>(&out.stdout).unwrap()["packages"]
            .as_array()
            .unwrap()
            .len();
        let last = err.lines().last().unwrap_or("").to_string();
        let (secs, kb) = last.split_once(' ').unwrap();
        println!(
            "{target}: image {:.1} MB, {packages} packages, {secs} s, peak RSS {:.1} MB",
            size as f64 / 1e6,
            kb.parse::<f64>().unwrap() / 1024.0
        );
    };
    for _ in 0..2 {
        measure(&image);
        measure("layout");
    }
}
