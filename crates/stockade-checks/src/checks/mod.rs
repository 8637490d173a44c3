//! The catalog: one module per category, one file per check.

pub mod host_access;
pub mod images;
pub mod meta;
pub mod pod_security;
pub mod security_context;

use crate::Check;

/// Every built-in check, ordered by ID.
pub static ALL: &[&Check] = &[
    &security_context::privileged_container::CHECK,
    &pod_security::pod_security_baseline::CHECK,
    &pod_security::pod_security_restricted::CHECK,
    &host_access::host_network::CHECK,
    &images::image_tag_mutable::CHECK,
    &meta::unused_suppression::CHECK,
    &meta::invalid_suppression::CHECK,
];
