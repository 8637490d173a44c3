//! Fixture images built by the tests (OCI layouts, docker save archives, root filesystems)
//! with known package lists.

mod support;

use std::path::Path;

use stockade_sbom::{Inventory, Options, TargetKind, inventory, inventory_with};
use support::*;

const OS_DEBIAN: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";

const STATUS_1: &[u8] = b"Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u5\n\n\
Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n\n\
Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0+deb12u1\n";

const ZLIB: &[u8] = b"\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";

/// `(type, name, version, layer)` of every package.
/// Sorted as tuples, so expectations need not follow the inventory's type order.
fn summary(inv: &Inventory) -> Vec<(String, String, String, Option<String>)> {
    let mut v: Vec<_> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.kind.as_str().to_string(),
                p.name.clone(),
                p.version.clone(),
                p.layer.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(t: &str, n: &str, v: &str, layer: Option<&str>) -> (String, String, String, Option<String>) {
    (t.into(), n.into(), v.into(), layer.map(digest))
}

/// Three layers: a Debian base with a distroless-style status.d, then a layer that whites out
/// one status.d file and adds a package and a Python distribution, then a layer with an opaque
/// directory, an npm package and a package-lock.
pub fn debian_image() -> Image {
    let status2 = [STATUS_1, ZLIB].concat();
    let l1 = gzip(&tar(&[
        E::Dir("etc"),
        E::File("etc/os-release", OS_DEBIAN),
        E::File("var/lib/dpkg/status", STATUS_1),
        E::File(
            "var/lib/dpkg/status.d/libssl3",
            b"Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n",
        ),
        E::File(
            "var/lib/dpkg/status.d/libssl3.md5sums",
            b"abc  usr/lib/libssl.so.3\n",
        ),
        E::File(
            "var/lib/dpkg/status.d/curl",
            b"Package: curl\nVersion: 7.88.1-10+deb12u5\nArchitecture: amd64\n",
        ),
        E::File(
            "opt/old/node_modules/left-pad/package.json",
            br#"{"name":"left-pad","version":"1.3.0","license":"WTFPL"}"#,
        ),
    ]));
    let l2 = zstd(&tar(&[
        E::File("var/lib/dpkg/status.d/.wh.curl", b""),
        E::File("var/lib/dpkg/status", &status2),
        E::File(
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n",
        ),
    ]));
    let l3 = tar(&[
        E::File("opt/old/.wh..wh..opq", b""),
        E::File(
            "opt/old/node_modules/right-pad/package.json",
            br#"{"name":"right-pad","version":"1.0.1","license":"MIT"}"#,
        ),
        E::File(
            "app/node_modules/express/package.json",
            br#"{"name":"express","version":"4.18.2","license":"MIT"}"#,
        ),
        E::File(
            "app/package-lock.json",
            br#"{"name":"app","lockfileVersion":3,"packages":{"":{"name":"app"},
                "node_modules/express":{"version":"4.18.2"},
                "node_modules/@types/node":{"version":"20.1.0","dev":true}}}"#,
        ),
    ]);
    let layers = vec![layer("l1", l1), layer("l2", l2), layer("l3", l3)];
    let diff_ids: Vec<String> = ["d1", "d2", "d3"].iter().map(|d| digest(d)).collect();
    Image {
        config: config("amd64", &diff_ids),
        layers,
    }
}

fn debian_expected() -> Vec<(String, String, String, Option<String>)> {
    vec![
        row("deb", "base-files", "12.4+deb12u5", Some("l1")),
        row("deb", "libc6", "2.36-9+deb12u4", Some("l1")),
        row("deb", "libssl3", "3.0.11-1~deb12u2", Some("l1")),
        row("deb", "tzdata", "2024a-0+deb12u1", Some("l1")),
        row("deb", "zlib1g", "1:1.2.13.dfsg-1", Some("l2")),
        row("pypi", "requests", "2.31.0", Some("l2")),
        row("npm", "@types/node", "20.1.0", Some("l3")),
        row("npm", "express", "4.18.2", Some("l3")),
        row("npm", "right-pad", "1.0.1", Some("l3")),
    ]
}

fn sorted(
    mut v: Vec<(String, String, String, Option<String>)>,
) -> Vec<(String, String, String, Option<String>)> {
    v.sort();
    v
}

