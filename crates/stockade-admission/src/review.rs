//! The evaluation of one AdmissionReview: a pure function from the policy and the request to
//! the response the API server receives. No I/O, no clock, no global state.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::json::{json_str, node_from_json_str, object_from_node};
use base64::Engine as _;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use stockade_model::{Entry, Node, Object, Pos, pod_specs};
use stockade_pss::namespace;

use crate::config::{Mode, Policy};
use crate::images::{IMAGE_CHECK, ImageVerdicts, images_of};
use crate::mutate;
use stockade_image::policy::Decision;

/// The two webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Webhook {
    /// `/validate`: checks and Pod Security Standards.
    Validate,
    /// `/mutate`: secure defaults.
    Mutate,
}

impl Webhook {
    /// `validate` or `mutate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Webhook::Validate => "validate",
            Webhook::Mutate => "mutate",
        }
    }
}

/// An `admission.k8s.io/v1` (or `v1beta1`) AdmissionReview as the API server sends it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionReview {
    /// `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`, echoed in the response.
    pub api_version: String,
    /// `AdmissionReview`.
    pub kind: String,
    /// The request.
    pub request: Option<AdmissionRequest>,
}

/// The request part of an AdmissionReview (the fields the webhook reads).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AdmissionRequest {
    /// Echoed in the response.
    pub uid: String,
    /// The object's group, version and kind.
    pub kind: GroupVersionKind,
    /// `status`, `scale`, `ephemeralcontainers` ...
    pub sub_resource: Option<String>,
    /// The object's name (empty with `generateName`).
    pub name: Option<String>,
    /// The namespace.
    pub namespace: Option<String>,
    /// CREATE, UPDATE, DELETE or CONNECT.
    pub operation: String,
    /// Who asks.
    pub user_info: UserInfo,
    /// The new object.
    pub object: Option<RawObject>,
    /// The existing object (UPDATE, DELETE).
    pub old_object: Option<RawObject>,
    /// Nothing is persisted.
    pub dry_run: Option<bool>,
    /// Not sent by the API server: the namespace object, for callers that have it (tests,
    /// `stockade review`). Its labels take precedence over the configured ones.
    pub namespace_object: Option<Value>,
}

/// An object of the request (`object`, `oldObject`), kept as its JSON text when the review is
/// parsed. Validation reads it straight into the model's tree ([`RawObject::node`]); mutation,
/// updates and image verification read a `serde_json::Value` ([`RawObject::value`], parsed on
/// first use). So a review parses its object once, into what the engine needs.
#[derive(Debug, Clone)]
pub struct RawObject {
    raw: Box<RawValue>,
    value: OnceLock<Value>,
}

impl<'de> serde::Deserialize<'de> for RawObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RawObject {
            raw: serde::Deserialize::deserialize(d)?,
            value: OnceLock::new(),
        })
    }
}

impl RawObject {
    /// The JSON text as the request carried it.
    pub fn json(&self) -> &str {
        self.raw.get()
    }

    /// True for a JSON object (anything else is not a Kubernetes object).
    pub fn is_object(&self) -> bool {
        self.raw.get().starts_with('{')
    }

    /// The object as a `serde_json::Value` (parsed once, on first use). A number beyond the
    /// range of `f64` (which the request parse does not reject) reads as `null`.
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_str(self.raw.get()).unwrap_or(Value::Null))
    }

    /// The object as the model's tree, read from the text without a `Value` in between.
    pub fn node(&self) -> Result<Node, serde_json::Error> {
        node_from_json_str(self.raw.get())
    }
}

/// Group, version and kind.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct GroupVersionKind {
    /// API group (empty for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

/// The requesting user.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct UserInfo {
    /// User name.
    pub username: String,
    /// Groups.
    pub groups: Vec<String>,
}

