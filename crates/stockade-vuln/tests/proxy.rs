//! `db update` through HTTPS_PROXY: a test binary of its own, as it sets the environment.

mod common;

use std::collections::HashMap;

use common::{fixtures, serve, zip_of};
use stockade_vuln::update::{UpdateOptions, update};

#[test]
fn update_goes_through_the_proxy_from_the_environment() {
    let rec = std::fs::read(fixtures().join("osv/GO-2023-2102.json")).unwrap();
    let mut files = HashMap::new();
    files.insert(
        "/Go/all.zip".to_string(),
        zip_of(&[("GO-2023-2102.json", &rec)]),
    );
    let proxy = serve(files, None);
    // SAFETY: this binary has one test; nothing else reads the environment concurrently.
    unsafe {
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
        std::env::set_var("HTTPS_PROXY", &proxy.url);
    }
    let dir = tempfile::tempdir().unwrap();
    // The mirror's name does not resolve: only the proxy can reach it.
    let opts = UpdateOptions {
        mirror: "http://osv-mirror.invalid".into(),
        ecosystems: vec!["Go".into()],
    };
    let report = update(dir.path(), &opts, &mut |_| {}).unwrap();
    assert_eq!(report.import.records(), 1);
    let log = proxy.log.lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|l| l.starts_with("CONNECT osv-mirror.invalid:80")
                || l.starts_with("GET http://osv-mirror.invalid/Go/all.zip")),
        "{log:?}"
    );
}
