//! `stockade review`: the exact response the webhook would send, and exit codes.

use std::process::{Command, Output};

fn stockade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

const FIXTURES: &str = "../stockade-admission/tests/fixtures";

#[test]
fn prints_the_response_and_exits_by_verdict() {
    let out = stockade(&["review", &format!("{FIXTURES}/hardened-pod.json")]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"allowed\":true,\"uid\":\"3f1c7a52-0b7e-4d0e-9a43-1e2f9c1a0b11\"}}\n"
    );
    assert_eq!(out.status.code(), Some(0));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        "checks:\n  select: [STK001]\nmodes:\n  enforce: [STK001]\n",
    )
    .unwrap();
    let out = stockade(&[
        "review",
        "--config",
        config.to_str().unwrap(),
        &format!("{FIXTURES}/deployment-create.json"),
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"allowed\":false,\"status\":{\"code\":403,\"message\":\"stockade denied Deployment \\\"web\\\": 1 violation:\\n- [STK001 privileged-container] spec.template.spec.containers[0].securityContext.privileged: container \\\"app\\\" runs privileged\",\"reason\":\"Forbidden\"},\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\"}}\n"
    );
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(dir.path().join("bad.json"), "{").unwrap();
    let out = stockade(&["review", dir.path().join("bad.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("malformed AdmissionReview"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
