//! Writes a realistic Kubernetes audit log (audit.k8s.io/v1 JSON lines) for benchmarks.
//!
//! `cargo run --release -p stockade-audit --example gen_events -- OUT [COUNT]` (default
//! 1,000,000 events). The mix follows what a busy cluster's API server logs at the
//! Metadata/Request levels: mostly controllers and kubelets reading and watching, some
//! writes with request bodies (pods, configmaps, bindings), and about one event in a
//! thousand that a detection rule should flag (exec, privileged pod, secret read, ...).
//! Deterministic: the same COUNT gives the same file.

use std::io::Write;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMESPACES: &[&str] = &[
    "default",
    "prod",
    "staging",
    "payments",
    "web",
    "monitoring",
    "kube-system",
    "ingress-nginx",
];
const READERS: &[(&str, &str)] = &[
    (
        "system:kube-controller-manager",
        "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/39683505/leader-election",
    ),
    (
        "system:kube-scheduler",
        "kube-scheduler/v1.30.2 (linux/amd64) kubernetes/39683505/scheduler",
    ),
    (
        "system:node:ip-10-0-12-34.ec2.internal",
        "kubelet/v1.30.2 (linux/amd64) kubernetes/39683505",
    ),
    (
        "system:node:ip-10-0-56-78.ec2.internal",
        "kubelet/v1.30.2 (linux/amd64) kubernetes/39683505",
    ),
    (
        "system:serviceaccount:kube-system:coredns",
        "coredns/v1.11.1 (linux/amd64) kubernetes/a7d8d8f",
    ),
    (
        "system:serviceaccount:monitoring:prometheus",
        "Prometheus/2.51.0",
    ),
    (
        "system:serviceaccount:ingress-nginx:ingress-nginx",
        "nginx-ingress-controller/v1.10.0 (linux/amd64) ingress-nginx/71f78d4",
    ),
    (
        "system:apiserver",
        "kube-apiserver/v1.30.2 (linux/amd64) kubernetes/39683505",
    ),
];
const RESOURCES: &[(&str, &str, &str)] = &[
    ("pods", "", "v1"),
    ("endpoints", "", "v1"),
    ("endpointslices", "discovery.k8s.io", "v1"),
    ("configmaps", "", "v1"),
    ("leases", "coordination.k8s.io", "v1"),
    ("nodes", "", "v1"),
    ("services", "", "v1"),
    ("deployments", "apps", "v1"),
    ("replicasets", "apps", "v1"),
    ("events", "", "v1"),
];
const IMAGES: &[&str] = &[
    "nginx:1.25.3",
    "registry.example.com/payments/api:2.14.0",
    "redis:7.2",
    "ghcr.io/acme/worker@sha256:4f1c2b",
    "busybox:1.36",
    "quay.io/prometheus/node-exporter:v1.7.0",
];

fn time(i: u64) -> String {
    let secs = i / 2000;
    let micros = (i % 2000) * 500;
    format!(
        "2026-11-22T{:02}:{:02}:{:02}.{:06}Z",
        10 + (secs / 3600) % 12,
        (secs / 60) % 60,
        secs % 60,
        micros
    )
}

