//! Verify latency against a local registry (docker-registry on 127.0.0.1, started here as in
//! the tests): pushes a small image, signs it, then times `cosign::verify`
//!
//! - cold: a new client per verification (new connections, as one `stockade image verify`
//!   process has),
//! - warm: one client reused (pooled connections),
//! - cached: the image policy's verdict cache (what `stockade serve` would pay per pod).
//!
//!     cargo run --release -p stockade-image --example verify_latency [-- ROUNDS]

use std::time::{Duration, Instant};

use stockade_image::cosign::{self, Require};
use stockade_image::policy::ImagePolicy;
use stockade_image::testing as support;
use stockade_image::{Client, ClientConfig, PrivateKey, Reference};

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<8} n={:<5} median {:>9.1} µs   p90 {:>9.1} µs   min {:>9.1} µs",
        v.len(),
        us(v[v.len() / 2]),
        us(v[v.len() * 9 / 10]),
        us(v[0])
    );
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let reg = support::Registry::start();
    let cfg = ClientConfig {
        insecure: vec![reg.host.clone()],
        ..ClientConfig::default()
    };
    let c = Client::new(cfg.clone()).unwrap();
    let r = Reference::parse(&format!("{}/bench/app:v1", reg.host)).unwrap();
    support::push_image(&c, &r, "bench", "amd64");
    let key = PrivateKey::generate_p256().unwrap();
    cosign::sign(&c, &r, &key, None).unwrap();
    let public = key.public_key();
    let keys = [public.clone()];

    let mut cold = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let c = Client::new(cfg.clone()).unwrap();
        assert!(
            cosign::verify(&c, &r, &keys, Require::Any)
                .unwrap()
                .verified
        );
        cold.push(t.elapsed());
    }
    let mut warm = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        assert!(
            cosign::verify(&c, &r, &keys, Require::Any)
                .unwrap()
                .verified
        );
        warm.push(t.elapsed());
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("k.pub"), public.to_pem()).unwrap();
    let yaml = format!(
        "images:\n  rules:\n    - image: \"{}/**\"\n      keys: [k.pub]\n",
        reg.host
    );
    let policy = ImagePolicy::from_yaml_section(&yaml, "bench", dir.path(), cfg).unwrap();
    let image = r.to_string();
    let t = Instant::now();
    assert!(policy.evaluate(&image).allowed());
    let first = t.elapsed();
    let mut cached = Vec::new();
    for _ in 0..rounds * 10 {
        let t = Instant::now();
        assert!(policy.evaluate(&image).allowed());
        cached.push(t.elapsed());
    }
    assert_eq!(policy.registry_calls(), 1);
    println!(
        "registry calls per verification: HEAD tag, GET .sig manifest, GET payload blob, GET referrers (404), GET sha256-<hex> tag (404)"
    );
    stats("cold", cold);
    stats("warm", warm);
    println!(
        "policy   first evaluation {:.1} µs",
        first.as_secs_f64() * 1e6
    );
    stats("cached", cached);
}
