//! A read-only Berkeley DB reader: just enough of the on-disk format (hash and btree access
//! methods, overflow pages, either byte order) to list the key/value pairs of a database file,
//! the way rpm's `Packages` database (RHEL ≤ 8, CentOS 7, Amazon Linux 2) stores its header
//! blobs. Written by hand: no maintained pure-Rust crate reads Berkeley DB files, and binding
//! libdb would add a C dependency for one read-only walk.
//!
//! Layout (db_page.h of Berkeley DB 4.x–5.x): page 0 is the metadata page (magic, page size,
//! last page number); every page starts with a 26-byte header (LSN, page number, previous and
//! next page, entry count, free-area offset, level, type), followed on hash and btree leaf
//! pages by an array of 16-bit item offsets. Items that do not fit on a page live on a chain
//! of overflow pages, referenced from the page by (first page, total length).
//!
//! Pages are walked in file order rather than through the hash buckets or the btree: every
//! live item is on exactly one hash or leaf page, and a linear walk needs no bucket
//! arithmetic and cannot loop.

use std::fmt;

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;

const PAGE_HEADER: usize = 26;

// Page types.
const P_HASH_UNSORTED: u8 = 2;
const P_LBTREE: u8 = 5;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;

// Hash item types.
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

// Btree item types (the high bit marks a deleted item).
const B_KEYDATA: u8 = 1;
const B_OVERFLOW: u8 = 3;
const B_DELETE: u8 = 0x80;

/// Why a database file cannot be read, or which part of it is damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BdbError(pub String);

impl fmt::Display for BdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err(msg: impl Into<String>) -> BdbError {
    BdbError(msg.into())
}

/// The access method of a database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Hash,
    Btree,
}

/// An opened database: its bytes and the metadata page's facts.
pub(crate) struct Db<'a> {
    data: &'a [u8],
    big_endian: bool,
    page_size: usize,
    last_page: u32,
    pub kind: Kind,
}

/// One pair, or the problem met reading it (the walk goes on with the next one).
pub(crate) type Item = Result<(Vec<u8>, Vec<u8>), BdbError>;

