//! Sink delivery against local HTTP servers that fail, hang, are down, and recover: every
//! alert arrives, in order, and the only duplicates are immediate retransmissions of an alert
//! whose acknowledgement was lost (at-least-once).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use stockade_audit::sink::{Options, Sender, SinkSpec};
use stockade_audit::{Alert, Priority};

/// What the server does with its n-th request (0-based).
#[derive(Clone, Copy)]
enum Behaviour {
    Ok,
    /// 500 for the first N requests.
    FailFirst(usize),
    /// Read the request, then say nothing for the given time, for the first N requests.
    HangFirst(usize, Duration),
    /// Answer 200 only once the sender has given up on the request (timed out and closed the
    /// connection: the acknowledgement is lost), for the first N requests.
    LateAckFirst(usize),
}

struct Server {
    port: u16,
    /// Bodies answered with 200, in order.
    acked: Arc<Mutex<Vec<String>>>,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut r = BufReader::new(s);
    let mut len = 0usize;
    let mut first = true;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if first {
            assert!(line.starts_with("POST /hook"), "{line}");
            first = false;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

fn serve(listener: TcpListener, behaviour: Behaviour) -> Server {
    let port = listener.local_addr().unwrap().port();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (a, n, st) = (acked.clone(), requests.clone(), stop.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if st.load(Ordering::SeqCst) {
                return;
            }
            let Ok(mut s) = conn else { continue };
            let a = a.clone();
            let i = n.fetch_add(1, Ordering::SeqCst);
            // One connection at a time, like a slow sink: the hang blocks the next request.
            let Some(body) = read_request(&mut s) else {
                continue;
            };
            match behaviour {
                Behaviour::FailFirst(k) if i < k => {
                    let _ = s.write_all(
                        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
                    );
                    continue;
                }
                Behaviour::HangFirst(k, d) if i < k => {
                    std::thread::sleep(d);
                    continue;
                }
                Behaviour::LateAckFirst(k) if i < k => {
                    // Wait for the sender to hang up (end of file or an error), then answer:
                    // the alert is taken, its 200 goes nowhere.
                    let _ = s.read(&mut [0u8; 1]);
                }
                _ => {}
            }
            a.lock().unwrap().push(body);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        }
    });
    Server {
        port,
        acked,
        requests,
        stop,
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn alert(i: usize) -> Alert {
    Alert {
        time: None,
        rule: "R".into(),
        priority: Priority::Warning,
        output: format!("alert-{i}"),
        tags: Arc::from(Vec::<String>::new()),
        fields: Default::default(),
        source: format!("a.log:{i}"),
        audit_id: None,
        target: None,
    }
}

fn opts() -> Options {
    Options {
        timeout: Duration::from_millis(200),
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(80),
        ..Options::default()
    }
}

/// `opts()` with a timeout no stalled thread on a loaded machine reaches, for the tests that are
/// not about timeouts and count attempts exactly: a spurious timeout would add a retry.
fn patient() -> Options {
    Options {
        timeout: Duration::from_secs(2),
        ..opts()
    }
}

/// Waits up to 10 s for `cond`.
fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

fn spec(port: u16) -> SinkSpec {
    SinkSpec::parse(&format!("webhook=http://127.0.0.1:{port}/hook"), false).unwrap()
}

/// The outputs the server acknowledged, with immediate repeats (retransmissions) removed;
/// checks that no alert comes back after a later one.
fn delivered(server: &Server) -> Vec<String> {
    let acked = server.acked.lock().unwrap();
    let mut out: Vec<String> = Vec::new();
    for body in acked.iter() {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let o = v["output"].as_str().unwrap().to_string();
        if out.last() != Some(&o) {
            assert!(
                !out.contains(&o),
                "{o} delivered again after later alerts: {out:?}"
            );
            out.push(o);
        }
    }
    out
}

fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("alert-{i}")).collect()
}

