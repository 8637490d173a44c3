//! ## What it does
//! Flags workloads (objects with a pod template, and Pods) without an `email` annotation
//! holding a valid e-mail address (`team@example.com`). Off by default.
//!
//! ## Why it matters
//! When a workload misbehaves at 3 a.m. (crash-looping, exhausting a node, leaking data),
//! whoever is on call needs to know whom to reach. An address on the object itself survives
//! team reorganisations better than a wiki page, and tools such as alert routers and cost
//! reports can read it. A malformed address is as useless as none.
//!
//! It is opt-in because organisations record ownership in different ways; the
//! `required-annotations` option covers other annotation keys.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   annotations: # finding
//!     owner: payments
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   annotations:
//!     owner: payments
//!     email: payments-oncall@example.com
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://docs.kubelinter.io/#/generated/checks?id=required-annotation-email>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK715",
    name: "owner-email-annotation-missing",
    category: Category::Metadata,
    severity: Severity::Info,
    default_on: false,
    summary: "Workload has no email annotation with a valid address",
    remediation: "Add an `email` annotation with the owning team's address.",
    references: &[],
    aliases: &["kube-linter:required-annotation-email"],
    run: crate::Run::Object(run),
};

/// A plain `local@domain.tld` address: no spaces, one `@`, a dot in the domain.
fn valid_email(v: &str) -> bool {
    let Some((local, domain)) = v.trim().split_once('@') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
    };
    ok(local)
        && ok(domain)
        && !domain.contains('@')
        && domain
            .rsplit_once('.')
            .is_some_and(|(host, tld)| !host.is_empty() && tld.len() >= 2)
}

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if ctx.pods.is_empty() {
        return;
    }
    let node = o.root.at(&["metadata", "annotations", "email"]);
    let message = match node.map(|n| n.as_str()) {
        None => stockade_model::format_exact!("{} \"{}\" has no email annotation", o.kind, o.name),
        Some(Some(v)) if valid_email(v) => return,
        Some(_) => stockade_model::format_exact!(
            "{} \"{}\" email annotation is not a valid e-mail address",
            o.kind,
            o.name
        ),
    };
    // The nearest enclosing field there is: the annotations, else `metadata`, else the object.
    let at = node
        .or_else(|| o.root.at(&["metadata", "annotations"]))
        .or_else(|| o.root.get("metadata"))
        .unwrap_or(&o.root);
    out.at(at, "metadata.annotations.email", message);
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn emails() {
        assert!(valid_email("team@example.com"));
        assert!(valid_email("a.b+c@sub.example.co"));
        for no in [
            "team",
            "team@",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(!valid_email(no), "{no}");
        }
    }
}
