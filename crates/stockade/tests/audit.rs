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
    let Some(rules) =
        stockade_testdata::shared("conformance/falco-k8saudit/plugin-rules/k8s_audit_rules.yaml")
    else {
        return;
    };
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

/// A local webhook answering 200, collecting the bodies.
fn webhook(listener: std::net::TcpListener) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use std::io::{BufRead, BufReader, Read};
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let mut r = BufReader::new(&mut s);
            let mut len = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            if r.read_exact(&mut body).is_ok() {
                g.lock().unwrap().push(String::from_utf8(body).unwrap());
                let _ = s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n");
            }
        }
    });
    got
}

#[test]
fn scan_sends_to_a_webhook_deduplicated_and_keeps_undelivered_alerts_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path().join("spool");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sink = format!("webhook=http://127.0.0.1:{port}/hook");
    let common = [
        "--sink",
        &sink,
        "--spool",
        spool.to_str().unwrap(),
        "--sink-timeout",
        "200ms",
        "--retry-initial",
        "10ms",
        "--retry-max",
        "50ms",
    ];
    // The sink is down: the alert waits in the spool.
    let mut args = vec![
        "audit",
        "scan",
        "-",
        "--format",
        "json",
        "--drain-timeout",
        "300ms",
    ];
    args.extend(common);
    let input = format!("{EXEC}\n{EXEC}\n{EXEC}\n");
    let out = stockade(&args, Some(&input));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert!(err.contains("2 duplicate(s)"), "{err}");
    assert!(err.contains("1 alert(s) not delivered yet"), "{err}");

    // Up again: the next run (with nothing new to send) delivers it.
    let got = webhook(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mut args = vec!["audit", "scan", "-", "--drain-timeout", "3s"];
    args.extend(common);
    let out = stockade(&args, Some(&format!("{QUIET}\n")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 alert(s) from an earlier run"), "{err}");
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1, "{err}");
    let a: serde_json::Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(a["rule"], "Exec or attach into a pod");
    assert_eq!(a["audit_id"], "a1");
}

#[test]
fn plain_http_to_another_host_is_refused() {
    let out = stockade(
        &["audit", "scan", "-", "--sink", "slack=http://example.com/x"],
        Some(""),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain http is only allowed"));
}
