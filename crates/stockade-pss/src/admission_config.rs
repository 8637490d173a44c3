//! The API server's Pod Security admission configuration (`PodSecurityConfiguration`), read from
//! loaded objects so it gets the same positions and error reporting as every other input.
//!
//! Accepted shapes, as the API server accepts them:
//! - `kind: PodSecurityConfiguration`, `apiVersion: pod-security.admission.config.k8s.io/v1`
//!   (or `v1beta1`, `v1alpha1`, which have the same fields);
//! - `kind: AdmissionConfiguration` (`apiserver.config.k8s.io/v1`, `apiserver.k8s.io/v1alpha1`)
//!   with a `plugins` entry named `PodSecurity` whose inline `configuration` is the above.
//!
//! Invalid values are errors, not fallbacks: the API server refuses to start with them.

use stockade_model::{Node, Object};

use crate::namespace::{Config, LevelVersion};
use crate::{Error, Level, Version};

const GROUP: &str = "pod-security.admission.config.k8s.io";
const VERSIONS: &[&str] = &["v1", "v1beta1", "v1alpha1"];

/// The configuration in `objects` (exactly one must be there).
pub fn config_from_objects(objects: &[Object]) -> Result<Config, Error> {
    let mut found = Vec::new();
    for obj in objects {
        let at = |n: &Node| stockade_model::format_exact!("{}:{}", obj.file, n.pos.line);
        match obj.kind.as_str() {
            "PodSecurityConfiguration" => {
                check_api_version(obj)?;
                found.push((at(&obj.root), &obj.root, obj));
            }
            "AdmissionConfiguration" => {
                for plugin in obj.root.get("plugins").map(Node::items).unwrap_or(&[]) {
                    if plugin.str_at("name") != Some("PodSecurity") {
                        continue;
                    }
                    let Some(conf) = plugin.get("configuration").filter(|n| n.is_map()) else {
                        return Err(Error::AdmissionConfig(stockade_model::format_exact!(
                            "{}: the PodSecurity plugin has no inline `configuration` (a `path` to another file is not followed; pass that file instead)",
                            at(plugin)
                        )));
                    };
                    found.push((at(conf), conf, obj));
                }
            }
            _ => {}
        }
    }
    match found.len() {
        0 => Err(Error::AdmissionConfig(stockade_model::format_exact!(
            "{}: no PodSecurityConfiguration (kind PodSecurityConfiguration, or an AdmissionConfiguration with a PodSecurity plugin)",
            objects.first().map_or("the file", |o| &o.file)
        ))),
        1 => {
            let (at, node, _) = found.remove(0);
            parse(node)
                .map_err(|m| Error::AdmissionConfig(stockade_model::format_exact!("{at}: {m}")))
        }
        _ => Err(Error::AdmissionConfig(stockade_model::format_exact!(
            "{}: more than one PodSecurityConfiguration",
            found[1].0
        ))),
    }
}

fn check_api_version(obj: &Object) -> Result<(), Error> {
    match obj.api_version.split_once('/') {
        Some((GROUP, v)) if VERSIONS.contains(&v) => Ok(()),
        _ => Err(Error::AdmissionConfig(stockade_model::format_exact!(
            "{}:{}: apiVersion {:?} is not {GROUP}/v1 (or v1beta1, v1alpha1)",
            obj.file,
            obj.root.pos.line,
            obj.api_version
        ))),
    }
}

fn strings(node: Option<&Node>, field: &str) -> Result<Vec<String>, String> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    if !node.is_seq() {
        return Err(stockade_model::format_exact!(
            "line {}: {field} must be a list",
            node.pos.line
        ));
    }
    node.items()
        .iter()
        .map(|n| {
            n.as_str().map(str::to_string).ok_or_else(|| {
                stockade_model::format_exact!("line {}: {field} must hold strings", n.pos.line)
            })
        })
        .collect()
}

