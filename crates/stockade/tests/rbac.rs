//! `stockade rbac` on fixture files, exact outputs.

use std::path::Path;
use std::process::{Command, Output};

fn rbac(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockade"))
        .arg("rbac")
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rbac"))
        .output()
        .expect("run stockade")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const MISSING: &str = "warning: cluster.yaml:59: RoleBinding ci/ghost refers to Role ci/does-not-exist, which does not exist in the input; it grants nothing\n";

#[test]
fn who_can_lists_subject_binding_role_and_rule() {
    let o = rbac(&[
        "who-can",
        "create",
        "deployments",
        "-n",
        "ci",
        "cluster.yaml",
        "dump.json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "who can create deployments.apps in namespace ci:
SUBJECT                    BINDING                           ROLE                       RULE
User alice                 RoleBinding ci/alice-deploys      Role ci/deployer           cluster.yaml:31
ServiceAccount ci/builder  ClusterRoleBinding builder-admin  ClusterRole cluster-admin  cluster.yaml:6
ServiceAccount ci/default  RoleBinding ci/alice-deploys      Role ci/deployer           cluster.yaml:31
"
    );
    assert_eq!(stderr(&o), MISSING);
}

#[test]
fn who_can_through_an_aggregated_role_in_a_json_dump() {
    let o = rbac(&[
        "who-can",
        "list",
        "secrets",
        "-n",
        "shop",
        "--format",
        "json",
        "dump.json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["request"],
        serde_json::json!({"verb": "list", "namespace": "shop", "type": "resource", "group": "", "resource": "secrets", "subresource": "", "name": ""})
    );
    let s = &v["subjects"];
    assert_eq!(s.as_array().unwrap().len(), 1);
    assert_eq!(
        s[0]["subject"],
        serde_json::json!({"kind": "Group", "name": "ops"})
    );
    assert_eq!(
        s[0]["binding"]["location"],
        serde_json::json!({"file": "dump.json", "line": 18})
    );
    assert_eq!(
        s[0]["subjectLocation"],
        serde_json::json!({"file": "dump.json", "line": 23})
    );
    assert_eq!(s[0]["role"]["name"], "readers");
    // The rule is cited where it is written: in the aggregated-from role.
    assert_eq!(
        s[0]["rule"]["location"],
        serde_json::json!({"file": "dump.json", "line": 9})
    );
}

#[test]
fn resource_names_only_match_named_requests() {
    let o = rbac(&["who-can", "get", "secrets", "-n", "ci", "cluster.yaml"]);
    assert_eq!(
        stdout(&o),
        "who can get secrets in namespace ci:
SUBJECT                    BINDING                           ROLE                       RULE
ServiceAccount ci/builder  ClusterRoleBinding builder-admin  ClusterRole cluster-admin  cluster.yaml:6
"
    );
    let o = rbac(&[
        "who-can",
        "get",
        "secrets",
        "-n",
        "ci",
        "--name",
        "registry",
        "cluster.yaml",
    ]);
    assert!(stdout(&o).contains("User alice                 RoleBinding ci/alice-deploys      Role ci/deployer           cluster.yaml:34\n"));
    let o = rbac(&["who-can", "delete", "nodes", "dump.json"]);
    assert_eq!(stdout(&o), "nobody can delete nodes cluster-wide\n");
}

#[test]
fn can_shows_merged_permissions_per_namespace() {
    let o = rbac(&["can", "user:alice", "cluster.yaml", "dump.json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "user alice (groups: system:authenticated)
namespace ci:
  RESOURCE            VERBS            VIA
  secrets [registry]  get              RoleBinding ci/alice-deploys -> Role ci/deployer
  deployments.apps    create,get,list  RoleBinding ci/alice-deploys -> Role ci/deployer
"
    );
    let o = rbac(&[
        "can",
        "system:serviceaccount:ci:builder",
        "--format",
        "json",
        "cluster.yaml",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["cluster"],
        serde_json::json!([
            {"nonResourceURL": "*", "verbs": ["*"], "via": ["ClusterRoleBinding builder-admin -> ClusterRole cluster-admin"]},
            {"apiGroup": "*", "resource": "*", "verbs": ["*"], "via": ["ClusterRoleBinding builder-admin -> ClusterRole cluster-admin"]},
        ])
    );
    let o = rbac(&["can", "system:serviceaccount:bad", "cluster.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "stockade: error: invalid subject `system:serviceaccount:bad`: expected system:serviceaccount:NAMESPACE:NAME\n"
    );
}

#[test]
fn risks_per_subject() {
    let o = rbac(&["risks", "cluster.yaml", "dump.json"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().map(|l| &l[..l.len().min(45)]).collect();
    assert_eq!(
        lines,
        vec![
            "bindings to missing roles:",
            "  low       STK814  cluster.yaml:54  RoleBind",
            "User alice:",
            "  high      STK802  cluster.yaml:49  User ali",
            "  medium    STK801  cluster.yaml:49  User ali",
            "Group ops:",
            "  high      STK801  dump.json:23  Group ops i",
            "ServiceAccount ci/builder:",
            "  critical  STK811  cluster.yaml:21  ServiceA",
            "ServiceAccount ci/default:",
            "  high      STK802  cluster.yaml:51  ServiceA",
            "  medium    STK801  cluster.yaml:51  ServiceA",
            "  medium    STK813  cluster.yaml:51  ServiceA",
        ]
    );
    assert!(text.contains("User alice in namespace ci: can read Secrets, which hold credentials and ServiceAccount tokens (via RoleBinding ci/alice-deploys -> Role ci/deployer, rule cluster.yaml:34) [only resourceNames: registry]\n"));
    let o = rbac(&["risks", "--format", "json", "cluster.yaml"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["risks"][3];
    assert_eq!(r["kind"]["id"], "STK811");
    assert_eq!(r["severity"], "critical");
    assert_eq!(
        r["subject"],
        serde_json::json!({"kind": "ServiceAccount", "namespace": "ci", "name": "builder"})
    );
    assert_eq!(
        r["ruleLocation"],
        serde_json::json!({"file": "cluster.yaml", "line": 6})
    );
    assert_eq!(v["diagnostics"][0]["code"], "missing-role");
}

#[test]
fn paths_to_cluster_admin_as_text_and_dot() {
    let o = rbac(&["paths", "cluster.yaml"]);
    assert_eq!(
        stdout(&o),
        "1. User alice (2 steps)
   -> can create deployments in ci => ServiceAccount ci/builder
      via RoleBinding ci/alice-deploys -> Role ci/deployer (rule cluster.yaml:31)
   -> holds cluster-admin => cluster-admin
      via ClusterRoleBinding builder-admin -> ClusterRole cluster-admin (rule cluster.yaml:6)
2. ServiceAccount ci/default (2 steps)
   -> can create deployments in ci => ServiceAccount ci/builder
      via RoleBinding ci/alice-deploys -> Role ci/deployer (rule cluster.yaml:31)
   -> holds cluster-admin => cluster-admin
      via ClusterRoleBinding builder-admin -> ClusterRole cluster-admin (rule cluster.yaml:6)
"
    );
    let o = rbac(&["paths", "--format", "dot", "cluster.yaml"]);
    assert_eq!(
        stdout(&o),
        "digraph escalation {
  rankdir=LR;
  \"User alice\" -> \"ServiceAccount ci/builder\" [label=\"can create deployments in ci\"];
  \"ServiceAccount ci/builder\" -> \"cluster-admin\" [label=\"holds cluster-admin\"];
  \"ServiceAccount ci/default\" -> \"ServiceAccount ci/builder\" [label=\"can create deployments in ci\"];
}
"
    );
    let o = rbac(&[
        "paths",
        "--to",
        "system:serviceaccount:ci:builder",
        "cluster.yaml",
    ]);
    assert!(stdout(&o).starts_with(
        "1. User alice (1 step)\n   -> can create deployments in ci => ServiceAccount ci/builder\n"
    ));
}

#[test]
fn load_errors_are_reported_with_file_and_line_and_exit_2() {
    let o = rbac(&[
        "who-can",
        "get",
        "pods",
        "-n",
        "ci",
        "cluster.yaml",
        "broken.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).starts_with("who can get pods in namespace ci:\n"));
    assert_eq!(
        stderr(&o),
        format!(
            "{MISSING}error: broken.yaml:3:1: invalid YAML: while parsing a flow sequence, expected ',' or ']'; the rest of this document is skipped\n"
        )
    );
    let o = rbac(&["risks", "--format", "dot", "cluster.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}
