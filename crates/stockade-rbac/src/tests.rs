//! Unit tests derived from the RBAC authorizer's rules.

use super::*;

fn policy(yaml: &str) -> Policy {
    let loaded = stockade_model::load("t.yaml", yaml.as_bytes());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Policy::from_objects(&loaded.objects)
}

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
    PolicyRule {
        verbs: v(verbs),
        api_groups: v(groups),
        resources: v(resources),
        resource_names: v(names),
        non_resource_urls: vec![],
    }
}

fn req(verb: &str, resource: &str, ns: Option<&str>, name: Option<&str>) -> Request {
    Request::parse(verb, resource, ns, name).unwrap()
}

#[test]
fn wildcards_match_any_verb_group_and_resource() {
    let r = rule(&["*"], &["*"], &["*"], &[]);
    assert!(rule_allows(
        &r,
        &req("delete", "deployments.apps", None, None)
    ));
    assert!(rule_allows(
        &r,
        &req("create", "pods/exec", Some("a"), None)
    ));
    assert!(rule_allows(
        &r,
        &req("escalate", "clusterroles", None, None)
    ));
    let r = rule(&["get"], &[""], &["*"], &[]);
    assert!(rule_allows(&r, &req("get", "secrets", None, None)));
    assert!(
        !rule_allows(&r, &req("get", "deployments", None, None)),
        "group apps is not core"
    );
    assert!(!rule_allows(&r, &req("list", "secrets", None, None)));
}

#[test]
fn subresources_need_an_exact_or_star_slash_rule() {
    let exec = req("create", "pods/exec", None, None);
    assert!(rule_allows(
        &rule(&["create"], &[""], &["pods/exec"], &[]),
        &exec
    ));
    assert!(!rule_allows(
        &rule(&["create"], &[""], &["pods"], &[]),
        &exec
    ));
    // `pods/*` is not a wildcard for the API server.
    assert!(!rule_allows(
        &rule(&["create"], &[""], &["pods/*"], &[]),
        &exec
    ));
    let scale = rule(&["update"], &["apps"], &["*/scale"], &[]);
    assert!(rule_allows(
        &scale,
        &req("update", "deployments/scale", None, None)
    ));
    assert!(rule_allows(
        &scale,
        &req("update", "statefulsets/scale", None, None)
    ));
    assert!(!rule_allows(
        &scale,
        &req("update", "deployments", None, None)
    ));
    assert!(!rule_allows(
        &scale,
        &req("update", "deployments/status", None, None)
    ));
    assert!(!rule_allows(
        &rule(&["create"], &[""], &["*/exe"], &[]),
        &exec
    ));
    assert!(!rule_allows(
        &rule(&["create"], &[""], &["pods/execx"], &[]),
        &exec
    ));
}

#[test]
fn resource_names_restrict_to_named_requests() {
    let r = rule(&["get", "list"], &[""], &["secrets"], &["db"]);
    assert!(rule_allows(
        &r,
        &req("get", "secrets", Some("a"), Some("db"))
    ));
    assert!(!rule_allows(
        &r,
        &req("get", "secrets", Some("a"), Some("other"))
    ));
    assert!(
        !rule_allows(&r, &req("list", "secrets", Some("a"), None)),
        "no name never matches"
    );
}

#[test]
fn non_resource_urls_match_exactly_or_by_trailing_star_prefix() {
    let mut r = rule(&["get"], &[], &[], &[]);
    r.non_resource_urls = vec!["/healthz".into(), "/api/*".into(), "/logs**".into()];
    let get = |p: &str| Request::parse("get", p, None, None).unwrap();
    assert!(rule_allows(&r, &get("/healthz")));
    assert!(!rule_allows(&r, &get("/healthz/etcd")));
    assert!(rule_allows(&r, &get("/api/v1")));
    assert!(rule_allows(&r, &get("/api/")));
    assert!(!rule_allows(&r, &get("/api")));
    assert!(rule_allows(&r, &get("/logsanything")));
    assert!(!rule_allows(
        &rule(&["get"], &["*"], &["*"], &[]),
        &get("/healthz")
    ));
}

