//! Namespaces and object placement.

pub mod default_namespace;
