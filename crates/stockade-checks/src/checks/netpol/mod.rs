//! NetworkPolicy connectivity: the findings of the `stockade-netpol` engine (what the
//! policies of the whole input actually allow), one check per kind of finding.

pub mod egress_to_cloud_metadata;
pub mod exposed_path_to_data_store;
pub mod helpers;
pub mod namespace_without_default_deny_ingress;
pub mod workload_exposed_outside_cluster;
pub mod workload_not_isolated_egress;
pub mod workload_not_isolated_ingress;
