//! CycloneDX 1.5 JSON.

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::{Inventory, PackageType, TargetKind};

pub(super) fn document(inv: &Inventory, created: SystemTime) -> Value {
    let mut refs: HashMap<&str, usize> = HashMap::new();
    let mut components: Vec<Value> = Vec::new();
    if let Some(os) = &inv.os {
        let mut c = json!({
            "type": "operating-system",
            "bom-ref": format!("os:{}", os.id),
            "name": os.id,
        });
        if let Some(v) = &os.version_id {
            c["version"] = json!(v);
        }
        if let Some(p) = &os.pretty_name {
            c["description"] = json!(p);
        }
        components.push(c);
    }
    for p in &inv.packages {
        // bom-refs must be unique: the purl, then the purl with the path for duplicates.
        let n = refs.entry(p.purl.as_str()).or_insert(0);
        *n += 1;
        let bom_ref = if *n == 1 {
            p.purl.clone()
        } else {
            format!("{}#{}", p.purl, p.path)
        };
        // Maven groups and npm scopes go in `group`, as CycloneDX tools expect.
        let (group, name) = match p.kind {
            PackageType::Maven => match p.name.split_once(':') {
                Some((g, a)) => (Some(g), a),
                None => (None, p.name.as_str()),
            },
            PackageType::Npm if p.name.starts_with('@') => match p.name.split_once('/') {
                Some((g, a)) => (Some(g), a),
                None => (None, p.name.as_str()),
            },
            _ => (None, p.name.as_str()),
        };
        let mut c = json!({
            "type": "library",
            "bom-ref": bom_ref,
            "name": name,
            "version": p.version,
            "purl": p.purl,
        });
        if let Some(g) = group {
            c["group"] = json!(g);
        }
        if !p.licenses.is_empty() {
            c["licenses"] = Value::Array(
                p.licenses
                    .iter()
                    .map(|l| {
                        if super::is_spdx_id(l) {
                            json!({"license": {"id": l}})
                        } else {
                            json!({"license": {"name": l}})
                        }
                    })
                    .collect(),
            );
        }
        let mut props = vec![
            json!({"name": "stockade:package:type", "value": p.kind.as_str()}),
            json!({"name": "stockade:location:path", "value": p.path}),
        ];
        if let Some(l) = &p.layer {
            props.push(json!({"name": "stockade:layer:digest", "value": l}));
        }
        if let Some(s) = &p.source_name {
            props.push(json!({"name": "stockade:source:name", "value": s}));
        }
        if let Some(s) = &p.source_version {
            props.push(json!({"name": "stockade:source:version", "value": s}));
        }
        if let Some(a) = &p.arch {
            props.push(json!({"name": "stockade:package:arch", "value": a}));
        }
        c["properties"] = Value::Array(props);
        components.push(c);
    }
    let subject_type = match inv.kind {
        TargetKind::OciLayout | TargetKind::DockerArchive | TargetKind::Registry => "container",
        TargetKind::Rootfs | TargetKind::Directory => "file",
    };
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", super::uuid(inv)),
        "version": 1,
        "metadata": {
            "timestamp": super::timestamp(created),
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "stockade",
                    "version": env!("CARGO_PKG_VERSION"),
                }]
            },
            "component": {
                "type": subject_type,
                "bom-ref": "target",
                "name": super::target_name(inv),
            }
        },
        "components": components,
    })
}
