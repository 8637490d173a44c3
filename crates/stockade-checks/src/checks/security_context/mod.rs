//! Container and pod securityContext checks.

pub mod helpers;
pub mod privileged_container;