fn arm_image() -> Image {
    let l = gzip(&tar(&[
        E::File("etc/os-release", OS_DEBIAN),
        E::File(
            "var/lib/dpkg/status",
            b"Package: arm-only\nStatus: install ok installed\nArchitecture: arm64\nVersion: 1.0-1\n",
        ),
    ]));
    Image {
        config: config("arm64", &[digest("arm-d1")]),
        layers: vec![layer("arm-l1", l)],
    }
}

#[test]
fn oci_layout_with_whiteouts_opaque_dirs_and_layers() {
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &debian_image())], false);
    let inv = inventory(dir.path()).unwrap();
    assert_eq!(inv.kind, TargetKind::OciLayout);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(summary(&inv), sorted(debian_expected()));
    let os = inv.os.as_ref().unwrap();
    assert_eq!(
        (os.id.as_str(), os.version_id.as_deref()),
        ("debian", Some("12"))
    );
    let libc = inv.packages.iter().find(|p| p.name == "libc6").unwrap();
    assert_eq!(
        libc.purl,
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
    );
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.path, "var/lib/dpkg/status");
    let ssl = inv.packages.iter().find(|p| p.name == "libssl3").unwrap();
    assert_eq!(ssl.path, "var/lib/dpkg/status.d/libssl3");
    assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
    let cfg = inv.config.as_ref().unwrap();
    assert_eq!(cfg.user.as_deref(), Some("65532"));
    assert_eq!(
        cfg.entrypoint.as_deref(),
        Some(&["/app/server".to_string()][..])
    );
    assert_eq!(cfg.cmd.as_ref().unwrap().len(), 2);
    assert_eq!(cfg.env, ["PATH=/usr/bin", "LANG=C.UTF-8"]);
    assert_eq!(cfg.created.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(cfg.history.len(), 3);
    assert!(cfg.history[1].empty_layer);
    assert_eq!(cfg.exposed_ports, ["8080/tcp"]);
    assert_eq!(inv.layers.len(), 3);
    assert_eq!(
        inv.layers[2].diff_id.as_deref(),
        Some(digest("d3").as_str())
    );
}

#[test]
fn multi_platform_index_picks_the_platform_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(
        dir.path(),
        &[
            ("linux/amd64", &debian_image()),
            ("linux/arm64", &arm_image()),
        ],
        true,
    );
    let amd = inventory(dir.path()).unwrap();
    assert_eq!(summary(&amd), sorted(debian_expected()));
    let arm = inventory_with(
        dir.path(),
        &Options {
            platform: "linux/arm64".into(),
        },
    )
    .unwrap();
    assert_eq!(
        summary(&arm),
        [row("deb", "arm-only", "1.0-1", Some("arm-l1"))]
    );
    let err = inventory_with(
        dir.path(),
        &Options {
            platform: "linux/s390x".into(),
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "index.json: no image for platform linux/s390x (available: linux/amd64, linux/arm64)"
    );
}

#[test]
fn docker_save_archive_with_oci_layout_inside() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.tar");
    write_docker_oci_archive(&file, &debian_image());
    let inv = inventory(&file).unwrap();
    assert_eq!(inv.kind, TargetKind::DockerArchive);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(summary(&inv), sorted(debian_expected()));
}

#[test]
fn legacy_docker_save_archive_with_apk_and_python() {
    let l1 = tar(&[
        E::File(
            "etc/os-release",
            b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n",
        ),
        E::File(
            "lib/apk/db/installed",
            b"C:Q1a=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\n\n\
C:Q1b=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\no:openssl\n",
        ),
    ]);
    let l2 = tar(&[
        E::File(
            "lib/apk/db/installed",
            b"C:Q1a=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\n\n\
C:Q1b=\nP:libcrypto3\nV:3.1.4-r6\nA:x86_64\nL:Apache-2.0\no:openssl\n\n\
C:Q1c=\nP:curl\nV:8.5.0-r0\nA:x86_64\nL:curl\no:curl\n",
        ),
        E::File(
            "usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
            b"Name: six\nVersion: 1.16.0\nLicense: MIT\n",
        ),
    ]);
    let diff_ids = vec![digest("a1"), digest("a2")];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alpine.tar");
    write_docker_legacy_archive(&file, &config("amd64", &diff_ids), &[l1, l2]);
    let inv = inventory(&file).unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    // Legacy archives are named by their diff_ids; libcrypto3 was upgraded in layer 2.
    assert_eq!(
        summary(&inv),
        [
            row("apk", "curl", "8.5.0-r0", Some("a2")),
            row("apk", "libcrypto3", "3.1.4-r6", Some("a2")),
            row("apk", "musl", "1.2.4_git20230717-r4", Some("a1")),
            row("pypi", "six", "1.16.0", Some("a2")),
        ]
    );
    let crypto = &inv.packages[1];
    assert_eq!(crypto.source_name.as_deref(), Some("openssl"));
    assert_eq!(
        crypto.purl,
        "pkg:apk/alpine/libcrypto3@3.1.4-r6?arch=x86_64&distro=alpine-3.19.1"
    );
}

