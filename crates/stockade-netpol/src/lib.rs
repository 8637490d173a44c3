//! NetworkPolicy analysis: which workloads and external addresses can reach which, under
//! Kubernetes NetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy, with
//! Ingress/Route objects as the way in from outside.
//!
//! Outputs follow np-guard's netpol-analyzer conventions (`ns/name[Kind]`,
//! `0.0.0.0-255.255.255.255[External]`, `TCP 8080`, `All Connections`) so its users can compare.

pub mod cluster;
pub mod conn;
pub mod eval;
pub mod ip;
pub mod selector;

pub use cluster::Cluster;
pub use conn::{ConnSet, PortSet, Protocol};
pub use eval::{Connection, Direction, Endpoint, Engine, Peer};
pub use ip::IpSet;
pub mod diff;
pub mod output;

use std::collections::BTreeSet;

use stockade_model::LoadError;

/// One analysed set of manifests: what was read and every allowed connection.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// What was read.
    pub cluster: Cluster,
    /// Allowed connections, sorted as printed.
    pub connections: Vec<Connection>,
}

impl Analysis {
    /// Analyses the objects of a set of manifests.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a stockade_model::Object>) -> Self {
        let cluster = Cluster::from_objects(objects);
        let connections = Engine::new(&cluster).connections();
        Self {
            cluster,
            connections,
        }
    }

    /// Parses files (name, bytes) and analyses them. Documents that are not Kubernetes objects
    /// are skipped; parse errors are returned alongside.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> (Self, Vec<LoadError>) {
        let mut objects = Vec::new();
        let mut errors = Vec::new();
        for (name, bytes) in files {
            let loaded = stockade_model::load(name, bytes);
            objects.extend(loaded.objects);
            errors.extend(loaded.errors);
        }
        (Self::from_objects(&objects), errors)
    }

    /// Workload keys (`ns/name[Kind]`), sorted.
    pub fn workload_keys(&self) -> Vec<String> {
        self.cluster
            .workloads
            .iter()
            .map(cluster::Workload::key)
            .collect()
    }

    /// The connection list in a format.
    pub fn render(&self, format: output::Format) -> String {
        output::connlist(&self.connections, &self.workload_keys(), format)
    }

    /// What changed from `self` (ref1) to `other` (ref2).
    pub fn diff(&self, other: &Analysis) -> Vec<diff::DiffEntry> {
        let w1: BTreeSet<String> = self.workload_keys().into_iter().collect();
        let w2: BTreeSet<String> = other.workload_keys().into_iter().collect();
        diff::diff(&self.connections, &other.connections, &w1, &w2)
    }
}
pub mod explain;
pub mod exposure;
pub mod report;
pub mod suggest;
