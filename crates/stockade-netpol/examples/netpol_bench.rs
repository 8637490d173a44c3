//! Generates N workloads and M NetworkPolicies across namespaces, then times the analysis.
//!
//! `cargo run --release -p stockade-netpol --example netpol_bench [-- WORKLOADS POLICIES]`

use std::fmt::Write as _;
use std::time::Instant;

use stockade_netpol::Analysis;

fn manifests(workloads: usize, policies: usize) -> String {
    let namespaces = 20;
    let mut y = String::new();
    for n in 0..namespaces {
        let _ = write!(
            y,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n  labels: {{team: t{}}}\n---\n",
            n % 5
        );
    }
    for i in 0..workloads {
        let _ = write!(
            y,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: ns{}\nspec:\n  template:\n    metadata:\n      labels: {{app: app{i}, tier: t{}}}\n    spec:\n      containers:\n      - name: c\n        image: x\n        ports:\n        - {{name: http, containerPort: {}}}\n---\n",
            i % namespaces,
            i % 7,
            8000 + i % 50
        );
    }
    for p in 0..policies {
        let ns = p % namespaces;
        let _ = match p % 4 {
            0 => write!(
                y,
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{p}\n  namespace: ns{ns}\nspec:\n  podSelector:\n    matchLabels: {{tier: t{}}}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {{tier: t{}}}\n    ports:\n    - port: http\n---\n",
                p % 7,
                (p + 1) % 7
            ),
            1 => write!(
                y,
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{p}\n  namespace: ns{ns}\nspec:\n  podSelector:\n    matchLabels: {{app: app{}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {{team: t{}}}\n  egress:\n  - to:\n    - ipBlock: {{cidr: 10.{}.0.0/16, except: [10.{}.1.0/24]}}\n    ports:\n    - {{protocol: UDP, port: 53}}\n---\n",
                p % workloads.max(1),
                p % 5,
                p % 250,
                p % 250
            ),
            2 => write!(
                y,
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{p}\n  namespace: ns{ns}\nspec:\n  podSelector:\n    matchExpressions:\n    - {{key: tier, operator: In, values: [t{}, t{}]}}\n  ingress:\n  - ports:\n    - {{port: 8000, endPort: 8025}}\n---\n",
                p % 7,
                (p + 3) % 7
            ),
            _ => write!(
                y,
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{p}\n  namespace: ns{ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{}}\n      podSelector:\n        matchLabels: {{tier: t{}}}\n---\n",
                p % 7
            ),
        };
    }
    y
}

fn main() {
    let mut args = std::env::args().skip(1);
    let workloads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let policies: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let yaml = manifests(workloads, policies);
    let start = Instant::now();
    let (analysis, errors) = Analysis::from_files([("bench.yaml", yaml.as_bytes())]);
    let elapsed = start.elapsed();
    assert!(errors.is_empty(), "{errors:?}");
    println!(
        "{} workloads, {} policies: {} connections in {:.3} s (parse + analysis)",
        analysis.cluster.workloads.len(),
        analysis.cluster.policies.len(),
        analysis.connections.len(),
        elapsed.as_secs_f64()
    );
    // What `stockade scan` runs for STK850-855: the report's facts, not every pair.
    let start = Instant::now();
    let findings = stockade_netpol::report::findings_for(&analysis.cluster, &Default::default());
    println!(
        "scan findings (STK850-855): {} in {:.3} s",
        findings.len(),
        start.elapsed().as_secs_f64()
    );
}
