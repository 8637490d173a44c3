//! Kubernetes objects as parsed from YAML/JSON with source positions, pod-template discovery
//! for any workload kind, and findings. No I/O beyond the bytes it is given.

mod fast;
pub mod finding;
pub mod image;
pub mod json;
pub mod labels;
pub mod loader;
pub mod node;
pub mod pod;
pub mod text;

pub use finding::{Finding, Findings, ObjectRef, Severity, Summary, check_id_cmp};
pub use image::{ImageFacts, ImageFile, ImagePackage};
pub use loader::{Level, LoadError, Loaded, NOT_AN_OBJECT, Object, documents, load};
pub use node::{Entry, Node, Pos, Text, Value};
pub use pod::{Container, ContainerKind, ContainerLabel, PodSpec, pod_specs, push_index};
