//! `stockade install`: everything needed to run the webhook in a cluster, as one YAML stream.
//!
//! Choices, and why:
//! - a self-signed CA (10 years) issues the serving certificate (1 year) for the Service's DNS
//!   names; the CA goes into both webhook configurations' `caBundle`. Running `install` again
//!   issues a new CA and certificate unless an existing CA is given ([`Ca::load`], `--ca-cert`
//!   and `--ca-key`): then only the serving certificate is new and the `caBundle` is unchanged,
//!   so the leaf can be rotated without touching the webhook configurations' trust.
//! - `failurePolicy: Fail` when enforcing (an unavailable webhook must not be a way around the
//!   policy), `Ignore` when only warning (nothing is lost when it is down). Two replicas, a
//!   PodDisruptionBudget and anti-affinity keep it available; `kube-system` and the webhook's
//!   own namespace are excluded so the cluster can always recover.
//! - `timeoutSeconds: 3`, well over the server's latency and under the API server's budget;
//!   `matchConditions` skip leases, events and endpoints, which change constantly and carry no
//!   pod spec.
//! - The mutating webhook applies only defaults that do not stop a normal image from running
//!   (RuntimeDefault seccomp, no privilege escalation) and fails open.

use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};

/// Lifetime of the generated CA.
const CA_DAYS: u64 = 3650;
/// Lifetime of the serving certificate.
const LEAF_DAYS: u64 = 365;

fn days(d: u64) -> Duration {
    Duration::from_secs(d * 86_400)
}

/// Whether violations deny or only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallMode {
    /// High and critical findings deny; the webhook fails closed.
    Enforce,
    /// Everything warns; the webhook fails open.
    Warn,
}

/// Options of `stockade install`.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// Namespace the webhook runs in.
    pub namespace: String,
    /// Enforce or warn.
    pub mode: InstallMode,
    /// Container image.
    pub image: String,
}

/// The certificates could not be generated.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate certificates: {0}")]
pub struct InstallError(#[from] rcgen::Error);

/// An existing CA that cannot sign the serving certificate.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA certificate file is not a usable certificate, or is not a CA.
    #[error("{path}: {problem}")]
    Certificate {
        /// The certificate file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The key file does not hold a usable private key.
    #[error("{path}: {problem}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The key is not the certificate's.
    #[error("{key}: the private key does not match the CA certificate {cert}")]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
}

/// DER certificate as PEM, 64 columns.
fn certificate_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The CA that signs the serving certificate and whose certificate is the webhooks' `caBundle`.
pub struct Ca {
    cert_pem: String,
    key_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

impl Ca {
    /// A new self-signed CA for the namespace, valid for 10 years (from a day ago, for skew).
    pub fn generate(namespace: &str) -> Result<Ca, InstallError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.distinguished_name.push(
            DnType::CommonName,
            format!("stockade webhook CA ({namespace})"),
        );
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let now = SystemTime::now();
        params.not_before = (now - days(1)).into();
        params.not_after = (now + days(CA_DAYS)).into();
        let key = KeyPair::generate()?;
        let cert_pem = params.self_signed(&key)?.pem();
        let key_pem = key.serialize_pem();
        Ok(Ca {
            cert_pem,
            key_pem,
            issuer: Issuer::new(params, key),
        })
    }

    /// An existing CA from PEM files. The certificate must be a CA (basicConstraints CA:true
    /// and, when key usage is present, keyCertSign), valid now and until after the serving
    /// certificate it will sign expires (a year from now), and the key must be its key.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Ca, CaError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| CaError::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        let cert_pem = read(cert_path)?;
        let key_pem = read(key_path)?;
        Ca::from_pem(&cert_pem, &key_pem, cert_path, key_path)
    }

    /// [`Ca::load`] on PEM text; the paths are only named in errors.
    pub fn from_pem(
        cert_pem: &str,
        key_pem: &str,
        cert_path: &Path,
        key_path: &Path,
    ) -> Result<Ca, CaError> {
        let bad_cert = |problem: String| CaError::Certificate {
            path: cert_path.to_path_buf(),
            problem,
        };
        let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes())
            .map_err(|e| bad_cert(format!("not a PEM certificate: {e}")))?;
        if pem.label != "CERTIFICATE" {
            return Err(bad_cert(format!(
                "not a PEM certificate: the first block is {:?}, not CERTIFICATE",
                pem.label
            )));
        }
        let x509 = pem
            .parse_x509()
            .map_err(|e| bad_cert(format!("not an X.509 certificate: {e}")))?;
        match x509.basic_constraints() {
            Ok(Some(bc)) if bc.value.ca => {}
            Ok(_) => {
                return Err(bad_cert(
                    "not a CA certificate: basicConstraints CA:true is missing".into(),
                ));
            }
            Err(e) => return Err(bad_cert(format!("bad basicConstraints: {e}"))),
        }
        match x509.key_usage() {
            Ok(Some(ku)) if !ku.value.key_cert_sign() => {
                return Err(bad_cert(
                    "not a CA certificate: its key usage lacks keyCertSign".into(),
                ));
            }
            Ok(_) => {}
            Err(e) => return Err(bad_cert(format!("bad keyUsage: {e}"))),
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let validity = x509.validity();
        if validity.not_before.timestamp() > now {
            return Err(bad_cert(format!(
                "the CA certificate is not valid yet (notBefore {})",
                validity.not_before
            )));
        }
        if validity.not_after.timestamp() <= now {
            return Err(bad_cert(format!(
                "the CA certificate has expired (notAfter {})",
                validity.not_after
            )));
        }
        let leaf_end = now + days(LEAF_DAYS).as_secs() as i64;
        if validity.not_after.timestamp() < leaf_end {
            return Err(bad_cert(format!(
                "the CA certificate expires (notAfter {}) before a new serving certificate would ({LEAF_DAYS} days from now): issue a new CA",
                validity.not_after
            )));
        }
        let key = KeyPair::from_pem(key_pem).map_err(|e| CaError::Key {
            path: key_path.to_path_buf(),
            problem: format!("not a usable PEM private key: {e}"),
        })?;
        if key.subject_public_key_info() != x509.tbs_certificate.subject_pki.raw {
            return Err(CaError::Mismatch {
                cert: cert_path.to_path_buf(),
                key: key_path.to_path_buf(),
            });
        }
        let issuer = Issuer::from_ca_cert_pem(cert_pem, key)
            .map_err(|e| bad_cert(format!("cannot use as an issuer: {e}")))?;
        Ok(Ca {
            // Only the certificate block, whatever else the file holds.
            cert_pem: certificate_pem(&pem.contents),
            key_pem: key_pem.to_string(),
            issuer,
        })
    }

    /// The CA certificate (PEM): the `caBundle`.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA private key (PEM), to keep for the next rotation.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }
}

