//! Invariants of the authorizer: adding a binding never removes a permission; removing a rule
//! never adds one.

use proptest::prelude::*;
use stockade_rbac::{Policy, Principal, Request};

const VERBS: &[&str] = &["get", "list", "create", "delete", "*"];
const RESOURCES: &[&str] = &[
    "pods",
    "secrets",
    "pods/exec",
    "*/scale",
    "*",
    "deployments",
];
const GROUPS: &[&str] = &["", "apps", "*"];
const SUBJECTS: &[&str] = &[
    "{kind: User, name: alice}",
    "{kind: Group, name: devs}",
    "{kind: ServiceAccount, name: bot}",
    "{kind: Group, name: 'system:authenticated'}",
];
const NAMESPACES: &[&str] = &["a", "b"];

#[derive(Debug, Clone)]
struct RuleSpec(usize, usize, usize, bool);
#[derive(Debug, Clone)]
struct BindingSpec {
    ns: Option<usize>,
    role: usize,
    subject: usize,
}

fn rule() -> impl Strategy<Value = RuleSpec> {
    (
        0..VERBS.len(),
        0..GROUPS.len(),
        0..RESOURCES.len(),
        any::<bool>(),
    )
        .prop_map(|(v, g, r, n)| RuleSpec(v, g, r, n))
}

fn binding(roles: usize) -> impl Strategy<Value = BindingSpec> {
    (
        proptest::option::of(0..NAMESPACES.len()),
        0..roles,
        0..SUBJECTS.len(),
    )
        .prop_map(|(ns, role, subject)| BindingSpec { ns, role, subject })
}

fn yaml(roles: &[Vec<RuleSpec>], bindings: &[BindingSpec]) -> String {
    let mut s = String::new();
    for (i, rules) in roles.iter().enumerate() {
        s.push_str(&format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r{i}}}\nrules:"
        ));
        if rules.is_empty() {
            s.push_str(" []");
        }
        s.push('\n');
        for RuleSpec(v, g, r, named) in rules {
            s.push_str(&format!(
                "- {{verbs: ['{}'], apiGroups: ['{}'], resources: ['{}']{}}}\n",
                VERBS[*v],
                GROUPS[*g],
                RESOURCES[*r],
                if *named { ", resourceNames: [x]" } else { "" }
            ));
        }
    }
    for (i, b) in bindings.iter().enumerate() {
        let (kind, ns) = match b.ns {
            Some(n) => ("RoleBinding", format!(", namespace: {}", NAMESPACES[n])),
            None => ("ClusterRoleBinding", String::new()),
        };
        let subject = SUBJECTS[b.subject].replace(
            "name: bot}",
            if b.ns.is_none() {
                "name: bot, namespace: a}"
            } else {
                "name: bot}"
            },
        );
        s.push_str(&format!(
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: b{i}{ns}}}\nroleRef: {{kind: ClusterRole, name: r{}}}\nsubjects: [{subject}]\n",
            b.role
        ));
    }
    s
}

fn policy(text: &str) -> Policy {
    let loaded = stockade_model::load("p.yaml", text.as_bytes());
    assert!(loaded.errors.is_empty(), "{:?}\n{text}", loaded.errors);
    Policy::from_objects(&loaded.objects)
}

/// Every (principal, request) pair the generated policies can speak about.
fn allowed(p: &Policy) -> Vec<bool> {
    let principals = [
        "user:alice",
        "group:devs",
        "system:serviceaccount:a:bot",
        "user:x",
    ]
    .map(|s| Principal::parse(s).unwrap());
    let mut out = Vec::new();
    for who in &principals {
        for verb in VERBS {
            for res in [
                "pods",
                "secrets",
                "pods/exec",
                "deployments.apps/scale",
                "deployments.apps",
            ] {
                for ns in [None, Some("a"), Some("b")] {
                    for name in [None, Some("x")] {
                        let r = Request::parse(verb, res, ns, name).unwrap();
                        out.push(p.authorize(who, &r).is_some());
                    }
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_a_binding_never_removes_a_permission(
        roles in proptest::collection::vec(proptest::collection::vec(rule(), 0..4), 1..4),
        seed in proptest::collection::vec(binding(4), 0..5),
        extra in binding(4),
    ) {
        let n = roles.len();
        let fix = |b: &BindingSpec| BindingSpec { role: b.role % n, ..b.clone() };
        let before: Vec<BindingSpec> = seed.iter().map(fix).collect();
        let mut after = before.clone();
        after.push(fix(&extra));
        let a = allowed(&policy(&yaml(&roles, &before)));
        let b = allowed(&policy(&yaml(&roles, &after)));
        for (x, y) in a.iter().zip(&b) {
            prop_assert!(!x || *y);
        }
    }

    #[test]
    fn removing_a_rule_never_adds_a_permission(
        roles in proptest::collection::vec(proptest::collection::vec(rule(), 1..4), 1..4),
        bindings in proptest::collection::vec(binding(4), 0..5),
        which in any::<prop::sample::Index>(),
    ) {
        let n = roles.len();
        let bindings: Vec<BindingSpec> = bindings.iter().map(|b| BindingSpec { role: b.role % n, ..b.clone() }).collect();
        let mut fewer = roles.clone();
        let r = which.index(n);
        let k = which.index(fewer[r].len());
        fewer[r].remove(k);
        let a = allowed(&policy(&yaml(&roles, &bindings)));
        let b = allowed(&policy(&yaml(&fewer, &bindings)));
        for (x, y) in a.iter().zip(&b) {
            prop_assert!(*x || !y);
        }
    }
}