const AGG: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {agg/top: 'true'}
rules:
- {apiGroups: [''], resources: [nodes], verbs: [delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: middle, labels: {agg/top: 'true'}}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions:
    - {key: tier, operator: In, values: [low, lower]}
    - {key: off, operator: DoesNotExist}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leaf, labels: {tier: low}}
rules:
- {apiGroups: [''], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: excluded, labels: {tier: low, off: x}}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: also-top, labels: {agg/top: 'true'}}
rules:
- {apiGroups: [''], resources: [configmaps], verbs: [get]}
- {apiGroups: [''], resources: [pods], verbs: [list]}
";

#[test]
fn aggregation_is_transitive_deduplicated_and_replaces_written_rules() {
    let p = policy(AGG);
    let rules = |name: &str| -> Vec<(String, u32)> {
        p.role(RoleKind::ClusterRole, None, name)
            .unwrap()
            .effective
            .iter()
            .map(|&r| (p.rules[r].rule.resources.join(","), p.rules[r].loc.line))
            .collect()
    };
    assert_eq!(rules("middle"), vec![("configmaps".to_string(), 25)]);
    // Matched roles are read in name order (also-top before middle); the configmaps rule
    // middle took from leaf equals also-top's and is kept once; top's own rule is replaced.
    assert_eq!(
        rules("top"),
        vec![("configmaps".to_string(), 37), ("pods".to_string(), 38)]
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
}

#[test]
fn invalid_aggregation_selector_keeps_written_rules_and_is_reported() {
    let p = policy(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\naggregationRule:\n  clusterRoleSelectors:\n  - matchExpressions: [{key: a, operator: Exists, values: [b]}]\nrules:\n- {apiGroups: [''], resources: [pods], verbs: [get]}\n",
    );
    assert_eq!(p.roles[0].effective.len(), 1);
    assert_eq!(p.diagnostics[0].code, "invalid-selector");
    assert_eq!(
        p.diagnostics[0].to_string(),
        "t.yaml:1: ClusterRole x: invalid aggregation selector (matchExpressions[0]: operator Exists takes no values); its rules are left as written"
    );
}

const BINDINGS: &str = "
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [''], resources: [pods], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: bot}
- {kind: Group, name: 'system:serviceaccounts:ci'}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: nobody}
- {kind: User, name: 'system:serviceaccount:ops:runner'}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: gone}
subjects:
- {kind: Group, name: 'system:authenticated'}
";

#[test]
fn subjects_match_as_the_authorizer_matches_them() {
    let p = policy(BINDINGS);
    let pods = |ns| req("get", "pods", ns, Some("p"));
    let can = |who: &str, ns| {
        p.authorize(&Principal::parse(who).unwrap(), &pods(ns))
            .is_some()
    };
    // ServiceAccount namespace defaults to the RoleBinding's.
    assert!(can("system:serviceaccount:team:bot", Some("team")));
    assert!(!can("system:serviceaccount:team:bot", Some("other")));
    assert!(!can("system:serviceaccount:other:bot", Some("team")));
    // Built-in group of a namespace's ServiceAccounts.
    assert!(can("system:serviceaccount:ci:anything", Some("team")));
    assert!(can("group:system:serviceaccounts:ci", Some("team")));
    // A User subject with a ServiceAccount's user name is that ServiceAccount.
    assert!(can("system:serviceaccount:ops:runner", None));
    assert!(can("system:serviceaccount:ops:runner", Some("x")));
    // A ServiceAccount without namespace in a ClusterRoleBinding matches nobody.
    assert!(!can("system:serviceaccount:default:nobody", Some("team")));
    // A binding to a missing role grants nothing, even to every authenticated user.
    assert!(!can("user:alice", Some("team")));
    let codes: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        codes,
        vec![
            "t.yaml:21: ClusterRoleBinding crb: ServiceAccount nobody has no namespace and matches nobody",
            "t.yaml:27: RoleBinding team/dangling refers to Role team/gone, which does not exist in the input; it grants nothing",
        ]
    );
}

