//! The peer coverage table (docs/coverage.md): every check ID of kube-linter, Polaris, kubesec,
//! kube-score, Checkov, Trivy, Kubescape, Datree and the Pod Security Standards
//! (../shared/anchors/peer-checks.csv) with Stockade's answer. Regenerate with
//! `UPDATE_DOCS=1 cargo test -p stockade-checks --test coverage`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use stockade_checks::all;

fn answer(tool: &str, id: &str, group: &str) -> (String, bool) {
    let ours: Vec<String> = all()
        .iter()
        .filter(|c| {
            c.aliases
                .iter()
                .any(|a| a.split_once(':').is_some_and(|(t, i)| t == tool && i == id))
        })
        .map(|c| format!("[{}](checks/{}.md) `{}`", c.id, c.name, c.name))
        .collect();
    if !ours.is_empty() {
        return (ours.join(", "), true);
    }
    match (tool, group) {
        ("pss", "baseline") => (
            "`stockade pss --level baseline`; [STK050](checks/pod-security-baseline.md)".into(),
            true,
        ),
        ("pss", _) => (
            "`stockade pss --level restricted`; [STK051](checks/pod-security-restricted.md)".into(),
            true,
        ),
        ("trivy", "KCV") => (
            "n/a: control-plane component flags (kube-apiserver, kubelet), not manifests".into(),
            true,
        ),
        ("kubescape", "cluster") => (
            "n/a: needs a live cluster or cloud API, not a manifest check".into(),
            true,
        ),
        ("kubescape", "EKS" | "AKS" | "cloud") => (
            "n/a: a setting of the managed cluster or cloud account (EKS, AKS, registries, IAM), not of manifests".into(),
            true,
        ),
        ("checkov", "PSP") => (
            "n/a: PodSecurityPolicy was removed in Kubernetes 1.25; the same controls are checked on pods by the security-context and host-access checks and `stockade pss`".into(),
            true,
        ),
        ("checkov", "control-plane") => (
            "n/a: control-plane component flags (kube-apiserver, kubelet, etcd), not manifests".into(),
            true,
        ),
        _ => match NOT_APPLICABLE.iter().find(|(t, i, _)| *t == tool && *i == id) {
            Some((_, _, why)) => (format!("n/a: {why}"), true),
            None => ("**not covered yet**".into(), false),
        },
    }
}

/// Peer checks outside manifest scanning, one by one, with the reason.
const NOT_APPLICABLE: &[(&str, &str, &str)] = &[
    (
        "kube-linter",
        "sorted-keys",
        "YAML key order is style, with no effect on what the cluster runs",
    ),
    (
        "kube-linter",
        "scc-deny-privileged-container",
        "OpenShift SecurityContextConstraints are an OpenShift admission object; privileged pods themselves are flagged by STK001 `privileged-container`",
    ),
    (
        "kubescape",
        "C-0068",
        "PodSecurityPolicy was removed in Kubernetes 1.25; Pod Security Admission is checked by `stockade pss`",
    ),
    (
        "kubescape",
        "C-0273",
        "the cluster's running version is not in manifests; removed API versions for a target version are STK780 `removed-api-version`",
    ),
    (
        "kubescape",
        "C-0083",
        "needs image vulnerability scan results, not in manifests",
    ),
    (
        "kubescape",
        "C-0084",
        "needs image vulnerability scan results, not in manifests",
    ),
    (
        "kubescape",
        "C-0085",
        "needs image vulnerability scan results, not in manifests",
    ),
    (
        "kubescape",
        "C-0236",
        "verifying an image signature needs the registry's signatures and keys (cosign), not in manifests",
    ),
    (
        "kubescape",
        "C-0237",
        "finding an image signature needs the registry, not in manifests",
    ),
    (
        "kubescape",
        "C-0259",
        "Kubescape defines no rule for it (its control lists no rules and an empty description), so there is nothing it flags to match",
    ),
    (
        "kubescape",
        "C-0221",
        "image vulnerability scanning is a registry or scanner setting, not in manifests",
    ),
];

#[test]
fn coverage_table_is_current() {
    let Some(csv_path) = stockade_testdata::shared("anchors/peer-checks.csv") else {
        return;
    };
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        rows.push((rec[0].to_string(), rec[1].to_string(), rec[4].to_string()));
    }
    assert!(rows.len() >= 875, "peer list shrank: {}", rows.len());
    let mut per_tool: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut body = String::new();
    let mut current = "";
    for (tool, id, group) in &rows {
        if tool != current {
            let _ = writeln!(
                body,
                "\n## {tool}\n\n| ID | group | Stockade |\n|---|---|---|"
            );
            current = tool;
        }
        let (text, answered) = answer(tool, id, group);
        let e = per_tool.entry(tool).or_default();
        e.0 += 1;
        e.1 += usize::from(answered);
        let _ = writeln!(body, "| `{id}` | {} | {text} |", group.replace('|', "/"));
    }
    let mut doc = String::from(
        "# Coverage of the peers' checks\n\nGenerated by `UPDATE_DOCS=1 cargo test -p stockade-checks --test coverage` from \
         `../shared/anchors/peer-checks.csv` and each check's `aliases`; a test fails when it is stale. \
         `n/a` rows are outside manifest scanning, with the reason.\n\n| tool | checks | answered |\n|---|---|---|\n",
    );
    for (tool, (n, a)) in &per_tool {
        let _ = writeln!(doc, "| {tool} | {n} | {a} |");
    }
    doc.push_str(&body);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/coverage.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &doc).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == doc,
        "docs/coverage.md is stale; run `UPDATE_DOCS=1 cargo test -p stockade-checks --test coverage`"
    );
}
