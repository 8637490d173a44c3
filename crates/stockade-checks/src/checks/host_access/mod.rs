//! Host namespaces, ports and filesystem.

pub mod host_network;
