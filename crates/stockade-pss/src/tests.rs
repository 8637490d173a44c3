//! Behaviour the upstream fixtures do not pin down: workload templates, positions, Windows pods,
//! container-over-pod settings, ephemeral containers and capability spelling.

use super::*;
use stockade_model::{Loaded, load, pod_specs};

fn loaded(yaml: &str) -> Loaded {
    let l = load("test.yaml", yaml.as_bytes());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    l
}

/// Evaluates the only pod spec in `yaml`.
fn eval(level: Level, version: Version, yaml: &str) -> Vec<Violation> {
    let l = loaded(yaml);
    let specs: Vec<_> = l.objects.iter().flat_map(pod_specs).collect();
    assert_eq!(specs.len(), 1, "one pod spec");
    evaluate(level, version, &specs[0])
}

fn ids(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|v| v.check).collect()
}

/// A pod that passes restricted at every version.
const RESTRICTED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
";

#[test]
fn parses_and_displays_levels_and_versions() {
    assert_eq!("baseline".parse::<Level>(), Ok(Level::Baseline));
    assert_eq!(Level::Restricted.to_string(), "restricted");
    assert_eq!(
        "Baseline".parse::<Level>(),
        Err(Error::ParseLevel("Baseline".into()))
    );
    assert_eq!("latest".parse::<Version>(), Ok(Version::Latest));
    assert_eq!("v1.25".parse::<Version>(), Ok(Version::V(25)));
    assert_eq!("v1.0".parse::<Version>(), Ok(Version::V(0)));
    for bad in ["v1.025", "1.25", "v2.1", "v1.", "v1.-1", "Latest", ""] {
        assert!(bad.parse::<Version>().is_err(), "{bad}");
    }
    assert_eq!("v1.5000000000".parse::<Version>(), Ok(Version::V(u32::MAX)));
    assert!("v1.99999999999999999999".parse::<Version>().is_err());
    assert_eq!(Version::V(25).to_string(), "v1.25");
    assert_eq!(Version::Latest.to_string(), "latest");
    assert_eq!(Version::V(99).effective_minor(), NEWEST_MINOR);
    assert_eq!(Version::Latest.effective_minor(), NEWEST_MINOR);
}

#[test]
fn controls_are_in_upstream_order_and_unique() {
    let baseline: Vec<_> = CONTROLS
        .iter()
        .filter(|c| c.level == Level::Baseline)
        .map(|c| c.id)
        .collect();
    let restricted: Vec<_> = CONTROLS
        .iter()
        .filter(|c| c.level == Level::Restricted)
        .map(|c| c.id)
        .collect();
    let mut sorted = baseline.clone();
    sorted.sort_unstable();
    assert_eq!(baseline, sorted);
    let mut sorted = restricted.clone();
    sorted.sort_unstable();
    assert_eq!(restricted, sorted);
    assert_eq!(
        CONTROLS.iter().map(|c| c.id).collect::<Vec<_>>(),
        [baseline, restricted].concat(),
        "baseline first"
    );
    assert_eq!(CONTROLS.len(), 19);
    assert!(control("privileged").is_some());
    assert_eq!(
        evaluate_control("nope", Version::Latest, &dummy_spec()),
        Err(Error::UnknownControl("nope".into()))
    );
}

fn dummy_spec() -> stockade_model::PodSpec<'static> {
    static L: std::sync::LazyLock<Loaded> = std::sync::LazyLock::new(|| loaded(RESTRICTED_POD));
    pod_specs(&L.objects[0]).remove(0)
}

#[test]
fn restricted_pod_passes_every_version_and_privileged_runs_nothing() {
    for m in 0..=NEWEST_MINOR + 2 {
        assert_eq!(
            eval(Level::Restricted, Version::V(m), RESTRICTED_POD),
            vec![],
            "v1.{m}"
        );
    }
    let bad = "apiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n  containers:\n  - name: a\n    securityContext: {privileged: true}\n";
    assert!(eval(Level::Privileged, Version::Latest, bad).is_empty());
}

