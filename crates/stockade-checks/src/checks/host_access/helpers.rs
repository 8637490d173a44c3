//! Helpers shared by the host-access checks: hostPath volumes and host path normalisation.

use stockade_model::{Node, PodSpec};

/// A `hostPath` volume of a pod spec.
#[derive(Debug, Clone)]
pub struct HostPathVolume<'a> {
    /// The volume's `name`, empty when missing.
    pub name: &'a str,
    /// The volume item (`- name: ...`).
    pub volume: &'a Node,
    /// Field path of the volume item.
    pub path: String,
    /// The `hostPath.path` node, if written.
    pub host_path: Option<&'a Node>,
}

impl<'a> HostPathVolume<'a> {
    /// The host path as written, if any.
    pub fn raw(&self) -> Option<&'a str> {
        self.host_path.and_then(Node::as_str)
    }

    /// The host path, normalised (see [`normalize`]).
    pub fn normalized(&self) -> Option<String> {
        self.raw().map(normalize)
    }

    /// Field path of `hostPath.path`.
    pub fn path_field(&self) -> String {
        stockade_model::format_exact!("{}.hostPath.path", self.path)
    }
}

/// Every `hostPath` volume of `pod`, in source order.
pub fn host_path_volumes<'a>(pod: &PodSpec<'a>) -> Vec<HostPathVolume<'a>> {
    let Some(volumes) = pod.field("volumes") else {
        return Vec::new();
    };
    volumes
        .items()
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let hp = v.get("hostPath").filter(|h| !h.is_null())?;
            Some(HostPathVolume {
                name: v.str_at("name").unwrap_or_default(),
                volume: v,
                path: stockade_model::format_exact!("{}.volumes[{i}]", pod.path),
                host_path: hp.get("path").filter(|p| !p.is_null()),
            })
        })
        .collect()
}

/// Normalises a host path the way the kernel resolves it, without touching the disk:
/// repeated and trailing slashes removed, `.` dropped, `..` applied (never above `/`).
/// `/var/run` is rewritten to `/run`, which it links to on every current distribution, so
/// that one list covers both spellings. A relative path (invalid for hostPath) is treated as
/// if it started at `/`, because the kubelet would resolve it against its own root.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.len() >= 2 && parts[0] == "var" && parts[1] == "run" {
        parts.remove(0);
    }
    stockade_model::format_exact!("/{}", parts.join("/"))
}

/// True when `path` is `base` or lies under it (both normalised).
pub fn is_within(path: &str, base: &str) -> bool {
    base == "/"
        || path == base
        || (path.starts_with(base) && path.as_bytes().get(base.len()) == Some(&b'/'))
}

/// Host directories whose exposure gives away the node: system configuration and credentials
/// (`/etc`, `/root`, `/home`), kernel interfaces (`/proc`, `/sys`, `/dev`), boot files,
/// executables the node runs as root (`/usr`, `/bin`, `/lib`, CNI plugins) and the state of
/// the kubelet, container runtimes and etcd (other pods' volumes, secrets, images).
///
/// `/run` (`/var/run`) is not listed: its risk is the runtime sockets, which
/// `container-runtime-socket` reports. `/var/log` is not listed either: log collectors read it
/// legitimately, and writing to it is what `writable-host-path` reports.
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/opt/cni/bin",
    "/proc",
    "/root",
    "/sbin",
    "/sys",
    "/usr",
    "/var/lib/containerd",
    "/var/lib/containers",
    "/var/lib/docker",
    "/var/lib/etcd",
    "/var/lib/kubelet",
    "/var/lib/rancher",
];

/// How a normalised host path relates to a sensitive one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure<'a> {
    /// The path is the sensitive directory or lies inside it.
    Within(&'a str),
    /// The path is a parent of the sensitive directory (`/`, `/var/lib`).
    Contains(&'a str),
}

/// The first entry of `list` that `path` (normalised) exposes, and how.
pub fn exposure<'a>(path: &str, list: impl IntoIterator<Item = &'a str>) -> Option<Exposure<'a>> {
    let mut contains = None;
    for base in list {
        if is_within(path, base) {
            return Some(Exposure::Within(base));
        }
        if contains.is_none() && is_within(base, path) {
            contains = Some(Exposure::Contains(base));
        }
    }
    contains
}

/// Unix sockets of container runtimes: whoever can talk to one can start a privileged
/// container on the node.
pub const RUNTIME_SOCKETS: &[&str] = &[
    "containerd.sock",
    "cri-dockerd.sock",
    "crio.sock",
    "docker.sock",
    "dockershim.sock",
    "podman.sock",
];

