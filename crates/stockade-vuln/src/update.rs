//! `stockade db update`: downloads the OSV exports (`<mirror>/<Ecosystem>/all.zip`), resumes
//! interrupted downloads with HTTP Range requests, verifies each file (size against the
//! server's length, every zip entry's CRC, and a `.sha256` sidecar when the mirror has one),
//! builds a new store from them and switches it in with a rename, so readers never see a
//! half-built database. Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`
//! (with `NO_PROXY`).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::Error;
use crate::db::{Db, FILE_NAME, ImportReport};

/// The public OSV export bucket.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems downloaded by default: the ones [`crate::Package`] can name.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "Alpine",
    "AlmaLinux",
    "Debian",
    "Go",
    "Maven",
    "npm",
    "PyPI",
    "Rocky Linux",
    "RubyGems",
    "Ubuntu",
    "crates.io",
];

/// What to download.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Base URL (no trailing slash needed).
    pub mirror: String,
    /// OSV ecosystem names.
    pub ecosystems: Vec<String>,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            mirror: DEFAULT_MIRROR.to_string(),
            ecosystems: DEFAULT_ECOSYSTEMS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// One downloaded export.
#[derive(Debug, Clone)]
pub struct Download {
    /// Ecosystem.
    pub ecosystem: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Bytes that were already on disk from an interrupted run.
    pub resumed_from: u64,
    /// A `.sha256` sidecar was found and matched.
    pub hash_checked: bool,
}

/// What an update did.
#[derive(Debug)]
pub struct UpdateReport {
    /// The downloads.
    pub downloads: Vec<Download>,
    /// The import into the new store.
    pub import: ImportReport,
}

