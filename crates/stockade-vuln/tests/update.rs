//! `db update` against a local HTTP server: resume after an interrupted download, sha256
//! sidecars, the atomic switch, and a proxy.

mod common;

use std::collections::HashMap;

use common::{fixtures, serve, zip_of};
use sha2::{Digest, Sha256};
use stockade_vuln::update::{UpdateOptions, update};
use stockade_vuln::{Db, Package, match_packages};

fn exports() -> (Vec<u8>, Vec<u8>) {
    let read = |n: &str| std::fs::read(fixtures().join("osv").join(n)).unwrap();
    let pypi = zip_of(&[
        (
            "GHSA-j8r2-6x86-q33q.json",
            &read("GHSA-j8r2-6x86-q33q.json"),
        ),
        ("GHSA-wwww-wwww-wwww.json", &read("GHSA-withdrawn.json")),
    ]);
    let rocky = zip_of(&[("RLSA-2023:7877.json", &read("RLSA-2023-7877.json"))]);
    (pypi, rocky)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn interrupted_download_resumes_with_range_and_builds_the_store() {
    let (pypi, rocky) = exports();
    let mut files = HashMap::new();
    files.insert("/PyPI/all.zip".to_string(), pypi.clone());
    files.insert("/Rocky%20Linux/all.zip".to_string(), rocky.clone());
    files.insert(
        "/Rocky%20Linux/all.zip.sha256".to_string(),
        format!("{}  all.zip\n", hex(&rocky)).into_bytes(),
    );
    let server = serve(files, Some(("/PyPI/all.zip".to_string(), 100)));
    let dir = tempfile::tempdir().unwrap();
    let opts = UpdateOptions {
        mirror: server.url.clone(),
        ecosystems: vec!["PyPI".into(), "Rocky Linux".into()],
    };

    let err = update(dir.path(), &opts, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("interrupted after 100 bytes"), "{err}");
    let part = dir.path().join("downloads/PyPI.zip.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 100);
    assert!(matches!(
        Db::open(dir.path()),
        Err(stockade_vuln::Error::NoDb(_))
    ));

    let report = update(dir.path(), &opts, &mut |_| {}).unwrap();
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.contains(&"GET /PyPI/all.zip Range: bytes=100-".to_string()),
        "{log:?}"
    );
    assert_eq!(report.downloads[0].resumed_from, 100);
    assert_eq!(report.downloads[0].bytes, pypi.len() as u64);
    assert!(!report.downloads[0].hash_checked);
    assert!(report.downloads[1].hash_checked);
    assert_eq!(report.import.records(), 2, "withdrawn record skipped");
    assert!(!dir.path().join("vuln.db.new").exists());
    assert!(!part.exists());

    let db = Db::open(dir.path()).unwrap();
    let info = db.info().unwrap();
    let sources: Vec<(String, u64)> = info
        .sources
        .iter()
        .map(|(n, c, _)| (n.clone(), *c))
        .collect();
    assert_eq!(
        sources,
        vec![
            ("osv:PyPI".to_string(), 1),
            ("osv:Rocky Linux".to_string(), 1)
        ]
    );
    assert!(db.age().unwrap().as_secs() < 60);
    let m = match_packages(
        &db,
        &[Package::from_purl("pkg:pypi/requests@2.30.0").unwrap()],
    )
    .unwrap();
    assert_eq!(m.matches.len(), 1);
    assert_eq!(m.matches[0].fixed.as_deref(), Some("2.31.0"));
}

#[test]
fn a_bad_sidecar_fails_the_update_and_keeps_the_previous_store() {
    let (pypi, _) = exports();
    let dir = tempfile::tempdir().unwrap();
    // A previous store with one record.
    {
        let mut db = Db::create(dir.path()).unwrap();
        db.import(&[fixtures().join("osv/GO-2023-2102.json")])
            .unwrap();
    }
    let mut files = HashMap::new();
    files.insert("/PyPI/all.zip".to_string(), pypi);
    files.insert(
        "/PyPI/all.zip.sha256".to_string(),
        format!("{}\n", "0".repeat(64)).into_bytes(),
    );
    let server = serve(files, None);
    let opts = UpdateOptions {
        mirror: server.url.clone(),
        ecosystems: vec!["PyPI".into()],
    };
    let err = update(dir.path(), &opts, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match the sidecar"), "{err}");
    assert!(
        !dir.path().join("downloads/PyPI.zip.part").exists(),
        "bad file removed"
    );
    let info = Db::open(dir.path()).unwrap().info().unwrap();
    assert_eq!(info.vulnerabilities, 1);
    assert_eq!(info.sources[0].0, "osv:Go");
}

#[test]
fn a_corrupt_zip_is_rejected() {
    let (mut pypi, _) = exports();
    // Flip a byte inside the first entry's data: its CRC no longer matches.
    let i = pypi.windows(4).position(|w| w == b"GHSA").unwrap() + 200;
    pypi[i] ^= 0xff;
    let mut files = HashMap::new();
    files.insert("/PyPI/all.zip".to_string(), pypi);
    let server = serve(files, None);
    let dir = tempfile::tempdir().unwrap();
    let opts = UpdateOptions {
        mirror: server.url.clone(),
        ecosystems: vec!["PyPI".into()],
    };
    let err = update(dir.path(), &opts, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("corrupt zip"), "{err}");
    assert!(matches!(
        Db::open(dir.path()),
        Err(stockade_vuln::Error::NoDb(_))
    ));
}

#[test]
fn a_missing_export_is_an_http_error() {
    let server = serve(HashMap::new(), None);
    let dir = tempfile::tempdir().unwrap();
    let opts = UpdateOptions {
        mirror: server.url.clone(),
        ecosystems: vec!["PyPI".into()],
    };
    let err = update(dir.path(), &opts, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("/PyPI/all.zip: HTTP 404"), "{err}");
}
