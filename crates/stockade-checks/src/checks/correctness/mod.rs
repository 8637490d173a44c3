//! References between objects: selectors, names of Secrets, ConfigMaps, ServiceAccounts.

pub mod configmap_missing;
pub mod duplicate_container_name;
pub mod duplicate_container_port;
pub mod duplicate_env_var;
pub mod gateway_route_backend_missing;
pub mod helpers;
pub mod hpa_target_missing;
pub mod ingress_backend_service_missing;
pub mod invalid_port_name;
pub mod network_policy_peer_selects_no_pods;
pub mod network_policy_selects_no_pods;
pub mod object_name_missing;
pub mod pdb_selects_no_pods;
pub mod schema_mismatch;
pub mod secret_missing;
pub mod service_account_missing;
pub mod service_monitor_selects_no_service;
pub mod service_target_port_not_exposed;
pub mod statefulset_headless_service_missing;
pub mod workload_selector_mismatch;
