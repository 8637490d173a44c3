//! `stockade audit` driven as a user runs it: exit codes, alert formats, bad lines, rules
//! errors, stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn stockade(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = stdin.unwrap_or("").to_string();
    let mut pipe = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    child.wait_with_output().unwrap()
}

const EXEC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseStarted","verb":"create","user":{"username":"mallory"},"sourceIPs":["203.0.113.7"],"requestURI":"/api/v1/namespaces/prod/pods/web/exec?command=sh&container=app","objectRef":{"resource":"pods","namespace":"prod","name":"web","subresource":"exec"},"responseStatus":{"code":101},"stageTimestamp":"2026-11-22T10:00:00.000000Z"}"#;
const QUIET: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a2","stage":"ResponseComplete","verb":"get","user":{"username":"system:kube-scheduler"},"objectRef":{"resource":"leases","namespace":"kube-system","name":"kube-scheduler"},"responseStatus":{"code":200}}"#;

#[test]
fn scan_json_alerts_from_stdin() {
    let input = format!("{QUIET}\n{EXEC}\n");
    let out = stockade(&["audit", "scan", "-", "--format", "json"], Some(&input));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let alerts: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a["rule"], "Exec or attach into a pod");
    assert_eq!(a["priority"], "Notice");
    assert_eq!(a["source"], "<stdin>:2");
    assert_eq!(a["time"], "2026-11-22T10:00:00.000000Z");
    assert_eq!(a["audit_id"], "a1");
    assert_eq!(a["fields"]["ka.uri.param[command]"], "sh");
    assert_eq!(
        a["fields"]["ka.sourceips"],
        serde_json::json!(["203.0.113.7"])
    );
    assert_eq!(
        a["output"],
        "exec into pod prod/web by mallory (command=sh container=app from=(203.0.113.7))"
    );
}

#[test]
fn clean_input_exits_zero_and_bad_lines_exit_two_after_reading_on() {
    let out = stockade(&["audit", "scan", "-"], Some(&format!("{QUIET}\n")));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());

    let input = format!("{QUIET}\n{{\"kind\": 0}}\nnot json\n{EXEC}\n");
    let out = stockade(&["audit", "scan", "-"], Some(&input));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("<stdin>:2: not a Kubernetes audit event (kind is 0"),
        "{stderr}"
    );
    assert!(stderr.contains("<stdin>:3: invalid JSON"), "{stderr}");
    // The event after the bad lines was still evaluated.
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("NOTICE   Exec or attach into a pod: exec into pod prod/web by mallory"),
        "{stdout}"
    );
    assert!(stdout.contains("(<stdin>:4)"), "{stdout}");
}

#[test]
fn user_rules_extend_the_builtin_allow_lists() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("allow.yaml");
    std::fs::write(
        &rules,
        "- list: stk_exec_allowed_users\n  items: [mallory]\n  override:\n    items: append\n",
    )
    .unwrap();
    let out = stockade(
        &["audit", "scan", "-", "--rules", rules.to_str().unwrap()],
        Some(&format!("{EXEC}\n")),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rules_check_reports_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "- rule: Exec by root\n  desc: d\n  condition: ka.user.name=root and ka.target.subresource=exec\n  output: \"%ka.user.name\"\n  priority: WARNING\n  source: k8s_audit\n",
    )
    .unwrap();
    let out = stockade(&["audit", "rules", "check", good.to_str().unwrap()], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "ok: 26 k8s_audit rule(s) enabled (26 defined)\n"
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "- macro: m\n  condition: ka.verb=get\n- rule: R\n  desc: d\n  condition: m and ka.nope=1\n  output: o\n  priority: INFO\n  source: k8s_audit\n- rule: S\n  condition: (m\n  output: o\n  priority: INFO\n  source: k8s_audit\n",
    )
    .unwrap();
    let out = stockade(
        &[
            "audit",
            "rules",
            "check",
            "--no-builtin",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let name = bad.display().to_string();
    assert!(
        stderr.contains(&format!(
            "{name}:9: rule 'S': condition: expected ')' (at offset 2)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{name}:3: rule 'R': unknown field 'ka.nope'")),
        "{stderr}"
    );
}

#[test]
fn falco_plugin_rules_run_alone() {
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/falco-k8saudit/plugin-rules/k8s_audit_rules.yaml");
    if !rules.is_file() {
        assert!(
            std::env::var_os("STOCKADE_SKIP_CONFORMANCE").is_some_and(|v| v == "1"),
            "conformance data missing at {}",
            rules.display()
        );
        eprintln!("SKIPPED: {} is absent", rules.display());
        return;
    }
    let out = stockade(
        &[
            "audit",
            "scan",
            "-",
            "--no-builtin",
            "--rules",
            rules.to_str().unwrap(),
            "--match",
            "first",
        ],
        Some(&format!("{EXEC}\n")),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("NOTICE   Attach/Exec Pod: Attach/Exec to pod (user=mallory pod=web resource=pods ns=prod action=exec command=sh)"), "{stdout}");
}
