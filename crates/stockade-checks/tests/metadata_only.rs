//! A set check's `metadata_only` promise: of the objects it names, it reads nothing but
//! `apiVersion`, `kind` and `metadata` (the engine keeps only those of an object when every
//! check that wants it says so). Each such check gives the same hits with those objects cut
//! down as with them whole, over the real-world corpus and over every set check's fixtures.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use stockade_checks::{Check, ObjectId, Options, Run, all};
use stockade_model::{Object, load, pod_specs};

fn corpus() -> Option<PathBuf> {
    stockade_testdata::shared("corpus/realworld")
}

/// The manifests below `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    out.extend(stockade_testdata::files(dir, &["yaml", "yml", "json"]));
}

fn objects_of(paths: &[PathBuf]) -> Vec<Object> {
    paths
        .iter()
        .flat_map(|p| load(&p.to_string_lossy(), &std::fs::read(p).unwrap()).objects)
        .collect()
}

/// A hit as (object, line, column, path, message).
type Found = (String, u32, u32, String, String);

/// The check's hits over the objects it wants;
/// with `cut`, those of them it reads only the metadata of are cut down to it first (as the
/// engine does: what an object is wanted for is asked of it whole). Returns how many were cut.
fn hits(check: &Check, objects: &[Object], cut: bool) -> (Vec<Found>, usize) {
    let Run::Set {
        wants,
        metadata_only: Some(metadata_only),
        ..
    } = check.run
    else {
        unreachable!()
    };
    let inventory: Vec<ObjectId> = objects.iter().map(ObjectId::of).collect();
    let mut n = 0;
    let wanted: Vec<Arc<Object>> = objects
        .iter()
        .filter_map(|o| {
            let pods = pod_specs(o);
            if !wants(o, &pods) {
                return None;
            }
            let mut o = o.clone();
            if cut && metadata_only(&o, &pods) {
                drop(pods);
                o.keep_metadata_only();
                n += 1;
            }
            Some(Arc::new(o))
        })
        .collect();
    let hits = stockade_checks::run_set_check_on(check, &wanted, &inventory, &Options::default())
        .into_iter()
        .map(|(o, h)| {
            (
                format!("{} {:?}/{}", o.kind, o.namespace, o.name),
                h.pos.line,
                h.pos.col,
                h.path,
                h.message,
            )
        })
        .collect();
    (hits, n)
}

#[test]
fn checks_that_read_only_metadata_find_the_same_with_only_metadata() {
    let checks: Vec<&Check> = all()
        .iter()
        .copied()
        .filter(|c| {
            matches!(
                c.run,
                Run::Set {
                    metadata_only: Some(_),
                    ..
                }
            )
        })
        .collect();
    assert!(checks.len() >= 5, "{} checks", checks.len());
    let mut sets: Vec<(String, Vec<Object>)> = Vec::new();
    if let Some(dir) = corpus() {
        let mut paths = Vec::new();
        files(&dir, &mut paths);
        sets.push(("realworld".into(), objects_of(&paths)));
    }
    for check in &checks {
        let mut paths = Vec::new();
        files(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(check.name),
            &mut paths,
        );
        assert!(!paths.is_empty(), "{}: no fixtures", check.id);
        for p in paths {
            sets.push((p.display().to_string(), objects_of(&[p])));
        }
    }
    for check in &checks {
        let mut cut_somewhere = 0;
        let mut found = 0;
        for (name, objects) in &sets {
            let (whole, _) = hits(check, objects, false);
            let (cut, n) = hits(check, objects, true);
            cut_somewhere += n;
            found += whole.len();
            assert_eq!(whole, cut, "{} on {name}", check.id);
        }
        assert!(cut_somewhere > 0, "{}: no object was cut down", check.id);
        assert!(found > 0, "{}: no hit anywhere", check.id);
    }
}
