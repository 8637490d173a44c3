//! Measures events per second on one thread: the file is read into memory first, then the
//! reader parses every line and the engine evaluates it (alerts are built, not printed).
//!
//! `cargo run --release -p stockade-audit --example bench -- FILE [--rules RULES]... [--no-builtin] [--runs N]`

use std::time::Instant;

/// Seconds this thread has spent on a CPU (Linux), so the figure holds on a shared machine
/// where wall time includes waiting for a core.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

use stockade_audit::{Engine, RuleSet, read_events};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut rules = Vec::new();
    let mut builtin = true;
    let mut runs = 3;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rules" => rules.push(args.next().expect("--rules FILE")),
            "--no-builtin" => builtin = false,
            "--runs" => runs = args.next().expect("--runs N").parse().expect("a number"),
            _ => file = Some(a),
        }
    }
    let file = file.expect("usage: bench FILE [--rules RULES]... [--no-builtin] [--runs N]");
    let data = std::fs::read(&file).expect("read events file");
    let mut set = if builtin {
        RuleSet::builtin()
    } else {
        RuleSet::default()
    };
    for r in &rules {
        let errs = set.load_str(r, &std::fs::read_to_string(r).expect("read rules"));
        assert!(errs.is_empty(), "{errs:?}");
    }
    let (engine, errs) = Engine::compile(&set);
    assert!(errs.is_empty(), "{errs:?}");
    println!(
        "{file}: {:.1} MB; {} rules (builtin={builtin}, files={rules:?})",
        data.len() as f64 / 1e6,
        engine.rules().len()
    );
    // Parsing alone, for reference.
    let t = Instant::now();
    let c = cpu_seconds();
    let stats = read_events(&file, &data[..], |_, _| {}, |_| {}).unwrap();
    let parse = t.elapsed().as_secs_f64();
    let parse_cpu = cpu_seconds().zip(c).map_or(parse, |(b, a)| b - a);
    println!(
        "parse only:        {:>9.0} events/s wall, {:>9.0} events/s per CPU-second ({} events)",
        stats.events as f64 / parse,
        stats.events as f64 / parse_cpu,
        stats.events,
    );
    let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut alerts = 0u64;
    for _ in 0..runs {
        alerts = 0;
        let t = Instant::now();
        let c = cpu_seconds();
        read_events(
            &file,
            &data[..],
            |ev, loc| alerts += engine.alerts(ev, loc).len() as u64,
            |_| {},
        )
        .unwrap();
        let wall = t.elapsed().as_secs_f64();
        best = best.min(wall);
        best_cpu = best_cpu.min(cpu_seconds().zip(c).map_or(wall, |(b, a)| b - a));
    }
    println!(
        "parse + evaluate:  {:>9.0} events/s wall, {:>9.0} events/s per CPU-second (best of {runs}; {alerts} alerts)",
        stats.events as f64 / best,
        stats.events as f64 / best_cpu,
    );
}
