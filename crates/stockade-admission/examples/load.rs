//! Load generator for `stockade serve`: starts the server as a separate process with a
//! generated certificate and the full default policy (plus Pod Security namespace labels), then
//! sends one AdmissionReview over and over on N keep-alive HTTPS connections on loopback.
//!
//! ```text
//! cargo build --release -p stockade
//! cargo run --release -p stockade-admission --example load -- \
//!     --stockade target/release/stockade --connections 16 --seconds 10
//! ```
//!
//! Reports reviews per second, client-side latency percentiles, the server-side latency
//! distribution from its own histogram, and the server's RSS (current and peak).

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;

struct Args {
    stockade: PathBuf,
    connections: usize,
    seconds: u64,
    review: PathBuf,
    server_threads: usize,
}

fn args() -> Args {
    let mut a = Args {
        stockade: "target/release/stockade".into(),
        connections: 16,
        seconds: 10,
        review: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/bench-deployment.json"
        )
        .into(),
        server_threads: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--stockade" => a.stockade = v.into(),
            "--connections" => a.connections = v.parse().expect("--connections"),
            "--seconds" => a.seconds = v.parse().expect("--seconds"),
            "--review" => a.review = v.into(),
            "--server-threads" => a.server_threads = v.parse().expect("--server-threads"),
            _ => panic!("unknown flag {flag}"),
        }
    }
    a
}

fn free_port() -> SocketAddr {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

const CONFIG: &str = "\
# The full default check set (warn), Pod Security Standards by namespace labels.
namespaces:
  apps:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

fn rss_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr, ca: CertificateDer<'static>) -> Sender {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    send
}

async fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let tcp = TcpStream::connect(addr).await.ok()?;
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .ok()?;
    tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .ok()?;
    let resp = send.send_request(req).await.ok()?;
    let code = resp.status().as_u16();
    let body = resp.into_body().collect().await.ok()?.to_bytes();
    Some((code, String::from_utf8_lossy(&body).into_owned()))
}

