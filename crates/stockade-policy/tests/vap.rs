//! ValidatingAdmissionPolicies: the Kubernetes documentation's examples and the param,
//! matchConditions, variables, messageExpression and cost cases, as VAPSuite files under
//! tests/fixtures/vap (each case states allowed/denied and the exact messages); and the
//! policies inside the scan engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use stockade_engine::{Config, Engine, Input};
use stockade_model::{Level, Severity};
use stockade_policy::PolicySet;
use stockade_policy::suite::{Outcome, run_suite};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vap")
}

fn outcomes(suite: &Path) -> Vec<(String, Outcome)> {
    run_suite(suite)
        .unwrap()
        .into_iter()
        .map(|c| (c.case, c.outcome))
        .collect()
}

fn all_pass(dir: &str, file: &str, cases: usize) {
    let got = outcomes(&fixtures().join(dir).join(file));
    let failed: Vec<_> = got.iter().filter(|(_, o)| *o != Outcome::Pass).collect();
    assert!(failed.is_empty(), "{dir}/{file}: {failed:#?}");
    assert_eq!(got.len(), cases, "{dir}/{file}");
}

#[test]
fn docs_replicas_limit_with_namespace_selector() {
    all_pass("replicas", "suite.yaml", 5);
}

#[test]
fn docs_params_with_message_expression() {
    all_pass("params", "suite.yaml", 5);
    all_pass("params", "missing-suite.yaml", 1);
}

#[test]
fn docs_match_conditions() {
    all_pass("match-conditions", "suite.yaml", 7);
}

#[test]
fn docs_variables_and_namespace_object() {
    all_pass("variables", "suite.yaml", 5);
}

#[test]
fn labels_registry_and_audit() {
    all_pass("labels", "suite.yaml", 6);
}

#[test]
fn runaway_expression_stops_at_the_cost_limit() {
    all_pass("cost", "suite.yaml", 1);
}