#[test]
fn truncated_layer_is_reported_and_the_rest_still_catalogued() {
    let img = debian_image();
    let filler = vec![b'x'; 200_000];
    let l2 = tar(&[
        E::File(
            "var/lib/dpkg/status.d/early",
            b"Package: early\nVersion: 1.0\nArchitecture: all\n",
        ),
        E::File("usr/share/filler", &filler),
        E::File(
            "var/lib/dpkg/status.d/late",
            b"Package: late\nVersion: 1.0\nArchitecture: all\n",
        ),
    ]);
    let cut = l2[..120_000].to_vec();
    let broken = Image {
        config: img.config.clone(),
        layers: vec![img.layers[0].clone(), layer("cut", cut)],
    };
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &broken)], false);
    let inv = inventory(dir.path()).unwrap();
    let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "base-files",
            "curl",
            "early",
            "libc6",
            "libssl3",
            "tzdata",
            "left-pad"
        ]
    );
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    let e = inv.errors[0].to_string();
    assert!(
        e.starts_with(&format!(
            "layer 2 ({}): entry 3 (after \"usr/share/filler\")",
            digest("cut")
        )),
        "{e}"
    );
}

#[test]
fn truncated_gzip_layer_names_the_layer() {
    let img = debian_image();
    let (d, m, blob) = img.layers[0].clone();
    let broken = Image {
        config: img.config.clone(),
        layers: vec![(d, m, blob[..blob.len() / 2].to_vec())],
    };
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &broken)], false);
    let inv = inventory(dir.path()).unwrap();
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert!(
        inv.errors[0].location.starts_with("layer 1 (sha256:"),
        "{}",
        inv.errors[0]
    );
}

#[test]
fn not_an_image_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.tar");
    std::fs::write(&file, b"hello").unwrap();
    let err = inventory(&file).unwrap_err().to_string();
    assert!(err.contains("x.tar"), "{err}");
    let missing = inventory(Path::new("/nonexistent/image")).unwrap_err();
    assert!(missing.to_string().starts_with("/nonexistent/image: "));
}

