//! The catalog: one module per category, one file per check.

pub mod helpers;
pub mod host_access;
pub mod images;
pub mod meta;
pub mod namespaces;
pub mod networking;
pub mod reliability;
pub mod resources;
pub mod secrets;
pub mod security_context;

use crate::Check;

/// Every built-in check, ordered by ID.
pub static ALL: &[&Check] = &[
    &security_context::privileged_container::CHECK,
    &host_access::host_network::CHECK,
    &host_access::host_pid::CHECK,
    &host_access::host_ipc::CHECK,
    &host_access::host_port::CHECK,
    &host_access::host_path_volume::CHECK,
    &host_access::writable_host_path::CHECK,
    &host_access::sensitive_host_path::CHECK,
    &host_access::container_runtime_socket::CHECK,
    &images::image_tag_mutable::CHECK,
    &images::image_not_pinned_by_digest::CHECK,
    &images::image_pull_policy_not_always::CHECK,
    &images::image_registry_not_allowed::CHECK,
    &resources::cpu_requests_missing::CHECK,
    &resources::memory_requests_missing::CHECK,
    &resources::cpu_limits_missing::CHECK,
    &resources::memory_limits_missing::CHECK,
    &reliability::liveness_probe_missing::CHECK,
    &reliability::readiness_probe_missing::CHECK,
    &secrets::secret_in_env_literal::CHECK,
    &secrets::secret_in_env_reference::CHECK,
    &secrets::service_account_token_automounted::CHECK,
    &secrets::default_service_account::CHECK,
    &networking::nodeport_service::CHECK,
    &networking::service_external_ips::CHECK,
    &networking::ssh_port_exposed::CHECK,
    &namespaces::default_namespace::CHECK,
    &meta::unused_suppression::CHECK,
    &meta::invalid_suppression::CHECK,
];
