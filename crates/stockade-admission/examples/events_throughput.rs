//! Decisions log throughput: how many deny/warn/audit decisions per second the SQLite writer
//! stores, whether the bounded queue drops any when fed as fast as possible, and how long
//! `stockade events` queries take on the result.
//!
//!     cargo run --release -p stockade-admission --example events_throughput -- [N] [THREADS]
//!
//! N decisions (default 200,000), each with two violations, are recorded by THREADS producers
//! (default 2) at full speed, retrying a full queue after a short pause so every decision is
//! stored; the figure is decisions stored per second of wall time, close() included.

use std::sync::Arc;
use std::time::{Duration, Instant};

use stockade_admission::events::{Decision, EventLog, Filter, Violation, query};

fn decision(i: u64) -> Decision {
    Decision {
        time_ms: 1_790_000_000_000 + i as i64,
        uid: format!("00000000-0000-0000-0000-{i:012}"),
        webhook: "validate".into(),
        operation: if i.is_multiple_of(5) { "UPDATE" } else { "CREATE" }.into(),
        kind: ["Deployment", "Pod", "StatefulSet", "Job"][(i % 4) as usize].into(),
        namespace: format!("team-{}", i % 50),
        name: format!("app-{i}"),
        verdict: ["deny", "warn", "audit"][(i % 3) as usize].into(),
        dry_run: false,
        message: "stockade denied Deployment \"app\": 2 violations:\n- [STK001 privileged-container] spec.template.spec.containers[0].securityContext.privileged: container \"app\" runs privileged\n- [STK004 run-as-non-root-not-set] spec.template.spec.containers[0].securityContext: runAsNonRoot is not set".into(),
        violations: vec![
            Violation { check: "STK001".into(), mode: "enforce".into() },
            Violation { check: "STK004".into(), mode: "warn".into() },
        ],
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let threads: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2).max(1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let log = Arc::new(EventLog::open(&path, 1_000_000).unwrap());
    let start = Instant::now();
    let retries: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let log = log.clone();
                s.spawn(move || {
                    let mut retries = 0u64;
                    let mut i = t;
                    while i < n {
                        let before = log.dropped();
                        if log.record(decision(i)) {
                            i += threads;
                        } else {
                            // Full queue: counted as dropped by the log; wait and resend so the
                            // benchmark stores everything.
                            assert!(log.dropped() > before);
                            retries += 1;
                            std::thread::sleep(Duration::from_micros(200));
                        }
                    }
                    retries
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let queued = start.elapsed();
    log.close();
    let total = start.elapsed();
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "recorded {n} decisions from {threads} thread(s): queued in {:.2} s, stored in {:.2} s = {:.0} decisions/s; {retries} full-queue retries; file {:.1} MB ({:.0} bytes/decision)",
        queued.as_secs_f64(),
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        size as f64 / 1e6,
        size as f64 / n as f64
    );
    for (what, filter) in [
        (
            "newest 100",
            Filter {
                limit: 100,
                ..Filter::default()
            },
        ),
        (
            "namespace team-7, all",
            Filter {
                namespace: Some("team-7".into()),
                ..Filter::default()
            },
        ),
        (
            "check STK001, deny, newest 1000",
            Filter {
                check: Some("STK001".into()),
                verdict: Some("deny".into()),
                limit: 1000,
                ..Filter::default()
            },
        ),
    ] {
        let t = Instant::now();
        let rows = query(&path, &filter).unwrap();
        println!(
            "query {what}: {} rows in {:.1} ms",
            rows.len(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
