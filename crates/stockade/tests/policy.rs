//! `stockade policy test` and `stockade scan --policy`, driving the real binary on the files
//! under tests/fixtures/policy (run from that folder so paths in the output are exact).

use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir())
        .args(args)
        .output()
        .expect("run stockade");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn policy_test_reports_each_case_and_exits_by_outcome() {
    let (code, out, _) = run(&["policy", "test", "suite.yaml"]);
    assert_eq!(
        out,
        "PASS suite.yaml owner/allowed\nPASS suite.yaml owner/disallowed\n1 suites: 2 passed, 0 failed, 0 skipped\n"
    );
    assert_eq!(code, 0);
    let (code, out, _) = run(&["policy", "test", "-q", "failing-suite.yaml", "suite.yaml"]);
    assert_eq!(
        out,
        "FAIL failing-suite.yaml owner/expects-nothing: expected no violation, got 1 (all messages: [\"you must provide labels: {\\\"owner\\\"}\"])\n2 suites: 2 passed, 1 failed, 0 skipped\n"
    );
    assert_eq!(code, 1);
    let (code, _, err) = run(&["policy", "test", "template.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("template.yaml:1: expected kind Suite or VAPSuite, found ConstraintTemplate"),
        "{err}"
    );
}

#[test]
fn scan_runs_policies_from_the_command_line_and_the_configuration() {
    for args in [
        &[
            "scan",
            "--no-config",
            "--select",
            "STK001",
            "--policy",
            "policies",
            "-f",
            "json",
            "manifests",
        ][..],
        &["scan", "--config", "config.yaml", "-f", "json", "manifests"][..],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 1, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let f = &v["findings"];
        assert_eq!(f.as_array().unwrap().len(), 1, "{out}");
        assert_eq!(f[0]["check"], "K8sRequiredLabels/must-have-owner");
        assert_eq!(f[0]["severity"], "high");
        assert_eq!(f[0]["message"], "you must provide labels: {\"owner\"}");
        assert_eq!(f[0]["file"], "manifests/ns-bad.yaml");
        assert_eq!(f[0]["line"], 1);
    }
    // A broken policy path is an input error (exit 2); the scan still runs.
    let (code, out, _) = run(&[
        "scan",
        "--no-config",
        "--select",
        "STK001",
        "--policy",
        "missing",
        "-f",
        "json",
        "manifests",
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"][0]["file"], "missing");
}

#[test]
fn scan_and_test_run_validating_admission_policies() {
    let (code, out, err) = run(&[
        "scan",
        "--no-config",
        "--select",
        "STK001",
        "--policy",
        "vap/policy.yaml",
        "-f",
        "json",
        "vap/manifests",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{out}");
    assert_eq!(f[0]["check"], "max-replicas");
    assert_eq!(f[0]["severity"], "high");
    assert_eq!(f[0]["message"], "replicas must be at most 3");
    assert_eq!(f[0]["file"], "vap/manifests/app.yaml");
    assert_eq!(f[0]["line"], 9);
    // The policy without binding is a warning, not an error (exit code 1, not 2).
    let e = v["errors"].as_array().unwrap();
    assert_eq!(e.len(), 1, "{out}");
    assert_eq!(e[0]["file"], "vap/policy.yaml");
    assert_eq!(e[0]["line"], 30);
    assert_eq!(e[0]["level"], "warning");

    let (code, out, _) = run(&["policy", "test", "vap/suite.yaml"]);
    assert_eq!(
        out,
        "PASS vap/suite.yaml max-replicas/two-allowed\n\
         PASS vap/suite.yaml max-replicas/four-denied\n\
         FAIL vap/suite.yaml max-replicas/wrong-expectation: expected allowed, got denied (messages: [\"replicas must be at most 3\"])\n\
         1 suites: 2 passed, 1 failed, 0 skipped\n"
    );
    assert_eq!(code, 1);
}
