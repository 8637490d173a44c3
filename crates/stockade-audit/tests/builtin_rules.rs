//! The built-in rules against real audit events: Falco's recorded traces (which built-in
//! rules each one must trigger, exactly) and our own fixtures for what those traces lack.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stockade_audit::{Engine, RuleSet, read_events};

fn traces_dir() -> Option<PathBuf> {
    stockade_testdata::shared(
        "conformance/falco-k8saudit/falco-legacy-tests/test/trace_files/k8s_audit",
    )
}

/// Rule name → hits, for every event of `path`.
fn hits(engine: &Engine, path: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let f = std::fs::File::open(path).unwrap();
    read_events(
        "t",
        std::io::BufReader::new(f),
        |ev, _| engine.evaluate(ev, |r| *out.entry(r.name.to_string()).or_default() += 1),
        |_| {},
    )
    .unwrap();
    out
}

fn builtin() -> Engine {
    let (engine, errs) = Engine::compile(&RuleSet::builtin());
    assert!(errs.is_empty(), "{errs:?}");
    engine
}

/// Falco trace → built-in rules it must trigger (with counts). Traces not listed must
/// trigger nothing.
const EXPECTED: &[(&str, &[(&str, u64)])] = &[
    (
        "anonymous_creates_namespace_foo.json",
        &[("Anonymous request allowed", 1)],
    ),
    (
        "attach_cluster_admin_role.json",
        &[("Binding to cluster-admin created", 1)],
    ),
    ("attach_pod.json", &[("Exec or attach into a pod", 1)]),
    (
        "create_cluster_role_pod_exec.json",
        &[("Role allowing pod exec created", 1)],
    ),
    (
        "create_cluster_role_wildcard_resources.json",
        &[("Role with wildcard permissions created", 1)],
    ),
    (
        "create_cluster_role_wildcard_verbs.json",
        &[("Role with wildcard permissions created", 1)],
    ),
    (
        "create_configmap_sensitive_values.json",
        &[("ConfigMap holding credentials written", 6)],
    ),
    (
        "create_nginx_pod_hostnetwork.json",
        &[("Pod sharing host namespaces created", 1)],
    ),
    (
        "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json",
        &[("Privileged pod created", 1)],
    ),
    (
        "create_nginx_pod_privileged.json",
        &[("Privileged pod created", 1)],
    ),
    (
        "create_nginx_pod_privileged_2nd_container.json",
        &[("Privileged pod created", 1)],
    ),
    (
        "create_nginx_pod_sensitive_mount.json",
        &[("Pod mounting a sensitive host path created", 1)],
    ),
    (
        "create_nginx_pod_sensitive_mount_2nd_container.json",
        &[("Pod mounting a sensitive host path created", 1)],
    ),
    (
        "create_nginx_service_nodeport.json",
        &[("NodePort service created", 1)],
    ),
    // create_pod_kube_{system,public}_namespace: created by the ReplicaSet controller, so
    // not reported (the Deployment's creation is; see the fixtures).
    (
        "create_serviceaccount_kube_public_namespace.json",
        &[("Service account created in a system namespace", 1)],
    ),
    (
        "create_serviceaccount_kube_system_namespace.json",
        &[("Service account created in a system namespace", 1)],
    ),
    (
        "delete_cluster_role_kube_aggregator.json",
        &[
            ("Security-relevant object deleted", 1),
            ("System role modified or deleted", 1),
        ],
    ),
    (
        "delete_clusterrole.json",
        &[("Security-relevant object deleted", 1)],
    ),
    (
        "delete_clusterrolebinding.json",
        &[("Security-relevant object deleted", 1)],
    ),
    ("delete_namespace_foo.json", &[("Namespace deleted", 1)]),
    ("exec_pod.json", &[("Exec or attach into a pod", 1)]),
    (
        "modify_cluster_role_node_problem_detector.json",
        &[("System role modified or deleted", 1)],
    ),
];

#[test]
fn builtin_rules_on_falco_traces() {
    let Some(dir) = traces_dir() else { return };
    let engine = builtin();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let got = hits(&engine, &path);
        let want: BTreeMap<String, u64> = EXPECTED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, w)| w.iter().map(|(r, c)| (r.to_string(), *c)).collect())
            .unwrap_or_default();
        if got != want {
            problems.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Our fixtures: each event names the rules it must trigger in the annotation
/// `test.stockade.dev/expect` (comma-separated, empty for none).
#[test]
fn builtin_rules_on_fixtures() {
    let engine = builtin();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/builtin_events.jsonl");
    let file = std::fs::File::open(&path).unwrap();
    let mut problems = Vec::new();
    let mut read_errors = Vec::new();
    let mut n = 0;
    read_events(
        "builtin_events.jsonl",
        std::io::BufReader::new(file),
        |ev, loc| {
            n += 1;
            let want: Vec<String> = ev
                .annotations()
                .and_then(|a| a.get("test.stockade.dev/expect"))
                .and_then(|v| v.as_str())
                .expect("every fixture says what it expects")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let mut got = Vec::new();
            engine.evaluate(ev, |r| got.push(r.name.to_string()));
            if got != want {
                problems.push(format!("{loc}: want {want:?}, got {got:?}"));
            }
        },
        |e| read_errors.push(e.to_string()),
    )
    .unwrap();
    assert!(read_errors.is_empty(), "{read_errors:?}");
    assert!(n >= 20, "fixtures read: {n}");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Every built-in rule is exercised by a trace or a fixture.
#[test]
fn every_builtin_rule_is_tested() {
    let engine = builtin();
    let fixtures = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/builtin_events.jsonl"),
    )
    .unwrap();
    for rule in engine.rules() {
        let in_traces = EXPECTED
            .iter()
            .any(|(_, w)| w.iter().any(|(r, _)| *r == &*rule.name));
        assert!(
            in_traces || fixtures.contains(&*rule.name),
            "built-in rule '{}' has no test event",
            rule.name
        );
    }
}