#[test]
fn failing_sink_recovers_and_gets_everything_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Behaviour::FailFirst(6),
    );
    let sender = Sender::start(&[spec(server.port)], dir.path(), &patient()).unwrap();
    for i in 0..30 {
        sender.send(&alert(i)).unwrap();
    }
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    assert_eq!(delivered(&server), expected(0..30));
    let stats = sender.stats();
    assert_eq!(stats[0].2.failures.load(Ordering::Relaxed), 6);
    assert_eq!(stats[0].2.delivered.load(Ordering::Relaxed), 30);
    // Nothing left on disk.
    let sub = dir.path().join(spec(server.port).spool_name());
    assert_eq!(std::fs::read_dir(sub).unwrap().count(), 0);
}

#[test]
fn hanging_sink_times_out_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Behaviour::HangFirst(2, Duration::from_millis(600)),
    );
    let sender = Sender::start(&[spec(server.port)], dir.path(), &opts()).unwrap();
    let t = Instant::now();
    for i in 0..10 {
        sender.send(&alert(i)).unwrap();
    }
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    assert!(t.elapsed() < Duration::from_secs(4));
    assert_eq!(delivered(&server), expected(0..10));
    assert!(sender.stats()[0].2.failures.load(Ordering::Relaxed) >= 2);
}

#[test]
fn lost_acknowledgement_gives_a_retransmission_not_a_loss() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Behaviour::LateAckFirst(1),
    );
    // The first attempt ends by the sender's timeout, whatever it is; every other attempt is
    // answered at once, well within it.
    let sender = Sender::start(&[spec(server.port)], dir.path(), &patient()).unwrap();
    for i in 0..5 {
        sender.send(&alert(i)).unwrap();
    }
    assert_eq!(sender.drain(Duration::from_secs(10)), 0);
    assert_eq!(delivered(&server), expected(0..5));
    // alert-0 reached the server twice (its first 200 came too late), nothing else did.
    assert_eq!(server.acked.lock().unwrap().len(), 6);
}

#[test]
fn down_sink_comes_up_and_gets_everything_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let sender = Sender::start(&[spec(port)], dir.path(), &patient()).unwrap();
    for i in 0..10 {
        sender.send(&alert(i)).unwrap();
    }
    assert!(wait_until(|| sender.stats()[0]
        .2
        .failures
        .load(Ordering::Relaxed)
        >= 2));
    assert_eq!(sender.pending(), 10);
    let server = serve(
        TcpListener::bind(("127.0.0.1", port)).unwrap(),
        Behaviour::Ok,
    );
    for i in 10..15 {
        sender.send(&alert(i)).unwrap();
    }
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    assert_eq!(delivered(&server), expected(0..15));
    // No retransmission at all here: every attempt that reached the server was answered.
    assert_eq!(server.acked.lock().unwrap().len(), 15);
}

#[test]
fn restart_with_a_full_spool_delivers_the_rest_first() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let first = Sender::start(&[spec(port)], dir.path(), &opts()).unwrap();
    for i in 0..12 {
        first.send(&alert(i)).unwrap();
    }
    first.stop();
    let sub = dir.path().join(spec(port).spool_name());
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 12);

    let server = serve(
        TcpListener::bind(("127.0.0.1", port)).unwrap(),
        Behaviour::FailFirst(2),
    );
    let second = Sender::start(&[spec(port)], dir.path(), &opts()).unwrap();
    for i in 12..20 {
        second.send(&alert(i)).unwrap();
    }
    assert_eq!(second.drain(Duration::from_secs(4)), 0);
    assert_eq!(delivered(&server), expected(0..20));
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 0);
}

