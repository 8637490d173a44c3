//! The decisions log: every deny, warn and audit decision is appended to a SQLite file.
//!
//! The request path only queues a record (a channel bounded by count, [`QUEUE`], and by bytes,
//! [`QUEUE_BYTES`]; it never waits); one writer thread inserts queued records in transactions of
//! up to [`BATCH`] and keeps the newest `max_rows`.
//!
//! Layout (`PRAGMA user_version` = [`LAYOUT`]): one row per decision in `decisions`, its
//! violations in the `violations` column as `CHECK:mode,CHECK:mode`, one index (on `time_ms`).
//! Files written with the first layout (a `violations` table, one row per violation) are
//! migrated when the writer opens them, and read as they are by [`query`].
//! The file is in WAL mode: a committed decision survives a crash or restart of the server, and
//! `stockade events` can read while the server writes. On shutdown the queue is drained into
//! the file before the server exits.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
/// Bytes of queued records at most (see [`Decision::queued_bytes`]); beyond that a decision is
/// counted as dropped, so a lagging writer cannot grow the server's memory past this.
pub const QUEUE_BYTES: usize = 8 << 20;
/// The file layout written by this version (`PRAGMA user_version`).
pub const LAYOUT: i64 = 2;

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
    /// What the record costs while queued: its own size plus every string it owns.
    pub fn queued_bytes(&self) -> usize {
        std::mem::size_of::<Decision>()
            + self.uid.len()
            + self.webhook.len()
            + self.operation.len()
            + self.kind.len()
            + self.namespace.len()
            + self.name.len()
            + self.verdict.len()
            + self.message.len()
            + self
                .violations
                .iter()
                .map(|v| std::mem::size_of::<Violation>() + v.check.len() + v.mode.len())
                .sum::<usize>()
    }

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

/// Writes `violations` as stored: `CHECK:mode` joined by `,`.
fn encode_violations(violations: &[Violation], out: &mut String) {
    out.clear();
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&v.check);
        out.push(':');
        out.push_str(&v.mode);
    }
}

/// Reads the `violations` column back (a check ID may hold `:`, a mode does not).
fn decode_violations(text: &str) -> Vec<Violation> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|entry| match entry.rsplit_once(':') {
            Some((check, mode)) => Violation {
                check: check.to_string(),
                mode: mode.to_string(),
            },
            None => Violation {
                check: entry.to_string(),
                mode: String::new(),
            },
        })
        .collect()
}

const PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
";

/// The current layout, for a new file.
const SCHEMA: &str = "
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
    message TEXT NOT NULL,
    violations TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (time_ms);
PRAGMA user_version = 2;
";

/// Layout 1 to 2: the violations move into their decision's row, the table and its two
/// indexes go.
const MIGRATE_1_TO_2: &str = "
ALTER TABLE decisions ADD COLUMN violations TEXT NOT NULL DEFAULT '';
UPDATE decisions SET violations = coalesce(
    (SELECT group_concat(check_id || ':' || mode, ',')
       FROM (SELECT check_id, mode FROM violations v WHERE v.decision = decisions.id ORDER BY v.rowid)),
    '');
DROP TABLE violations;
PRAGMA user_version = 2;
";

/// The first layout, kept to recognise (and test the migration of) files written with it.
#[cfg(test)]
const SCHEMA_1: &str = "
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

/// The layout of an open file: [`LAYOUT`], 1 (the first one, with a `violations` table) or 0
/// (empty).
fn layout(conn: &Connection) -> rusqlite::Result<i64> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > 0 {
        return Ok(version);
    }
    let old: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'violations'",
        [],
        |r| r.get(0),
    )?;
    Ok(if old > 0 { 1 } else { 0 })
}

/// Creates the current layout, or migrates a file in an older one (in one transaction: a file
/// is never left half migrated).
fn prepare(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(PRAGMAS)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    match layout(&tx)? {
        1 => tx.execute_batch(MIGRATE_1_TO_2)?,
        LAYOUT => {}
        _ => tx.execute_batch(SCHEMA)?,
    }
    tx.commit()
}

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
    queued_bytes: std::sync::Arc<AtomicUsize>,
    max_queued_bytes: usize,
    path: PathBuf,
}

impl EventLog {
    /// Opens (or creates) the file and starts the writer; keeps the newest `max_rows` decisions.
    pub fn open(path: &Path, max_rows: u64) -> Result<EventLog, EventsError> {
        Self::open_with_queue(path, max_rows, QUEUE, QUEUE_BYTES)
    }

