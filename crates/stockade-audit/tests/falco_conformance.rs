//! Replays Falco's own k8s-audit regression suite (falco_k8s_audit_tests.yaml: every trace,
//! with the rules files each case loads) and requires the expected hits per rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stockade_audit::{Engine, Matching, RuleSet, read_events};

fn conformance_dir() -> Option<PathBuf> {
    stockade_testdata::shared("conformance/falco-k8saudit")
}

/// Rules files the cases name that are not k8s-audit rules, and why they are not loaded.
const NOT_LOADED: &[(&str, &str)] = &[(
    "../rules/falco_rules.yaml",
    "Falco's syscall ruleset: no k8s_audit rules; not part of the shared data",
)];

/// What the cases need from falco_rules.yaml: it defines two image lists that
/// k8s_audit_rules.yaml tests against and trust_nginx_container.yaml appends to. Their
/// upstream items (calico/node, sysdig/sysdig, ...) appear in no trace, so they stand in empty.
const FALCO_RULES_STAND_IN: &str = "
- list: falco_privileged_images
  items: []
- list: falco_sensitive_mount_images
  items: []
";

/// Cases that cannot pass, with the reason. Empty: every case passes.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

struct Outcome {
    hits: BTreeMap<String, u64>,
    read_errors: Vec<String>,
    events: u64,
}

fn run_case(test_dir: &Path, rules_files: &[String], trace: &str, matching: Matching) -> Outcome {
    let mut set = RuleSet::default();
    for rf in rules_files {
        if NOT_LOADED.iter().any(|(n, _)| n == rf) {
            assert!(
                set.load_str("falco_rules stand-in", FALCO_RULES_STAND_IN)
                    .is_empty()
            );
            continue;
        }
        let path = test_dir.join(rf);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let errs = set.load_str(rf, &text);
        assert!(errs.is_empty(), "{rf}: {errs:?}");
    }
    let (engine, errs) = Engine::compile(&set);
    assert!(errs.is_empty(), "compile: {errs:?}");
    let engine = engine.with_matching(matching);
    let path = test_dir.join(trace);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut hits: BTreeMap<String, u64> = BTreeMap::new();
    let mut read_errors = Vec::new();
    let stats = read_events(
        trace,
        std::io::BufReader::new(file),
        |ev, _| engine.evaluate(ev, |r| *hits.entry(r.name.to_string()).or_default() += 1),
        |e| read_errors.push(e.to_string()),
    )
    .unwrap();
    Outcome {
        hits,
        read_errors,
        events: stats.events,
    }
}

