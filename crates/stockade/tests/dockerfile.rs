//! `stockade dockerfile lint` and `stockade scan` on Dockerfiles, through the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfile")
}

fn run(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .output()
        .expect("run stockade");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        v,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn brief(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let short = file.rsplit_once("dockerfile/").map_or(file, |(_, s)| s);
            format!(
                "{short}:{}:{} {}",
                f["line"],
                f["column"],
                f["check"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn dockerfile_lint_reads_named_files_as_dockerfiles_and_directories_for_dockerfiles() {
    let dir = fixtures();
    let build = dir.join("build.txt");
    let (code, v, _) = run(&[
        "dockerfile",
        "lint",
        "--no-config",
        "--format",
        "json",
        "--fail-on",
        "medium",
        dir.to_str().unwrap(),
        build.to_str().unwrap(),
    ]);
    assert_eq!(
        brief(&v),
        [
            // ARG BASE=python substituted: untagged base image.
            "svc/Dockerfile:3:6 STK1002",
            "svc/Dockerfile:4:9 STK1007",
            "svc/Dockerfile:4:17 STK1006",
            "svc/Dockerfile:8:5 STK1019",
            // build.txt, named on the command line: a single-stage build on a compiler image.
            "build.txt:1:1 STK1024",
        ]
    );
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["objects"], 2);
    assert_eq!(v["findings"][0]["object"]["kind"], "Dockerfile");
    assert_eq!(v["findings"][0]["aliases"][0], "hadolint:DL3006");
}

#[test]
fn scan_picks_up_dockerfiles_and_sarif_carries_their_lines() {
    let dir = fixtures();
    let (code, v, _) = run(&[
        "scan",
        "--no-config",
        "--format",
        "json",
        "--select",
        "dockerfile",
        dir.to_str().unwrap(),
    ]);
    // build.txt is not a Dockerfile by name: only svc/Dockerfile is read.
    assert_eq!(v["summary"]["files"], 1);
    // The category selects the opt-in checks too (digest pinning, HEALTHCHECK).
    assert_eq!(
        brief(&v),
        [
            "svc/Dockerfile:3:1 STK1016",
            "svc/Dockerfile:3:6 STK1002",
            "svc/Dockerfile:3:6 STK1003",
            "svc/Dockerfile:4:9 STK1007",
            "svc/Dockerfile:4:17 STK1006",
            "svc/Dockerfile:8:5 STK1019",
        ]
    );
    assert_eq!(code, 0, "default --fail-on high: these are medium and low");
    let (_, _, sarif) = run(&[
        "scan",
        "--no-config",
        "--format",
        "sarif",
        "--select",
        "DL3025",
        dir.to_str().unwrap(),
    ]);
    let s: Value = serde_json::from_str(&sarif).unwrap();
    let result = &s["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "STK1019");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        8
    );
}

#[test]
fn the_projects_own_image_passes_every_dockerfile_check_but_digest_pinning_and_healthcheck() {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Dockerfile");
    let (code, v, out) = run(&[
        "dockerfile",
        "lint",
        "--format",
        "json",
        "--select",
        "dockerfile",
        "--ignore",
        "STK1003",
        ours.to_str().unwrap(),
    ]);
    assert_eq!((code, brief(&v)), (0, Vec::<String>::new()), "{out}");
}
