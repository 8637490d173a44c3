//! The files the image checks look at, gathered while layers stream: whiteouts and opaque
//! directories hide tools of lower layers, secret files are kept from every layer.

mod support;

use stockade_model::image::EntryKind;
use stockade_sbom::inventory;
use support::*;

const KEY: &[u8] = b"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

#[test]
fn whiteouts_and_opaque_dirs_apply_and_secrets_are_kept_from_every_layer() {
    let l1 = gzip(&tar(&[
        E::Exec("usr/bin/curl", b"curl"),
        E::Exec("usr/local/bin/make", b"make"),
        E::File("opt/keys/server.key", KEY),
        E::File("opt/keys/ca.pem", b"-----BEGIN CERTIFICATE-----\n"),
        E::File("root/.npmrc", b"//registry.npmjs.org/:_authToken=npm_x\n"),
        E::File("home/app/.npmrc", b"registry=https://registry.npmjs.org/\n"),
    ]));
    let l2 = zstd(&tar(&[
        E::File("usr/local/bin/.wh..wh..opq", b""),
        E::Exec("usr/local/bin/go", b"go"),
        E::File("opt/keys/.wh.server.key", b""),
        E::File("usr/bin/.wh.curl", b""),
    ]));
    let l3 = tar(&[E::Symlink("usr/bin/wget", "busybox")]);
    let img = Image {
        config: config("amd64", &[digest("f1"), digest("f2"), digest("f3")]),
        layers: vec![layer("f1", l1), layer("f2", l2), layer("f3", l3)],
    };
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &img)], false);
    let inv = inventory(dir.path()).unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let got: Vec<_> = inv
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                f.kind,
                f.layer,
                f.present,
                f.secret.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "/opt/keys/server.key",
                EntryKind::File,
                Some(0),
                false,
                Some("private key")
            ),
            (
                "/root/.npmrc",
                EntryKind::File,
                Some(0),
                true,
                Some("npm registry token")
            ),
            ("/usr/bin/wget", EntryKind::Symlink, Some(2), true, None),
            ("/usr/local/bin/go", EntryKind::File, Some(1), true, None),
        ]
    );
    assert!(!inv.files_truncated);

    let facts = inv.image_facts();
    assert!(facts.has_config);
    assert_eq!(facts.user.as_deref(), Some("65532"));
    assert_eq!(facts.env, ["PATH=/usr/bin", "LANG=C.UTF-8"]);
    assert_eq!(facts.history[2], "COPY app /app");
    assert_eq!(facts.created.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(facts.healthcheck, None);
    assert_eq!(facts.layers, 3);
    assert_eq!(facts.files.len(), 4);
}
