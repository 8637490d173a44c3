//! The catalog: one module per category, one file per check.

pub mod host_access;
pub mod images;
pub mod meta;
pub mod security_context;

use crate::Check;

/// Every built-in check, ordered by ID.
pub static ALL: &[&Check] = &[
    &security_context::privileged_container::CHECK,
    &security_context::privilege_escalation_allowed::CHECK,
    &security_context::runs_as_root_user::CHECK,
    &security_context::run_as_non_root_not_set::CHECK,
    &security_context::root_group::CHECK,
    &security_context::writable_root_filesystem::CHECK,
    &security_context::capabilities_not_dropped::CHECK,
    &security_context::dangerous_capability_added::CHECK,
    &security_context::net_raw_capability::CHECK,
    &security_context::seccomp_unconfined::CHECK,
    &security_context::seccomp_profile_missing::CHECK,
    &security_context::apparmor_unconfined::CHECK,
    &security_context::apparmor_profile_missing::CHECK,
    &security_context::custom_selinux_options::CHECK,
    &security_context::unmasked_proc_mount::CHECK,
    &security_context::unsafe_sysctls::CHECK,
    &security_context::windows_host_process::CHECK,
    &host_access::host_network::CHECK,
    &images::image_tag_mutable::CHECK,
    &meta::unused_suppression::CHECK,
    &meta::invalid_suppression::CHECK,
];
