//! Every check, object and set, on real manifests whose fields hold values of the wrong type:
//! a mapping where a list belongs, a number where a mapping belongs, `null`, an empty list,
//! a huge or negative number, a string of digits. The YAML stays valid, so the loader accepts
//! it and the checks see the odd tree (the API server would refuse these objects; a scanner
//! reads them from a repository before it does). No check may panic (the engine would report
//! it as an error naming the check), no finding may lack a line, and the scan must still
//! report the file's other objects.

use stockade_engine::{Config, Engine, Input};
use stockade_model::LoadError;

/// An error the engine made of a check or policy that panicked (`tests/panics.rs`).
fn is_a_bug(e: &LoadError) -> bool {
    e.message.contains("a bug in Stockade")
}

#[test]
fn no_check_panics_on_fields_of_the_wrong_type() {
    let Some(dir) = stockade_testdata::shared("corpus/realworld") else {
        return;
    };
    let files = stockade_testdata::files(&dir, &["yaml", "yml"]);
    assert!(files.len() > 500, "the realworld corpus is there");
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).expect("every check");
    let texts: Vec<(String, String)> = files
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let inputs = |texts: &[(String, String)]| -> Vec<Input> {
        texts
            .iter()
            .map(|(n, t)| Input::Bytes(n.as_str().into(), t.as_bytes().into()))
            .collect()
    };
    let objects = engine.scan(&inputs(&texts)).summary.objects;
    // Sets of 64 mutated files: the set checks see odd objects beside each other. Release
    // runs can ask for more rounds (`ODD_ROUNDS=300 cargo test --release ...`).
    let mut seen = Vec::new();
    let failures = stockade_testdata::odd::scan_mutated(
        &texts,
        5,
        64,
        |texts| {
            let result = engine.scan(&inputs(texts));
            // The engine catches a check that panics and reports it as an error: here that
            // error fails the scan as the panic would.
            if let Some(e) = result.errors.iter().find(|e| is_a_bug(e)) {
                panic!("{e}");
            }
            // And no finding is without a line (a missing field's is its object's).
            if let Some(f) = result
                .findings
                .iter()
                .find(|f| f.line == 0 || f.column == 0)
            {
                panic!("a finding without a line: {f:?}");
            }
            result.summary.objects
        },
        |round, n| {
            seen.resize(seen.len().max(round + 1), 0);
            seen[round] += n;
        },
    );
    assert!(
        failures.is_empty(),
        "{} scans panicked:\n{}",
        failures.len(),
        failures.join("\n=====\n")
    );
    // A value replaced under `kind:` or at a document's top loses that object; nothing else
    // may (an odd field is a finding or nothing, not a lost object).
    assert!(!seen.is_empty());
    for (round, n) in seen.iter().enumerate() {
        assert!(
            n * 10 >= objects * 9,
            "round {round}: {n} of {objects} objects scanned"
        );
    }
}
