//! The fields rules can test: `ka.*` as the k8saudit plugin defines them and `jevt.*` as the
//! json plugin does. Every value is a string (numbers, booleans and objects render as compact
//! JSON), some fields yield a list of strings.

use std::borrow::Cow;

use serde_json::Value;

use crate::event::Event;

/// Which container list of a pod a field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Containers {
    /// `spec.containers`.
    Containers,
    /// `spec.initContainers`.
    Init,
    /// `spec.ephemeralContainers`.
    Ephemeral,
}

impl Containers {
    fn key(self) -> &'static str {
        match self {
            Containers::Containers => "containers",
            Containers::Init => "initContainers",
            Containers::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A per-container attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    /// `image`.
    Image,
    /// The image without tag or digest.
    Repository,
    /// `securityContext.privileged` (containers without it are skipped).
    Privileged,
    /// `securityContext.allowPrivilegeEscalation`.
    AllowPrivilegeEscalation,
    /// `securityContext.readOnlyRootFilesystem`.
    ReadOnlyFs,
    /// `securityContext.runAsUser`.
    RunAsUser,
    /// runAsUser from the container, else the pod, else 0.
    EffRunAsUser,
    /// `securityContext.runAsGroup`.
    RunAsGroup,
    /// runAsGroup from the container, else the pod, else 0.
    EffRunAsGroup,
    /// `securityContext.procMount`.
    ProcMount,
    /// `securityContext.capabilities.add` (flattened).
    AddCapabilities,
    /// Every port's `hostPort` (else `containerPort`).
    HostPort,
}

/// A field a condition or an output template can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `ka.auditid`
    AuditId,
    /// `ka.stage`
    Stage,
    /// `ka.auth.decision`
    AuthDecision,
    /// `ka.auth.reason`
    AuthReason,
    /// `ka.user.name`
    UserName,
    /// `ka.user.groups` (list)
    UserGroups,
    /// `ka.impuser.name`
    ImpUserName,
    /// `ka.verb`
    Verb,
    /// `ka.uri`
    Uri,
    /// `ka.uri.param[name]`
    UriParam(Box<str>),
    /// `ka.target.name`
    TargetName,
    /// `ka.target.namespace`
    TargetNamespace,
    /// `ka.target.resource`
    TargetResource,
    /// `ka.target.subresource`
    TargetSubresource,
    /// `ka.req.binding.subjects` (list)
    BindingSubjects,
    /// `ka.req.binding.role`
    BindingRole,
    /// `ka.req.binding.subject.has_name[x]` (deprecated; always "true" as the plugin does)
    BindingSubjectHasName,
    /// `ka.req.configmap.name`
    ConfigmapName,
    /// `ka.req.configmap.obj`
    ConfigmapObj,
    /// `ka.req.pod.<containers>.<attr>[index]` (list)
    Pod(Containers, Attr, Option<usize>),
    /// `ka.req.container.image` (first container)
    FirstImage,
    /// `ka.req.container.image.repository` (first container)
    FirstRepository,
    /// `ka.req.container.privileged` ("true" when any container is privileged)
    AnyPrivileged,
    /// `ka.req.pod.host_ipc`
    HostIpc,
    /// `ka.req.pod.host_network`, `ka.req.container.host_network`
    HostNetwork,
    /// `ka.req.pod.host_pid`
    HostPid,
    /// `ka.req.pod.run_as_user`
    PodRunAsUser,
    /// `ka.req.pod.run_as_group`
    PodRunAsGroup,
    /// `ka.req.pod.fs_group`
    PodFsGroup,
    /// `ka.req.pod.supplemental_groups` (list)
    PodSupplementalGroups,
    /// `ka.req.role.rules` (list)
    RoleRules,
    /// `ka.req.role.rules.<key>[index]` (list)
    RoleRulesKey(&'static str, Option<usize>),
    /// `ka.req.service.type`
    ServiceType,
    /// `ka.req.service.ports[index]` (list)
    ServicePorts(Option<usize>),
    /// `ka.req.volume.hostpath[path]`: "true" when a hostPath volume is `path` (or starts with
    /// it when `path` ends in `*`), else "false".
    VolumeHostpath(Box<str>),
    /// `ka.req.pod.volumes.hostpath[index]` (list)
    PodHostpaths(Option<usize>),
    /// `ka.req.pod.volumes.flexvolume_driver[index]` (list)
    PodFlexDrivers(Option<usize>),
    /// `ka.req.pod.volumes.volume_type[index]` (list)
    PodVolumeTypes(Option<usize>),
    /// `ka.resp.name`
    RespName,
    /// `ka.response.code`
    ResponseCode,
    /// `ka.response.reason`
    ResponseReason,
    /// `ka.useragent`
    UserAgent,
    /// `ka.sourceips` (list)
    SourceIps,
    /// `jevt.value[/json/pointer]`
    JsonValue(Box<str>),
    /// `jevt.obj`: the whole event.
    JsonObj,
    /// `jevt.rawtime`: the event time in nanoseconds since the epoch.
    RawTime,
    /// `jevt.time`, `jevt.time.iso8601`: the event time as written.
    Time,
}

/// The value(s) of a field for one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Vals<'v> {
    /// The field is not present.
    None,
    /// One value.
    One(Cow<'v, str>),
    /// A list field's values (never empty).
    Many(Vec<Cow<'v, str>>),
}

impl<'v> Vals<'v> {
    fn opt(v: Option<&'v str>) -> Self {
        v.map_or(Vals::None, |s| Vals::One(Cow::Borrowed(s)))
    }

    fn list(v: Vec<Cow<'v, str>>) -> Self {
        if v.is_empty() {
            Vals::None
        } else {
            Vals::Many(v)
        }
    }

    /// True when present.
    pub fn exists(&self) -> bool {
        !matches!(self, Vals::None)
    }

    /// Renders as Falco does in outputs: `<NA>` when absent, `(a,b)` for lists.
    pub fn render(&self, out: &mut String) {
        match self {
            Vals::None => out.push_str("<NA>"),
            Vals::One(s) => out.push_str(s),
            Vals::Many(v) => {
                out.push('(');
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(s);
                }
                out.push(')');
            }
        }
    }

    /// As JSON for alert `fields`.
    pub fn to_json(&self) -> Value {
        match self {
            Vals::None => Value::Null,
            Vals::One(s) => Value::String(s.to_string()),
            Vals::Many(v) => Value::Array(v.iter().map(|s| Value::String(s.to_string())).collect()),
        }
    }
}

fn index_arg(arg: Option<&str>) -> Option<usize> {
    arg.and_then(|a| a.parse().ok())
}

impl Field {
    /// Looks a field up by name and optional `[argument]`. `Err` says why it is not known.
    pub fn parse(name: &str, arg: Option<&str>) -> Result<Field, String> {
        let need_arg = |f: fn(Box<str>) -> Field| match arg {
            Some(a) if !a.is_empty() => Ok(f(a.into())),
            _ => Err(format!(
                "field '{name}' requires an argument, e.g. {name}[x]"
            )),
        };
        let idx = index_arg(arg);
        if let Some(rest) = name.strip_prefix("ka.req.pod.") {
            for (prefix, which) in [
                ("containers.", Containers::Containers),
                ("initContainers.", Containers::Init),
                ("ephemeralContainers.", Containers::Ephemeral),
            ] {
                if let Some(attr) = rest.strip_prefix(prefix) {
                    let attr = match attr {
                        "image" => Attr::Image,
                        "image.repository" => Attr::Repository,
                        "privileged" => Attr::Privileged,
                        "allow_privilege_escalation" => Attr::AllowPrivilegeEscalation,
                        "read_only_fs" => Attr::ReadOnlyFs,
                        "run_as_user" => Attr::RunAsUser,
                        "eff_run_as_user" => Attr::EffRunAsUser,
                        "run_as_group" => Attr::RunAsGroup,
                        "eff_run_as_group" => Attr::EffRunAsGroup,
                        "proc_mount" => Attr::ProcMount,
                        "add_capabilities" => Attr::AddCapabilities,
                        "host_port" => Attr::HostPort,
                        _ => return Err(format!("unknown field '{name}'")),
                    };
                    return Ok(Field::Pod(which, attr, idx));
                }
            }
        }
        let f = match name {
            "ka.auditid" => Field::AuditId,
            "ka.stage" => Field::Stage,
            "ka.auth.decision" => Field::AuthDecision,
            "ka.auth.reason" => Field::AuthReason,
            "ka.user.name" => Field::UserName,
            "ka.user.groups" => Field::UserGroups,
            "ka.impuser.name" => Field::ImpUserName,
            "ka.verb" => Field::Verb,
            "ka.uri" => Field::Uri,
            "ka.uri.param" => return need_arg(Field::UriParam),
            "ka.target.name" => Field::TargetName,
            "ka.target.namespace" => Field::TargetNamespace,
            "ka.target.resource" => Field::TargetResource,
            "ka.target.subresource" => Field::TargetSubresource,
            "ka.req.binding.subjects" => Field::BindingSubjects,
            "ka.req.binding.role" => Field::BindingRole,
            "ka.req.binding.subject.has_name" => need_arg(|_| Field::BindingSubjectHasName)?,
            "ka.req.configmap.name" => Field::ConfigmapName,
            "ka.req.configmap.obj" => Field::ConfigmapObj,
            "ka.req.container.image" => Field::FirstImage,
            "ka.req.container.image.repository" => Field::FirstRepository,
            "ka.req.container.privileged" => Field::AnyPrivileged,
            "ka.req.pod.host_ipc" => Field::HostIpc,
            "ka.req.pod.host_network" | "ka.req.container.host_network" => Field::HostNetwork,
            "ka.req.pod.host_pid" => Field::HostPid,
            "ka.req.pod.run_as_user" => Field::PodRunAsUser,
            "ka.req.pod.run_as_group" => Field::PodRunAsGroup,
            "ka.req.pod.fs_group" => Field::PodFsGroup,
            "ka.req.pod.supplemental_groups" => Field::PodSupplementalGroups,
            "ka.req.role.rules" => Field::RoleRules,
            "ka.req.role.rules.apiGroups" => Field::RoleRulesKey("apiGroups", idx),
            "ka.req.role.rules.nonResourceURLs" => Field::RoleRulesKey("nonResourceURLs", idx),
            "ka.req.role.rules.verbs" => Field::RoleRulesKey("verbs", idx),
            "ka.req.role.rules.resources" => Field::RoleRulesKey("resources", idx),
            "ka.req.service.type" => Field::ServiceType,
            "ka.req.service.ports" => Field::ServicePorts(idx),
            "ka.req.volume.hostpath" => return need_arg(Field::VolumeHostpath),
            "ka.req.pod.volumes.hostpath" => Field::PodHostpaths(idx),
            "ka.req.pod.volumes.flexvolume_driver" => Field::PodFlexDrivers(idx),
            "ka.req.pod.volumes.volume_type" => Field::PodVolumeTypes(idx),
            "ka.resp.name" => Field::RespName,
            "ka.response.code" => Field::ResponseCode,
            "ka.response.reason" => Field::ResponseReason,
            "ka.useragent" => Field::UserAgent,
            "ka.sourceips" => Field::SourceIps,
            "jevt.value" => {
                let ptr = match arg {
                    Some(p) if p.is_empty() || p.starts_with('/') => p,
                    _ => {
                        return Err(
                            "field 'jevt.value' requires a JSON pointer argument, e.g. jevt.value[/verb]"
                                .into(),
                        );
                    }
                };
                // Pointers to the top-level fields every rule tests go to the fast path.
                return Ok(match ptr {
                    "/stage" => Field::Stage,
                    "/verb" => Field::Verb,
                    "/auditID" => Field::AuditId,
                    "/requestURI" => Field::Uri,
                    "/user/username" => Field::UserName,
                    "/objectRef/resource" => Field::TargetResource,
                    "/objectRef/namespace" => Field::TargetNamespace,
                    "/objectRef/name" => Field::TargetName,
                    "/objectRef/subresource" => Field::TargetSubresource,
                    _ => Field::JsonValue(ptr.into()),
                });
            }
            "jevt.obj" => Field::JsonObj,
            "jevt.rawtime" => Field::RawTime,
            "jevt.time" | "jevt.time.iso8601" => Field::Time,
            _ => return Err(format!("unknown field '{name}'")),
        };
        Ok(f)
    }

