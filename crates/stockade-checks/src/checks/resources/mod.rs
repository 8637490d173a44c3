//! CPU and memory requests and limits.

pub mod cpu_limits_missing;
pub mod cpu_requests_missing;
pub mod helpers;
pub mod memory_limits_missing;
pub mod memory_requests_missing;
