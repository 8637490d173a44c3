//! `--explain`: for each pair, the policies and rule numbers that allow or deny it.

use std::fmt::Write as _;

use crate::Analysis;
use crate::cluster::AdminPolicy;
use crate::conn::ConnSet;
use crate::eval::{Direction, Engine, Peer};
use crate::ip::IpSet;

/// The reason given for traffic from external addresses (never policed at the source).
const DEFAULT_EXTERNAL: &str = "external addresses are not subject to policies";
/// The start of the reason given when no NetworkPolicy isolates the subject.
const DEFAULT_NOT_ISOLATED: &str = "no NetworkPolicy isolates it for";

/// Why one direction of a pair is what it is: one line per admin policy rule that decides
/// some of it, per NetworkPolicy rule that allows some of it, per selecting NetworkPolicy
/// that allows none of it, or the default.
pub(crate) fn reasons(
    engine: &Engine<'_>,
    subject: Peer<'_>,
    other: Peer<'_>,
    dir: Direction,
) -> Vec<String> {
    let cluster = engine.cluster();
    let mut out = Vec::new();
    let (word, rules_of): (&str, fn(&AdminPolicy) -> &Vec<crate::cluster::AdminRule>) = match dir {
        Direction::Ingress => ("ingress", |p| &p.ingress),
        Direction::Egress => ("egress", |p| &p.egress),
    };
    if matches!(subject, Peer::Ip(_)) {
        out.push(DEFAULT_EXTERNAL.to_string());
        return out;
    }
    let admin = cluster
        .admin_policies
        .iter()
        .map(|p| (p, "AdminNetworkPolicy"))
        .chain(
            cluster
                .baseline
                .iter()
                .map(|p| (p, "BaselineAdminNetworkPolicy")),
        );
    for (p, kind) in admin {
        let one = engine.allowed_by_admin_rules(p, subject, other, dir);
        for (idx, action, conns) in one {
            let rule = &rules_of(p)[idx];
            let rule_name = if rule.name.is_empty() {
                String::new()
            } else {
                format!(" '{}'", rule.name)
            };
            let verb = match action {
                crate::cluster::Action::Allow => format!("allows {conns}"),
                crate::cluster::Action::Deny => format!("denies {conns}"),
                crate::cluster::Action::Pass => format!("passes {conns} on to NetworkPolicies"),
            };
            out.push(format!(
                "{kind} '{}' rule #{}{rule_name} {verb}",
                p.name,
                idx + 1
            ));
        }
    }
    let dst = match dir {
        Direction::Ingress => subject,
        Direction::Egress => other,
    };
    let mut isolated = false;
    for policy in engine.selecting_policies(subject, dir) {
        isolated = true;
        let rules = match dir {
            Direction::Ingress => &policy.ingress,
            Direction::Egress => &policy.egress,
        };
        let mut any = false;
        for (i, rule) in rules.iter().enumerate() {
            if let Some(c) = engine.np_rule_conns(policy, rule, other, dst)
                && !c.is_empty()
            {
                any = true;
                out.push(format!(
                    "NetworkPolicy '{}' rule #{} allows {c}",
                    policy.full_name(),
                    i + 1
                ));
            }
        }
        if !any {
            out.push(format!(
                "NetworkPolicy '{}' selects it; none of its {word} rules admits this peer",
                policy.full_name()
            ));
        }
    }
    if !isolated {
        out.push(format!("{DEFAULT_NOT_ISOLATED} {word}"));
    }
    out
}

/// The explanation for every pair of endpoints with at least one policy involved, then the
/// pairs allowed by default. Each pair shows what the source's egress allows and why, what
/// the destination's ingress allows and why; the connection is what both allow.
pub fn explain(analysis: &Analysis) -> String {
    let engine = Engine::new(&analysis.cluster);
    let workloads = &analysis.cluster.workloads;
    let (src_ips, dst_ips) = engine.external_blocks();
    struct Pair {
        src: String,
        dst: String,
        conn: ConnSet,
        egress: (ConnSet, Vec<String>),
        ingress: (ConnSet, Vec<String>),
    }
    let mut pairs: Vec<Pair> = Vec::new();
    let mut push = |s: Peer<'_>, d: Peer<'_>, src: String, dst: String| {
        pairs.push(Pair {
            src,
            dst,
            conn: engine.connection(s, d),
            egress: (
                engine.allowed(s, d, Direction::Egress),
                reasons(&engine, s, d, Direction::Egress),
            ),
            ingress: (
                engine.allowed(d, s, Direction::Ingress),
                reasons(&engine, d, s, Direction::Ingress),
            ),
        });
    };
    let ip_name = |ip: &IpSet| format!("{ip}[External]");
    for ip in &src_ips {
        for w in workloads {
            push(Peer::Ip(ip), Peer::Workload(w), ip_name(ip), w.key());
        }
    }
    for s in workloads {
        for ip in &dst_ips {
            push(Peer::Workload(s), Peer::Ip(ip), s.key(), ip_name(ip));
        }
        for d in workloads {
            if s.key() != d.key() {
                push(Peer::Workload(s), Peer::Workload(d), s.key(), d.key());
            }
        }
    }
    pairs.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
    let is_default = |p: &Pair| {
        p.egress
            .1
            .iter()
            .chain(&p.ingress.1)
            .all(|r| r.starts_with(DEFAULT_NOT_ISOLATED) || r == DEFAULT_EXTERNAL)
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Connections and their reasons #");
    for p in pairs.iter().filter(|p| !is_default(p)) {
        let _ = writeln!(out, "\n{} => {} : {}", p.src, p.dst, p.conn);
        for (what, end, (allowed, why)) in [
            ("egress of", &p.src, &p.egress),
            ("ingress of", &p.dst, &p.ingress),
        ] {
            let _ = writeln!(out, "  {what} {end} allows: {allowed}");
            for w in why {
                let _ = writeln!(out, "    - {w}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n# All Connections due to the system default (Allow all) #"
    );
    for p in pairs.iter().filter(|p| is_default(p)) {
        let _ = writeln!(out, "{} => {}", p.src, p.dst);
    }
    out
}