fn parse(conf: &Node) -> Result<Config, String> {
    let mut config = Config::default();
    if let Some(d) = conf.get("defaults").filter(|n| !n.is_null()) {
        for e in d.entries() {
            let value = e.value.as_str().unwrap_or("");
            let line = e.value.pos.line;
            let (lv, is_level): (&mut LevelVersion, bool) = match &*e.key {
                "enforce" => (&mut config.defaults.enforce, true),
                "enforce-version" => (&mut config.defaults.enforce, false),
                "audit" => (&mut config.defaults.audit, true),
                "audit-version" => (&mut config.defaults.audit, false),
                "warn" => (&mut config.defaults.warn, true),
                "warn-version" => (&mut config.defaults.warn, false),
                other => {
                    return Err(stockade_model::format_exact!(
                        "line {}: unknown field defaults.{other} (expected enforce, enforce-version, audit, audit-version, warn, warn-version)",
                        e.value.pos.line
                    ));
                }
            };
            let bad = |err: Error| {
                stockade_model::format_exact!("line {line}: defaults.{}: {err}", e.key)
            };
            if is_level {
                lv.level = value.parse::<Level>().map_err(bad)?;
            } else {
                lv.version = value.parse::<Version>().map_err(bad)?;
            }
        }
    }
    if let Some(x) = conf.get("exemptions").filter(|n| !n.is_null()) {
        for e in x.entries() {
            let list = strings(
                Some(&e.value),
                &stockade_model::format_exact!("exemptions.{}", e.key),
            )?;
            match &*e.key {
                "usernames" => config.exemptions.usernames = list,
                "namespaces" => config.exemptions.namespaces = list,
                "runtimeClasses" => config.exemptions.runtime_classes = list,
                other => {
                    return Err(stockade_model::format_exact!(
                        "line {}: unknown field exemptions.{other} (expected usernames, runtimeClasses, namespaces)",
                        e.value.pos.line
                    ));
                }
            }
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockade_model::load;

    fn config(yaml: &str) -> Result<Config, Error> {
        config_from_objects(&load("c.yaml", yaml.as_bytes()).objects)
    }

    #[test]
    fn reads_defaults_and_exemptions() {
        let c = config(
            "apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  enforce-version: v1.29
  warn: restricted
exemptions:
  namespaces: [kube-system]
  runtimeClasses: [kata]
  usernames: []
",
        )
        .unwrap();
        assert_eq!(c.defaults.enforce.to_string(), "baseline:v1.29");
        assert_eq!(c.defaults.warn.to_string(), "restricted:latest");
        assert_eq!(c.defaults.audit.to_string(), "privileged:latest");
        assert_eq!(c.exemptions.namespaces, ["kube-system"]);
        assert_eq!(c.exemptions.runtime_classes, ["kata"]);
        assert!(c.exemptions.usernames.is_empty());
    }

    #[test]
    fn reads_the_admission_configuration_wrapper() {
        let c = config(
            "apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: Other
    configuration: {}
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      exemptions: {namespaces: [ops]}
",
        )
        .unwrap();
        assert_eq!(c.exemptions.namespaces, ["ops"]);
    }

    #[test]
    fn invalid_values_are_errors_with_lines() {
        let head =
            "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n";
        assert_eq!(
            config(&format!("{head}defaults:\n  enforce: Baseline\n")),
            Err(Error::AdmissionConfig(
                "c.yaml:1: line 4: defaults.enforce: invalid Pod Security level \"Baseline\": must be one of privileged, baseline, restricted".into()
            ))
        );
        assert_eq!(
            config(&format!("{head}exemptions:\n  runtimeClass: [kata]\n")),
            Err(Error::AdmissionConfig(
                "c.yaml:1: line 4: unknown field exemptions.runtimeClass (expected usernames, runtimeClasses, namespaces)".into()
            ))
        );
        assert!(matches!(
            config("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
            Err(Error::AdmissionConfig(m)) if m.starts_with("c.yaml: no PodSecurityConfiguration")
        ));
    }
}
