//! The store: one SQLite file (`vuln.db`) in the database directory.
//!
//! Tables: `vulns` (one row per advisory ID: aliases, summary, vendor severity, CVSS vector),
//! `affected` (one row per advisory × package × distro release, the ranges as compact JSON),
//! `aliases` (alias → ID, to find a CVSS score for a vendor record that has none), `sources`
//! (records per source) and `meta` (build time, schema version).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;

use crate::osv::{self, Affected, Event, Range};
use crate::{Error, Severity};

/// The file name of the store inside the database directory.
pub const FILE_NAME: &str = "vuln.db";
const SCHEMA_VERSION: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(name TEXT PRIMARY KEY, records INTEGER NOT NULL, imported_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vulns(id TEXT PRIMARY KEY, aliases TEXT NOT NULL, summary TEXT NOT NULL, severity TEXT, cvss TEXT);
CREATE TABLE IF NOT EXISTS affected(vuln_id TEXT NOT NULL, ecosystem TEXT NOT NULL, release TEXT NOT NULL, package TEXT NOT NULL, ranges TEXT NOT NULL, severity TEXT);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, package, release);
CREATE TABLE IF NOT EXISTS aliases(alias TEXT NOT NULL, vuln_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias);
";

/// The Debian release codenames by major version (the tracker and our store key by codename).
pub const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
];

/// The default database directory: `$STOCKADE_DB`, else `$XDG_CACHE_HOME/stockade/db`, else
/// `~/.cache/stockade/db`.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("STOCKADE_DB").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("stockade").join("db");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home)
        .join(".cache")
        .join("stockade")
        .join("db")
}

/// An open store.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Records imported per source (`osv:PyPI`, `debian-tracker`, `alpine-secdb:v3.19/main`).
    pub sources: HashMap<String, usize>,
    /// Problems, each naming the file (and zip entry); the rest was imported.
    pub errors: Vec<Error>,
    /// OSV `affected` entries with only GIT ranges and no version list: not evaluable here.
    pub git_only: usize,
}

impl ImportReport {
    /// Records imported in total.
    pub fn records(&self) -> usize {
        self.sources.values().sum()
    }
}

/// What `stockade db info` shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Info {
    /// The database file.
    pub path: PathBuf,
    /// When it was built or last imported into (seconds since the epoch).
    pub built_at: u64,
    /// File size in bytes.
    pub size: u64,
    /// Advisories.
    pub vulnerabilities: u64,
    /// Advisory × package rows.
    pub affected: u64,
    /// (source, records, imported at) sorted by source.
    pub sources: Vec<(String, u64, u64)>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Maps an OSV ecosystem string to the stored (ecosystem, release) pair: `Debian:12` →
/// (`Debian`, `bookworm`), `Alpine:v3.19` → (`Alpine`, `v3.19`), `Ubuntu:22.04:LTS` →
/// (`Ubuntu`, `22.04`), `Rocky Linux:9` → (`Rocky Linux`, `9`), `PyPI` → (`PyPI`, ``).
pub fn split_ecosystem(eco: &str) -> (String, String) {
    let (base, release) = match eco.split_once(':') {
        Some((b, r)) => (b.trim(), r.trim()),
        None => (eco.trim(), ""),
    };
    let release = match base {
        "Debian" => debian_codename(release).unwrap_or(release).to_string(),
        "Ubuntu" => release.split(':').next().unwrap_or("").to_string(),
        _ => release.to_string(),
    };
    (base.to_string(), release)
}

/// `12` or `12.4` → `bookworm`; a codename stays as it is.
pub fn debian_codename(version: &str) -> Option<&'static str> {
    let major = version.split('.').next().unwrap_or("");
    DEBIAN_RELEASES
        .iter()
        .find(|(v, name)| *v == major || *name == version)
        .map(|(_, name)| *name)
}

fn package_key(ecosystem: &str, name: &str) -> String {
    use crate::purl::{Ecosystem as E, normalize_name};
    let eco = match ecosystem {
        "PyPI" => Some(E::PyPI),
        "npm" => Some(E::Npm),
        "crates.io" => Some(E::Cargo),
        "Debian" => Some(E::Debian),
        "Ubuntu" => Some(E::Ubuntu),
        "Alpine" => Some(E::Alpine),
        _ => None,
    };
    match eco {
        Some(e) => normalize_name(e, name),
        None => name.trim().to_string(),
    }
}

