//! Services and exposure.

pub mod helpers;
pub mod nodeport_service;
pub mod service_external_ips;
pub mod ssh_port_exposed;
