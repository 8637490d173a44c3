//! Fixture advisories with known answers: import (with a malformed file), matching in every
//! ecosystem at the affected/fixed boundaries, distro packages by source name and release,
//! severities, and the filters.

mod common;

use common::fixtures;
use stockade_vuln::filter::{Filters, load_ignore_file, load_vex, parse_date};
use stockade_vuln::{Db, Package, Severity, match_packages, sbom};

fn store() -> (tempfile::TempDir, Db, stockade_vuln::ImportReport) {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Db::create(dir.path()).unwrap();
    let report = db
        .import(&[
            fixtures().join("osv"),
            fixtures().join("debian/tracker.json"),
            fixtures().join("alpine/v3.19-main.json"),
        ])
        .unwrap();
    (dir, db, report)
}

/// (id, fixed) of the matches for one purl.
fn hits(db: &Db, purl: &str) -> Vec<(String, Option<String>)> {
    let p = Package::from_purl(purl).unwrap();
    let mut v: Vec<_> = match_packages(db, &[p])
        .unwrap()
        .matches
        .into_iter()
        .map(|m| (m.id, m.fixed))
        .collect();
    v.sort();
    v
}

fn one(id: &str, fixed: Option<&str>) -> Vec<(String, Option<String>)> {
    vec![(id.to_string(), fixed.map(str::to_string))]
}

#[test]
fn import_reports_the_malformed_file_and_imports_the_rest() {
    let (_dir, db, report) = store();
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("osv/malformed.json: line 6, column 0: EOF while parsing"),
        "{errors:?}"
    );
    let mut sources: Vec<(String, usize)> = report.sources.clone().into_iter().collect();
    sources.sort();
    assert_eq!(
        sources,
        vec![
            ("alpine-secdb:v3.19/main".to_string(), 4),
            ("debian-tracker".to_string(), 3),
            ("osv".to_string(), 1),
            ("osv:Debian".to_string(), 1),
            ("osv:Go".to_string(), 1),
            ("osv:Maven".to_string(), 1),
            ("osv:PyPI".to_string(), 1),
            ("osv:Rocky Linux".to_string(), 1),
            ("osv:RubyGems".to_string(), 1),
            ("osv:crates.io".to_string(), 1),
            ("osv:npm".to_string(), 1),
        ]
    );
    assert_eq!(report.git_only, 1);
    let info = db.info().unwrap();
    assert_eq!(info.sources.len(), 11);
}