#[test]
fn a_wrong_expectation_fails_the_case() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("replicas/policy.yaml"),
        dir.path().join("policy.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("replicas/namespaces.yaml"),
        dir.path().join("namespaces.yaml"),
    )
    .unwrap();
    let suite = dir.path().join("suite.yaml");
    std::fs::write(
        &suite,
        "apiVersion: stockade.dev/v1alpha1\nkind: VAPSuite\npolicies: [policy.yaml]\nobjects: [namespaces.yaml]\ncases:\n\
         - name: wrong-verdict\n  allowed: true\n  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: w, namespace: test}, spec: {replicas: 9}}\n\
         - name: wrong-message\n  messages: [nope]\n  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: w, namespace: test}, spec: {replicas: 9}}\n",
    )
    .unwrap();
    assert_eq!(
        outcomes(&suite),
        vec![
            (
                "wrong-verdict".to_string(),
                Outcome::Fail(
                    "expected allowed, got denied (messages: [\"failed expression: object.spec.replicas <= 5\"])"
                        .into()
                )
            ),
            (
                "wrong-message".to_string(),
                Outcome::Fail(
                    "expected messages [\"nope\"], got [\"failed expression: object.spec.replicas <= 5\"]"
                        .into()
                )
            ),
        ]
    );
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
fn policies_become_findings_in_a_scan() {
    let dir = fixtures();
    let (set, errors) = PolicySet::load(&[
        dir.join("params/policy.yaml"),
        dir.join("labels/policy.yaml"),
    ]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(set.vaps().len(), 3);
    assert_eq!(set.bindings().len(), 4);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("params/objects.yaml"), tmp.path().join("a.yaml")).unwrap();
    std::fs::write(
        tmp.path().join("b.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: test\n  labels:\n    cost-center: \"1\"\nspec:\n  replicas: 4\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: test\nspec:\n  replicas: 1\n",
    )
    .unwrap();
    std::fs::copy(
        dir.join("labels/pod-foreign.yaml"),
        tmp.path().join("c.yaml"),
    )
    .unwrap();
    let inputs: Vec<Input> = ["a.yaml", "b.yaml", "c.yaml"]
        .iter()
        .map(|f| Input::File(tmp.path().join(f)))
        .collect();
    let result = engine(set).scan(&inputs);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let got: Vec<(String, Severity, String, u32, String)> = result
        .findings
        .iter()
        .map(|f| {
            (
                f.check.to_string(),
                f.severity,
                format!(
                    "{}:{}",
                    Path::new(&*f.file).file_name().unwrap().to_string_lossy(),
                    f.object.name
                ),
                f.line,
                f.message.clone(),
            )
        })
        .collect();
    let want = vec![
        (
            "replicalimit-policy.example.com".to_string(),
            Severity::High,
            "b.yaml:web".to_string(),
            1,
            "object.spec.replicas must be no greater than 3".to_string(),
        ),
        (
            "require-cost-center".to_string(),
            Severity::Medium,
            "b.yaml:api".to_string(),
            11,
            "Deployment api has no cost-center label".to_string(),
        ),
        (
            "images-from-our-registry".to_string(),
            Severity::High,
            "c.yaml:web".to_string(),
            1,
            "images must come from registry.example.com: nginx:1, docker.io/redis".to_string(),
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn load_problems_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.yaml");
    std::fs::write(
        &p,
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: lonely\nspec:\n  validations:\n  - expression: \"true\"\n\
---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: asks\nspec:\n  validations:\n  - expression: \"authorizer.group('').resource('pods').check('get').allowed()\"\n\
---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: broken\nspec:\n  validations:\n  - expression: \"object.(\"\n\
---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: orphan\nspec:\n  policyName: nowhere\n  validationActions: [Deny]\n",
    )
    .unwrap();
    let (set, errors) = PolicySet::load(std::slice::from_ref(&p));
    assert!(set.is_empty());
    let f = p.display().to_string();
    let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 4, "{msgs:#?}");
    assert_eq!(
        msgs[0],
        format!(
            "{f}:9: ValidatingAdmissionPolicy asks: expression `authorizer.group('').resource('pods').check('get').allowed()` uses `authorizer`, which is not supported offline (no API server to ask)"
        )
    );
    assert!(
        msgs[1].starts_with(&format!(
            "{f}:17: ValidatingAdmissionPolicy broken: expression `object.(` does not compile:"
        )),
        "{}",
        msgs[1]
    );
    assert_eq!(
        msgs[2],
        format!(
            "{f}:25: ValidatingAdmissionPolicyBinding orphan refers to policy nowhere, which is not loaded"
        )
    );
    assert_eq!(
        msgs[3],
        format!(
            "{f}:1: warning: ValidatingAdmissionPolicy lonely has no ValidatingAdmissionPolicyBinding, so it checks nothing (as in the API server)"
        )
    );
    assert_eq!(errors[3].to_load_error().level, Level::Warning);
    assert_eq!(errors[0].to_load_error().level, Level::Error);
}

#[test]
fn audit_annotations_and_actions_are_returned() {
    let (set, errors) = PolicySet::load(&[fixtures().join("labels/policy.yaml")]);
    assert!(errors.is_empty(), "{errors:?}");
    let object = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"}, "spec": {"replicas": 3}});
    let outcomes = set.evaluate_vaps(&object, None, |_| true);
    assert_eq!(outcomes.len(), 1);
    let (b, o) = &outcomes[0];
    let binding = &set.bindings()[*b].1;
    assert_eq!(binding.name, "require-cost-center");
    assert_eq!(
        binding.actions,
        [stockade_policy::vap::ValidationAction::Warn]
    );
    assert_eq!(
        o.audit_annotations,
        [(
            "require-cost-center/replicas".to_string(),
            "replicas: 3".to_string()
        )]
    );
    assert_eq!(o.violations.len(), 1);
    assert_eq!(o.violations[0].reason, "Forbidden");
    // No comprehension runs: nothing is charged.
    assert_eq!(o.cost, 0);
}

#[test]
fn unknown_variables_are_rejected_when_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.yaml");
    let policy = |name: &str, variables: &str, expression: &str| {
        format!(
            "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: {name}\nspec:\n  variables: {variables}\n  validations:\n  - expression: \"{expression}\"\n---\n"
        )
    };
    let text = [
        // A typo for `object`.
        policy("typo", "[]", "obj.spec.replicas < 5"),
        // A variable read before it is declared.
        policy(
            "order",
            "[{name: a, expression: 'variables.b + 1'}, {name: b, expression: '1'}]",
            "variables.a > 0",
        ),
        // A variable never declared.
        policy("missing", "[{name: a, expression: '1'}]", "variables.nope > 0"),
        // Comprehension variables, type names and earlier variables are fine.
        policy(
            "fine",
            "[{name: cs, expression: 'object.spec.containers'}, {name: count, expression: 'size(variables.cs)'}]",
            "variables.cs.all(c, type(c.name) == string && [1].exists(x, x == 1)) && variables.count > 0",
        ),
    ]
    .concat();
    std::fs::write(&p, text).unwrap();
    let (set, errors) = PolicySet::load(std::slice::from_ref(&p));
    let f = p.display().to_string();
    let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        msgs[..3],
        [
            format!(
                "{f}:1: ValidatingAdmissionPolicy typo: expression `obj.spec.replicas < 5` names the unknown variable `obj` (known: object, oldObject, params, namespaceObject, request, variables, authorizer)"
            ),
            format!(
                "{f}:10: ValidatingAdmissionPolicy order: variable `variables.b + 1` reads `variables.b`, which is not declared before it"
            ),
            format!(
                "{f}:19: ValidatingAdmissionPolicy missing: expression `variables.nope > 0` reads `variables.nope`, which is not declared in spec.variables"
            ),
        ]
    );
    // The fourth policy loads (it only lacks a binding).
    assert_eq!(set.vaps().len(), 1, "{msgs:#?}");
    assert_eq!(set.vaps()[0].name, "fine");
}

