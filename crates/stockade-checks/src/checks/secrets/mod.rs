//! Secrets and service account credentials.

pub mod default_service_account;
pub mod default_service_account_token_automounted;
pub mod helpers;
pub mod secret_data_committed;
pub mod secret_in_annotation;
pub mod secret_in_configmap;
pub mod secret_in_env_literal;
pub mod secret_in_env_reference;
pub mod service_account_token_automounted;
