//! ## What it does
//! Flags `hostPath` volumes whose path is a sensitive host directory, lies inside one, or
//! contains one (`/`, `/var/lib`). Paths are normalised first: repeated and trailing slashes,
//! `.` and `..` cannot hide `/etc` (`/data/../etc/` is `/etc`), and `/var/run` is read as
//! `/run`.
//!
//! Built-in list: `/bin`, `/boot`, `/dev`, `/etc`, `/home`, `/lib`, `/lib64`, `/opt/cni/bin`,
//! `/proc`, `/root`, `/sbin`, `/sys`, `/usr`, and the state of the kubelet and runtimes:
//! `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/containers`,
//! `/var/lib/etcd`, `/var/lib/rancher`.
//!
//! Deliberately not listed: `/run` and `/var/run`, whose danger is the runtime sockets that
//! `container-runtime-socket` reports (so one mount is not reported twice), and `/var/log`,
//! which log collectors read legitimately; writing there is reported by `writable-host-path`.
//! Add either with the option below if your policy says otherwise.
//!
//! ## Why it matters
//! These directories hold the node's credentials (kubelet client certificates, `/etc/shadow`,
//! SSH keys), every pod's volumes and Secrets (`/var/lib/kubelet`), the images and layers of
//! every container, and binaries the node executes as root. Even read-only, they leak
//! cluster credentials; writable, they are a direct route to root on the node.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: node-reader
//! spec:
//!   containers:
//!     - name: reader
//!       image: reader:1.0
//!       volumeMounts:
//!         - name: host
//!           mountPath: /host
//!           readOnly: true
//!   volumes:
//!     - name: host
//!       hostPath:
//!         path: /etc/kubernetes/ # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: node-reader
//! spec:
//!   containers:
//!     - name: reader
//!       image: reader:1.0
//!       volumeMounts:
//!         - name: config
//!           mountPath: /config
//!           readOnly: true
//!   volumes:
//!     - name: config
//!       configMap:
//!         name: reader-config
//! ```
//!
//! ## Options
//! `sensitive-host-paths`: more host paths to treat as sensitive, with the same rules
//! (inside, or a parent of, an entry).
//!
//! ```yaml
//! options:
//!   sensitive-host-paths: [/var/log, /srv/secrets]
//! ```

use stockade_model::Severity;

use super::helpers::{Exposure, SENSITIVE_HOST_PATHS, exposure, host_path_volumes, normalize};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK107",
    name: "sensitive-host-path",
    category: Category::HostAccess,
    severity: Severity::Critical,
    default_on: true,
    summary: "Pod mounts a sensitive host directory",
    remediation: "Remove the hostPath volume; pass configuration through ConfigMaps and Secrets, and data through PersistentVolumeClaims or CSI drivers.",
    references: &[
        "PSS baseline: hostPathVolumes",
        "NSA/CISA: pod security",
        "CVE-2017-1002101",
    ],
    aliases: &[
        "kube-linter:sensitive-host-mounts",
        "kubescape:C-0020",
        "trivy:KSV-0121",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let extra: Vec<String> = ctx
        .options
        .sensitive_host_paths
        .iter()
        .map(|p| normalize(p))
        .collect();
    for pod in ctx.pods {
        for v in host_path_volumes(pod) {
            let (Some(raw), Some(node)) = (v.raw(), v.host_path) else {
                continue;
            };
            let path = normalize(raw);
            let list = SENSITIVE_HOST_PATHS
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str));
            let why = match exposure(&path, list) {
                None => continue,
                Some(_) if path == "/" => " (the node's whole filesystem)".to_string(),
                Some(Exposure::Within(base)) if base == path => String::new(),
                Some(Exposure::Within(base)) => stockade_model::format_exact!(" (inside `{base}`)"),
                Some(Exposure::Contains(base)) => {
                    stockade_model::format_exact!(" (contains `{base}`)")
                }
            };
            out.at(
                node,
                v.path_field(),
                stockade_model::format_exact!(
                    "volume \"{}\" mounts sensitive host path `{raw}`{why}",
                    v.name
                ),
            );
        }
    }
}
