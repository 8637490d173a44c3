//! Every Gatekeeper library template with its sample constraints, beside every built-in check,
//! on real manifests whose fields hold values of the wrong type (`stockade_testdata::odd`):
//! Rego reads odd trees through `input.review.object` and `data.inventory`. No policy may
//! panic or stop the scan, and the policies still report.

use std::sync::Arc;

use stockade_engine::{Config, Engine, Input};
use stockade_policy::PolicySet;

#[test]
fn no_policy_panics_on_fields_of_the_wrong_type() {
    let (Some(library), Some(corpus)) = (
        stockade_testdata::shared("conformance/gatekeeper-library/library"),
        stockade_testdata::shared("corpus/realworld"),
    ) else {
        return;
    };
    let policies: Vec<_> = stockade_testdata::files(&library, &["yaml"])
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str());
            name == Some("template.yaml")
                || (name == Some("constraint.yaml")
                    && p.components().any(|c| c.as_os_str() == "samples"))
        })
        .collect();
    let (set, _) = PolicySet::load(&policies);
    assert!(set.templates().len() >= 40 && set.constraints().len() >= 60);
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false)
        .unwrap()
        .with_extra(Arc::new(set));
    let texts: Vec<(String, String)> = stockade_testdata::files(&corpus, &["yaml", "yml"])
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let mut policy_findings = 0;
    let failures = stockade_testdata::odd::scan_mutated(
        &texts,
        1,
        64,
        |texts| {
            let inputs: Vec<Input> = texts
                .iter()
                .map(|(n, t)| Input::Bytes(n.as_str().into(), t.as_bytes().into()))
                .collect();
            let result = engine.scan(&inputs);
            // The engine catches a policy or check that panics and reports it as an error
            // (`stockade-engine/tests/panics.rs`): here that error fails the scan.
            if let Some(e) = result
                .errors
                .iter()
                .find(|e| e.message.contains("a bug in Stockade"))
            {
                panic!("{e}");
            }
            // A constraint's findings are named `Kind/name`.
            result
                .findings
                .iter()
                .filter(|f| f.check.contains('/'))
                .count()
        },
        |_, n| policy_findings += n,
    );
    assert!(
        failures.is_empty(),
        "{} scans panicked:\n{}",
        failures.len(),
        failures.join("\n=====\n")
    );
    assert!(policy_findings > 1_000, "{policy_findings} policy findings");
}
