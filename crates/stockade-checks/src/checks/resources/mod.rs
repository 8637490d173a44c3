//! CPU, memory and ephemeral-storage requests and limits; namespace quotas.

pub mod cpu_limit_set;
pub mod cpu_limits_missing;
pub mod cpu_requests_missing;
pub mod ephemeral_storage_limits_missing;
pub mod ephemeral_storage_requests_differ_from_limits;
pub mod ephemeral_storage_requests_missing;
pub mod helpers;
pub mod memory_limits_missing;
pub mod memory_requests_missing;
pub mod namespace_without_limit_range;
pub mod namespace_without_resource_quota;
pub mod requests_differ_from_limits;
