//! ## What it does
//! Flags `hostPath` volumes that expose a container runtime's API: a socket named
//! `docker.sock`, `containerd.sock`, `crio.sock`, `cri-dockerd.sock`, `podman.sock` or
//! `dockershim.sock` in any directory, or a directory that holds one on common
//! distributions: `/run` (and `/var/run`), `/run/containerd`, `/run/crio`, `/run/docker`,
//! `/run/podman`, `/run/k3s`, `/run/k3s/containerd`, `/var/snap/microk8s/common/run`.
//! Paths are normalised first (slashes, `.`, `..`; `/var/run` is `/run`).
//!
//! Parents such as `/` or `/var` also expose the sockets; they are reported by
//! `sensitive-host-path`.
//!
//! ## Why it matters
//! The runtime's socket is its unauthenticated root API. A container that can reach it can
//! start a privileged container with the host's filesystem mounted, read every container's
//! environment and files, and bypass every admission control of the cluster. A read-only
//! mount does not help: connecting to a Unix socket needs no write access to the file.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: ci-runner
//! spec:
//!   selector:
//!     matchLabels: {app: ci-runner}
//!   template:
//!     metadata:
//!       labels: {app: ci-runner}
//!     spec:
//!       containers:
//!         - name: runner
//!           image: runner:16.1
//!           volumeMounts:
//!             - name: docker
//!               mountPath: /var/run/docker.sock
//!       volumes:
//!         - name: docker
//!           hostPath:
//!             path: /var/run/docker.sock # finding
//!             type: Socket
//! ```
//! Fixed (build images without a daemon, for example with BuildKit rootless or kaniko):
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: ci-runner
//! spec:
//!   selector:
//!     matchLabels: {app: ci-runner}
//!   template:
//!     metadata:
//!       labels: {app: ci-runner}
//!     spec:
//!       containers:
//!         - name: runner
//!           image: runner:16.1
//!           env:
//!             - name: BUILDER
//!               value: buildkit-rootless
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{host_path_volumes, runtime_socket};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK108",
    name: "container-runtime-socket",
    category: Category::HostAccess,
    severity: Severity::Critical,
    default_on: true,
    summary: "Pod mounts a container runtime socket",
    remediation: "Remove the hostPath volume; build images with a daemonless builder and query the runtime through the Kubernetes API instead.",
    references: &["PSS baseline: hostPathVolumes", "NSA/CISA: pod security"],
    aliases: &[
        "kube-linter:docker-sock",
        "kubesec:DockerSock",
        "checkov:CKV_K8S_27",
        "trivy:KSV-0006",
        "kubescape:C-0074",
        "datree:CONTAINERS_INCORRECT_PATH_VALUE_DOCKERSOCKET",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        for v in host_path_volumes(pod) {
            let (Some(raw), Some(node), Some(path)) = (v.raw(), v.host_path, v.normalized()) else {
                continue;
            };
            let Some(what) = runtime_socket(&path) else {
                continue;
            };
            let message = if what.ends_with(".sock") {
                stockade_model::format_exact!(
                    "volume \"{}\" mounts the container runtime socket `{raw}`",
                    v.name
                )
            } else {
                stockade_model::format_exact!(
                    "volume \"{}\" mounts `{raw}`, which holds the container runtime socket",
                    v.name
                )
            };
            out.at(node, v.path_field(), message);
        }
    }
}
