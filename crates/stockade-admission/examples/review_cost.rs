//! Single-thread cost of one review (no network): `cargo run --release -p stockade-admission
//! --example review_cost [-- FILE.json [N]]` (N reviews measured, 20,000 by default, after N/20
//! to warm up). For instruction counts, run it under callgrind twice with different N and
//! divide the difference in instructions by the difference in N. It uses the system allocator
//! (the `stockade` binary uses mimalloc), so allocation weighs more here than in the server.

use std::time::Instant;

use stockade_admission::config::parse_config;
use stockade_admission::{Policy, Webhook, review_bytes};

fn main() {
    let file = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/bench-deployment.json"
        )
        .into()
    });
    let body = std::fs::read(&file).unwrap();
    let policy = Policy::new(
        &parse_config(
            "namespaces:\n  apps:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/audit: restricted\n",
        )
        .unwrap(),
    )
    .unwrap();
    let n: usize = std::env::args()
        .nth(2)
        .map_or(20_000, |n| n.parse().expect("N: a number of reviews"));
    for _ in 0..n / 20 {
        review_bytes(&policy, Webhook::Validate, &body).unwrap();
    }
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let o = review_bytes(&policy, Webhook::Validate, &body).unwrap();
        let _ = serde_json::to_vec(&o.response).unwrap();
        lat.push(t.elapsed().as_nanos() as u64);
    }
    let total = start.elapsed();
    lat.sort_unstable();
    println!(
        "{n} reviews in {:.2} s: {:.0}/s on one thread; p50 {} µs, p99 {} µs",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        lat[n / 2] / 1000,
        lat[n * 99 / 100] / 1000
    );
}