impl<'a> Db<'a> {
    /// Reads the metadata page.
    pub fn open(data: &'a [u8]) -> Result<Db<'a>, BdbError> {
        if data.len() < 72 {
            return Err(err(format!(
                "not a Berkeley DB file: {} bytes, shorter than its metadata page",
                data.len()
            )));
        }
        let magic_le = u32::from_le_bytes(data[12..16].try_into().unwrap_or_default());
        let magic_be = u32::from_be_bytes(data[12..16].try_into().unwrap_or_default());
        let (kind, big_endian) = match (magic_le, magic_be) {
            (HASH_MAGIC, _) => (Kind::Hash, false),
            (_, HASH_MAGIC) => (Kind::Hash, true),
            (BTREE_MAGIC, _) => (Kind::Btree, false),
            (_, BTREE_MAGIC) => (Kind::Btree, true),
            _ => {
                return Err(err(format!(
                    "not a Berkeley DB hash or btree file (magic {magic_le:#010x})"
                )));
            }
        };
        let mut db = Db {
            data,
            big_endian,
            page_size: 0,
            last_page: 0,
            kind,
        };
        let page_size = db.u32_at(data, 20) as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(err(format!(
                "bad page size {page_size} in the metadata page"
            )));
        }
        // Encrypted databases (encrypt_alg ≠ 0) have other page headers; rpm never makes them.
        if data[24] != 0 {
            return Err(err("encrypted Berkeley DB files are not read"));
        }
        db.page_size = page_size;
        db.last_page = db.u32_at(data, 32);
        Ok(db)
    }

    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let raw: [u8; 4] = b
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default();
        if self.big_endian {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        }
    }

    fn u16_at(&self, b: &[u8], at: usize) -> u16 {
        let raw: [u8; 2] = b
            .get(at..at + 2)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default();
        if self.big_endian {
            u16::from_be_bytes(raw)
        } else {
            u16::from_le_bytes(raw)
        }
    }

    fn page(&self, pgno: u32) -> Option<&'a [u8]> {
        let start = (pgno as usize).checked_mul(self.page_size)?;
        self.data.get(start..start.checked_add(self.page_size)?)
    }

    /// Every key/value pair, in page order. A page or item that cannot be read yields an
    /// error naming it; the walk goes on. A file shorter than its metadata says yields one
    /// error for the missing pages.
    pub fn pairs(&self) -> Vec<Item> {
        let mut out = Vec::new();
        for pgno in 1..=self.last_page {
            let Some(page) = self.page(pgno) else {
                let have = self.data.len() / self.page_size;
                out.push(Err(err(format!(
                    "truncated: the metadata page lists {} pages, the file holds {have}",
                    u64::from(self.last_page) + 1
                ))));
                break;
            };
            match (self.kind, page[25]) {
                (Kind::Hash, P_HASH | P_HASH_UNSORTED) => self.hash_page(pgno, page, &mut out),
                (Kind::Btree, P_LBTREE) => self.btree_leaf(pgno, page, &mut out),
                _ => {}
            }
        }
        out
    }

    fn offsets(&self, page: &[u8]) -> Vec<usize> {
        let n = self.u16_at(page, 20) as usize;
        (0..n)
            .map(|i| self.u16_at(page, PAGE_HEADER + 2 * i) as usize)
            .collect()
    }

    fn hash_page(&self, pgno: u32, page: &[u8], out: &mut Vec<Item>) {
        let offs = self.offsets(page);
        let item = |i: usize| -> Result<Vec<u8>, BdbError> {
            let start = offs[i];
            // Items are packed from the end of the page down: each ends where the one
            // before it in the index starts.
            let end = if i == 0 { self.page_size } else { offs[i - 1] };
            let bytes = page
                .get(start..end)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| err(format!("page {pgno}: item {i} has bad offsets")))?;
            match bytes[0] {
                H_KEYDATA => Ok(bytes[1..].to_vec()),
                H_OFFPAGE => {
                    let first = self.u32_at(bytes, 4);
                    let len = self.u32_at(bytes, 8);
                    self.overflow(first, len)
                        .map_err(|e| err(format!("page {pgno}: item {i}: {e}")))
                }
                t => Err(err(format!(
                    "page {pgno}: item {i}: duplicate or unknown item type {t}, not read"
                ))),
            }
        };
        for i in (0..offs.len().saturating_sub(1)).step_by(2) {
            out.push(item(i).and_then(|k| Ok((k, item(i + 1)?))));
        }
    }

    fn btree_leaf(&self, pgno: u32, page: &[u8], out: &mut Vec<Item>) {
        let offs = self.offsets(page);
        let item = |i: usize| -> Result<Option<Vec<u8>>, BdbError> {
            let at = offs[i];
            let bad = || err(format!("page {pgno}: item {i} has bad offsets"));
            let kind = *page.get(at + 2).ok_or_else(bad)?;
            if kind & B_DELETE != 0 {
                return Ok(None);
            }
            match kind {
                B_KEYDATA => {
                    let len = self.u16_at(page, at) as usize;
                    let bytes = page.get(at + 3..at + 3 + len).ok_or_else(bad)?;
                    Ok(Some(bytes.to_vec()))
                }
                B_OVERFLOW => {
                    let head = page.get(at..at + 12).ok_or_else(bad)?;
                    let (first, len) = (self.u32_at(head, 4), self.u32_at(head, 8));
                    self.overflow(first, len)
                        .map(Some)
                        .map_err(|e| err(format!("page {pgno}: item {i}: {e}")))
                }
                t => Err(err(format!(
                    "page {pgno}: item {i}: duplicate or unknown item type {t}, not read"
                ))),
            }
        };
        for i in (0..offs.len().saturating_sub(1)).step_by(2) {
            match (item(i), item(i + 1)) {
                (Ok(Some(k)), Ok(Some(v))) => out.push(Ok((k, v))),
                (Err(e), _) | (_, Err(e)) => out.push(Err(e)),
                _ => {}
            }
        }
    }

    /// Follows a chain of overflow pages from `first`, `len` bytes in all.
    fn overflow(&self, first: u32, len: u32) -> Result<Vec<u8>, String> {
        let len = len as usize;
        if len > self.data.len() {
            return Err(format!(
                "overflow item of {len} bytes in a {}-byte file",
                self.data.len()
            ));
        }
        let mut out = Vec::with_capacity(len);
        let mut pgno = first;
        // Each page holds at least one byte: more pages than the file has means a loop.
        let mut budget = self.last_page;
        while out.len() < len {
            let page = self
                .page(pgno)
                .filter(|_| pgno != 0)
                .ok_or_else(|| format!("overflow page {pgno} is past the end of the file"))?;
            if page[25] != P_OVERFLOW {
                return Err(format!(
                    "page {pgno} is of type {}, expected an overflow page",
                    page[25]
                ));
            }
            // On overflow pages the free-area offset field holds the bytes used.
            let used = self.u16_at(page, 22) as usize;
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + used)
                .ok_or_else(|| format!("overflow page {pgno} claims {used} bytes"))?;
            out.extend_from_slice(&chunk[..chunk.len().min(len - out.len())]);
            if out.len() < len {
                pgno = self.u32_at(page, 16);
                budget = budget
                    .checked_sub(1)
                    .filter(|_| used > 0)
                    .ok_or_else(|| format!("overflow chain from page {first} loops"))?;
            }
        }
        Ok(out)
    }
}
