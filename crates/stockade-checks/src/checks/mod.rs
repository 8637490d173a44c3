//! The catalog: one module per category, one file per check.

pub mod correctness;
pub mod deprecations;
pub mod helpers;
pub mod host_access;
pub mod images;
pub mod meta;
pub mod metadata;
pub mod namespaces;
pub mod networking;
pub mod pod_security;
pub mod reliability;
pub mod resources;
pub mod secrets;
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
    &pod_security::pod_security_baseline::CHECK,
    &pod_security::pod_security_restricted::CHECK,
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
    &images::image_registry_denied::CHECK,
    &images::image_pull_secret_missing::CHECK,
    &images::image_pull_secret_invalid::CHECK,
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
    &networking::service_selects_no_pods::CHECK,
    &namespaces::default_namespace::CHECK,
    &metadata::required_label_missing::CHECK,
    &metadata::required_annotation_missing::CHECK,
    &metadata::recommended_labels_missing::CHECK,
    &metadata::invalid_label::CHECK,
    &metadata::invalid_annotation::CHECK,
    &correctness::workload_selector_mismatch::CHECK,
    &correctness::ingress_backend_service_missing::CHECK,
    &correctness::hpa_target_missing::CHECK,
    &correctness::pdb_selects_no_pods::CHECK,
    &correctness::network_policy_selects_no_pods::CHECK,
    &correctness::service_account_missing::CHECK,
    &correctness::secret_missing::CHECK,
    &correctness::configmap_missing::CHECK,
    &correctness::duplicate_env_var::CHECK,
    &correctness::service_target_port_not_exposed::CHECK,
    &correctness::duplicate_container_name::CHECK,
    &correctness::duplicate_container_port::CHECK,
    &deprecations::removed_api_version::CHECK,
    &deprecations::deprecated_api_version::CHECK,
    &meta::unused_suppression::CHECK,
    &meta::invalid_suppression::CHECK,
];