#[test]
fn full_spool_drops_the_oldest_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let size = stockade_audit::sink::SinkKind::Webhook
        .payload(&alert(10))
        .len() as u64;
    let o = Options {
        spool_max_bytes: size * 5,
        ..opts()
    };
    let sender = Sender::start(&[spec(port)], dir.path(), &o).unwrap();
    let mut dropped = 0;
    for i in 10..30 {
        dropped += sender.send(&alert(i)).unwrap();
    }
    assert_eq!(dropped, 15);
    assert_eq!(sender.stats()[0].2.dropped.load(Ordering::Relaxed), 15);
    // An attempt that read a file before it was dropped may still be on its way; once one more
    // attempt has failed it is over, and no dropped alert can reach the server.
    let failures = || sender.stats()[0].2.failures.load(Ordering::Relaxed);
    let before = failures();
    assert!(wait_until(|| failures() > before));
    let server = serve(
        TcpListener::bind(("127.0.0.1", port)).unwrap(),
        Behaviour::Ok,
    );
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    assert_eq!(delivered(&server), expected(25..30));
}

#[test]
fn slack_and_teams_payloads_reach_their_sinks() {
    let dir = tempfile::tempdir().unwrap();
    let slack = serve(TcpListener::bind("127.0.0.1:0").unwrap(), Behaviour::Ok);
    let teams = serve(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Behaviour::FailFirst(3),
    );
    let specs = [
        SinkSpec::parse(
            &format!("slack=http://localhost:{}/hook", slack.port),
            false,
        )
        .unwrap(),
        SinkSpec::parse(
            &format!("teams=http://127.0.0.1:{}/hook", teams.port),
            false,
        )
        .unwrap(),
    ];
    let sender = Sender::start(&specs, dir.path(), &patient()).unwrap();
    for i in 0..3 {
        sender.send(&alert(i)).unwrap();
    }
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    let s = slack.acked.lock().unwrap();
    let texts: Vec<String> = s
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        texts,
        [
            "[WARNING] R: alert-0",
            "[WARNING] R: alert-1",
            "[WARNING] R: alert-2"
        ]
    );
    let t = teams.acked.lock().unwrap();
    assert_eq!(t.len(), 3);
    for (i, b) in t.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(b).unwrap();
        assert_eq!(v["@type"], "MessageCard");
        assert_eq!(v["text"], format!("alert-{i}"));
    }
    assert_eq!(teams.requests.load(Ordering::SeqCst), 6);
}

#[test]
fn https_sink_with_a_custom_ca() {
    use rustls::pki_types::pem::PemObject;
    let dir = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ck.cert.pem()).unwrap();
    let key =
        rustls::pki_types::PrivateKeyDer::from_pem_slice(ck.signing_key.serialize_pem().as_bytes())
            .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(tcp) = conn else { continue };
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers and body arrive together for these small requests; read until the
            // body's closing brace.
            while !buf.ends_with(b"}") {
                match tls.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some((_, body)) = text.split_once("\r\n\r\n") {
                g.lock().unwrap().push(body.to_string());
                let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                let _ = tls.flush();
            }
        }
    });
    let spec = SinkSpec::parse(&format!("webhook=https://localhost:{port}/hook"), false).unwrap();

    // Without the CA the certificate is not trusted: nothing is delivered.
    let untrusted =
        Sender::start(std::slice::from_ref(&spec), &dir.path().join("a"), &opts()).unwrap();
    untrusted.send(&alert(0)).unwrap();
    assert!(wait_until(|| untrusted.stats()[0]
        .2
        .failures
        .load(Ordering::Relaxed)
        >= 1));
    assert_eq!(untrusted.pending(), 1);
    untrusted.stop();
    assert!(got.lock().unwrap().is_empty());

    let o = Options {
        ca_file: Some(ca),
        ..patient()
    };
    let sender = Sender::start(&[spec], &dir.path().join("b"), &o).unwrap();
    for i in 0..3 {
        sender.send(&alert(i)).unwrap();
    }
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    let got = got.lock().unwrap();
    let outputs: Vec<String> = got
        .iter()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["output"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(outputs, expected(0..3));
}

/// Request line, Authorization header value and body of each request received.
type Recorded = Arc<Mutex<Vec<(String, String, String)>>>;