    /// A rough cost of extracting the field, to test cheap fields first: top-level fields
    /// are read during the main parse, lists of strings need a small parse, the request and
    /// response objects a full one, other JSON pointers the whole event.
    pub fn cost(&self) -> u32 {
        match self {
            Field::UserGroups | Field::SourceIps | Field::RawTime | Field::UriParam(_) => 4,
            Field::JsonValue(p)
                if p.starts_with("/requestObject") || p.starts_with("/responseObject") =>
            {
                8
            }
            Field::JsonValue(_) => 16,
            Field::AuditId
            | Field::Stage
            | Field::AuthDecision
            | Field::AuthReason
            | Field::UserName
            | Field::ImpUserName
            | Field::Verb
            | Field::Uri
            | Field::TargetName
            | Field::TargetNamespace
            | Field::TargetResource
            | Field::TargetSubresource
            | Field::ConfigmapName
            | Field::BindingSubjectHasName
            | Field::ResponseCode
            | Field::ResponseReason
            | Field::UserAgent
            | Field::JsonObj
            | Field::Time => 1,
            _ => 8,
        }
    }

    /// True for fields that yield a list of values.
    pub fn is_list(&self) -> bool {
        matches!(
            self,
            Field::UserGroups
                | Field::BindingSubjects
                | Field::Pod(..)
                | Field::PodSupplementalGroups
                | Field::RoleRules
                | Field::RoleRulesKey(..)
                | Field::ServicePorts(_)
                | Field::PodHostpaths(_)
                | Field::PodFlexDrivers(_)
                | Field::PodVolumeTypes(_)
                | Field::SourceIps
        )
    }