/// Directories (normalised) that hold a runtime socket on common distributions.
pub const RUNTIME_SOCKET_DIRS: &[&str] = &[
    "/run",
    "/run/containerd",
    "/run/crio",
    "/run/docker",
    "/run/k3s",
    "/run/k3s/containerd",
    "/run/podman",
    "/var/snap/microk8s/common/run",
];

/// Why a normalised host path exposes a container runtime: a socket by file name, or a
/// directory that holds one.
pub fn runtime_socket(path: &str) -> Option<&'static str> {
    let file = path.rsplit('/').next().unwrap_or_default();
    if let Some(s) = RUNTIME_SOCKETS.iter().find(|s| **s == file) {
        return Some(s);
    }
    RUNTIME_SOCKET_DIRS.iter().find(|d| **d == path).copied()
}

/// Emits one hit per container mount of a pod volume of type `source` (`secret`,
/// `configMap`, `persistentVolumeClaim`), at the mount. `what` names the source in messages;
/// `name_key` is the field of the source that names the object (`secretName`, `name`,
/// `claimName`).
pub fn emit_mounted_volumes(
    ctx: &crate::Context,
    out: &mut crate::Emit,
    source: &str,
    name_key: &str,
    what: &str,
) {
    for pod in ctx.pods {
        let Some(volumes) = pod.field("volumes") else {
            continue;
        };
        let sourced: Vec<(&str, &str)> = volumes
            .items()
            .iter()
            .filter_map(|v| {
                let src = v.get(source).filter(|s| !s.is_null())?;
                Some((
                    v.str_at("name").unwrap_or_default(),
                    src.str_at(name_key).unwrap_or("(unnamed)"),
                ))
            })
            .collect();
        if sourced.is_empty() {
            continue;
        }
        for c in &pod.containers {
            let Some(mounts) = c.node.get("volumeMounts") else {
                continue;
            };
            for (i, m) in mounts.items().iter().enumerate() {
                let mount = m.str_at("name").unwrap_or_default();
                let Some((_, object)) = sourced.iter().find(|(v, _)| *v == mount) else {
                    continue;
                };
                out.container(
                    c,
                    Some((
                        m,
                        &stockade_model::format_exact!("{}.volumeMounts[{i}]", c.path),
                    )),
                    stockade_model::format_exact!(
                        "{} mounts {what} \"{object}\" (volume \"{mount}\") at {}",
                        c.label(),
                        m.str_at("mountPath").unwrap_or("(no mountPath)")
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Exposure, SENSITIVE_HOST_PATHS, exposure, is_within, normalize, runtime_socket};

    #[test]
    fn normalises_slashes_dots_and_var_run() {
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize(""), "/");
        assert_eq!(normalize("//etc///"), "/etc");
        assert_eq!(normalize("/data/../etc/./kubernetes/"), "/etc/kubernetes");
        assert_eq!(normalize("/../../proc"), "/proc");
        assert_eq!(normalize("/var/run/docker.sock"), "/run/docker.sock");
        assert_eq!(normalize("/var/./run/"), "/run");
        assert_eq!(normalize("/var/running"), "/var/running");
        assert_eq!(normalize("etc"), "/etc");
    }

    #[test]
    fn within_respects_component_boundaries() {
        assert!(is_within("/etc", "/etc"));
        assert!(is_within("/etc/ssl", "/etc"));
        assert!(!is_within("/etcd", "/etc"));
        assert!(is_within("/anything", "/"));
        assert!(!is_within("/var", "/var/lib/kubelet"));
    }

    #[test]
    fn exposure_inside_and_above_sensitive_paths() {
        let list = || SENSITIVE_HOST_PATHS.iter().copied();
        assert_eq!(
            exposure("/etc/kubernetes", list()),
            Some(Exposure::Within("/etc"))
        );
        assert_eq!(exposure("/", list()), Some(Exposure::Contains("/bin")));
        assert_eq!(
            exposure("/var/lib", list()),
            Some(Exposure::Contains("/var/lib/containerd"))
        );
        assert_eq!(exposure("/var/log", list()), None);
        assert_eq!(exposure("/etcd-data", list()), None);
        assert_eq!(exposure("/run", list()), None);
    }

    #[test]
    fn runtime_sockets_by_name_and_directory() {
        assert_eq!(runtime_socket("/run/docker.sock"), Some("docker.sock"));
        assert_eq!(
            runtime_socket("/run/user/1000/podman/podman.sock"),
            Some("podman.sock")
        );
        assert_eq!(runtime_socket("/run/containerd"), Some("/run/containerd"));
        assert_eq!(runtime_socket("/run"), Some("/run"));
        assert_eq!(runtime_socket("/run/xtables.lock"), None);
        assert_eq!(
            runtime_socket("/run/containerd/io.containerd.runtime.v2.task"),
            None
        );
        assert_eq!(runtime_socket("/"), None);
    }
}
