//! `stockade scan --images`, `stockade image lint REFERENCE` and `stockade vuln --format
//! sarif` against a real registry (docker-registry on 127.0.0.1, see stockade-image's
//! `testing`): the image-lint fixture images are pushed, and a Deployment and a CronJob that
//! use them get the image findings at each container's `image:` line.

mod fixture_images;
#[path = "../../stockade-sbom/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use fixture_images::{clean, dirty};
use serde_json::{Value, json};
use stockade_image::manifest::{ImageManifest, OCI_CONFIG, OCI_MANIFEST};
use stockade_image::testing::{self, Registry, desc};
use stockade_image::{Client, Reference};

fn run(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir)
        .args(args)
        .env("DOCKER_CONFIG", dir.join("no-docker-config"))
        .env_remove("STOCKADE_DB")
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .output()
        .expect("run stockade");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap(),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Pushes a fixture image (its layers under their real digests); returns the manifest digest.
fn push(c: &Client, reference: &str, image: &support::Image) -> String {
    let r = Reference::parse(reference).unwrap();
    let config = serde_json::to_vec(&image.config).unwrap();
    let mut layers = Vec::new();
    for (_, media, blob) in &image.layers {
        c.put_blob(&r, blob).unwrap();
        layers.push(desc(media, blob));
    }
    c.put_blob(&r, &config).unwrap();
    let m = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.into()),
        artifact_type: None,
        config: desc(OCI_CONFIG, &config),
        layers,
        subject: None,
        annotations: Default::default(),
    };
    c.put_manifest(
        &r,
        r.target(),
        &serde_json::to_vec(&m).unwrap(),
        OCI_MANIFEST,
    )
    .unwrap()
}

