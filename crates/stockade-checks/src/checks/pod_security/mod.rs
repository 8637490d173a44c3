//! The Pod Security Standards levels as checks, sharing the evaluator of `stockade pss`.

pub mod helpers;
pub mod pod_security_baseline;
pub mod pod_security_restricted;