    /// The field's value(s) in `ev`.
    pub fn extract<'v>(&self, ev: &'v Event<'_>) -> Vals<'v> {
        let raw = &ev.raw;
        let oref = raw.object_ref.as_ref();
        match self {
            Field::AuditId => Vals::opt(raw.audit_id.as_deref()),
            Field::Stage => Vals::opt(raw.stage.as_deref()),
            Field::Verb => Vals::opt(raw.verb.as_deref()),
            Field::Uri => Vals::opt(raw.request_uri.as_deref()),
            Field::UserName => Vals::opt(raw.user.as_ref().and_then(|u| u.username.as_deref())),
            Field::ImpUserName => Vals::opt(
                raw.impersonated_user
                    .as_ref()
                    .and_then(|u| u.username.as_deref()),
            ),
            Field::TargetName | Field::ConfigmapName => {
                Vals::opt(oref.and_then(|o| o.name.as_deref()))
            }
            Field::TargetNamespace => Vals::opt(oref.and_then(|o| o.namespace.as_deref())),
            Field::TargetResource => Vals::opt(oref.and_then(|o| o.resource.as_deref())),
            Field::TargetSubresource => Vals::opt(oref.and_then(|o| o.subresource.as_deref())),
            Field::UserAgent => Vals::opt(raw.user_agent.as_deref()),
            Field::ResponseCode => Vals::opt(
                raw.response_status
                    .as_ref()
                    .and_then(|s| s.code)
                    .map(|c| c.get().trim_matches('"')),
            ),
            Field::ResponseReason => Vals::opt(
                raw.response_status
                    .as_ref()
                    .and_then(|s| s.reason.as_deref()),
            ),
            Field::AuthDecision => Vals::opt(ev.auth().and_then(|a| a.decision.as_deref())),
            Field::AuthReason => match ev.auth().and_then(|a| a.reason) {
                Some(raw) => match serde_json::from_str::<Cow<'_, str>>(raw.get()) {
                    Ok(s) => Vals::One(Cow::Owned(s.into_owned())),
                    Err(_) => Vals::One(Cow::Borrowed(raw.get())),
                },
                None => Vals::None,
            },
            Field::UserGroups => strs(ev.groups()),
            Field::SourceIps => strs(ev.source_ips()),
            Field::UriParam(name) => match raw
                .request_uri
                .as_deref()
                .and_then(|u| query_param(u, name))
            {
                Some(v) => Vals::One(v),
                None => Vals::None,
            },
            Field::BindingSubjects => many(req(ev, &["subjects"])),
            Field::BindingRole => one(req(ev, &["roleRef", "name"])),
            Field::BindingSubjectHasName => Vals::One(Cow::Borrowed("true")),
            Field::ConfigmapObj => one(req(ev, &["data"])),
            Field::Pod(which, attr, idx) => pod_attr(ev, *which, *attr, *idx),
            Field::FirstImage | Field::FirstRepository => {
                let attr = if *self == Field::FirstImage {
                    Attr::Image
                } else {
                    Attr::Repository
                };
                match pod_attr(ev, Containers::Containers, attr, Some(0)) {
                    Vals::Many(mut v) => Vals::One(v.swap_remove(0)),
                    other => other,
                }
            }
            Field::AnyPrivileged => match containers(ev, Containers::Containers, None) {
                Some(cs) => {
                    let any = cs.iter().any(|c| {
                        c.pointer("/securityContext/privileged")
                            .and_then(Value::as_bool)
                            == Some(true)
                    });
                    Vals::One(Cow::Borrowed(if any { "true" } else { "false" }))
                }
                None => Vals::None,
            },
            Field::HostIpc => one(req(ev, &["spec", "hostIPC"])),
            Field::HostNetwork => one(req(ev, &["spec", "hostNetwork"])),
            Field::HostPid => one(req(ev, &["spec", "hostPID"])),
            Field::PodRunAsUser => one(req(ev, &["spec", "securityContext", "runAsUser"])),
            Field::PodRunAsGroup => one(req(ev, &["spec", "securityContext", "runAsGroup"])),
            Field::PodFsGroup => one(req(ev, &["spec", "securityContext", "fsGroup"])),
            Field::PodSupplementalGroups => {
                many(req(ev, &["spec", "securityContext", "supplementalGroups"]))
            }
            Field::RoleRules => many(req(ev, &["rules"])),
            Field::RoleRulesKey(key, idx) => {
                let Some(rules) = req(ev, &["rules"]).and_then(Value::as_array) else {
                    return Vals::None;
                };
                let mut out = Vec::new();
                for rule in select(rules, *idx) {
                    if let Some(items) = rule.get(*key).and_then(Value::as_array) {
                        out.extend(items.iter().map(as_text));
                    }
                }
                Vals::list(out)
            }
            Field::ServiceType => one(req(ev, &["spec", "type"])),
            Field::ServicePorts(idx) => match req(ev, &["spec", "ports"]).and_then(Value::as_array)
            {
                Some(ports) => Vals::list(select(ports, *idx).map(as_text).collect()),
                None => Vals::None,
            },
            Field::VolumeHostpath(arg) => {
                let Some(vols) = req(ev, &["spec", "volumes"]).and_then(Value::as_array) else {
                    return Vals::None;
                };
                let (prefix, is_prefix) = match arg.strip_suffix('*') {
                    Some(p) => (p, true),
                    None => (&**arg, false),
                };
                let hit = vols
                    .iter()
                    .filter_map(|v| v.pointer("/hostPath/path")?.as_str())
                    .any(|p| {
                        if is_prefix {
                            p.starts_with(prefix)
                        } else {
                            p == prefix
                        }
                    });
                Vals::One(Cow::Borrowed(if hit { "true" } else { "false" }))
            }
            Field::PodHostpaths(idx) => volumes(ev, *idx, |v| v.pointer("/hostPath/path")),
            Field::PodFlexDrivers(idx) => volumes(ev, *idx, |v| v.pointer("/flexVolume/driver")),
            Field::PodVolumeTypes(idx) => {
                let Some(vols) = req(ev, &["spec", "volumes"]).and_then(Value::as_array) else {
                    return Vals::None;
                };
                let mut out = Vec::new();
                for v in select(vols, *idx) {
                    if let Some(obj) = v.as_object() {
                        out.extend(
                            obj.keys()
                                .filter(|k| k.as_str() != "name")
                                .map(|k| Cow::Borrowed(k.as_str())),
                        );
                    }
                }
                Vals::list(out)
            }
            Field::RespName => one(ev
                .response_object()
                .and_then(|r| r.pointer("/metadata/name"))),
            Field::JsonValue(ptr) => {
                let v = if let Some(rest) = ptr.strip_prefix("/requestObject") {
                    ev.request_object().and_then(|o| o.pointer(rest))
                } else if let Some(rest) = ptr.strip_prefix("/responseObject") {
                    ev.response_object().and_then(|o| o.pointer(rest))
                } else {
                    ev.json().and_then(|o| o.pointer(ptr))
                };
                one(v)
            }
            Field::JsonObj => Vals::One(Cow::Borrowed(ev.text())),
            Field::RawTime => Vals::One(Cow::Owned(
                ev.time()
                    .and_then(rfc3339_nanos)
                    .unwrap_or_else(now_nanos)
                    .to_string(),
            )),
            Field::Time => Vals::opt(ev.time()),
        }
    }
}