#[test]
fn deployment_paths_positions_and_message() {
    let yaml = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
";
    let v = eval(Level::Baseline, Version::Latest, yaml);
    assert_eq!(
        v,
        vec![Violation {
            check: "privileged",
            reason: "privileged".into(),
            detail: "container \"app\" must not set securityContext.privileged=true".into(),
            path: "spec.template.spec.containers[0].securityContext.privileged".into(),
            pos: Pos { line: 14, col: 11 },
        }]
    );
    let v = eval(Level::Restricted, Version::Latest, yaml);
    assert_eq!(
        ids(&v),
        [
            "privileged",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    assert_eq!(
        message(Level::Restricted, Version::Latest, &v),
        "violates PodSecurity \"restricted:latest\": \
         privileged (container \"app\" must not set securityContext.privileged=true), \
         allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), \
         unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), \
         runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), \
         seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    // Missing fields point at the nearest enclosing field that exists: the securityContext.
    let ape = &v[1];
    assert_eq!(
        ape.path,
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"
    );
    assert_eq!(ape.pos, Pos { line: 13, col: 9 });
}

#[test]
fn cronjob_template_path() {
    let yaml = "\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: '0 0 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          hostNetwork: true
          containers:
          - name: job
            image: busybox
";
    let v = eval(Level::Baseline, Version::V(30), yaml);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].check, "hostNamespaces");
    assert_eq!(v[0].reason, "host namespaces");
    assert_eq!(v[0].detail, "hostNetwork");
    assert_eq!(v[0].path, "spec.jobTemplate.spec.template.spec.hostNetwork");
    assert_eq!(v[0].pos, Pos { line: 11, col: 11 });
}

#[test]
fn crd_template_path_and_annotations_from_the_template() {
    let yaml = "\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      containers:
      - name: app
        image: nginx
        ports:
        - containerPort: 80
          hostPort: 8080
";
    let v = eval(Level::Baseline, Version::V(25), yaml);
    assert_eq!(ids(&v), ["appArmorProfile", "hostPorts"]);
    assert_eq!(v[0].reason, "forbidden AppArmor profile");
    assert_eq!(
        v[0].detail,
        "annotation must not set AppArmor profile type to \
         \"container.apparmor.security.beta.kubernetes.io/app=\"unconfined\"\""
    );
    assert_eq!(
        v[0].path,
        "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]"
    );
    assert_eq!(v[0].pos.line, 9);
    assert_eq!(v[1].reason, "hostPort");
    assert_eq!(v[1].detail, "container \"app\" uses hostPort 8080");
    assert_eq!(
        v[1].path,
        "spec.template.spec.containers[0].ports[0].hostPort"
    );
    assert_eq!(v[1].pos, Pos { line: 16, col: 11 });
}

const WINDOWS_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: win
spec:
  os:
    name: windows
  securityContext:
    runAsNonRoot: true
  containers:
  - name: app
    image: mcr.microsoft.com/windows/nanoserver
    securityContext:
      capabilities:
        add: [SYS_ADMIN]
";

#[test]
fn windows_pods_are_exempt_from_linux_only_restricted_controls_from_v1_25() {
    assert_eq!(
        eval(Level::Restricted, Version::Latest, WINDOWS_POD),
        vec![]
    );
    assert_eq!(eval(Level::Restricted, Version::V(25), WINDOWS_POD), vec![]);
    // Before v1.25 the same pod fails the three controls.
    let v = eval(Level::Restricted, Version::V(24), WINDOWS_POD);
    assert_eq!(
        ids(&v),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
    assert_eq!(
        v[1].detail,
        "container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]; \
         container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add"
    );
    // Baseline has no Windows exemption; at restricted capabilities_restricted replaces it.
    let v = eval(Level::Baseline, Version::Latest, WINDOWS_POD);
    assert_eq!(ids(&v), ["capabilities_baseline"]);
    assert_eq!(
        v[0].detail,
        "container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add"
    );
    assert_eq!(
        v[0].path,
        "spec.containers[0].securityContext.capabilities.add[0]"
    );
    // runAsNonRoot still applies to Windows pods.
    let no_nonroot = WINDOWS_POD.replace("    runAsNonRoot: true\n", "    {}\n");
    let no_nonroot = no_nonroot.replace("  securityContext:\n    {}\n", "");
    assert_eq!(
        ids(&eval(Level::Restricted, Version::Latest, &no_nonroot)),
        ["runAsNonRoot"]
    );
}

#[test]
fn container_settings_override_pod_settings() {
    let yaml = "\
apiVersion: v1
kind: Pod
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    securityContext:
      runAsNonRoot: false
      seccompProfile: {type: Unconfined}
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  - name: ok
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
";
    let v = eval(Level::Restricted, Version::Latest, yaml);
    assert_eq!(ids(&v), ["runAsNonRoot", "seccompProfile_restricted"]);
    assert_eq!(
        v[0].detail,
        "container \"app\" must not set securityContext.runAsNonRoot=false"
    );
    assert_eq!(v[0].path, "spec.containers[0].securityContext.runAsNonRoot");
    assert_eq!(v[0].pos, Pos { line: 10, col: 7 });
    assert_eq!(
        v[1].detail,
        "container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\""
    );

    // The other way round: containers set what the pod forbids. Upstream still reports the pod.
    let yaml = "\
apiVersion: v1
kind: Pod
spec:
  securityContext:
    runAsNonRoot: false
    runAsUser: 0
  containers:
  - name: app
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      seccompProfile: {type: Localhost}
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
";
    let v = eval(Level::Restricted, Version::Latest, yaml);
    assert_eq!(ids(&v), ["runAsNonRoot", "runAsUser"]);
    assert_eq!(
        v[0].detail,
        "pod must not set securityContext.runAsNonRoot=false"
    );
    assert_eq!(v[0].path, "spec.securityContext.runAsNonRoot");
    assert_eq!(v[1].reason, "runAsUser=0");
    assert_eq!(v[1].detail, "pod must not set runAsUser=0");
    // runAsUser did not exist before v1.23.
    assert_eq!(
        ids(&eval(Level::Restricted, Version::V(22), yaml)),
        ["runAsNonRoot"]
    );
}

#[test]
fn ephemeral_and_init_containers_are_checked_in_upstream_order() {
    let yaml = "\
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: app
    securityContext: {privileged: true}
  ephemeralContainers:
  - name: debug
    securityContext: {privileged: true, procMount: Unmasked}
  initContainers:
  - name: setup
    securityContext: {privileged: true}
";
    let v = eval(Level::Baseline, Version::Latest, yaml);
    assert_eq!(ids(&v), ["privileged", "procMount"]);
    assert_eq!(
        v[0].detail,
        "containers \"setup\", \"app\", \"debug\" must not set securityContext.privileged=true"
    );
    // The path points at the first container upstream visits: the init container.
    assert_eq!(
        v[0].path,
        "spec.initContainers[0].securityContext.privileged"
    );
    assert_eq!(
        v[1].detail,
        "container \"debug\" must not set securityContext.procMount to \"Unmasked\""
    );
    assert_eq!(
        v[1].path,
        "spec.ephemeralContainers[0].securityContext.procMount"
    );
}

#[test]
fn capability_names_are_compared_exactly() {
    let pod = |sc: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}\n  containers:\n  - name: app\n    securityContext: {{allowPrivilegeEscalation: false, capabilities: {sc}}}\n"
        )
    };
    // Baseline: the default set, without the CAP_ prefix.
    let v = eval(
        Level::Baseline,
        Version::Latest,
        &pod("{add: [CHOWN, CAP_CHOWN, CAP_SYS_ADMIN]}"),
    );
    assert_eq!(ids(&v), ["capabilities_baseline"]);
    assert_eq!(v[0].reason, "non-default capabilities");
    assert_eq!(
        v[0].detail,
        "container \"app\" must not include \"CAP_CHOWN\", \"CAP_SYS_ADMIN\" in securityContext.capabilities.add"
    );
    assert_eq!(
        v[0].path,
        "spec.containers[0].securityContext.capabilities.add[1]"
    );
    assert!(
        eval(
            Level::Baseline,
            Version::Latest,
            &pod("{add: [CHOWN, NET_BIND_SERVICE]}")
        )
        .is_empty()
    );

    // Restricted: drop must contain exactly "ALL"; only NET_BIND_SERVICE may be added.
    assert!(
        eval(
            Level::Restricted,
            Version::Latest,
            &pod("{drop: [ALL], add: [NET_BIND_SERVICE]}")
        )
        .is_empty()
    );
    let v = eval(
        Level::Restricted,
        Version::Latest,
        &pod("{drop: [CAP_ALL], add: [CAP_NET_BIND_SERVICE]}"),
    );
    assert_eq!(ids(&v), ["capabilities_restricted"]);
    assert_eq!(v[0].reason, "unrestricted capabilities");
    assert_eq!(
        v[0].detail,
        "container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]; \
         container \"app\" must not include \"CAP_NET_BIND_SERVICE\" in securityContext.capabilities.add"
    );
    assert_eq!(
        v[0].path,
        "spec.containers[0].securityContext.capabilities.drop"
    );
    let v = eval(Level::Restricted, Version::Latest, &pod("{drop: [all]}"));
    assert_eq!(ids(&v), ["capabilities_restricted"]);
}

