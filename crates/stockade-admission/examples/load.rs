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
//! The client is kept cheap so that it leaves the cores to the server: blocking rustls over
//! HTTP/1.1 with the request serialised once, each client thread driving its connections in
//! rounds (write one request on every connection, then read every answer), no async runtime.
//!
//! Reports reviews per second, client-side latency percentiles, the server-side latency
//! distribution from its own histogram, the server's CPU time per review (from
//! `/proc/<pid>/stat`, so what 2 dedicated cores would sustain can be stated next to what was
//! measured) and its RSS (current and peak).
//!
//! Flags: `--stockade PATH`, `--connections N` (16), `--client-threads N` (1), `--seconds N`
//! (10), `--review FILE.json`, `--server-threads N` (2), `--server-cpus LIST` (run the server
//! under `taskset -c LIST`), `--client-cpus LIST` (pin this process with `taskset -p`),
//! `--requests N` (send N reviews per connection instead of running for `--seconds`, for a
//! profile), `--server-wrapper "CMD ARGS"` (prefix the server command, e.g. `valgrind
//! --tool=callgrind`), `--events` (keep the decisions log, as the installed server does;
//! on by default, `--no-events` turns it off).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};

struct Args {
    stockade: PathBuf,
    connections: usize,
    client_threads: usize,
    seconds: u64,
    review: PathBuf,
    server_threads: usize,
    server_cpus: Option<String>,
    client_cpus: Option<String>,
    requests: Option<u64>,
    server_wrapper: Vec<String>,
    events: bool,
}

fn args() -> Args {
    let mut a = Args {
        stockade: "target/release/stockade".into(),
        connections: 16,
        client_threads: 1,
        seconds: 10,
        review: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/bench-deployment.json"
        )
        .into(),
        server_threads: 2,
        server_cpus: None,
        client_cpus: None,
        requests: None,
        server_wrapper: Vec::new(),
        events: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--no-events" {
            a.events = false;
            continue;
        }
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--stockade" => a.stockade = v.into(),
            "--connections" => a.connections = v.parse().expect("--connections"),
            "--client-threads" => a.client_threads = v.parse().expect("--client-threads"),
            "--seconds" => a.seconds = v.parse().expect("--seconds"),
            "--review" => a.review = v.into(),
            "--server-threads" => a.server_threads = v.parse().expect("--server-threads"),
            "--server-cpus" => a.server_cpus = Some(v),
            "--client-cpus" => a.client_cpus = Some(v),
            "--requests" => a.requests = Some(v.parse().expect("--requests")),
            "--server-wrapper" => {
                a.server_wrapper = v.split_whitespace().map(str::to_string).collect();
            }
            _ => panic!("unknown flag {flag}"),
        }
    }
    a.client_threads = a.client_threads.clamp(1, a.connections.max(1));
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

/// CPU seconds (user + system) a process (`/proc/<pid>/stat`) or this process has used.
fn cpu_seconds(stat: &str) -> f64 {
    let stat = std::fs::read_to_string(stat).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at state; utime and stime
    // are fields 14 and 15 of the whole line.
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// A plain-HTTP GET on the admin port: status and body.
fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut tcp = TcpStream::connect(addr).ok()?;
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    tcp.read_to_string(&mut text).ok()?;
    let code = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    Some((code, body))
}

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

fn connect(addr: SocketAddr, config: &Arc<rustls::ClientConfig>) -> Tls {
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_nodelay(true).unwrap();
    let conn =
        rustls::ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap())
            .unwrap();
    rustls::StreamOwned::new(conn, tcp)
}

/// One keep-alive connection and its read buffer.
struct Conn {
    tls: Tls,
    buf: Vec<u8>,
    sent: Instant,
}