fn write(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

#[test]
fn rootfs_directory_with_binaries_jars_and_a_bad_stanza() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "etc/os-release", OS_DEBIAN);
    write(
        root,
        "var/lib/dpkg/status",
        b"Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\nSource: bash (5.2.15-2)\n\n\
Status: install ok installed\nVersion: 9\n\n\
Package: dash\nStatus: install ok installed\nVersion: 0.5.12-2\nArchitecture: amd64\n",
    );
    let go = elf(&[(
        ".go.buildinfo",
        go_buildinfo(
            "go1.21.5",
            "path\texample.com/cmd/tool\nmod\texample.com/cmd\tv1.0.0\th1:a=\ndep\tgithub.com/spf13/cobra\tv1.8.0\th1:b=\n",
        ),
    )]);
    write(root, "usr/local/bin/tool", &go);
    let rust = elf(&[(
        ".dep-v0",
        zlib(br#"{"packages":[{"name":"ripgrep","version":"14.1.0","source":"local","root":true},{"name":"regex","version":"1.10.2","source":"crates.io"}]}"#),
    )]);
    write(root, "usr/local/bin/rg", &rust);
    write(root, "usr/local/bin/script", &[b'#'; 4096]);
    for f in [
        "usr/local/bin/tool",
        "usr/local/bin/rg",
        "usr/local/bin/script",
    ] {
        std::fs::set_permissions(root.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // A jar with pom.properties.
    let jar = {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(
            "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n")
            .unwrap();
        w.finish().unwrap().into_inner()
    };
    write(root, "opt/app/lib/log4j-core-2.14.1.jar", &jar);
    let inv = inventory(root).unwrap();
    assert_eq!(inv.kind, TargetKind::Rootfs);
    let got: Vec<(String, String, String)> = inv
        .packages
        .iter()
        .map(|p| (p.kind.as_str().into(), p.name.clone(), p.version.clone()))
        .collect();
    let want: Vec<(String, String, String)> = [
        ("deb", "bash", "5.2.15-2+b2"),
        ("deb", "dash", "0.5.12-2"),
        ("maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
        ("golang", "example.com/cmd", "v1.0.0"),
        ("golang", "github.com/spf13/cobra", "v1.8.0"),
        ("golang", "stdlib", "1.21.5"),
        ("cargo", "regex", "1.10.2"),
        ("cargo", "ripgrep", "14.1.0"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
    let bash = &inv.packages[0];
    assert_eq!(bash.source_version.as_deref(), Some("5.2.15-2"));
    assert_eq!(
        inv.packages[2].purl,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    assert_eq!(inv.packages[3].path, "usr/local/bin/tool");
    let errors: Vec<String> = inv.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["var/lib/dpkg/status:7: stanza has no Package field; skipped"]
    );
}

#[test]
fn project_directory_lockfiles() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.lock",
        b"version = 3\n[[package]]\nname = \"anyhow\"\nversion = \"1.0.86\"\n",
    );
    write(
        root,
        "web/yarn.lock",
        b"lodash@^4.17.20:\n  version \"4.17.21\"\n",
    );
    write(
        root,
        "svc/go.mod",
        b"module x\n\nrequire github.com/a/b v1.2.3\n",
    );
    write(
        root,
        "svc/go.sum",
        b"github.com/a/b v1.2.3 h1:x=\ngithub.com/zzz/ignored v0.1.0 h1:y=\n",
    );
    write(root, "py/requirements.txt", b"flask==3.0.0\n");
    write(
        root,
        "rb/Gemfile.lock",
        b"GEM\n  specs:\n    rack (3.0.8)\n",
    );
    write(root, "broken/package-lock.json", b"{ not json");
    // Lockfiles of installed npm packages are not the project's.
    write(
        root,
        "web/node_modules/x/package-lock.json",
        br#"{"lockfileVersion":3,"packages":{"node_modules/y":{"version":"1.0.0"}}}"#,
    );
    let inv = inventory(root).unwrap();
    assert_eq!(inv.kind, TargetKind::Directory);
    let purls: Vec<&str> = inv.packages.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:pypi/flask@3.0.0",
            "pkg:npm/lodash@4.17.21",
            "pkg:golang/github.com/a/b@v1.2.3",
            "pkg:cargo/anyhow@1.0.86",
            "pkg:gem/rack@3.0.8",
        ]
    );
    assert_eq!(inv.errors.len(), 1);
    assert!(
        inv.errors[0]
            .to_string()
            .starts_with("broken/package-lock.json: line 1: "),
        "{}",
        inv.errors[0]
    );
}

#[test]
fn rootfs_with_sqlite_rpmdb_and_a_broken_berkeley_db() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "etc/os-release", b"ID=\"rhel\"\nVERSION_ID=\"9.3\"\n");
    std::fs::create_dir_all(root.join("var/lib/rpm")).unwrap();
    let conn = rusqlite::Connection::open(root.join("var/lib/rpm/rpmdb.sqlite")).unwrap();
    conn.execute_batch(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
    )
    .unwrap();
    for blob in [
        rpm_header(
            &[
                (1000, "openssl-libs"),
                (1001, "3.0.7"),
                (1002, "25.el9_3"),
                (1022, "x86_64"),
                (1014, "ASL 2.0"),
                (1044, "openssl-3.0.7-25.el9_3.src.rpm"),
            ],
            Some(1),
        ),
        rpm_header(
            &[
                (1000, "tzdata"),
                (1001, "2023c"),
                (1002, "1.el9"),
                (1022, "noarch"),
            ],
            None,
        ),
    ] {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
            .unwrap();
    }
    drop(conn);
    write(root, "usr/lib/sysimage/rpm/Packages", b"\0\0\0\0 not read");
    let inv = inventory(root).unwrap();
    let purls: Vec<&str> = inv.packages.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:rpm/rhel/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rhel-9.3&epoch=1",
            "pkg:rpm/rhel/tzdata@2023c-1.el9?arch=noarch&distro=rhel-9.3",
        ]
    );
    assert_eq!(inv.packages[0].source_name.as_deref(), Some("openssl"));
    assert_eq!(inv.packages[0].version, "1:3.0.7-25.el9_3");
    let errors: Vec<String> = inv.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "usr/lib/sysimage/rpm/Packages: rpm Berkeley DB database: not a Berkeley DB file: 13 bytes, shorter than its metadata page"
        ]
    );
}