#[test]
fn who_can_names_subject_binding_and_rule() {
    let p = policy(BINDINGS);
    let r = req("get", "pods", Some("team"), None);
    let got: Vec<String> = p
        .who_can(&r)
        .iter()
        .map(|g| {
            let b = &p.bindings[g.binding];
            format!(
                "{} {} {}",
                b.subjects[g.subject].subject,
                b.display(),
                p.rules[g.rule].loc
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "User system:serviceaccount:ops:runner ClusterRoleBinding crb t.yaml:6",
            "Group system:serviceaccounts:ci RoleBinding team/rb t.yaml:6",
            "ServiceAccount team/bot RoleBinding team/rb t.yaml:6",
        ]
    );
    assert!(
        p.who_can(&req("get", "pods", Some("elsewhere"), None))
            .len()
            == 1
    );
}

#[test]
fn principals_parse_with_builtin_groups() {
    let sa = Principal::parse("system:serviceaccount:ns:x").unwrap();
    assert_eq!(sa.name.as_deref(), Some("system:serviceaccount:ns:x"));
    assert_eq!(
        sa.groups,
        vec![
            "system:serviceaccounts",
            "system:serviceaccounts:ns",
            "system:authenticated"
        ]
    );
    assert_eq!(
        Principal::parse("user:alice").unwrap().groups,
        vec!["system:authenticated"]
    );
    assert_eq!(
        Principal::parse("user:system:anonymous").unwrap().groups,
        vec!["system:unauthenticated"]
    );
    assert_eq!(Principal::parse("group:devs").unwrap().name, None);
    assert!(Principal::parse("system:serviceaccount:ns").is_err());
    assert!(Principal::parse("user:").is_err());
}

#[test]
fn permissions_merge_verbs_and_drop_what_cluster_bindings_allow() {
    let p = policy(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: a}\nrules:\n- {apiGroups: [''], resources: [pods], verbs: [get]}\n- {apiGroups: [''], resources: [pods, secrets], verbs: [list, get]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: a}\nroleRef: {kind: ClusterRole, name: a}\nsubjects: [{kind: User, name: u}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: n}\nroleRef: {kind: ClusterRole, name: a}\nsubjects: [{kind: User, name: u}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: w, namespace: n}\nrules:\n- {apiGroups: [''], resources: [pods], verbs: [get, delete]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: w, namespace: n}\nroleRef: {kind: Role, name: w}\nsubjects: [{kind: User, name: u}]\n",
    );
    let perms = p.permissions(&Principal::parse("u").unwrap());
    let show = |l: &[Permission]| -> Vec<String> {
        l.iter()
            .map(|x| {
                format!(
                    "{} {}",
                    x.resource.as_deref().unwrap_or(""),
                    x.verbs.join(",")
                )
            })
            .collect()
    };
    assert_eq!(
        show(&perms.cluster),
        vec!["pods get,list", "secrets get,list"]
    );
    assert_eq!(show(&perms.namespaces["n"]), vec!["pods delete"]);
    assert_eq!(
        perms.namespaces["n"][0].via,
        vec!["RoleBinding n/w -> Role n/w"]
    );
}

