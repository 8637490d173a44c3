//! The CEL translation of each exportable built-in check, keyed by check ID: the one place
//! to read or change what an exported ValidatingAdmissionPolicy enforces.
//!
//! A translation is the condition under which the check reports a finding, written in CEL
//! over the pod spec the policy's variables find (see [`crate::VARIABLES`]):
//!
//! - [`Scope::Container`]: a condition on one container `c`; the object is denied when it
//!   holds for any container (regular, init or ephemeral).
//! - [`Scope::Pod`]: a condition on the pod spec `variables.spec` (its securityContext is
//!   `variables.psc`, all its containers `variables.containers`).
//!
//! Shorthands, expanded before export (so the policy holds plain CEL):
//!
//! | shorthand | expands to |
//! |---|---|
//! | `$sc(F)` | the container's effective securityContext field `F`: its own, else the pod's (fields a container inherits), else `null` |
//! | `$csc(F)` | the container's own securityContext field `F`, else `null` |
//! | `$add`, `$drop` | the container's `capabilities.add` / `.drop` list, else `[]` |
//! | `$cap(X)` | capability item `X` as the checks compare it: trimmed, upper-cased, `CAP_` removed |
//! | `$written(X)` | capability item `X` as the runtime receives it: trimmed, upper-cased |
//! | `$windows` | the pod declares `spec.os.name: windows` |
//! | `$port(X)` | port `X` as a number (an integer, or a string of digits), else 0 |
//! | `$seccomp`, `$apparmor` | the container's effective profile type, in the kubelet's order (container field, container annotation, pod field, pod annotation): `RuntimeDefault`, `Localhost`, `Unconfined`, another string, or `none` |

/// What a translation's condition is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One container `c`; any container holding it denies.
    Container,
    /// The pod spec.
    Pod,
}

/// The CEL form of one check.
#[derive(Debug, Clone, Copy)]
pub struct Translation {
    /// The check's ID.
    pub id: &'static str,
    /// What `bad` is evaluated on.
    pub scope: Scope,
    /// True exactly when the check reports a finding (shorthands allowed, see above).
    pub bad: &'static str,
}

const fn c(id: &'static str, bad: &'static str) -> Translation {
    Translation {
        id,
        scope: Scope::Container,
        bad,
    }
}

const fn p(id: &'static str, bad: &'static str) -> Translation {
    Translation {
        id,
        scope: Scope::Pod,
        bad,
    }
}

