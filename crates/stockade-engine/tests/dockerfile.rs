//! Dockerfiles in a scanned directory go through the Dockerfile checks (not the YAML loader),
//! with file:line findings, comment suppressions, parse errors with lines, and selection by alias.

use stockade_engine::{Config, Engine, collect_dockerfiles, collect_inputs};

const DOCKERFILE: &str = "FROM ubuntu
# stockade:ignore=dockerfile-package-cache-kept the lists are removed in the base image
RUN apt-get update && apt-get install -y --no-install-recommends curl=8.5.0-2
# hadolint ignore=DL3003
RUN cd /tmp && make
FROBNICATE
RUN sudo true
";

fn write(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(dir.join("app/Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27.3\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "FROM x\n").unwrap();
}

fn lines(result: &stockade_engine::ScanResult, file_suffix: &str) -> Vec<String> {
    result
        .findings
        .iter()
        .filter(|f| f.file.ends_with(file_suffix))
        .map(|f| format!("{}:{} {} {}", f.line, f.column, f.check, f.object.kind))
        .collect()
}

#[test]
fn scan_finds_dockerfile_findings_with_lines_and_applies_comment_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let (inputs, errors) = collect_inputs(&[dir.path().to_path_buf()]);
    assert!(errors.is_empty());
    // The Dockerfile and the YAML file; not notes.txt.
    assert_eq!(inputs.len(), 2);
    let engine = Engine::new(&Config::default(), false).unwrap();
    let result = engine.scan(&inputs);
    assert_eq!(
        lines(&result, "app/Dockerfile"),
        [
            "1:1 STK1001 Dockerfile", // no USER
            "1:6 STK1002 Dockerfile", // FROM ubuntu (untagged)
            "7:5 STK1011 Dockerfile", // sudo
        ]
    );
    // The parse error names the line; the rest of the file was still checked.
    assert_eq!(result.errors.len(), 1);
    assert_eq!(result.errors[0].line, 6);
    assert!(
        result.errors[0]
            .to_string()
            .contains("Dockerfile:6:1: unknown instruction `FROBNICATE`")
    );
    // stockade:ignore silenced the cache finding; hadolint ignore=DL3003 the `cd` one.
    assert_eq!(result.summary.suppressed, 2);
    assert_eq!(result.summary.objects, 2);

    // --strict ignores the comments.
    let strict = Engine::new(&Config::default(), true).unwrap().scan(&inputs);
    let strict_lines = lines(&strict, "app/Dockerfile");
    assert!(
        strict_lines.contains(&"3:13 STK1007 Dockerfile".to_string()),
        "{strict_lines:?}"
    );
    assert!(
        strict_lines.contains(&"5:5 STK1020 Dockerfile".to_string()),
        "{strict_lines:?}"
    );
}

#[test]
fn selection_by_hadolint_id_and_dockerfile_lint_collection() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let config = Config {
        select: Some(vec!["DL3004".into()]),
        ..Config::default()
    };
    let engine = Engine::new(&config, false).unwrap();
    let (inputs, _) = collect_dockerfiles(&[dir.path().to_path_buf()]);
    assert_eq!(inputs.len(), 1);
    let result = engine.scan(&inputs);
    assert_eq!(lines(&result, "Dockerfile"), ["7:5 STK1011 Dockerfile"]);

    // A file with another name is a Dockerfile when `dockerfiles_only` says so.
    let mut engine = Engine::new(&config, false).unwrap();
    engine.dockerfiles_only = true;
    let (inputs, _) = collect_dockerfiles(&[dir.path().join("notes.txt")]);
    let result = engine.scan(&inputs);
    assert_eq!(result.summary.objects, 1);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
}

#[test]
fn unused_and_reasonless_stockade_comments_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Containerfile"),
        "FROM alpine:3.20\n# stockade:ignore=dockerfile-sudo\nRUN sudo true\n# stockade:ignore=dockerfile-cd-in-run not needed\nRUN true\nUSER 1000\n",
    )
    .unwrap();
    let (inputs, _) = collect_inputs(&[dir.path().to_path_buf()]);
    let result = Engine::new(&Config::default(), false)
        .unwrap()
        .scan(&inputs);
    let got: Vec<String> = result
        .findings
        .iter()
        .map(|f| format!("{}:{} {}", f.line, f.column, f.name))
        .collect();
    assert_eq!(
        got,
        [
            "2:1 invalid-suppression",
            "3:5 dockerfile-sudo",
            "4:1 unused-suppression"
        ]
    );
}
