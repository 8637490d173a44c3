//! `stockade image lint` on an image built by the test for the checks ported from Dockle's
//! remaining checkpoints: account databases (empty password, duplicate IDs), unnecessary
//! files, sensitive volumes, and the build history (update alone, ADD, sudo, upgrade,
//! package caches). Later layers replace /etc/shadow and delete files, so the findings must
//! come from the final image.

#[path = "../../stockade-sbom/tests/support/mod.rs"]
mod support;

use std::process::Command;

use serde_json::{Value, json};
use support::{E, Image, digest, gzip, layer, tar, write_oci_dir};

fn lint(target: &str) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(["image", "lint", target, "--format", "json"])
        .output()
        .expect("run stockade");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), doc)
}

/// (check, path, severity, message) of every finding, sorted.
fn findings(doc: &Value) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(check: &str, path: &str, severity: &str, message: &str) -> (String, String, String, String) {
    (check.into(), path.into(), severity.into(), message.into())
}

fn image() -> Image {
    let l1 = gzip(&tar(&[
        E::File("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        E::File(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/sbin/nologin\n",
        ),
        E::File("etc/shadow", b"root::19000:0:99999:7:::\napp:!:19000::::::\n"),
        E::File("etc/group", b"root:x:0:\nstaff:x:50:\nusers:x:50:\n"),
        E::Dir("tmp"),
        E::File("app/.git/HEAD", b"ref: refs/heads/main\n"),
        E::File("app/.git/objects/ab/cdef", b"blob"),
        E::File("app/Dockerfile", b"FROM debian:12\n"),
        E::File("app/compose/docker-compose.yml", b"services: {}\n"),
        E::File("root/.cache/pip/http/x", b"cached wheel"),
        E::File("app/node_modules/left-pad/.git/HEAD", b"ref\n"),
    ]));
    // Root locked, but a new account without a password; the Dockerfile and pip cache deleted,
    // a build log left in /tmp.
    let l2 = tar(&[
        E::File(
            "etc/shadow",
            b"root:!:19000:0:99999:7:::\nguest::19000::::::\napp:!:19000::::::\n",
        ),
        E::File("app/.wh.Dockerfile", b""),
        E::File("root/.wh..cache", b""),
        E::File("tmp/build.log", b"ok\n"),
    ]);
    let diff_ids = vec![digest("dkl-diff-1"), digest("dkl-diff-2")];
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-05-01T10:00:00Z",
        "config": {"User": "1000", "Env": ["PATH=/usr/bin"], "Volumes": {"/data": {}, "/proc": {}}},
        "history": [
            {"created_by": "/bin/sh -c #(nop) ADD file:4b03b5f551e3 in / "},
            {"created_by": "/bin/sh -c apt-get update", "empty_layer": true},
            {"created_by": "RUN /bin/sh -c sudo apt-get dist-upgrade -y # buildkit", "empty_layer": true},
            {"created_by": "ADD app.tar.gz /app # buildkit"},
            {"created_by": "RUN /bin/sh -c apt-get update && apt-get install -y git # buildkit", "empty_layer": true},
            {"created_by": "VOLUME [/data /proc]", "empty_layer": true},
        ],
        "rootfs": {"type": "layers", "diff_ids": diff_ids}
    });
    Image {
        config,
        layers: vec![layer("dkl-1", l1), layer("dkl-2", l2)],
    }
}

#[test]
fn dockle_checks_on_the_final_image_and_its_history() {
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &image())], false);
    let (code, doc) = lint(dir.path().to_str().unwrap());
    assert_eq!(code, 1, "{doc}");
    let mut expected = vec![
        row(
            "STK1113",
            "/etc/os-release",
            "info",
            "base: distroless (Debian 12 packages, no shell, no package manager)",
        ),
        row(
            "STK1114",
            "/etc/shadow",
            "high",
            "account `guest` has an empty password (line 2)",
        ),
        row(
            "STK1115",
            "/etc/group",
            "low",
            "GID 50 of group `users` (line 3) is also that of `staff` (line 2)",
        ),
        row(
            "STK1115",
            "/etc/passwd",
            "low",
            "UID 0 of user `toor` (line 2) is also that of `root` (line 1)",
        ),
        row(
            "STK1116",
            "/app/.git",
            "info",
            "directory `.git` is not needed at run time (layer 1)",
        ),
        row(
            "STK1116",
            "/app/compose/docker-compose.yml",
            "info",
            "file `docker-compose.yml` is not needed at run time (layer 1)",
        ),
        row(
            "STK1116",
            "/tmp",
            "info",
            "directory `tmp` is not needed at run time (layer 2)",
        ),
        row(
            "STK1117",
            "config.Volumes./proc",
            "medium",
            "VOLUME `/proc` exposes the kernel interface under `/proc`",
        ),
        row(
            "STK1118",
            "history[1]",
            "medium",
            "`apt-get update` without an install in the same step: /bin/sh -c apt-get update",
        ),
        row(
            "STK1119",
            "history[3]",
            "low",
            "`ADD` used: ADD app.tar.gz /app # buildkit",
        ),
        row(
            "STK1120",
            "history[2]",
            "medium",
            "`sudo` used: RUN /bin/sh -c sudo apt-get dist-upgrade -y # buildkit",
        ),
        row(
            "STK1121",
            "history[2]",
            "low",
            "`apt-get dist-upgrade` upgrades every package: RUN /bin/sh -c sudo apt-get dist-upgrade -y # buildkit",
        ),
        row(
            "STK1122",
            "history[4]",
            "low",
            "`apt-get install` without `rm -rf /var/lib/apt/lists/*` in the same step: RUN /bin/sh -c apt-get update && apt-get install -y git # buildkit",
        ),
    ];
    expected.sort();
    assert_eq!(findings(&doc), expected);
}

#[test]
fn root_filesystem_directory_gets_the_file_checks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, data: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    write("etc/os-release", b"ID=alpine\nVERSION_ID=3.9.0\n");
    write("etc/shadow", b"root:::0:::::\n");
    write("etc/passwd", b"root:x:0:0:root:/root:/bin/ash\n");
    write("srv/.idea/workspace.xml", b"<project/>");
    let (code, doc) = lint(root.to_str().unwrap());
    assert_eq!(code, 1, "{doc}");
    assert_eq!(
        findings(&doc),
        vec![
            row(
                "STK1113",
                "/etc/os-release",
                "info",
                "base: distroless (Alpine 3.9.0 packages, no shell, no package manager)"
            ),
            row(
                "STK1114",
                "/etc/shadow",
                "high",
                "account `root` has an empty password (line 1)"
            ),
            row(
                "STK1116",
                "/srv/.idea",
                "info",
                "directory `.idea` is not needed at run time"
            ),
        ]
    );
}