#[derive(Deserialize)]
struct DebianRelease {
    #[serde(default)]
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
}

#[derive(Deserialize)]
struct DebianCve {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: HashMap<String, DebianRelease>,
}

#[derive(Deserialize)]
struct SecDb {
    #[serde(default)]
    distroversion: String,
    #[serde(default)]
    reponame: String,
    #[serde(default)]
    packages: Vec<SecDbPackage>,
}

#[derive(Deserialize)]
struct SecDbPackage {
    pkg: SecDbPkg,
}

#[derive(Deserialize)]
struct SecDbPkg {
    name: String,
    #[serde(default)]
    secfixes: HashMap<String, Option<Vec<String>>>,
}

/// What kind of document a JSON value is.
enum Kind {
    Osv,
    OsvList,
    SecDb,
    DebianTracker,
    Unknown,
}

fn kind(v: &serde_json::Value) -> Kind {
    match v {
        serde_json::Value::Array(_) => Kind::OsvList,
        serde_json::Value::Object(m) => {
            if m.contains_key("id") && (m.contains_key("affected") || m.contains_key("modified")) {
                Kind::Osv
            } else if m.contains_key("packages") && m.contains_key("distroversion") {
                Kind::SecDb
            } else if m.values().next().is_some_and(|p| {
                p.as_object()
                    .and_then(|cves| cves.values().next())
                    .is_some_and(|c| c.get("releases").is_some())
            }) {
                Kind::DebianTracker
            } else {
                Kind::Unknown
            }
        }
        _ => Kind::Unknown,
    }
}

/// Prepared inserts for one transaction.
struct Writer<'c> {
    vuln: rusqlite::Statement<'c>,
    affected: rusqlite::Statement<'c>,
    alias: rusqlite::Statement<'c>,
}

impl Writer<'_> {
    fn vuln(
        &mut self,
        id: &str,
        aliases: &[String],
        summary: &str,
        severity: Option<Severity>,
        cvss: Option<&str>,
    ) -> rusqlite::Result<()> {
        let n = self.vuln.execute(params![
            id,
            aliases.join(" "),
            summary,
            severity.map(Severity::as_str),
            cvss
        ])?;
        if n > 0 {
            for a in aliases {
                self.alias.execute(params![a, id])?;
            }
        }
        Ok(())
    }

    fn affected(
        &mut self,
        id: &str,
        ecosystem: &str,
        release: &str,
        package: &str,
        ranges: &Affected,
        severity: Option<Severity>,
    ) -> rusqlite::Result<()> {
        let json = serde_json::to_string(ranges).unwrap_or_default();
        self.affected.execute(params![
            id,
            ecosystem,
            release,
            package,
            json,
            severity.map(Severity::as_str)
        ])?;
        Ok(())
    }
}

impl Db {
    /// Opens the store in `dir` for reading; [`Error::NoDb`] when there is none.
    pub fn open(dir: &Path) -> Result<Db, Error> {
        let path = dir.join(FILE_NAME);
        if !path.is_file() {
            return Err(Error::NoDb(dir.to_path_buf()));
        }
        Self::open_file(&path)
    }

