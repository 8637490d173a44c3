//! Every finding has a line: a check that reports a field the object lacks (no `metadata`, no
//! `spec`) points at the nearest enclosing object, the document itself, never at line 0.

use std::collections::BTreeSet;

use stockade_engine::{Config, Engine, Input};

#[test]
fn a_finding_on_a_missing_field_is_at_its_objects_line() {
    let Some(dir) = stockade_testdata::shared("corpus/realworld") else {
        return;
    };
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).expect("every check");
    // Every apiVersion and kind of the real-world corpus, bare (nothing but them), with empty
    // `metadata` and `spec`, and with only a name: one set, so the set checks see them too.
    let kinds: BTreeSet<(String, String)> = stockade_testdata::files(&dir, &["yaml", "yml"])
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|b| stockade_model::load("x", &b).objects)
        .map(|o| (o.api_version, o.kind))
        .collect();
    assert!(kinds.len() > 100, "{} kinds", kinds.len());
    let mut docs = Vec::new();
    for (api_version, kind) in &kinds {
        let head = format!("apiVersion: {api_version}\nkind: {kind}\n");
        docs.push(head.clone());
        docs.push(format!("# empty\n{head}metadata: {{}}\nspec: {{}}\n"));
        docs.push(format!("{head}metadata:\n  name: a\n"));
    }
    // All in one set (the set checks see them beside each other), and each alone (a set check
    // may say nothing when another object is there, such as a policy engine).
    let together = docs.iter().map(|d| format!("---\n{d}")).collect::<String>();
    let mut findings = 0;
    for text in std::iter::once(&together).chain(&docs) {
        let result = engine.scan(&[Input::Bytes("bare.yaml".into(), text.as_bytes().into())]);
        assert!(
            !result.errors.iter().any(|e| e.message.contains("a bug")),
            "{:?}",
            result.errors
        );
        let lines: Vec<&str> = text.lines().collect();
        for f in result.findings.iter() {
            assert!(f.line >= 1 && f.column >= 1, "{f:?}");
            // At the object's `apiVersion:` line or inside the object.
            let at = lines[..f.line as usize]
                .iter()
                .rposition(|l| l.starts_with("apiVersion: "))
                .map(|i| lines[i + 1]);
            assert_eq!(at, Some(&*format!("kind: {}", f.object.kind)), "{f:?}");
        }
        findings += result.findings.len();
    }
    assert!(
        findings > docs.len(),
        "the bare objects have findings: {findings}"
    );
}
