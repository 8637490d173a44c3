//! The whole catalog over the real-world corpus: the count of findings per check is
//! snapshotted, so any change in behaviour on real manifests shows up in review.

use std::collections::BTreeMap;
use std::path::PathBuf;

use stockade_engine::{Config, Engine, collect_inputs};

fn corpus() -> Option<PathBuf> {
    stockade_testdata::shared("corpus/realworld")
}

#[test]
fn findings_per_check_on_the_realworld_corpus() {
    let Some(dir) = corpus() else { return };
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).unwrap();
    let (inputs, errors) = collect_inputs(&[dir]);
    assert!(errors.is_empty(), "{errors:?}");
    let result = engine.scan(&inputs);
    assert_eq!(result.summary.files, 1025);
    assert_eq!(result.summary.objects, 1721);
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for f in &result.findings {
        *counts.entry((&f.check, &f.name)).or_default() += 1;
    }
    // In catalog order: STK201 before STK1001 (as text, "STK1001" < "STK201").
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|((a, _), _), ((b, _), _)| stockade_model::check_id_cmp(a, b));
    let mut text = String::new();
    for ((check, name), n) in &counts {
        text.push_str(&format!("{check} {name}: {n}\n"));
    }
    text.push_str(&format!(
        "total: {} findings, {} input errors, {} warnings\n",
        result.summary.findings, result.summary.errors, result.summary.warnings
    ));
    insta::assert_snapshot!(text);
}
