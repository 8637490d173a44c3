//! `stockade image lint` through the real binary, on images the test builds: layers with a
//! setuid file, shells, curl, a private key deleted by a later layer, a secret in the
//! environment, no user; and a distroless-like image that only gets the base-image info.

#[path = "../../stockade-sbom/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::{Image, digest, gzip, layer, write_docker_oci_archive, write_oci_dir};

fn run(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .output()
        .expect("run stockade");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (check, path, severity) of every finding.
fn findings(doc: &Value) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(check: &str, path: &str, severity: &str) -> (String, String, String) {
    (check.into(), path.into(), severity.into())
}

/// A tar entry with explicit type and mode.
enum T<'a> {
    File(&'a str, u32, &'a [u8]),
    Dir(&'a str, u32),
    Link(&'a str, &'a str),
}

fn tar(entries: &[T]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        match e {
            T::File(p, mode, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(data.len() as u64);
                h.set_mode(*mode);
                b.append_data(&mut h, p, *data).unwrap();
            }
            T::Dir(p, mode) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(*mode);
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            T::Link(p, target) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                h.set_mode(0o777);
                b.append_link(&mut h, p, target).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

const KEY: &[u8] =
    b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";

fn config(user: Option<&str>, env: &[&str], layers: usize) -> Value {
    let diff_ids: Vec<String> = (0..layers).map(|i| digest(&format!("diff{i}"))).collect();
    let mut cfg = json!({"Env": env});
    if let Some(u) = user {
        cfg["User"] = json!(u);
    }
    json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-05-01T10:00:00Z",
        "config": cfg,
        "history": [{"created_by": "ADD rootfs.tar /"}, {"created_by": "RUN /bin/sh -c apk add --no-cache curl"}],
        "rootfs": {"type": "layers", "diff_ids": diff_ids}
    })
}

/// Alpine with busybox, apk, a setuid passwd, a world-writable /data and an SSH key; the
/// second layer deletes the key and adds curl and a setuid helper. No USER, a password in
/// the environment.
fn dirty() -> Image {
    let l1 = gzip(&tar(&[
        T::File(
            "etc/os-release",
            0o644,
            b"ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n",
        ),
        T::File(
            "lib/apk/db/installed",
            0o644,
            b"P:busybox\nV:1.36.1-r29\nA:x86_64\n\n",
        ),
        T::File("bin/busybox", 0o755, b"not really busybox"),
        T::Link("bin/sh", "/bin/busybox"),
        T::File("sbin/apk", 0o755, b"apk"),
        T::File("usr/bin/passwd", 0o4755, b"passwd"),
        T::Dir("tmp", 0o1777),
        T::Dir("data", 0o777),
        T::Dir("root/.ssh", 0o700),
        T::File("root/.ssh/id_rsa", 0o600, KEY),
        T::File(
            "etc/ssl/certs/ca.pem",
            0o644,
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        ),
    ]));
    let l2 = tar(&[
        T::File("root/.ssh/.wh.id_rsa", 0o644, b""),
        T::File("usr/bin/curl", 0o755, b"curl"),
        T::File("usr/local/bin/helper", 0o4755, b"helper"),
    ]);
    Image {
        config: config(
            None,
            &["PATH=/usr/bin:/bin", "DB_PASSWORD=hunter2hunter2"],
            2,
        ),
        layers: vec![layer("dirty-1", l1), layer("dirty-2", l2)],
    }
}

/// Distroless-like: Debian packages in status.d, CA certificates, the application, a
/// non-root user, nothing else.
fn clean() -> Image {
    let l1 = gzip(&tar(&[
        T::File(
            "etc/os-release",
            0o644,
            b"PRETTY_NAME=\"Distroless\"\nID=debian\nVERSION_ID=\"12\"\n",
        ),
        T::File(
            "var/lib/dpkg/status.d/base-files",
            0o644,
            b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n",
        ),
        T::File(
            "etc/ssl/certs/ca-certificates.crt",
            0o644,
            b"-----BEGIN CERTIFICATE-----\n",
        ),
        T::Dir("tmp", 0o1777),
        T::Dir("app", 0o755),
        T::File("app/server", 0o755, b"server"),
    ]));
    Image {
        config: config(Some("65532"), &["PATH=/usr/bin"], 1),
        layers: vec![layer("clean-1", l1)],
    }
}

fn dirty_expected() -> Vec<(String, String, String)> {
    vec![
        row("STK1101", "config.User", "high"),
        row("STK1102", "/bin/busybox", "low"),
        row("STK1102", "/bin/sh", "low"),
        row("STK1103", "/sbin/apk", "low"),
        row("STK1104", "/usr/bin/curl", "medium"),
        row("STK1107", "/usr/bin/passwd", "info"),
        row("STK1107", "/usr/local/bin/helper", "medium"),
        row("STK1108", "/data", "medium"),
        row("STK1109", "/root/.ssh/id_rsa", "high"),
        row("STK1110", "config.Env.DB_PASSWORD", "high"),
        row("STK1113", "/etc/os-release", "info"),
    ]
}

#[test]
fn dirty_image_gets_exact_findings_in_oci_layout_and_docker_archive() {
    let dir = tempfile::tempdir().unwrap();
    let oci = dir.path().join("oci");
    write_oci_dir(&oci, &[("linux/amd64", &dirty())], false);
    let (code, doc, stderr) = run(&["image", "lint", oci.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(findings(&doc), dirty_expected());
    let f = &doc["findings"].as_array().unwrap();
    assert!(f.iter().all(|f| f["file"] == oci.to_str().unwrap()
        && f["object"]["kind"] == "Image"
        && f["object"]["name"] == oci.to_str().unwrap()));
    let key = f.iter().find(|f| f["check"] == "STK1109").unwrap();
    assert_eq!(
        key["message"],
        "private key in the image (layer 1), deleted by a later layer but still readable in that layer"
    );
    let base = f.iter().find(|f| f["check"] == "STK1113").unwrap();
    assert_eq!(base["message"], "base: Alpine 3.20.3");
    assert_eq!(doc["summary"]["files"], 1);

    let archive = dir.path().join("dirty.tar");
    write_docker_oci_archive(&archive, &dirty());
    let (code, doc, _) = run(&[
        "image",
        "lint",
        archive.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), dirty_expected());
}

#[test]
fn clean_distroless_image_only_gets_the_base_image_info() {
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &clean())], false);
    let target = dir.path().to_str().unwrap();
    let (code, doc, stderr) = run(&["image", "lint", target, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        findings(&doc),
        vec![row("STK1113", "/etc/os-release", "info")]
    );
    assert_eq!(
        doc["findings"][0]["message"],
        "base: distroless (Debian 12 packages, no shell, no package manager)"
    );
    // Opt-in checks: the 2024 image is old, and has no HEALTHCHECK.
    let (code, doc, _) = run(&[
        "image",
        "lint",
        target,
        "--format",
        "json",
        "--select",
        "image-too-old,dockle:CIS-DI-0006",
        "--fail-on",
        "low",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        vec![
            row("STK1111", "created", "low"),
            row("STK1112", "config.Healthcheck", "low"),
        ]
    );
}

#[test]
fn selection_fail_on_and_errors_set_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &dirty())], false);
    let target = dir.path().to_str().unwrap();
    // Nothing at or above critical.
    let (code, _, _) = run(&[
        "image",
        "lint",
        target,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, 0);
    // Ignoring the high findings leaves only medium ones below the default fail-on (high).
    let (code, doc, _) = run(&[
        "image",
        "lint",
        target,
        "--format",
        "json",
        "--ignore",
        "image-runs-as-root,image-secret-file,STK1110",
    ]);
    assert_eq!(code, 0);
    assert_eq!(findings(&doc).len(), dirty_expected().len() - 3);
    // Only the image category runs: Kubernetes and Dockerfile checks never see images.
    let (code, doc, _) = run(&[
        "image", "lint", target, "--format", "json", "--select", "all",
    ]);
    assert_eq!(code, 1);
    assert!(
        findings(&doc)
            .iter()
            .all(|(c, _, _)| c.starts_with("STK11"))
    );
    // A missing target is an input error naming it; the other target is still linted.
    let missing = Path::new(target).join("nope");
    let (code, doc, _) = run(&[
        "image",
        "lint",
        missing.to_str().unwrap(),
        target,
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    assert_eq!(findings(&doc), dirty_expected());
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("No such file")
    );
    // No target at all is a usage error.
    let (code, _, stderr) = run(&["image", "lint"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn root_filesystem_directory_is_linted_without_config_checks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, data: &[u8], mode: u32| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    write("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n", 0o644);
    write(
        "var/lib/dpkg/status",
        b"Package: dash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 0.5.12-2\n",
        0o644,
    );
    write("usr/bin/dash", b"dash", 0o755);
    write("usr/bin/wget", b"wget", 0o755);
    write(
        "home/app/.aws/credentials",
        b"[default]\naws_access_key_id=x\n",
        0o600,
    );
    std::os::unix::fs::symlink("/usr/bin/dash", root.join("usr/bin/sh")).unwrap();
    let (code, doc, stderr) = run(&["image", "lint", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&doc),
        vec![
            row("STK1102", "/usr/bin/dash", "low"),
            row("STK1102", "/usr/bin/sh", "low"),
            row("STK1104", "/usr/bin/wget", "medium"),
            row("STK1109", "/home/app/.aws/credentials", "high"),
            row("STK1113", "/etc/os-release", "info"),
        ]
    );
}
