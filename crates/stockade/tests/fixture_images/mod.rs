//! The fixture images of the image-lint tests, shared with `stockade scan --images`: a
//! "dirty" Alpine (root, shells, apk, curl, setuid files, a deleted key, a password in the
//! environment) and a distroless-like one.

#![allow(dead_code)]

use serde_json::{Value, json};

use crate::support::{Image, digest, gzip, layer};

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
pub fn dirty() -> Image {
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
pub fn clean() -> Image {
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
