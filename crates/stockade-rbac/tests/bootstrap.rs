//! The Kubernetes bootstrap policy (../shared/conformance/rbac-bootstrap-policy): the default
//! roles and bindings the API server creates, evaluated as the API server would.

use std::path::PathBuf;

use stockade_rbac::{Goal, Policy, Principal, Request, RoleKind, Subject};

fn dir() -> Option<PathBuf> {
    stockade_testdata::shared("conformance/rbac-bootstrap-policy/testdata")
}

/// The bootstrap roles and bindings plus `extra` (a manifest).
fn bootstrap(extra: &str) -> Option<Policy> {
    let dir = dir()?;
    let mut objects = Vec::new();
    for f in [
        "cluster-roles.yaml",
        "cluster-role-bindings.yaml",
        "namespace-roles.yaml",
        "namespace-role-bindings.yaml",
        "controller-roles-featuregates.yaml",
        "controller-role-bindings.yaml",
    ] {
        let bytes = std::fs::read(dir.join(f)).unwrap();
        let loaded = stockade_model::load(f, &bytes);
        assert!(loaded.errors.is_empty(), "{f}: {:?}", loaded.errors);
        objects.extend(loaded.objects);
    }
    let loaded = stockade_model::load("extra.yaml", extra.as_bytes());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    objects.extend(loaded.objects);
    Some(Policy::from_objects(&objects))
}

const TEAM: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admins, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: ci}]
";

fn who(p: &Policy, r: &Request) -> Vec<String> {
    let mut v: Vec<String> = p
        .who_can(r)
        .iter()
        .map(|g| {
            let b = &p.bindings[g.binding];
            format!("{} via {}", b.subjects[g.subject].subject, b.display())
        })
        .collect();
    v.dedup();
    v
}

#[test]
fn admin_edit_view_are_aggregated_from_the_aggregate_to_roles() {
    let Some(p) = bootstrap("") else { return };
    let size = |n: &str| {
        p.role(RoleKind::ClusterRole, None, n)
            .unwrap()
            .effective
            .len()
    };
    let declared = |n: &str| {
        p.role(RoleKind::ClusterRole, None, n)
            .unwrap()
            .declared
            .len()
    };
    // Written with `rules: null`; filled only by aggregation.
    assert_eq!(declared("admin"), 0);
    // view = aggregate-to-view; edit = aggregate-to-edit + view; admin = aggregate-to-admin + edit.
    assert_eq!(size("view"), declared("system:aggregate-to-view"));
    assert!(size("edit") > size("view"));
    assert!(size("admin") > size("edit"));
    let view_rules: Vec<_> = p
        .role(RoleKind::ClusterRole, None, "view")
        .unwrap()
        .effective
        .clone();
    let edit_rules = &p
        .role(RoleKind::ClusterRole, None, "edit")
        .unwrap()
        .effective;
    let admin_rules = &p
        .role(RoleKind::ClusterRole, None, "admin")
        .unwrap()
        .effective;
    assert!(view_rules.iter().all(|r| edit_rules.contains(r)));
    assert!(edit_rules.iter().all(|r| admin_rules.contains(r)));
    assert_eq!(
        (size("view"), size("edit"), size("admin")),
        (
            declared("system:aggregate-to-view"),
            declared("system:aggregate-to-view") + declared("system:aggregate-to-edit"),
            declared("system:aggregate-to-view")
                + declared("system:aggregate-to-edit")
                + declared("system:aggregate-to-admin"),
        ),
        "no rule of the aggregate-to roles is duplicated in another"
    );
}

#[test]
fn who_can_get_secrets_where_admin_and_view_are_bound() {
    let Some(p) = bootstrap(TEAM) else { return };
    let r = Request::parse("get", "secrets", Some("team"), None).unwrap();
    let got = who(&p, &r);
    // Namespace bindings: admin and edit read secrets, view does not; cluster-wide: only
    // cluster-admin (system:masters) and the controllers that need it.
    assert!(got.contains(&"User alice via RoleBinding team/admins".to_string()));
    assert!(got.contains(&"ServiceAccount team/ci via RoleBinding team/editors".to_string()));
    assert!(!got.iter().any(|s| s.contains("bob")), "{got:?}");
    assert!(got.contains(&"Group system:masters via ClusterRoleBinding cluster-admin".to_string()));
    let alice = Principal::parse("user:alice").unwrap();
    let bob = Principal::parse("user:bob").unwrap();
    assert!(p.authorize(&alice, &r).is_some());
    assert!(p.authorize(&bob, &r).is_none());
    // Nothing in `team` reaches another namespace.
    let other = Request::parse("get", "secrets", Some("other"), None).unwrap();
    assert!(p.authorize(&alice, &other).is_none());
}