/// A body that is not an AdmissionReview this server answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// Not JSON, or not shaped like an AdmissionReview.
    #[error("malformed AdmissionReview: {0}")]
    Malformed(String),
    /// An apiVersion or kind other than `admission.k8s.io/{v1,v1beta1}` `AdmissionReview`.
    #[error("unsupported {0}: expected admission.k8s.io/v1 or v1beta1 AdmissionReview")]
    Unsupported(String),
    /// No `request`, or a request without `uid`.
    #[error("AdmissionReview has no request or no request.uid")]
    NoRequest,
}

/// What the webhook decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Admitted with nothing to report.
    Allow,
    /// Admitted with warnings or audit annotations.
    Warn,
    /// Denied.
    Deny,
    /// Admitted without evaluation (operation, subresource, exemption, unchanged template).
    Skip,
    /// Admitted with a patch.
    Patch,
    /// The request could not be evaluated (answered with an error status).
    Error,
}

impl Verdict {
    /// The lowercase name, a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
            Verdict::Deny => "deny",
            Verdict::Skip => "skip",
            Verdict::Patch => "patch",
            Verdict::Error => "error",
        }
    }
}

/// The response and what the server logs and counts about it.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The AdmissionReview to send back.
    pub response: Value,
    /// The decision.
    pub verdict: Verdict,
    /// Why the request was not evaluated (with [`Verdict::Skip`]) or could not be (with
    /// [`Verdict::Error`]).
    pub reason: Option<Cow<'static, str>>,
    /// `request.uid`.
    pub uid: String,
    /// `request.operation`.
    pub operation: String,
    /// `request.kind.kind`.
    pub kind: String,
    /// `request.namespace`.
    pub namespace: String,
    /// `request.name`.
    pub name: String,
    /// `request.dryRun`.
    pub dry_run: bool,
    /// Every violation reported, by check (a catalog ID, or `PSS:<control>`) and mode.
    pub violations: Vec<(Cow<'static, str>, Mode)>,
}

/// Parses `body` and reviews it.
pub fn review_bytes(
    policy: &Policy,
    webhook: Webhook,
    body: &[u8],
) -> Result<Outcome, ReviewError> {
    let input: AdmissionReview =
        serde_json::from_slice(body).map_err(|e| ReviewError::Malformed(e.to_string()))?;
    review(policy, webhook, &input)
}

/// Reviews one AdmissionReview, returning the response the server sends. With an `images:`
/// policy, the images that need a registry are verified on this thread (blocking); the
/// server verifies them first with [`ImageVerdicts::verify`] and calls [`review_with`].
pub fn review(
    policy: &Policy,
    webhook: Webhook,
    input: &AdmissionReview,
) -> Result<Outcome, ReviewError> {
    let verdicts = match policy.images() {
        Some(images) => {
            ImageVerdicts::verify_blocking(images, &images_to_verify(policy, webhook, input))
        }
        None => ImageVerdicts::default(),
    };
    review_with(policy, webhook, input, &verdicts)
}

/// The images of the request's object the review will ask verdicts for: none without an
/// `images:` policy, for requests admitted without evaluation (other operations,
/// subresources, exemptions, unchanged templates), or for `/mutate` without
/// `rewrite-to-digest`.
pub fn images_to_verify(policy: &Policy, webhook: Webhook, input: &AdmissionReview) -> Vec<String> {
    if policy.images.is_none() || (webhook == Webhook::Mutate && !policy.rewrite_to_digest) {
        return Vec::new();
    }
    let Some(req) = input.request.as_ref() else {
        return Vec::new();
    };
    let mut probe = Response::new(policy, &input.api_version, req);
    match probe.admissible() {
        Some(object) => images_of(object.value()),
        None => Vec::new(),
    }
}

