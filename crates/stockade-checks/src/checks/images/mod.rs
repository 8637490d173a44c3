//! Image references and pull policy.

pub mod helpers;
pub mod image_from_deprecated_registry;
pub mod image_has_vulnerabilities;
pub mod image_not_pinned_by_digest;
pub mod image_pull_policy_not_always;
pub mod image_pull_secret_invalid;
pub mod image_pull_secret_missing;
pub mod image_registry_denied;
pub mod image_registry_not_allowed;
pub mod image_signature_not_verified;
pub mod image_tag_mutable;
pub mod known_vulnerable_component_image;
pub mod kubernetes_dashboard_deployed;
pub mod tiller_deployed;