/// A call to a function the environment does not have is rejected when the policy loads,
/// in every field that holds CEL, naming file, line, field, expression and function; the
/// Kubernetes libraries, the crate's own functions and the macros load.
#[test]
fn unknown_functions_are_rejected_when_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.yaml");
    let policy = |name: &str, spec: &str| {
        format!(
            "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: {name}\nspec:\n{spec}---\n"
        )
    };
    let ok = "  validations:\n  - expression: \"true\"\n";
    let text = [
        policy(
            "typo",
            "  validations:\n  - expression: \"object.metadata.name.startWith('web')\"\n",
        ),
        policy(
            "message",
            "  validations:\n  - expression: \"true\"\n    messageExpression: \"has_key(object.metadata, 'x') ? 'a' : 'b'\"\n",
        ),
        policy(
            "condition",
            &format!("  matchConditions:\n  - name: c\n    expression: \"startsWith(object.metadata.name, 'a')\"\n{ok}"),
        ),
        policy(
            "variable",
            &format!("  variables:\n  - name: q\n    expression: \"quantity('1', '2')\"\n{ok}"),
        ),
        policy(
            "audit",
            "  auditAnnotations:\n  - key: k\n    valueExpression: \"format.dns1123label().validate('a').hasValue() ? 'x' : null\"\n",
        ),
        policy(
            "fine",
            "  variables:\n  - name: names\n    expression: \"object.spec.containers.map(c, c.name)\"\n  validations:\n  \
             - expression: \"variables.names.all(n, !format.dns1123Label().validate(n).hasValue()) && \
             semver('1.2.3').isLessThan(semver('v2', true)) && sets.contains(['a'], ['a']) && \
             quantity('1Gi').isGreaterThan(quantity('1Mi')) && 'a-b'.split('-').size() == 2\"\n",
        ),
    ]
    .concat();
    std::fs::write(&p, text).unwrap();
    let (set, errors) = PolicySet::load(std::slice::from_ref(&p));
    let f = p.display().to_string();
    let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        msgs[..5],
        [
            format!(
                "{f}:1: ValidatingAdmissionPolicy typo: expression `object.metadata.name.startWith('web')` calls the unknown method `startWith`"
            ),
            format!(
                "{f}:9: ValidatingAdmissionPolicy message: messageExpression `has_key(object.metadata, 'x') ? 'a' : 'b'` calls the unknown function `has_key`"
            ),
            format!(
                "{f}:18: ValidatingAdmissionPolicy condition: matchCondition `startsWith(object.metadata.name, 'a')` calls `startsWith` as a function; it is a method: write `x.startsWith(...)`"
            ),
            format!(
                "{f}:29: ValidatingAdmissionPolicy variable: variable `quantity('1', '2')` calls `quantity()` with 2 arguments; it takes 1"
            ),
            format!(
                "{f}:40: ValidatingAdmissionPolicy audit: auditAnnotation `format.dns1123label().validate('a').hasValue() ? 'x' : null` calls the unknown function `format.dns1123label`"
            ),
        ]
    );
    assert_eq!(set.vaps().len(), 1, "{msgs:#?}");
    assert_eq!(set.vaps()[0].name, "fine");
}

