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

/// Policy findings are suppressed and excluded by their check ID exactly as built-in
/// findings are: `ignore.stockade.dev/<id>` annotations (a constraint's `Kind/name` also as
/// `Kind.name`, a valid annotation key; a VAP name with dots whole), the configuration's
/// `ignore:` and `exclude[].checks`; a suppression without a reason is not applied and is
/// reported; a name that is neither a check nor a loaded policy is still an error.
#[test]
fn suppressions_ignore_and_exclusions_name_policies() {
    let dir = tempfile::tempdir().unwrap();
    let vap = dir.path().join("vap.yaml");
    std::fs::write(
        &vap,
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: replicas.example.com}\n\
         spec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]\n\
         \x20 validations:\n  - expression: \"has(object.spec.replicas)\"\n    message: no replicas\n---\n\
         apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: replicas}\n\
         spec: {policyName: replicas.example.com, validationActions: [Warn]}\n",
    )
    .unwrap();
    let objects = dir.path().join("objects.yaml");
    let deployment = |name: &str, ns: &str, annotations: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations: {annotations}\n\
             spec:\n  template:\n    spec:\n      containers: [{{name: a, image: a:1}}]\n---\n"
        )
    };
    std::fs::write(
        &objects,
        [
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {env: prod}}\n---\n"
                .to_string(),
            // Every finding suppressed, each spelling once.
            deployment(
                "quiet",
                "shop",
                "{ignore.stockade.dev/K8sRequiredLabels.must-have-owner: owned by the pipeline, \
                 ignore.stockade.dev/K8sRequiredLabels/prod-needs-team: team set at deploy, \
                 ignore.stockade.dev/replicas.example.com: autoscaled}",
            ),
            // A reason is required: nothing suppressed, and the suppression reported.
            deployment(
                "loud",
                "shop",
                "{ignore.stockade.dev/replicas.example.com: ''}",
            ),
        ]
        .concat(),
    )
    .unwrap();
    let (set, errors) = PolicySet::load(&[fixtures().join("policies.yaml"), vap.clone()]);
    assert!(errors.is_empty(), "{errors:?}");
    let set: Arc<dyn stockade_engine::ExtraChecks> = Arc::new(set);
    let scan = |config: Config| {
        let engine = Engine::with_policies(&config, false, Some(set.clone())).unwrap();
        let r = engine.scan(&[Input::File(objects.clone())]);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let found: Vec<(String, String, String)> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.object.name.clone(),
                    f.check.to_string(),
                    f.message.clone(),
                )
            })
            .collect();
        (found, r.summary.suppressed)
    };
    let base = Config {
        select: Some(vec!["invalid-suppression".into()]),
        ..Config::default()
    };
    let meta = stockade_checks::find("invalid-suppression").unwrap().id;
    let loud =
        |check: &str, message: &str| ("loud".to_string(), check.to_string(), message.to_string());
    let all_loud = vec![
        loud(
            "K8sRequiredLabels/must-have-owner",
            r#"you must provide labels: {"owner"}"#,
        ),
        loud(
            "K8sRequiredLabels/prod-needs-team",
            r#"you must provide labels: {"team"}"#,
        ),
        loud("replicas.example.com", "no replicas"),
        loud(
            meta,
            "suppression of `replicas.example.com` gives no reason; it is not applied",
        ),
    ];
    let (found, suppressed) = scan(base.clone());
    assert_eq!(found, all_loud);
    assert_eq!(suppressed, 3);

    // `ignore:` drops a policy's findings everywhere.
    let (found, _) = scan(Config {
        ignore: vec!["replicas.example.com".into()],
        ..base.clone()
    });
    assert_eq!(
        found.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        [
            "K8sRequiredLabels/must-have-owner",
            "K8sRequiredLabels/prod-needs-team",
            meta
        ]
    );

    // An exclusion naming a policy drops it for the objects it covers only, and leaves the
    // catalog's checks alone.
    let (found, _) = scan(Config {
        exclude: vec![stockade_engine::Exclusion {
            name: Some("lou*".into()),
            checks: vec!["K8sRequiredLabels/prod-needs-team".into()],
            ..Default::default()
        }],
        ..base.clone()
    });
    assert_eq!(
        found.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        [
            "K8sRequiredLabels/must-have-owner",
            "replicas.example.com",
            meta
        ]
    );

    // A name that is no check and no loaded policy is still refused.
    let err = Engine::with_policies(
        &Config {
            ignore: vec!["replicas.example.org".into()],
            ..base
        },
        false,
        Some(set.clone()),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "unknown check or category `replicas.example.org` (see `stockade checks`)"
    );
}

/// A constraint whose Rego fails on an object (here: a function given two values for one
/// output) is an error naming the constraint, at the object, and the error is attributed to
/// the constraint's check ID (the webhook applies that constraint's mode to it).
#[test]
fn an_evaluation_error_names_its_constraint() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("p.yaml");
    std::fs::write(
        &policies,
        stockade_testdata::FAILING_TEMPLATE.to_string()
            + r#"---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sConflict
metadata:
  name: conflict
"#,
    )
    .unwrap();
    let (set, errors) = PolicySet::load(std::slice::from_ref(&policies));
    assert!(errors.is_empty(), "{errors:?}");
    let objects = dir.path().join("o.yaml");
    std::fs::write(
        &objects,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    )
    .unwrap();
    let result = engine(set).scan(&[Input::File(objects)]);
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    let errors: Vec<(u32, Option<&str>, &str)> = result
        .errors
        .iter()
        .map(|e| (e.line, e.check.as_deref(), e.message.as_str()))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, 1);
    assert_eq!(errors[0].1, Some("K8sConflict/conflict"));
    assert!(
        errors[0]
            .2
            .starts_with("ConfigMap c: constraint K8sConflict/conflict: "),
        "{errors:?}"
    );
}
