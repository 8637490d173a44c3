//! Builders for fixture images: tar layers, OCI layouts, `docker save` archives and ELF
//! binaries with Go build info or a cargo-auditable section.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

/// One tar entry of a layer.
pub enum E<'a> {
    File(&'a str, &'a [u8]),
    Exec(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

pub fn tar(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        match e {
            E::File(p, data) | E::Exec(p, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(data.len() as u64);
                h.set_mode(if matches!(e, E::Exec(..)) {
                    0o755
                } else {
                    0o644
                });
                b.append_data(&mut h, p, *data).unwrap();
            }
            E::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            E::Symlink(p, target) | E::Hardlink(p, target) => {
                h.set_entry_type(if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                h.set_size(0);
                h.set_mode(0o777);
                b.append_link(&mut h, p, target).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A made-up but well-formed sha256 digest, distinct per `tag`.
pub fn digest(tag: &str) -> String {
    let mut hex = String::new();
    for b in tag.bytes().cycle().take(32) {
        hex.push_str(&format!("{b:02x}"));
    }
    format!("sha256:{hex}")
}

pub struct Image {
    pub config: Value,
    /// (digest, media type, blob bytes)
    pub layers: Vec<(String, String, Vec<u8>)>,
}

/// A layer blob with its media type chosen from the compression.
pub fn layer(tag: &str, blob: Vec<u8>) -> (String, String, Vec<u8>) {
    let media = if blob.starts_with(&[0x1f, 0x8b]) {
        "application/vnd.oci.image.layer.v1.tar+gzip"
    } else if blob.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        "application/vnd.oci.image.layer.v1.tar+zstd"
    } else {
        "application/vnd.oci.image.layer.v1.tar"
    };
    (digest(tag), media.to_string(), blob)
}

pub fn config(arch: &str, diff_ids: &[String]) -> Value {
    json!({
        "architecture": arch,
        "os": "linux",
        "created": "2024-05-01T10:00:00Z",
        "config": {
            "User": "65532",
            "Env": ["PATH=/usr/bin", "LANG=C.UTF-8"],
            "Entrypoint": ["/app/server"],
            "Cmd": ["--port", "8080"],
            "WorkingDir": "/app",
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": {"org.opencontainers.image.source": "example"}
        },
        "history": [
            {"created": "2024-05-01T09:00:00Z", "created_by": "ADD rootfs.tar /"},
            {"created": "2024-05-01T09:30:00Z", "created_by": "ENV LANG=C.UTF-8", "empty_layer": true},
            {"created": "2024-05-01T10:00:00Z", "created_by": "COPY app /app"}
        ],
        "rootfs": {"type": "layers", "diff_ids": diff_ids}
    })
}

/// Writes files of an OCI layout: (path, bytes) pairs.
fn oci_files(images: &[(&str, &Image)], nested_index: bool) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let blob = |d: &str| format!("blobs/sha256/{}", d.trim_start_matches("sha256:"));
    let mut manifests = Vec::new();
    for (platform, img) in images {
        let cfg = serde_json::to_vec(&img.config).unwrap();
        let cfg_digest = digest(&format!("config-{platform}"));
        files.push((blob(&cfg_digest), cfg.clone()));
        let mut layers = Vec::new();
        for (d, media, data) in &img.layers {
            files.push((blob(d), data.clone()));
            layers.push(json!({"mediaType": media, "digest": d, "size": data.len()}));
        }
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": cfg.len()},
            "layers": layers,
        }))
        .unwrap();
        let m_digest = digest(&format!("manifest-{platform}"));
        files.push((blob(&m_digest), manifest.clone()));
        let (os, arch) = platform.split_once('/').unwrap();
        manifests.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": m_digest, "size": manifest.len(),
            "platform": {"os": os, "architecture": arch}
        }));
    }
    let index = json!({"schemaVersion": 2, "manifests": manifests});
    if nested_index {
        let bytes = serde_json::to_vec(&index).unwrap();
        let d = digest("index");
        files.push((blob(&d), bytes.clone()));
        let top = json!({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.index.v1+json", "digest": d, "size": bytes.len()
        }]});
        files.push(("index.json".into(), serde_json::to_vec(&top).unwrap()));
    } else {
        files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
    }
    files
}