/// Reviews one AdmissionReview with the verdicts on its images already reached.
pub fn review_with(
    policy: &Policy,
    webhook: Webhook,
    input: &AdmissionReview,
    images: &ImageVerdicts,
) -> Result<Outcome, ReviewError> {
    if !matches!(
        input.api_version.as_str(),
        "admission.k8s.io/v1" | "admission.k8s.io/v1beta1"
    ) {
        return Err(ReviewError::Unsupported(format!(
            "apiVersion {:?}",
            input.api_version
        )));
    }
    if input.kind != "AdmissionReview" {
        return Err(ReviewError::Unsupported(format!("kind {:?}", input.kind)));
    }
    let req = input.request.as_ref().ok_or(ReviewError::NoRequest)?;
    if req.uid.is_empty() {
        return Err(ReviewError::NoRequest);
    }
    let mut out = Response::new(policy, &input.api_version, req);
    out.images = images;
    match webhook {
        Webhook::Validate => out.validate(),
        Webhook::Mutate => out.mutate(),
    }
    Ok(out.finish())
}

static NO_VERDICTS: std::sync::LazyLock<ImageVerdicts> =
    std::sync::LazyLock::new(ImageVerdicts::default);

/// The response being built.
struct Response<'a> {
    policy: &'a Policy,
    api_version: &'a str,
    req: &'a AdmissionRequest,
    ns_labels: Vec<(&'a str, &'a str)>,
    allowed: bool,
    status: Option<Value>,
    denials: Vec<String>,
    warnings: Vec<String>,
    audit: BTreeMap<String, String>,
    /// Set when the object was judged: the cross-object checks that could not be.
    not_evaluated: Option<String>,
    patch: Option<Vec<Value>>,
    verdict: Option<Verdict>,
    reason: Option<Cow<'static, str>>,
    violations: Vec<(Cow<'static, str>, Mode)>,
    images: &'a ImageVerdicts,
}

impl<'a> Response<'a> {
    fn new(policy: &'a Policy, api_version: &'a str, req: &'a AdmissionRequest) -> Self {
        let ns = req.namespace.as_deref().unwrap_or("");
        let ns_labels = match req
            .namespace_object
            .as_ref()
            .and_then(|n| n.pointer("/metadata/labels"))
            .and_then(Value::as_object)
        {
            Some(m) => m
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
                .collect(),
            None => policy
                .namespaces
                .get(ns)
                .map(|l| l.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
                .unwrap_or_default(),
        };
        Response {
            policy,
            api_version,
            req,
            ns_labels,
            allowed: true,
            status: None,
            denials: Vec::new(),
            warnings: Vec::new(),
            audit: BTreeMap::new(),
            not_evaluated: None,
            patch: None,
            verdict: None,
            reason: None,
            violations: Vec::new(),
            images: &NO_VERDICTS,
        }
    }

    fn skip(&mut self, reason: impl Into<Cow<'static, str>>) {
        self.verdict = Some(Verdict::Skip);
        self.reason = Some(reason.into());
    }

    fn error(&mut self, code: u16, message: String) {
        self.allowed = false;
        self.status = Some(json!({"code": code, "message": message}));
        self.verdict = Some(Verdict::Error);
        self.reason = Some(message.into());
    }

    /// Checks shared by both webhooks; returns the object to evaluate, or `None` when the
    /// request is decided already.
    fn admissible(&mut self) -> Option<&'a RawObject> {
        let req = self.req;
        if !matches!(req.operation.as_str(), "CREATE" | "UPDATE") {
            self.skip(format!("operation {}", req.operation));
            return None;
        }
        if let Some(sub) = req.sub_resource.as_deref().filter(|s| !s.is_empty())
            && !self.policy.subresources.iter().any(|s| s == sub)
        {
            self.skip(format!("subresource {sub}"));
            return None;
        }
        if let Some(why) = self.exemption() {
            self.audit.insert("exempt".into(), why.clone());
            self.skip(format!("exempt: {why}"));
            return None;
        }
        let Some(object) = req.object.as_ref().filter(|o| o.is_object()) else {
            self.error(
                400,
                format!("request.object is missing for {}", req.operation),
            );
            return None;
        };
        if req.operation == "UPDATE"
            && let Some(old) = &req.old_object
            && unchanged(object.value(), old.value())
        {
            self.skip("update leaves the pod template unchanged");
            return None;
        }
        Some(object)
    }