    /// Opens or creates the store in `dir` (created with its parents).
    pub fn create(dir: &Path) -> Result<Db, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Self::open_file(&dir.join(FILE_NAME))
    }

    /// Opens or creates a store file.
    pub fn open_file(path: &Path) -> Result<Db, Error> {
        let err = |source| Error::Db {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let db = Db {
            conn,
            path: path.to_path_buf(),
        };
        let schema: Option<String> = db.meta("schema").map_err(err)?;
        if schema.is_none() {
            db.set_meta("schema", SCHEMA_VERSION).map_err(err)?;
            db.set_meta("built_at", &now().to_string()).map_err(err)?;
        }
        Ok(db)
    }

    fn db_err(&self, source: rusqlite::Error) -> Error {
        Error::Db {
            path: self.path.clone(),
            source,
        }
    }

    fn meta(&self, key: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    fn set_meta(&self, key: &str, value: &str) -> rusqlite::Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                [key, value],
            )
            .map(|_| ())
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the store was built or last imported into.
    pub fn built_at(&self) -> Result<SystemTime, Error> {
        let secs = self
            .meta("built_at")
            .map_err(|e| self.db_err(e))?
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        Ok(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Sets the build time (tests and `update`).
    pub fn set_built_at(&self, t: SystemTime) -> Result<(), Error> {
        let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.set_meta("built_at", &secs.to_string())
            .map_err(|e| self.db_err(e))
    }

    /// How old the store is.
    pub fn age(&self) -> Result<Duration, Error> {
        Ok(SystemTime::now()
            .duration_since(self.built_at()?)
            .unwrap_or_default())
    }

    /// Imports files, directories (recursively: `.json` and `.zip`) and zips of OSV records,
    /// Debian tracker JSON and Alpine secdb JSON, in one transaction. Bad files or entries
    /// are reported in [`ImportReport::errors`] with their name; the rest is imported.
    pub fn import(&mut self, paths: &[PathBuf]) -> Result<ImportReport, Error> {
        let mut files = Vec::new();
        for p in paths {
            if p.is_dir() {
                let mut found: Vec<PathBuf> = walk(p);
                found.sort();
                files.extend(found);
            } else {
                files.push(p.clone());
            }
        }
        let path = self.path.clone();
        let err = |source| Error::Db {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        let mut report = ImportReport::default();
        {
            let mut w = Writer {
                vuln: tx
                    .prepare("INSERT OR IGNORE INTO vulns(id, aliases, summary, severity, cvss) VALUES (?1, ?2, ?3, ?4, ?5)")
                    .map_err(err)?,
                affected: tx
                    .prepare("INSERT INTO affected(vuln_id, ecosystem, release, package, ranges, severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                    .map_err(err)?,
                alias: tx
                    .prepare("INSERT INTO aliases(alias, vuln_id) VALUES (?1, ?2)")
                    .map_err(err)?,
            };
            for f in &files {
                let name = f.display().to_string();
                let is_zip = f.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
                let result = if is_zip {
                    import_zip(&mut w, f, &name, &mut report)
                } else {
                    match std::fs::read(f) {
                        Ok(bytes) => import_json(&mut w, &bytes, &name, &mut report),
                        Err(e) => {
                            report.errors.push(Error::io(f, e));
                            Ok(())
                        }
                    }
                };
                result.map_err(err)?;
            }
        }
        let t = now();
        for (source, n) in &report.sources {
            tx.execute(
                "INSERT INTO sources(name, records, imported_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET records = records + ?2, imported_at = ?3",
                params![source, *n as i64, t as i64],
            )
            .map_err(err)?;
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('built_at', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
            [t.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(report)
    }

    /// Counts and age.
    pub fn info(&self) -> Result<Info, Error> {
        let e = |s| self.db_err(s);
        let count = |sql: &str| -> Result<u64, Error> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(e)
        };
        let mut stmt = self
            .conn
            .prepare("SELECT name, records, imported_at FROM sources ORDER BY name")
            .map_err(e)?;
        let sources = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                ))
            })
            .map_err(e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(e)?;
        Ok(Info {
            path: self.path.clone(),
            built_at: self
                .built_at()?
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            size: std::fs::metadata(&self.path).map_or(0, |m| m.len()),
            vulnerabilities: count("SELECT COUNT(*) FROM vulns")?,
            affected: count("SELECT COUNT(*) FROM affected")?,
            sources,
        })
    }

    /// Rows for one package: (id, aliases, summary, vendor severity, cvss, ranges JSON,
    /// per-package severity).
    pub(crate) fn rows(
        &self,
        ecosystem: &str,
        release: &str,
        package: &str,
    ) -> Result<Vec<Row>, Error> {
        let e = |s| self.db_err(s);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.id, v.aliases, v.summary, COALESCE(a.severity, v.severity), v.cvss, a.ranges
                 FROM affected a JOIN vulns v ON v.id = a.vuln_id
                 WHERE a.ecosystem = ?1 AND a.package = ?2 AND a.release = ?3",
            )
            .map_err(e)?;
        let rows = stmt
            .query_map([ecosystem, package, release], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    aliases: r.get(1)?,
                    summary: r.get(2)?,
                    severity: r.get(3)?,
                    cvss: r.get(4)?,
                    ranges: r.get(5)?,
                })
            })
            .map_err(e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(e)?;
        Ok(rows)
    }

    /// A CVSS vector recorded for `id` or for an advisory that lists it as an alias.
    pub(crate) fn cvss_for(&self, id: &str) -> Result<Option<String>, Error> {
        let e = |s| self.db_err(s);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT cvss FROM vulns WHERE cvss IS NOT NULL AND (id = ?1 OR id IN (SELECT vuln_id FROM aliases WHERE alias = ?1)) LIMIT 1",
            )
            .map_err(e)?;
        stmt.query_row([id], |r| r.get(0)).optional().map_err(e)
    }
}