pub fn write_oci_dir(dir: &Path, images: &[(&str, &Image)], nested_index: bool) {
    for (path, data) in oci_files(images, nested_index) {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}

/// A `docker save` archive as Docker 25+ writes it: an OCI layout plus manifest.json.
pub fn write_docker_oci_archive(file: &Path, img: &Image) {
    let mut files = oci_files(&[("linux/amd64", img)], false);
    let cfg_digest = digest("config-linux/amd64");
    let layers: Vec<String> = img
        .layers
        .iter()
        .map(|(d, _, _)| format!("blobs/sha256/{}", d.trim_start_matches("sha256:")))
        .collect();
    files.push((
        "manifest.json".into(),
        serde_json::to_vec(&json!([{
            "Config": format!("blobs/sha256/{}", cfg_digest.trim_start_matches("sha256:")),
            "RepoTags": ["example/app:1"],
            "Layers": layers,
        }]))
        .unwrap(),
    ));
    write_tar_file(file, &files);
}

/// A legacy `docker save` archive: `<id>/layer.tar` members, `<hash>.json` config.
pub fn write_docker_legacy_archive(file: &Path, config: &Value, layers: &[Vec<u8>]) {
    let mut files = Vec::new();
    let mut names = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let name = format!("layer{i}/layer.tar");
        files.push((format!("layer{i}/VERSION"), b"1.0".to_vec()));
        files.push((name.clone(), l.clone()));
        names.push(name);
    }
    files.push(("cfg0123.json".into(), serde_json::to_vec(config).unwrap()));
    files.push((
        "manifest.json".into(),
        serde_json::to_vec(
            &json!([{"Config": "cfg0123.json", "RepoTags": ["alpine-app:1"], "Layers": names}]),
        )
        .unwrap(),
    ));
    write_tar_file(file, &files);
}

fn write_tar_file(file: &Path, files: &[(String, Vec<u8>)]) {
    let entries: Vec<E> = files
        .iter()
        .map(|(p, d)| E::File(p.as_str(), d.as_slice()))
        .collect();
    std::fs::write(file, tar(&entries)).unwrap();
}

/// A minimal ELF64 little-endian file whose section table holds `sections`.
pub fn elf(sections: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut shstrtab = vec![0u8];
    let mut name_offsets = Vec::new();
    for (name, _) in sections.iter().chain([(".shstrtab", Vec::new())].iter()) {
        name_offsets.push(shstrtab.len() as u32);
        shstrtab.extend_from_slice(name.as_bytes());
        shstrtab.push(0);
    }
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2; // 64-bit
    out[5] = 1; // little endian
    out[6] = 1;
    let mut placed = Vec::new();
    for (_, data) in sections {
        placed.push((out.len() as u64, data.len() as u64));
        out.extend_from_slice(data);
    }
    placed.push((out.len() as u64, shstrtab.len() as u64));
    out.extend_from_slice(&shstrtab);
    // Padding so the binary is over the 1 KiB the scanner looks at.
    out.resize(out.len().max(2048), 0);
    let shoff = out.len() as u64;
    out.extend_from_slice(&[0u8; 64]); // null section
    for (i, (off, size)) in placed.iter().enumerate() {
        let mut sh = [0u8; 64];
        sh[..4].copy_from_slice(&name_offsets[i].to_le_bytes());
        sh[4..8].copy_from_slice(&1u32.to_le_bytes());
        sh[24..32].copy_from_slice(&off.to_le_bytes());
        sh[32..40].copy_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&sh);
    }
    let shnum = (placed.len() + 1) as u16;
    out[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
    out[0x3A..0x3C].copy_from_slice(&64u16.to_le_bytes());
    out[0x3C..0x3E].copy_from_slice(&shnum.to_le_bytes());
    out[0x3E..0x40].copy_from_slice(&(shnum - 1).to_le_bytes());
    out
}

fn varint(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A Go 1.18+ `.go.buildinfo` section.
pub fn go_buildinfo(version: &str, modinfo: &str) -> Vec<u8> {
    let mut d = b"\xff Go buildinf:".to_vec();
    d.push(8);
    d.push(2);
    d.resize(32, 0);
    varint(version.len(), &mut d);
    d.extend_from_slice(version.as_bytes());
    let mut m: Vec<u8> = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
    m.extend_from_slice(modinfo.as_bytes());
    m.extend_from_slice(b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2");
    varint(m.len(), &mut d);
    d.extend_from_slice(&m);
    d
}

/// An rpm header blob (as stored in rpmdb.sqlite) with string tags and an optional epoch.
pub fn rpm_header(strings: &[(u32, &str)], epoch: Option<u32>) -> Vec<u8> {
    let mut index: Vec<(u32, u32, u32)> = Vec::new();
    let mut data = Vec::new();
    if let Some(e) = epoch {
        index.push((1003, 4, data.len() as u32));
        data.extend_from_slice(&e.to_be_bytes());
    }
    for (tag, s) in strings {
        index.push((*tag, 6, data.len() as u32));
        data.extend_from_slice(s.as_bytes());
        data.push(0);
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&(index.len() as u32).to_be_bytes());
    blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
    for (tag, kind, off) in index {
        for v in [tag, kind, off, 1] {
            blob.extend_from_slice(&v.to_be_bytes());
        }
    }
    blob.extend_from_slice(&data);
    blob
}
