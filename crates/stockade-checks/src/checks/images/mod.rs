//! Image references and pull policy.

pub mod helpers;
pub mod image_tag_mutable;