/// CPU seconds (user + system) the process has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at state; utime and stime
    // are fields 14 and 15 of the whole line.
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Cumulative bucket counts of the server's validate histogram, summed over label sets.
fn server_buckets(metrics: &str) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for line in metrics.lines() {
        let Some(rest) =
            line.strip_prefix("stockade_admission_review_duration_seconds_bucket{le=\"")
        else {
            continue;
        };
        if !line.contains("webhook=\"validate\"") {
            continue;
        }
        let (le, _) = rest.split_once('"').unwrap();
        let le: f64 = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap()
        };
        let count: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        match out.iter_mut().find(|(l, _)| *l == le) {
            Some((_, c)) => *c += count,
            None => out.push((le, count)),
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

fn main() {
    let a = args();
    let review = Bytes::from(std::fs::read(&a.review).expect("review file"));
    let dir = tempfile::tempdir().unwrap();

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    std::fs::write(dir.path().join("tls.crt"), leaf.pem()).unwrap();
    std::fs::write(dir.path().join("tls.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("config.yaml"), CONFIG).unwrap();

    let (addr, admin) = (free_port(), free_port());
    let child = Command::new(&a.stockade)
        .arg("serve")
        .args(["--tls-cert", dir.path().join("tls.crt").to_str().unwrap()])
        .args(["--tls-key", dir.path().join("tls.key").to_str().unwrap()])
        .args(["--config", dir.path().join("config.yaml").to_str().unwrap()])
        .args(["--listen", &addr.to_string()])
        .args(["--admin-listen", &admin.to_string()])
        .args(["--threads", &a.server_threads.to_string()])
        // Every review warns, so every one is written to the decisions log.
        .args(["--events", dir.path().join("events.db").to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start stockade serve");
    let pid = child.id();
    let _server = Server(child);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let deadline = Instant::now() + Duration::from_secs(10);
        while get(admin, "/readyz").await.map(|r| r.0) != Some(200) {
            assert!(Instant::now() < deadline, "server never became ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (idle_rss, _) = rss_kb(pid);
        let ca_der = ca.der().clone();
        let stop = Arc::new(AtomicBool::new(false));
        let measuring = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for _ in 0..a.connections {
            let mut send = connect(addr, ca_der.clone()).await;
            let (stop, measuring, review) = (stop.clone(), measuring.clone(), review.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(1 << 16);
                while !stop.load(Ordering::Relaxed) {
                    let req = hyper::Request::post("/validate")
                        .header("host", "localhost")
                        .header("content-type", "application/json")
                        .body(Full::new(review.clone()))
                        .unwrap();
                    let t = Instant::now();
                    let resp = send.send_request(req).await.expect("request failed");
                    assert_eq!(resp.status(), 200);
                    let _ = resp.into_body().collect().await.unwrap();
                    if measuring.load(Ordering::Relaxed) {
                        lat.push(t.elapsed().as_micros() as u32);
                    }
                }
                lat
            }));
        }
        // Warm up, then measure.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = get(admin, "/metrics").await.unwrap().1;
        measuring.store(true, Ordering::Relaxed);
        let cpu0 = cpu_seconds(pid);
        let start = Instant::now();
        tokio::time::sleep(Duration::from_secs(a.seconds)).await;
        measuring.store(false, Ordering::Relaxed);
        let elapsed = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds(pid) - cpu0;
        let (load_rss, peak_rss) = rss_kb(pid);
        let after = get(admin, "/metrics").await.unwrap().1;
        stop.store(true, Ordering::Relaxed);
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.unwrap());
        }
        lat.sort_unstable();

        println!("review: {}", a.review.display());
        println!(
            "connections: {}, server threads: {}, measured: {:.1} s",
            a.connections, a.server_threads, elapsed
        );
        println!(
            "throughput: {:.0} reviews/s ({} reviews)",
            lat.len() as f64 / elapsed,
            lat.len()
        );
        println!(
            "client-side latency: p50 {} µs, p90 {} µs, p99 {} µs, p99.9 {} µs, max {} µs",
            percentile(&lat, 0.50),
            percentile(&lat, 0.90),
            percentile(&lat, 0.99),
            percentile(&lat, 0.999),
            lat.last().copied().unwrap_or(0)
        );
        let (b0, b1) = (server_buckets(&before), server_buckets(&after));
        let total = b1.last().map_or(0, |x| x.1) - b0.last().map_or(0, |x| x.1);
        let mut line = String::from("server-side latency (histogram, cumulative):");
        let mut p50 = None;
        let mut p99 = None;
        for (i, (le, c)) in b1.iter().enumerate() {
            let c = c - b0.get(i).map_or(0, |x| x.1);
            let frac = c as f64 / total.max(1) as f64;
            if p50.is_none() && frac >= 0.5 {
                p50 = Some(*le);
            }
            if p99.is_none() && frac >= 0.99 {
                p99 = Some(*le);
            }
            if *le <= 0.005 {
                line += &format!(" ≤{}µs {:.2}%", (le * 1e6).round(), frac * 100.0);
            }
        }
        println!("{line}");
        println!(
            "server-side p50 ≤ {} µs, p99 ≤ {} µs (bucket upper bounds)",
            p50.map_or(f64::NAN, |x| (x * 1e6).round()),
            p99.map_or(f64::NAN, |x| (x * 1e6).round())
        );
        println!(
            "server CPU: {:.2} s over {:.1} s ({:.0}% of one core), {:.0} µs per review; \
             capacity of 2 dedicated cores at that cost: {:.0} reviews/s",
            cpu,
            elapsed,
            cpu / elapsed * 100.0,
            cpu / lat.len().max(1) as f64 * 1e6,
            2.0 / (cpu / lat.len().max(1) as f64)
        );
        println!(
            "server RSS: idle {} MB, under load {} MB, peak {} MB",
            idle_rss / 1024,
            load_rss / 1024,
            peak_rss / 1024
        );
    });
}
