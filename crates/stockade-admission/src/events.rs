//! The decisions log: every deny, warn and audit decision is appended to a SQLite file.
//!
//! The request path only queues a record (a bounded channel, never waiting); one writer thread
//! inserts queued records in transactions of up to [`BATCH`] and keeps the newest `max_rows`.
//! The file is in WAL mode: a committed decision survives a crash or restart of the server, and
//! `stockade events` can read while the server writes. On shutdown the queue is drained into
//! the file before the server exits.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, params};
use serde::Serialize;
use serde_json::Value;

use crate::review::{Outcome, Verdict};

/// Records written per transaction at most.
pub const BATCH: usize = 1_000;
/// Records that may wait for the writer; beyond that a decision is counted as dropped.
pub const QUEUE: usize = 65_536;

/// An error opening or reading the decisions log.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// SQLite failed.
    #[error("{path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The file does not exist.
    #[error("{0}: no decisions log here (start `stockade serve --events FILE` first)")]
    Missing(PathBuf),
}

/// One decision as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// When it was made, in milliseconds since the Unix epoch.
    pub time_ms: i64,
    /// `request.uid`.
    pub uid: String,
    /// `validate` or `mutate`.
    pub webhook: String,
    /// `request.operation`.
    pub operation: String,
    /// `request.kind.kind`.
    pub kind: String,
    /// `request.namespace`.
    pub namespace: String,
    /// `request.name`.
    pub name: String,
    /// `deny`, `warn` or `audit`.
    pub verdict: String,
    /// `request.dryRun`.
    pub dry_run: bool,
    /// What the response said: the denial message, the warnings, or the audit annotations.
    pub message: String,
    /// Every violation, as (check, mode).
    pub violations: Vec<Violation>,
}

/// One violation of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// A catalog ID or `PSS:<control>`.
    pub check: String,
    /// `enforce`, `warn` or `audit`.
    pub mode: String,
}

