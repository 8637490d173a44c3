//! The built-in check catalog.
//!
//! One check per file under `src/checks/<category>/<check_name>.rs`. The file's `//!` doc
//! comment is the check's documentation (build.rs collects it for `explain` and the docs).

mod check;
pub mod checks;
mod context;
pub mod docs;
mod options;

pub use check::{Category, Check};
pub use context::{Context, Emit, Hit};
pub use options::{OptionError, Options};

/// Every built-in check, ordered by ID.
pub fn all() -> &'static [&'static Check] {
    checks::ALL
}

/// Looks a check up by ID or name (case-insensitive for IDs).
pub fn find(key: &str) -> Option<&'static Check> {
    all()
        .iter()
        .copied()
        .find(|c| c.id.eq_ignore_ascii_case(key) || c.name == key)
}

/// Runs one check on one object whose pod specs were already found.
pub fn run_check(
    check: &Check,
    object: &stockade_model::Object,
    pods: &[stockade_model::PodSpec],
    options: &Options,
) -> Vec<Hit> {
    let ctx = Context {
        object,
        pods,
        options,
    };
    let mut emit = Emit::default();
    (check.run)(&ctx, &mut emit);
    emit.hits
}
