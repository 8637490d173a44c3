//! `stockade events` on a decisions log written by the webhook's event log.

use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use stockade_admission::events::{Decision, EventLog, Violation};

fn stockade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .output()
        .expect("run stockade")
}

fn decision(ns: &str, name: &str, verdict: &str, check: &str, ago: Duration) -> Decision {
    let time = SystemTime::now() - ago;
    Decision {
        time_ms: time
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
        uid: format!("uid-{name}"),
        webhook: "validate".into(),
        operation: "CREATE".into(),
        kind: "Deployment".into(),
        namespace: ns.into(),
        name: name.into(),
        verdict: verdict.into(),
        dry_run: false,
        message: format!("[{check}] something about {name}"),
        violations: vec![Violation {
            check: check.into(),
            mode: if verdict == "deny" { "enforce" } else { "warn" }.into(),
        }],
    }
}

#[test]
fn events_are_listed_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.db");
    let log = EventLog::open(&db, 1_000).unwrap();
    let hour = Duration::from_secs(3_600);
    log.record(decision("shop", "old", "deny", "STK001", 48 * hour));
    log.record(decision("shop", "web", "deny", "STK001", hour));
    log.record(decision("dev", "api", "warn", "STK201", Duration::ZERO));
    log.close();
    let db = db.to_str().unwrap();

    let out = stockade(&["events", "--db", db, "--since", "1day"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].ends_with("deny  CREATE Deployment shop/web STK001"),
        "{text}"
    );
    assert_eq!(lines[1], "    [STK001] something about web");
    assert!(
        lines[2].ends_with("warn  CREATE Deployment dev/api STK201"),
        "{text}"
    );

    let out = stockade(&[
        "events",
        "--db",
        db,
        "--format",
        "json",
        "-n",
        "shop",
        "--verdict",
        "deny",
    ]);
    let names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["name"].to_string())
        .collect();
    assert_eq!(names, ["\"old\"", "\"web\""]);

    let out = stockade(&[
        "events", "--db", db, "--check", "stk201", "--format", "json",
    ]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);

    let out = stockade(&["events", "--db", db, "--since", "yesterday-ish"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("neither a duration"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let missing = dir.path().join("none.db");
    let out = stockade(&["events", "--db", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no decisions log here"));
}
