//! `stockade db import|info` and `stockade vuln SBOM`, driving the real binary on the
//! fixture advisories and SBOM of stockade-vuln.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../stockade-vuln/tests/fixtures")
}

fn run(args: &[&str], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stockade"));
    cmd.current_dir(fixtures())
        .args(args)
        .env_remove("STOCKADE_DB");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run stockade");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        &[
            "db",
            "import",
            "osv",
            "debian/tracker.json",
            "alpine/v3.19-main.json",
        ],
        &[("STOCKADE_DB", dir.path())],
    );
    // The malformed fixture makes the import exit 2 after importing everything else.
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("stockade: error: osv/malformed.json: line 6, column 0"),
        "{err}"
    );
    assert!(err.contains("\nimported 16 records into "), "{err}");
    assert!(
        err.contains("note: 1 affected entries have only GIT ranges"),
        "{err}"
    );
    dir
}

#[test]
fn db_import_then_info_counts_per_source() {
    let dir = imported();
    let db = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["db", "info", "--db", db, "--format", "json"], &[]);
    assert_eq!(code, 0, "{err}");
    let info: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(info["vulnerabilities"], 15);
    let sources: Vec<(String, u64)> = info["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_str().unwrap().to_string(), s[1].as_u64().unwrap()))
        .collect();
    assert_eq!(sources[0], ("alpine-secdb:v3.19/main".to_string(), 4));
    assert_eq!(sources[1], ("debian-tracker".to_string(), 3));
    assert_eq!(err, "");
    // A store older than the allowed age is reported on every read.
    let (code, out, err) = run(&["db", "info", "--db", db, "--max-age", "1ns"], &[]);
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: the vulnerability database is"),
        "{err}"
    );
    assert!(out.contains("\n  debian-tracker: 3\n"), "{out}");
}

#[test]
fn vuln_reports_matches_filters_and_exit_codes() {
    let dir = imported();
    let env = [("STOCKADE_DB", dir.path())];
    let (code, out, err) = run(&["vuln", "sbom.cdx.json", "--format", "json"], &env);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["packages"], 11);
    let ids: Vec<&str> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 12);
    assert_eq!(ids[0], "GHSA-jfh8-c2jp-5v3q");
    let log4j = &doc["matches"][0];
    assert_eq!(log4j["aliases"], serde_json::json!(["CVE-2021-44228"]));
    assert_eq!(log4j["installed"], "2.14.1");
    assert_eq!(log4j["fixed"], "2.15.0");
    assert_eq!(log4j["severity"], "critical");
    assert_eq!(
        log4j["purl"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );

    // Filters: VEX and the ignore file suppress two; the expired entry warns.
    let (code, out, err) = run(
        &[
            "vuln",
            "sbom.cdx.json",
            "--vex",
            "vex.openvex.json",
            "--ignore-file",
            "ignore.yaml",
            "--severity",
            "critical,high",
            "--ignore-unfixed",
        ],
        &env,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "warning: ignore entry for CVE-2021-44228 expired on 2000-01-31: reported again"
        ),
        "{err}"
    );
    let last = out.lines().last().unwrap();
    assert_eq!(
        last,
        "5 vulnerabilities in 11 packages (1 critical, 4 high); 1 suppressed by ignore entries or VEX"
    );
    assert!(out.starts_with("ID  "), "{out}");
    assert!(!out.contains("GO-2023-2102"), "{out}");

    // --fail-on above everything found: exit 0.
    let (code, _, _) = run(
        &[
            "vuln",
            "sbom.cdx.json",
            "--fail-on",
            "critical",
            "--severity",
            "high",
        ],
        &env,
    );
    assert_eq!(code, 0);
    // Usage errors: exit 2.
    let (code, _, err) = run(&["vuln", "sbom.cdx.json", "--fail-on", "severe"], &env);
    assert_eq!(code, 2);
    assert!(err.contains("unknown severity `severe`"), "{err}");
}

#[test]
fn vuln_without_a_database_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["vuln", "sbom.cdx.json"], &[("STOCKADE_DB", dir.path())]);
    assert_eq!(code, 2);
    assert!(err.contains("no vulnerability database in"), "{err}");
    assert!(err.contains("run `stockade db update`"), "{err}");
}

#[test]
fn image_scan_of_a_root_filesystem_matches_like_its_sbom() {
    let dir = imported();
    let env = [("STOCKADE_DB", dir.path())];
    // What the SBOM route finds for libssl3 (Debian 12, source package openssl).
    let (_, out, err) = run(&["vuln", "sbom.cdx.json", "--format", "json"], &env);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let ids_for = |doc: &serde_json::Value, prefix: &str| -> Vec<String> {
        let mut ids: Vec<String> = doc["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["purl"].as_str().unwrap_or("").starts_with(prefix))
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let expected = ids_for(&doc, "pkg:deb/debian/libssl3@");
    assert!(!expected.is_empty(), "{out}");

    // The same package installed in a root filesystem, as dpkg records it.
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.path().join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("var/lib/dpkg/status"),
        "Package: libssl3\nStatus: install ok installed\nPriority: optional\nSection: libs\nArchitecture: amd64\nMulti-Arch: same\nSource: openssl\nVersion: 3.0.11-1~deb12u1\nDescription: Secure Sockets Layer toolkit - shared libraries\n",
    )
    .unwrap();
    let target = root.path().to_str().unwrap();
    for cmd in [&["image", "scan"][..], &["vuln"][..]] {
        let mut args = cmd.to_vec();
        args.extend([target, "--format", "json"]);
        let (code, out, err) = run(&args, &env);
        assert!(code == 0 || code == 1, "{code}: {err}");
        let doc: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        assert_eq!(doc["packages"], 1, "{out}");
        assert_eq!(
            ids_for(&doc, "pkg:deb/debian/libssl3@"),
            expected,
            "{args:?}"
        );
    }
}