#[test]
fn risks_and_escalation_path_through_a_service_account() {
    let p = policy(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: builder-admin}\nroleRef: {kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: builder, namespace: ci}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: deployer, namespace: ci}\nrules:\n- {apiGroups: [apps], resources: [deployments], verbs: [create]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: alice, namespace: ci}\nroleRef: {kind: Role, name: deployer}\nsubjects: [{kind: User, name: alice}]\n",
    );
    let risks: Vec<String> = p
        .risks()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.kind.id,
                r.severity,
                r.subject.as_ref().unwrap()
            )
        })
        .collect();
    assert_eq!(
        risks,
        vec![
            "STK802 high User alice",
            "STK811 critical ServiceAccount ci/builder"
        ]
    );
    let paths = p.escalation_paths(&Goal::ClusterAdmin);
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].start, Subject::user("alice"));
    let steps: Vec<String> = paths[0]
        .steps
        .iter()
        .map(|s| format!("{} => {}", s.action, s.to))
        .collect();
    assert_eq!(
        steps,
        vec![
            "can create deployments in ci => ServiceAccount ci/builder",
            "holds cluster-admin => cluster-admin",
        ]
    );
    let dot = render::paths(&paths, render::Format::Dot);
    assert_eq!(
        dot,
        "digraph escalation {\n  rankdir=LR;\n  \"User alice\" -> \"ServiceAccount ci/builder\" [label=\"can create deployments in ci\"];\n  \"ServiceAccount ci/builder\" -> \"cluster-admin\" [label=\"holds cluster-admin\"];\n}\n"
    );
}

#[test]
fn risk_findings_point_at_the_subject_in_its_binding() {
    let loaded = stockade_model::load(
        "r.yaml",
        b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: open}\nroleRef: {kind: ClusterRole, name: nodes-proxy}\nsubjects:\n- {kind: User, name: a}\n- {kind: Group, name: 'system:unauthenticated'}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: nodes-proxy}\nrules:\n- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}\n",
    );
    let got: Vec<String> = risk_findings(&loaded.objects)
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} {} {}/{}",
                f.check, f.severity, f.file, f.line, f.path, f.object.kind, f.object.name
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "STK807 critical r.yaml:6 subjects[0] ClusterRoleBinding/open",
            "STK807 critical r.yaml:7 subjects[1] ClusterRoleBinding/open",
            "STK812 critical r.yaml:7 subjects[1] ClusterRoleBinding/open",
        ]
    );
}

#[test]
fn risky_rules_of_roles_no_binding_uses_are_reported_at_the_rule() {
    let yaml = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: unbound}
rules:
- {apiGroups: [''], resources: [configmaps], verbs: [get]}
- {apiGroups: [''], resources: [secrets], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: to-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: 'true'}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: bound, namespace: team}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bound, namespace: team}
roleRef: {kind: Role, name: bound}
subjects:
- {kind: User, name: a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: shadowed}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: shadowed}
rules:
- {apiGroups: [''], resources: [configmaps], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: member
  labels: {team: x}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregate}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {team: x}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: aggregate}
roleRef: {kind: ClusterRole, name: aggregate}
subjects:
- {kind: User, name: b}
";
    let loaded = stockade_model::load("u.yaml", yaml.as_bytes());
    let got: Vec<String> = risk_findings(&loaded.objects)
        .iter()
        .filter(|f| f.object.kind.ends_with("Role"))
        .map(|f| {
            format!(
                "{} {} {}:{} {} {}/{}: {}",
                f.check,
                f.severity,
                f.file,
                f.line,
                f.path,
                f.object.kind,
                f.object.name,
                f.message
            )
        })
        .collect();
    // `bound` is reported at its binding; `shadowed`'s first definition is replaced by the
    // second, which grants nothing risky; `member` is in force through `aggregate`.
    assert_eq!(
        got,
        vec![
            "STK801 medium u.yaml:6 rules[1] ClusterRole/unbound: ClusterRole unbound is bound by nothing in the input; whoever it is bound to can read Secrets, which hold credentials and ServiceAccount tokens (rule u.yaml:6)",
            "STK801 high u.yaml:14 rules[0] ClusterRole/to-view: ClusterRole to-view is aggregated into ClusterRole view: everyone bound to it can read Secrets, which hold credentials and ServiceAccount tokens (rule u.yaml:14)",
        ]
    );
}
