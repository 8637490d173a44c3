//! RPM packages from the three rpm database formats: SQLite (`rpmdb.sqlite`, RHEL 9, Fedora
//! 33+), ndb (`Packages.db`, SUSE) and Berkeley DB (`Packages`, RHEL ≤ 8, CentOS 7, Amazon
//! Linux 2). Each holds one rpm header blob per package, parsed here.

use std::io::Write;

use super::{package, problem};
use crate::{Package, PackageType, Problem};

const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const EPOCH: u32 = 1003;
const LICENSE: u32 = 1014;
const ARCH: u32 = 1022;
const SOURCERPM: u32 = 1044;

/// The tags of one header blob that we read.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub name: Option<String>,
    pub version: Option<String>,
    pub release: Option<String>,
    pub epoch: Option<u32>,
    pub license: Option<String>,
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
}

/// Parses a header blob as stored in the rpm database: entry count and data size (big
/// endian), the 16-byte index entries, then the data store.
pub(crate) fn parse_header(blob: &[u8]) -> Result<Header, String> {
    let be = |at: usize| -> Result<u32, String> {
        blob.get(at..at + 4)
            .map(|b| u32::from_be_bytes(b.try_into().unwrap_or_default()))
            .ok_or_else(|| format!("header truncated at byte {at}"))
    };
    let il = be(0)? as usize;
    let dl = be(4)? as usize;
    let data_start = 8 + il.checked_mul(16).ok_or("index too large")?;
    let data = blob
        .get(data_start..data_start.checked_add(dl).ok_or("data too large")?)
        .ok_or_else(|| {
            format!(
                "header claims {il} entries and {dl} data bytes, blob has {}",
                blob.len()
            )
        })?;
    let mut h = Header::default();
    for i in 0..il {
        let at = 8 + i * 16;
        let (tag, kind, offset) = (be(at)?, be(at + 4)?, be(at + 8)? as usize);
        let string = || -> Option<String> {
            // STRING (6), STRING_ARRAY (8), I18NSTRING (9): NUL-terminated, first one.
            if !matches!(kind, 6 | 8 | 9) {
                return None;
            }
            let s = data.get(offset..)?;
            let end = memchr::memchr(0, s)?;
            Some(String::from_utf8_lossy(&s[..end]).into_owned())
        };
        match tag {
            NAME => h.name = string(),
            VERSION => h.version = string(),
            RELEASE => h.release = string(),
            LICENSE => h.license = string(),
            ARCH => h.arch = string(),
            SOURCERPM => h.source_rpm = string(),
            EPOCH if kind == 4 => {
                h.epoch = data
                    .get(offset..offset + 4)
                    .map(|b| u32::from_be_bytes(b.try_into().unwrap_or_default()));
            }
            _ => {}
        }
    }
    Ok(h)
}

/// `bash-5.1.8-6.el9.src.rpm` → (`bash`, `5.1.8-6.el9`).
fn split_source_rpm(s: &str) -> Option<(String, String)> {
    let s = s.strip_suffix(".rpm")?;
    let s = s.rsplit_once('.').map(|(a, _)| a)?; // drop .src / .nosrc
    let (rest, release) = s.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_string(), format!("{version}-{release}")))
}

pub(crate) fn from_header(path: &str, h: Header) -> Option<Package> {
    let name = h.name?;
    // Imported signing keys are recorded as packages; they are not software.
    if name == "gpg-pubkey" {
        return None;
    }
    let mut version = format!(
        "{}-{}",
        h.version.unwrap_or_default(),
        h.release.unwrap_or_default()
    );
    if let Some(e) = h.epoch {
        version = format!("{e}:{version}");
    }
    let mut p = package(PackageType::Rpm, &name, &version, path);
    p.arch = h.arch;
    if let Some((src, ver)) = h.source_rpm.as_deref().and_then(split_source_rpm) {
        p.source_name = Some(src);
        p.source_version = Some(match h.epoch {
            Some(e) => format!("{e}:{ver}"),
            None => ver,
        });
    }
    p.licenses.extend(h.license);
    Some(p)
}

