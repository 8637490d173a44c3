//! `stockade netpol` through the real binary: list (txt, json, dot, --explain, --exposure),
//! diff, report, suggest (with an independent check of the suggestion by `list`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netpol")
}

fn netpol(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockade"))
        .arg("netpol")
        .args(args)
        .output()
        .expect("run stockade")
}

fn path(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const V1_CONNECTIONS: &str = "\
0.0.0.0-255.255.255.255[External] => ops/monitor[Deployment] : All Connections
0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080
ops/monitor[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections
ops/monitor[Deployment] => shop/db[StatefulSet] : TCP 9187-9188
ops/monitor[Deployment] => shop/web[Deployment] : TCP 8080
shop/api[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections
shop/api[Deployment] => ops/monitor[Deployment] : All Connections
shop/api[Deployment] => shop/db[StatefulSet] : TCP 5432
shop/api[Deployment] => shop/web[Deployment] : TCP 8080
shop/db[StatefulSet] => 0.0.0.0-255.255.255.255[External] : All Connections
shop/db[StatefulSet] => ops/monitor[Deployment] : All Connections
shop/db[StatefulSet] => shop/web[Deployment] : TCP 8080
shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections
shop/web[Deployment] => ops/monitor[Deployment] : All Connections
shop/web[Deployment] => shop/api[Deployment] : TCP 9090
";

#[test]
fn list_prints_every_allowed_pair_with_named_ports_and_end_ports_resolved() {
    let out = netpol(&["list", &path("v1")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), V1_CONNECTIONS);
}

#[test]
fn list_json_is_the_same_set_of_connections() {
    let out = netpol(&["list", "-o", "json", &path("v1")]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} => {} : {}",
                c["src"].as_str().unwrap(),
                c["dst"].as_str().unwrap(),
                c["conn"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(got, V1_CONNECTIONS.lines().collect::<Vec<_>>());
}

#[test]
fn list_dot_groups_workloads_by_namespace() {
    let out = netpol(&["list", "-o", "dot", &path("v1")]);
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph {\n"));
    assert!(dot.ends_with('}'));
    let shop = dot
        .split("subgraph \"cluster_shop[namespace]\" {")
        .nth(1)
        .and_then(|s| s.split("\t}").next())
        .expect("a cluster for namespace shop");
    for w in [
        "shop/api[Deployment]",
        "shop/db[StatefulSet]",
        "shop/web[Deployment]",
    ] {
        assert!(
            shop.contains(&format!("\"{w}\"")),
            "{w} not in the shop cluster"
        );
    }
    assert!(!shop.contains("ops/monitor"));
    assert!(
        dot.contains("\t\"shop/web[Deployment]\" -> \"shop/api[Deployment]\" [label=\"TCP 9090\"")
    );
    assert_eq!(dot.matches(" -> ").count(), V1_CONNECTIONS.lines().count());
}

#[test]
fn explain_names_the_policies_and_rules_on_both_sides() {
    let out = netpol(&["list", "--explain", &path("v1")]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let block = |head: &str| -> String {
        text.split(&format!("\n{head}\n"))
            .nth(1)
            .and_then(|s| s.split("\n\n").next())
            .unwrap_or_else(|| panic!("no block `{head}` in:\n{text}"))
            .to_string()
    };
    assert_eq!(
        block("shop/web[Deployment] => shop/db[StatefulSet] : No Connections"),
        "  egress of shop/web[Deployment] allows: All Connections
    - no NetworkPolicy isolates it for egress
  ingress of shop/db[StatefulSet] allows: No Connections
    - NetworkPolicy 'shop/default-deny' selects it; none of its ingress rules admits this peer
    - NetworkPolicy 'shop/db' selects it; none of its ingress rules admits this peer"
    );
    assert_eq!(
        block("ops/monitor[Deployment] => shop/db[StatefulSet] : TCP 9187-9188"),
        "  egress of ops/monitor[Deployment] allows: All Connections
    - no NetworkPolicy isolates it for egress
  ingress of shop/db[StatefulSet] allows: TCP 9187-9188
    - NetworkPolicy 'shop/default-deny' selects it; none of its ingress rules admits this peer
    - NetworkPolicy 'shop/db' rule #2 allows TCP 9187-9188"
    );
    // Pairs no policy touches are listed once, at the end.
    let defaults = text
        .split("# All Connections due to the system default (Allow all) #\n")
        .nth(1)
        .unwrap();
    assert!(
        defaults
            .lines()
            .any(|l| l == "shop/web[Deployment] => ops/monitor[Deployment]")
    );
    assert!(!defaults.contains("=> shop/db"));
}

#[test]
fn exposure_prints_selectors_for_workloads_not_deployed_yet() {
    let out = netpol(&["list", "--exposure", &path("v1")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let db = text
        .split("\n\n")
        .find(|b| b.starts_with("NetworkPolicy shop/db\n"))
        .unwrap()
        .trim_end();
    assert_eq!(
        db,
        "NetworkPolicy shop/db
  applies to: pods [app=db] in namespace shop
  deployed now: shop/db[StatefulSet]
  ingress:
    rule #1: Allow from pods [app=api] in namespace shop : TCP 5432
    rule #2: Allow from pods [app in (monitor,backup)] in namespace ops : TCP 9187-9188
  egress: not restricted by this policy"
    );
    let web = text
        .split("\n\n")
        .find(|b| b.starts_with("NetworkPolicy shop/web\n"))
        .unwrap();
    assert!(web.contains(
        "    rule #1: Allow from any source (all pods, all addresses) : TCP named port 'http'"
    ));
    let out = netpol(&["list", "--exposure", "-o", "json", &path("v1")]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let deny = &v[0];
    assert_eq!(deny["name"], "shop/default-deny");
    assert_eq!(deny["applies_to"], "all pods in namespace shop");
    assert_eq!(deny["ingress"]["restricts"], true);
    assert_eq!(deny["ingress"]["rules"].as_array().unwrap().len(), 0);
    assert_eq!(deny["egress"]["restricts"], false);
    let out = netpol(&["list", "--exposure", "-o", "csv", &path("v1")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_reports_changed_and_added_connections() {
    let out = netpol(&["diff", &path("v1"), &path("v2")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "Connectivity diff:
diff-type: changed, source: shop/web[Deployment], destination: shop/api[Deployment], ref1: TCP 9090, ref2: TCP 9091
diff-type: added, source: shop/web[Deployment], destination: shop/db[StatefulSet], ref1: No Connections, ref2: TCP 5432
"
    );
    let out = netpol(&["diff", &path("v1"), &path("v1")]);
    assert_eq!(stdout(&out), "");
    let out = netpol(&["diff", "-o", "json", &path("v1"), &path("v2")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn report_shows_exposure_and_the_path_to_the_data_store() {
    let out = netpol(&["report", &path("v1"), "--data-store", "app=db"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let shop = text.split("namespace shop\n").nth(1).unwrap();
    assert!(shop.starts_with("  default-deny: ingress yes, egress NO\n"));
    assert!(shop.contains(
        "    shop/web[Deployment] via external addresses 0.0.0.0-255.255.255.255 (TCP 8080); Service web (LoadBalancer, TCP 8080)\n"
    ));
    // web may reach the unisolated monitor, which the db admits on its metrics ports.
    assert!(shop.ends_with(
        "  paths from exposed workloads to data stores:\n    shop/web[Deployment] => ops/monitor[Deployment] => shop/db[StatefulSet]\n"
    ));
    let out = netpol(&["report", "-o", "json", &path("v1")]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["namespaces"]["ops"]["not_isolated_ingress"],
        serde_json::json!(["ops/monitor[Deployment]"])
    );
    let out = netpol(&["report", &path("v1"), "--data-store", "app"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--data-store: `app` is not key=value"));
}

/// The connections `list` prints for some files, as lines.
fn connections(paths: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["list"];
    args.extend_from_slice(paths);
    let out = netpol(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn suggest_writes_policies_that_allow_exactly_the_declared_flows() {
    let out = netpol(&[
        "suggest",
        &path("v1/workloads.yaml"),
        "--flows",
        &path("flows.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "verified: 8 NetworkPolicies; of 16 ordered pairs of declared endpoints, exactly the 5 declared flows are allowed\n"
    );
    let yaml = stdout(&out);
    assert_eq!(yaml.matches("kind: NetworkPolicy\n").count(), 8);
    // Independently of the command's own verification: `list` over the workloads plus the
    // suggestion shows exactly the declared flows, and nothing else.
    let dir = tempfile::tempdir().unwrap();
    let suggested = dir.path().join("suggested.yaml");
    std::fs::write(&suggested, &yaml).unwrap();
    let got = connections(&[&path("v1/workloads.yaml"), suggested.to_str().unwrap()]);
    let want: BTreeSet<String> = [
        "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080",
        "ops/monitor[Deployment] => shop/api[Deployment] : TCP 9090",
        "ops/monitor[Deployment] => shop/db[StatefulSet] : TCP 9187",
        "shop/api[Deployment] => shop/db[StatefulSet] : TCP 5432",
        "shop/web[Deployment] => shop/api[Deployment] : TCP 9090",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(got, want);
    // The selectors are the fewest labels that tell a workload apart (`app`, not `tier`).
    assert!(yaml.contains(
        "  name: allow-db\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels: {app: db}\n  policyTypes: [Ingress]\n"
    ));
    assert!(yaml.contains("  name: default-deny\n  namespace: ops\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"));
}

#[test]
fn suggest_for_one_namespace_reports_what_existing_policies_add() {
    // Only shop's policies are written; ops/monitor keeps open egress, and v1's own db policy
    // admits it on 9187-9188, more than declared: not verified, exit 1, pairs named.
    let out = netpol(&[
        "suggest",
        &path("v1"),
        "--flows",
        &path("flows.yaml"),
        "--namespace",
        "shop",
        "--no-dns",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "NOT verified: with the input's policies, 2 of 15 pairs differ from the declared flows:
  ops/monitor[Deployment] => shop/db[StatefulSet] : declared TCP 9187, allowed TCP 9187-9188
  ops/monitor[Deployment] => shop/web[Deployment] : declared No Connections, allowed TCP 8080
"
    );
    let yaml = stdout(&out);
    assert!(!yaml.contains("namespace: ops\n"));
    assert!(!yaml.contains("allow-dns"));
}

#[test]
fn suggest_names_every_bad_flow_and_exits_2() {
    let out = netpol(&["suggest", &path("v1"), "--flows", &path("bad-flows.yaml")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for part in [
        "bad-flows.yaml: flow #1 (shop/web -> shop/nosuch): no workload shop/nosuch in the input",
        "flow #2 (shop/web -> shop/api): port 70000 is not in 1-65535",
        "flow #3 (shop/api -> shop/db): unknown protocol `ICMP`",
    ] {
        assert!(err.contains(part), "`{part}` not in {err}");
    }
    assert!(stdout(&out).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("flows.yaml");
    std::fs::write(&f, "- from: shop/web\n  too: shop/api\n").unwrap();
    let out = netpol(&["suggest", &path("v1"), "--flows", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("flows.yaml: "), "{}", stderr(&out));
}

#[test]
fn scan_reports_the_path_to_the_data_store_once_configured() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("stockade.yaml");
    std::fs::write(&config, "options:\n  data-store: [\"app=db\"]\n").unwrap();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        let v1 = path("v1");
        args.push(&v1);
        let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
            .args(&args)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"].as_str().unwrap().starts_with("STK85"))
            .map(|f| {
                format!(
                    "{} {}:{} {}",
                    f["check"].as_str().unwrap(),
                    f["file"].as_str().unwrap().rsplit('/').next().unwrap(),
                    f["line"],
                    f["message"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    // Without data stores configured the default netpol checks find nothing here: no egress
    // is restricted, so STK854 does not judge it.
    assert_eq!(scan(&["--no-config"]), Vec::<String>::new());
    assert_eq!(
        scan(&["--config", config.to_str().unwrap()]),
        [
            "STK855 workloads.yaml:4 exposed workload reaches a data store: shop/web[Deployment] => ops/monitor[Deployment] => shop/db[StatefulSet]"
        ]
    );
    // The opt-in checks, enabled by ID. shop isolates every workload for ingress and has a
    // default-deny; no namespace has egress policies and ops has none at all: only the
    // exposure remains.
    let all = scan(&["--no-config", "--enable", "STK850,STK851,STK852,STK853"]);
    assert_eq!(
        all,
        [
            "STK853 workloads.yaml:4 shop/web[Deployment] is reachable from outside the cluster via Service web (LoadBalancer, TCP 8080)"
        ]
    );
}

#[test]
fn an_unreadable_input_is_named_and_the_rest_still_analysed_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixtures().join("v1")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.yaml"),
        dir.path().join("gone.yaml"),
    )
    .unwrap();
    let out = netpol(&["list", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stdout(&out), V1_CONNECTIONS);
    let err = stderr(&out);
    assert!(
        err.contains("stockade: error: ") && err.contains("gone.yaml: cannot read"),
        "{err}"
    );
}