/// JSON strings as their text, anything else as compact JSON (as the plugin renders them).
fn as_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

fn one(v: Option<&Value>) -> Vals<'_> {
    match v {
        None | Some(Value::Null) => Vals::None,
        Some(v) => Vals::One(as_text(v)),
    }
}

fn strs<'v>(v: Option<&'v [crate::event::Str<'_>]>) -> Vals<'v> {
    match v {
        Some(items) => Vals::list(items.iter().map(|s| Cow::Borrowed(&*s.0)).collect()),
        None => Vals::None,
    }
}

fn many(v: Option<&Value>) -> Vals<'_> {
    match v {
        Some(Value::Array(items)) => Vals::list(items.iter().map(as_text).collect()),
        _ => Vals::None,
    }
}

fn req<'v>(ev: &'v Event<'_>, path: &[&str]) -> Option<&'v Value> {
    let mut v = ev.request_object()?;
    for k in path {
        v = v.get(k)?;
    }
    Some(v)
}

fn select(items: &[Value], idx: Option<usize>) -> impl Iterator<Item = &Value> {
    let range = match idx {
        None => 0..items.len(),
        Some(i) if i < items.len() => i..i + 1,
        Some(_) => 0..0,
    };
    items[range].iter()
}

fn containers<'v>(
    ev: &'v Event<'_>,
    which: Containers,
    idx: Option<usize>,
) -> Option<Vec<&'v Value>> {
    let arr = req(ev, &["spec", which.key()])?.as_array()?;
    Some(select(arr, idx).collect())
}

