//! `stockade install` output: clean under every check and Pod Security restricted, a
//! configuration the server loads, and certificates the API server would trust.

use std::sync::Arc;

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use stockade_admission::config::parse_config;
use stockade_admission::install::{InstallMode, InstallOptions, manifests, serve_config};
use stockade_admission::tls::CertStore;
use stockade_model::{Node, Object, load, pod_specs};
use stockade_pss::{Level, Version, evaluate};

fn opts(mode: InstallMode) -> InstallOptions {
    InstallOptions {
        namespace: "stockade".into(),
        mode,
        image: "ghcr.io/stockade-dev/stockade:0.1.0".into(),
    }
}

fn objects(mode: InstallMode) -> Vec<Object> {
    let yaml = manifests(&opts(mode)).unwrap();
    let loaded = load("install.yaml", yaml.as_bytes());
    assert_eq!(loaded.errors, vec![]);
    loaded.objects
}

fn find<'a>(objects: &'a [Object], kind: &str) -> &'a Object {
    objects.iter().find(|o| o.kind == kind).unwrap()
}

#[test]
fn every_check_and_pod_security_restricted_pass() {
    for mode in [InstallMode::Enforce, InstallMode::Warn] {
        let objects = objects(mode);
        assert_eq!(
            objects.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(),
            [
                "Namespace",
                "ServiceAccount",
                "Secret",
                "ConfigMap",
                "Deployment",
                "PodDisruptionBudget",
                "Service",
                "NetworkPolicy",
                "ValidatingWebhookConfiguration",
                "MutatingWebhookConfiguration"
            ]
        );
        // Every default check, except two findings the install output accepts by design:
        // STK507 (the printed TLS Secret carries data: it is applied, not committed to Git)
        // and STK940 (the mutating webhook fails open on purpose, see docs/serve.md: a
        // defaulting outage must not block deploys; the validating webhook fails closed).
        // Opt-in checks (digest pinning, Guaranteed QoS, ephemeral storage, priority class,
        // minReadySeconds, recommended labels) are not part of the default promise.
        let config = stockade_engine::Config {
            ignore: vec!["STK507".into(), "STK940".into()],
            ..Default::default()
        };
        let engine = stockade_engine::Engine::new(&config, true).unwrap();
        let result = engine.scan_objects(&objects);
        assert_eq!(
            result
                .findings
                .iter()
                .map(|f| format!("{} {}", f.check, f.message))
                .collect::<Vec<_>>(),
            Vec::<String>::new()
        );
        let deployment = find(&objects, "Deployment");
        let specs = pod_specs(deployment);
        assert_eq!(specs.len(), 1);
        assert_eq!(
            evaluate(Level::Restricted, Version::Latest, &specs[0]),
            vec![]
        );
    }
}

#[test]
fn webhook_configurations_are_safe_by_construction() {
    for (mode, failure) in [
        (InstallMode::Enforce, "Fail"),
        (InstallMode::Warn, "Ignore"),
    ] {
        let objects = objects(mode);
        let v = find(&objects, "ValidatingWebhookConfiguration");
        let hook = &v.root.get("webhooks").unwrap().items()[0];
        let s = |path: &[&str]| hook.at(path).and_then(Node::as_str).map(str::to_string);
        assert_eq!(s(&["failurePolicy"]).as_deref(), Some(failure));
        assert_eq!(s(&["timeoutSeconds"]).as_deref(), Some("3"));
        assert_eq!(s(&["sideEffects"]).as_deref(), Some("None"));
        let excluded: Vec<&str> = hook
            .at(&["namespaceSelector", "matchExpressions"])
            .unwrap()
            .items()[0]
            .get("values")
            .unwrap()
            .items()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(excluded, ["kube-system", "stockade"]);
        assert_eq!(
            hook.get("matchConditions").unwrap().items()[0].str_at("expression"),
            Some(
                "!(request.resource.resource in ['leases', 'events', 'endpoints', 'endpointslices'])"
            )
        );
        let m = find(&objects, "MutatingWebhookConfiguration");
        let mhook = &m.root.get("webhooks").unwrap().items()[0];
        assert_eq!(mhook.str_at("failurePolicy"), Some("Ignore"));
    }
}

#[test]
fn the_configmap_holds_a_configuration_the_server_loads() {
    let objects = objects(InstallMode::Enforce);
    let cm = find(&objects, "ConfigMap");
    let text = cm
        .root
        .at(&["data", "serve.yaml"])
        .unwrap()
        .as_str()
        .unwrap();
    assert_eq!(text, serve_config(&opts(InstallMode::Enforce)));
    let policy = stockade_admission::Policy::new(&parse_config(text).unwrap()).unwrap();
    assert_eq!(policy.mode("STK001"), stockade_admission::Mode::Enforce);
    assert_eq!(policy.mode("STK004"), stockade_admission::Mode::Warn);
}

#[tokio::test]
async fn the_serving_certificate_is_trusted_through_the_ca_bundle() {
    assert_trusted(&objects(InstallMode::Warn)).await;
}