/// One stored advisory × package row.
pub(crate) struct Row {
    pub id: String,
    pub aliases: String,
    pub summary: String,
    pub severity: Option<String>,
    pub cvss: Option<String>,
    pub ranges: String,
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json") || x.eq_ignore_ascii_case("zip"))
        {
            out.push(p);
        }
    }
    out
}

fn import_zip(
    w: &mut Writer,
    path: &Path,
    name: &str,
    report: &mut ImportReport,
) -> rusqlite::Result<()> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.errors.push(Error::io(path, e));
            return Ok(());
        }
    };
    let mut zip = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => {
            report.errors.push(Error::Input {
                file: name.to_string(),
                problem: format!("not a readable zip: {e}"),
            });
            return Ok(());
        }
    };
    let mut buf = Vec::new();
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report.errors.push(Error::Input {
                    file: format!("{name}: entry {i}"),
                    problem: e.to_string(),
                });
                continue;
            }
        };
        if !entry.is_file() || !entry.name().ends_with(".json") {
            continue;
        }
        let entry_name = format!("{name}:{}", entry.name());
        buf.clear();
        if let Err(e) = entry.read_to_end(&mut buf) {
            report.errors.push(Error::Input {
                file: entry_name,
                problem: e.to_string(),
            });
            continue;
        }
        drop(entry);
        import_json(w, &buf, &entry_name, report)?;
    }
    Ok(())
}

fn bad_json(name: &str, e: &serde_json::Error) -> Error {
    Error::Input {
        file: name.to_string(),
        problem: format!("line {}, column {}: {e}", e.line(), e.column()),
    }
}

fn import_json(
    w: &mut Writer,
    bytes: &[u8],
    name: &str,
    report: &mut ImportReport,
) -> rusqlite::Result<()> {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            report.errors.push(bad_json(name, &e));
            return Ok(());
        }
    };
    match kind(&value) {
        Kind::Osv => import_osv(w, value, name, report),
        Kind::OsvList => {
            let serde_json::Value::Array(items) = value else {
                return Ok(());
            };
            for (i, item) in items.into_iter().enumerate() {
                import_osv(w, item, &format!("{name}[{i}]"), report)?;
            }
            Ok(())
        }
        Kind::SecDb => import_secdb(w, value, name, report),
        Kind::DebianTracker => import_debian(w, value, name, report),
        Kind::Unknown => {
            report.errors.push(Error::Input {
                file: name.to_string(),
                problem: "neither an OSV record, a Debian security tracker export nor an Alpine secdb file".into(),
            });
            Ok(())
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn import_osv(
    w: &mut Writer,
    value: serde_json::Value,
    name: &str,
    report: &mut ImportReport,
) -> rusqlite::Result<()> {
    let rec: osv::Record = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            report.errors.push(Error::Input {
                file: name.to_string(),
                problem: format!("not a valid OSV record: {e}"),
            });
            return Ok(());
        }
    };
    if rec.withdrawn.is_some() {
        return Ok(());
    }
    let cvss = rec
        .severity
        .iter()
        .chain(rec.affected.iter().flat_map(|a| a.severity.iter()))
        .find(|s| s.ty == "CVSS_V3")
        .map(|s| s.score.as_str());
    let summary = rec
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(str::trim)
        .unwrap_or_else(|| first_line(rec.details.as_deref().unwrap_or("")));
    let vendor = osv::vendor_severity(rec.database_specific.as_ref());
    let mut source = None;
    for a in &rec.affected {
        let Some(pkg) = &a.package else { continue };
        let (eco, release) = split_ecosystem(&pkg.ecosystem);
        let mut ranges = Vec::new();
        let mut git = false;
        for r in &a.ranges {
            match r.ty.as_str() {
                "ECOSYSTEM" | "SEMVER" => ranges.push(Range {
                    semver: r.ty == "SEMVER",
                    events: r.events.clone(),
                }),
                _ => git = true,
            }
        }
        if ranges.is_empty() && a.versions.is_empty() {
            if git {
                report.git_only += 1;
            }
            continue;
        }
        let severity = osv::vendor_severity(a.ecosystem_specific.as_ref())
            .or_else(|| osv::vendor_severity(a.database_specific.as_ref()));
        let affected = Affected {
            ranges,
            versions: a.versions.clone(),
        };
        w.affected(
            &rec.id,
            &eco,
            &release,
            &package_key(&eco, &pkg.name),
            &affected,
            severity,
        )?;
        source.get_or_insert_with(|| format!("osv:{eco}"));
    }
    w.vuln(&rec.id, &rec.aliases, summary, vendor, cvss)?;
    *report
        .sources
        .entry(source.unwrap_or_else(|| "osv".into()))
        .or_default() += 1;
    Ok(())
}

