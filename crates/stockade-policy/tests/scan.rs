//! Policies run inside the scan engine: findings carry the constraint as check ID, the
//! policy's message, the object's file and line, and the severity of the enforcement action;
//! referential templates and namespaceSelector see the whole input set.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use stockade_engine::{Config, Engine, Input};
use stockade_model::Severity;
use stockade_policy::PolicySet;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan")
}

fn engine(set: PolicySet) -> Engine {
    let config = Config {
        select: Some(Vec::new()),
        ..Config::default()
    };
    Engine::new(&config, false)
        .unwrap()
        .with_extra(Arc::new(set))
}

#[test]
fn constraints_become_findings() {
    let (set, errors) = PolicySet::load(&[fixtures().join("policies.yaml")]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.templates().len(), 2);
    assert_eq!(set.constraints().len(), 3);
    let objects = fixtures().join("objects.yaml");
    let result = engine(set).scan(&[Input::File(objects.clone())]);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let got: Vec<(String, Severity, String, u32, String)> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.check.to_string(),
                f.severity,
                f.object.name.clone(),
                f.line,
                f.message.clone(),
            )
        })
        .collect();
    let want = vec![
        (
            "K8sRequiredLabels/must-have-owner".to_string(),
            Severity::Medium,
            "web".to_string(),
            8,
            r#"you must provide labels: {"owner"}"#.to_string(),
        ),
        (
            "K8sRequiredLabels/prod-needs-team".to_string(),
            Severity::High,
            "web".to_string(),
            8,
            r#"you must provide labels: {"team"}"#.to_string(),
        ),
        (
            "K8sUniqueServiceName/unique-service-names".to_string(),
            Severity::Low,
            "front".to_string(),
            46,
            "service name front is also used in namespace dev".to_string(),
        ),
        (
            "K8sUniqueServiceName/unique-service-names".to_string(),
            Severity::Low,
            "front".to_string(),
            52,
            "service name front is also used in namespace shop".to_string(),
        ),
    ];
    assert_eq!(got, want);
    assert!(
        result
            .findings
            .iter()
            .all(|f| *f.file == *objects.display().to_string())
    );
    assert_eq!(result.summary.findings, 4);
}

#[test]
fn a_single_request_runs_object_constraints_only() {
    let (set, _) = PolicySet::load(&[fixtures().join("policies.yaml")]);
    let engine = engine(set);
    let bytes = std::fs::read(fixtures().join("objects.yaml")).unwrap();
    let loaded = stockade_model::load("objects.yaml", &bytes);
    // scan_objects (the webhook's path) has no input set: the namespaceSelector and the
    // referential constraint do not run; the plain one does.
    let r = engine.scan_objects(&loaded.objects);
    let ids: Vec<&str> = r.findings.iter().map(|f| &*f.check).collect();
    assert_eq!(ids, ["K8sRequiredLabels/must-have-owner"]);
}

#[test]
fn bad_policies_are_errors_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.yaml");
    std::fs::write(
        &p,
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: broken\nspec:\n  crd:\n    spec:\n      names:\n        kind: Broken\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n        package broken\n        violation[{\"msg\": msg}] {\n          msg :=\n        }\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Orphan\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let (set, errors) = PolicySet::load(std::slice::from_ref(&p));
    assert!(set.is_empty());
    let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    let file = p.display().to_string();
    assert!(
        msgs[0].starts_with(&format!(
            "{file}:1: ConstraintTemplate broken: Rego does not compile:"
        )),
        "{}",
        msgs[0]
    );
    assert_eq!(
        msgs[1],
        format!("{file}:18: constraint Orphan/x has no ConstraintTemplate defining kind Orphan")
    );
}
