//! Evaluation throughput on the upstream conformance fixtures.
//!
//! Loads every fixture once, then evaluates all of them (each at its own level and version) N
//! times on one thread.
//!
//! ```text
//! cargo run --release -p stockade-pss --example pss_bench -- [N] [testdata dir]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use stockade_pss::{Level, Version, evaluate};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

/// Level and version from `.../<level>/v1.N/<pass|fail>/<file>`.
fn level_version(p: &Path) -> Option<(Level, Version)> {
    let mut it = p.iter().rev().skip(2);
    let version = it.next()?.to_str()?.parse().ok()?;
    let level = it.next()?.to_str()?.parse().ok()?;
    Some((level, version))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let root = args.next().map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/conformance/pod-security-admission/test/testdata")
    });

    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut loaded = Vec::new();
    for f in &files {
        let Some(lv) = level_version(f) else { continue };
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        loaded.push((lv, stockade_model::load(&f.to_string_lossy(), &bytes)));
    }
    let specs: Vec<_> = loaded
        .iter()
        .flat_map(|((l, v), ld)| {
            ld.objects
                .iter()
                .flat_map(stockade_model::pod_specs)
                .map(move |s| (*l, *v, s))
        })
        .collect();
    if specs.is_empty() {
        eprintln!("no fixtures found under {}", root.display());
        std::process::exit(2);
    }

    // Warm up, and keep the result observable so nothing is optimised away.
    let mut violations = 0usize;
    for (l, v, s) in &specs {
        violations += evaluate(*l, *v, s).len();
    }
    let start = Instant::now();
    for _ in 0..n {
        for (l, v, s) in &specs {
            violations += std::hint::black_box(evaluate(*l, *v, s)).len();
        }
    }
    let elapsed = start.elapsed();
    let evals = specs.len() * n;
    println!(
        "{} pod specs x {n} passes = {evals} evaluations in {:.1} ms (1 thread)",
        specs.len(),
        elapsed.as_secs_f64() * 1e3
    );
    println!(
        "{:.0} evaluations/s, {:.3} ms per full pass, {:.2} us per evaluation ({violations} violations)",
        evals as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / n as f64,
        elapsed.as_secs_f64() * 1e6 / evals as f64
    );
}