/// The Secret's serving certificate is trusted through both webhook configurations' CA bundle
/// for the name the API server uses.
async fn assert_trusted(objects: &[Object]) {
    let b64 = |n: &Node| {
        base64::engine::general_purpose::STANDARD
            .decode(n.as_str().unwrap())
            .unwrap()
    };
    let secret = find(objects, "Secret");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tls.crt"),
        b64(secret.root.at(&["data", "tls.crt"]).unwrap()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tls.key"),
        b64(secret.root.at(&["data", "tls.key"]).unwrap()),
    )
    .unwrap();
    let v = find(objects, "ValidatingWebhookConfiguration");
    let bundle = b64(v.root.get("webhooks").unwrap().items()[0]
        .at(&["clientConfig", "caBundle"])
        .unwrap());
    let m = find(objects, "MutatingWebhookConfiguration");
    let mbundle = b64(m.root.get("webhooks").unwrap().items()[0]
        .at(&["clientConfig", "caBundle"])
        .unwrap());
    assert_eq!(bundle, mbundle);
    assert_eq!(bundle, b64(secret.root.at(&["data", "ca.crt"]).unwrap()));

    let store = Arc::new(
        CertStore::load(&dir.path().join("tls.crt"), &dir.path().join("tls.key")).unwrap(),
    );
    let acceptor = tokio_rustls::TlsAcceptor::from(store.server_config().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        acceptor.accept(tcp).await.map(|_| ())
    });
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(&bundle).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The name the API server uses for a service reference.
    let name = ServerName::try_from("stockade.stockade.svc").unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("the API server would trust the webhook's certificate");
    server.await.unwrap().unwrap();
}

/// `helm template stockade deploy/helm/stockade ARGS`, with helm from scripts/fetch-helm.sh.
fn helm_run(args: &[&str]) -> std::process::Output {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fetch = std::process::Command::new("bash")
        .arg(root.join("scripts/fetch-helm.sh"))
        .output()
        .expect("running scripts/fetch-helm.sh");
    assert!(
        fetch.status.success(),
        "scripts/fetch-helm.sh could not provide helm: {}",
        String::from_utf8_lossy(&fetch.stderr)
    );
    let helm = String::from_utf8(fetch.stdout).unwrap().trim().to_string();
    std::process::Command::new(&helm)
        .args(["template", "stockade"])
        .arg(root.join("deploy/helm/stockade"))
        .args(args)
        .output()
        .unwrap()
}

/// The objects `helm template` renders into namespace `stockade`.
fn helm_template(args: &[&str]) -> Vec<Object> {
    let mut all = vec!["--namespace", "stockade"];
    all.extend_from_slice(args);
    let out = helm_run(&all);
    assert!(
        out.status.success(),
        "helm template failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let loaded = load("chart.yaml", &out.stdout);
    assert_eq!(loaded.errors, vec![]);
    loaded.objects
}

/// The object as JSON with the generated certificate material blanked.
fn without_certs(o: &Object) -> serde_json::Value {
    let mut v = o.root.to_json();
    if o.kind == "Secret" {
        for k in ["tls.crt", "tls.key", "ca.crt"] {
            assert!(v["data"][k].as_str().is_some_and(|s| s.len() > 100), "{k}");
            v["data"][k] = "...".into();
        }
    }
    if let Some(hooks) = v["webhooks"].as_array_mut() {
        for h in hooks {
            h["clientConfig"]["caBundle"] = "...".into();
        }
    }
    v
}

#[tokio::test]
async fn the_helm_chart_renders_what_stockade_install_prints() {
    for (mode, name) in [
        (InstallMode::Enforce, "enforce"),
        (InstallMode::Warn, "warn"),
    ] {
        let chart = helm_template(&[
            "--set",
            &format!("mode={name}"),
            "--set",
            "createNamespace=true",
        ]);
        let installed = objects(mode);
        let key = |o: &Object| (o.kind.clone(), o.name.clone());
        let mut from_chart: Vec<_> = chart.iter().map(|o| (key(o), without_certs(o))).collect();
        let mut from_install: Vec<_> = installed
            .iter()
            .map(|o| (key(o), without_certs(o)))
            .collect();
        from_chart.sort_by(|a, b| a.0.cmp(&b.0));
        from_install.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(from_chart.len(), from_install.len(), "{name}");
        for (c, i) in from_chart.iter().zip(&from_install) {
            assert_eq!(c, i, "{name}: the chart and `stockade install` differ");
        }
        // Its own certificates are consistent and trusted, like install's.
        assert_trusted(&chart).await;
    }
    // Without createNamespace (the default) there is no Namespace object; a bad mode fails.
    let chart = helm_template(&[]);
    assert!(chart.iter().all(|o| o.kind != "Namespace"));
    assert_eq!(chart.len(), 9);
    let bad = helm_run(&["--set", "mode=audit"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("mode must be enforce or warn"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