/// The two manifests with the registry's address and the clean image's digest filled in.
fn write_manifests(dir: &Path, host: &str, clean_digest: &str, annotate: bool) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan-images");
    for name in ["deploy.yaml", "cronjob.yaml"] {
        let mut text = std::fs::read_to_string(fixtures.join(name))
            .unwrap()
            .replace("REGISTRY", host)
            .replace("CLEAN_DIGEST", clean_digest);
        if annotate && name == "deploy.yaml" {
            // The pod template's annotations: curl in the `app` container's image only.
            text = text.replace(
                "      labels:\n        app: web\n",
                "      labels:\n        app: web\n      annotations:\n        ignore.stockade.dev/image-download-tool-present.app: \"curl is the readiness probe\"\n",
            );
        }
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// (file, line, check, container) of every finding, in report order.
fn located(doc: &Value) -> Vec<(String, u64, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {doc}"))
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["check"].as_str().unwrap().to_string(),
                f["container"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

/// The image-check IDs of the dirty image, in order (see the image-lint tests).
const DIRTY: [&str; 11] = [
    "STK1101", "STK1102", "STK1102", "STK1103", "STK1104", "STK1107", "STK1107", "STK1108",
    "STK1109", "STK1110", "STK1113",
];

fn at(
    file: &str,
    line: u64,
    checks: &[&str],
    container: &str,
) -> Vec<(String, u64, String, String)> {
    checks
        .iter()
        .map(|c| (file.to_string(), line, c.to_string(), container.to_string()))
        .collect()
}

/// Every expected finding: cronjob.yaml (clean init container, dirty container), then
/// deploy.yaml (dirty app, clean proxy), each image finding once per container.
fn expected(
    vulns: &[&'static str],
    annotated: bool,
    without_app_curl: bool,
) -> Vec<(String, u64, String, String)> {
    let dirty_with = |vulns: &[&'static str], drop_curl: bool| -> Vec<&'static str> {
        let mut v: Vec<&'static str> = DIRTY.to_vec();
        if drop_curl {
            v.retain(|c| *c != "STK1104");
        }
        // STK213 sorts before the STK11xx checks.
        let mut all = vulns.to_vec();
        all.extend(v);
        all
    };
    let mut e = at("./cronjob.yaml", 15, &["STK1113"], "fetch");
    e.extend(at(
        "./cronjob.yaml",
        18,
        &dirty_with(vulns, false),
        "report",
    ));
    // The annotation takes two lines above the containers.
    let shift = if annotated { 2 } else { 0 };
    e.extend(at(
        "./deploy.yaml",
        17 + shift,
        &dirty_with(vulns, without_app_curl),
        "app",
    ));
    e.extend(at("./deploy.yaml", 19 + shift, &["STK1113"], "proxy"));
    e
}

#[test]
fn scan_images_reports_image_findings_at_each_container_using_the_image() {
    let reg = Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = testing::client(&reg);
    let host = reg.host.clone();
    let host = host.as_str();
    push(&client, &format!("{host}/shop/dirty:v1"), &dirty());
    let clean_digest = push(&client, &format!("{host}/shop/clean:v1"), &clean());
    write_manifests(d, host, &clean_digest, false);
    let db = d.join("db");
    let db = db.to_str().unwrap();
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            ".",
            "--images",
            "--insecure-registry",
            host,
            "--format",
            "json",
            "--select",
            "image,image-has-vulnerabilities",
            "--db",
            db,
            // The opt-in image checks (the fixtures are from 2024 and have no HEALTHCHECK).
            "--ignore",
            "image-too-old,image-healthcheck-missing",
        ];
        args.extend(extra);
        run(d, &args)
    };

    // No database: said once on standard error, the image checks still run.
    let (code, doc, stderr) = scan(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.matches("no vulnerability database in").count(),
        1,
        "{stderr}"
    );
    assert_eq!(located(&doc), expected(&[], false, false));
    let f = &doc["findings"][1];
    assert_eq!(f["object"]["kind"], "CronJob");
    assert_eq!(
        f["path"],
        "spec.jobTemplate.spec.template.spec.containers[0].image"
    );
    assert_eq!(f["severity"], "high");
    assert_eq!(
        f["message"],
        format!("image {host}/shop/dirty:v1: no USER is set: the image runs as root [config.User]")
    );
    assert_eq!(doc["summary"]["errors"], 0);

    // With a database: the busybox advisories at each container of the dirty image, severity
    // from the advisory.
    let advisories =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan-images/advisories.json");
    let (code, _, stderr) = run(
        d,
        &["db", "import", "--db", db, advisories.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, doc, stderr) = scan(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("no vulnerability database"), "{stderr}");
    assert_eq!(located(&doc), expected(&["STK213", "STK213"], false, false));
    let vulns: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "STK213")
        .map(|f| {
            (
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    let layer = {
        let blob = &dirty().layers[0].2;
        stockade_image::sha256_digest(blob)[7..19].to_string()
    };
    let fixed = format!(
        "image {host}/shop/dirty:v1: CVE-2099-0001 (GHSA-test-bbox-0001) in busybox 1.36.1-r29, fixed in 1.36.1-r30 (layer {layer}): busybox test advisory (fixed)"
    );
    let unfixed = format!(
        "image {host}/shop/dirty:v1: CVE-2099-0002 in busybox 1.36.1-r29, no fix yet (layer {layer}): busybox test advisory (no fix)"
    );
    let pair = [("critical", fixed.as_str()), ("low", unfixed.as_str())];
    assert_eq!(vulns, [pair, pair].concat());

    // The configuration's `vulnerabilities:` section applies: ignore-unfixed, an ignore
    // entry limited to another image, a severity override of the check.
    std::fs::write(
        d.join(".stockade.yaml"),
        format!(
            "vulnerabilities:\n  ignore-unfixed: true\n  ignore:\n    - id: GHSA-test-bbox-0001\n      image: \"{host}/other/*\"\n      reason: not this one\n"
        ),
    )
    .unwrap();
    let (code, doc, stderr) = scan(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(located(&doc), expected(&["STK213"], false, false));
    std::fs::write(
        d.join(".stockade.yaml"),
        format!(
            "vulnerabilities:\n  min-severity: critical\n  ignore:\n    - id: CVE-2099-0001\n      image: \"{host}/shop/*\"\n      reason: busybox is not run\n"
        ),
    )
    .unwrap();
    let (_, doc, stderr) = scan(&[]);
    assert_eq!(located(&doc), expected(&[], false, false), "{stderr}");
    // An OpenVEX document named in the configuration marks the unfixed one not affected.
    std::fs::write(
        d.join("vex.json"),
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "test", "timestamp": "2024-06-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2099-0002"},
              "products": [{"@id": "pkg:apk/alpine/busybox"}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    std::fs::write(
        d.join(".stockade.yaml"),
        "vulnerabilities:\n  vex: [vex.json]\n",
    )
    .unwrap();
    let (code, doc, stderr) = scan(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(located(&doc), expected(&["STK213"], false, false));
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "STK213")
            .all(|f| f["message"].as_str().unwrap().contains("CVE-2099-0001")),
        "{doc:#}"
    );
    std::fs::remove_file(d.join("vex.json")).unwrap();
    std::fs::write(d.join(".stockade.yaml"), "severity:\n  STK213: info\n").unwrap();
    let (_, doc, _) = scan(&[]);
    let sev: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "STK213")
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["info"; 4]);
    std::fs::remove_file(d.join(".stockade.yaml")).unwrap();

    // A suppression annotation on the Deployment's pod template silences curl for its `app`
    // container only; --strict ignores it.
    write_manifests(d, host, &clean_digest, true);
    let (_, doc, _) = scan(&[]);
    assert_eq!(located(&doc), expected(&["STK213", "STK213"], true, true));
    assert_eq!(doc["summary"]["suppressed"], 1);
    let (_, doc, _) = scan(&["--strict"]);
    assert_eq!(located(&doc), expected(&["STK213", "STK213"], true, false));
    write_manifests(d, host, &clean_digest, false);

    // `stockade image lint REFERENCE` gives the same image findings as for a layout.
    let dirty_ref = format!("{host}/shop/dirty:v1");
    let (code, doc, stderr) = run(
        d,
        &[
            "image",
            "lint",
            &dirty_ref,
            "--insecure-registry",
            host,
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let checks: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, DIRTY);
    assert_eq!(doc["findings"][0]["file"], dirty_ref);
    assert_eq!(doc["findings"][0]["path"], "config.User");

    // `stockade vuln --format sarif`: one STK213 result per vulnerability, the image and the
    // package as location.
    let (code, sarif, stderr) = run(
        d,
        &[
            "vuln",
            &dirty_ref,
            "--db",
            db,
            "--insecure-registry",
            host,
            "--format",
            "sarif",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["id"], "STK213");
    assert_eq!(rules[0]["name"], "image-has-vulnerabilities");
    let results = run0["results"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    let name = |id: &str| {
        format!(
            "Image/{dirty_ref}/pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3#{id}"
        )
    };
    assert_eq!(
        summary,
        [
            ("STK213", "error", name("CVE-2099-0001").as_str()),
            ("STK213", "note", name("CVE-2099-0002").as_str()),
        ]
    );
    assert_eq!(
        results[0]["message"]["text"],
        fixed.split_once(": ").unwrap().1
    );
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);

    // Registry gone: each use of an image is an error naming the image and the manifest
    // file:line (exit 2); the manifest checks still report.
    drop(reg);
    let (code, doc, stderr) = run(
        d,
        &[
            "scan",
            ".",
            "--images",
            "--insecure-registry",
            host,
            "--format",
            "json",
            "--select",
            "image,image-not-pinned-by-digest",
            "--db",
            db,
            "--registry-timeout",
            "2s",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    let errors: Vec<(String, u64, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let m = e["message"].as_str().unwrap();
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                m.split(": cannot be pulled:").next().unwrap().to_string(),
            )
        })
        .collect();
    let image = |n: &str| format!("image {host}/shop/{n}");
    assert_eq!(
        errors,
        [
            ("./cronjob.yaml".to_string(), 15, image("clean:v1")),
            ("./cronjob.yaml".to_string(), 18, image("dirty:v1")),
            ("./deploy.yaml".to_string(), 17, image("dirty:v1")),
            (
                "./deploy.yaml".to_string(),
                19,
                image(&format!("clean@{clean_digest}"))
            ),
        ]
    );
    assert_eq!(
        located(&doc),
        [
            (
                "./cronjob.yaml".to_string(),
                15,
                "STK202".to_string(),
                "fetch".to_string()
            ),
            (
                "./cronjob.yaml".to_string(),
                18,
                "STK202".to_string(),
                "report".to_string()
            ),
            (
                "./deploy.yaml".to_string(),
                17,
                "STK202".to_string(),
                "app".to_string()
            ),
        ]
    );

    // Without --images the registry is never asked: the scan is clean of errors.
    let (code, doc, stderr) = run(
        d,
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--select",
            "image,image-not-pinned-by-digest",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(doc["errors"], json!([]));
    assert_eq!(located(&doc).len(), 3);
}

/// Not a test: the figures for BENCHMARKS.md (wall time of `stockade scan --images` on the two
/// manifests above, four image uses of two images, with the fixture database; the first run
/// after the registry starts, then warm runs: there is no local image cache, each run pulls).
/// Run with `cargo test -p stockade --test scan_images -- --ignored --nocapture`;
/// STOCKADE_BIN picks another binary (a release build).
#[test]
#[ignore = "benchmark: prints figures, asserts nothing about them"]
fn figures_scan_images_time() {
    let bin = std::env::var("STOCKADE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_stockade").to_string());
    let reg = Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let client = testing::client(&reg);
    let host = reg.host.as_str();
    push(&client, &format!("{host}/shop/dirty:v1"), &dirty());
    let clean_digest = push(&client, &format!("{host}/shop/clean:v1"), &clean());
    write_manifests(d, host, &clean_digest, false);
    let advisories =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan-images/advisories.json");
    let db = d.join("db");
    let db = db.to_str().unwrap();
    let (code, _, _) = run(
        d,
        &["db", "import", "--db", db, advisories.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let time = |images: bool| {
        let mut args = vec!["scan", ".", "--format", "json", "--db", db];
        if images {
            args.extend(["--images", "--insecure-registry", host]);
        }
        let start = std::time::Instant::now();
        let out = Command::new(&bin)
            .current_dir(d)
            .args(&args)
            .env("DOCKER_CONFIG", d.join("none"))
            .output()
            .unwrap();
        let secs = start.elapsed().as_secs_f64();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        (secs, doc["summary"]["findings"].as_u64().unwrap())
    };
    let (secs, n) = time(false);
    println!("scan (no --images): {:.3} s, {n} findings", secs);
    for run in ["cold", "warm", "warm"] {
        let (secs, n) = time(true);
        println!("scan --images ({run}): {:.3} s, {n} findings", secs);
    }
}
