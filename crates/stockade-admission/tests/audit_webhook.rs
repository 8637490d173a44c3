//! `POST /audit`: the API server's audit webhook backend, over HTTPS with a bearer token.

mod common;

use std::sync::{Arc, Mutex};

use common::{Running, http1, request_with};
use hyper::body::Bytes;
use stockade_admission::audit::AuditEndpoint;
use stockade_audit::{Alert, Engine, RuleSet};

const EXEC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a1","stage":"ResponseStarted","verb":"create","user":{"username":"mallory"},"requestURI":"/api/v1/namespaces/prod/pods/web/exec?command=sh","objectRef":{"resource":"pods","subresource":"exec","namespace":"prod","name":"web"},"responseStatus":{"code":101}}"#;
const GET: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a2","stage":"ResponseComplete","verb":"get","user":{"username":"bob"},"requestURI":"/api/v1/namespaces/prod/configmaps/x","objectRef":{"resource":"configmaps","namespace":"prod","name":"x"},"responseStatus":{"code":200}}"#;

fn batch(items: &[&str]) -> String {
    format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{}]}}"#,
        items.join(",")
    )
}

async fn start(seen: Arc<Mutex<Vec<Alert>>>, max_body_bytes: usize) -> Running {
    let (engine, errors) = Engine::compile(&RuleSet::builtin());
    assert!(errors.is_empty(), "{errors:?}");
    let endpoint = Arc::new(AuditEndpoint {
        engine: Arc::new(engine),
        tokens: vec!["first-token".into(), "second-token".into()],
        on_alerts: Arc::new(move |a| seen.lock().unwrap().extend(a)),
        max_body_bytes,
    });
    Running::start_with("", |c| c.audit = Some(endpoint)).await
}

async fn post(s: &Running, body: String, auth: Option<&str>) -> (u16, String) {
    let mut send = http1(s.tls().await).await;
    let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
    request_with(&mut send, "POST", "/audit", Bytes::from(body), &headers).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_evaluated_and_alerts_handed_on_in_order() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = start(seen.clone(), 1 << 20).await;
    let (code, text) = post(&s, batch(&[EXEC, GET, EXEC]), Some("Bearer second-token")).await;
    assert_eq!(code, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["events"], 3);
    assert_eq!(v["alerts"], 2);
    assert_eq!(v["errors"], serde_json::json!([]));
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|a| &*a.rule == "Exec or attach into a pod"));
        assert!(seen[0].output.contains("mallory"), "{}", seen[0].output);
        assert_eq!(seen[0].audit_id.as_deref(), Some("a1"));
    }
    // One bad item: reported, the others still evaluated.
    let (code, text) = post(
        &s,
        format!("{EXEC}\n{{broken\n{GET}\n"),
        Some("Bearer first-token"),
    )
    .await;
    assert_eq!(code, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v["events"].as_u64(), v["alerts"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{text}");
    assert!(
        v["errors"][0].as_str().unwrap().contains("audit-webhook:2"),
        "{text}"
    );
    assert_eq!(seen.lock().unwrap().len(), 3);
    let metrics = s.admin_get("/metrics").await.1;
    assert!(
        metrics
            .lines()
            .any(|l| l == "stockade_admission_audit_events_total 5"),
        "{metrics}"
    );
    assert!(
        metrics
            .lines()
            .any(|l| l == "stockade_admission_audit_alerts_total 3"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_garbage_and_oversized_batches_are_refused() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = start(seen.clone(), 4096).await;
    assert_eq!(post(&s, batch(&[EXEC]), None).await.0, 401);
    assert_eq!(post(&s, batch(&[EXEC]), Some("Bearer nope")).await.0, 401);
    assert_eq!(
        post(&s, batch(&[EXEC]), Some("Basic Zmlyc3QtdG9rZW4="))
            .await
            .0,
        401
    );
    let (code, text) = post(&s, "{not json".into(), Some("Bearer first-token")).await;
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("audit-webhook:1"), "{text}");
    let big = batch(&vec![EXEC; 20]);
    let (code, text) = post(&s, big, Some("Bearer first-token")).await;
    assert_eq!(
        (code, text.as_str()),
        (413, "audit batch exceeds 4096 bytes\n")
    );
    assert!(seen.lock().unwrap().is_empty());
    let metrics = s.admin_get("/metrics").await.1;
    assert!(
        metrics
            .lines()
            .any(|l| l == "stockade_admission_http_errors_total{webhook=\"audit\",code=\"401\"} 3"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_endpoint_there_is_no_audit_route() {
    let s = Running::start("").await;
    let mut send = http1(s.tls().await).await;
    let (code, _) = request_with(
        &mut send,
        "POST",
        "/audit",
        Bytes::from(batch(&[EXEC])),
        &[("authorization", "Bearer x")],
    )
    .await;
    assert_eq!(code, 404);
}