    fn exemption(&self) -> Option<String> {
        let ex = &self.policy.exemptions;
        let req = self.req;
        let ns = req.namespace.as_deref().unwrap_or("");
        if !ns.is_empty() && ex.namespaces.iter().any(|n| n == ns) {
            return Some(format!("namespace {ns}"));
        }
        let user = &req.user_info;
        if ex.usernames.contains(&user.username) {
            return Some(format!("user {}", user.username));
        }
        if let Some(g) = user.groups.iter().find(|g| ex.groups.contains(g)) {
            return Some(format!("group {g}"));
        }
        if let Some((k, v)) = self
            .ns_labels
            .iter()
            .find(|(k, v)| ex.namespace_labels.get(*k).is_some_and(|x| x == v))
        {
            return Some(format!("namespace label {k}={v}"));
        }
        // Read only when label exemptions are configured: validation does not need the Value.
        let labels = req
            .object
            .as_ref()
            .filter(|_| !ex.labels.is_empty())
            .and_then(|o| o.value().pointer("/metadata/labels"))
            .and_then(Value::as_object);
        if let Some((k, v)) = labels.into_iter().flatten().find(|(k, v)| {
            ex.labels
                .get(k.as_str())
                .is_some_and(|x| Some(x.as_str()) == v.as_str())
        }) {
            return Some(format!("label {k}={}", v.as_str().unwrap_or("")));
        }
        None
    }

