//! Catalog-wide tests: fixtures per check (snapshotted), doc examples produce exactly the
//! findings they mark, generated docs are current, metadata is well-formed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use stockade_checks::{Category, Check, Options, all, docs, run_check};
use stockade_model::{load, pod_specs};

/// The `options:` part of a configuration file, as fixtures and doc examples write it.
#[derive(serde::Deserialize)]
struct WithOptions {
    options: Options,
}

fn parse_options(what: &str, yaml: &str) -> Options {
    serde_saphyr::from_str::<WithOptions>(yaml)
        .unwrap_or_else(|e| panic!("{what}: bad options: {e}"))
        .options
}

/// Options a check's doc shows in a ```yaml block of its Options section; the doc example
/// runs with them (a check that is inert without options still needs a real example).
fn doc_options(check: &Check, doc: &str) -> Options {
    let Some(section) = doc.split("## Options").nth(1) else {
        return Options::default();
    };
    let section = section.split("\n## ").next().unwrap_or("");
    match section.split("```yaml\n").nth(1) {
        Some(block) => parse_options(check.name, block.split("```").next().unwrap_or("")),
        None => Options::default(),
    }
}

/// The fixed "now" image fixtures and doc examples are judged at (2025-01-01).
const NOW: i64 = 1_735_689_600;

fn hits(check: &Check, name: &str, yaml: &str, options: &Options) -> Vec<stockade_checks::Hit> {
    if matches!(check.run, stockade_checks::Run::Image(_)) {
        // Image fixtures and examples are the facts the checks see, written as YAML.
        let facts: stockade_model::ImageFacts =
            serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{name}: not image facts: {e}"));
        return stockade_checks::run_image_check(check, &facts, options, NOW);
    }
    if matches!(check.run, stockade_checks::Run::Dockerfile(_)) {
        // Doc examples mark findings with a trailing `# finding`, which Dockerfile syntax
        // only allows at the start of a line: drop it before parsing.
        let text: String = yaml
            .lines()
            .map(|l| l.strip_suffix(" # finding").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let df = stockade_dockerfile::parse(&text);
        assert!(
            df.errors.is_empty(),
            "{name}: fixture does not parse cleanly: {:?}",
            df.errors
        );
        return stockade_checks::run_dockerfile_check(check, &df, options);
    }
    let loaded = load(name, yaml.as_bytes());
    assert!(
        loaded
            .errors
            .iter()
            .all(|e| e.level == stockade_model::Level::Warning),
        "{name}: fixture does not load cleanly: {:?}",
        loaded.errors
    );
    assert!(!loaded.objects.is_empty(), "{name}: no objects");
    if matches!(check.run, stockade_checks::Run::Set { .. }) {
        let objects: Vec<std::sync::Arc<stockade_model::Object>> = loaded
            .objects
            .into_iter()
            .map(std::sync::Arc::new)
            .collect();
        let inventory: Vec<_> = objects
            .iter()
            .map(|o| stockade_checks::ObjectId::of(o))
            .collect();
        return stockade_checks::run_set_check(check, &objects, &inventory, options)
            .into_iter()
            .map(|(_, h)| h)
            .collect();
    }
    let mut out = Vec::new();
    for obj in &loaded.objects {
        let pods = pod_specs(obj);
        out.extend(run_check(check, obj, &pods, options));
    }
    out
}

fn object_checks() -> impl Iterator<Item = &'static Check> {
    all()
        .iter()
        .copied()
        // Engine-emitted checks (suppression bookkeeping, image signatures) have no object logic.
        .filter(|c| c.category != Category::Meta && !matches!(c.run, stockade_checks::Run::Engine))
}

fn fixture_dir(check: &Check) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(check.name)
}