fn volumes<'v>(
    ev: &'v Event<'_>,
    idx: Option<usize>,
    get: impl Fn(&'v Value) -> Option<&'v Value>,
) -> Vals<'v> {
    match req(ev, &["spec", "volumes"]).and_then(Value::as_array) {
        Some(vols) => Vals::list(select(vols, idx).filter_map(&get).map(as_text).collect()),
        None => Vals::None,
    }
}

/// The image reference without `:tag` or `@digest`, as the plugin computes it (it cuts at the
/// first `:`, so a registry with a port keeps only the host).
fn repository(image: &str) -> &str {
    let end = image.find([':', '@']).unwrap_or(image.len());
    &image[..end]
}

fn pod_attr<'v>(ev: &'v Event<'_>, which: Containers, attr: Attr, idx: Option<usize>) -> Vals<'v> {
    let Some(cs) = containers(ev, which, idx) else {
        return Vals::None;
    };
    let sc = |c: &'v Value, key: &str| c.get("securityContext").and_then(|s| s.get(key));
    let pod_sc = |key: &str| req(ev, &["spec", "securityContext", key]);
    let mut out: Vec<Cow<'v, str>> = Vec::with_capacity(cs.len());
    for c in cs {
        match attr {
            Attr::Image => {
                if let Some(i) = c.get("image") {
                    out.push(as_text(i));
                }
            }
            Attr::Repository => {
                if let Some(i) = c.get("image").and_then(Value::as_str) {
                    out.push(Cow::Borrowed(repository(i)));
                }
            }
            Attr::Privileged => out.extend(sc(c, "privileged").map(as_text)),
            Attr::AllowPrivilegeEscalation => {
                out.extend(sc(c, "allowPrivilegeEscalation").map(as_text))
            }
            Attr::ReadOnlyFs => out.extend(sc(c, "readOnlyRootFilesystem").map(as_text)),
            Attr::RunAsUser => out.extend(sc(c, "runAsUser").map(as_text)),
            Attr::RunAsGroup => out.extend(sc(c, "runAsGroup").map(as_text)),
            Attr::ProcMount => out.extend(sc(c, "procMount").map(as_text)),
            Attr::EffRunAsUser | Attr::EffRunAsGroup => {
                let key = if attr == Attr::EffRunAsUser {
                    "runAsUser"
                } else {
                    "runAsGroup"
                };
                out.push(match sc(c, key).or_else(|| pod_sc(key)) {
                    Some(v) => as_text(v),
                    None => Cow::Borrowed("0"),
                });
            }
            Attr::AddCapabilities => {
                if let Some(caps) = c
                    .pointer("/securityContext/capabilities/add")
                    .and_then(Value::as_array)
                {
                    out.extend(caps.iter().map(as_text));
                }
            }
            Attr::HostPort => {
                for p in c
                    .get("ports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = p.get("hostPort").or_else(|| p.get("containerPort")) {
                        out.push(as_text(v));
                    }
                }
            }
        }
    }
    Vals::list(out)
}

