//! The catalog: one module per category, one file per check.

pub mod admission;
pub mod gitops;
pub mod helpers;
pub mod host_access;
pub mod images;
pub mod meta;
pub mod namespaces;
pub mod networking;
pub mod pod_security;
pub mod rbac;
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
    &reliability::liveness_probe_missing::CHECK,
    &reliability::readiness_probe_missing::CHECK,
    &secrets::secret_in_env_literal::CHECK,
    &secrets::secret_in_env_reference::CHECK,
    &secrets::service_account_token_automounted::CHECK,
    &secrets::default_service_account::CHECK,
    &secrets::secret_in_configmap::CHECK,
    &secrets::secret_in_annotation::CHECK,
    &secrets::secret_data_committed::CHECK,
    &networking::nodeport_service::CHECK,
    &networking::service_external_ips::CHECK,
    &networking::ssh_port_exposed::CHECK,
    &networking::service_selects_no_pods::CHECK,
    &networking::pod_not_selected_by_network_policy::CHECK,
    &networking::namespace_without_default_deny::CHECK,
    &networking::network_policy_allows_all_ingress::CHECK,
    &networking::network_policy_allows_all_egress::CHECK,
    &networking::egress_to_cloud_metadata_allowed::CHECK,
    &networking::load_balancer_without_source_ranges::CHECK,
    &networking::ingress_without_tls::CHECK,
    &networking::external_name_service::CHECK,
    &networking::nginx_ingress_snippet_annotation::CHECK,
    &namespaces::default_namespace::CHECK,
    &rbac::rbac_secrets_read::CHECK,
    &rbac::rbac_workload_create::CHECK,
    &rbac::rbac_pod_exec::CHECK,
    &rbac::rbac_escalate::CHECK,
    &rbac::rbac_bind::CHECK,
    &rbac::rbac_impersonate::CHECK,
    &rbac::rbac_nodes_proxy::CHECK,
    &rbac::rbac_serviceaccount_token_create::CHECK,
    &rbac::rbac_csr_approve::CHECK,
    &rbac::rbac_webhook_config_edit::CHECK,
    &rbac::rbac_wildcard::CHECK,
    &rbac::rbac_anonymous_binding::CHECK,
    &rbac::rbac_default_serviceaccount::CHECK,
    &rbac::rbac_missing_role::CHECK,
    &meta::unused_suppression::CHECK,
    &meta::invalid_suppression::CHECK,
    &gitops::istio_peer_authentication_not_strict::CHECK,
    &gitops::istio_authorization_policy_allows_all::CHECK,
    &gitops::istio_sidecar_injection_disabled::CHECK,
    &gitops::argocd_mutable_target_revision::CHECK,
    &gitops::gitops_repository_plain_http::CHECK,
    &gitops::flux_git_repository_branch::CHECK,
    &gitops::flux_helm_release_unpinned_chart::CHECK,
    &admission::security_webhook_fails_open::CHECK,
    &admission::webhook_timeout_too_long::CHECK,
    &admission::webhook_intercepts_kube_system::CHECK,
    &admission::webhook_side_effects_unknown::CHECK,
    &admission::webhook_without_admission_review_v1::CHECK,
];
