//! Packages compiled into ELF executables: Go build info (`.go.buildinfo`) and Rust
//! dependency lists embedded by cargo-auditable (`.dep-v0`, zlib-compressed JSON).
//!
//! Only the ELF header, the section table and the sections of interest are read, so a large
//! binary on disk costs a few small reads.

use std::io::{Read, Seek, SeekFrom};

use crate::{Package, PackageType};

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// Bounds on what is read from a section, so a hostile binary cannot make us allocate much.
const MAX_SECTION: u64 = 16 << 20;
const MAX_INFLATED: u64 = 64 << 20;

struct Section {
    name: String,
    addr: u64,
    offset: u64,
    size: u64,
}

struct Elf {
    big_endian: bool,
    is64: bool,
    sections: Vec<Section>,
}

fn read_at<R: Read + Seek>(r: &mut R, offset: u64, len: u64) -> Option<Vec<u8>> {
    if len > MAX_SECTION {
        return None;
    }
    r.seek(SeekFrom::Start(offset)).ok()?;
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf).ok()?;
    Some(buf)
}

impl Elf {
    fn u16(&self, b: &[u8], at: usize) -> Option<u64> {
        let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(s)
        } else {
            u16::from_le_bytes(s)
        } as u64)
    }
    fn u32(&self, b: &[u8], at: usize) -> Option<u64> {
        let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(s)
        } else {
            u32::from_le_bytes(s)
        } as u64)
    }
    fn u64(&self, b: &[u8], at: usize) -> Option<u64> {
        let s: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
        Some(if self.big_endian {
            u64::from_be_bytes(s)
        } else {
            u64::from_le_bytes(s)
        })
    }
    fn word(&self, b: &[u8], at: usize) -> Option<u64> {
        if self.is64 {
            self.u64(b, at)
        } else {
            self.u32(b, at)
        }
    }

    fn parse<R: Read + Seek>(r: &mut R) -> Option<Elf> {
        let head = read_at(r, 0, 64).or_else(|| read_at(r, 0, 52))?;
        if &head[..4] != b"\x7fELF" {
            return None;
        }
        let mut elf = Elf {
            is64: head[4] == 2,
            big_endian: head[5] == 2,
            sections: Vec::new(),
        };
        let (shoff, shentsize, shnum, shstrndx) = if elf.is64 {
            (
                elf.u64(&head, 0x28)?,
                elf.u16(&head, 0x3A)?,
                elf.u16(&head, 0x3C)?,
                elf.u16(&head, 0x3E)?,
            )
        } else {
            (
                elf.u32(&head, 0x20)?,
                elf.u16(&head, 0x2E)?,
                elf.u16(&head, 0x30)?,
                elf.u16(&head, 0x32)?,
            )
        };
        if shoff == 0 || shnum == 0 || shentsize < if elf.is64 { 64 } else { 40 } {
            return None;
        }
        let table = read_at(r, shoff, shentsize * shnum)?;
        let mut raw = Vec::with_capacity(shnum as usize);
        for i in 0..shnum as usize {
            let at = i * shentsize as usize;
            let name = elf.u32(&table, at)?;
            let (addr, offset, size) = if elf.is64 {
                (
                    elf.u64(&table, at + 16)?,
                    elf.u64(&table, at + 24)?,
                    elf.u64(&table, at + 32)?,
                )
            } else {
                (
                    elf.u32(&table, at + 12)?,
                    elf.u32(&table, at + 16)?,
                    elf.u32(&table, at + 20)?,
                )
            };
            raw.push((name, addr, offset, size));
        }
        let (_, _, stroff, strsize) = *raw.get(shstrndx as usize)?;
        let strtab = read_at(r, stroff, strsize)?;
        for (name, addr, offset, size) in raw {
            let start = name as usize;
            let name = strtab
                .get(start..)
                .and_then(|s| s.split(|&b| b == 0).next())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default();
            elf.sections.push(Section {
                name,
                addr,
                offset,
                size,
            });
        }
        Some(elf)
    }

    fn section<R: Read + Seek>(&self, r: &mut R, name: &str) -> Option<Vec<u8>> {
        let s = self.sections.iter().find(|s| s.name == name)?;
        read_at(r, s.offset, s.size)
    }

    /// Reads `len` bytes at virtual address `addr` through the section table.
    fn read_vaddr<R: Read + Seek>(&self, r: &mut R, addr: u64, len: u64) -> Option<Vec<u8>> {
        let s = self
            .sections
            .iter()
            .find(|s| s.addr != 0 && addr >= s.addr && addr + len <= s.addr + s.size)?;
        read_at(r, s.offset + (addr - s.addr), len)
    }
}

/// Packages embedded in an ELF binary; `None` when it is not ELF or has neither section.
pub(crate) fn packages<R: Read + Seek>(path: &str, r: &mut R) -> Option<Vec<Package>> {
    let elf = Elf::parse(r)?;
    let mut out = Vec::new();
    let mut any = false;
    if let Some(info) = elf.section(r, ".go.buildinfo")
        && let Some((version, modinfo)) = go_buildinfo(&elf, r, &info)
    {
        any = true;
        out.extend(go_packages(path, &version, &modinfo));
    }
    if let Some(dep) = elf.section(r, ".dep-v0") {
        any = true;
        out.extend(rust_packages(path, &dep));
    }
    any.then_some(out)
}