#[test]
fn every_check_has_valid_and_invalid_fixtures_that_behave() {
    let mut failures = Vec::new();
    for check in object_checks() {
        let dir = fixture_dir(check);
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => {
                failures.push(format!(
                    "{}: no fixture folder {}",
                    check.name,
                    dir.display()
                ));
                continue;
            }
        };
        files.sort();
        // `options.yaml` (a configuration's `options:` block) applies to every fixture of the check.
        let options = match std::fs::read_to_string(dir.join("options.yaml")) {
            Ok(text) => parse_options(&format!("{}/options.yaml", check.name), &text),
            Err(_) => Options::default(),
        };
        let stem = |p: &PathBuf| p.file_stem().unwrap().to_string_lossy().to_string();
        if !files.iter().any(|p| stem(p).starts_with("valid"))
            || !files.iter().any(|p| stem(p).starts_with("invalid"))
        {
            failures.push(format!(
                "{}: needs valid* and invalid* fixtures (.yaml, or .Dockerfile for Dockerfile checks)",
                check.name
            ));
            continue;
        }
        for f in files.iter().filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "Dockerfile")
                && stem(p) != "options"
        }) {
            let text = std::fs::read_to_string(f).unwrap();
            let name = format!(
                "{}/{}",
                check.name,
                f.file_name().unwrap().to_string_lossy()
            );
            let found = hits(check, &name, &text, &options);
            if stem(f).starts_with("valid") {
                if !found.is_empty() {
                    failures.push(format!("{name}: expected no findings, got {found:#?}"));
                }
                continue;
            }
            if found.is_empty() {
                failures.push(format!("{name}: expected findings, got none"));
                continue;
            }
            let rendered: String = found
                .iter()
                .map(|h| {
                    format!(
                        "{}:{}:{} {} [{}] {}\n",
                        name,
                        h.pos.line,
                        h.pos.col,
                        h.path,
                        h.container.as_deref().unwrap_or("-"),
                        h.message
                    )
                })
                .collect();
            insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{}__{}", check.name, stem(f)), rendered);
            });
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn doc_examples_produce_exactly_the_marked_findings() {
    let mut failures = Vec::new();
    for check in object_checks() {
        let doc = docs::doc(check);
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Options",
        ] {
            if !doc.contains(section) {
                failures.push(format!("{}: doc lacks `{section}`", check.name));
            }
        }
        let options = doc_options(check, doc);
        let Some((bad, good)) = docs::examples(doc) else {
            failures.push(format!(
                "{}: Example needs a failing and a fixed ```yaml (or ```dockerfile) block",
                check.name
            ));
            continue;
        };
        let marked: Vec<u32> = bad
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_end().ends_with("# finding"))
            .map(|(i, _)| i as u32 + 1)
            .collect();
        let found = hits(check, "example", &bad, &options);
        let mut got: Vec<u32> = found.iter().map(|h| h.pos.line).collect();
        got.sort_unstable();
        if matches!(check.run, stockade_checks::Run::Image(_)) {
            // Images have no lines: one finding per marked line, in any order.
            if marked.is_empty() || found.len() != marked.len() {
                failures.push(format!(
                    "{}: example marks {} lines but has {} findings: {found:?}",
                    check.name,
                    marked.len(),
                    found.len()
                ));
            }
        } else if marked.is_empty() || got != marked {
            failures.push(format!(
                "{}: example marks lines {marked:?} but findings are on {got:?}",
                check.name
            ));
        }
        let fixed = hits(check, "fixed", &good, &options);
        if !fixed.is_empty() {
            failures.push(format!(
                "{}: fixed example still has findings: {fixed:?}",
                check.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn generated_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks");
    let mut expected = vec![("README.md".to_string(), docs::index(all()))];
    for c in all() {
        expected.push((format!("{}.md", c.name), docs::page(c)));
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &expected {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let on_disk: HashSet<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    for extra in on_disk
        .iter()
        .filter(|n| !expected.iter().any(|(e, _)| e == *n))
    {
        stale.push(format!("{extra} (no such check)"));
    }
    assert!(
        stale.is_empty(),
        "docs/checks is stale ({}); run `UPDATE_DOCS=1 cargo test -p stockade-checks --test catalog`",
        stale.join(", ")
    );
}

#[test]
fn metadata_is_well_formed_and_ids_unique() {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    let mut prev = "STK000";
    for c in all() {
        assert!(ids.insert(c.id), "duplicate ID {}", c.id);
        assert!(names.insert(c.name), "duplicate name {}", c.name);
        let number = |id: &str| id[3..].parse::<u32>().unwrap_or(0);
        assert!(
            number(c.id) > number(prev),
            "catalog not ordered by ID at {}",
            c.id
        );
        prev = c.id;
        assert!(
            c.id.starts_with("STK")
                && (c.id.len() == 6 || c.id.len() == 7)
                && c.id[3..].bytes().all(|b| b.is_ascii_digit()),
            "bad ID {}",
            c.id
        );
        assert!(
            c.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "bad name {}",
            c.name
        );
        assert!(
            !docs::doc(c).is_empty(),
            "{}: no doc comment (file name must match the check name)",
            c.name
        );
        assert!(
            !c.summary.is_empty() && !c.remediation.is_empty(),
            "{}: summary/remediation",
            c.name
        );
        for a in c.aliases {
            assert!(
                a.split_once(':')
                    .is_some_and(|(t, id)| !t.is_empty() && !id.is_empty()),
                "{}: alias `{a}` is not tool:ID",
                c.name
            );
        }
    }
}
