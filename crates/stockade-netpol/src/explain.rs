//! `--explain`: for each pair, the policies and rule numbers that allow or deny it.

use std::fmt::Write as _;

use crate::Analysis;
use crate::cluster::AdminPolicy;
use crate::conn::ConnSet;
use crate::eval::{Direction, Engine, Peer};
use crate::ip::IpSet;

/// Why one direction of a pair is what it is.
pub(crate) fn reasons(
    engine: &Engine<'_>,
    subject: Peer<'_>,
    other: Peer<'_>,
    dir: Direction,
) -> Vec<String> {
    let cluster = engine.cluster();
    let mut out = Vec::new();
    let (word, rules_of): (&str, fn(&AdminPolicy) -> &Vec<crate::cluster::AdminRule>) = match dir {
        Direction::Ingress => ("Ingress", |p| &p.ingress),
        Direction::Egress => ("Egress", |p| &p.egress),
    };
    if matches!(subject, Peer::Ip(_)) {
        out.push(format!(
            "{word}: external addresses are not subject to policies (allow all)"
        ));
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
            out.push(format!(
                "{word}: {kind} '{}' {} {conns} by rule #{} ({})",
                p.name,
                match action {
                    crate::cluster::Action::Allow => "allows",
                    crate::cluster::Action::Deny => "denies",
                    crate::cluster::Action::Pass => "passes",
                },
                idx + 1,
                rule.name
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
                    "{word}: NetworkPolicy '{}' allows {c} by rule #{}",
                    policy.full_name(),
                    i + 1
                ));
            }
        }
        if !any {
            out.push(format!(
                "{word}: NetworkPolicy '{}' selects it and none of its {word} rules allow this peer",
                policy.full_name()
            ));
        }
    }
    if !isolated {
        out.push(format!(
            "{word}: no NetworkPolicy selects it for {word} (allowed unless an admin policy decides)"
        ));
    }
    out
}

/// The explanation for every pair of endpoints with at least one policy involved, then the
/// pairs allowed by default.
pub fn explain(analysis: &Analysis) -> String {
    let engine = Engine::new(&analysis.cluster);
    let workloads = &analysis.cluster.workloads;
    let (src_ips, dst_ips) = engine.external_blocks();
    let mut pairs: Vec<(String, String, ConnSet, Vec<String>)> = Vec::new();
    let mut push = |s: Peer<'_>, d: Peer<'_>, sn: String, dn: String| {
        let conn = engine.connection(s, d);
        let mut why = reasons(&engine, s, d, Direction::Egress);
        why.extend(reasons(&engine, d, s, Direction::Ingress));
        pairs.push((sn, dn, conn, why));
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
    pairs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let is_default = |why: &[String]| {
        why.iter().all(|r| {
            r.contains("no NetworkPolicy selects") || r.contains("not subject to policies")
        })
    };
    let mut out = String::new();
    let _ = writeln!(out, "# Connections and their reasons #");
    for (s, d, conn, why) in pairs.iter().filter(|p| !is_default(&p.3)) {
        let _ = writeln!(out, "\n{s} => {d} : {conn}");
        for w in why {
            let _ = writeln!(out, "  - {w}");
        }
    }
    let _ = writeln!(
        out,
        "\n# All Connections due to the system default (Allow all) #"
    );
    for (s, d, ..) in pairs.iter().filter(|p| is_default(&p.3)) {
        let _ = writeln!(out, "{s} => {d}");
    }
    out
}
