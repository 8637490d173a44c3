//! The scan engine: finds input files, loads them in parallel, runs the selected checks,
//! applies configuration and suppressions, and returns findings in a deterministic order.

mod config;
mod extra;
mod inputs;
mod kustomize;
mod scan;
mod suppress;

pub use config::schema;
pub use config::{Config, ConfigError, Exclusion, find_config, load_config};
pub use extra::{ExtraChecks, ExtraHit, ExtraResult};
pub use inputs::{
    Input, ReadError, collect_dockerfiles, collect_inputs, is_dockerfile, read_bounded, read_input,
};
pub use kustomize::{KUSTOMIZE_PATCH, load_inputs};
pub use scan::{
    DEFAULT_MAX_FILE_SIZE, Engine, EngineError, FileResult, IMAGE_KIND, ImageHit, ImageUse,
    ScanResult,
};