fn import_debian(
    w: &mut Writer,
    value: serde_json::Value,
    name: &str,
    report: &mut ImportReport,
) -> rusqlite::Result<()> {
    let data: HashMap<String, HashMap<String, DebianCve>> = match serde_json::from_value(value) {
        Ok(d) => d,
        Err(e) => {
            report.errors.push(Error::Input {
                file: name.to_string(),
                problem: format!("not a Debian security tracker export: {e}"),
            });
            return Ok(());
        }
    };
    let mut n = 0;
    let mut packages: Vec<_> = data.into_iter().collect();
    packages.sort_by(|a, b| a.0.cmp(&b.0));
    for (package, cves) in packages {
        let package = package.to_ascii_lowercase();
        for (id, cve) in cves {
            let mut any = false;
            for (release, r) in &cve.releases {
                let fixed = r.fixed_version.as_deref().filter(|f| !f.is_empty());
                let events = match (r.status.as_str(), fixed) {
                    // Fixed in version "0": the release never had the vulnerable code.
                    ("resolved", Some("0")) | ("not-affected", _) => continue,
                    ("resolved", Some(f)) => {
                        vec![Event::Introduced("0".into()), Event::Fixed(f.to_string())]
                    }
                    ("open", _) | ("undetermined", _) => vec![Event::Introduced("0".into())],
                    _ => continue,
                };
                let severity = r.urgency.as_deref().and_then(Severity::from_vendor);
                w.affected(
                    &id,
                    "Debian",
                    release,
                    &package,
                    &Affected {
                        ranges: vec![Range {
                            semver: false,
                            events,
                        }],
                        versions: vec![],
                    },
                    severity,
                )?;
                any = true;
            }
            if any {
                let summary = first_line(cve.description.as_deref().unwrap_or(""));
                w.vuln(&id, &[], summary, None, None)?;
                n += 1;
            }
        }
    }
    *report.sources.entry("debian-tracker".into()).or_default() += n;
    Ok(())
}

fn import_secdb(
    w: &mut Writer,
    value: serde_json::Value,
    name: &str,
    report: &mut ImportReport,
) -> rusqlite::Result<()> {
    let db: SecDb = match serde_json::from_value(value) {
        Ok(d) => d,
        Err(e) => {
            report.errors.push(Error::Input {
                file: name.to_string(),
                problem: format!("not an Alpine secdb file: {e}"),
            });
            return Ok(());
        }
    };
    let mut n = 0;
    for p in &db.packages {
        let mut fixes: Vec<(&String, &Option<Vec<String>>)> = p.pkg.secfixes.iter().collect();
        fixes.sort_by(|a, b| crate::version::apk::compare(a.0, b.0));
        let mut seen = std::collections::HashSet::new();
        for (version, ids) in fixes {
            // "0": listed vulnerabilities never affected this package in this branch.
            let not_affected = version == "0";
            for id in ids.iter().flatten() {
                let Some(id) = id.split_whitespace().next() else {
                    continue;
                };
                if !seen.insert(id.to_string()) || not_affected {
                    continue;
                }
                w.affected(
                    id,
                    "Alpine",
                    &db.distroversion,
                    &p.pkg.name.to_ascii_lowercase(),
                    &Affected {
                        ranges: vec![Range {
                            semver: false,
                            events: vec![
                                Event::Introduced("0".into()),
                                Event::Fixed(version.clone()),
                            ],
                        }],
                        versions: vec![],
                    },
                    None,
                )?;
                w.vuln(id, &[], "", None, None)?;
                n += 1;
            }
        }
    }
    *report
        .sources
        .entry(format!("alpine-secdb:{}/{}", db.distroversion, db.reponame))
        .or_default() += n;
    Ok(())
}
