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
    assert_trusted_by(objects, &[]).await
}

/// As [`assert_trusted`], with `root` (PEM) as the client's root when it is not empty.
async fn assert_trusted_by(objects: &[Object], root: &[u8]) {
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
        .add(CertificateDer::from_pem_slice(if root.is_empty() { &bundle } else { root }).unwrap())
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

/// A CA that install accepts (a CA, keyCertSign, valid for ten years), as [`write_ca_files`].
fn write_valid_ca_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    write_ca_files(
        dir,
        true,
        vec![rcgen::KeyUsagePurpose::KeyCertSign],
        (-1, 3650),
    )
}

/// A CA made with rcgen, as PEM (certificate, key), in `dir` as ca.crt and ca.key.
fn write_ca_files(
    dir: &std::path::Path,
    is_ca: bool,
    usages: Vec<rcgen::KeyUsagePurpose>,
    from_now_days: (i64, i64),
) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    if is_ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    params.key_usages = usages;
    let at = |d: i64| {
        let now = std::time::SystemTime::now();
        let span = std::time::Duration::from_secs(d.unsigned_abs() * 86_400);
        if d < 0 { now - span } else { now + span }.into()
    };
    params.not_before = at(from_now_days.0);
    params.not_after = at(from_now_days.1);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let (c, k) = (dir.join("ca.crt"), dir.join("ca.key"));
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    (c, k)
}

fn secret_and_bundle(objects: &[Object]) -> (Vec<u8>, Vec<u8>) {
    let b64 = |n: &Node| {
        base64::engine::general_purpose::STANDARD
            .decode(n.as_str().unwrap())
            .unwrap()
    };
    let secret = find(objects, "Secret");
    let leaf = b64(secret.root.at(&["data", "tls.crt"]).unwrap());
    let v = find(objects, "ValidatingWebhookConfiguration");
    let bundle = b64(v.root.get("webhooks").unwrap().items()[0]
        .at(&["clientConfig", "caBundle"])
        .unwrap());
    (leaf, bundle)
}

fn der(pem: &[u8]) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem).unwrap().to_vec()
}

/// Checks that the objects' caBundle is the given CA (PEM), unchanged, and that the serving
/// certificate in their Secret is signed by it (its signature verifies with the CA's public
/// key, its issuer is the CA's subject). Returns the leaf (DER) and the bundle (PEM).
fn signed_by_given_ca(objects: &[Object], given: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (leaf, bundle) = secret_and_bundle(objects);
    assert_eq!(der(&bundle), der(given));
    let leaf_der = der(&leaf);
    let ca_der = der(given);
    let (_, leaf_x509) = x509_parser::parse_x509_certificate(&leaf_der).unwrap();
    let (_, ca_x509) = x509_parser::parse_x509_certificate(&ca_der).unwrap();
    leaf_x509
        .verify_signature(Some(ca_x509.public_key()))
        .expect("the leaf is signed by the given CA");
    assert_eq!(leaf_x509.issuer(), ca_x509.subject());
    (leaf_der, bundle)
}

#[tokio::test]
async fn a_given_ca_signs_rotated_leaves_under_an_unchanged_ca_bundle() {
    use stockade_admission::install::{Ca, manifests_with_ca};
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = write_valid_ca_files(dir.path());
    let given = std::fs::read(&c).unwrap();
    let mut leaves = vec![];
    let mut first_bundle = None;
    for _ in 0..2 {
        let ca = Ca::load(&c, &k).unwrap();
        let objects = {
            let yaml = manifests_with_ca(&opts(InstallMode::Enforce), &ca).unwrap();
            let loaded = load("install.yaml", yaml.as_bytes());
            assert_eq!(loaded.errors, vec![]);
            loaded.objects
        };
        let (leaf_der, bundle) = signed_by_given_ca(&objects, &given);
        // The handshake succeeds with the first run's caBundle as the only root.
        let first: &Vec<u8> = first_bundle.get_or_insert(bundle);
        assert_trusted_by(&objects, first).await;
        leaves.push(leaf_der);
    }
    assert_ne!(
        leaves[0], leaves[1],
        "each run issues a new serving certificate"
    );
}

