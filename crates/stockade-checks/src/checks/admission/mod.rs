//! Admission webhook configurations.

pub mod gatekeeper_allowed_repos_open_ended;
pub mod helpers;
pub mod security_webhook_fails_open;
pub mod webhook_intercepts_kube_system;
pub mod webhook_side_effects_unknown;
pub mod webhook_timeout_too_long;
pub mod webhook_without_admission_review_v1;
