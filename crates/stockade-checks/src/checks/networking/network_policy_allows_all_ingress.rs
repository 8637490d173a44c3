//! ## What it does
//! Flags NetworkPolicy ingress rules that admit all traffic: a rule without port restriction
//! whose `from` is missing or empty (`ingress: [{}]`), or lists a peer that admits everyone:
//! `ipBlock` `0.0.0.0/0` or `::/0` without `except`, or a `namespaceSelector: {}` with no
//! narrowing `podSelector` (every pod in every namespace).
//!
//! A rule limited to ports (`ports: [{port: 443}]` from anywhere) is a deliberate public
//! endpoint and is not flagged.
//!
//! ## Why it matters
//! An allow-all rule undoes the isolation the policy's `podSelector` sets up: the selected
//! pods accept traffic from every pod in the cluster (and from outside it, through any
//! node port or load balancer). It is often left over from debugging.
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
//!   ingress:
//!     - {} # finding
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
//!   ingress:
//!     - from:
//!         - podSelector:
//!             matchLabels: {app: web}
//!       ports:
//!         - port: 8080
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{Direction, report_allow_all};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK607",
    name: "network-policy-allows-all-ingress",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "NetworkPolicy ingress rule allows all traffic",
    remediation: "Name the sources (podSelector, namespaceSelector, ipBlock) and ports the selected pods must accept.",
    references: &["NSA/CISA: network separation and hardening"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_allow_all(ctx, out, Direction::Ingress);
}
