//! Namespaces and object placement.

pub mod default_namespace;
pub mod kube_system_namespace;
pub mod namespace_without_pod_security_enforcement;