impl Conn {
    /// Reads one whole HTTP/1.1 response (status line, headers, `content-length` body) and
    /// checks its status is 200.
    fn read_response(&mut self) {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end]).expect("response head");
                assert!(
                    head.starts_with("HTTP/1.1 200"),
                    "unexpected response: {head}"
                );
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .expect("content-length");
                let total = end + 4 + len;
                if self.buf.len() >= total {
                    self.buf.drain(..total);
                    return;
                }
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.tls.read(&mut chunk).expect("read");
            assert!(n > 0, "server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
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

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let a = args();
    let review = std::fs::read(&a.review).expect("review file");
    let mut request = format!(
        "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        review.len()
    )
    .into_bytes();
    request.extend_from_slice(&review);
    let request: Arc<[u8]> = request.into();
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

    if let Some(cpus) = &a.client_cpus {
        let ok = Command::new("taskset")
            .args(["-a", "-p", "-c", cpus, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "taskset -p -c {cpus} failed");
    }
    let (addr, admin) = (free_port(), free_port());
    let mut command: Vec<String> = Vec::new();
    if let Some(cpus) = &a.server_cpus {
        command.extend(["taskset".into(), "-c".into(), cpus.clone()]);
    }
    command.extend(a.server_wrapper.iter().cloned());
    command.push(a.stockade.display().to_string());
    let path = |f: &str| dir.path().join(f).display().to_string();
    command.extend(
        [
            "serve",
            "--tls-cert",
            &path("tls.crt"),
            "--tls-key",
            &path("tls.key"),
            "--config",
            &path("config.yaml"),
            "--listen",
            &addr.to_string(),
            "--admin-listen",
            &admin.to_string(),
            "--threads",
            &a.server_threads.to_string(),
        ]
        .map(str::to_string),
    );
    if a.events {
        // Every review warns, so every one is written to the decisions log.
        command.extend(["--events".into(), path("events.db")]);
    } else {
        command.push("--no-events".into());
    }
    let child = Command::new(&command[0])
        .args(&command[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start stockade serve");
    // With a wrapper (taskset execs; valgrind stays the same process) the pid is the server's.
    let pid = child.id();
    let server = Server(child);

    let deadline = Instant::now() + Duration::from_secs(120);
    while get(admin, "/readyz").map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "server never became ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (idle_rss, _) = rss_kb(pid);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(ca.der().to_vec())).unwrap();
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(a.requests.is_some()));
    let mut threads = Vec::new();
    for t in 0..a.client_threads {
        let n =
            a.connections / a.client_threads + usize::from(t < a.connections % a.client_threads);
        let (stop, measuring, request, config) = (
            stop.clone(),
            measuring.clone(),
            request.clone(),
            config.clone(),
        );
        let rounds = a.requests;
        threads.push(std::thread::spawn(move || {
            let mut conns: Vec<Conn> = (0..n)
                .map(|_| Conn {
                    tls: connect(addr, &config),
                    buf: Vec::with_capacity(16 * 1024),
                    sent: Instant::now(),
                })
                .collect();
            let mut lat: Vec<u32> = Vec::with_capacity(1 << 20);
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) && rounds.is_none_or(|r| round < r) {
                round += 1;
                for c in &mut conns {
                    c.sent = Instant::now();
                    c.tls.write_all(&request).expect("write");
                }
                let record = measuring.load(Ordering::Relaxed);
                for c in &mut conns {
                    c.read_response();
                    if record {
                        lat.push(c.sent.elapsed().as_micros() as u32);
                    }
                }
            }
            lat
        }));
    }
    let self_stat = "/proc/self/stat".to_string();
    let server_stat = format!("/proc/{pid}/stat");
    let (mut lat, elapsed, cpu, client_cpu, load_rss, peak_rss, before, after);
    if a.requests.is_some() {
        let before_m = get(admin, "/metrics").unwrap().1;
        let cpu0 = cpu_seconds(&server_stat);
        let c0 = cpu_seconds(&self_stat);
        let start = Instant::now();
        let mut all = Vec::new();
        for t in threads {
            all.extend(t.join().unwrap());
        }
        elapsed = start.elapsed().as_secs_f64();
        cpu = cpu_seconds(&server_stat) - cpu0;
        client_cpu = cpu_seconds(&self_stat) - c0;
        (load_rss, peak_rss) = rss_kb(pid);
        after = get(admin, "/metrics").unwrap().1;
        before = before_m;
        lat = all;
    } else {
        // Warm up, then measure.
        std::thread::sleep(Duration::from_secs(1));
        before = get(admin, "/metrics").unwrap().1;
        measuring.store(true, Ordering::Relaxed);
        let cpu0 = cpu_seconds(&server_stat);
        let c0 = cpu_seconds(&self_stat);
        let start = Instant::now();
        std::thread::sleep(Duration::from_secs(a.seconds));
        measuring.store(false, Ordering::Relaxed);
        elapsed = start.elapsed().as_secs_f64();
        cpu = cpu_seconds(&server_stat) - cpu0;
        client_cpu = cpu_seconds(&self_stat) - c0;
        (load_rss, peak_rss) = rss_kb(pid);
        after = get(admin, "/metrics").unwrap().1;
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for t in threads {
            all.extend(t.join().unwrap());
        }
        lat = all;
    }
    lat.sort_unstable();
    drop(server);

    let reviews = lat.len().max(1) as f64;
    println!("review: {}", a.review.display());
    println!(
        "connections: {} on {} client thread(s), server threads: {}{}, measured: {:.1} s",
        a.connections,
        a.client_threads,
        a.server_threads,
        a.server_cpus
            .as_deref()
            .map(|c| format!(" (server on CPUs {c})"))
            .unwrap_or_default(),
        elapsed
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
        "server CPU: {:.2} s over {:.1} s ({:.0}% of one core), {:.1} µs per review; \
         capacity of 2 dedicated cores at that cost: {:.0} reviews/s",
        cpu,
        elapsed,
        cpu / elapsed * 100.0,
        cpu / reviews * 1e6,
        2.0 / (cpu / reviews)
    );
    println!(
        "client CPU: {:.2} s ({:.1} µs per review)",
        client_cpu,
        client_cpu / reviews * 1e6
    );
    println!(
        "server RSS: idle {} MB, under load {} MB, peak {} MB",
        idle_rss / 1024,
        load_rss / 1024,
        peak_rss / 1024
    );
}
