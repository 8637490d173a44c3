//! Drives the real binary on real files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SELECT: &str = "--select=privileged-container,host-network,image-tag-mutable,meta";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn stockade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .output()
        .expect("run stockade")
}

fn json_scan(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["scan", "--format", "json", "--no-config", SELECT];
    all.extend_from_slice(args);
    let out = stockade(&all);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

/// `check line name` for each finding, the shape a user reads.
fn brief(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["check"].as_str().unwrap(),
                f["line"],
                f["object"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

fn errors(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}:{} {}",
                e["level"].as_str().unwrap(),
                e["line"],
                e["column"],
                e["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn bad_documents_are_reported_and_the_rest_still_scanned() {
    let path = fixtures().join("bad/mixed.yaml");
    let (code, v) = json_scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "input errors give exit 2");
    assert_eq!(
        brief(&v),
        vec!["STK201 8 first", "STK101 36 dup", "STK201 48 last"]
    );
    assert_eq!(
        errors(&v),
        vec![
            "error 16:1 invalid YAML: while parsing a flow mapping, did not find expected ',' or '}'; the rest of this document is skipped".to_string(),
            "error 17:1 not a Kubernetes object: the document is a sequence, not a mapping with apiVersion and kind".into(),
            "error 20:1 Kubernetes object without kind (a non-empty string is required)".into(),
            "error 24:1 Kubernetes object without apiVersion (a non-empty string is required)".into(),
            "error 36:3 duplicate key `hostNetwork` (first at line 35); the last value is used".into(),
        ]
    );
    assert_eq!(v["summary"]["objects"], 3);
    assert_eq!(v["summary"]["errors"], 5);
}

#[test]
fn helm_source_comments_name_the_template() {
    let text = std::fs::read(fixtures().join("helm/rendered.yaml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(["scan", "--format", "json", "--no-config", SELECT, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["file"], "<stdin>");
    assert_eq!(f["template"], "shop/templates/deployment.yaml");
    assert_eq!(f["line"], 18);
    assert_eq!(f["path"], "spec.template.spec.containers[0].image");
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(
        out.status.code(),
        Some(0),
        "medium findings are below the default fail-on (high)"
    );
}

#[test]
fn json_lists_are_expanded_with_exact_positions() {
    let (code, v) = json_scan(&[fixtures().join("bad/list.json").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(brief(&v), vec!["STK101 6 p1", "STK201 8 p2", "STK001 8 p2"]);
    let f = &v["findings"][2];
    assert_eq!(f["column"], 76);
    assert_eq!(f["path"], "spec.containers[0].securityContext.privileged");
    assert_eq!(f["container"], "b");
    assert_eq!(f["severity"], "critical");
    assert!(
        f["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "checkov:CKV_K8S_16")
    );
    assert_eq!(
        f["object"],
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "namespace": null, "name": "p2"})
    );
}

#[test]
fn hostile_input_is_bounded_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.yaml");
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='j' {
        text.push_str(&format!("  {c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = c;
    }
    std::fs::write(&bomb, text).unwrap();
    let deep = dir.path().join("deep.yaml");
    std::fs::write(
        &deep,
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
    )
    .unwrap();
    let binary = dir.path().join("binary.yaml");
    std::fs::write(&binary, b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap();
    let latin1 = dir.path().join("latin1.yaml");
    std::fs::write(
        &latin1,
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    )
    .unwrap();
    let huge = dir.path().join("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, "replicaCount: 2\nimage:\n  tag: latest\n").unwrap();

    let start = std::time::Instant::now();
    let (code, v) = json_scan(&[dir.path().to_str().unwrap()]);
    assert!(
        start.elapsed().as_secs() < 20,
        "hostile input must not take long"
    );
    assert_eq!(code, 2);
    let errs: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = Path::new(e["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            format!(
                "{file}:{} {} {}",
                e["line"],
                e["level"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        errs,
        vec![
            "binary.yaml:0 error binary file (contains NUL bytes), not YAML or JSON".to_string(),
            "bomb.yaml:10 error YAML aliases expand to more than 200000 nodes (an alias bomb?); document skipped".into(),
            "deep.yaml:1 error invalid YAML: recursion limit exceeded; the rest of this document is skipped".into(),
            "huge.yaml:0 error file is 209 MB, over the 64 MB limit (raise it with --max-file-size)".into(),
            "latin1.yaml:4 error not valid UTF-8 (invalid byte at offset 52)".into(),
            "values.yaml:1 warning not a Kubernetes object: the mapping has no apiVersion and no kind".into(),
        ]
    );
}

/// Standard input is read up to `--max-file-size` too: more is an error naming `<stdin>`,
/// and the files named with it are still scanned.
#[test]
fn standard_input_is_bounded_and_the_other_inputs_still_scanned() {
    let file = fixtures().join("helm/rendered.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args([
            "scan",
            "--format",
            "json",
            "--no-config",
            SELECT,
            "--max-file-size",
            "1",
            "-",
        ])
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The reader stops after the limit: the rest of the write may fail with a closed pipe.
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'#'; 1 << 16];
        for _ in 0..64 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{v:#}");
    assert_eq!(v["errors"][0]["file"], "<stdin>");
    assert_eq!(
        v["errors"][0]["message"],
        "standard input is larger than the 1 MB limit (raise it with --max-file-size)"
    );
    assert_eq!(
        v["findings"][0]["file"],
        file.display().to_string(),
        "{v:#}"
    );
}

/// A device or pipe reports no size: what is read is bounded by the limit all the same.
#[test]
fn a_file_without_a_size_is_read_up_to_the_limit() {
    let (code, v) = json_scan(&["--max-file-size", "1", "/dev/zero"]);
    assert_eq!(code, 2);
    assert_eq!(
        v["errors"][0]["message"],
        "file is larger than the 1 MB limit (raise it with --max-file-size)",
        "{v:#}"
    );
}

#[test]
fn unreadable_and_empty_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let broken = dir.path().join("links");
    std::fs::create_dir(&broken).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere.yaml"), broken.join("gone.yaml")).unwrap();
    let missing = dir.path().join("missing.yaml");
    let (code, v) = json_scan(&[
        empty.to_str().unwrap(),
        broken.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let msgs: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert_eq!(
        msgs[0],
        "directory contains no .yaml, .yml or .json files or Dockerfiles"
    );
    assert!(msgs[1].starts_with("cannot read: No such file"), "{msgs:?}");
    assert!(
        v["errors"][1]["file"]
            .as_str()
            .unwrap()
            .ends_with("gone.yaml"),
        "{v:#}"
    );
    assert!(msgs[2].starts_with("cannot read: No such file"), "{msgs:?}");
}

#[test]
fn a_file_that_is_not_kubernetes_is_reported_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("values.yaml");
    std::fs::write(&f, "replicaCount: 2\n").unwrap();
    let (code, v) = json_scan(&[f.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["warnings"], 1);
    assert_eq!(v["summary"]["errors"], 0);
}

#[test]
fn configuration_selects_overrides_and_excludes() {
    let dir = fixtures().join("config");
    let out = stockade(&[
        "scan",
        "--format",
        "json",
        dir.join("workloads.yaml").to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // image-tag-mutable ignored; host-network lowered to low; debug-* exempt from privileged.
    assert_eq!(brief(&v), vec!["STK101 6 debug-1", "STK001 22 app"]);
    assert_eq!(v["findings"][0]["severity"], "low");
    assert_eq!(
        out.status.code(),
        Some(1),
        "fail-on critical from the config"
    );
    let out = stockade(&[
        "scan",
        "--format",
        "json",
        "--fail-on",
        "info",
        "--ignore",
        "privileged-container",
        dir.join("workloads.yaml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(brief(&v), vec!["STK101 6 debug-1"]);
}

#[test]
fn configuration_errors_name_the_file_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.yaml");
    std::fs::write(&cfg, "ignore: [privileged-container]\nfail_on: high\n").unwrap();
    let out = stockade(&[
        "scan",
        "--config",
        cfg.to_str().unwrap(),
        fixtures().join("helm").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.yaml")
            && err.contains("unknown field `fail_on`")
            && err.contains("line 2"),
        "{err}"
    );
    std::fs::write(&cfg, "ignore: [no-such-check]\n").unwrap();
    let out = stockade(&[
        "scan",
        "--config",
        cfg.to_str().unwrap(),
        fixtures().join("helm").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown check or category `no-such-check`") && err.contains("bad.yaml"),
        "{err}"
    );
}

#[test]
fn suppressions_need_reasons_and_unused_ones_are_reported() {
    let f = fixtures().join("suppress/annotated.yaml");
    let (code, v) = json_scan(&[f.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        brief(&v),
        vec![
            "STK901 8 agent",
            "STK901 9 agent",
            "STK900 14 agent",
            "STK201 19 agent"
        ]
    );
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs[0],
        "suppression of `image-tag-mutable` gives no reason; it is not applied"
    );
    assert_eq!(
        msgs[1],
        "suppression names no known check `no-such-check`; it is not applied"
    );
    assert_eq!(
        msgs[2],
        "suppression of `privileged-container` for container \"other\" matches no finding"
    );
    assert_eq!(v["summary"]["suppressed"], 2);

    let (code, v) = json_scan(&["--strict", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        brief(&v),
        vec!["STK101 16 agent", "STK201 19 agent", "STK001 21 agent"]
    );
}

#[test]
fn several_formats_to_an_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = stockade(&[
        "scan",
        "--no-config",
        SELECT,
        "--format",
        "text,json,sarif,junit,github",
        "--output-dir",
        dir.path().to_str().unwrap(),
        fixtures().join("bad/list.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stockade.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[2]["ruleId"], "STK001");
    assert_eq!(results[2]["level"], "error");
    assert_eq!(
        results[2]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 8, "startColumn": 76})
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(
        rules[results[2]["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "STK001"
    );
    let junit = std::fs::read_to_string(dir.path().join("stockade.junit.xml")).unwrap();
    assert!(
        junit.contains(r#"<testsuites name="stockade" tests="3" failures="3" errors="0">"#),
        "{junit}"
    );
    let gh = std::fs::read_to_string(dir.path().join("stockade.github.txt")).unwrap();
    let first = gh.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=") && first.contains(",line=6,col="),
        "{first}"
    );
    let text = std::fs::read_to_string(dir.path().join("stockade.txt")).unwrap();
    assert!(
        text.ends_with("3 findings (1 critical, 1 high, 1 medium) in 2 objects from 1 file\n"),
        "{text}"
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args([
            "scan",
            "--no-config",
            "--color",
            "never",
            fixtures().to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("error"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code().is_some(), "no signal death");
}

#[test]
fn checks_explain_completions_and_schema() {
    let out = stockade(&["checks", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "STK001" && c["name"] == "privileged-container")
    );
    let out = stockade(&["explain", "STK001"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("# STK001 `privileged-container`") && text.contains("## Why it matters"),
        "{text}"
    );
    assert_eq!(stockade(&["explain", "nope"]).status.code(), Some(2));
    let out = stockade(&["completions", "bash"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("stockade"));
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../stockade.schema.json"),
    )
    .unwrap();
    let out = stockade(&["schema"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        committed,
        "stockade.schema.json is stale: run `cargo run -- schema > stockade.schema.json`"
    );
}

#[test]
fn set_checks_see_the_whole_input_and_honour_suppressions() {
    let dir = fixtures().join("set");
    let (code, v) = json_scan(&[
        "--select=service-selects-no-pods,host-network,meta",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{v:#}");
    // The Service in one file matches the Deployment in another; `api` is suppressed; the
    // suppression on `cache` matched nothing; `typo` selects nothing. Findings keep file order.
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = Path::new(f["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            format!(
                "{file}:{} {} {}",
                f["line"],
                f["check"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "a-services.yaml:22 STK900 cache".to_string(),
            "a-services.yaml:31 STK604 typo".into(),
            "b-workloads.yaml:10 STK101 web".into(),
        ]
    );
    assert_eq!(v["summary"]["suppressed"], 1);
    // One file alone is its own set: the Services there match no workload, but with no
    // workload in the set the check stays silent.
    let (_, v) = json_scan(&[
        "--select=service-selects-no-pods",
        dir.join("a-services.yaml").to_str().unwrap(),
    ]);
    assert!(brief(&v).iter().all(|f| !f.starts_with("STK604")), "{v:#}");
    assert_eq!(brief(&v), vec!["STK900 13 api", "STK900 22 cache"]);
}

#[test]
fn peer_check_ids_select_and_ignore_our_checks() {
    let f = fixtures().join("bad/list.json");
    let run = |args: &[&str]| {
        let mut all = vec!["scan", "--format", "json", "--no-config"];
        all.extend_from_slice(args);
        all.push(f.to_str().unwrap());
        let out = stockade(&all);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // Checkov's privileged check and Trivy's host-network check, by their own IDs.
    let v = run(&["--select", "CKV_K8S_16,trivy:KSV-0009"]);
    assert_eq!(brief(&v), vec!["STK101 6 p1", "STK001 8 p2"]);
    let v = run(&[
        "--select",
        "privileged-container,host-network",
        "--ignore",
        "kube-linter:host-network",
    ]);
    assert_eq!(brief(&v), vec!["STK001 8 p2"]);
    let out = stockade(&[
        "scan",
        "--no-config",
        "--select",
        "checkov:CKV_NOPE",
        f.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("unknown check or category `checkov:CKV_NOPE`")
    );
}

#[test]
fn kube_version_decides_which_api_versions_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cron.yaml");
    std::fs::write(&f, "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"@daily\"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a:1}]}}}}\n").unwrap();
    let run = |v: &str| {
        let out = stockade(&[
            "scan",
            "--format",
            "json",
            "--no-config",
            "--select",
            "deprecations",
            "--kube-version",
            v,
            f.to_str().unwrap(),
        ]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // batch/v1beta1 CronJob: deprecated in 1.21, removed in 1.25.
    assert_eq!(brief(&run("1.22")), vec!["STK781 1 c"]);
    assert_eq!(brief(&run("1.25")), vec!["STK780 1 c"]);
    let out = stockade(&[
        "scan",
        "--no-config",
        "--kube-version",
        "one.two",
        f.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// Inputs with findings of object and set checks, suppressions and input errors.
fn report_inputs() -> [std::path::PathBuf; 3] {
    [
        fixtures().join("set"),
        fixtures().join("bad"),
        fixtures().join("suppress"),
    ]
}

/// A report of a streaming format (JSON, text, GitHub, SARIF) is written as the findings are
/// settled; with JUnit beside it, from all findings held. The two are the same bytes.
#[test]
fn a_streamed_report_is_the_report_written_from_all_findings() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = report_inputs();
    let inputs: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();
    for format in ["json", "text", "github", "sarif"] {
        let mut args = vec!["scan", "--no-config", "--select=all", "--format", format];
        args.extend(&inputs);
        let streamed = stockade(&args);
        let held_dir = dir.path().join(format);
        // With JUnit (which does not stream): held, and written after the scan.
        let both = format!("{format},junit");
        let mut args = vec![
            "scan",
            "--no-config",
            "--select=all",
            "--format",
            &both,
            "--output-dir",
            held_dir.to_str().unwrap(),
        ];
        args.extend(&inputs);
        let held = stockade(&args);
        assert_eq!(streamed.status.code(), held.status.code(), "{format}");
        let file = std::fs::read(held_dir.join(match format {
            "json" => "stockade.json",
            "text" => "stockade.txt",
            "sarif" => "stockade.sarif",
            _ => "stockade.github.txt",
        }))
        .unwrap();
        assert!(
            streamed.stdout.len() > 1_000,
            "{format}: {}",
            String::from_utf8_lossy(&streamed.stdout)
        );
        assert!(
            streamed.stdout == file,
            "{format} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&streamed.stdout),
            String::from_utf8_lossy(&file)
        );
    }
}

/// Several streaming reports into an output directory are written at once as the findings
/// come, each the same bytes as when all findings are held (JUnit beside them).
#[test]
fn several_streamed_reports_are_the_reports_written_from_all_findings() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = report_inputs();
    let inputs: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();
    let run = |formats: &str, out: &std::path::Path| {
        let mut args = vec![
            "scan",
            "--no-config",
            "--select=all",
            "--format",
            formats,
            "--output-dir",
            out.to_str().unwrap(),
        ];
        args.extend(&inputs);
        stockade(&args)
    };
    let streamed = run("json,text,sarif,github", &dir.path().join("streamed"));
    let held = run("json,text,sarif,github,junit", &dir.path().join("held"));
    assert_eq!(streamed.status.code(), held.status.code());
    for file in [
        "stockade.json",
        "stockade.txt",
        "stockade.sarif",
        "stockade.github.txt",
    ] {
        let a = std::fs::read(dir.path().join("streamed").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("held").join(file)).unwrap();
        assert!(a.len() > 1_000, "{file}: {}", String::from_utf8_lossy(&a));
        assert!(
            a == b,
            "{file} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
    }
    assert!(
        !dir.path()
            .join("streamed")
            .join("stockade.junit.xml")
            .exists()
    );
}

/// A policy file's warning (a ValidatingAdmissionPolicy without binding) is counted as a
/// warning, not as an input error, in the summary of every report, streamed or held.
#[test]
fn a_policy_warning_is_counted_as_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let vap = dir.path().join("vap.yaml");
    std::fs::write(
        &vap,
        "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: no-binding
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: [\"\"]
        apiVersions: [\"v1\"]
        operations: [\"CREATE\"]
        resources: [\"pods\"]
  validations:
    - expression: \"true\"
",
    )
    .unwrap();
    let cm = dir.path().join("cm.yaml");
    std::fs::write(
        &cm,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n",
    )
    .unwrap();
    let (vap, cm) = (vap.to_str().unwrap(), cm.to_str().unwrap());
    // JSON alone streams; with JUnit beside it (into a folder) the findings are held.
    let (code, v) = json_scan(&["--policy", vap, cm]);
    assert_eq!(code, 0);
    assert_eq!(
        (&v["summary"]["errors"], &v["summary"]["warnings"]),
        (&serde_json::json!(0), &serde_json::json!(1))
    );
    let out_dir = dir.path().join("out");
    let out = stockade(&[
        "scan",
        "--no-config",
        "--no-progress",
        "--format",
        "json,junit",
        "--output-dir",
        out_dir.to_str().unwrap(),
        "--policy",
        vap,
        cm,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let held: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("stockade.json")).unwrap()).unwrap();
    assert_eq!(
        (&held["summary"]["errors"], &held["summary"]["warnings"]),
        (&serde_json::json!(0), &serde_json::json!(1))
    );
}
