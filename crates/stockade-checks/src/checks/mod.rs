//! The catalog: one module per category, one file per check.

pub mod helpers;
pub mod host_access;
pub mod images;
pub mod meta;
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
    &resources::cpu_requests_missing::CHECK,
    &resources::memory_requests_missing::CHECK,
    &resources::cpu_limits_missing::CHECK,
    &resources::memory_limits_missing::CHECK,
    &resources::ephemeral_storage_requests_missing::CHECK,
    &resources::ephemeral_storage_limits_missing::CHECK,
    &resources::requests_differ_from_limits::CHECK,
    &resources::namespace_without_resource_quota::CHECK,
    &resources::namespace_without_limit_range::CHECK,
    &reliability::liveness_probe_missing::CHECK,
    &reliability::readiness_probe_missing::CHECK,
    &reliability::single_replica::CHECK,
    &reliability::rollout_stops_all_replicas::CHECK,
    &reliability::min_ready_seconds_missing::CHECK,
    &reliability::progress_deadline_not_above_min_ready::CHECK,
    &reliability::pod_disruption_budget_missing::CHECK,
    &reliability::pod_disruption_budget_blocks_eviction::CHECK,
    &reliability::hpa_min_replicas_above_max::CHECK,
    &reliability::hpa_single_min_replica::CHECK,
    &reliability::hpa_min_equals_max::CHECK,
    &reliability::hpa_targets_nothing::CHECK,
    &reliability::replica_spread_missing::CHECK,
    &reliability::identical_liveness_readiness_probes::CHECK,
    &reliability::probe_port_name_undefined::CHECK,
    &reliability::priority_class_name_missing::CHECK,
    &reliability::job_ttl_missing::CHECK,
    &reliability::cronjob_starting_deadline_missing::CHECK,
    &reliability::cronjob_concurrent_runs_allowed::CHECK,
    &reliability::cronjob_schedule_invalid::CHECK,
    &secrets::secret_in_env_literal::CHECK,
    &secrets::secret_in_env_reference::CHECK,
    &secrets::service_account_token_automounted::CHECK,
    &secrets::default_service_account::CHECK,
    &networking::nodeport_service::CHECK,
    &networking::service_external_ips::CHECK,
    &networking::ssh_port_exposed::CHECK,
    &networking::service_selects_no_pods::CHECK,
    &namespaces::default_namespace::CHECK,
    &meta::unused_suppression::CHECK,
    &meta::invalid_suppression::CHECK,
];
