//! rpm's Berkeley DB `Packages` database (CentOS 7, RHEL 7, Amazon Linux 2), on files made by
//! Berkeley DB itself: `db5.3_load` (Debian's db5.3-util, installed by
//! scripts/install-test-tools.sh when missing) loads a dump the test writes, as a hash
//! database (what rpm uses) and as a btree. Header blobs larger than a page land on overflow
//! pages, small ones stay on the hash pages, and enough packages are loaded to span many pages.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use stockade_sbom::inventory;
use support::*;

const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const LICENSE: u32 = 1014;
const ARCH: u32 = 1022;
const SOURCERPM: u32 = 1044;
/// RPMTAG_DESCRIPTION: padding that makes a header larger than a page, as real ones are.
const DESCRIPTION: u32 = 1005;

fn install_db_tools() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/install-test-tools.sh");
    let out = Command::new("sh")
        .arg(&script)
        .arg("db5.3-util")
        .output()
        .expect("run install-test-tools.sh");
    assert!(
        out.status.success(),
        "installing db5.3-util failed; this test needs db5.3_load:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A Berkeley DB file of `kind` (`hash` or `btree`) with `page_size`, loaded by db5.3_load
/// from a dump of (key, value) pairs.
fn load(kind: &str, page_size: u32, pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    install_db_tools();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("Packages");
    let mut dump =
        format!("VERSION=3\nformat=bytevalue\ntype={kind}\ndb_pagesize={page_size}\nHEADER=END\n");
    for (k, v) in pairs {
        dump.push_str(&format!(" {}\n {}\n", hex(k), hex(v)));
    }
    dump.push_str("DATA=END\n");
    let mut child = Command::new("db5.3_load")
        .arg(&db)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run db5.3_load");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "db5.3_load: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&db).unwrap()
}

/// Package `i`: every seventh one has a 9 KB description (three 4 KB overflow pages).
fn header(i: u32) -> Vec<u8> {
    let name = format!("pkg{i:03}");
    let desc = "x".repeat(if i.is_multiple_of(7) { 9000 } else { 10 });
    let src = format!("{name}-1.{i}-3.el7.src.rpm");
    rpm_header(
        &[
            (NAME, &name),
            (VERSION, &format!("1.{i}")),
            (RELEASE, "3.el7"),
            (ARCH, "x86_64"),
            (LICENSE, "MIT"),
            (SOURCERPM, &src),
            (DESCRIPTION, &desc),
        ],
        None,
    )
}

/// rpm's layout: keys are instance numbers (native order), key 0 holds the next one.
fn rpm_pairs(n: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut pairs = vec![(0u32.to_le_bytes().to_vec(), (n + 1).to_le_bytes().to_vec())];
    for i in 1..=n {
        pairs.push((i.to_le_bytes().to_vec(), header(i)));
    }
    pairs
}

fn write(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn expected(n: u32) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = (1..=n)
        .map(|i| (format!("pkg{i:03}"), format!("1.{i}-3.el7")))
        .collect();
    v.sort();
    v
}

fn names(inv: &stockade_sbom::Inventory) -> Vec<(String, String)> {
    inv.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

#[test]
fn centos7_hash_database_with_overflow_pages_in_an_image() {
    let db = load("hash", 4096, &rpm_pairs(150));
    assert!(db.len() > 40 * 4096, "spans many pages: {}", db.len());
    let l1 = gzip(&tar(&[
        E::File(
            "etc/os-release",
            b"ID=\"centos\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n",
        ),
        E::File("var/lib/rpm/Packages", &db),
    ]));
    let diff = vec![digest("bdb-1")];
    let img = Image {
        config: config("amd64", &diff),
        layers: vec![layer("bdb-1", l1)],
    };
    let dir = tempfile::tempdir().unwrap();
    write_oci_dir(dir.path(), &[("linux/amd64", &img)], false);
    let inv = inventory(dir.path()).unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(names(&inv), expected(150));
    let p = inv.packages.iter().find(|p| p.name == "pkg007").unwrap();
    assert_eq!(
        p.purl,
        "pkg:rpm/centos/pkg007@1.7-3.el7?arch=x86_64&distro=centos-7"
    );
    assert_eq!(p.source_name.as_deref(), Some("pkg007"));
    assert_eq!(p.source_version.as_deref(), Some("1.7-3.el7"));
    assert_eq!(p.licenses, ["MIT"]);
    assert_eq!(p.path, "var/lib/rpm/Packages");
    assert_eq!(p.layer.as_deref(), Some(digest("bdb-1").as_str()));
}

#[test]
fn btree_database_and_small_pages() {
    // 512-byte pages: every header is on overflow pages, and leaf pages split often.
    let db = load("btree", 512, &rpm_pairs(40));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "usr/lib/sysimage/rpm/Packages", &db);
    let inv = inventory(dir.path()).unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(names(&inv), expected(40));
}

#[test]
fn truncated_or_damaged_database_is_reported_and_the_rest_inventoried() {
    let db = load("hash", 4096, &rpm_pairs(60));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "etc/os-release", b"ID=centos\nVERSION_ID=7\n");
    // Cut in the middle: the packages on the pages kept are listed.
    write(root, "var/lib/rpm/Packages", &db[..db.len() / 2]);
    write(
        root,
        "usr/lib/python3.6/site-packages/six-1.9.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: six\nVersion: 1.9.0\n",
    );
    let inv = inventory(root).unwrap();
    let got = names(&inv);
    assert!(got.contains(&("six".to_string(), "1.9.0".to_string())));
    let rpms = got.iter().filter(|(n, _)| n.starts_with("pkg")).count();
    assert!(rpms > 0 && rpms < 60, "{rpms} of 60 packages read");
    let errors: Vec<String> = inv.errors.iter().map(|e| e.to_string()).collect();
    let pages = db.len() / 4096;
    let kept = db.len() / 2 / 4096;
    assert!(
        errors.contains(&format!(
            "var/lib/rpm/Packages: rpm Berkeley DB database: truncated: the metadata page lists {pages} pages, the file holds {kept}"
        )),
        "{errors:?}"
    );

    // Not a database at all: one error naming the file, the rest still read.
    write(root, "var/lib/rpm/Packages", &[7u8; 8192]);
    let inv = inventory(root).unwrap();
    assert_eq!(names(&inv), [("six".to_string(), "1.9.0".to_string())]);
    let errors: Vec<String> = inv.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "var/lib/rpm/Packages: rpm Berkeley DB database: not a Berkeley DB hash or btree file (magic 0x07070707)"
        ]
    );
}
