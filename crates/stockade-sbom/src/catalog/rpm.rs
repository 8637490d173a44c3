//! RPM packages from the SQLite rpm database (`rpmdb.sqlite`, RHEL 9, Fedora 33+, SUSE).
//! Each row of its `Packages` table is an rpm header blob, parsed here.

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