#[allow(clippy::too_many_arguments)]
fn event(
    out: &mut String,
    i: u64,
    stage: &str,
    verb: &str,
    user: &str,
    groups: &str,
    agent: &str,
    resource: (&str, &str, &str),
    ns: Option<&str>,
    name: &str,
    sub: Option<&str>,
    code: u32,
    request: Option<&str>,
    query: &str,
) {
    let (res, group, version) = resource;
    let prefix = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    let ns_path = ns.map(|n| format!("/namespaces/{n}")).unwrap_or_default();
    let name_path = if name.is_empty() {
        String::new()
    } else {
        format!("/{name}")
    };
    let sub_path = sub.map(|s| format!("/{s}")).unwrap_or_default();
    let uri = format!("{prefix}{ns_path}/{res}{name_path}{sub_path}{query}");
    let t = time(i);
    out.push_str(&format!(
        "{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"{level}\",\"auditID\":\"{id:08x}-5e1c-4c3a-9f0e-{id2:012x}\",\"stage\":\"{stage}\",\"requestURI\":\"{uri}\",\"verb\":\"{verb}\",\"user\":{{\"username\":\"{user}\",\"groups\":[{groups}]}},\"sourceIPs\":[\"10.0.{a}.{b}\"],\"userAgent\":\"{agent}\",\"objectRef\":{{\"resource\":\"{res}\"",
        level = if request.is_some() { "Request" } else { "Metadata" },
        id = i as u32,
        id2 = i.wrapping_mul(2654435761) & 0xffff_ffff_ffff,
        a = i % 250,
        b = (i / 250) % 250,
    ));
    if let Some(n) = ns {
        out.push_str(&format!(",\"namespace\":\"{n}\""));
    }
    if !name.is_empty() {
        out.push_str(&format!(",\"name\":\"{name}\""));
    }
    if let Some(s) = sub {
        out.push_str(&format!(",\"subresource\":\"{s}\""));
    }
    if !group.is_empty() {
        out.push_str(&format!(",\"apiGroup\":\"{group}\""));
    }
    out.push_str(&format!(",\"apiVersion\":\"{version}\"}}"));
    if stage != "RequestReceived" {
        out.push_str(&format!(
            ",\"responseStatus\":{{\"metadata\":{{}},\"code\":{code}}}"
        ));
    }
    if let Some(r) = request {
        out.push_str(",\"requestObject\":");
        out.push_str(r);
    }
    out.push_str(&format!(
        ",\"requestReceivedTimestamp\":\"{t}\",\"stageTimestamp\":\"{t}\",\"annotations\":{{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed by ClusterRoleBinding \\\"system:controller\\\" of ClusterRole \\\"system:controller\\\" to User \\\"{user}\\\"\"}}}}\n"
    ));
}