#[test]
fn restricted_replaces_overlapping_baseline_controls() {
    let yaml = "\
apiVersion: v1
kind: Pod
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
  volumes:
  - name: host
    hostPath: {path: /etc}
  - name: nothing
  - name: nfs
    nfs: {server: x, path: /}
";
    let v = eval(Level::Baseline, Version::Latest, yaml);
    assert_eq!(ids(&v), ["hostPathVolumes"]);
    assert_eq!(v[0].detail, "volume \"host\"");
    assert_eq!(v[0].path, "spec.volumes[0].hostPath");
    let v = eval(Level::Restricted, Version::Latest, yaml);
    assert_eq!(ids(&v), ["restrictedVolumes"]);
    assert_eq!(v[0].reason, "restricted volume types");
    // A volume without a source is defaulted to emptyDir by the API server.
    assert_eq!(
        v[0].detail,
        "volumes \"host\", \"nfs\" use restricted volume types \"hostPath\", \"nfs\""
    );
    // The overridden control still answers on its own, for scan checks built on one control.
    let l = loaded(yaml);
    let spec = pod_specs(&l.objects[0]).remove(0);
    let c = control("hostPathVolumes").expect("known");
    assert!(c.overridden_at(Version::Latest));
    assert_eq!(
        evaluate_control("hostPathVolumes", Version::Latest, &spec)
            .expect("known")
            .map(|v| v.check),
        Some("hostPathVolumes")
    );
}

