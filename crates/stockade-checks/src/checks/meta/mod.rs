//! Findings about the scan itself (suppressions). The engine emits them; their files hold the
//! metadata and documentation.

pub mod invalid_suppression;
pub mod unused_suppression;
