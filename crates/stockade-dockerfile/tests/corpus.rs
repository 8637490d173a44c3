//! Every Dockerfile of the shared corpus (../shared/corpus/dockerfiles) parses without errors
//! and each file's stages and instructions are found.

#[test]
fn corpus_dockerfiles_parse_cleanly() {
    let Some(root) = stockade_testdata::shared("corpus/dockerfiles") else {
        return;
    };
    let files = stockade_testdata::files(&root, &[]);
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
