//! The pure evaluation: AdmissionReview in, the exact response out.

use serde_json::{Value, json};
use stockade_admission::config::parse_config;
use stockade_admission::{Policy, ReviewError, Verdict, Webhook, review_bytes};

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn policy(yaml: &str) -> Policy {
    Policy::new(&parse_config(yaml).unwrap()).unwrap()
}

fn run(policy: &Policy, webhook: Webhook, review: &Value) -> (Value, Verdict) {
    let o = review_bytes(policy, webhook, &serde_json::to_vec(review).unwrap()).unwrap();
    (o.response, o.verdict)
}

/// Only the checks named, so responses stay short enough to assert whole.
const FEW: &str = "checks:\n  select: [STK001, STK002, STK301]\n";

const DENIAL: &str = "stockade denied Deployment \"web\": 1 violation:\n- [STK001 privileged-container] spec.template.spec.containers[0].securityContext.privileged: container \"app\" runs privileged";

#[test]
fn enforce_denies_warn_warns_audit_annotates() {
    let p = policy(&format!(
        "{FEW}modes:\n  enforce: [STK001]\n  audit: [resources]\n"
    ));
    let (resp, verdict) = run(&p, Webhook::Validate, &fixture("deployment-create.json"));
    assert_eq!(verdict, Verdict::Deny);
    assert_eq!(
        resp,
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
                "allowed": false,
                "status": {"code": 403, "reason": "Forbidden", "message": DENIAL},
                "warnings": [
                    "[STK002 privilege-escalation-allowed] spec.template.spec.containers[0]: container \"app\" does not set allowPrivilegeEscalation: false (escalation is allowed by default)"
                ],
                "auditAnnotations": {
                    "stk301": "spec.template.spec.containers[0]: container \"app\" has no CPU request"
                }
            }
        })
    );
}

#[test]
fn severity_threshold_enforces_and_v1beta1_is_echoed() {
    let p = policy(&format!(
        "{FEW}modes:\n  enforce-at: critical\n  off: [STK002, STK301]\n"
    ));
    let mut r = fixture("deployment-create.json");
    r["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (resp, verdict) = run(&p, Webhook::Validate, &r);
    assert_eq!(verdict, Verdict::Deny);
    assert_eq!(
        resp,
        json!({
            "apiVersion": "admission.k8s.io/v1beta1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
                "allowed": false,
                "status": {"code": 403, "reason": "Forbidden", "message": DENIAL}
            }
        })
    );
}

#[test]
fn a_hardened_pod_is_admitted_silently_by_the_default_policy() {
    let (resp, verdict) = run(
        &Policy::default_policy(),
        Webhook::Validate,
        &fixture("hardened-pod.json"),
    );
    assert_eq!(verdict, Verdict::Allow);
    // No warning reaches kubectl; the audit log records which cross-object checks (those that
    // would have looked at a pod: missing ConfigMaps, Secrets, service accounts, pull
    // secrets, network policy coverage...) one request could not answer.
    assert_eq!(
        resp,
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "3f1c7a52-0b7e-4d0e-9a43-1e2f9c1a0b11",
                "allowed": true,
                "auditAnnotations": {
                    "checks-not-evaluated": "STK206,STK207,STK604,STK605,STK743,STK744,STK745,STK746,STK747,STK749,STK854,STK855"
                }
            }
        })
    );
}

#[test]
fn pod_security_by_namespace_labels_from_config_and_namespace_object() {
    let p = policy(&format!(
        "{FEW}modes:\n  off: [all]\nnamespaces:\n  apps:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n"
    ));
    let (resp, verdict) = run(&p, Webhook::Validate, &fixture("deployment-create.json"));
    assert_eq!(verdict, Verdict::Deny);
    assert_eq!(
        resp["response"],
        json!({
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "allowed": false,
            "status": {"code": 403, "reason": "Forbidden", "message":
                "stockade denied Deployment \"web\": 1 violation:\n- [PSS baseline:latest privileged] spec.template.spec.containers[0].securityContext.privileged: privileged (container \"app\" must not set securityContext.privileged=true)"}
        })
    );

    // The request's namespace object wins over the configured labels.
    let mut r = fixture("deployment-create.json");
    r["request"]["namespaceObject"] = json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "apps", "labels": {"pod-security.kubernetes.io/audit": "baseline"}}});
    let (resp, verdict) = run(&p, Webhook::Validate, &r);
    assert_eq!(verdict, Verdict::Warn);
    assert_eq!(
        resp["response"],
        json!({
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "allowed": true,
            "auditAnnotations": {"pod-security-audit-violations":
                "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)"}
        })
    );
}