#[test]
fn view_grants_no_secrets_at_all() {
    let Some(p) = bootstrap("") else { return };
    let view = p.role(RoleKind::ClusterRole, None, "view").unwrap();
    for verb in ["get", "list", "watch"] {
        let r = Request::parse(verb, "secrets", Some("x"), Some("s")).unwrap();
        assert!(
            !view
                .effective
                .iter()
                .any(|&i| stockade_rbac::rule_allows(&p.rules[i].rule, &r)),
            "view allows {verb} secrets"
        );
    }
    let pods = Request::parse("list", "pods", Some("x"), None).unwrap();
    assert!(
        view.effective
            .iter()
            .any(|&i| stockade_rbac::rule_allows(&p.rules[i].rule, &pods))
    );
}

#[test]
fn who_can_exec_into_pods() {
    let Some(p) = bootstrap(TEAM) else { return };
    let r = Request::parse("create", "pods/exec", Some("team"), None).unwrap();
    let got = who(&p, &r);
    assert_eq!(
        got,
        vec![
            "User alice via RoleBinding team/admins",
            "Group system:masters via ClusterRoleBinding cluster-admin",
            "ServiceAccount team/ci via RoleBinding team/editors",
        ]
    );
}

#[test]
fn system_masters_hold_cluster_admin() {
    let Some(p) = bootstrap("") else { return };
    let masters = Principal::parse("group:system:masters").unwrap();
    let g = p
        .cluster_admin_grant(&masters)
        .expect("system:masters is cluster-admin");
    assert_eq!(
        p.bindings[g.binding].display(),
        "ClusterRoleBinding cluster-admin"
    );
    for (verb, res) in [
        ("delete", "nodes"),
        ("escalate", "clusterroles"),
        ("get", "/metrics"),
    ] {
        let r = Request::parse(verb, res, None, None).unwrap();
        assert!(p.authorize(&masters, &r).is_some(), "{verb} {res}");
    }
    // Every authenticated user gets discovery and self-review, not more.
    let anyone = Principal::parse("user:someone").unwrap();
    assert!(
        p.authorize(
            &anyone,
            &Request::parse("get", "/version", None, None).unwrap()
        )
        .is_some()
    );
    assert!(
        p.authorize(
            &anyone,
            &Request::parse(
                "create",
                "selfsubjectaccessreviews.authorization.k8s.io",
                None,
                None
            )
            .unwrap()
        )
        .is_some()
    );
    assert!(
        p.authorize(
            &anyone,
            &Request::parse("list", "pods", Some("x"), None).unwrap()
        )
        .is_none()
    );
    // system:anonymous only sees public info.
    let anon = Principal::parse("user:system:anonymous").unwrap();
    assert!(
        p.authorize(
            &anon,
            &Request::parse("get", "/healthz", None, None).unwrap()
        )
        .is_some()
    );
    assert!(
        p.authorize(&anon, &Request::parse("get", "/api", None, None).unwrap())
            .is_none()
    );
}

#[test]
fn missing_roles_of_the_bootstrap_files_are_reported() {
    let Some(p) = bootstrap("") else { return };
    let missing: Vec<String> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == "missing-role")
        .map(|d| d.message.clone())
        .collect();
    // The controller files are not a matched pair (see SOURCES.md).
    assert_eq!(
        missing,
        vec![
            "ClusterRoleBinding system:controller:podcheckpoint-controller refers to ClusterRole system:controller:podcheckpoint-controller, which does not exist in the input; it grants nothing"
        ]
    );
}

#[test]
fn escalation_paths_in_the_bootstrap_policy() {
    let Some(p) = bootstrap(TEAM) else { return };
    let paths = p.escalation_paths(&Goal::ClusterAdmin);
    // Nobody of `team` reaches cluster-admin: alice can run pods as team's ServiceAccounts,
    // and none of those is bound to cluster-wide rights.
    assert!(
        !paths.iter().any(|x| x.start == Subject::user("alice")),
        "{paths:?}"
    );
    // Every path is as short as it can be and ends at cluster-admin.
    for w in paths.windows(2) {
        assert!(w[0].steps.len() <= w[1].steps.len());
    }
    assert!(
        paths
            .iter()
            .all(|x| x.steps.last().unwrap().to == "cluster-admin")
    );
}