#[test]
fn falco_k8s_audit_regression_suite() {
    let Some(dir) = conformance_dir() else { return };
    let test_dir = dir.join("falco-legacy-tests/test");
    let text = std::fs::read_to_string(test_dir.join("falco_k8s_audit_tests.yaml")).unwrap();
    // avocado's `!mux` tag only groups the cases; read the document as a plain mapping.
    let doc: serde_json::Value = serde_saphyr::from_str(&text.replace("!mux", "")).unwrap();
    let cases = doc["trace_files"].as_object().expect("trace_files mapping");
    assert_eq!(cases.len(), 66, "the suite has 66 cases");
    let mut failures = Vec::new();
    let mut checked_counts = 0;
    let mut traces = std::collections::BTreeSet::new();
    for (name, case) in cases {
        let rules: Vec<String> = case["rules_file"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let trace = case["trace_file"].as_str().unwrap();
        traces.insert(trace.to_string());
        let detect = case["detect"].as_bool().unwrap();
        // Falco's default: the first matching rule (in load order) fires for an event.
        let out = run_case(&test_dir, &rules, trace, Matching::First);
        let mut problems = Vec::new();
        if detect {
            for entry in case["detect_counts"].as_array().unwrap() {
                for (rule, want) in entry.as_object().unwrap() {
                    let got = out.hits.get(rule).copied().unwrap_or(0);
                    checked_counts += 1;
                    if got != want.as_u64().unwrap() {
                        problems.push(format!("{rule}: want {want}, got {got}"));
                    }
                }
            }
        } else if !out.hits.is_empty() {
            problems.push(format!("want no detection, got {:?}", out.hits));
        }
        if let Some(msg) = case.get("stderr_contains").and_then(|v| v.as_str()) {
            // Falco: 'Could not read k8s audit event line #1, "{"kind": 0}": Data not
            // recognized as a k8s audit event'. Ours names the file and line instead.
            assert!(msg.contains("line #1"), "{msg}");
            let want = format!("{trace}:1: not a Kubernetes audit event");
            if !out.read_errors.iter().any(|e| e.starts_with(&want)) {
                problems.push(format!(
                    "want a read error '{want}...', got {:?}",
                    out.read_errors
                ));
            }
        } else {
            if !out.read_errors.is_empty() {
                problems.push(format!("unexpected read errors {:?}", out.read_errors));
            }
            if out.events == 0 {
                problems.push("no events read".into());
            }
        }
        // The listed counts must not depend on Falco's first-match policy either way
        // when every rule fires.
        let all = run_case(&test_dir, &rules, trace, Matching::All);
        if detect {
            for entry in case["detect_counts"].as_array().unwrap() {
                for (rule, want) in entry.as_object().unwrap() {
                    let got = all.hits.get(rule).copied().unwrap_or(0);
                    if got != want.as_u64().unwrap() {
                        problems.push(format!("(all rules) {rule}: want {want}, got {got}"));
                    }
                }
            }
        }
        let known = KNOWN_FAILURES.iter().find(|(n, _)| n == name);
        match (problems.is_empty(), known) {
            (true, None) => {}
            (true, Some(_)) => {
                failures.push(format!("{name}: listed as a known failure but passes"))
            }
            (false, Some(_)) => {}
            (false, None) => failures.push(format!("{name}: {}", problems.join("; "))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked_counts, 45, "every detect_counts entry was compared");
    // Every trace in the directory is replayed by at least one case.
    let on_disk: std::collections::BTreeSet<String> =
        std::fs::read_dir(test_dir.join("trace_files/k8s_audit"))
            .unwrap()
            .map(|e| {
                format!(
                    "trace_files/k8s_audit/{}",
                    e.unwrap().file_name().to_string_lossy()
                )
            })
            .collect();
    let unused: Vec<_> = on_disk.difference(&traces).collect();
    assert!(unused.is_empty(), "traces no case replays: {unused:?}");
}

/// Traces no case names are still read and evaluated with the legacy rules without errors.
#[test]
fn every_trace_reads_cleanly() {
    let Some(dir) = conformance_dir() else { return };
    let test_dir = dir.join("falco-legacy-tests/test");
    let mut events = 0;
    for entry in std::fs::read_dir(test_dir.join("trace_files/k8s_audit")).unwrap() {
        let name = format!(
            "trace_files/k8s_audit/{}",
            entry.unwrap().file_name().to_string_lossy()
        );
        let out = run_case(
            &test_dir,
            &["../rules/k8s_audit_rules.yaml".to_string()],
            &name,
            Matching::All,
        );
        events += out.events;
        if name.ends_with("fal_01_003.json") {
            assert_eq!(out.read_errors.len(), 1, "{:?}", out.read_errors);
        } else {
            assert!(out.read_errors.is_empty(), "{name}: {:?}", out.read_errors);
        }
    }
    // 51 events in 46 files, plus the malformed {"kind": 0} (a file without a final newline).
    assert_eq!(events, 51);
}

#[test]
fn plugin_ruleset_loads_and_compiles() {
    let Some(dir) = conformance_dir() else { return };
    let path = dir.join("plugin-rules/k8s_audit_rules.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut set = RuleSet::default();
    let errs = set.load_str("k8s_audit_rules.yaml", &text);
    assert!(errs.is_empty(), "{errs:?}");
    let (engine, errs) = Engine::compile(&set);
    assert!(errs.is_empty(), "{errs:?}");
    // 48 rules; all are enabled and all are k8s_audit.
    assert_eq!(engine.rules().len(), 48);
}
