//! Cost of the load-time CEL name checks (free variables, `variables.NAME` reads, and calls):
//! every `expression`,
//! `messageExpression` and `valueExpression` string under the given files or directories is
//! compiled, then checked; prints both times, the first pass (name lookups not yet cached)
//! and the best of REPEAT (default 5) later passes.
//!
//!     CARGO_PROFILE_DEV_OPT_LEVEL=3 cargo build -p stockade-policy --example cel_check_cost
//!     target/debug/examples/cel_check_cost ../shared/conformance/gatekeeper-library/library \
//!         crates/stockade-policy/examples/vap-bench.yaml

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use stockade_policy::cel_ext;
use stockade_policy::vap::BINDINGS;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn collect(j: &Json, out: &mut Vec<String>) {
    match j {
        Json::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("expression" | "messageExpression" | "valueExpression", Json::String(s)) => {
                        out.push(s.clone())
                    }
                    _ => collect(v, out),
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

fn files(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        entries.iter().for_each(|e| files(e, out));
    } else if p
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
    {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        files(Path::new(&a), &mut paths);
    }
    let mut sources = Vec::new();
    for f in &paths {
        let bytes = std::fs::read(f).unwrap_or_default();
        let loaded = stockade_model::load(&f.display().to_string(), &bytes);
        for o in &loaded.objects {
            let kind = o.kind.as_str();
            if kind == "ConstraintTemplate" || kind == "ValidatingAdmissionPolicy" {
                collect(&o.root.to_json(), &mut sources);
            }
        }
    }
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let pass = || {
        let (mut compile, mut check) = (Duration::ZERO, Duration::ZERO);
        let mut problems = 0;
        for s in &sources {
            let t = Instant::now();
            let Ok(c) = cel_ext::compile(s) else { continue };
            compile += t.elapsed();
            let t = Instant::now();
            std::hint::black_box(c.free_variables().len() + c.variables_read().len());
            problems += c.bad_calls(BINDINGS).len();
            check += t.elapsed();
        }
        (compile, check, problems)
    };
    let (c0, k0, problems) = pass();
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..repeat {
        let (c, k, _) = pass();
        best = (best.0.min(c), best.1.min(k));
    }
    println!(
        "{} expressions from {} files, {problems} with a bad call",
        sources.len(),
        paths.len()
    );
    println!("first pass: compile {c0:?}, check {k0:?}");
    println!(
        "best of {repeat}: compile {:?}, check {:?} ({:.1} µs per expression)",
        best.0,
        best.1,
        best.1.as_secs_f64() * 1e6 / sources.len().max(1) as f64
    );
}