    /// As [`Self::open`], with the queue bounded by `queue` records and `queue_bytes` bytes.
    pub fn open_with_queue(
        path: &Path,
        max_rows: u64,
        queue: usize,
        queue_bytes: usize,
    ) -> Result<EventLog, EventsError> {
        let mut conn = Connection::open(path).map_err(sqlite(path))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(sqlite(path))?;
        prepare(&mut conn).map_err(sqlite(path))?;
        let (tx, rx) = sync_channel(queue);
        let file = path.to_path_buf();
        let queued_bytes = std::sync::Arc::new(AtomicUsize::new(0));
        let writer_bytes = queued_bytes.clone();
        let writer = std::thread::Builder::new()
            .name("stockade-events".into())
            .spawn(move || write_loop(conn, &rx, &writer_bytes, max_rows, &file))
            .map_err(|e| EventsError::Sqlite {
                path: path.to_path_buf(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        Ok(EventLog {
            tx: RwLock::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            dropped: AtomicU64::new(0),
            queued_bytes,
            max_queued_bytes: queue_bytes,
            path: path.to_path_buf(),
        })
    }

    /// Queues a decision; never waits. `false` when the queue is full, by count or by bytes
    /// (the decision is counted in [`Self::dropped`] and still in the JSON log line).
    pub fn record(&self, d: Decision) -> bool {
        let size = d.queued_bytes();
        let before = self.queued_bytes.fetch_add(size, Ordering::Relaxed);
        let sent = before + size <= self.max_queued_bytes && {
            let tx = self.tx.read().unwrap_or_else(|p| p.into_inner());
            match tx.as_ref() {
                Some(tx) => tx.try_send(d).is_ok(),
                None => false,
            }
        };
        if !sent {
            self.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        sent
    }

    /// Decisions not recorded because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Bytes of records waiting for the writer now.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes.load(Ordering::Relaxed)
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

fn write_loop(
    mut conn: Connection,
    rx: &Receiver<Decision>,
    queued_bytes: &AtomicUsize,
    max_rows: u64,
    path: &Path,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Ok(first) = rx.recv() {
        batch.clear();
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        // The batch is out of the queue: its bytes may be queued again.
        let size: usize = batch.iter().map(Decision::queued_bytes).sum();
        queued_bytes.fetch_sub(size, Ordering::Relaxed);
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
            "INSERT INTO decisions (time_ms, uid, webhook, operation, kind, namespace, name, verdict, dry_run, message, violations)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut violations = String::new();
        for d in batch {
            encode_violations(&d.violations, &mut violations);
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
                d.message,
                violations
            ])?;
        }
        let last = tx.last_insert_rowid();
        let cut = last - max_rows.min(i64::MAX as u64) as i64;
        if cut > 0 {
            tx.prepare_cached("DELETE FROM decisions WHERE id <= ?1")?
                .execute([cut])?;
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
    // A file in the first layout that no server has opened since is read as it is.
    let old = layout(&conn).map_err(sqlite(path))? == 1;
    let mut sql = String::from(if old {
        "SELECT time_ms, uid, webhook, operation, kind, namespace, name, verdict, dry_run, message, \
         coalesce((SELECT group_concat(check_id || ':' || mode, ',') FROM \
         (SELECT check_id, mode FROM violations v WHERE v.decision = d.id ORDER BY v.rowid)), '') \
         FROM decisions d WHERE 1 = 1"
    } else {
        "SELECT time_ms, uid, webhook, operation, kind, namespace, name, verdict, dry_run, message, \
         violations FROM decisions d WHERE 1 = 1"
    });
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
        if old {
            bind(
                &mut sql,
                " AND EXISTS (SELECT 1 FROM violations v WHERE v.decision = d.id AND upper(v.check_id) = upper(?))",
                c.clone().into(),
            );
        } else {
            // `,CHECK:` followed by a whole mode and `,`: the check ID matches exactly, even
            // when it holds `:` itself (`PSS:privileged`). A scan, bounded by `max_rows`.
            bind(
                &mut sql,
                " AND (instr(',' || upper(violations) || ',', ',' || upper(?) || ':ENFORCE,') > 0 \
                 OR instr(',' || upper(violations) || ',', ',' || upper(?) || ':WARN,') > 0 \
                 OR instr(',' || upper(violations) || ',', ',' || upper(?) || ':AUDIT,') > 0)",
                c.clone().into(),
            );
        }
    }
    sql.push_str(" ORDER BY id DESC");
    if filter.limit > 0 {
        sql.push_str(&format!(" LIMIT {}", filter.limit));
    }
    let err = sqlite(path);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    let mut rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok(Decision {
                time_ms: r.get(0)?,
                uid: r.get(1)?,
                webhook: r.get(2)?,
                operation: r.get(3)?,
                kind: r.get(4)?,
                namespace: r.get(5)?,
                name: r.get(6)?,
                verdict: r.get(7)?,
                dry_run: r.get(8)?,
                message: r.get(9)?,
                violations: decode_violations(&r.get::<_, String>(10)?),
            })
        })
        .map_err(&err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(&err)?;
    rows.reverse();
    Ok(rows)
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
        // A decision's violations live in its row: the file holds the newest rows only.
        let conn = Connection::open(&path).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 100);
        assert_eq!(all.last().unwrap().violations[0].check, "STK001");
    }

    #[test]
    fn an_old_layout_file_is_read_then_migrated_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_1).unwrap();
            for i in 1..=4i64 {
                conn.execute(
                    "INSERT INTO decisions (time_ms, uid, webhook, operation, kind, namespace, name, verdict, dry_run, message)
                     VALUES (?1, ?2, 'validate', 'CREATE', 'Pod', 'ns', ?3, 'deny', 0, ?4)",
                    params![1_000 * i, format!("uid-{i}"), format!("p{i}"), format!("[STK001] message {i}")],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO violations (decision, check_id, mode) VALUES (?1, 'STK001', 'enforce')",
                    [i],
                )
                .unwrap();
                if i % 2 == 0 {
                    conn.execute(
                        "INSERT INTO violations (decision, check_id, mode) VALUES (?1, 'PSS:privileged', 'warn')",
                        [i],
                    )
                    .unwrap();
                }
            }
        }
        let pss = Filter {
            check: Some("pss:privileged".into()),
            ..Filter::default()
        };
        // Read as it is before any server opened it ...
        let before = query(&path, &Filter::default()).unwrap();
        assert_eq!(before.len(), 4);
        assert_eq!(before[0], decision(1, "ns", "deny", "STK001"));
        assert_eq!(
            before[1].violations,
            [
                Violation {
                    check: "STK001".into(),
                    mode: "enforce".into()
                },
                Violation {
                    check: "PSS:privileged".into(),
                    mode: "warn".into()
                },
            ]
        );
        let before_pss = query(&path, &pss).unwrap();
        // ... then migrated by the writer, with the same decisions back.
        let log = EventLog::open(&path, 1_000).unwrap();
        assert!(log.record(decision(5, "ns", "deny", "STK001")));
        log.close();
        let conn = Connection::open(&path).unwrap();
        assert_eq!(layout(&conn).unwrap(), LAYOUT);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'violations%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
        let after = query(&path, &Filter::default()).unwrap();
        assert_eq!(after[..4], before[..]);
        assert_eq!(after[4], decision(5, "ns", "deny", "STK001"));
        assert_eq!(query(&path, &pss).unwrap(), before_pss);
        assert_eq!(
            before_pss
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>(),
            ["p2", "p4"]
        );
    }

    #[test]
    fn the_check_filter_matches_whole_ids_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let log = EventLog::open(&path, 1_000).unwrap();
        assert!(log.record(decision(1, "ns", "deny", "STK001")));
        assert!(log.record(decision(2, "ns", "deny", "STK0012")));
        assert!(log.record(decision(3, "ns", "warn", "PSS:privileged")));
        log.close();
        let names = |check: &str| -> Vec<String> {
            let f = Filter {
                check: Some(check.into()),
                ..Filter::default()
            };
            query(&path, &f)
                .unwrap()
                .into_iter()
                .map(|d| d.name)
                .collect()
        };
        assert_eq!(names("stk001"), ["p1"]);
        assert_eq!(names("STK0012"), ["p2"]);
        assert_eq!(names("PSS:privileged"), ["p3"]);
        assert!(names("PSS").is_empty());
        assert!(names("STK00").is_empty());
    }

    #[test]
    fn the_queue_is_bounded_by_bytes_and_drops_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.db");
        let one = decision(1, "ns", "deny", "STK001").queued_bytes();
        // Room for three records by bytes (the count bound is far away).
        let log = EventLog::open_with_queue(&path, 1_000, 1_000, 3 * one).unwrap();
        // Hold the writer off: an immediate transaction on another connection.
        let mut blocker = Connection::open(&path).unwrap();
        let tx = blocker
            .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
            .unwrap();
        let start = std::time::Instant::now();
        let mut sent = 0;
        for i in 1..=20 {
            if log.record(decision(i, "ns", "deny", "STK001")) {
                sent += 1;
            }
        }
        // Nothing waited for the writer, and the queue never held more than its bytes.
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(log.queued_bytes() <= 3 * one);
        // The writer took at most one batch out before blocking on the lock.
        assert!((3..=6).contains(&sent), "{sent}");
        assert_eq!(log.dropped(), 20 - sent);
        tx.commit().unwrap();
        log.close();
        assert_eq!(query(&path, &Filter::default()).unwrap().len() as u64, sent);
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let e = query(Path::new("/nonexistent/events.db"), &Filter::default()).unwrap_err();
        assert!(e.to_string().contains("no decisions log here"), "{e}");
    }
}
