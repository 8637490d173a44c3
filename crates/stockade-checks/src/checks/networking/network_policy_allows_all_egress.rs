//! ## What it does
//! Flags NetworkPolicy egress rules that admit all traffic: a rule without port restriction
//! whose `to` is missing or empty (`egress: [{}]`), or lists a peer that admits everything:
//! `ipBlock` `0.0.0.0/0` or `::/0` without `except`, or a `namespaceSelector: {}` with no
//! narrowing `podSelector`.
//!
//! A rule limited to ports (DNS on 53, HTTPS on 443 to anywhere) is a deliberate choice and
//! is not flagged.
//!
//! ## Why it matters
//! Egress control is what stops a compromised pod from exfiltrating data, reaching the cloud
//! metadata service for node credentials, or talking to the API server and other tenants'
//! services. An allow-all egress rule switches it off for every pod the policy selects.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: api
//! spec:
//!   podSelector:
//!     matchLabels: {app: api}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - ipBlock:
//!             cidr: 0.0.0.0/0 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: api
//! spec:
//!   podSelector:
//!     matchLabels: {app: api}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - podSelector:
//!             matchLabels: {app: db}
//!       ports:
//!         - port: 5432
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{Direction, report_allow_all};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK608",
    name: "network-policy-allows-all-egress",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "NetworkPolicy egress rule allows all traffic",
    remediation: "Name the destinations (podSelector, namespaceSelector, ipBlock with except) and ports the selected pods need.",
    references: &["NSA/CISA: network separation and hardening"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_allow_all(ctx, out, Direction::Egress);
}