#[test]
fn language_ecosystem_boundaries() {
    let (_dir, db, _) = store();
    assert_eq!(
        hits(&db, "pkg:pypi/requests@2.30.0"),
        one("GHSA-j8r2-6x86-q33q", Some("2.31.0"))
    );
    assert_eq!(hits(&db, "pkg:pypi/Requests@2.31.0"), vec![]);
    assert_eq!(
        hits(&db, "pkg:pypi/requests@2.31.0rc1"),
        one("GHSA-j8r2-6x86-q33q", Some("2.31.0"))
    );
    assert_eq!(hits(&db, "pkg:pypi/requests@2.2.1"), vec![]);
    assert_eq!(
        hits(&db, "pkg:npm/%40babel/traverse@7.23.1"),
        one("GHSA-67hx-6x53-jw92", Some("7.23.2"))
    );
    assert_eq!(hits(&db, "pkg:npm/%40babel/traverse@7.23.2"), vec![]);
    assert_eq!(
        hits(&db, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        one("GHSA-jfh8-c2jp-5v3q", Some("2.15.0"))
    );
    assert_eq!(
        hits(&db, "pkg:maven/org.apache.logging.log4j/log4j-core@2.3"),
        one("GHSA-jfh8-c2jp-5v3q", Some("2.3.1"))
    );
    assert_eq!(
        hits(&db, "pkg:maven/org.apache.logging.log4j/log4j-core@2.3.1"),
        vec![]
    );
    assert_eq!(
        hits(&db, "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"),
        vec![]
    );
    assert_eq!(
        hits(
            &db,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta8"
        ),
        vec![]
    );
    assert_eq!(
        hits(&db, "pkg:golang/golang.org/x/net@v0.16.0"),
        one("GO-2023-2102", Some("0.17.0"))
    );
    assert_eq!(
        hits(
            &db,
            "pkg:golang/golang.org/x/net@v0.0.0-20231001000000-abcdefabcdef"
        ),
        one("GO-2023-2102", Some("0.17.0"))
    );
    assert_eq!(hits(&db, "pkg:golang/golang.org/x/net@v0.17.0"), vec![]);
    assert_eq!(
        hits(&db, "pkg:cargo/hyper@0.14.9"),
        one("RUSTSEC-2021-0078", Some("0.14.10"))
    );
    assert_eq!(hits(&db, "pkg:cargo/hyper@0.14.10"), vec![]);
    assert_eq!(
        hits(&db, "pkg:gem/nokogiri@1.13.9"),
        one("GHSA-2qc6-mcvw-92cw", Some("1.13.10"))
    );
    assert_eq!(hits(&db, "pkg:gem/nokogiri@1.13.10"), vec![]);
    assert_eq!(hits(&db, "pkg:gem/nokogiri@1.13.7"), vec![]);
}

#[test]
fn debian_packages_match_by_source_name_in_their_release_only() {
    let (_dir, db, _) = store();
    let bookworm =
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12";
    assert_eq!(
        hits(&db, bookworm),
        vec![
            ("CVE-2010-0928".to_string(), None),
            (
                "CVE-2023-5363".to_string(),
                Some("3.0.11-1~deb12u2".to_string())
            ),
            ("CVE-2023-5678".to_string(), None),
            (
                "DSA-5532-1".to_string(),
                Some("3.0.11-1~deb12u2".to_string())
            ),
        ]
    );
    // The fixed version itself: only the unfixed ones remain.
    assert_eq!(
        hits(
            &db,
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?upstream=openssl&distro=debian-12"
        )
        .len(),
        2
    );
    // Bullseye: CVE-2023-5363 never affected it (fixed_version 0); CVE-2023-5678 is open.
    assert_eq!(
        hits(
            &db,
            "pkg:deb/debian/libssl1.1@1.1.1w-0+deb11u1?upstream=openssl&distro=debian-11.8"
        ),
        one("CVE-2023-5678", None)
    );
    // Without the source name the binary name is looked up, which has no advisories.
    assert_eq!(
        hits(
            &db,
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12"
        ),
        vec![]
    );
    // No distro release: not matched at all (no guessing), with a note.
    let p = Package::from_purl("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?upstream=openssl").unwrap();
    let m = match_packages(&db, &[p]).unwrap();
    assert!(m.matches.is_empty());
    assert_eq!(m.notes.len(), 1);
    // Ubuntu packages are not matched against Debian advisories.
    assert_eq!(
        hits(
            &db,
            "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1?upstream=openssl&distro=ubuntu-22.04"
        ),
        vec![]
    );
    // Fixed in "0" for bookworm: never affected.
    assert_eq!(
        hits(
            &db,
            "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?upstream=zlib&distro=debian-12"
        ),
        vec![]
    );
}

#[test]
fn alpine_secfixes_by_origin_and_branch() {
    let (_dir, db, _) = store();
    let p = |v: &str, distro: &str| {
        format!("pkg:apk/alpine/libcrypto3@{v}?arch=x86_64&upstream=openssl&distro=alpine-{distro}")
    };
    assert_eq!(
        hits(&db, &p("3.1.4-r4", "3.19.1")),
        one("CVE-2024-0727", Some("3.1.4-r5"))
    );
    assert_eq!(hits(&db, &p("3.1.4-r5", "3.19.1")), vec![]);
    // Before r1 both fixes are missing; "0" (never affected) is not reported.
    assert_eq!(
        hits(&db, &p("3.1.4-r0", "3.19.0")),
        vec![
            ("CVE-2023-5678".to_string(), Some("3.1.4-r1".to_string())),
            ("CVE-2024-0727".to_string(), Some("3.1.4-r5".to_string())),
        ]
    );
    // Another branch has no advisories in this store.
    assert_eq!(hits(&db, &p("3.1.4-r4", "3.18.4")), vec![]);
    // -r2 < -r15 (numeric revisions).
    assert_eq!(
        hits(&db, "pkg:apk/alpine/busybox@1.36.1-r2?distro=alpine-3.19.1"),
        vec![
            ("CVE-2023-42363".to_string(), Some("1.36.1-r15".to_string())),
            ("CVE-2023-42366".to_string(), Some("1.36.1-r15".to_string())),
        ]
    );
    assert_eq!(
        hits(
            &db,
            "pkg:apk/alpine/busybox@1.36.1-r15?distro=alpine-3.19.1"
        ),
        vec![]
    );
}

#[test]
fn rpm_packages_match_their_distribution_by_source_rpm() {
    let (_dir, db, _) = store();
    let purl = |v: &str| {
        format!(
            "pkg:rpm/rocky/openssl-libs@{v}?epoch=1&upstream=openssl-{v}.src.rpm&distro=rocky-9.3"
        )
    };
    assert_eq!(
        hits(&db, &purl("3.0.7-24.el9")),
        one("RLSA-2023:7877", Some("1:3.0.7-25.el9_3"))
    );
    assert_eq!(hits(&db, &purl("3.0.7-25.el9_3")), vec![]);
    assert_eq!(
        hits(
            &db,
            "pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm&distro=almalinux-9.3"
        ),
        vec![]
    );
}

#[test]
fn severities_vendor_first_then_cvss() {
    let (_dir, db, _) = store();
    let sb = sbom::read(&fixtures().join("sbom.cdx.json")).unwrap();
    assert_eq!(sb.packages.len(), 11);
    assert_eq!(sb.skipped, 1);
    let m = match_packages(&db, &sb.packages).unwrap();
    let got: Vec<(String, String, Severity, &str, Option<f64>)> = m
        .matches
        .iter()
        .map(|m| {
            (
                m.id.clone(),
                m.package.clone(),
                m.severity,
                m.severity_source,
                m.cvss_score,
            )
        })
        .collect();
    use Severity::*;
    let want: Vec<(&str, &str, Severity, &str, Option<f64>)> = vec![
        (
            "GHSA-jfh8-c2jp-5v3q",
            "org.apache.logging.log4j:log4j-core",
            Critical,
            "vendor",
            Some(10.0),
        ),
        ("GO-2023-2102", "golang.org/x/net", High, "cvss", Some(7.5)),
        ("CVE-2023-5363", "libssl3", High, "cvss", Some(7.5)),
        ("DSA-5532-1", "libssl3", High, "cvss", Some(7.5)),
        ("GHSA-2qc6-mcvw-92cw", "nokogiri", High, "vendor", None),
        ("RLSA-2023:7877", "openssl-libs", High, "vendor", None),
        (
            "GHSA-j8r2-6x86-q33q",
            "requests",
            Medium,
            "vendor",
            Some(4.2),
        ),
        ("CVE-2023-5678", "libssl3", Low, "vendor", None),
        ("CVE-2010-0928", "libssl3", Negligible, "vendor", None),
        ("CVE-2023-42363", "busybox", Unknown, "none", None),
        ("CVE-2023-42366", "busybox", Unknown, "none", None),
        ("CVE-2024-0727", "libcrypto3", Unknown, "none", None),
    ];
    let want: Vec<_> = want
        .into_iter()
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c, d, e))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn vex_not_affected_and_ignore_entries_with_expiry() {
    let (_dir, db, _) = store();
    let sb = sbom::read(&fixtures().join("sbom.cdx.json")).unwrap();
    let m = match_packages(&db, &sb.packages).unwrap();
    assert_eq!(m.matches.len(), 12);
    let filters = Filters {
        ignore: load_ignore_file(&fixtures().join("ignore.yaml")).unwrap(),
        vex: load_vex(&fixtures().join("vex.openvex.json")).unwrap(),
        today: parse_date("2025-01-01").unwrap(),
        ..Filters::default()
    };
    let f = filters.apply(m.matches.clone());
    let suppressed: Vec<(&str, &str)> = f
        .suppressed
        .iter()
        .map(|s| (s.finding.id.as_str(), s.by))
        .collect();
    assert_eq!(
        suppressed,
        vec![("GO-2023-2102", "ignore"), ("GHSA-j8r2-6x86-q33q", "vex")]
    );
    assert_eq!(
        f.suppressed[1].reason,
        "not_affected: vulnerable_code_not_in_execute_path"
    );
    assert_eq!(f.kept.len(), 10);
    // The expired log4j entry no longer applies: reported, with a warning.
    assert!(f.kept.iter().any(|k| k.id == "GHSA-jfh8-c2jp-5v3q"));
    assert_eq!(
        f.warnings,
        vec!["ignore entry for CVE-2021-44228 expired on 2000-01-31: reported again".to_string()]
    );
    // Before it expired it suppressed the finding.
    let before = Filters {
        today: parse_date("2000-01-31").unwrap(),
        ..filters.clone()
    };
    assert!(
        before
            .apply(m.matches.clone())
            .kept
            .iter()
            .all(|k| k.id != "GHSA-jfh8-c2jp-5v3q")
    );

    let unfixed = Filters {
        ignore_unfixed: true,
        ..Filters::default()
    }
    .apply(m.matches.clone());
    assert_eq!(unfixed.kept.len(), 10);
    assert!(unfixed.kept.iter().all(|k| k.fixed.is_some()));
    let high = Filters {
        severities: vec![Severity::High, Severity::Critical],
        ..Filters::default()
    }
    .apply(m.matches);
    assert_eq!(high.kept.len(), 6);
}

