//! Cost of custom policies in a scan: the Gatekeeper library (every template with its sample
//! constraints), or any policy path (ValidatingAdmissionPolicies: examples/vap-bench.yaml),
//! against a corpus, next to the built-in checks, single-threaded, best of K.
//!
//!     cargo run --release -p stockade-policy --example library_cost -- \
//!         ../shared/conformance/gatekeeper-library/library ../shared/corpus/realworld
//!     cargo run --release -p stockade-policy --example library_cost -- \
//!         crates/stockade-policy/examples/vap-bench.yaml ../shared/corpus/realworld
//!
//! Modes: `load` (engine with no check: read, parse, pod specs), `checks` (every built-in
//! check), `policies` (no built-in check, the library's constraints). Per-object cost is the
//! mode's CPU time minus `load`'s, over the objects scanned.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use stockade_engine::{Config, Engine, collect_inputs};
use stockade_policy::PolicySet;

// The same allocator as the `stockade` binary, so the numbers are the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cpu_time() -> Duration {
    // user + system time of this process, from /proc/self/stat (fields 14 and 15, in ticks).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|s| s.parse().ok())
        .collect();
    let ticks = f.iter().sum::<u64>();
    Duration::from_millis(ticks * 10)
}

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let [library, corpus] = &args[..] else {
        eprintln!("usage: library_cost LIBRARY_DIR CORPUS_DIR");
        std::process::exit(2);
    };
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .unwrap();
    let t0 = std::time::Instant::now();
    let (set, errors) = PolicySet::load(std::slice::from_ref(library));
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    println!(
        "policies: {} templates, {} constraints, {} VAPs, {} bindings, {} load errors, loaded and compiled in {load_ms:.0} ms",
        set.templates().len(),
        set.constraints().len(),
        set.vaps().len(),
        set.bindings().len(),
        errors.len()
    );
    for e in &errors {
        println!(
            "  load error: {}",
            e.to_string().lines().next().unwrap_or("")
        );
    }
    let set = Arc::new(set);
    let (inputs, _) = collect_inputs(std::slice::from_ref(corpus));
    let none = Config {
        select: Some(Vec::new()),
        ..Config::default()
    };
    let all = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let modes: [(&str, Engine); 3] = [
        ("load", Engine::new(&none, false).unwrap()),
        ("checks", Engine::new(&all, false).unwrap()),
        (
            "policies",
            Engine::new(&none, false).unwrap().with_extra(set.clone()),
        ),
    ];
    let mut base = None;
    for (name, engine) in &modes {
        let mut best = (Duration::MAX, Duration::MAX);
        let mut last = None;
        for _ in 0..repeat {
            let c0 = cpu_time();
            let w0 = std::time::Instant::now();
            let r = engine.scan(&inputs);
            let wall = w0.elapsed();
            let cpu = cpu_time().saturating_sub(c0);
            best = (best.0.min(wall), best.1.min(cpu));
            last = Some(r);
        }
        let r = last.unwrap();
        let objects = r.summary.objects;
        let base_wall = *base.get_or_insert(best.0);
        let extra_us = (best.0.saturating_sub(base_wall)).as_secs_f64() * 1e6 / objects as f64;
        println!(
            "{name:9} objects {objects:5}  findings {:5}  errors {:3}  best wall {:7.1} ms  cpu {:7.1} ms  over load: {extra_us:7.1} µs/object",
            r.findings.len(),
            r.errors.len(),
            best.0.as_secs_f64() * 1e3,
            best.1.as_secs_f64() * 1e3,
        );
    }
}