    fn validate(&mut self) {
        let Some(object) = self.admissible() else {
            return;
        };
        let policy = self.policy;
        let req = self.req;
        let mut root = match object.node() {
            Ok(n) => n,
            Err(e) => return self.error(400, format!("request.object: {e}")),
        };
        // The API server sets the namespace before admission; requests built by hand may not.
        if let Some(ns) = req.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            set_namespace(&mut root, ns);
        }
        let obj = match object_from_node("request.object", root) {
            Ok(o) => o,
            Err(e) => return self.error(400, format!("request.object: {e}")),
        };
        let object = &obj.root;
        let objects = std::slice::from_ref(&obj);
        let result = policy.engine.scan_objects(objects);
        let pods = pod_specs(&obj);
        let ids = policy.not_evaluated_for(&obj, &pods);
        if !ids.is_empty() {
            self.not_evaluated = Some(ids);
        }
        let mut audit: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &result.findings {
            let mode = policy.finding_mode(&f.check, f.severity);
            let item = format!("[{} {}] {}: {}", f.check, f.name, f.path, f.message);
            match mode {
                Mode::Off => continue,
                Mode::Enforce => self.denials.push(item),
                Mode::Warn => self.warnings.push(item),
                Mode::Audit => audit
                    .entry(f.check.to_ascii_lowercase())
                    .or_default()
                    .push(format!("{}: {}", f.path, f.message)),
            }
            self.violations.push((f.check.clone(), mode));
        }
        for (key, items) in audit {
            self.audit.insert(key, items.join("; "));
        }
        // A check or custom policy that could not evaluate the object (a policy's evaluation
        // error, a check that failed): said to the user and in the audit log, not dropped.
        // In the failed check's mode: an enforced check that could not be evaluated denies
        // the object, since its verdict may have been a denial and an input that makes a
        // check fail must not be a way around the policy (Gatekeeper denies on an evaluation
        // error, a ValidatingAdmissionPolicy does under its default `failurePolicy: Fail`).
        // (A ValidatingAdmissionPolicy's cost limit is a warning here: its own failurePolicy
        // already decided.)
        if !result.errors.is_empty() {
            for e in &result.errors {
                let item = format!(
                    "stockade could not evaluate the object fully: {}",
                    e.message
                );
                let mode = if e.level == stockade_model::Level::Error {
                    policy.error_mode(e.check.as_deref())
                } else {
                    Mode::Warn
                };
                match mode {
                    Mode::Enforce => self.denials.push(item),
                    Mode::Warn | Mode::Off => self.warnings.push(item),
                    // In the `evaluation-errors` annotation below.
                    Mode::Audit => {}
                }
            }
            let failed: Vec<&str> = result.errors.iter().map(|e| e.message.as_str()).collect();
            self.audit
                .insert("evaluation-errors".into(), failed.join("; "));
        }
        self.image_verdicts(&pods);
        self.pod_security(&obj, &pods);
        if !self.denials.is_empty() {
            let kind = if req.kind.kind.is_empty() {
                object.get("kind").and_then(json_str).unwrap_or("object")
            } else {
                &req.kind.kind
            };
            let name = req
                .name
                .as_deref()
                .filter(|n| !n.is_empty())
                .or_else(|| object.at(&["metadata", "name"]).and_then(json_str))
                .or_else(|| object.at(&["metadata", "generateName"]).and_then(json_str))
                .unwrap_or("");
            let n = self.denials.len();
            let message = format!(
                "stockade denied {kind} \"{name}\": {n} violation{}:\n- {}",
                if n == 1 { "" } else { "s" },
                self.denials.join("\n- ")
            );
            self.allowed = false;
            self.status = Some(json!({"code": 403, "reason": "Forbidden", "message": message}));
            self.verdict = Some(Verdict::Deny);
        }
    }

    /// One denial or warning per distinct image the `images:` policy refuses or could not
    /// verify, at its first container.
    fn image_verdicts(&mut self, pods: &[stockade_model::PodSpec<'_>]) {
        if self.policy.images.is_none() {
            return;
        }
        let (id, name) = IMAGE_CHECK;
        let mut seen: Vec<&str> = Vec::new();
        for c in pods.iter().flat_map(|p| &p.containers) {
            let Some(image) = c.node.str_at("image").map(str::trim) else {
                continue;
            };
            if seen.contains(&image) {
                continue;
            }
            seen.push(image);
            let item = |why: &str| format!("[{id} {name}] {}.image: image {image}: {why}", c.path);
            match self.images.get(image) {
                Some(Decision::Deny { reason }) => {
                    self.denials.push(item(reason));
                    self.violations.push((Cow::Borrowed(id), Mode::Enforce));
                }
                Some(Decision::Warn { warning }) => {
                    self.warnings.push(item(warning));
                    self.violations.push((Cow::Borrowed(id), Mode::Warn));
                }
                Some(Decision::Allow { .. }) => {}
                None if image.is_empty() => {}
                None => {
                    // Not verified beforehand (a caller that skipped it): never admit silently.
                    self.denials
                        .push(item("no verdict was reached for this image"));
                    self.violations.push((Cow::Borrowed(id), Mode::Enforce));
                }
            }
        }
    }

    fn pod_security(&mut self, obj: &Object, pods: &[stockade_model::PodSpec<'_>]) {
        let Some(config) = &self.policy.pss else {
            return;
        };
        let (policy, label_errors) =
            namespace::policy_from_labels(self.ns_labels.iter().copied(), config.defaults);
        for e in &label_errors {
            self.warnings.push(format!(
                "namespace label {}={:?} is invalid ({}); Pod Security uses {}",
                e.label,
                e.value,
                e.error,
                if e.label.contains("version") {
                    "latest".to_string()
                } else {
                    policy.enforce.to_string()
                }
            ));
        }
        if policy.fully_privileged() {
            return;
        }
        let req = self.req;
        let mut audit = Vec::new();
        let is_pod = obj.kind == "Pod" && obj.group().is_empty();
        let request = namespace::Request {
            namespace: req.namespace.as_deref().unwrap_or(""),
            username: Some(req.user_info.username.as_str()),
            is_pod: is_pod || self.policy.enforce_workloads,
        };
        for spec in pods {
            let d = namespace::decide(config, Some(&self.ns_labels), &request, spec);
            for v in &d.enforce.violations {
                let detail = if v.detail.is_empty() {
                    v.reason.clone()
                } else {
                    format!("{} ({})", v.reason, v.detail)
                };
                self.denials.push(format!(
                    "[PSS {} {}] {}: {detail}",
                    d.enforce.policy, v.check, v.path
                ));
                self.violations
                    .push((Cow::Owned(format!("PSS:{}", v.check)), Mode::Enforce));
            }
            if let Some(w) = d.warning() {
                self.warnings.push(w);
                for v in &d.warn.violations {
                    self.violations
                        .push((Cow::Owned(format!("PSS:{}", v.check)), Mode::Warn));
                }
            }
            if let Some(a) = d.audit_violations() {
                audit.push(a);
                for v in &d.audit.violations {
                    self.violations
                        .push((Cow::Owned(format!("PSS:{}", v.check)), Mode::Audit));
                }
            }
        }
        if !audit.is_empty() {
            self.audit
                .insert("pod-security-audit-violations".into(), audit.join("; "));
        }
    }

    fn mutate(&mut self) {
        if !self.policy.mutate.any() && !self.policy.rewrite_to_digest {
            self.skip("no mutation configured");
            return;
        }
        let Some(object) = self.admissible() else {
            return;
        };
        let object = object.value();
        let mut ops = if self.policy.mutate.any() {
            mutate::patch(&self.policy.mutate, object)
        } else {
            Vec::new()
        };
        if self.policy.rewrite_to_digest {
            ops.extend(self.digest_ops(object));
        }
        if !ops.is_empty() {
            self.patch = Some(ops);
            self.verdict = Some(Verdict::Patch);
        }
    }

    /// `images.rewrite-to-digest`: each container image verified at a digest becomes
    /// `<image as written>@<digest>` (`repo:tag@sha256:...`, or `repo@sha256:...` without a
    /// tag). Images that already carry a digest are left alone, so the patch is idempotent.
    fn digest_ops(&self, object: &Value) -> Vec<Value> {
        let Ok(obj) = stockade_model::json::object_from_json("request.object", object) else {
            return Vec::new();
        };
        let mut ops = Vec::new();
        for c in pod_specs(&obj).iter().flat_map(|p| &p.containers) {
            let Some(image) = c.node.str_at("image") else {
                continue;
            };
            if image.contains('@') {
                continue;
            }
            if let Some(Decision::Allow {
                digest: Some(digest),
                ..
            }) = self.images.get(image.trim())
            {
                ops.push(json!({
                    "op": "replace",
                    "path": format!("{}/image", pointer(&c.path)),
                    "value": format!("{}@{digest}", image.trim()),
                }));
            }
        }
        ops
    }

    fn finish(self) -> Outcome {
        let verdict =
            self.verdict
                .unwrap_or(if !self.warnings.is_empty() || !self.audit.is_empty() {
                    Verdict::Warn
                } else {
                    Verdict::Allow
                });
        let mut r = Map::new();
        r.insert("uid".into(), Value::String(self.req.uid.clone()));
        r.insert("allowed".into(), Value::Bool(self.allowed));
        if let Some(s) = self.status {
            r.insert("status".into(), s);
        }
        if !self.warnings.is_empty() {
            // Moved, not cloned, into the response.
            let warnings = self.warnings.into_iter().map(Value::String).collect();
            r.insert("warnings".into(), Value::Array(warnings));
        }
        // Recorded in the API server's audit log with the decision; not a warning, so it does
        // not change the verdict or reach kubectl on every request.
        if !self.audit.is_empty() || self.not_evaluated.is_some() {
            let mut audit: Map<String, Value> = self
                .audit
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            if let Some(ids) = self.not_evaluated {
                audit.insert("checks-not-evaluated".into(), Value::String(ids));
            }
            r.insert("auditAnnotations".into(), Value::Object(audit));
        }
        if let Some(ops) = &self.patch {
            let bytes = serde_json::to_vec(ops).unwrap_or_default();
            r.insert("patchType".into(), Value::String("JSONPatch".into()));
            r.insert(
                "patch".into(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
            );
        }
        let req = self.req;
        Outcome {
            response: json!({
                "apiVersion": self.api_version,
                "kind": "AdmissionReview",
                "response": Value::Object(r),
            }),
            verdict,
            reason: self.reason,
            uid: req.uid.clone(),
            operation: req.operation.clone(),
            kind: req.kind.kind.clone(),
            namespace: req.namespace.clone().unwrap_or_default(),
            name: req.name.clone().unwrap_or_default(),
            dry_run: req.dry_run.unwrap_or(false),
            violations: self.violations,
        }
    }
}

/// Sets `metadata.namespace` of an object tree read from JSON when `metadata` is a mapping
/// without one, at its place in key order (as inserting into serde_json's map would).
fn set_namespace(root: &mut Node, ns: &str) {
    let stockade_model::Value::Map(entries) = &mut root.value else {
        return;
    };
    let Some(meta) = entries.iter_mut().find(|e| &*e.key == "metadata") else {
        return;
    };
    let stockade_model::Value::Map(fields) = &mut meta.value.value else {
        return;
    };
    if fields.iter().any(|e| &*e.key == "namespace") {
        return;
    }
    let at = fields.partition_point(|e| &*e.key < "namespace");
    fields.insert(
        at,
        Entry {
            key: "namespace".into(),
            value: Node {
                value: stockade_model::Value::Scalar {
                    text: ns.into(),
                    plain: false,
                },
                pos: Pos::default(),
            },
        },
    );
}

/// True when an UPDATE changes nothing the checks judge: every pod template (spec and
/// metadata) is the same; for objects without one, everything but `metadata` (other than labels
/// and annotations) and `status`.
pub fn unchanged(new: &Value, old: &Value) -> bool {
    let Ok(obj) = stockade_model::json::object_from_json("request.object", new) else {
        return false;
    };
    let specs = pod_specs(&obj);
    if !specs.is_empty() {
        return specs.iter().all(|s| {
            let same = |path: &str| {
                let p = pointer(path);
                new.pointer(&p) == old.pointer(&p)
            };
            let metadata = if s.metadata_path == "metadata" {
                same("metadata.labels") && same("metadata.annotations")
            } else {
                same(&s.metadata_path)
            };
            same(&s.path) && metadata
        });
    }
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        if let Value::Object(m) = &mut v {
            m.remove("status");
            let meta = m.remove("metadata");
            for key in ["labels", "annotations"] {
                if let Some(x) = meta.as_ref().and_then(|m| m.get(key)) {
                    m.insert(format!("metadata.{key}"), x.clone());
                }
            }
        }
        v
    };
    strip(new) == strip(old)
}

/// A model field path (`spec.template.spec.containers[0]`) as a JSON Pointer.
fn pointer(path: &str) -> String {
    let mut s = String::with_capacity(path.len() + 4);
    for seg in path.split('.') {
        let (key, rest) = seg.split_once('[').unwrap_or((seg, ""));
        s.push('/');
        s.push_str(&key.replace('~', "~0").replace('/', "~1"));
        for idx in rest.split('[') {
            let idx = idx.trim_end_matches(']');
            if !idx.is_empty() {
                s.push('/');
                s.push_str(idx);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::pointer;

    /// The response to a Pod review by `config`'s policy with a custom policy that fails on
    /// every object (here: panics).
    fn review_with_a_failing_policy(config: &str) -> serde_json::Value {
        use std::sync::Arc;
        use stockade_engine::{Config, Engine, ExtraChecks, ExtraResult};
        use stockade_model::Object;

        struct Panicky;
        impl ExtraChecks for Panicky {
            fn check_object(&self, _: &Object) -> ExtraResult {
                panic!("the policy went boom")
            }
            fn wants(&self, _: &Object) -> bool {
                false
            }
            fn check_set(&self, _: &[Arc<Object>]) -> ExtraResult {
                ExtraResult::default()
            }
        }
        let config = crate::config::parse_config(config).unwrap();
        let mut policy = crate::Policy::new(&config).unwrap();
        let engine = std::mem::replace(
            &mut policy.engine,
            Engine::new(&Config::default(), false).unwrap(),
        );
        policy.engine = engine.with_extra(Arc::new(Panicky));
        let review = serde_json::json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "u1",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "operation": "CREATE",
                "namespace": "shop",
                "object": {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "web", "namespace": "shop"},
                    "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}
                }
            }
        });
        let out = crate::review_bytes(
            &policy,
            crate::Webhook::Validate,
            &serde_json::to_vec(&review).unwrap(),
        )
        .unwrap();
        let response = out.response["response"].clone();
        let audit = response["auditAnnotations"]["evaluation-errors"]
            .as_str()
            .unwrap();
        assert!(
            audit.starts_with("a custom policy failed on this object"),
            "{audit}"
        );
        response
    }

    const EVALUATION_ERROR: &str = "stockade could not evaluate the object fully: a custom \
                                    policy failed on this object (the policy went boom): a bug \
                                    in Stockade";

    /// A webhook that only warns says an evaluation error as a warning and in the audit
    /// annotations, and admits the object; the catalog's checks still ran.
    #[test]
    fn an_evaluation_error_is_a_warning_where_nothing_is_enforced() {
        let response = review_with_a_failing_policy("");
        assert_eq!(response["allowed"], true, "{response}");
        let warnings = response["warnings"].as_array().expect("warnings");
        assert!(
            warnings
                .iter()
                .any(|w| w.as_str().is_some_and(|w| w.starts_with(EVALUATION_ERROR))),
            "{warnings:?}"
        );
        // The catalog's checks ran beside it.
        assert!(
            warnings
                .iter()
                .any(|w| w.as_str().is_some_and(|w| w.contains("[STK002 "))),
            "{warnings:?}"
        );
    }

    /// An evaluation error that names its check is in that check's mode; one that names none
    /// (all custom policies failing at once) or a check the configuration does not know
    /// denies when anything is enforced.
    #[test]
    fn an_evaluation_error_is_in_the_mode_of_the_check_that_failed() {
        use crate::Mode;
        let config = crate::config::parse_config(
            "modes:\n  enforce: [STK001]\n  warn: [STK002]\n  audit: [STK003]\n  off: [STK004]\n",
        )
        .unwrap();
        let policy = crate::Policy::new(&config).unwrap();
        assert_eq!(policy.error_mode(Some("STK001")), Mode::Enforce);
        assert_eq!(policy.error_mode(Some("STK002")), Mode::Warn);
        assert_eq!(policy.error_mode(Some("STK003")), Mode::Audit);
        assert_eq!(policy.error_mode(Some("STK004")), Mode::Warn);
        // Not placed: the default mode (warn) for a catalog check.
        assert_eq!(policy.error_mode(Some("STK005")), Mode::Warn);
        assert_eq!(
            policy.error_mode(Some("K8sRequiredLabels/x")),
            Mode::Enforce
        );
        assert_eq!(policy.error_mode(None), Mode::Enforce);
        let warn_only = crate::Policy::default_policy();
        assert_eq!(warn_only.error_mode(Some("STK001")), Mode::Warn);
        assert_eq!(warn_only.error_mode(None), Mode::Warn);
    }

    /// A webhook that enforces anything denies an object it could not evaluate fully (the
    /// failed policy's verdict may have been a denial): an input that makes a check fail is
    /// no way around the policy.
    #[test]
    fn an_evaluation_error_is_a_denial_where_anything_is_enforced() {
        for config in [
            "modes:\n  enforce-at: critical\n",
            "modes:\n  enforce: [STK001]\n",
            "modes:\n  default: enforce\n",
        ] {
            let response = review_with_a_failing_policy(config);
            assert_eq!(response["allowed"], false, "{config}: {response}");
            let message = response["status"]["message"].as_str().unwrap();
            assert!(
                message.starts_with("stockade denied Pod \"web\"")
                    && message.contains(&format!("\n- {EVALUATION_ERROR}")),
                "{config}: {message}"
            );
            assert_eq!(response["status"]["code"], 403);
        }
    }

    #[test]
    fn field_paths_become_pointers() {
        assert_eq!(pointer("spec.template.spec"), "/spec/template/spec");
        assert_eq!(
            pointer("spec.containers[0].securityContext"),
            "/spec/containers/0/securityContext"
        );
        assert_eq!(pointer("spec.a[1][2].b"), "/spec/a/1/2/b");
    }
}