fn encode_segment(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .user_agent(concat!("stockade/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Downloads, verifies, builds and switches. `log` receives one line per step.
pub fn update(
    dir: &Path,
    opts: &UpdateOptions,
    log: &mut dyn FnMut(&str),
) -> Result<UpdateReport, Error> {
    let downloads_dir = dir.join("downloads");
    std::fs::create_dir_all(&downloads_dir).map_err(|e| Error::io(&downloads_dir, e))?;
    let agent = agent();
    let mirror = opts.mirror.trim_end_matches('/');
    let mut downloads = Vec::new();
    let mut files = Vec::new();
    for eco in &opts.ecosystems {
        let url = format!("{mirror}/{}/all.zip", encode_segment(eco));
        let file_stem = eco.replace(['/', ' ', ':'], "_");
        let part = downloads_dir.join(format!("{file_stem}.zip.part"));
        let done = downloads_dir.join(format!("{file_stem}.zip"));
        let (bytes, resumed_from) = fetch(&agent, &url, &part)?;
        verify_zip(&part, &url)?;
        let hash_checked = verify_sidecar(&agent, &url, &part)?;
        std::fs::rename(&part, &done).map_err(|e| Error::io(&done, e))?;
        log(&format!(
            "{eco}: {bytes} bytes{}{}",
            if resumed_from > 0 {
                format!(" (resumed at {resumed_from})")
            } else {
                String::new()
            },
            if hash_checked {
                ", sha256 verified"
            } else {
                ""
            }
        ));
        downloads.push(Download {
            ecosystem: eco.clone(),
            bytes,
            resumed_from,
            hash_checked,
        });
        files.push(done);
    }
    let tmp = dir.join(format!("{FILE_NAME}.new"));
    let _ = std::fs::remove_file(&tmp);
    let import = {
        let mut db = Db::open_file(&tmp)?;
        let report = db.import(&files)?;
        db.set_built_at(std::time::SystemTime::now())?;
        report
    };
    let target = dir.join(FILE_NAME);
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    log(&format!(
        "built {} with {} records",
        target.display(),
        import.records()
    ));
    Ok(UpdateReport { downloads, import })
}

fn dl_err(url: &str, problem: impl Into<String>) -> Error {
    Error::Download {
        url: url.to_string(),
        problem: problem.into(),
    }
}

/// `bytes START-END/TOTAL` → (START, TOTAL).
fn content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let total = total.trim().parse().ok();
    if range.trim() == "*" {
        return Some((0, total));
    }
    let start = range.split('-').next()?.trim().parse().ok()?;
    Some((start, total))
}

/// Fetches `url` into `part`, continuing a partial file. Returns (size, resumed from).
fn fetch(agent: &ureq::Agent, url: &str, part: &Path) -> Result<(u64, u64), Error> {
    let have = std::fs::metadata(part).map_or(0, |m| m.len());
    let mut req = agent.get(url);
    if have > 0 {
        req = req.header("Range", format!("bytes={have}-"));
    }
    let resp = req.call().map_err(|e| dl_err(url, e.to_string()))?;
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let length: Option<u64> = header("content-length").and_then(|v| v.trim().parse().ok());
    let (mut file, start, total) = match status {
        200 => {
            let f = File::create(part).map_err(|e| Error::io(part, e))?;
            (f, 0, length)
        }
        206 => {
            let (start, total) = header("content-range")
                .as_deref()
                .and_then(content_range)
                .ok_or_else(|| dl_err(url, "206 without a usable Content-Range"))?;
            if start != have {
                return Err(dl_err(
                    url,
                    format!("asked to resume at {have}, server sent from {start}"),
                ));
            }
            let f = OpenOptions::new()
                .append(true)
                .open(part)
                .map_err(|e| Error::io(part, e))?;
            (f, have, total.or(length.map(|l| l + have)))
        }
        416 if have > 0 => {
            // Nothing left to send: the partial file is already complete, if the total
            // the server states agrees.
            let total = header("content-range")
                .as_deref()
                .and_then(content_range)
                .and_then(|(_, t)| t);
            if total.is_some_and(|t| t != have) {
                let _ = std::fs::remove_file(part);
                return Err(dl_err(
                    url,
                    format!(
                        "partial file of {have} bytes does not fit the server's size; removed, run again"
                    ),
                ));
            }
            return Ok((have, have));
        }
        s => return Err(dl_err(url, format!("HTTP {s}"))),
    };
    let mut reader = resp.into_body().into_reader();
    let mut buf = vec![0u8; 256 * 1024];
    let mut written = start;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = file.sync_all();
                return Err(dl_err(
                    url,
                    format!("interrupted after {written} bytes ({e}); run again to resume"),
                ));
            }
        };
        file.write_all(&buf[..n]).map_err(|e| Error::io(part, e))?;
        written += n as u64;
    }
    file.sync_all().map_err(|e| Error::io(part, e))?;
    if let Some(t) = total
        && t != written
    {
        return Err(dl_err(
            url,
            format!("got {written} of {t} bytes; run again to resume"),
        ));
    }
    Ok((written, start))
}

/// Reads every entry to its end, which checks each entry's CRC-32.
fn verify_zip(path: &Path, url: &str) -> Result<(), Error> {
    let check = || -> Result<(), String> {
        let f = File::open(path).map_err(|e| e.to_string())?;
        let mut z = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(|e| e.to_string())?;
        for i in 0..z.len() {
            let mut e = z.by_index(i).map_err(|e| e.to_string())?;
            let name = e.name().to_string();
            std::io::copy(&mut e, &mut std::io::sink()).map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(())
    };
    check().map_err(|problem| {
        let _ = std::fs::remove_file(path);
        dl_err(url, format!("corrupt zip ({problem}); removed, run again"))
    })
}

/// Checks `<url>.sha256` when the mirror serves one. Ok(false) when it does not.
fn verify_sidecar(agent: &ureq::Agent, url: &str, path: &Path) -> Result<bool, Error> {
    let sidecar = format!("{url}.sha256");
    let Ok(resp) = agent.get(&sidecar).call() else {
        return Ok(false);
    };
    if resp.status().as_u16() != 200 {
        return Ok(false);
    }
    let text = resp
        .into_body()
        .read_to_string()
        .map_err(|e| dl_err(&sidecar, e.to_string()))?;
    let want = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::io(path, e))?;
    let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if got != want {
        let _ = std::fs::remove_file(path);
        return Err(dl_err(
            url,
            format!("sha256 {got} does not match the sidecar's {want}; removed, run again"),
        ));
    }
    Ok(true)
}