pub(crate) fn parse_sqlite(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let result = (|| -> Result<Vec<Vec<u8>>, String> {
        // SQLite reads files: the database is written to a private temporary file.
        let mut tmp = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        tmp.write_all(data).map_err(|e| e.to_string())?;
        let conn = rusqlite::Connection::open_with_flags(
            tmp.path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .map_err(|e| e.to_string())?;
        let mut stmt = conn
            .prepare("SELECT blob FROM Packages")
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], |r| r.get::<_, Vec<u8>>(0))
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
    })();
    let blobs = match result {
        Ok(b) => b,
        Err(e) => {
            problems.push(problem(path, format!("rpm database: {e}")));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        match parse_header(blob) {
            Ok(h) => out.extend(from_header(path, h)),
            Err(e) => problems.push(problem(format!("{path}: row {}", i + 1), e)),
        }
    }
    out
}

/// The ndb rpm database (`Packages.db`, SUSE): a 32-byte header (`RpmP`, version 0,
/// generation, slot page count), slot pages of 16-byte slots (`Slot`, package index, block
/// offset, block count), and blobs at 16-byte blocks (`BlbS`, package index, checksum, length,
/// then the header blob). All little endian.
pub(crate) fn parse_ndb(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let le = |at: usize| -> Option<u32> {
        data.get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
    };
    if le(0) != Some(u32::from_le_bytes(*b"RpmP")) || le(4) != Some(0) {
        problems.push(problem(
            path,
            "not an ndb rpm database (no RpmP header, version 0)",
        ));
        return Vec::new();
    }
    let pages = le(12).unwrap_or(0) as usize;
    let slots = (pages * 4096 / 16).saturating_sub(2);
    let mut out = Vec::new();
    for i in 0..slots {
        let at = 32 + i * 16;
        let (Some(magic), Some(idx), Some(blkoff)) = (le(at), le(at + 4), le(at + 8)) else {
            problems.push(problem(
                path,
                format!("slot {i} is past the end of the file"),
            ));
            break;
        };
        if magic != u32::from_le_bytes(*b"Slot") || idx == 0 {
            continue;
        }
        let blob_at = blkoff as usize * 16;
        let header = (le(blob_at), le(blob_at + 4), le(blob_at + 12));
        let (Some(bmagic), Some(bidx), Some(len)) = header else {
            problems.push(problem(
                path,
                format!("package {idx}: blob past the end of the file"),
            ));
            continue;
        };
        if bmagic != u32::from_le_bytes(*b"BlbS") || bidx != idx {
            problems.push(problem(
                path,
                format!("package {idx}: bad blob header at byte {blob_at}"),
            ));
            continue;
        }
        let blob = data.get(blob_at + 16..blob_at + 16 + len as usize);
        match blob.map(parse_header) {
            Some(Ok(h)) => out.extend(from_header(path, h)),
            Some(Err(e)) => problems.push(problem(format!("{path}: package {idx}"), e)),
            None => problems.push(problem(path, format!("package {idx}: blob truncated"))),
        }
    }
    out
}

