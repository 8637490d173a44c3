//! The real server on 127.0.0.1 with certificates made in the test, driven over HTTPS.

mod common;

use std::time::Duration;

use common::{Running, eventually, fixture, write_atomically};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const UID: &str = "705ab4f5-6393-11e8-b7cc-42010a800002";
const CONFIG: &str = "checks:\n  select: [STK001]\nmodes:\n  enforce: [STK001]\nmutate:\n  seccomp-runtime-default: true\n";
const DENIAL: &str = "stockade denied Deployment \"web\": 1 violation:\n- [STK001 privileged-container] spec.template.spec.containers[0].securityContext.privileged: container \"app\" runs privileged";

fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn allowed(uid: &str) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "response": {"uid": uid, "allowed": true}})
}

fn denied() -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "response": {"uid": UID, "allowed": false,
            "status": {"code": 403, "reason": "Forbidden", "message": DENIAL}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_over_https() {
    let s = Running::start(CONFIG).await;

    // Pod, admitted.
    let (code, text) = s
        .post("/validate", body(&fixture("hardened-pod.json")))
        .await;
    assert_eq!(code, 200);
    assert_eq!(
        parse(&text),
        allowed("3f1c7a52-0b7e-4d0e-9a43-1e2f9c1a0b11")
    );

    // Deployment, denied with every violation listed.
    let deploy = fixture("deployment-create.json");
    let (code, text) = s.post("/validate", body(&deploy)).await;
    assert_eq!((code, parse(&text)), (200, denied()));

    // Dry run: same answer.
    let mut dry = deploy.clone();
    dry["request"]["dryRun"] = json!(true);
    assert_eq!(parse(&s.post("/validate", body(&dry)).await.1), denied());

    // v1beta1 is answered in v1beta1.
    let mut beta = deploy.clone();
    beta["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let mut expected = denied();
    expected["apiVersion"] = json!("admission.k8s.io/v1beta1");
    assert_eq!(parse(&s.post("/validate", body(&beta)).await.1), expected);

    // UPDATE that only scales: admitted without re-judging the privileged container.
    let mut update = deploy.clone();
    update["request"]["operation"] = json!("UPDATE");
    update["request"]["oldObject"] = update["request"]["object"].clone();
    update["request"]["object"]["spec"]["replicas"] = json!(10);
    assert_eq!(
        parse(&s.post("/validate", body(&update)).await.1),
        allowed(UID)
    );

    // UPDATE that changes the template: judged.
    update["request"]["object"]["spec"]["template"]["spec"]["containers"][0]["image"] =
        json!("registry.example.com/web:1.5.0");
    assert_eq!(parse(&s.post("/validate", body(&update)).await.1), denied());

    // DELETE: admitted.
    let mut delete = deploy.clone();
    delete["request"]["operation"] = json!("DELETE");
    delete["request"]["oldObject"] = delete["request"]["object"].take();
    assert_eq!(
        parse(&s.post("/validate", body(&delete)).await.1),
        allowed(UID)
    );

    // Subresource (status update): admitted.
    let mut status = deploy.clone();
    status["request"]["operation"] = json!("UPDATE");
    status["request"]["subResource"] = json!("status");
    assert_eq!(
        parse(&s.post("/validate", body(&status)).await.1),
        allowed(UID)
    );

    // Mutate: seccomp default as a JSONPatch.
    let (code, text) = s.post("/mutate", body(&deploy)).await;
    assert_eq!(code, 200);
    let patch = serde_json::to_vec(&json!([{"op": "add",
        "path": "/spec/template/spec/securityContext",
        "value": {"seccompProfile": {"type": "RuntimeDefault"}}}]))
    .unwrap();
    use base64::Engine as _;
    assert_eq!(
        parse(&text),
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": {"uid": UID, "allowed": true, "patchType": "JSONPatch",
                "patch": base64::engine::general_purpose::STANDARD.encode(patch)}})
    );

    // Metrics count by operation, kind and verdict; dry runs are not counted as violations.
    let (code, metrics) = s.admin_get("/metrics").await;
    assert_eq!(code, 200);
    for line in [
        "stockade_admission_requests_total{webhook=\"validate\",operation=\"CREATE\",kind=\"Deployment\",verdict=\"deny\"} 3",
        "stockade_admission_requests_total{webhook=\"validate\",operation=\"CREATE\",kind=\"Pod\",verdict=\"allow\"} 1",
        "stockade_admission_requests_total{webhook=\"validate\",operation=\"UPDATE\",kind=\"Deployment\",verdict=\"skip\"} 2",
        "stockade_admission_requests_total{webhook=\"validate\",operation=\"UPDATE\",kind=\"Deployment\",verdict=\"deny\"} 1",
        "stockade_admission_requests_total{webhook=\"validate\",operation=\"DELETE\",kind=\"Deployment\",verdict=\"skip\"} 1",
        "stockade_admission_requests_total{webhook=\"mutate\",operation=\"CREATE\",kind=\"Deployment\",verdict=\"patch\"} 1",
        "stockade_admission_violations_total{check=\"STK001\",mode=\"enforce\"} 3",
        "stockade_admission_review_duration_seconds_count{webhook=\"validate\",operation=\"CREATE\",kind=\"Pod\",verdict=\"allow\"} 1",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing `{line}` in\n{metrics}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denials_are_in_the_decisions_log_after_shutdown() {
    use stockade_admission::events::{Filter, query};
    let mut s = Running::start(CONFIG).await;
    let deploy = fixture("deployment-create.json");
    assert_eq!(parse(&s.post("/validate", body(&deploy)).await.1), denied());
    let mut dry = deploy.clone();
    dry["request"]["dryRun"] = json!(true);
    assert_eq!(parse(&s.post("/validate", body(&dry)).await.1), denied());
    // Admitted silently: not a decision worth keeping.
    s.post("/validate", body(&fixture("hardened-pod.json")))
        .await;
    s.stop();
    (&mut s.task).await.unwrap();

    let log = query(&s.path("events.db"), &Filter::default()).unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    for (d, dry_run) in log.iter().zip([false, true]) {
        assert_eq!(
            (
                &*d.verdict,
                &*d.operation,
                &*d.kind,
                &*d.name,
                &*d.uid,
                d.dry_run
            ),
            ("deny", "CREATE", "Deployment", "web", UID, dry_run)
        );
        assert_eq!(d.message, DENIAL);
        assert_eq!(d.violations.len(), 1);
        assert_eq!(
            (&*d.violations[0].check, &*d.violations[0].mode),
            ("STK001", "enforce")
        );
    }
    let none = Filter {
        check: Some("STK002".into()),
        ..Filter::default()
    };
    assert!(query(&s.path("events.db"), &none).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_misrouted_requests_get_http_errors() {
    let s = Running::start("limits:\n  max-body-bytes: 4096\n").await;
    assert_eq!(
        s.post("/validate", "{not json").await,
        (
            400,
            "malformed AdmissionReview: key must be a string at line 1 column 2\n".into()
        )
    );
    assert_eq!(
        s.post("/validate", r#"{"apiVersion":"v1","kind":"Pod"}"#).await,
        (
            400,
            "unsupported apiVersion \"v1\": expected admission.k8s.io/v1 or v1beta1 AdmissionReview\n"
                .into()
        )
    );
    let mut big = fixture("deployment-create.json");
    big["request"]["object"]["metadata"]["annotations"] = json!({"x": "y".repeat(5000)});
    assert_eq!(
        s.post("/validate", body(&big)).await,
        (413, "request body exceeds 4096 bytes\n".into())
    );
    let (code, _) = s.post("/nope", "{}").await;
    assert_eq!(code, 404);
    let mut send = common::http1(s.tls().await).await;
    let (code, _) = common::request(&mut send, "GET", "/validate", Default::default()).await;
    assert_eq!(code, 405);
    // Still serving.
    let (code, text) = s
        .post("/validate", body(&fixture("hardened-pod.json")))
        .await;
    assert_eq!(code, 200);
    assert_eq!(parse(&text)["response"]["allowed"], json!(true));
    let metrics = s.admin_get("/metrics").await.1;
    assert!(
        metrics
            .lines()
            .any(|l| l
                == "stockade_admission_http_errors_total{webhook=\"validate\",code=\"413\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoints() {
    let s = Running::start("").await;
    assert_eq!(s.admin_get("/livez").await, (200, "ok\n".into()));
    assert_eq!(s.admin_get("/readyz").await, (200, "ok\n".into()));
    let (code, m) = s.admin_get("/metrics").await;
    assert_eq!(code, 200);
    assert!(m.ends_with("# EOF\n"), "{m}");
    // Families appear once they have a sample; the gauge is always there.
    assert!(
        m.lines().any(|l| l == "stockade_admission_in_flight 0"),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_are_reloaded_without_restart() {
    let s = Running::start("").await;
    let peer = |t: &tokio_rustls::client::TlsStream<tokio::net::TcpStream>| {
        t.get_ref().1.peer_certificates().unwrap()[0].clone()
    };
    let old_conn = s.tls().await;
    assert_eq!(peer(&old_conn), s.leaf);
    let mut old_send = common::http1(old_conn).await;

    let new_leaf = s.pki.write_leaf(s.dir.path());
    assert_ne!(new_leaf, s.leaf);
    let served = eventually(|| async { peer(&s.tls().await) == new_leaf }).await;
    assert!(
        served,
        "the new certificate was never served: {}",
        s.admin_get("/metrics").await.1
    );
    // The connection opened before the reload still works.
    let (code, _) = common::request(
        &mut old_send,
        "POST",
        "/validate",
        body(&fixture("hardened-pod.json")).into(),
    )
    .await;
    assert_eq!(code, 200);

    // A broken certificate is refused; the last good one stays in use. (Writing the new leaf
    // may already have counted an error, for the new key seen with the old certificate;
    // nothing is counted once the new pair is served.)
    const CERT_ERRORS: &str =
        "stockade_admission_reloads_total{what=\"certificate\",result=\"error\"}";
    let errors = s.metric(CERT_ERRORS).await;
    write_atomically(&s.path("tls.crt"), "not a certificate");
    assert!(eventually(|| async { s.metric(CERT_ERRORS).await == errors + 1 }).await);
    assert_eq!(peer(&s.tls().await), new_leaf);
    assert_eq!(s.admin_get("/readyz").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_is_reloaded_and_a_bad_one_is_rejected() {
    let s = Running::start("checks:\n  select: [STK001]\nmodes:\n  default: audit\n").await;
    let deploy = body(&fixture("deployment-create.json"));
    let (_, text) = s.post("/validate", deploy.clone()).await;
    assert_eq!(
        parse(&text)["response"],
        json!({"uid": UID, "allowed": true, "auditAnnotations": {"stk001":
            "spec.template.spec.containers[0].securityContext.privileged: container \"app\" runs privileged"}})
    );

    write_atomically(&s.path("config.yaml"), CONFIG);
    assert!(
        eventually(|| async { parse(&s.post("/validate", deploy.clone()).await.1) == denied() })
            .await
    );

    write_atomically(&s.path("config.yaml"), "modes:\n  enforce: [STK999]\n");
    assert!(
        eventually(|| async {
            s.admin_get("/metrics").await.1.lines().any(|l| {
                l == "stockade_admission_reloads_total{what=\"config\",result=\"error\"} 1"
            })
        })
        .await
    );
    assert_eq!(parse(&s.post("/validate", deploy).await.1), denied());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_written_between_bind_and_run_is_loaded() {
    let s = Running::start_between(
        "checks:\n  select: [STK001]\nmodes:\n  default: audit\n",
        |_| {},
        |dir| write_atomically(&dir.join("config.yaml"), CONFIG),
    )
    .await;
    let deploy = body(&fixture("deployment-create.json"));
    assert!(
        eventually(|| async { parse(&s.post("/validate", deploy.clone()).await.1) == denied() })
            .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_the_request_in_flight() {
    let mut s = Running::start(CONFIG).await;
    let review = body(&fixture("deployment-create.json"));
    let (head, tail) = review.split_at(review.len() / 2);
    let mut tls = s.tls().await;
    tls.write_all(
        format!(
            "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            review.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    tls.write_all(head).await.unwrap();
    tls.flush().await.unwrap();
    // The handler has the request (and waits for the rest of its body).
    assert!(eventually(|| async { s.metric("stockade_admission_in_flight").await == 1 }).await);

    s.stop();
    // Not ready, no longer accepting, while the request is still in flight.
    assert!(eventually(|| async { s.admin_get("/readyz").await.0 == 503 }).await);
    assert!(
        tokio::net::TcpStream::connect(s.addr).await.is_err(),
        "still accepting connections"
    );
    assert!(!s.task.is_finished());

    tls.write_all(tail).await.unwrap();
    tls.flush().await.unwrap();
    let mut raw = Vec::new();
    tls.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(parse(body), denied());
    tokio::time::timeout(Duration::from_secs(5), &mut s.task)
        .await
        .expect("server stopped after draining")
        .unwrap();
}
