//! Services and exposure.

pub mod helpers;
pub mod nodeport_service;
pub mod service_external_ips;
pub mod service_selects_no_pods;
pub mod ssh_port_exposed;