fn pod_body(rng: &mut Rng, name: &str, ns: &str, bad: bool) -> String {
    let img = rng.pick(IMAGES);
    let sidecar = rng.pick(IMAGES);
    let sc = if bad {
        "{\"privileged\":true}"
    } else {
        "{\"allowPrivilegeEscalation\":false,\"runAsNonRoot\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}"
    };
    let vol = if bad {
        "{\"name\":\"host\",\"hostPath\":{\"path\":\"/var/run/docker.sock\",\"type\":\"\"}}"
    } else {
        "{\"name\":\"cfg\",\"configMap\":{\"name\":\"app-config\"}}"
    };
    format!(
        "{{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\",\"labels\":{{\"app\":\"api\",\"pod-template-hash\":\"7d9f8c6b5\"}},\"ownerReferences\":[{{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"api-7d9f8c6b5\",\"uid\":\"0b6f8f2e-1c1d-4f0e-8a47-3c1f5e2d9a10\",\"controller\":true}}]}},\"spec\":{{\"volumes\":[{vol}],\"containers\":[{{\"name\":\"app\",\"image\":\"{img}\",\"ports\":[{{\"containerPort\":8080,\"protocol\":\"TCP\"}}],\"resources\":{{\"limits\":{{\"cpu\":\"500m\",\"memory\":\"256Mi\"}}}},\"securityContext\":{sc}}},{{\"name\":\"sidecar\",\"image\":\"{sidecar}\"}}],\"restartPolicy\":\"Always\",\"serviceAccountName\":\"api\",\"hostNetwork\":{hn}}}}}",
        hn = if bad { "true" } else { "false" }
    )
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        eprintln!("usage: gen_events OUT [COUNT]");
        std::process::exit(2)
    });
    let count: u64 = args
        .next()
        .map_or(1_000_000, |c| c.parse().expect("COUNT is a number"));
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::with_capacity(4096);
    let mut bytes = 0u64;
    for i in 0..count {
        line.clear();
        let roll = rng.below(1000);
        let ns = rng.pick(NAMESPACES);
        let name = format!("api-7d9f8c6b5-{:05x}", rng.below(1 << 20));
        let stage = if rng.below(10) == 0 {
            "RequestReceived"
        } else {
            "ResponseComplete"
        };
        if roll < 850 {
            // Reads and watches by the control plane, kubelets and operators.
            let (user, agent) = READERS[rng.below(READERS.len() as u64) as usize];
            let res = RESOURCES[rng.below(RESOURCES.len() as u64) as usize];
            let verb = ["get", "list", "watch", "get", "get"][rng.below(5) as usize];
            let nm = if verb == "get" { name.as_str() } else { "" };
            let nsopt = if res.0 == "nodes" { None } else { Some(ns) };
            event(
                &mut line,
                i,
                stage,
                verb,
                user,
                "\"system:authenticated\"",
                agent,
                res,
                nsopt,
                nm,
                None,
                200,
                None,
                if verb == "watch" {
                    "?allowWatchBookmarks=true&resourceVersion=81234&timeout=7m54s&watch=true"
                } else {
                    ""
                },
            );
        } else if roll < 930 {
            // Status updates and lease renewals.
            let (user, agent) = READERS[rng.below(4) as usize];
            let res = if rng.below(2) == 0 {
                ("leases", "coordination.k8s.io", "v1")
            } else {
                ("pods", "", "v1")
            };
            let sub = if res.0 == "pods" {
                Some("status")
            } else {
                None
            };
            event(
                &mut line,
                i,
                stage,
                "patch",
                user,
                "\"system:authenticated\"",
                agent,
                res,
                Some(ns),
                &name,
                sub,
                200,
                None,
                "",
            );
        } else if roll < 970 {
            // Pod creation by the ReplicaSet controller, with the request body.
            let bad = rng.below(200) == 0;
            let body = pod_body(&mut rng, &name, ns, bad);
            event(
                &mut line,
                i,
                stage,
                "create",
                "system:serviceaccount:kube-system:replicaset-controller",
                "\"system:serviceaccounts\",\"system:serviceaccounts:kube-system\",\"system:authenticated\"",
                "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/39683505/system:serviceaccount:kube-system:replicaset-controller",
                ("pods", "", "v1"),
                Some(ns),
                "",
                None,
                201,
                Some(&body),
                "",
            );
        } else if roll < 990 {
            // A person or CI changing config.
            let creds = rng.below(50) == 0;
            let data = if creds {
                "{\"app.properties\":\"db.user=app\\ndb.password=hunter2\\n\"}"
            } else {
                "{\"app.properties\":\"log.level=info\\nfeature.x=true\\n\"}"
            };
            let body = format!(
                "{{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"app-config\",\"namespace\":\"{ns}\"}},\"data\":{data}}}"
            );
            event(
                &mut line,
                i,
                stage,
                "update",
                "ci-deployer@example.com",
                "\"deployers\",\"system:authenticated\"",
                "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
                ("configmaps", "", "v1"),
                Some(ns),
                "app-config",
                None,
                200,
                Some(&body),
                "",
            );
        } else if roll < 997 {
            // Secret reads by workloads.
            event(
                &mut line,
                i,
                stage,
                "get",
                "system:serviceaccount:payments:api",
                "\"system:serviceaccounts\",\"system:authenticated\"",
                "api/2.14.0",
                ("secrets", "", "v1"),
                Some(ns),
                "db-credentials",
                None,
                if rng.below(4) == 0 { 403 } else { 200 },
                None,
                "",
            );
        } else {
            // Interactive access: exec and bindings.
            if rng.below(2) == 0 {
                event(
                    &mut line,
                    i,
                    "ResponseStarted",
                    "create",
                    "alice@example.com",
                    "\"sre\",\"system:authenticated\"",
                    "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
                    ("pods", "", "v1"),
                    Some(ns),
                    &name,
                    Some("exec"),
                    101,
                    None,
                    "?command=sh&container=app&stdin=true&stdout=true&tty=true",
                );
            } else {
                let body = format!(
                    "{{\"kind\":\"RoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{{\"name\":\"oncall\",\"namespace\":\"{ns}\"}},\"subjects\":[{{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"bob@example.com\"}}],\"roleRef\":{{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"{role}\"}}}}",
                    role = if rng.below(3) == 0 {
                        "cluster-admin"
                    } else {
                        "view"
                    }
                );
                event(
                    &mut line,
                    i,
                    stage,
                    "create",
                    "alice@example.com",
                    "\"sre\",\"system:authenticated\"",
                    "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
                    ("rolebindings", "rbac.authorization.k8s.io", "v1"),
                    Some(ns),
                    "",
                    None,
                    201,
                    Some(&body),
                    "",
                );
            }
        }
        bytes += line.len() as u64;
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    eprintln!(
        "wrote {count} events, {:.1} MB, to {path}",
        bytes as f64 / 1e6
    );
    Ok(())
}
