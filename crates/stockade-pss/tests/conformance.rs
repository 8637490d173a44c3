//! Upstream Pod Security Admission conformance: every fixture of
//! `pod-security-admission/test/testdata/{baseline,restricted}/v1.N/{pass,fail}/*.yaml` is
//! evaluated at its own level and version. A `pass/` fixture must be admitted; a `fail/` fixture
//! must be rejected, and by the check it was written for.
//!
//! The fixture's check is its file name without the trailing number (lower-cased upstream check
//! ID). At restricted level upstream replaces some baseline checks by stricter restricted ones
//! (`hostPathVolumes` by `restrictedVolumes`, ...); for such a fixture the replacing check is
//! the one that must reject it, exactly as the API server reports it.

use std::path::{Path, PathBuf};

use stockade_pss::{CONTROLS, Level, Version, evaluate};

struct Fixture {
    path: PathBuf,
    level: Level,
    version: Version,
    pass: bool,
}

fn fixtures(root: &Path) -> Vec<Fixture> {
    let mut out = Vec::new();
    for (level_dir, level) in [
        ("baseline", Level::Baseline),
        ("restricted", Level::Restricted),
    ] {
        let Ok(versions) = std::fs::read_dir(root.join(level_dir)) else {
            panic!("{} is missing", root.join(level_dir).display());
        };
        for v in versions {
            let v = v.expect("readable directory entry");
            let name = v.file_name().to_string_lossy().into_owned();
            let version: Version = name
                .parse()
                .unwrap_or_else(|e| panic!("{}: {e}", v.path().display()));
            for (sub, pass) in [("pass", true), ("fail", false)] {
                let dir = v.path().join(sub);
                let Ok(files) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for f in files {
                    let f = f.expect("readable directory entry").path();
                    if f.extension().is_some_and(|e| e == "yaml") {
                        out.push(Fixture {
                            path: f,
                            level,
                            version,
                            pass,
                        });
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Every `.yaml` file under the tree, counted independently of the walk above.
fn count_yaml(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir)
        .expect("readable directory")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            n += count_yaml(&p);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            n += 1;
        }
    }
    n
}

/// Upstream check ID for a fixture file name such as `capabilities_baseline3.yaml`.
fn check_id(path: &Path) -> Option<&'static str> {
    let stem = path.file_stem()?.to_str()?;
    let base = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    CONTROLS
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(base))
        .map(|c| c.id)
}

/// The check that must reject a fixture written for `id` at this level and version: the check
/// itself, or at restricted level the restricted check that replaces it.
fn expected_check(id: &'static str, level: Level, version: Version) -> &'static str {
    if level == Level::Restricted {
        let minor = version.effective_minor();
        if let Some(c) = CONTROLS
            .iter()
            .find(|c| c.level == Level::Restricted && minor >= c.since && c.overrides.contains(&id))
        {
            return c.id;
        }
    }
    id
}

#[test]
fn upstream_fixtures() {
    let Some(root) = stockade_testdata::shared("conformance/pod-security-admission/test/testdata")
    else {
        return;
    };

    let all = fixtures(&root);
    let on_disk = count_yaml(&root);
    let mut failures = Vec::new();
    let mut evaluated = 0usize;
    let (mut passed_pass, mut passed_fail) = (0usize, 0usize);

    for fx in &all {
        let rel = fx.path.strip_prefix(&root).unwrap_or(&fx.path).display();
        let bytes = match std::fs::read(&fx.path) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{rel}: unreadable: {e}"));
                continue;
            }
        };
        let loaded = stockade_model::load(&fx.path.to_string_lossy(), &bytes);
        if !loaded.errors.is_empty() {
            failures.push(format!("{rel}: load errors: {:?}", loaded.errors));
            continue;
        }
        let specs: Vec<_> = loaded
            .objects
            .iter()
            .flat_map(stockade_model::pod_specs)
            .collect();
        if specs.len() != 1 {
            failures.push(format!("{rel}: expected 1 pod spec, found {}", specs.len()));
            continue;
        }
        let violations = evaluate(fx.level, fx.version, &specs[0]);
        evaluated += 1;
        let got: Vec<&str> = violations.iter().map(|v| v.check).collect();
        if fx.pass {
            if violations.is_empty() {
                passed_pass += 1;
            } else {
                failures.push(format!(
                    "{rel}: expected allowed at {}:{}, got {}",
                    fx.level,
                    fx.version,
                    stockade_pss::message(fx.level, fx.version, &violations)
                ));
            }
            continue;
        }
        let Some(id) = check_id(&fx.path) else {
            failures.push(format!("{rel}: file name names no known check"));
            continue;
        };
        let want = expected_check(id, fx.level, fx.version);
        if got.contains(&want) {
            passed_fail += 1;
        } else if violations.is_empty() {
            failures.push(format!(
                "{rel}: expected {want} to forbid it at {}:{}, but it was allowed",
                fx.level, fx.version
            ));
        } else {
            failures.push(format!(
                "{rel}: expected {want} among the violations, got {got:?}: {}",
                stockade_pss::message(fx.level, fx.version, &violations)
            ));
        }
    }

    for f in &failures {
        eprintln!("MISMATCH {f}");
    }
    eprintln!(
        "conformance: {evaluated} evaluated of {} fixtures found ({on_disk} .yaml on disk): \
         {passed_pass} pass fixtures admitted, {passed_fail} fail fixtures rejected, {} mismatches",
        all.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixtures mismatched (listed above)",
        failures.len(),
        all.len()
    );
    assert_eq!(all.len(), on_disk, "every .yaml file on disk is a fixture");
    assert_eq!(evaluated, all.len(), "no fixture may be skipped");
    // Upstream v1.0 .. v1.37 ships 4,537 fixtures (4,538 files with testdata/README.md).
    assert!(
        evaluated >= 4537,
        "only {evaluated} fixtures evaluated; expected at least 4537"
    );
}
