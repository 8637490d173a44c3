//! The built-in check catalog.
//!
//! One check per file under `src/checks/<category>/<check_name>.rs`. The file's `//!` doc
//! comment is the check's documentation (build.rs collects it for `explain` and the docs).

mod check;
pub mod checks;
mod context;
pub mod docs;
mod options;

pub use check::{Category, Check, Run};
pub use context::{
    Context, DockerfileContext, Emit, Hit, ImageContext, ObjectId, SetContext, SetEmit, SetPods,
};
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

/// Runs one object check on one object whose pod specs were already found (nothing for set checks).
pub fn run_check(
    check: &Check,
    object: &stockade_model::Object,
    pods: &[stockade_model::PodSpec],
    options: &Options,
) -> Vec<Hit> {
    let mut emit = Emit::default();
    run_check_into(check, object, pods, options, &mut emit);
    emit.hits
}

/// [`run_check`], appending to `emit` (one buffer for all of an object's checks).
pub fn run_check_into(
    check: &Check,
    object: &stockade_model::Object,
    pods: &[stockade_model::PodSpec],
    options: &Options,
    emit: &mut Emit,
) {
    let ctx = Context {
        object,
        pods,
        options,
    };
    if let Run::Object(run) = check.run {
        run(&ctx, emit);
    }
}

/// Runs one set check over objects from a whole input (those it does not want are skipped);
/// `inventory` names every object of the input.
pub fn run_set_check(
    check: &Check,
    objects: &[std::sync::Arc<stockade_model::Object>],
    inventory: &[ObjectId],
    options: &Options,
) -> Vec<(std::sync::Arc<stockade_model::Object>, Hit)> {
    let Run::Set { wants, .. } = check.run else {
        return Vec::new();
    };
    let wanted: Vec<_> = objects
        .iter()
        .filter(|o| wants(o, &stockade_model::pod_specs(o)))
        .cloned()
        .collect();
    run_set_check_on(check, &wanted, inventory, options)
}

/// Runs one set check on `wanted`, the objects its `wants` already accepted (the engine asks
/// once per object, with the pod specs it found anyway).
pub fn run_set_check_on(
    check: &Check,
    wanted: &[std::sync::Arc<stockade_model::Object>],
    inventory: &[ObjectId],
    options: &Options,
) -> Vec<(std::sync::Arc<stockade_model::Object>, Hit)> {
    let pods = SetPods::build(wanted.iter().map(|o| &**o));
    run_set_check_with(check, wanted, &pods, inventory, options)
}

/// [`run_set_check_on`] with the objects' pod specs already found: `pods` must cover every
/// object of `wanted` (the engine finds them once for all set checks).
pub fn run_set_check_with<'a>(
    check: &Check,
    wanted: &'a [std::sync::Arc<stockade_model::Object>],
    pods: &'a SetPods<'a>,
    inventory: &'a [ObjectId],
    options: &'a Options,
) -> Vec<(std::sync::Arc<stockade_model::Object>, Hit)> {
    let Run::Set { run, .. } = check.run else {
        return Vec::new();
    };
    let mut emit = SetEmit::default();
    run(
        &SetContext {
            objects: wanted,
            inventory,
            options,
            pods,
        },
        &mut emit,
    );
    emit.hits
}

/// Runs one Dockerfile check on a parsed Dockerfile (nothing for other checks).
pub fn run_dockerfile_check(
    check: &Check,
    file: &stockade_dockerfile::Dockerfile,
    options: &Options,
) -> Vec<Hit> {
    let mut emit = Emit::default();
    if let Run::Dockerfile(run) = check.run {
        run(&DockerfileContext { file, options }, &mut emit);
    }
    emit.hits
}

/// Runs one image check on an image's facts (nothing for other checks); `now` is the
/// current time in seconds since the Unix epoch.
pub fn run_image_check(
    check: &Check,
    image: &stockade_model::ImageFacts,
    options: &Options,
    now: i64,
) -> Vec<Hit> {
    let mut emit = Emit::default();
    if let Run::Image(run) = check.run {
        run(
            &ImageContext {
                image,
                options,
                now,
            },
            &mut emit,
        );
    }
    emit.hits
}