/// The Berkeley DB rpm database (`Packages`): a hash database keyed by package instance
/// number (native-endian u32) whose values are header blobs; key 0 holds the next instance
/// number, not a package.
pub(crate) fn parse_bdb(path: &str, data: &[u8], problems: &mut Vec<Problem>) -> Vec<Package> {
    let db = match super::bdb::Db::open(data) {
        Ok(db) => db,
        Err(e) => {
            problems.push(problem(path, format!("rpm Berkeley DB database: {e}")));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for item in db.pairs() {
        match item {
            Ok((key, _)) if key.iter().all(|b| *b == 0) => {}
            Ok((key, blob)) => match parse_header(&blob) {
                Ok(h) => out.extend(from_header(path, h)),
                Err(e) => problems.push(problem(format!("{path}: package {}", instance(&key)), e)),
            },
            Err(e) => problems.push(problem(path, format!("rpm Berkeley DB database: {e}"))),
        }
    }
    out
}

/// The package instance number of a key (stored in the writer's byte order: shown as the
/// smaller reading).
fn instance(key: &[u8]) -> u32 {
    match <[u8; 4]>::try_from(key) {
        Ok(b) => u32::from_le_bytes(b).min(u32::from_be_bytes(b)),
        Err(_) => 0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob with string and int32 entries, as rpm stores them.
    pub(crate) fn header_blob(strings: &[(u32, &str)], epoch: Option<u32>) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        if let Some(e) = epoch {
            index.push((EPOCH, 4u32, data.len() as u32));
            data.extend_from_slice(&e.to_be_bytes());
        }
        for (tag, s) in strings {
            index.push((*tag, 6u32, data.len() as u32));
            data.extend_from_slice(s.as_bytes());
            data.push(0);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(index.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        for (tag, kind, off) in index {
            blob.extend_from_slice(&tag.to_be_bytes());
            blob.extend_from_slice(&kind.to_be_bytes());
            blob.extend_from_slice(&off.to_be_bytes());
            blob.extend_from_slice(&1u32.to_be_bytes());
        }
        blob.extend_from_slice(&data);
        blob
    }

    pub(crate) fn bash_blob() -> Vec<u8> {
        header_blob(
            &[
                (NAME, "bash"),
                (VERSION, "5.1.8"),
                (RELEASE, "6.el9"),
                (ARCH, "x86_64"),
                (LICENSE, "GPLv3+"),
                (SOURCERPM, "bash-5.1.8-6.el9.src.rpm"),
            ],
            Some(1),
        )
    }

    #[test]
    fn header_blob_to_package() {
        let h = parse_header(&bash_blob()).unwrap();
        let p = from_header("var/lib/rpm/rpmdb.sqlite", h).unwrap();
        assert_eq!(p.name, "bash");
        assert_eq!(p.version, "1:5.1.8-6.el9");
        assert_eq!(p.source_name.as_deref(), Some("bash"));
        assert_eq!(p.source_version.as_deref(), Some("1:5.1.8-6.el9"));
        assert_eq!(p.licenses, ["GPLv3+"]);
        let blob = bash_blob();
        assert!(
            parse_header(&blob[..blob.len() - 3])
                .unwrap_err()
                .contains("blob has")
        );
    }

    /// Builds an ndb database: one slot page, blobs from block 256 (byte 4096) on.
    pub(crate) fn ndb(blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut db = Vec::new();
        for v in [u32::from_le_bytes(*b"RpmP"), 0, 1, 1, 0, 0, 0, 0] {
            db.extend_from_slice(&v.to_le_bytes());
        }
        let mut area = Vec::new();
        for (i, b) in blobs.iter().enumerate() {
            let blk = (4096 + area.len()) / 16;
            for v in [u32::from_le_bytes(*b"Slot"), i as u32 + 1, blk as u32, 0] {
                db.extend_from_slice(&v.to_le_bytes());
            }
            for v in [
                u32::from_le_bytes(*b"BlbS"),
                i as u32 + 1,
                0,
                b.len() as u32,
            ] {
                area.extend_from_slice(&v.to_le_bytes());
            }
            area.extend_from_slice(b);
            area.resize(area.len().div_ceil(16) * 16, 0);
        }
        db.resize(4096, 0);
        db.extend_from_slice(&area);
        db
    }

    #[test]
    fn ndb_database() {
        let tz = header_blob(
            &[(NAME, "tzdata"), (VERSION, "2024a"), (RELEASE, "1.1")],
            None,
        );
        let mut problems = Vec::new();
        let pkgs = parse_ndb(
            "usr/lib/sysimage/rpm/Packages.db",
            &ndb(&[bash_blob(), tz]),
            &mut problems,
        );
        let got: Vec<_> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, [("bash", "1:5.1.8-6.el9"), ("tzdata", "2024a-1.1")]);
        assert!(problems.is_empty());
        let mut broken = ndb(&[bash_blob()]);
        broken.truncate(4096 + 20);
        assert!(parse_ndb("Packages.db", &broken, &mut problems).is_empty());
        assert_eq!(
            problems[0].to_string(),
            "Packages.db: package 1: blob truncated"
        );
        problems.clear();
        parse_ndb("Packages.db", b"not a database", &mut problems);
        assert_eq!(
            problems[0].to_string(),
            "Packages.db: not an ndb rpm database (no RpmP header, version 0)"
        );
    }

    #[test]
    fn sqlite_database() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("rpmdb.sqlite");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        )
        .unwrap();
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [bash_blob()])
            .unwrap();
        conn.execute(
            "INSERT INTO Packages (blob) VALUES (?1)",
            [header_blob(&[(NAME, "gpg-pubkey"), (VERSION, "1")], None)],
        )
        .unwrap();
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [vec![0u8, 0, 0]])
            .unwrap();
        drop(conn);
        let data = std::fs::read(&db).unwrap();
        let mut problems = Vec::new();
        let pkgs = parse_sqlite("var/lib/rpm/rpmdb.sqlite", &data, &mut problems);
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].name, "bash");
        assert_eq!(
            problems[0].to_string(),
            "var/lib/rpm/rpmdb.sqlite: row 3: header truncated at byte 0"
        );
    }
}