/// A server that records each request's line, Authorization header and body, answering 201.
fn recording_server() -> (u16, Recorded) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let mut r = BufReader::new(&mut s);
            let (mut first, mut auth, mut len) = (String::new(), String::new(), 0usize);
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let l = line.trim_end().to_string();
                if l.is_empty() {
                    break;
                }
                if first.is_empty() {
                    first = l.clone();
                }
                let lower = l.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("authorization:") {
                    auth = l["authorization:".len()..].trim().to_string();
                }
            }
            let mut body = vec![0; len];
            if r.read_exact(&mut body).is_err() {
                continue;
            }
            s2.lock()
                .unwrap()
                .push((first, auth, String::from_utf8_lossy(&body).into_owned()));
            let _ = s.write_all(b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (port, seen)
}

#[test]
fn response_action_creates_a_kubernetes_event_for_chosen_rules_only() {
    let dir = tempfile::tempdir().unwrap();
    let (api, api_seen) = recording_server();
    let (hook, hook_seen) = recording_server();
    std::fs::write(dir.path().join("token"), "sa-token\n").unwrap();
    let sinks = dir.path().join("sinks.yaml");
    std::fs::write(
        &sinks,
        format!(
            "sinks:\n- kind: k8s-event\n  url: http://127.0.0.1:{api}\n  rules: [Exec or attach into a pod]\n  token_file: {}\n- kind: webhook\n  url: http://127.0.0.1:{hook}/all\n",
            dir.path().join("token").display()
        ),
    )
    .unwrap();
    let specs = stockade_audit::sink::load_sinks_file(&sinks, false).unwrap();
    let sender = Sender::start(&specs, &dir.path().join("spool"), &patient()).unwrap();
    let mut exec = alert(0);
    exec.rule = "Exec or attach into a pod".into();
    exec.priority = Priority::Notice;
    exec.target = Some(stockade_audit::Target {
        resource: "pods".into(),
        subresource: Some("exec".into()),
        namespace: Some("prod".into()),
        name: Some("web".into()),
    });
    let mut crb = alert(1);
    crb.target = Some(stockade_audit::Target {
        resource: "clusterrolebindings".into(),
        name: Some("evil".into()),
        ..Default::default()
    });
    sender.send(&exec).unwrap();
    sender.send(&crb).unwrap();
    assert_eq!(sender.drain(Duration::from_secs(4)), 0);
    let api_seen = api_seen.lock().unwrap();
    assert_eq!(api_seen.len(), 1, "{api_seen:?}");
    let (line, auth, body) = &api_seen[0];
    assert_eq!(line, "POST /api/v1/namespaces/prod/events HTTP/1.1");
    assert_eq!(auth, "Bearer sa-token");
    let ev: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(ev["kind"], "Event");
    assert_eq!(ev["metadata"]["namespace"], "prod");
    assert_eq!(
        ev["involvedObject"],
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "namespace": "prod", "name": "web"})
    );
    assert_eq!(ev["reason"], "StockadeAuditAlert");
    assert_eq!(ev["type"], "Normal");
    assert_eq!(ev["message"], "[NOTICE] Exec or attach into a pod: alert-0");
    // The other sink has no filter and no token: both alerts, no Authorization header.
    let hook_seen = hook_seen.lock().unwrap();
    assert_eq!(hook_seen.len(), 2);
    assert!(
        hook_seen
            .iter()
            .all(|(l, a, _)| l == "POST /all HTTP/1.1" && a.is_empty())
    );
}

#[test]
fn a_cluster_scoped_target_gets_an_event_in_default() {
    let mut a = alert(3);
    a.priority = Priority::Critical;
    a.target = Some(stockade_audit::Target {
        resource: "clusterrolebindings".into(),
        name: Some("evil".into()),
        ..Default::default()
    });
    let ev: serde_json::Value =
        serde_json::from_slice(&stockade_audit::sink::SinkKind::K8sEvent.payload(&a)).unwrap();
    assert_eq!(ev["metadata"]["namespace"], "default");
    assert_eq!(
        ev["involvedObject"],
        serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "name": "evil"})
    );
    assert_eq!(ev["type"], "Warning");
}
