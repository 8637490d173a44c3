//! Generates 10,000 roles and 20,000 bindings, then times loading, who-can and risks.
//!
//! `cargo run --release -p stockade-rbac --example rbac_bench [ROLES BINDINGS]`

use std::fmt::Write as _;
use std::time::Instant;

use stockade_rbac::{Policy, Principal, Request};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let roles = args.next().unwrap_or(10_000);
    let bindings = args.next().unwrap_or(20_000);
    let namespaces = 200;
    let mut y = String::new();
    let resources = [
        "pods",
        "secrets",
        "configmaps",
        "deployments",
        "services",
        "pods/exec",
    ];
    let verbs = ["get", "list", "watch", "create", "update", "delete"];
    for i in 0..roles {
        let cluster = i % 5 == 0;
        let (kind, ns) = if cluster {
            ("ClusterRole", String::new())
        } else {
            ("Role", format!(", namespace: ns{}", i % namespaces))
        };
        let _ = write!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: role{i}{ns}, labels: {{agg: 'g{}'}}}}\nrules:\n",
            i % 50
        );
        for r in 0..3 {
            let res = resources[(i + r) % resources.len()];
            let group = if res == "deployments" { "apps" } else { "" };
            let _ = writeln!(
                y,
                "- {{apiGroups: ['{group}'], resources: ['{res}'], verbs: ['{}', '{}']}}",
                verbs[(i / 6 + r) % verbs.len()],
                verbs[(i / 36 + 2 * r) % verbs.len()]
            );
        }
    }
    // A few aggregated roles, as in a real cluster.
    for g in 0..10 {
        let _ = write!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: agg{g}}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg: 'g{g}'}}\nrules: []\n"
        );
    }
    for i in 0..bindings {
        let role = (i * 13) % roles;
        let ns = role % namespaces;
        let subject = match i % 3 {
            0 => format!("{{kind: User, name: user{}}}", i % 1000),
            1 => format!("{{kind: Group, name: group{}}}", i % 100),
            _ => format!(
                "{{kind: ServiceAccount, name: sa{}, namespace: ns{ns}}}",
                i % 500
            ),
        };
        if role % 5 == 0 && i % 2 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: crb{i}}}\nroleRef: {{kind: ClusterRole, name: role{role}}}\nsubjects: [{subject}]\n"
            );
        } else {
            let (rk, bns) = if role % 5 == 0 {
                ("ClusterRole", format!("ns{}", i % namespaces))
            } else {
                ("Role", format!("ns{ns}"))
            };
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rb{i}, namespace: {bns}}}\nroleRef: {{kind: {rk}, name: role{role}}}\nsubjects: [{subject}]\n"
            );
        }
    }
    println!(
        "input: {} roles (+10 aggregated), {} bindings, {:.1} MB of YAML",
        roles,
        bindings,
        y.len() as f64 / 1e6
    );

    let t = Instant::now();
    let loaded = stockade_model::load("bench.yaml", y.as_bytes());
    assert!(loaded.errors.is_empty());
    let load = t.elapsed();
    let t = Instant::now();
    let policy = Policy::from_objects(&loaded.objects);
    let build = t.elapsed();
    println!("parse YAML: {load:.2?}; build policy (index + aggregation): {build:.2?}");

    let requests = [
        Request::parse("get", "secrets", Some("ns7"), None).unwrap(),
        Request::parse("create", "pods/exec", Some("ns42"), None).unwrap(),
        Request::parse("delete", "deployments", Some("ns100"), None).unwrap(),
        Request::parse("list", "pods", None, None).unwrap(),
    ];
    for r in &requests {
        let t = Instant::now();
        let n = policy.who_can(r).len();
        println!(
            "who-can {:<45} {n:>5} grants in {:.2?}",
            stockade_rbac::render::describe_request(r),
            t.elapsed()
        );
    }
    let t = Instant::now();
    let risks = policy.risks();
    println!("risks: {} findings in {:.2?}", risks.len(), t.elapsed());
    let t = Instant::now();
    let p = policy.permissions(&Principal::parse("group:group7").unwrap());
    println!(
        "can group:group7: {} cluster-wide + {} namespaces in {:.2?}",
        p.cluster.len(),
        p.namespaces.len(),
        t.elapsed()
    );
}
