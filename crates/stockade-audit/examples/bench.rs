//! Measures events per second on one thread: the file is read into memory first, then the
//! reader parses every line and the engine evaluates it (alerts are built, not printed).
//!
//! `cargo run --release -p stockade-audit --example bench -- FILE [--rules RULES]... [--no-builtin] [--runs N]`

use std::time::Instant;

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
    let stats = read_events(&file, &data[..], |_, _| {}, |_| {}).unwrap();
    let parse = t.elapsed().as_secs_f64();
    println!(
        "parse only:        {:>10.0} events/s ({} events, {:.3}s)",
        stats.events as f64 / parse,
        stats.events,
        parse
    );
    let mut best = f64::MAX;
    let mut alerts = 0u64;
    for _ in 0..runs {
        alerts = 0;
        let t = Instant::now();
        read_events(
            &file,
            &data[..],
            |ev, loc| alerts += engine.alerts(ev, loc).len() as u64,
            |_| {},
        )
        .unwrap();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "parse + evaluate:  {:>10.0} events/s (best of {runs}: {best:.3}s, {alerts} alerts)",
        stats.events as f64 / best
    );
}
