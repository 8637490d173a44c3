//! The `images:` policy at admission, through the real server over HTTPS, against a real
//! registry (docker-registry on 127.0.0.1, `stockade_image::testing`): signed images admitted,
//! unsigned and wrongly signed ones denied with the reason, the failure mode when the registry
//! is down or too slow, the digest rewrite, and rules that never call the registry.

mod common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use common::Running;
use serde_json::{Value, json};
use stockade_image::testing::{Registry, client, push_image};
use stockade_image::{ClientConfig, PrivateKey, Reference, cosign};

fn pod(images: &[&str]) -> Value {
    let containers: Vec<Value> = images
        .iter()
        .enumerate()
        .map(|(i, image)| json!({"name": format!("c{i}"), "image": image}))
        .collect();
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": {"containers": containers}})
}

fn review(object: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "namespace": "apps", "operation": "CREATE",
            "userInfo": {"username": "alice"}, "object": object}
    }))
    .unwrap()
}

fn response(text: &str) -> Value {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    v["response"].clone()
}

fn message(r: &Value) -> String {
    r["status"]["message"].as_str().unwrap_or("").to_string()
}

fn registry_calls(s: &Running) -> u64 {
    s.state.policy().images().unwrap().registry_calls()
}

/// Starts the server with `config`, the key files written beside it.
async fn server(config: &str, keys: &[(&str, String)], host: &str) -> Running {
    let insecure = vec![host.to_string()];
    let keys: Vec<(String, String)> = keys
        .iter()
        .map(|(n, k)| (n.to_string(), k.clone()))
        .collect();
    Running::start_with(config, move |sc| {
        let dir = sc.config.as_ref().unwrap().parent().unwrap().to_path_buf();
        for (name, pem) in &keys {
            std::fs::write(dir.join(name), pem).unwrap();
        }
        sc.registry = ClientConfig {
            insecure,
            ..ClientConfig::default()
        };
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_admitted_unsigned_and_wrong_key_denied_digest_rewritten_rules_offline() {
    let reg = Registry::start();
    let c = client(&reg);
    let h = reg.host.clone();
    let signed = format!("{h}/team/app:v1");
    let digest = push_image(&c, &Reference::parse(&signed).unwrap(), "signed", "amd64");
    let unsigned = format!("{h}/team/unsigned:v1");
    push_image(
        &c,
        &Reference::parse(&unsigned).unwrap(),
        "unsigned",
        "amd64",
    );
    let other = format!("{h}/other/app:v1");
    push_image(&c, &Reference::parse(&other).unwrap(), "other", "amd64");
    let team = PrivateKey::generate_p256().unwrap();
    let stranger = PrivateKey::generate_p256().unwrap();
    cosign::sign(&c, &Reference::parse(&signed).unwrap(), &team, None).unwrap();
    cosign::sign(&c, &Reference::parse(&other).unwrap(), &team, None).unwrap();

    let config = format!(
        "checks:\n  select: [STK001]\nimages:\n  rewrite-to-digest: true\n  rules:\n    - image: \"{h}/team/**\"\n      keys: [team.pub]\n    - image: \"{h}/other/**\"\n      keys: [stranger.pub]\n    - image: \"docker.io/library/*\"\n      action: allow\n    - image: \"**\"\n      action: deny\n      message: images come from the team registry\n"
    );
    let s = server(
        &config,
        &[
            ("team.pub", team.public_key().to_pem()),
            ("stranger.pub", stranger.public_key().to_pem()),
        ],
        &h,
    )
    .await;

    // Signed by the team key: admitted, one registry call.
    let (code, text) = s.post("/validate", review(&pod(&[&signed]))).await;
    assert_eq!(code, 200);
    let r = response(&text);
    assert_eq!(r["allowed"], json!(true), "{r}");
    assert!(r.get("warnings").is_none(), "{r}");
    assert_eq!(registry_calls(&s), 1);

    // Again: the cached verdict, no registry call.
    let r = response(&s.post("/validate", review(&pod(&[&signed]))).await.1);
    assert_eq!(r["allowed"], json!(true));
    assert_eq!(registry_calls(&s), 1);

    // Unsigned: denied, naming the container, the image and the reason.
    let r = response(
        &s.post("/validate", review(&pod(&["nginx:1.27", &unsigned])))
            .await
            .1,
    );
    assert_eq!(r["allowed"], json!(false), "{r}");
    let m = message(&r);
    assert!(
        m.contains(&format!(
            "[STK212 image-signature-not-verified] spec.containers[1].image: image {unsigned}: {unsigned}: no signature"
        )),
        "{m}"
    );
    assert!(
        m.starts_with("stockade denied Pod \"web\": 1 violation:"),
        "{m}"
    );

    // Signed, but not by the key its rule names: denied.
    let r = response(&s.post("/validate", review(&pod(&[&other]))).await.1);
    assert_eq!(r["allowed"], json!(false));
    let m = message(&r);
    // Key files are named by their path (made absolute from the configuration's directory).
    let expected = format!("image {other}: {other}: 1 signature(s) found, none verifies with ");
    assert!(m.contains(&expected) && m.contains("/stranger.pub"), "{m}");

    // Rules that need no signature never call the registry.
    let calls = registry_calls(&s);
    let r = response(
        &s.post("/validate", review(&pod(&["nginx:1.27", "busybox"])))
            .await
            .1,
    );
    assert_eq!(r["allowed"], json!(true), "{r}");
    let r = response(
        &s.post("/validate", review(&pod(&["quay.io/evil/miner:1"])))
            .await
            .1,
    );
    assert_eq!(r["allowed"], json!(false));
    assert!(
        message(&r).contains("image quay.io/evil/miner:1: images come from the team registry"),
        "{}",
        message(&r)
    );
    assert_eq!(
        registry_calls(&s),
        calls,
        "allow/deny rules made registry calls"
    );

    // /mutate pins the verified image to its digest; applying the patch and asking again
    // changes nothing (idempotent). Unverified and rule-allowed images are left alone.
    let object = pod(&[&signed, "nginx:1.27"]);
    let r = response(&s.post("/mutate", review(&object)).await.1);
    assert_eq!(r["patchType"], json!("JSONPatch"), "{r}");
    let ops: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(r["patch"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        ops,
        json!([{"op": "replace", "path": "/spec/containers/0/image",
            "value": format!("{signed}@{digest}")}])
    );
    let mut patched = object.clone();
    json_patch::patch(
        &mut patched,
        &serde_json::from_value::<json_patch::Patch>(ops).unwrap(),
    )
    .unwrap();
    let r = response(&s.post("/mutate", review(&patched)).await.1);
    assert!(r.get("patch").is_none(), "{r}");
    assert_eq!(r["allowed"], json!(true));
    // The pinned reference still verifies at validation.
    let r = response(&s.post("/validate", review(&patched)).await.1);
    assert_eq!(r["allowed"], json!(true), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_down_or_slow_follows_on_error_within_the_deadline() {
    let team = PrivateKey::generate_p256().unwrap();
    let keys = [("team.pub", team.public_key().to_pem())];
    let config = |host: &str, on_error: &str| {
        format!(
            "checks:\n  select: [STK001]\nlimits:\n  deadline-ms: 2000\nimages:\n  on-error: {on_error}\n  timeout: 5s\n  rules:\n    - image: \"{host}/**\"\n      keys: [team.pub]\n"
        )
    };

    // Stopped registry: the connection is refused at once.
    let reg = Registry::start();
    let host = reg.host.clone();
    drop(reg);
    let image = format!("{host}/team/app:v1");
    let deny = server(&config(&host, "deny"), &keys, &host).await;
    let allow = server(&config(&host, "allow"), &keys, &host).await;
    let r = response(&deny.post("/validate", review(&pod(&[&image]))).await.1);
    assert_eq!(r["allowed"], json!(false), "{r}");
    assert!(
        message(&r).contains(&format!("image {image}: cannot verify {image}: ")),
        "{}",
        message(&r)
    );
    let r = response(&allow.post("/validate", review(&pod(&[&image]))).await.1);
    assert_eq!(r["allowed"], json!(true), "{r}");
    let w = r["warnings"][0].as_str().unwrap_or("");
    assert!(
        w.starts_with(&format!(
            "[STK212 image-signature-not-verified] spec.containers[0].image: image {image}: {image} admitted without verification: "
        )),
        "{r}"
    );
    // Failures are not cached: each request tries again.
    allow.post("/validate", review(&pod(&[&image]))).await;
    assert_eq!(registry_calls(&allow), 2);

    // A registry that accepts connections and never answers: the request timeout (5 s) is
    // longer than the verification deadline (3/4 of 2000 ms), which decides.
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = hung.local_addr().unwrap().to_string();
    let image = format!("{host}/team/app:v1");
    for (on_error, allowed) in [("deny", false), ("allow", true)] {
        let s = server(&config(&host, on_error), &keys, &host).await;
        let start = Instant::now();
        let (code, text) = s.post("/validate", review(&pod(&[&image]))).await;
        let took = start.elapsed();
        assert_eq!(code, 200, "{text}");
        let r = response(&text);
        assert_eq!(r["allowed"], json!(allowed), "{r}");
        assert!(
            text.contains("registry verification exceeded the 1500 ms deadline"),
            "{text}"
        );
        assert!(
            took >= Duration::from_millis(1450) && took < Duration::from_millis(4000),
            "answered after {took:?}"
        );
    }
    drop(hung);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_allowlist_and_digest_pinning_deny_at_admission_when_enforced() {
    // Item 5 of issue 9: the engine checks apply at admission through the same engine; no
    // `images:` section and no registry.
    let config = "checks:\n  select: [STK202, STK204]\n  options:\n    allowed-registries: [registry.example.com]\nmodes:\n  enforce: [STK202, STK204]\n";
    let s = Running::start(config).await;
    let r = response(
        &s.post("/validate", review(&pod(&["docker.io/library/nginx:1.27"])))
            .await
            .1,
    );
    assert_eq!(r["allowed"], json!(false), "{r}");
    let m = message(&r);
    assert!(
        m.contains("[STK204 image-registry-not-allowed] spec.containers[0].image"),
        "{m}"
    );
    assert!(
        m.contains("[STK202 image-not-pinned-by-digest] spec.containers[0].image"),
        "{m}"
    );
    let pinned = format!("registry.example.com/web:1.0@sha256:{}", "a".repeat(64));
    let r = response(&s.post("/validate", review(&pod(&[&pinned]))).await.1);
    assert_eq!(r["allowed"], json!(true), "{r}");
}

/// Latency of a `/validate` review over HTTPS whose image needs a registry verification
/// (cold) against the same review answered from the verdict cache. A measurement, not a
/// check: `cargo test -p stockade-admission --test images -- --ignored --nocapture latency`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; run explicitly"]
async fn latency_cold_vs_cached_verdict() {
    const N: usize = 30;
    let reg = Registry::start();
    let c = client(&reg);
    let h = reg.host.clone();
    let team = PrivateKey::generate_p256().unwrap();
    let images: Vec<String> = (0..N)
        .map(|i| {
            let image = format!("{h}/bench/app{i}:v1");
            let r = Reference::parse(&image).unwrap();
            push_image(&c, &r, &format!("bench {i}"), "amd64");
            cosign::sign(&c, &r, &team, None).unwrap();
            image
        })
        .collect();
    let config = format!(
        "checks:\n  select: [STK001]\nimages:\n  rules:\n    - image: \"{h}/**\"\n      keys: [team.pub]\n"
    );
    let s = server(&config, &[("team.pub", team.public_key().to_pem())], &h).await;
    // A new TLS connection per review (both figures include the handshake).
    time(&s, "nginx:1.27").await;
    let mut cold = Vec::new();
    let mut cached = Vec::new();
    for image in &images {
        cold.push(time(&s, image).await);
        for _ in 0..10 {
            cached.push(time(&s, image).await);
        }
    }
    assert_eq!(registry_calls(&s), N as u64);
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let p99 = |v: &Vec<Duration>| v[(v.len() * 99 / 100).min(v.len() - 1)];
    let (mc, mh) = (median(&mut cold), median(&mut cached));
    println!(
        "cold (registry verification): median {:?}, p99 {:?} over {} reviews",
        mc,
        p99(&cold),
        cold.len()
    );
    println!(
        "cached verdict: median {:?}, p99 {:?} over {} reviews",
        mh,
        p99(&cached),
        cached.len()
    );
}

async fn time(s: &Running, image: &str) -> Duration {
    let body = review(&pod(&[image]));
    let start = Instant::now();
    let (code, text) = s.post("/validate", body).await;
    let took = start.elapsed();
    assert_eq!(code, 200);
    assert_eq!(response(&text)["allowed"], json!(true), "{text}");
    took
}
