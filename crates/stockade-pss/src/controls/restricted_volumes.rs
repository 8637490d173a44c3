//! `restrictedVolumes` (restricted, v1.0+): only volume types that cannot reach the node:
//! configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected,
//! secret. Replaces `hostPathVolumes` at restricted level.
//!
//! A volume with no source at all is defaulted to `emptyDir` by the API server before admission
//! runs, so it is allowed here too.

use super::{Ctx, at, item_field, join_quote, pluralize, sorted_set, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "restrictedVolumes",
    Level::Restricted,
    "Volume Types",
    0,
    &["hostPathVolumes"],
    eval,
);

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Restricted sources in upstream's order: (field, name reported).
const RESTRICTED: &[(&str, &str)] = &[
    ("hostPath", "hostPath"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("gitRepo", "gitRepo"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("rbd", "rbd"),
    ("flexVolume", "flexVolume"),
    ("cinder", "cinder"),
    ("cephfs", "cephfs"),
    ("flocker", "flocker"),
    ("fc", "fc"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("quobyte", "quobyte"),
    ("azureDisk", "azureDisk"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("scaleIO", "scaleIO"),
    ("storageos", "storageos"),
];

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let volumes = ctx.spec_at(&["volumes"])?;
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut first = None;
    for (i, v) in volumes.items().iter().enumerate() {
        if ALLOWED.iter().any(|k| at(v, &[k]).is_some()) {
            continue;
        }
        // No known source at all: defaulted to emptyDir.
        let Some((field, name)) = RESTRICTED.iter().find(|(k, _)| at(v, &[k]).is_some()) else {
            continue;
        };
        names.push(string(v, &["name"]));
        types.push(*name);
        if first.is_none() {
            let (path, _) = item_field(&ctx.pod.path, &["volumes"], i, v);
            let pos = at(v, &[field]).map_or(v.pos, |n| n.pos);
            first = Some((stockade_model::format_exact!("{path}.{field}"), pos));
        }
    }
    let first = first?;
    let types = sorted_set(types);
    super::violation(
        CONTROL.id,
        "restricted volume types",
        stockade_model::format_exact!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
        first,
    )
}
