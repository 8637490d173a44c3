//! Services and exposure.

pub mod egress_to_cloud_metadata_allowed;
pub mod endpoint_slice_local_address;
pub mod external_name_service;
pub mod helpers;
pub mod ingress_host_wildcard;
pub mod ingress_without_tls;
pub mod load_balancer_without_source_ranges;
pub mod namespace_without_default_deny;
pub mod network_policy_allows_all_egress;
pub mod network_policy_allows_all_ingress;
pub mod network_policy_pod_selector_missing;
pub mod nginx_ingress_snippet_annotation;
pub mod nginx_snippet_annotations_allowed;
pub mod nodeport_service;
pub mod pod_not_selected_by_network_policy;
pub mod sandbox_egress_unrestricted;
pub mod service_exposed_outside_cluster;
pub mod service_external_ips;
pub mod service_selects_no_pods;
pub mod ssh_port_exposed;