#[test]
fn user_namespaces_relax_from_v1_35_only() {
    let yaml = "\
apiVersion: v1
kind: Pod
spec:
  hostUsers: false
  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
      procMount: Unmasked
";
    assert_eq!(
        ids(&eval(Level::Restricted, Version::V(34), yaml)),
        ["procMount", "runAsNonRoot", "runAsUser"]
    );
    // v1.35: runAsNonRoot/runAsUser relax; restricted keeps the unconditional procMount rule.
    assert_eq!(
        ids(&eval(Level::Restricted, Version::V(35), yaml)),
        ["procMount_restricted"]
    );
    assert_eq!(
        ids(&eval(Level::Baseline, Version::V(34), yaml)),
        ["procMount"]
    );
    assert!(eval(Level::Baseline, Version::V(35), yaml).is_empty());
}

#[test]
fn versioned_allow_lists() {
    let sysctl = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nspec:\n  securityContext:\n    sysctls:\n    - name: {name}\n      value: '1'\n  containers:\n  - name: app\n"
        )
    };
    let y = sysctl("net.ipv4.tcp_rmem");
    let v = eval(Level::Baseline, Version::V(31), &y);
    assert_eq!(v[0].reason, "forbidden sysctls");
    assert_eq!(v[0].detail, "net.ipv4.tcp_rmem");
    assert_eq!(v[0].path, "spec.securityContext.sysctls[0].name");
    assert!(eval(Level::Baseline, Version::V(32), &y).is_empty());
    let y = sysctl("net.ipv4.tcp_notsent_lowat");
    assert!(!eval(Level::Baseline, Version::V(36), &y).is_empty());
    assert!(eval(Level::Baseline, Version::Latest, &y).is_empty());

    let selinux = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    securityContext:\n      seLinuxOptions: {type: container_engine_t, user: me}\n";
    let v = eval(Level::Baseline, Version::V(30), selinux);
    assert_eq!(
        v[0].detail,
        "container \"app\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\"; user may not be set"
    );
    assert_eq!(
        v[0].path,
        "spec.containers[0].securityContext.seLinuxOptions.type"
    );
    let v = eval(Level::Baseline, Version::V(31), selinux);
    assert_eq!(
        v[0].detail,
        "container \"app\" set forbidden securityContext.seLinuxOptions: user may not be set"
    );
    assert_eq!(
        v[0].path,
        "spec.containers[0].securityContext.seLinuxOptions.user"
    );
}

#[test]
fn seccomp_annotations_before_v1_19_fields_after() {
    let yaml = "\
apiVersion: v1
kind: Pod
metadata:
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
spec:
  containers:
  - name: app
    securityContext:
      seccompProfile: {type: Unconfined}
";
    let v = eval(Level::Baseline, Version::V(18), yaml);
    assert_eq!(ids(&v), ["seccompProfile_baseline"]);
    assert_eq!(
        v[0].detail,
        "forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\""
    );
    let v = eval(Level::Baseline, Version::V(19), yaml);
    assert_eq!(
        v[0].detail,
        "container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\""
    );
}

#[test]
fn host_probes_from_v1_34() {
    let yaml = "\
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: b
    livenessProbe: {httpGet: {host: evil.example, port: 80}}
  - name: a
    lifecycle: {preStop: {tcpSocket: {host: 10.0.0.1, port: 22}}}
";
    assert!(eval(Level::Baseline, Version::V(33), yaml).is_empty());
    let v = eval(Level::Baseline, Version::V(34), yaml);
    assert_eq!(v[0].reason, "probe or lifecycle host");
    assert_eq!(
        v[0].detail,
        "containers \"a\", \"b\" use probe or lifecycle hosts \"10.0.0.1\", \"evil.example\""
    );
    assert_eq!(v[0].path, "spec.containers[0].livenessProbe.httpGet.host");
}