/// Every exportable check.
pub static TRANSLATIONS: &[Translation] = &[
    // privileged-container
    c("STK001", "$csc(privileged) == true"),
    // privilege-escalation-allowed
    c(
        "STK002",
        "!$windows && ($csc(allowPrivilegeEscalation) != false || $csc(privileged) == true || $add.exists(x, $cap(x) in ['SYS_ADMIN', 'ALL']))",
    ),
    // runs-as-root-user
    c("STK003", "$sc(runAsUser) == 0"),
    // run-as-non-root-not-set
    c(
        "STK004",
        "!$windows && $sc(runAsNonRoot) != true && !(type($sc(runAsUser)) == int && $sc(runAsUser) >= 0)",
    ),
    // root-group
    p(
        "STK005",
        "(has(variables.psc.fsGroup) && variables.psc.fsGroup == 0) || (has(variables.psc.supplementalGroups) && variables.psc.supplementalGroups.exists(g, g == 0)) || variables.containers.exists(c, $sc(runAsGroup) == 0)",
    ),
    // writable-root-filesystem
    c(
        "STK006",
        "!$windows && $csc(readOnlyRootFilesystem) != true",
    ),
    // capabilities-not-dropped
    c(
        "STK007",
        "!$windows && !$drop.exists(x, $written(x) == 'ALL')",
    ),
    // dangerous-capability-added
    c(
        "STK008",
        "$add.exists(x, $cap(x) in ['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_BOOT', 'SYS_TIME', 'DAC_READ_SEARCH', 'BPF', 'PERFMON', 'MAC_ADMIN', 'MAC_OVERRIDE'])",
    ),
    // net-raw-capability
    c(
        "STK009",
        "$add.exists(x, $cap(x) == 'NET_RAW') || (!$windows && !$drop.exists(x, $written(x) in ['ALL', 'NET_RAW']))",
    ),
    // seccomp-unconfined
    c("STK010", "$seccomp == 'Unconfined'"),
    // seccomp-profile-missing
    c(
        "STK011",
        "!$windows && !($seccomp in ['RuntimeDefault', 'Localhost', 'Unconfined'])",
    ),
    // apparmor-unconfined
    c("STK012", "$apparmor == 'Unconfined'"),
    // apparmor-profile-missing
    c("STK013", "!$windows && $apparmor == 'none'"),
    // custom-selinux-options
    c(
        "STK014",
        "[$sc(seLinuxOptions)].exists(o, o != null && ((has(o.user) && o.user != '') || (has(o.role) && o.role != '') || (has(o.type) && type(o.type) == string && o.type != '' && !(o.type in ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']))))",
    ),
    // unmasked-proc-mount
    c("STK015", "$csc(procMount) == 'Unmasked'"),
    // unsafe-sysctls: names are normalised as the kubelet does (when the first separator is
    // `/`, `/` and `.` swap roles).
    p(
        "STK016",
        "has(variables.psc.sysctls) && variables.psc.sysctls.exists(s, has(s.name) && type(s.name) == string && !((s.name.contains('/') && (!s.name.contains('.') || s.name.indexOf('/') < s.name.indexOf('.')) ? s.name.replace('.', '\\u0000').replace('/', '.').replace('\\u0000', '/') : s.name) in ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']))",
    ),
    // windows-host-process (windowsOptions merge field by field)
    c(
        "STK017",
        "(has(c.securityContext) && has(c.securityContext.windowsOptions) && has(c.securityContext.windowsOptions.hostProcess) ? c.securityContext.windowsOptions.hostProcess : (has(variables.psc.windowsOptions) && has(variables.psc.windowsOptions.hostProcess) ? variables.psc.windowsOptions.hostProcess : null)) == true",
    ),
    // capability-added
    c(
        "STK018",
        "$add.exists(x, $cap(x) != '' && $cap(x) != 'NET_BIND_SERVICE')",
    ),
    // privileged-port
    c(
        "STK019",
        "has(c.ports) && c.ports.exists(p, has(p.containerPort) && $port(p.containerPort) > 0 && $port(p.containerPort) < 1024)",
    ),
    // low-user-id
    c(
        "STK020",
        "!$windows && ($sc(runAsUser) == null || (type($sc(runAsUser)) == int && $sc(runAsUser) < 10001))",
    ),
    // low-group-id
    c(
        "STK021",
        "!$windows && ($sc(runAsGroup) == null || (type($sc(runAsGroup)) == int && $sc(runAsGroup) < 10001))",
    ),
    // security-context-missing
    p(
        "STK022",
        "size(variables.psc) == 0 || variables.containers.exists(c, !has(c.securityContext) || size(c.securityContext) == 0)",
    ),
    // sudo-in-command: a word `sudo` or `.../sudo` between shell separators
    c(
        "STK023",
        "(has(c.command) ? c.command : []).exists(x, type(x) == string && x.matches('(^|[\\\\s;&|()`])([^\\\\s;&|()`]*/)?sudo($|[\\\\s;&|()`])')) || (has(c.args) ? c.args : []).exists(x, type(x) == string && x.matches('(^|[\\\\s;&|()`])([^\\\\s;&|()`]*/)?sudo($|[\\\\s;&|()`])'))",
    ),
    // linux-hardening-missing
    c(
        "STK024",
        "!$windows && !($seccomp != 'none' && $seccomp != 'Unconfined') && !($apparmor != 'none' && $apparmor != 'Unconfined') && $sc(seLinuxOptions) == null && size($drop) == 0",
    ),
    // host-users-enabled
    p(
        "STK025",
        "!$windows && !(has(variables.spec.hostUsers) && variables.spec.hostUsers == false)",
    ),
    // host-network
    p(
        "STK101",
        "has(variables.spec.hostNetwork) && variables.spec.hostNetwork == true",
    ),
    // host-pid
    p(
        "STK102",
        "has(variables.spec.hostPID) && variables.spec.hostPID == true",
    ),
    // host-ipc
    p(
        "STK103",
        "has(variables.spec.hostIPC) && variables.spec.hostIPC == true",
    ),
    // host-port
    c(
        "STK104",
        "has(c.ports) && c.ports.exists(p, has(p.hostPort) && $port(p.hostPort) != 0)",
    ),
    // host-path-volume
    p(
        "STK105",
        "has(variables.spec.volumes) && variables.spec.volumes.exists(v, has(v.hostPath))",
    ),
    // writable-host-path
    p(
        "STK106",
        "has(variables.spec.volumes) && variables.containers.exists(c, has(c.volumeMounts) && c.volumeMounts.exists(m, has(m.name) && variables.spec.volumes.exists(v, has(v.hostPath) && (has(v.name) ? v.name : '') == m.name) && !(has(m.readOnly) && m.readOnly == true)))",
    ),
    // host-aliases
    p(
        "STK109",
        "has(variables.spec.hostAliases) && size(variables.spec.hostAliases) > 0",
    ),
    // non-core-volume-type
    p(
        "STK110",
        "has(variables.spec.volumes) && variables.spec.volumes.exists(v, v.exists(k, !(k in ['name', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'])))",
    ),
    // volume-mount-subpath
    c(
        "STK111",
        "has(c.volumeMounts) && c.volumeMounts.exists(m, (has(m.subPath) && m.subPath != '') || (has(m.subPathExpr) && m.subPathExpr != ''))",
    ),
    // image-tag-mutable: no digest, and no tag or `latest` after the last `/`
    c(
        "STK201",
        "has(c.image) && !c.image.contains('@') && (!c.image.matches(':[^/:]+$') || c.image.endsWith(':latest'))",
    ),
    // image-not-pinned-by-digest
    c("STK202", "has(c.image) && !c.image.contains('@')"),
];

/// Checks of the exported families that have no translation, with the reason.
pub static NOT_EXPORTABLE: &[(&str, &str)] = &[
    (
        "STK107",
        "normalises host paths (`..`, repeated slashes, /var/run) and reads the sensitive-host-paths option; CEL has no path normalisation",
    ),
    (
        "STK108",
        "normalises host paths (`..`, repeated slashes, /var/run) before matching runtime sockets; CEL has no path normalisation",
    ),
];

/// The translation of a check, if it has one.
pub fn translation(id: &str) -> Option<&'static Translation> {
    TRANSLATIONS.iter().find(|t| t.id == id)
}

/// Why a check without translation cannot be exported.
pub fn reason(id: &str) -> Option<&'static str> {
    NOT_EXPORTABLE
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, r)| *r)
}
