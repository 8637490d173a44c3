//! Every format on the same report: SARIF validated against the official OASIS schema
//! (tests/sarif-schema-2.1.0.json, the sarif-spec 2.1.0 schema as shipped by the serde-sarif
//! crate), JUnit well-formed, GitHub commands escaped.

use std::sync::Arc;

use stockade_model::{Finding, Findings, Level, LoadError, ObjectRef, Severity, Summary};
use stockade_report::{Format, Report};

fn sample() -> (Vec<Finding>, Vec<LoadError>, Summary) {
    let finding =
        |check: &'static str, name: &'static str, sev, file: &str, line, msg: &str| Finding {
            check: check.into(),
            name: name.into(),
            severity: sev,
            message: msg.into(),
            file: Arc::from(file),
            template: Some("chart/templates/x.yaml".into()),
            line,
            column: 7,
            object: std::sync::Arc::new(ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            }),
            container: Some("app".into()),
            path: "spec.template.spec.containers[0].securityContext.privileged".into(),
            remediation: "Remove it.".into(),
            aliases: &["checkov:CKV_K8S_16"],
        };
    let findings = vec![
        finding(
            "STK001",
            "privileged-container",
            Severity::Critical,
            "deploy/my app.yaml",
            12,
            "container \"app\" runs <privileged> & more",
        ),
        finding(
            "STK201",
            "image-tag-mutable",
            Severity::Medium,
            "deploy/my app.yaml",
            14,
            "line one\nline two: with, commas 100%",
        ),
        finding(
            "STK101",
            "host-network",
            Severity::Low,
            "other.yaml",
            3,
            "pod uses the host network",
        ),
    ];
    let errors = vec![
        LoadError {
            file: "bad.yaml".into(),
            line: 4,
            column: 2,
            level: Level::Error,
            message: "invalid YAML: x".into(),
            check: None,
        },
        LoadError {
            file: "values.yaml".into(),
            line: 0,
            column: 0,
            level: Level::Warning,
            message: "not a Kubernetes object".into(),
            check: None,
        },
    ];
    let summary = Summary {
        files: 4,
        objects: 3,
        findings: 3,
        errors: 1,
        warnings: 1,
        ..Summary::default()
    };
    (findings, errors, summary)
}

fn render(format: Format) -> String {
    let (findings, errors, summary) = sample();
    let findings = findings.into();
    let report = Report {
        findings: &findings,
        errors: &errors,
        summary: &summary,
        version: "0.1.0",
    };
    let mut out = Vec::new();
    format.write(&report, &mut out, false).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).unwrap();
    // The published schema's `language` patterns have a stray `]` that strict regex engines
    // reject when compiling the schema; Stockade never emits `language`, so fix the typo in memory.
    for def in ["run", "toolComponent"] {
        let lang = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(lang, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *lang = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &doc["runs"][0];
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "deploy/my%20app.yaml"
    );
    assert_eq!(run["results"][0]["level"], "error");
    assert_eq!(run["results"][1]["level"], "warning");
    assert_eq!(run["results"][2]["level"], "note");
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
            ["region"]["startLine"],
        4
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    // Each rule in the order its first result came, and every result's `ruleIndex` names it.
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["STK001", "STK201", "STK101"]);
    for r in run["results"].as_array().unwrap() {
        assert_eq!(ids[r["ruleIndex"].as_u64().unwrap() as usize], r["ruleId"]);
    }
    assert_eq!(rules[0]["properties"]["security-severity"], "9.5");
    // An empty report is valid too.
    let summary = Summary::default();
    let mut out = Vec::new();
    Format::Sarif
        .write(
            &Report {
                findings: &Findings::new(),
                errors: &[],
                summary: &summary,
                version: "0.1.0",
            },
            &mut out,
            false,
        )
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(validator.is_valid(&doc));
}

#[test]
fn sarif_rules_come_in_the_order_of_their_first_result() {
    // A rule is listed once, where its first result came (`ruleIndex` is known as each result
    // is written); results of one rule share its index.
    let (mut findings, errors, summary) = sample();
    findings[0].check = "STK1001".into();
    findings[0].name = "dockerfile-user-root".into();
    findings.push(findings[1].clone());
    findings.push(findings[0].clone());
    let findings = findings.into();
    let report = Report {
        findings: &findings,
        errors: &errors,
        summary: &summary,
        version: "0.1.0",
    };
    let mut out = Vec::new();
    Format::Sarif.write(&report, &mut out, false).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let run = &doc["runs"][0];
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["STK1001", "STK201", "STK101"]);
    let indexes: Vec<u64> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleIndex"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, [0, 1, 2, 1, 0]);
    // The results come first in the run: they are written as the findings come.
    let text = String::from_utf8(out).unwrap();
    assert!(text.find("\"results\"").unwrap() < text.find("\"tool\"").unwrap());
}

#[test]
fn github_annotations_escape_data_and_properties() {
    let text = render(Format::Github);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        "::error file=deploy/my app.yaml,line=12,col=7,title=STK001 privileged-container (critical)::container \"app\" runs <privileged> & more [Deployment web]"
    );
    assert_eq!(
        lines[1],
        "::warning file=deploy/my app.yaml,line=14,col=7,title=STK201 image-tag-mutable (medium)::line one%0Aline two: with, commas 100%25 [Deployment web]"
    );
    assert_eq!(
        lines[2],
        "::notice file=other.yaml,line=3,col=7,title=STK101 host-network (low)::pod uses the host network [Deployment web]"
    );
    assert_eq!(
        lines[3],
        "::error file=bad.yaml,line=4,col=2,title=stockade input error::invalid YAML: x"
    );
    assert_eq!(
        lines[4],
        "::warning file=values.yaml,title=stockade input warning::not a Kubernetes object"
    );
}

