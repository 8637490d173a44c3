//! `stockade sbom` through the real binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run stockade");
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(root: &Path, rel: &str, data: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn rootfs(root: &Path, extra_stanza: &str) {
    write(root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    write(
        root,
        "var/lib/dpkg/status",
        &format!(
            "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n\n{extra_stanza}"
        ),
    );
}

#[test]
fn cyclonedx_to_a_file_spdx_and_json_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    rootfs(&root, "");
    let out = dir.path().join("bom.json");
    let (code, stdout, stderr) = run(&[
        "sbom",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    let bom: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(bom["specVersion"], "1.5");
    assert_eq!(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(
        bom["components"][1]["purl"],
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
    );

    let (code, stdout, _) = run(&["sbom", root.to_str().unwrap(), "--format", "spdx"]);
    assert_eq!(code, 0);
    let spdx: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(spdx["packages"][1]["name"], "libc6");

    let (code, stdout, _) = run(&["sbom", root.to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 0);
    let inv: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(inv["kind"], "rootfs");
    assert_eq!(inv["packages"][0]["source_name"], "glibc");
}

#[test]
fn input_problems_are_warnings_with_exit_code_2_and_the_rest_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    rootfs(dir.path(), "Version: 1.0\nArchitecture: all\n");
    let (code, stdout, stderr) = run(&["sbom", dir.path().to_str().unwrap(), "-f", "json"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "stockade: warning: var/lib/dpkg/status:7: stanza has no Package field; skipped\n"
    );
    let inv: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(inv["packages"].as_array().unwrap().len(), 1);

    let (code, stdout, stderr) = run(&["sbom", "/nonexistent/target"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("stockade: error: /nonexistent/target: "),
        "{stderr}"
    );
}