/// A ConstraintTemplate's K8sNativeValidation CEL is checked the same way when it loads
/// (Gatekeeper's `variables.params` and `variables.anyObject` are known), even though
/// Stockade runs its Rego.
#[test]
fn gatekeeper_cel_is_checked_when_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.yaml");
    let template = |name: &str, kind: &str, expression: &str| {
        format!(
            "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: {name}\nspec:\n  crd:\n    spec:\n      names:\n        kind: {kind}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n    - engine: K8sNativeValidation\n      source:\n        variables:\n        - name: labels\n          expression: \"has(variables.anyObject.metadata.labels) ? variables.anyObject.metadata.labels : {{}}\"\n        validations:\n        - expression: \"{expression}\"\n    rego: |\n      package {name}\n      violation[{{\"msg\": \"x\"}}] {{ false }}\n---\n"
        )
    };
    std::fs::write(
        &p,
        [
            template(
                "bad",
                "Bad",
                "variables.params.keys.all(k, k in variables.labels.keyz())",
            ),
            template(
                "good",
                "Good",
                "variables.params.keys.all(k, k in variables.labels)",
            ),
        ]
        .concat(),
    )
    .unwrap();
    let (set, errors) = PolicySet::load(std::slice::from_ref(&p));
    let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        msgs,
        [format!(
            "{}:1: ConstraintTemplate bad (K8sNativeValidation): expression `variables.params.keys.all(k, k in variables.labels.keyz())` calls the unknown method `keyz`",
            p.display()
        )]
    );
    assert_eq!(set.templates().len(), 1);
}

/// A cost limit is said as a warning naming the policy and expression: the policy's
/// failurePolicy already decided what it means (a violation under Fail, nothing under Ignore,
/// as the API server does), so it is not an error the object could not be evaluated by.
#[test]
fn a_cost_limit_is_a_warning_and_the_failure_policy_decides() {
    let policy = std::fs::read_to_string(fixtures().join("cost/policy.yaml")).unwrap();
    for (failure_policy, findings) in [("Fail", 2), ("Ignore", 1)] {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("policy.yaml");
        std::fs::write(
            &p,
            policy.replacen(
                "spec:\n  matchConstraints:",
                &format!("spec:\n  failurePolicy: {failure_policy}\n  matchConstraints:"),
                1,
            ),
        )
        .unwrap();
        let (set, errors) = PolicySet::load(std::slice::from_ref(&p));
        assert!(errors.is_empty(), "{errors:?}");
        let object = tmp.path().join("cm.yaml");
        std::fs::write(
            &object,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: forbidden\n",
        )
        .unwrap();
        let result = engine(set).scan(&[Input::File(object)]);
        let levels: Vec<(Level, &str)> = result
            .errors
            .iter()
            .map(|e| (e.level, e.message.as_str()))
            .collect();
        assert_eq!(levels.len(), 1, "{failure_policy}: {levels:?}");
        assert_eq!(levels[0].0, Level::Warning, "{failure_policy}: {levels:?}");
        assert!(
            levels[0]
                .1
                .contains("ValidatingAdmissionPolicy runaway: expression")
                && levels[0].1.contains("cost limit"),
            "{failure_policy}: {levels:?}"
        );
        // Under Fail the failed expression is a violation beside the other one; under
        // Ignore only the other one is.
        assert_eq!(
            result.findings.len(),
            findings,
            "{failure_policy}: {:?}",
            result.findings
        );
    }
}