#[test]
fn junit_counts_and_escapes() {
    let text = render(Format::Junit);
    assert!(
        text.contains(r#"<testsuites name="stockade" tests="5" failures="3" errors="2">"#),
        "{text}"
    );
    assert!(
        text.contains(r#"<testsuite name="deploy/my app.yaml" tests="2" failures="2" errors="0">"#),
        "{text}"
    );
    assert!(
        text.contains("runs &lt;privileged&gt; &amp; more"),
        "{text}"
    );
    assert_eq!(text.matches("<testcase ").count(), 5);
    assert_eq!(text.matches("<failure ").count(), 3);
    assert_eq!(text.matches("<error ").count(), 2);
}

#[test]
fn json_has_the_documented_fields() {
    let doc: serde_json::Value = serde_json::from_str(&render(Format::Json)).unwrap();
    assert_eq!(doc["version"], 1);
    let f = &doc["findings"][0];
    for key in [
        "check",
        "name",
        "severity",
        "message",
        "file",
        "template",
        "line",
        "column",
        "object",
        "container",
        "path",
        "remediation",
        "aliases",
    ] {
        assert!(f.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f["object"]["apiVersion"], "apps/v1");
    assert_eq!(f["aliases"][0], "checkov:CKV_K8S_16");
    assert_eq!(doc["errors"][0]["level"], "error");
    assert_eq!(doc["summary"]["objects"], 3);
}

#[test]
fn text_groups_by_file_and_summarises() {
    let text = render(Format::Text);
    assert_eq!(text.matches("deploy/my app.yaml\n").count(), 1);
    assert!(
        text.contains("error: bad.yaml:4:2: invalid YAML: x"),
        "{text}"
    );
    assert!(
        text.ends_with("3 findings (none) in 3 objects from 4 files; 1 input error; 1 warning\n"),
        "{text}"
    );
}

/// An object without a name or namespace (a kustomization file, a `generateName` object) is
/// named by its kind alone, without a gap where the name would be.
#[test]
fn text_names_an_unnamed_object_by_its_kind() {
    let (mut findings, _, summary) = sample();
    findings.truncate(1);
    let mut f = findings.pop().unwrap();
    f.object = Arc::new(ObjectRef {
        api_version: "kustomize.config.k8s.io/v1beta1".into(),
        kind: "Kustomization".into(),
        namespace: None,
        name: String::new(),
    });
    f.template = None;
    f.path = "images[0].newTag".into();
    let held: Findings = vec![f].into();
    let report = Report {
        findings: &held,
        errors: &[],
        summary: &summary,
        version: "0.1.0",
    };
    let mut out = Vec::new();
    Format::Text.write(&report, &mut out, false).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\n              Kustomization · images[0].newTag\n"),
        "{text}"
    );
}

/// Many findings over several files, in runs of uneven sizes (some larger than a JSON window).
fn many() -> Vec<Vec<Finding>> {
    let (base, _, _) = sample();
    let mut all = Vec::new();
    for i in 0..2_600u32 {
        let mut f = base[(i % 3) as usize].clone();
        f.file = Arc::from(format!("dir/file-{}.yaml", i / 40));
        f.line = i + 1;
        f.message = format!("finding {i} \"quoted\"\tand tabbed");
        all.push(f);
    }
    let sizes = [1usize, 7, 0, 1_500, 3, 1_024, 64];
    let mut runs = Vec::new();
    let mut rest = all.into_iter();
    for n in sizes.iter().cycle() {
        let run: Vec<Finding> = rest.by_ref().take(*n).collect();
        if run.is_empty() && *n > 0 {
            break;
        }
        runs.push(run);
    }
    runs
}

fn written(format: Format, runs: &[Vec<Finding>], color: bool) -> (Vec<u8>, Vec<u8>) {
    let (_, errors, mut summary) = sample();
    summary.findings = runs.iter().map(Vec::len).sum();
    let mut held = Findings::new();
    for run in runs {
        held.push_run(run.clone());
    }
    let report = Report {
        findings: &held,
        errors: &errors,
        summary: &summary,
        version: "0.1.0",
    };
    let mut whole = Vec::new();
    format.write(&report, &mut whole, color).unwrap();
    let mut streamed = Vec::new();
    let mut stream = format
        .stream(&mut streamed, color, "0.1.0")
        .unwrap()
        .expect("the format streams");
    for run in runs {
        stream.push(run.clone()).unwrap();
    }
    stream.finish(&errors, &summary).unwrap();
    (whole, streamed)
}

#[test]
fn streamed_reports_are_the_reports_written_whole() {
    for (format, _) in Format::ALL {
        if !format.streams() {
            assert!(
                format
                    .stream(&mut Vec::new(), false, "0.1.0")
                    .unwrap()
                    .is_none(),
                "{format:?}"
            );
            continue;
        }
        for color in [false, true] {
            let runs = many();
            let (whole, streamed) = written(*format, &runs, color);
            assert!(whole.len() > 100_000, "{format:?}: {} bytes", whole.len());
            assert!(whole == streamed, "{format:?} differs when streamed");
            // No findings at all, and findings in one run.
            let (whole, streamed) = written(*format, &[], color);
            assert!(whole == streamed, "{format:?} without findings differs");
            let (whole, streamed) = written(*format, &[sample().0], color);
            assert!(whole == streamed, "{format:?} of one run differs");
        }
    }
    // The JSON streamed is a document with every finding, in order.
    let runs = many();
    let (_, streamed) = written(Format::Json, &runs, false);
    let doc: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2_600);
    assert!(findings.iter().enumerate().all(|(i, f)| f["line"] == i + 1));
}
