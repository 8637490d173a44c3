//! `stockade pss` and `stockade pss suggest`, driving the real binary on the files under
//! tests/fixtures/pss (run from that folder so paths in the output are short and exact).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pss")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir())
        .args(args)
        .output()
        .expect("run stockade")
}

fn text(args: &[&str]) -> (i32, String) {
    let mut all = vec!["pss"];
    all.extend_from_slice(args);
    let out = run(&all);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["pss", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

/// `name verdict level:version [checks]` per entry.
fn verdicts(v: &Value) -> Vec<String> {
    v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let checks: Vec<&str> = o["violations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["check"].as_str().unwrap())
                .collect();
            format!(
                "{} {} {}:{} [{}]",
                o["name"].as_str().unwrap(),
                o["verdict"].as_str().unwrap(),
                o["level"].as_str().unwrap(),
                o["version"].as_str().unwrap(),
                checks.join(",")
            )
        })
        .collect()
}

fn object<'v>(v: &'v Value, name: &str) -> &'v Value {
    v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no object {name}"))
}

const RESTRICTED_MISSING: &str =
    "allowPrivilegeEscalation,capabilities_restricted,runAsNonRoot,seccompProfile_restricted";

#[test]
fn baseline_text_output_verdicts_and_exit_code() {
    let (code, out) = text(&["--level", "baseline", "workloads.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        r#"workloads.yaml:1 Pod apps/hardened: PASS
workloads.yaml:17 Deployment apps/web: PASS
workloads.yaml:33 Pod apps/debug: FAIL violates PodSecurity "baseline:latest": privileged (container "shell" must not set securityContext.privileged=true)
  workloads.yaml:43:9 privileged: spec.containers[0].securityContext.privileged
workloads.yaml:45 Job2 custom: FAIL pods of this workload will be rejected: violates PodSecurity "baseline:latest": host namespaces (hostPID)
  workloads.yaml:53:9 hostNamespaces: spec.worker.template.spec.hostPID

4 pod specs evaluated: 2 pass, 2 fail
"#
    );
}

#[test]
fn restricted_json_lists_every_pod_spec_with_violations_in_kubectl_words() {
    let (code, v) = json(&[
        "--level",
        "restricted",
        "--version",
        "v1.29",
        "workloads.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["mode"], "level");
    assert_eq!(
        verdicts(&v),
        vec![
            "hardened pass restricted:v1.29 []".to_string(),
            format!("web fail restricted:v1.29 [{RESTRICTED_MISSING}]"),
            format!("debug fail restricted:v1.29 [privileged,{RESTRICTED_MISSING}]"),
            format!("custom fail restricted:v1.29 [hostNamespaces,{RESTRICTED_MISSING}]"),
        ]
    );
    let debug = object(&v, "debug");
    assert_eq!(debug["file"], "workloads.yaml");
    assert_eq!(debug["line"], 33);
    assert_eq!(debug["apiVersion"], "v1");
    assert_eq!(debug["kind"], "Pod");
    assert_eq!(debug["namespace"], "apps");
    assert_eq!(debug["podSpecPath"], "spec");
    assert_eq!(debug["enforcedAtAdmission"], true);
    assert_eq!(
        debug["violations"][0],
        serde_json::json!({
            "check": "privileged",
            "reason": "privileged",
            "detail": "container \"shell\" must not set securityContext.privileged=true",
            "path": "spec.containers[0].securityContext.privileged",
            "line": 43,
            "column": 9,
        })
    );
    assert_eq!(
        debug["violations"][3]["detail"],
        "pod or container \"shell\" must set securityContext.runAsNonRoot=true"
    );
    let custom = object(&v, "custom");
    assert_eq!(custom["podSpecPath"], "spec.worker.template.spec");
    assert_eq!(custom["namespace"], Value::Null);
    assert_eq!(custom["enforcedAtAdmission"], false);
    assert!(
        custom["message"]
            .as_str()
            .unwrap()
            .starts_with("pods of this workload will be rejected: violates PodSecurity \"restricted:v1.29\": host namespaces (hostPID), allowPrivilegeEscalation != false (container \"w\" must set securityContext.allowPrivilegeEscalation=false)")
    );
    assert_eq!(
        v["summary"],
        serde_json::json!({"objects": 4, "pass": 1, "fail": 3, "warnings": 0, "exempt": 0, "errors": 0})
    );
}

#[test]
fn all_pass_exits_zero_and_stdin_is_read() {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir())
        .args(["pss", "--level", "restricted", "-"])
        .stdin(std::fs::File::open(dir().join("suggest/apps.yaml")).unwrap())
        .output()
        .unwrap();
    // The Deployment `web` lacks seccomp and capabilities: restricted fails, baseline passes.
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir())
        .args(["pss", "--level", "baseline", "-"])
        .stdin(std::fs::File::open(dir().join("suggest/apps.yaml")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "<stdin>:6 Deployment shop/cart: PASS\n<stdin>:28 Deployment apps/web: PASS\n<stdin>:46 Job apps/migrate: PASS\n\n3 pod specs evaluated: 3 pass, 0 fail\n"
    );
}

#[test]
fn broken_documents_are_reported_and_the_rest_still_evaluated() {
    let (code, v) = json(&["--level", "baseline", "broken.yaml"]);
    assert_eq!(code, 2, "input errors give exit 2");
    assert_eq!(
        verdicts(&v),
        vec![
            "before fail baseline:latest [privileged]",
            "after pass baseline:latest []"
        ]
    );
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    let e = &v["errors"][0];
    assert_eq!(e["file"], "broken.yaml");
    assert_eq!(e["line"], 17);
    assert_eq!(e["column"], 1);
    assert_eq!(e["level"], "error");
    assert_eq!(
        e["message"],
        "invalid YAML: while parsing a flow mapping, did not find expected ',' or '}'; the rest of this document is skipped"
    );
    assert_eq!(v["summary"]["errors"], 1);
    let (_, out) = text(&["--level", "baseline", "broken.yaml"]);
    assert!(
        out.contains("\nerror: broken.yaml:17:1: invalid YAML: while parsing a flow mapping"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_two() {
    let out = run(&["pss", "workloads.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no level and no namespace labels"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "stockade: error: no policy to evaluate: give --level, or Namespace objects with pod-security.kubernetes.io labels (in the input or with --namespace-labels), or --exemptions with defaults\n"
    );
    assert_eq!(
        run(&["pss", "--level", "strict", "workloads.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "pss",
            "--level",
            "baseline",
            "--version",
            "1.29",
            "workloads.yaml"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&["pss", "--version", "v1.29", "workloads.yaml"])
            .status
            .code(),
        Some(2),
        "--version needs --level"
    );
    let out = run(&["pss", "--level", "baseline", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error: missing.yaml: cannot read:"));
}

#[test]
fn namespace_labels_in_the_input_decide_enforce_audit_and_warn() {
    let (code, v) = json(&["namespaced"]);
    assert_eq!(code, 1, "enforce failures exit 1");
    assert_eq!(v["mode"], "namespace");
    assert_eq!(
        verdicts(&v),
        vec![
            "debug fail baseline:v1.30 [privileged]".to_string(),
            "web pass baseline:v1.30 []".into(),
            "agent fail baseline:v1.30 [hostNamespaces]".into(),
            // enforce-version v1.22 predates the runAsUser control; warn (latest) reports it.
            "root pass restricted:v1.22 []".into(),
            format!("proxy fail restricted:latest [hostNamespaces,{RESTRICTED_MISSING}]"),
            format!("vm fail restricted:latest [privileged,{RESTRICTED_MISSING}]"),
            // No namespace: `default`, unlabelled, so privileged as on the API server.
            "loose pass privileged:latest []".into(),
        ]
    );
    let debug = object(&v, "debug");
    assert_eq!(
        debug["message"],
        "violates PodSecurity \"baseline:v1.30\": privileged (container \"shell\" must not set securityContext.privileged=true)"
    );
    assert_eq!(
        debug["warn"],
        Value::Null,
        "no warnings once enforce rejects a Pod"
    );
    assert_eq!(debug["audit"]["level"], "restricted");
    assert_eq!(debug["audit"]["version"], "v1.22");

    let web = object(&v, "web");
    assert_eq!(web["warn"]["level"], "restricted");
    assert_eq!(web["warn"]["version"], "latest");
    assert_eq!(
        web["warn"]["message"],
        "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    assert_eq!(web["audit"]["version"], "v1.22");

    let agent = object(&v, "agent");
    assert_eq!(
        agent["message"],
        "pods of this workload will be rejected: violates PodSecurity \"baseline:v1.30\": host namespaces (hostNetwork)"
    );
    assert_eq!(
        agent["warn"]["violations"][0]["check"], "hostNamespaces",
        "templates get warnings even when their pods will be rejected"
    );

    let root = object(&v, "root");
    assert_eq!(
        root["warn"]["message"],
        "would violate PodSecurity \"restricted:latest\": runAsUser=0 (pod must not set runAsUser=0)"
    );
    assert_eq!(root["warn"]["violations"][0]["line"], 54);
    assert_eq!(object(&v, "loose")["policyNamespace"], "default");

    let ns: Vec<String> = v["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} {} {} {} {}",
                n["name"].as_str().unwrap(),
                n["enforce"].as_str().unwrap(),
                n["audit"].as_str().unwrap(),
                n["warn"].as_str().unwrap(),
                n["line"]
            )
        })
        .collect();
    assert_eq!(
        ns,
        vec![
            "apps baseline:v1.30 restricted:v1.22 restricted:latest 1",
            "default privileged:latest privileged:latest privileged:latest null",
            "kube-system restricted:latest privileged:latest privileged:latest 21",
            "legacy restricted:v1.22 privileged:latest restricted:latest 12",
            "sandbox restricted:latest privileged:latest privileged:latest 28",
        ]
    );
    assert_eq!(
        v["summary"],
        serde_json::json!({"objects": 7, "pass": 3, "fail": 4, "warnings": 4, "exempt": 0, "errors": 0})
    );
}

#[test]
fn level_is_the_enforce_default_for_unlabelled_namespaces() {
    let (code, v) = json(&["--level", "baseline", "namespaced"]);
    assert_eq!(code, 1);
    assert_eq!(
        object(&v, "loose")["message"],
        "violates PodSecurity \"baseline:latest\": host namespaces (hostPID)"
    );
    assert_eq!(object(&v, "debug")["level"], "baseline");
    assert_eq!(
        object(&v, "debug")["version"],
        "v1.30",
        "labels win over --level"
    );
}

#[test]
fn exemptions_by_namespace_and_runtime_class() {
    let (code, v) = json(&["--exemptions", "exemptions.yaml", "namespaced"]);
    assert_eq!(code, 1, "apps/debug and apps/agent still fail");
    for (name, exempt) in [("proxy", "namespace"), ("vm", "runtimeClass")] {
        let o = object(&v, name);
        assert_eq!(o["verdict"], "pass", "{name}");
        assert_eq!(o["exempt"], exempt, "{name}");
        assert_eq!(o["violations"], serde_json::json!([]), "{name}");
    }
    assert_eq!(object(&v, "debug")["exempt"], Value::Null);
    assert_eq!(v["summary"]["exempt"], 2);
    assert_eq!(v["summary"]["fail"], 2);
    let (_, out) = text(&["--exemptions", "exemptions.yaml", "namespaced"]);
    assert!(out.contains("namespaced/workloads.yaml:63 Pod kube-system/proxy: PASS (exempt: namespace kube-system)\n"), "{out}");
    assert!(
        out.contains(
            "namespaced/workloads.yaml:74 Pod sandbox/vm: PASS (exempt: runtimeClass kata)\n"
        ),
        "{out}"
    );
    assert!(
        out.ends_with("\n7 pod specs evaluated: 5 pass, 2 fail, 4 with warnings, 2 exempt\n"),
        "{out}"
    );
}

#[test]
fn a_bad_exemptions_file_is_a_usage_error() {
    let out = run(&["pss", "--exemptions", "workloads.yaml", "namespaced"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "stockade: error: workloads.yaml: no PodSecurityConfiguration (kind PodSecurityConfiguration, or an AdmissionConfiguration with a PodSecurity plugin)\n"
    );
}

#[test]
fn namespace_labels_file_from_kubectl_get_ns() {
    let (code, v) = json(&[
        "--namespace-labels",
        "cluster-namespaces.json",
        "workloads.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["mode"], "namespace");
    assert_eq!(
        verdicts(&v),
        vec![
            "hardened pass restricted:latest []".to_string(),
            format!("web fail restricted:latest [{RESTRICTED_MISSING}]"),
            format!("debug fail restricted:latest [privileged,{RESTRICTED_MISSING}]"),
            // No metadata.namespace: judged by the cluster's `default` namespace (baseline).
            "custom fail baseline:latest [hostNamespaces]".into(),
        ]
    );
    assert_eq!(object(&v, "custom")["warn"]["level"], "restricted");
    assert_eq!(v["namespaces"][0]["file"], "cluster-namespaces.json");
    assert_eq!(v["namespaces"][0]["line"], 5);
}

#[test]
fn input_namespaces_win_over_the_namespace_labels_file() {
    // namespaced/ labels `apps` baseline:v1.30; the file says restricted.
    let (_, v) = json(&[
        "--namespace-labels",
        "cluster-namespaces.json",
        "namespaced",
    ]);
    assert_eq!(object(&v, "web")["level"], "baseline");
    assert_eq!(object(&v, "web")["verdict"], "pass");
    // `default` comes from the file: baseline rejects hostPID.
    assert_eq!(object(&v, "loose")["verdict"], "fail");
}

#[test]
fn suggest_prints_labels_kubectl_commands_and_changes_to_reach_restricted() {
    let out = run(&["pss", "suggest", "suggest"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected_apps = r#"namespace apps: baseline (2 pod specs)
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.37
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/warn-version: latest
    pod-security.kubernetes.io/audit: restricted
    pod-security.kubernetes.io/audit-version: latest
  kubectl label --overwrite namespace apps pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/enforce-version=v1.37 pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/warn-version=latest pod-security.kubernetes.io/audit=restricted pod-security.kubernetes.io/audit-version=latest
  to reach restricted:
    suggest/apps.yaml:28 Deployment apps/web (spec.template.spec):
      suggest/apps.yaml:43:11 allowPrivilegeEscalation: allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)
      suggest/apps.yaml:43:11 capabilities_restricted: unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])
      suggest/apps.yaml:43:11 seccompProfile_restricted: seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")

namespace default: restricted (1 pod spec)
  note: includes objects without metadata.namespace, which kubectl applies to `default` unless -n says otherwise
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.37
  kubectl label --overwrite namespace default pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=v1.37

namespace monitoring: privileged (1 pod spec)
"#;
    assert!(text.starts_with(expected_apps), "{text}");
    assert!(text.ends_with(
        "namespace shop: restricted (1 pod spec)
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.37
  kubectl label --overwrite namespace shop pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=v1.37
"
    ), "{text}");
}

#[test]
fn suggest_json() {
    let out = run(&["pss", "suggest", "--format", "json", "suggest"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary: Vec<String> = v["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} {} {} {} {}",
                n["name"].as_str().unwrap(),
                n["level"].as_str().unwrap(),
                n["version"].as_str().unwrap(),
                n["podSpecs"],
                n["defaulted"]
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            "apps baseline v1.37 2 false",
            "default restricted v1.37 1 true",
            "monitoring privileged v1.37 1 false",
            "shop restricted v1.37 1 false",
        ]
    );
    let mon = &v["namespaces"][2];
    assert_eq!(
        mon["labels"],
        serde_json::json!({
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/enforce-version": "v1.37",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "latest",
        })
    );
    let blocker = &mon["toRestricted"][0];
    assert_eq!(blocker["name"], "node-exporter");
    assert_eq!(blocker["file"], "suggest/infra.yaml");
    assert_eq!(blocker["violations"][0]["check"], "hostNamespaces");
    assert_eq!(blocker["violations"][0]["detail"], "hostNetwork, hostPID");
    assert_eq!(blocker["violations"][0]["line"], 13);
    assert_eq!(v["namespaces"][3]["toRestricted"], serde_json::json!([]));
}

#[test]
fn suggest_reports_bad_input_and_exits_two() {
    let out = run(&["pss", "suggest", "--format", "json", "broken.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["namespaces"][0]["name"], "default");
    assert_eq!(v["namespaces"][0]["level"], "privileged");
    assert_eq!(v["namespaces"][0]["podSpecs"], 2);
    assert_eq!(v["errors"][0]["line"], 17);
}

#[test]
fn scan_runs_the_pss_checks_when_enabled_with_the_configured_version() {
    let out = run(&[
        "scan",
        "--no-config",
        "--format",
        "json",
        "--select",
        "pod-security-baseline",
        "workloads.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1), "baseline is high severity");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f["check"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["line"],
                f["container"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "STK050 high 43 \"shell\" privileged: privileged (container \"shell\" must not set securityContext.privileged=true)",
            "STK050 high 53 null hostNamespaces: host namespaces (hostPID)",
        ]
    );
    let cfg = tempfile::tempdir().unwrap();
    let path = cfg.path().join(".stockade.yaml");
    std::fs::write(
        &path,
        "enable: [pod-security-restricted]\noptions:\n  pss-version: v1.2x\n",
    )
    .unwrap();
    let out = run(&["scan", "--config", path.to_str().unwrap(), "workloads.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("options.pss-version: invalid Pod Security version \"v1.2x\": must be \"latest\" or \"v1.x\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
