//! SBOM documents: CycloneDX 1.5 JSON, SPDX 2.3 JSON and this crate's own JSON. Packages
//! come out in the inventory's order (sorted), so the same input gives the same document
//! for the same creation time.

mod cyclonedx;
mod spdx;

use std::time::SystemTime;

use crate::Inventory;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CycloneDX 1.5 JSON.
    CycloneDx,
    /// SPDX 2.3 JSON.
    Spdx,
    /// The [`Inventory`] as JSON (packages, OS, image config, layers, errors).
    Json,
}

/// Renders `inv` as a JSON document; `created` is the document's creation time.
pub fn render(inv: &Inventory, format: Format, created: SystemTime) -> String {
    let value = match format {
        Format::CycloneDx => cyclonedx::document(inv, created),
        Format::Spdx => spdx::document(inv, created),
        Format::Json => serde_json::to_value(inv).unwrap_or_default(),
    };
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A stable 128-bit digest of the package list (FNV-1a, twice), for document identifiers that
/// stay the same for the same content.
fn content_id(inv: &Inventory) -> [u64; 2] {
    let mut h = [0xcbf2_9ce4_8422_2325u64, 0x6c62_272e_07bb_0142u64];
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            for (i, x) in h.iter_mut().enumerate() {
                *x ^= u64::from(b) + i as u64;
                *x = x.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    };
    feed(inv.target.as_bytes());
    for p in &inv.packages {
        feed(p.purl.as_bytes());
        feed(p.path.as_bytes());
    }
    h
}

fn uuid(inv: &Inventory) -> String {
    let [a, b] = content_id(inv);
    // Version 4 / variant 1 bits set so validators accept it as a UUID.
    let a = (a & !0xf000) | 0x4000;
    let b = (b & !(0xc000 << 48)) | (0x8000 << 48);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// A short name for the target (its last path component).
fn target_name(inv: &Inventory) -> String {
    std::path::Path::new(&inv.target)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| inv.target.clone())
}

/// Whether `id` is on the SPDX license list (the list CycloneDX's schema enumerates).
pub(crate) fn is_spdx_id(id: &str) -> bool {
    static IDS: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/schemas/spdx.schema.json"))
                .unwrap_or_default();
        v.get("enum")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    })
    .contains(id)
}