impl Decision {
    /// The record for `outcome`, or `None` for decisions that are not logged (allowed silently,
    /// skipped, patched without findings, errors: those are in the metrics and the JSON log).
    pub fn from_outcome(webhook: &str, outcome: &Outcome, now: SystemTime) -> Option<Decision> {
        let response = outcome.response.get("response");
        let audit = response.and_then(|r| r.get("auditAnnotations"));
        let verdict = match outcome.verdict {
            Verdict::Deny => "deny",
            Verdict::Warn if outcome.violations.iter().any(|(_, m)| m.as_str() == "warn") => "warn",
            Verdict::Warn if !outcome.violations.is_empty() => "audit",
            _ => return None,
        };
        let message = match outcome.verdict {
            Verdict::Deny => response
                .and_then(|r| r.pointer("/status/message"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => {
                let mut lines: Vec<String> = response
                    .and_then(|r| r.get("warnings"))
                    .and_then(Value::as_array)
                    .map(|w| {
                        w.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(a) = audit.and_then(Value::as_object) {
                    for (k, v) in a {
                        if k != "checks-not-evaluated" {
                            lines.push(format!("audit {k}: {}", v.as_str().unwrap_or_default()));
                        }
                    }
                }
                lines.join("\n")
            }
        };
        Some(Decision {
            time_ms: now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
            uid: outcome.uid.clone(),
            webhook: webhook.to_string(),
            operation: outcome.operation.clone(),
            kind: outcome.kind.clone(),
            namespace: outcome.namespace.clone(),
            name: outcome.name.clone(),
            verdict: verdict.to_string(),
            dry_run: outcome.dry_run,
            message,
            violations: outcome
                .violations
                .iter()
                .map(|(c, m)| Violation {
                    check: c.to_string(),
                    mode: m.as_str().to_string(),
                })
                .collect(),
        })
    }
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    uid TEXT NOT NULL,
    webhook TEXT NOT NULL,
    operation TEXT NOT NULL,
    kind TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    verdict TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time_ms);
CREATE TABLE IF NOT EXISTS violations (
    decision INTEGER NOT NULL,
    check_id TEXT NOT NULL,
    mode TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS violations_decision ON violations (decision);
CREATE INDEX IF NOT EXISTS violations_check ON violations (check_id, decision);
";

fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> EventsError + '_ {
    move |source| EventsError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// The writer side, held by the server (shared by its request threads).
#[derive(Debug)]
pub struct EventLog {
    tx: RwLock<Option<SyncSender<Decision>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dropped: AtomicU64,
    path: PathBuf,
}

impl EventLog {
    /// Opens (or creates) the file and starts the writer; keeps the newest `max_rows` decisions.
    pub fn open(path: &Path, max_rows: u64) -> Result<EventLog, EventsError> {
        let conn = Connection::open(path).map_err(sqlite(path))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(sqlite(path))?;
        conn.execute_batch(SCHEMA).map_err(sqlite(path))?;
        let (tx, rx) = sync_channel(QUEUE);
        let file = path.to_path_buf();
        let writer = std::thread::Builder::new()
            .name("stockade-events".into())
            .spawn(move || write_loop(conn, &rx, max_rows, &file))
            .map_err(|e| EventsError::Sqlite {
                path: path.to_path_buf(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        Ok(EventLog {
            tx: RwLock::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            dropped: AtomicU64::new(0),
            path: path.to_path_buf(),
        })
    }

    /// Queues a decision; never waits. `false` when the queue is full (the decision is counted
    /// in [`Self::dropped`] and still in the JSON log line).
    pub fn record(&self, d: Decision) -> bool {
        let tx = self.tx.read().unwrap_or_else(|p| p.into_inner());
        let sent = match tx.as_ref() {
            Some(tx) => tx.try_send(d).is_ok(),
            None => false,
        };
        if !sent {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        sent
    }

    /// Decisions not recorded because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes everything queued and stops the writer; later decisions are counted as dropped.
    pub fn close(&self) {
        drop(self.tx.write().unwrap_or_else(|p| p.into_inner()).take());
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = writer {
            let _ = w.join();
        }
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        self.close();
    }
}

fn write_loop(mut conn: Connection, rx: &Receiver<Decision>, max_rows: u64, path: &Path) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        // A failed write is retried once (the file may be briefly locked by a reader), then
        // reported; the server goes on either way.
        let mut result = insert(&mut conn, &batch, max_rows);
        if result.is_err() {
            std::thread::sleep(Duration::from_millis(100));
            result = insert(&mut conn, &batch, max_rows);
        }
        if let Err(e) = result {
            tracing::error!(
                file = %path.display(),
                error = %e,
                decisions = batch.len(),
                "could not write to the decisions log"
            );
        }
    }
}

fn insert(conn: &mut Connection, batch: &[Decision], max_rows: u64) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut d_stmt = tx.prepare_cached(
            "INSERT INTO decisions (time_ms, uid, webhook, operation, kind, namespace, name, verdict, dry_run, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let mut v_stmt = tx.prepare_cached(
            "INSERT INTO violations (decision, check_id, mode) VALUES (?1, ?2, ?3)",
        )?;
        for d in batch {
            d_stmt.execute(params![
                d.time_ms,
                d.uid,
                d.webhook,
                d.operation,
                d.kind,
                d.namespace,
                d.name,
                d.verdict,
                d.dry_run,
                d.message
            ])?;
            let id = tx.last_insert_rowid();
            for v in &d.violations {
                v_stmt.execute(params![id, v.check, v.mode])?;
            }
        }
        let last = tx.last_insert_rowid();
        let cut = last - max_rows.min(i64::MAX as u64) as i64;
        if cut > 0 {
            tx.execute("DELETE FROM violations WHERE decision <= ?1", [cut])?;
            tx.execute("DELETE FROM decisions WHERE id <= ?1", [cut])?;
        }
    }
    tx.commit()
}

/// What `stockade events` asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this namespace.
    pub namespace: Option<String>,
    /// Only decisions with a violation of this check (ID, case-insensitive).
    pub check: Option<String>,
    /// Only this verdict (`deny`, `warn`, `audit`).
    pub verdict: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Not before (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Not after (ms since the epoch).
    pub until_ms: Option<i64>,
    /// The newest this many (0: all).
    pub limit: usize,
}

/// Reads the decisions matching `filter`, oldest first.
pub fn query(path: &Path, filter: &Filter) -> Result<Vec<Decision>, EventsError> {
    if !path.exists() {
        return Err(EventsError::Missing(path.to_path_buf()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(sqlite(path))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(sqlite(path))?;
    let mut sql = String::from(
        "SELECT id, time_ms, uid, webhook, operation, kind, namespace, name, verdict, dry_run, message FROM decisions d WHERE 1 = 1",
    );
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(ns) = &filter.namespace {
        bind(&mut sql, " AND namespace = ?", ns.clone().into());
    }
    if let Some(v) = &filter.verdict {
        bind(&mut sql, " AND verdict = ?", v.to_ascii_lowercase().into());
    }
    if let Some(k) = &filter.kind {
        bind(&mut sql, " AND kind = ?", k.clone().into());
    }
    if let Some(t) = filter.since_ms {
        bind(&mut sql, " AND time_ms >= ?", t.into());
    }
    if let Some(t) = filter.until_ms {
        bind(&mut sql, " AND time_ms <= ?", t.into());
    }
    if let Some(c) = &filter.check {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM violations v WHERE v.decision = d.id AND upper(v.check_id) = upper(?))",
            c.clone().into(),
        );
    }
    sql.push_str(" ORDER BY id DESC");
    if filter.limit > 0 {
        sql.push_str(&format!(" LIMIT {}", filter.limit));
    }
    let err = sqlite(path);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    let mut rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Decision {
                    time_ms: r.get(1)?,
                    uid: r.get(2)?,
                    webhook: r.get(3)?,
                    operation: r.get(4)?,
                    kind: r.get(5)?,
                    namespace: r.get(6)?,
                    name: r.get(7)?,
                    verdict: r.get(8)?,
                    dry_run: r.get(9)?,
                    message: r.get(10)?,
                    violations: Vec::new(),
                },
            ))
        })
        .map_err(&err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(&err)?;
    rows.reverse();
    let mut v_stmt = conn
        .prepare_cached("SELECT check_id, mode FROM violations WHERE decision = ?1 ORDER BY rowid")
        .map_err(&err)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut d) in rows {
        d.violations = v_stmt
            .query_map([id], |r| {
                Ok(Violation {
                    check: r.get(0)?,
                    mode: r.get(1)?,
                })
            })
            .map_err(&err)?
            .collect::<Result<_, _>>()
            .map_err(&err)?;
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(i: i64, ns: &str, verdict: &str, check: &str) -> Decision {
        Decision {
            time_ms: 1_000 * i,
            uid: format!("uid-{i}"),
            webhook: "validate".into(),
            operation: "CREATE".into(),
            kind: "Pod".into(),
            namespace: ns.into(),
            name: format!("p{i}"),
            verdict: verdict.into(),
            dry_run: false,
            message: format!("[{check}] message {i}"),
            violations: vec![Violation {
                check: check.into(),
                mode: "enforce".into(),
            }],
        }
    }

    #[test]
    fn decisions_survive_a_restart_and_filter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let log = EventLog::open(&path, 1_000).unwrap();
        for i in 1..=10 {
            let ns = if i % 2 == 0 { "shop" } else { "dev" };
            let check = if i % 3 == 0 { "STK001" } else { "STK101" };
            assert!(log.record(decision(i, ns, "deny", check)));
        }
        log.close();
        // A second server on the same file appends after what the first wrote.
        let log = EventLog::open(&path, 1_000).unwrap();
        assert!(log.record(decision(11, "shop", "warn", "STK001")));
        drop(log);

        let all = query(&path, &Filter::default()).unwrap();
        assert_eq!(all.len(), 11);
        assert_eq!(all[0], decision(1, "dev", "deny", "STK101"));
        assert_eq!(all[10].verdict, "warn");

        let shop = Filter {
            namespace: Some("shop".into()),
            check: Some("stk001".into()),
            ..Filter::default()
        };
        let names: Vec<_> = query(&path, &shop)
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["p6", "p11"]);

        let window = Filter {
            since_ms: Some(3_000),
            until_ms: Some(5_000),
            verdict: Some("deny".into()),
            ..Filter::default()
        };
        assert_eq!(query(&path, &window).unwrap().len(), 3);
        let newest = Filter {
            limit: 2,
            ..Filter::default()
        };
        let names: Vec<_> = query(&path, &newest)
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["p10", "p11"]);
    }

    #[test]
    fn the_log_keeps_the_newest_rows_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let log = EventLog::open(&path, 100).unwrap();
        for i in 1..=2_500 {
            while !log.record(decision(i, "ns", "deny", "STK001")) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        log.close();
        let all = query(&path, &Filter::default()).unwrap();
        assert_eq!(all.len(), 100);
        assert_eq!(all.last().unwrap().name, "p2500");
        // Violations of removed decisions are removed with them.
        let conn = Connection::open(&path).unwrap();
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM violations WHERE decision NOT IN (SELECT id FROM decisions)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let e = query(Path::new("/nonexistent/events.db"), &Filter::default()).unwrap_err();
        assert!(e.to_string().contains("no decisions log here"), "{e}");
    }
}