#[test]
fn an_unusable_ca_is_rejected_naming_the_file_and_the_problem() {
    use rcgen::KeyUsagePurpose::{CrlSign, DigitalSignature, KeyCertSign};
    use stockade_admission::install::Ca;
    let err = |dir: &std::path::Path, c: &std::path::Path, k: &std::path::Path| {
        let e = Ca::load(c, k).unwrap_err().to_string();
        assert!(e.contains(&dir.display().to_string()), "{e}");
        e
    };
    // The key of another CA.
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (c, _) = write_ca_files(a.path(), true, vec![KeyCertSign], (-1, 3650));
    let (_, other_key) = write_ca_files(b.path(), true, vec![KeyCertSign], (-1, 3650));
    let e = err(b.path(), &c, &other_key);
    assert!(e.contains("does not match the CA certificate"), "{e}");
    // Not a CA.
    let d = tempfile::tempdir().unwrap();
    let (c, k) = write_ca_files(d.path(), false, vec![DigitalSignature], (-1, 3650));
    assert!(err(d.path(), &c, &k).contains("basicConstraints CA:true is missing"));
    // A CA without keyCertSign.
    let (c, k) = write_ca_files(d.path(), true, vec![CrlSign], (-1, 3650));
    assert!(err(d.path(), &c, &k).contains("lacks keyCertSign"));
    // Expired, not yet valid, and ending before the new leaf.
    let (c, k) = write_ca_files(d.path(), true, vec![KeyCertSign], (-3650, -1));
    assert!(err(d.path(), &c, &k).contains("has expired"));
    let (c, k) = write_ca_files(d.path(), true, vec![KeyCertSign], (2, 3650));
    assert!(err(d.path(), &c, &k).contains("not valid yet"));
    let (c, k) = write_ca_files(d.path(), true, vec![KeyCertSign], (-1, 30));
    assert!(err(d.path(), &c, &k).contains("before a new serving certificate would"));
    // Garbage in either file.
    let (c, k) = write_ca_files(d.path(), true, vec![KeyCertSign], (-1, 3650));
    let junk = d.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let e = err(d.path(), &junk, &k);
    assert!(
        e.contains("junk.pem") && e.contains("not a PEM certificate"),
        "{e}"
    );
    let e = err(d.path(), &c, &junk);
    assert!(
        e.contains("junk.pem") && e.contains("not a usable PEM private key"),
        "{e}"
    );
    // The key given as the certificate.
    let e = err(d.path(), &k, &k);
    assert!(e.contains("not a PEM certificate"), "{e}");
}

/// The chart with a kept CA (`--set-file ca.cert=... --set-file ca.key=...`): each render
/// signs a new serving certificate under it and the caBundle is that CA, unchanged. One of
/// the two values alone is an error.
#[tokio::test]
async fn the_helm_chart_signs_with_a_given_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (c, k) = write_valid_ca_files(dir.path());
    let given = std::fs::read(&c).unwrap();
    let cert_arg = format!("ca.cert={}", c.display());
    let key_arg = format!("ca.key={}", k.display());
    let mut leaves = vec![];
    for _ in 0..2 {
        let chart = helm_template(&["--set-file", &cert_arg, "--set-file", &key_arg]);
        let (leaf_der, _) = signed_by_given_ca(&chart, &given);
        assert_trusted_by(&chart, &given).await;
        leaves.push(leaf_der);
    }
    assert_ne!(
        leaves[0], leaves[1],
        "each render issues a new serving certificate"
    );
    let half = helm_run(&["--namespace", "stockade", "--set-file", &cert_arg]);
    assert!(!half.status.success());
    assert!(
        String::from_utf8_lossy(&half.stderr).contains("ca.cert and ca.key go together"),
        "{}",
        String::from_utf8_lossy(&half.stderr)
    );
}