#[test]
fn workloads_are_only_warned_when_enforce_workloads_is_off() {
    let p = policy(&format!(
        "{FEW}modes:\n  off: [all]\npod-security:\n  enforce-workloads: false\n  defaults: {{enforce: baseline, warn: baseline}}\n"
    ));
    let (resp, verdict) = run(&p, Webhook::Validate, &fixture("deployment-create.json"));
    assert_eq!(verdict, Verdict::Warn);
    assert_eq!(
        resp["response"]["warnings"],
        json!([
            "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)"
        ])
    );
}

fn skipped(p: &Policy, r: &Value, reason: &str) -> Value {
    let o = review_bytes(p, Webhook::Validate, &serde_json::to_vec(r).unwrap()).unwrap();
    assert_eq!(o.verdict, Verdict::Skip, "{}", o.response);
    assert_eq!(o.reason.as_deref(), Some(reason));
    o.response["response"].clone()
}

#[test]
fn deletes_connects_and_subresources_are_admitted_unevaluated() {
    let p = policy(&format!("{FEW}modes:\n  enforce: [all]\n"));
    let mut r = fixture("deployment-create.json");
    r["request"]["operation"] = json!("DELETE");
    r["request"]["oldObject"] = r["request"]["object"].take();
    let ok = json!({"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true});
    assert_eq!(skipped(&p, &r, "operation DELETE"), ok);
    r["request"]["operation"] = json!("CONNECT");
    assert_eq!(skipped(&p, &r, "operation CONNECT"), ok);

    let mut r = fixture("deployment-create.json");
    r["request"]["subResource"] = json!("status");
    r["request"]["operation"] = json!("UPDATE");
    assert_eq!(skipped(&p, &r, "subresource status"), ok);
    // Asked for: evaluated.
    let p2 = policy(&format!(
        "{FEW}modes:\n  enforce: [all]\nsubresources: [status]\n"
    ));
    assert_eq!(run(&p2, Webhook::Validate, &r).1, Verdict::Deny);
}

#[test]
fn exemptions_by_namespace_user_group_and_label() {
    let p = policy(&format!(
        "{FEW}modes:\n  enforce: [all]\nexemptions:\n  namespaces: [kube-system]\n  usernames: [admin]\n  groups: [devs]\n  labels: {{stockade.dev/exempt: \"true\"}}\n  namespace-labels: {{tier: system}}\nnamespaces:\n  infra: {{tier: system}}\n"
    ));
    let exempt = |why: &str| {
        json!({"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true,
            "auditAnnotations": {"exempt": why}})
    };
    let base = {
        let mut r = fixture("deployment-create.json");
        r["request"]["userInfo"]["groups"] = json!(["system:authenticated"]);
        r
    };
    assert_eq!(run(&p, Webhook::Validate, &base).1, Verdict::Deny);

    let mut r = base.clone();
    r["request"]["namespace"] = json!("kube-system");
    assert_eq!(
        skipped(&p, &r, "exempt: namespace kube-system"),
        exempt("namespace kube-system")
    );
    let mut r = base.clone();
    r["request"]["userInfo"]["username"] = json!("admin");
    assert_eq!(skipped(&p, &r, "exempt: user admin"), exempt("user admin"));
    assert_eq!(
        skipped(&p, &fixture("deployment-create.json"), "exempt: group devs"),
        exempt("group devs")
    );
    let mut r = base.clone();
    r["request"]["object"]["metadata"]["labels"]["stockade.dev/exempt"] = json!("true");
    assert_eq!(
        skipped(&p, &r, "exempt: label stockade.dev/exempt=true"),
        exempt("label stockade.dev/exempt=true")
    );
    let mut r = base.clone();
    r["request"]["namespace"] = json!("infra");
    assert_eq!(
        skipped(&p, &r, "exempt: namespace label tier=system"),
        exempt("namespace label tier=system")
    );
}

#[test]
fn updates_that_keep_the_pod_template_are_not_rejudged() {
    let p = policy(&format!("{FEW}modes:\n  enforce: [all]\n"));
    let mut r = fixture("deployment-create.json");
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["oldObject"] = r["request"]["object"].clone();
    r["request"]["object"]["spec"]["replicas"] = json!(5);
    r["request"]["object"]["metadata"]["resourceVersion"] = json!("42");
    assert_eq!(
        skipped(&p, &r, "update leaves the pod template unchanged"),
        json!({"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true})
    );
    // A changed template is judged again.
    r["request"]["object"]["spec"]["template"]["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"});
    assert_eq!(run(&p, Webhook::Validate, &r).1, Verdict::Deny);
    // Objects without a pod template: everything but metadata and status.
    let svc = |port: u16, rv: &str| {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "resourceVersion": rv},
            "spec": {"type": "NodePort", "ports": [{"port": port}]}, "status": {}})
    };
    let p = policy("checks:\n  select: [STK601]\nmodes:\n  enforce: [all]\n");
    let mut r = fixture("deployment-create.json");
    r["request"]["operation"] = json!("UPDATE");
    r["request"]["kind"] = json!({"group": "", "version": "v1", "kind": "Service"});
    r["request"]["object"] = svc(80, "2");
    r["request"]["oldObject"] = svc(80, "1");
    skipped(&p, &r, "update leaves the pod template unchanged");
    r["request"]["object"] = svc(81, "2");
    assert_eq!(run(&p, Webhook::Validate, &r).1, Verdict::Deny);
}