/// The first value of query parameter `name` in `uri`, percent-decoded.
fn query_param<'u>(uri: &'u str, name: &str) -> Option<Cow<'u, str>> {
    let query = uri.split_once('?')?.1;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if decode(k) == name {
            return Some(decode(v));
        }
    }
    None
}

fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Parses `2018-10-26T13:42:46.764713Z` (or with a `+hh:mm` offset) to nanoseconds since the
/// Unix epoch.
pub(crate) fn rfc3339_nanos(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &s[start..i];
        let digits = frac.len().min(9);
        nanos = frac[..digits].parse::<i64>().ok()? * 10i64.pow((9 - digits) as u32);
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let o = (oh * 60 + om) * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(secs * 1_000_000_000 + nanos).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_nanos("1970-01-01T00:00:01Z"), Some(1_000_000_000));
        assert_eq!(
            rfc3339_nanos("2018-10-26T13:42:46.764713Z"),
            Some(1_540_561_366_764_713_000)
        );
        assert_eq!(
            rfc3339_nanos("2018-10-26T15:42:46+02:00"),
            Some(1_540_561_366_000_000_000)
        );
        assert_eq!(rfc3339_nanos("yesterday"), None);
    }

    #[test]
    fn query_params() {
        let uri = "/api/v1/namespaces/default/pods/p/exec?command=bash&command=-c&container=c%2F1";
        assert_eq!(query_param(uri, "command").as_deref(), Some("bash"));
        assert_eq!(query_param(uri, "container").as_deref(), Some("c/1"));
        assert_eq!(query_param(uri, "stdin"), None);
    }

    #[test]
    fn repositories() {
        assert_eq!(repository("nginx"), "nginx");
        assert_eq!(repository("nginx:1.25"), "nginx");
        assert_eq!(
            repository("docker.io/falcosecurity/falco@sha256:abc"),
            "docker.io/falcosecurity/falco"
        );
    }
}
