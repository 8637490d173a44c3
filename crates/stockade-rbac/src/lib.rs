//! RBAC analysis with the API server's semantics.
//!
//! [`Policy::from_objects`] reads Roles, ClusterRoles (aggregated as the aggregation
//! controller does), RoleBindings and ClusterRoleBindings, keeping the file and line of every
//! role, binding, subject and rule. On it: [`Policy::who_can`], [`Policy::authorize`],
//! [`Policy::permissions`], [`Policy::risks`] and [`Policy::escalation_paths`];
//! [`risk_findings`] gives the risks as scan findings (`STK8xx`).

mod eval;
mod paths;
mod permissions;
mod policy;
pub mod render;
pub mod risks;
mod selector;

pub use eval::{
    Grant, Principal, Request, Target, group_matches, name_matches, resource_matches, rule_allows,
    url_matches, verb_matches,
};
pub use paths::{EscalationPath, Goal, Step};
pub use permissions::{Permission, Permissions};
pub use policy::{
    Binding, BindingId, BindingKind, BoundSubject, Diagnostic, Loc, Policy, PolicyRule, RBAC_GROUP,
    Role, RoleId, RoleKind, Rule, RuleId, Subject, SubjectKind,
};
pub use risks::{Risk, RiskKind, risk_findings};
pub use selector::{Op, Requirement, Selector};

/// What can go wrong with a question asked of the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A subject argument could not be read.
    #[error("invalid subject {0}")]
    ParseSubject(String),
    /// A verb/resource argument could not be read.
    #[error("invalid request: {0}")]
    ParseRequest(String),
    /// An unknown output format.
    #[error("unknown format `{0}` (expected text, json or dot)")]
    Format(String),
}

#[cfg(test)]
mod tests;
