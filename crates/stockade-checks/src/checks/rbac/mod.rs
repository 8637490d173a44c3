//! Roles, bindings and who can do what: the RBAC risks of the scanned input.

pub mod cluster_admin_binding;
pub mod helpers;
pub mod rbac_anonymous_binding;
pub mod rbac_bind;
pub mod rbac_csr_approve;
pub mod rbac_default_serviceaccount;
pub mod rbac_escalate;
pub mod rbac_impersonate;
pub mod rbac_missing_role;
pub mod rbac_nodes_proxy;
pub mod rbac_pod_exec;
pub mod rbac_secrets_read;
pub mod rbac_serviceaccount_token_create;
pub mod rbac_webhook_config_edit;
pub mod rbac_wildcard;
pub mod rbac_workload_create;
pub mod system_masters_binding;
