//! Cost of the exported policies next to the built-in checks they translate: the export itself,
//! then, per object of a corpus that an exported policy matches (Pods and workload kinds), the
//! 36 translated checks run natively vs the 36 exported ValidatingAdmissionPolicies run through
//! Stockade's VAP evaluator. Single-threaded, best of REPEAT (default 5). Also counts the
//! objects on which policy and check disagree (denied vs findings), as a second agreement test
//! on real-world manifests.
//!
//!     CARGO_PROFILE_DEV_OPT_LEVEL=3 cargo build -p stockade-export --example vap_cost
//!     target/debug/examples/vap_cost ../shared/corpus/realworld

use std::path::PathBuf;
use std::time::{Duration, Instant};

use stockade_checks::{Options, find, run_check};
use stockade_export::{Action, export, table};
use stockade_model::{load, pod_specs};
use stockade_policy::gatekeeper::Origin;
use stockade_policy::vap::{Binding, Budget, ObjectContext, Vap};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cpu_time() -> Duration {
    // user + system time of this process, from /proc/self/stat (fields 14 and 15, in ticks).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|s| s.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn best(repeat: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let (mut wall, mut cpu, mut n) = (Duration::MAX, Duration::MAX, 0);
    for _ in 0..repeat {
        let (w0, c0) = (Instant::now(), cpu_time());
        n = f();
        wall = wall.min(w0.elapsed());
        cpu = cpu.min(cpu_time() - c0);
    }
    (wall, cpu, n)
}

fn strip_nulls(j: &mut serde_json::Value) {
    match j {
        serde_json::Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn main() {
    let Some(corpus) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: vap_cost CORPUS_DIR");
        std::process::exit(2);
    };
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let checks: Vec<_> = table::TRANSLATIONS
        .iter()
        .map(|t| find(t.id).unwrap())
        .collect();
    let all = stockade_checks::all().to_vec();
    let (w, c, n) = best(repeat, || export(&all, Action::Deny).unwrap().yaml.len());
    println!(
        "export --all: {} policies, {n} bytes of YAML, best {:.1} ms wall, {} ms CPU",
        checks.len(),
        w.as_secs_f64() * 1e3,
        c.as_millis()
    );
    let yaml = export(&checks, Action::Deny).unwrap().yaml;
    let loaded = load("exported.yaml", yaml.as_bytes());
    let pairs: Vec<(Vap, Binding)> = loaded
        .objects
        .chunks(2)
        .map(|pb| {
            let o = |x: &stockade_model::Object| Origin {
                file: x.file.clone(),
                line: x.root.pos.line,
            };
            (
                Vap::from_json(&pb[0].root.to_json(), o(&pb[0])).unwrap(),
                Binding::from_json(&pb[1].root.to_json(), o(&pb[1])).unwrap(),
            )
        })
        .collect();
    let mut objects = Vec::new();
    for e in walkdir(&corpus) {
        let bytes = std::fs::read(&e).unwrap();
        for o in load(&e.to_string_lossy(), &bytes).objects {
            let matched = matches!(
                (o.group(), o.kind.as_str()),
                ("", "Pod" | "ReplicationController")
                    | (
                        "apps",
                        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
                    )
                    | ("batch", "Job" | "CronJob")
            );
            if matched {
                objects.push(o);
            }
        }
    }
    let options = Options::default();
    let n_obj = objects.len();
    let (cw, cc, findings) = best(repeat, || {
        let mut n = 0;
        for o in &objects {
            let pods = pod_specs(o);
            for c in &checks {
                n += run_check(c, o, &pods, &options).len();
            }
        }
        n
    });
    let (vw, vc, denials) = best(repeat, || {
        let mut n = 0;
        for o in &objects {
            let mut json = o.root.to_json();
            strip_nulls(&mut json);
            let ctx = ObjectContext::new(&json, None);
            for (v, b) in &pairs {
                if !v
                    .evaluate(b, &ctx, None, Budget::default())
                    .violations
                    .is_empty()
                {
                    n += 1;
                }
            }
        }
        n
    });
    let mut disagree = 0;
    for o in &objects {
        let pods = pod_specs(o);
        let mut json = o.root.to_json();
        strip_nulls(&mut json);
        let ctx = ObjectContext::new(&json, None);
        for (c, (v, b)) in checks.iter().zip(&pairs) {
            let hit = !run_check(c, o, &pods, &options).is_empty();
            let denied = !v
                .evaluate(b, &ctx, None, Budget::default())
                .violations
                .is_empty();
            if hit != denied {
                disagree += 1;
                eprintln!("disagree: {} {} {}/{}", c.name, o.file, o.kind, o.name);
            }
        }
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n_obj as f64;
    println!("corpus: {n_obj} objects of the matched kinds");
    println!(
        "built-in checks: {findings} findings, best {:.0} ms wall / {} ms CPU, {:.1} / {:.1} us per object",
        cw.as_secs_f64() * 1e3,
        cc.as_millis(),
        per(cw),
        per(cc)
    );
    println!(
        "exported VAPs: {denials} (policy, object) denials, best {:.0} ms wall / {} ms CPU, {:.1} / {:.1} us per object",
        vw.as_secs_f64() * 1e3,
        vc.as_millis(),
        per(vw),
        per(vc)
    );
    println!("(check, object) pairs where policy and check disagree: {disagree}");
}

fn walkdir(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