/// The webhook configuration the installed server reads (also used by the tests).
pub fn serve_config(opts: &InstallOptions) -> String {
    let modes = match opts.mode {
        InstallMode::Enforce => "modes:\n  default: warn\n  enforce-at: high\n",
        InstallMode::Warn => "modes:\n  default: warn\n",
    };
    format!(
        "{modes}exemptions:\n  namespaces: [kube-system, {ns}]\nmutate:\n  seccomp-runtime-default: true\n  disallow-privilege-escalation: true\n",
        ns = opts.namespace
    )
}

/// The manifests, as a YAML stream.
pub fn manifests(opts: &InstallOptions) -> Result<String, InstallError> {
    manifests_with_ca(opts, &Ca::generate(&opts.namespace)?)
}

/// The manifests with a serving certificate newly signed by `ca`, whose certificate is the
/// `caBundle`.
pub fn manifests_with_ca(opts: &InstallOptions, ca: &Ca) -> Result<String, InstallError> {
    let ns = &opts.namespace;
    let now = SystemTime::now();
    let names = vec![
        "stockade".to_string(),
        format!("stockade.{ns}"),
        format!("stockade.{ns}.svc"),
        format!("stockade.{ns}.svc.cluster.local"),
    ];
    let mut leaf_params = CertificateParams::new(names)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, format!("stockade.{ns}.svc"));
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.not_before = (now - days(1)).into();
    leaf_params.not_after = (now + days(LEAF_DAYS)).into();
    let leaf_key = KeyPair::generate()?;
    let leaf = leaf_params.signed_by(&leaf_key, &ca.issuer)?;

    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let ca_bundle = b64(ca.cert_pem());
    let (fail, failure_note) = match opts.mode {
        InstallMode::Enforce => (
            "Fail",
            "# Fail closed: while the webhook is down, matching requests are rejected rather than\n# admitted unchecked. kube-system and the webhook's namespace are excluded.",
        ),
        InstallMode::Warn => (
            "Ignore",
            "# Fail open: in warn mode nothing is denied, so an outage only loses warnings.",
        ),
    };
    let image = &opts.image;
    let config = serve_config(opts)
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    let labels =
        "app.kubernetes.io/name: stockade\n    app.kubernetes.io/component: admission-webhook";
    let match_conditions = "    matchConditions:\n      - name: skip-high-churn-resources\n        expression: \"!(request.resource.resource in ['leases', 'events', 'endpoints', 'endpointslices'])\"";
    let namespace_selector = format!(
        "    namespaceSelector:\n      matchExpressions:\n        - key: kubernetes.io/metadata.name\n          operator: NotIn\n          values: [kube-system, {ns}]"
    );
    Ok(format!(
        r#"# Generated by `stockade install --namespace {ns}`. See docs/serve.md.
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: stockade
  namespace: {ns}
  labels:
    {labels}
# The server reads no API objects yet: no token, no RBAC.
automountServiceAccountToken: false
---
apiVersion: v1
kind: Secret
metadata:
  name: stockade-tls
  namespace: {ns}
  labels:
    {labels}
type: kubernetes.io/tls
data:
  tls.crt: {leaf_crt}
  tls.key: {leaf_key}
  ca.crt: {ca_bundle}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: stockade-config
  namespace: {ns}
  labels:
    {labels}
data:
  serve.yaml: |
{config}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: stockade
  namespace: {ns}
  labels:
    {labels}
spec:
  replicas: 2
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: stockade
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxUnavailable: 0, maxSurge: 1}}
  template:
    metadata:
      labels:
        {labels_indented}
    spec:
      serviceAccountName: stockade
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile: {{type: RuntimeDefault}}
        appArmorProfile: {{type: RuntimeDefault}}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: stockade
      containers:
        - name: stockade
          image: {image}
          imagePullPolicy: Always
          args:
            - serve
            - --tls-cert=/tls/tls.crt
            - --tls-key=/tls/tls.key
            - --config=/config/serve.yaml
            - --listen=0.0.0.0:8443
            - --admin-listen=0.0.0.0:8080
            - --events=/var/lib/stockade/events.db
          ports:
            - {{name: https, containerPort: 8443}}
            - {{name: admin, containerPort: 8080}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities: {{drop: [ALL]}}
          resources:
            requests: {{cpu: 100m, memory: 64Mi}}
            limits: {{cpu: "1", memory: 128Mi}}
          livenessProbe:
            httpGet: {{path: /livez, port: admin}}
            periodSeconds: 10
          readinessProbe:
            httpGet: {{path: /readyz, port: admin}}
            periodSeconds: 5
          volumeMounts:
            - {{name: tls, mountPath: /tls, readOnly: true}}
            - {{name: config, mountPath: /config, readOnly: true}}
            - {{name: events, mountPath: /var/lib/stockade}}
      volumes:
        - name: tls
          secret: {{secretName: stockade-tls}}
        - name: config
          configMap: {{name: stockade-config}}
        # The decisions log (kept across container restarts; `kubectl exec ... stockade events`).
        - name: events
          emptyDir: {{sizeLimit: 512Mi}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: stockade
  namespace: {ns}
  labels:
    {labels}
spec:
  minAvailable: 1
  # A crash-looping replica must not block node drains.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      app.kubernetes.io/name: stockade
---
apiVersion: v1
kind: Service
metadata:
  name: stockade
  namespace: {ns}
  labels:
    {labels}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: stockade
  ports:
    - {{name: https, port: 443, targetPort: https}}
    - {{name: admin, port: 8080, targetPort: admin}}
---
# The API server's source addresses differ per cluster, so the webhook port is open to all;
# the server makes no outbound connections, so egress is closed.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: stockade
  namespace: {ns}
  labels:
    {labels}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: stockade
  policyTypes: [Ingress, Egress]
  ingress:
    - ports:
        - {{port: 8443, protocol: TCP}}
        - {{port: 8080, protocol: TCP}}
---
{failure_note}
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: stockade
  labels:
    {labels}
webhooks:
  - name: validate.stockade.dev
    admissionReviewVersions: [v1, v1beta1]
    sideEffects: None
    timeoutSeconds: 3
    failurePolicy: {fail}
    matchPolicy: Equivalent
    clientConfig:
      caBundle: {ca_bundle}
      service: {{name: stockade, namespace: {ns}, path: /validate, port: 443}}
{namespace_selector}
    rules:
      - apiGroups: ["*"]
        apiVersions: ["*"]
        operations: [CREATE, UPDATE]
        resources: ["*"]
        scope: "*"
{match_conditions}
---
# Defaults are conveniences: fail open.
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: stockade
  labels:
    {labels}
webhooks:
  - name: mutate.stockade.dev
    admissionReviewVersions: [v1, v1beta1]
    sideEffects: None
    timeoutSeconds: 3
    failurePolicy: Ignore
    reinvocationPolicy: Never
    matchPolicy: Equivalent
    clientConfig:
      caBundle: {ca_bundle}
      service: {{name: stockade, namespace: {ns}, path: /mutate, port: 443}}
{namespace_selector}
    rules:
      - apiGroups: [""]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [pods, replicationcontrollers, podtemplates]
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments, statefulsets, daemonsets, replicasets]
      - apiGroups: [batch]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [jobs, cronjobs]
"#,
        leaf_crt = b64(&leaf.pem()),
        leaf_key = b64(&leaf_key.serialize_pem()),
        labels_indented = labels.replace("\n    ", "\n        "),
    ))
}
