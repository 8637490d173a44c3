//! Every finding is at the line and column of the field its path names, or, for a field that is
//! not there, of the nearest enclosing field that is: a check that reports a field the object
//! lacks (no `metadata`, no `spec`) points at the document itself, never at line 0.

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
    // `metadata` and `spec`, and with only a name.
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
        let objects = stockade_model::load("bare.yaml", text.as_bytes()).objects;
        for f in result.findings.iter() {
            assert!(f.line >= 1 && f.column >= 1, "{f:?}");
            if let Some(wrong) = off_its_field(&objects, f) {
                panic!("{wrong}");
            }
        }
        findings += result.findings.len();
    }
    assert!(
        findings > docs.len(),
        "the bare objects have findings: {findings}"
    );
}

/// The paths a field path goes through, longest first: `a.b[0].c` → `a.b[0]`, `a.b`, `a`.
fn ancestors(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    for (i, c) in path.bytes().enumerate() {
        match c {
            b'"' => quoted = !quoted,
            b'.' | b'[' if !quoted && i > 0 => out.push(&path[..i]),
            _ => {}
        }
    }
    out.reverse();
    out
}

/// Why `f` is not at the field its path names (or the nearest enclosing one there is) in the
/// object of `objects` it is about, if it is not.
fn off_its_field(
    objects: &[stockade_model::Object],
    f: &stockade_model::Finding,
) -> Option<String> {
    // The object: the last one of that kind and name starting at or before the line (the
    // namespace is left out: a set check may name the one an object defaults to).
    let Some(o) = objects
        .iter()
        .filter(|o| o.kind == f.object.kind && o.name == f.object.name && o.root.pos.line <= f.line)
        .max_by_key(|o| o.root.pos.line)
    else {
        return Some(format!(
            "{}:{} {} {}: on no object of its file",
            f.file, f.line, f.check, f.path
        ));
    };
    // The field the path names, or, for a field that is not there, the nearest one that is
    // (the enclosing object), else the object itself.
    let at = o
        .root
        .at_path(&f.path)
        .or_else(|| {
            ancestors(&f.path)
                .into_iter()
                .find_map(|a| o.root.at_path(a))
        })
        .unwrap_or(&o.root);
    ((at.pos.line, at.pos.col) != (f.line, f.column)).then(|| {
        format!(
            "{}:{}:{} {} {}: the field is at {}:{}",
            f.file, f.line, f.column, f.check, f.path, at.pos.line, at.pos.col
        )
    })
}

#[test]
fn a_finding_is_at_the_line_and_column_of_the_field_its_path_names() {
    let Some(corpus) = stockade_testdata::shared("corpus/realworld") else {
        return;
    };
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stockade-checks/tests/fixtures");
    let config = Config {
        select: Some(vec!["all".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).expect("every check");
    let mut files = stockade_testdata::files(&corpus, &["yaml", "yml", "json"]);
    files.extend(stockade_testdata::files(&fixtures, &["yaml"]));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for dir_files in files.chunks(64) {
        let inputs: Vec<Input> = dir_files.iter().map(|p| Input::File(p.clone())).collect();
        let result = engine.scan(&inputs);
        let mut loaded = std::collections::HashMap::new();
        for f in result.findings.iter() {
            let path = dir_files
                .iter()
                .find(|p| p.to_str() == Some(&*f.file))
                .expect("a finding names its file");
            let objects = loaded.entry(path).or_insert_with(|| {
                stockade_model::load(&f.file, &std::fs::read(path).unwrap()).objects
            });
            checked += 1;
            wrong.extend(off_its_field(objects, f));
        }
    }
    assert!(checked > 20_000, "{checked} findings checked");
    assert!(
        wrong.is_empty(),
        "{} findings off their field:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