#[test]
fn bad_ignore_and_vex_files_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ignore.yaml");
    std::fs::write(&p, "ignore:\n  - id: CVE-1\n    reason: ''\n").unwrap();
    let e = load_ignore_file(&p).unwrap_err().to_string();
    assert!(
        e.contains("ignore.yaml: ignore entry 1 (CVE-1): empty reason"),
        "{e}"
    );
    std::fs::write(
        &p,
        "ignore:\n  - id: CVE-1\n    reason: x\n    expires: soon\n",
    )
    .unwrap();
    let e = load_ignore_file(&p).unwrap_err().to_string();
    assert!(e.contains("expires `soon` is not a YYYY-MM-DD date"), "{e}");
    let v = dir.path().join("vex.json");
    std::fs::write(&v, "{\"statements\": [{\"status\": \"not_affected\"}]}").unwrap();
    let e = load_vex(&v).unwrap_err().to_string();
    assert!(
        e.contains("vex.json: statement 1: no vulnerability name"),
        "{e}"
    );
}

#[test]
fn sbom_errors_name_the_component() {
    let e = sbom::parse(b"{\"bomFormat\": \"SPDX\"}", "x.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("x.json: not a CycloneDX JSON SBOM"), "{e}");
    let doc = br#"{"bomFormat":"CycloneDX","components":[
        {"bom-ref":"a","name":"a","purl":"pkg:pypi/a"},
        {"bom-ref":"b","name":"b","purl":"pkg:pypi/b@1.0"}]}"#;
    let r = sbom::parse(doc, "x.json").unwrap();
    assert_eq!(r.packages.len(), 1);
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0]
            .to_string()
            .contains("x.json: component a: bad purl `pkg:pypi/a`: no version")
    );
}

#[test]
fn store_age_is_recorded() {
    let (_dir, db, _) = store();
    assert!(db.age().unwrap().as_secs() < 60);
    let week_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(8 * 86_400);
    db.set_built_at(week_ago).unwrap();
    assert!(db.age().unwrap().as_secs() >= 8 * 86_400);
}