/// The Go version and module info strings of a `.go.buildinfo` section.
fn go_buildinfo<R: Read + Seek>(elf: &Elf, r: &mut R, info: &[u8]) -> Option<(String, String)> {
    let at = memchr::memmem::find(info, GO_MAGIC)?;
    let info = &info[at..];
    let ptr_size = *info.get(14)? as usize;
    let flags = *info.get(15)?;
    if flags & 2 != 0 {
        // Go 1.18+: the two strings follow the 32-byte header, each as uvarint length + bytes.
        let (version, rest) = varint_string(info.get(32..)?)?;
        let (modinfo, _) = varint_string(rest)?;
        return Some((version, strip_sentinels(&modinfo)));
    }
    // Before Go 1.18: two pointers to Go string headers {data, len}.
    let le = Elf {
        big_endian: flags & 1 != 0,
        is64: ptr_size == 8,
        sections: Vec::new(),
    };
    let read_string = |r: &mut R, ptr: u64| -> Option<String> {
        let hdr = elf.read_vaddr(r, ptr, 2 * ptr_size as u64)?;
        let data = le.word(&hdr, 0)?;
        let len = le.word(&hdr, ptr_size)?;
        let bytes = elf.read_vaddr(r, data, len)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    };
    let vptr = le.word(info, 16)?;
    let mptr = le.word(info, 16 + ptr_size)?;
    let version = read_string(r, vptr)?;
    let modinfo = read_string(r, mptr).unwrap_or_default();
    Some((version, strip_sentinels(&modinfo)))
}

fn varint_string(b: &[u8]) -> Option<(String, &[u8])> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut i = 0;
    loop {
        let byte = *b.get(i)?;
        len |= ((byte & 0x7f) as u64) << shift;
        i += 1;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let end = i.checked_add(usize::try_from(len).ok()?)?;
    let s = b.get(i..end)?;
    Some((String::from_utf8_lossy(s).into_owned(), &b[end..]))
}

/// Module info is framed by 16-byte sentinels.
fn strip_sentinels(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 33 && b[b.len() - 17] == b'\n' {
        String::from_utf8_lossy(&b[16..b.len() - 16]).into_owned()
    } else {
        s.to_string()
    }
}

pub(crate) fn go_packages(path: &str, version: &str, modinfo: &str) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::new();
    let go = version
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_start_matches("go");
    if !go.is_empty() {
        out.push(crate::catalog::package(
            PackageType::Golang,
            "stdlib",
            go,
            path,
        ));
    }
    for line in modinfo.lines() {
        let mut f = line.split('\t');
        match f.next() {
            Some("mod") | Some("dep") => {
                let (Some(name), Some(ver)) = (f.next(), f.next()) else {
                    continue;
                };
                out.push(crate::catalog::package(
                    PackageType::Golang,
                    name,
                    ver,
                    path,
                ));
            }
            Some("=>") => {
                let (Some(name), Some(ver)) = (f.next(), f.next()) else {
                    continue;
                };
                // A replacement by a local directory has no version: keep the original.
                if let Some(last) = out.last_mut().filter(|_| !ver.is_empty()) {
                    *last = crate::catalog::package(PackageType::Golang, name, ver, path);
                }
            }
            _ => {}
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Auditable {
    packages: Vec<AuditablePackage>,
}

#[derive(serde::Deserialize)]
struct AuditablePackage {
    name: String,
    version: String,
}

fn rust_packages(path: &str, compressed: &[u8]) -> Vec<Package> {
    let mut json = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(compressed);
    if decoder.take(MAX_INFLATED).read_to_end(&mut json).is_err() {
        return Vec::new();
    }
    let Ok(info) = serde_json::from_slice::<Auditable>(&json) else {
        return Vec::new();
    };
    info.packages
        .into_iter()
        .map(|p| crate::catalog::package(PackageType::Cargo, &p.name, &p.version, path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_modinfo_lines_with_replacement() {
        let info = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n\
                    dep\tgolang.org/x/net\tv0.1.0\th1:x\n=>\tgithub.com/fork/net\tv0.2.0\th1:y\n\
                    dep\tgithub.com/a/b\tv1.2.3\th1:z\nbuild\t-compiler=gc\n";
        let pkgs = go_packages("app", "go1.22.1 X:boringcrypto", info);
        let got: Vec<(&str, &str)> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("stdlib", "1.22.1"),
                ("example.com/app", "(devel)"),
                ("github.com/fork/net", "v0.2.0"),
                ("github.com/a/b", "v1.2.3"),
            ]
        );
        assert_eq!(pkgs[3].purl, "pkg:golang/github.com/a/b@v1.2.3");
    }

    #[test]
    fn varint_strings() {
        let (s, rest) = varint_string(b"\x03abcdef").unwrap();
        assert_eq!((s.as_str(), rest), ("abc", &b"def"[..]));
        assert!(varint_string(b"\x09abc").is_none());
    }
}
