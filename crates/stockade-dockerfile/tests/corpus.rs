//! Every Dockerfile of the shared corpus (../shared/corpus/dockerfiles) parses without errors
//! and each file's stages and instructions are found.

use std::path::Path;

#[test]
fn corpus_dockerfiles_parse_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dockerfiles");
    if std::env::var_os("STOCKADE_SKIP_CONFORMANCE").is_some() {
        eprintln!("SKIPPED: STOCKADE_SKIP_CONFORMANCE is set");
        return;
    }
    assert!(
        root.is_dir(),
        "{} is absent (set STOCKADE_SKIP_CONFORMANCE=1 to skip)",
        root.display()
    );
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 104);
    let mut problems = Vec::new();
    let mut instructions = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let df = stockade_dockerfile::parse(&text);
        instructions += df.instructions.len();
        for e in &df.errors {
            problems.push(format!("{}: {e}", f.display()));
        }
        if df.stages.is_empty() {
            problems.push(format!("{}: no stages", f.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(instructions > 1000, "only {instructions} instructions");
}
