//! Probes and availability.

pub mod helpers;
pub mod liveness_probe_missing;
pub mod readiness_probe_missing;
