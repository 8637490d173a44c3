//! Host namespaces, ports and filesystem.

pub mod configmap_volume_mounted;
pub mod container_runtime_socket;
pub mod helpers;
pub mod host_aliases;
pub mod host_ipc;
pub mod host_network;
pub mod host_path_volume;
pub mod host_pid;
pub mod host_port;
pub mod non_core_volume_type;
pub mod persistent_volume_claim_mounted;
pub mod secret_volume_mounted;
pub mod sensitive_host_path;
pub mod volume_mount_subpath;
pub mod writable_host_path;