#[test]
fn dry_runs_get_the_same_answer_and_are_marked() {
    let p = policy(&format!("{FEW}modes:\n  enforce: [STK001]\n"));
    let mut r = fixture("deployment-create.json");
    let wet = review_bytes(&p, Webhook::Validate, &serde_json::to_vec(&r).unwrap()).unwrap();
    r["request"]["dryRun"] = json!(true);
    let dry = review_bytes(&p, Webhook::Validate, &serde_json::to_vec(&r).unwrap()).unwrap();
    assert_eq!(dry.response, wet.response);
    assert!(dry.dry_run && !wet.dry_run);
}

#[test]
fn malformed_requests_are_errors_never_panics() {
    let p = Policy::default_policy();
    let err = |body: &[u8]| review_bytes(&p, Webhook::Validate, body).unwrap_err();
    assert!(matches!(err(b"{not json"), ReviewError::Malformed(_)));
    assert!(matches!(err(b""), ReviewError::Malformed(_)));
    assert_eq!(
        err(br#"{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview"}"#),
        ReviewError::Unsupported("apiVersion \"admission.k8s.io/v2\"".into())
    );
    assert_eq!(
        err(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#),
        ReviewError::NoRequest
    );
    assert_eq!(
        err(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}"#),
        ReviewError::NoRequest
    );
    // A request without its object is answered with an error status, echoing the uid.
    let o = review_bytes(
        &p,
        Webhook::Validate,
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE","object":"x"}}"#,
    )
    .unwrap();
    assert_eq!(o.verdict, Verdict::Error);
    assert_eq!(
        o.response["response"],
        json!({"uid": "u1", "allowed": false,
            "status": {"code": 400, "message": "request.object is missing for CREATE"}})
    );
}

const MUTATE_ALL: &str = "mutate:\n  seccomp-runtime-default: true\n  disallow-privilege-escalation: true\n  drop-all-capabilities: true\n  run-as-non-root: true\n  read-only-root-filesystem: true\n  disable-service-account-token: true\n  default-resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n";

fn decode_patch(resp: &Value) -> json_patch::Patch {
    use base64::Engine as _;
    assert_eq!(resp["response"]["patchType"], "JSONPatch");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(resp["response"]["patch"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn mutate_patches_then_the_patched_object_needs_nothing() {
    let p = policy(MUTATE_ALL);
    let mut r = fixture("deployment-create.json");
    r["request"]["object"]["spec"]["template"]["spec"]["containers"][0]["securityContext"] =
        json!({});
    let (resp, verdict) = run(&p, Webhook::Mutate, &r);
    assert_eq!(verdict, Verdict::Patch);
    let patch = decode_patch(&resp);
    let mut obj = r["request"]["object"].clone();
    json_patch::patch(&mut obj, &patch).unwrap();
    assert_eq!(
        obj["spec"]["template"]["spec"],
        json!({
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}, "runAsNonRoot": true},
            "automountServiceAccountToken": false,
            "containers": [{
                "name": "app",
                "image": "registry.example.com/web:1.4.2",
                "ports": [{"containerPort": 8080}],
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true},
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
            }]
        })
    );
    r["request"]["object"] = obj;
    let (resp, verdict) = run(&p, Webhook::Mutate, &r);
    assert_eq!(verdict, Verdict::Allow);
    assert_eq!(
        resp["response"],
        json!({"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true})
    );
}

#[test]
fn mutate_without_configuration_admits_unchanged() {
    let (resp, verdict) = run(
        &Policy::default_policy(),
        Webhook::Mutate,
        &fixture("deployment-create.json"),
    );
    assert_eq!(verdict, Verdict::Skip);
    assert_eq!(
        resp["response"],
        json!({"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true})
    );
}

/// A ValidatingAdmissionPolicy and its binding, loaded from `checks.policies` relative to the
/// configuration file, decide at admission like a built-in check (one engine).
#[test]
fn custom_policies_from_the_configuration_run_at_admission() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("team-label.yaml"),
        r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-team-label
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    messageExpression: "'Deployment ' + object.metadata.name + ' has no team label'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: require-team-label
spec:
  policyName: require-team-label
  validationActions: [Deny]
"#,
    )
    .unwrap();
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        "checks:\n  select: [STK301]\n  policies: [team-label.yaml]\nmodes:\n  default: warn\n  enforce-at: high\n",
    )
    .unwrap();
    let p = stockade_admission::load_policy(Some(&config)).unwrap();
    let review = fixture("deployment-create.json");
    let (resp, verdict) = run(&p, Webhook::Validate, &review);
    assert_eq!(verdict, Verdict::Deny, "{resp}");
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("[require-team-label require-team-label]")
            && message.contains("Deployment web has no team label"),
        "{message}"
    );
    // The built-in check in the same response is a warning.
    assert!(
        resp["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("[STK301 "),
        "{resp}"
    );

    // With the label: admitted (the built-in warning stays).
    let mut labelled = review.clone();
    labelled["request"]["object"]["metadata"]["labels"]["team"] = json!("shop");
    let (resp, verdict) = run(&p, Webhook::Validate, &labelled);
    assert_eq!(verdict, Verdict::Warn, "{resp}");
    assert_eq!(resp["response"]["allowed"], json!(true));

    // A policy file that does not load rejects the configuration, naming file and problem.
    std::fs::write(dir.path().join("team-label.yaml"), "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: broken}\nspec:\n  validations:\n  - expression: \"object.(\"\n").unwrap();
    let err = stockade_admission::load_policy(Some(&config))
        .unwrap_err()
        .to_string();
    assert!(err.contains("team-label.yaml"), "{err}");
}

/// A custom policy listed by its check ID in a `modes` list takes that mode, whatever its
/// binding's validationActions (or a constraint's enforcementAction) and `enforce-at` say,
/// through the same per-check mode lists as the built-in checks.
#[test]
fn custom_policies_take_the_mode_their_name_is_listed_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("team-label.yaml"),
        r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-team-label
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    messageExpression: "'Deployment ' + object.metadata.name + ' has no team label'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: require-team-label
spec:
  policyName: require-team-label
  validationActions: [Audit]
"#,
    )
    .unwrap();
    let review = fixture("deployment-create.json");
    let config = dir.path().join("serve.yaml");
    let with = |modes: &str| {
        std::fs::write(
            &config,
            format!("checks:\n  select: []\n  policies: [team-label.yaml]\nmodes:\n{modes}"),
        )
        .unwrap();
        stockade_admission::load_policy(Some(&config))
    };
    let verdict = |modes: &str| {
        let p = with(modes).unwrap();
        run(&p, Webhook::Validate, &review)
    };

    // Unlisted, the binding's Audit is low: below enforce-at, so the default (warn) applies.
    let (resp, v) = verdict("  default: warn\n  enforce-at: high\n");
    assert_eq!(v, Verdict::Warn, "{resp}");
    // Listed in `enforce`, it denies although its binding only audits.
    let (resp, v) = verdict("  default: warn\n  enforce: [require-team-label]\n");
    assert_eq!(v, Verdict::Deny, "{resp}");
    assert!(
        resp["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("[require-team-label require-team-label] : Deployment web has no team label"),
        "{resp}"
    );
    // Listed in `audit`, it only annotates (admitted, as with warnings), although enforce-at
    // would deny everything.
    let (resp, v) = verdict("  enforce-at: low\n  audit: [require-team-label]\n");
    assert_eq!(v, Verdict::Warn, "{resp}");
    assert_eq!(resp["response"]["allowed"], json!(true));
    assert!(resp["response"].get("warnings").is_none(), "{resp}");
    assert_eq!(
        resp["response"]["auditAnnotations"]["require-team-label"],
        json!(": Deployment web has no team label"),
        "{resp}"
    );
    // Listed in `off`, it is silent.
    let (resp, v) = verdict("  default: enforce\n  off: [require-team-label]\n");
    assert_eq!(v, Verdict::Allow, "{resp}");
    assert!(resp["response"].get("warnings").is_none(), "{resp}");

    // Placed twice, or a name no check or policy has: the configuration is refused.
    let err = with("  warn: [require-team-label]\n  off: [require-team-label]\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("modes: require-team-label is placed in both `warn` and `off`"),
        "{err}"
    );
    let err = with("  warn: [require-team-labels]\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown check, category or policy `require-team-labels`"),
        "{err}"
    );

    // `checks.ignore` names it like a built-in check: its findings are dropped.
    std::fs::write(
        &config,
        "checks:\n  select: []\n  ignore: [require-team-label]\n  policies: [team-label.yaml]\nmodes:\n  default: enforce\n",
    )
    .unwrap();
    let p = stockade_admission::load_policy(Some(&config)).unwrap();
    let (resp, v) = run(&p, Webhook::Validate, &review);
    assert_eq!(v, Verdict::Allow, "{resp}");
}

/// A Gatekeeper constraint whose Rego fails on the object is judged in the constraint's mode:
/// with `enforce-at: high`, a `deny` constraint's error denies the object (its verdict may
/// have been a denial), a `dryrun` one's is only a warning.
#[test]
fn a_constraint_that_fails_is_judged_in_its_own_mode() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("conflict.yaml"),
        stockade_testdata::FAILING_TEMPLATE.to_string()
            + r#"---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sConflict
metadata:
  name: enforced
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sConflict
metadata:
  name: trial
spec:
  enforcementAction: dryrun
"#,
    )
    .unwrap();
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        "checks:\n  select: []\n  policies: [conflict.yaml]\nmodes:\n  default: warn\n  enforce-at: high\n",
    )
    .unwrap();
    let p = stockade_admission::load_policy(Some(&config)).unwrap();
    let (resp, verdict) = run(&p, Webhook::Validate, &fixture("deployment-create.json"));
    assert_eq!(verdict, Verdict::Deny, "{resp}");
    let message = resp["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("1 violation:")
            && message.contains(
                "stockade could not evaluate the object fully: Deployment web: constraint \
                 K8sConflict/enforced: "
            ),
        "{message}"
    );
    let warnings = resp["response"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .contains("constraint K8sConflict/trial: "),
        "{warnings:?}"
    );
}
