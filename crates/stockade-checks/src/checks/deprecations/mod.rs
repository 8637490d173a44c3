//! Deprecated and removed API versions.

pub mod deprecated_api_version;
pub mod deprecated_service_account_field;
pub mod helpers;
pub mod removed_api_version;
