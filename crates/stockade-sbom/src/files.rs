//! The files the image checks look at, gathered while layers stream (or a directory is
//! walked): tools on the PATH, setuid and setgid files, world-writable directories, private
//! keys and credential files. Only matching entries are kept, up to a cap, with whiteouts and
//! opaque directories applied so the result is the final image; a secret file is kept from
//! every layer that holds one, marked as no longer present when a later layer removed it.

use std::collections::BTreeMap;

use stockade_model::ImageFile;
use stockade_model::image::{EntryKind, credential_content, credential_name, tool};

/// Most matching entries kept (the final view and the secrets each).
pub(crate) const MAX_FILES: usize = 10_000;
/// Largest candidate key or credential file whose content is read.
pub(crate) const MAX_CREDENTIAL: u64 = 64 << 10;

/// One entry as a layer or a directory walk presents it.
pub(crate) struct Meta {
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
}

/// Collects [`ImageFile`]s.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    /// The final view so far, by absolute path.
    current: BTreeMap<String, ImageFile>,
    /// This layer's entries: a kept file, or `None` when a lower kept file is replaced by
    /// something that is not kept.
    adds: Vec<(String, Option<ImageFile>)>,
    whiteouts: Vec<String>,
    opaque: Vec<String>,
    /// Every private key or credential file met, in any layer.
    secrets: Vec<ImageFile>,
    pub truncated: bool,
}

/// Whether the content of the file at `rel` (relative, no leading slash) must be read to
/// tell whether it holds a secret.
pub(crate) fn wants_content(rel: &str, size: u64) -> bool {
    size <= MAX_CREDENTIAL && matches!(credential_name(&format!("/{rel}")), Some(None))
}

impl Collector {
    /// Records one entry of the current layer (`layer` is `None` for a directory walk);
    /// `content` is the file's bytes when [`wants_content`] asked for them.
    pub fn entry(&mut self, layer: Option<usize>, rel: &str, meta: Meta, content: Option<&[u8]>) {
        let path = format!("/{rel}");
        let secret = match (meta.kind, credential_name(&path)) {
            (EntryKind::File, Some(Some(what))) => Some(what.to_string()),
            (EntryKind::File, Some(None)) => content
                .and_then(|c| credential_content(&path, c))
                .map(str::to_string),
            _ => None,
        };
        let keep = secret.is_some()
            || match meta.kind {
                EntryKind::File => meta.mode & 0o6000 != 0 || tool(&path).is_some(),
                EntryKind::Symlink => tool(&path).is_some(),
                EntryKind::Dir => meta.mode & 0o002 != 0,
            };
        if !keep {
            if self.current.contains_key(&path) {
                self.adds.push((path, None));
            }
            return;
        }
        let file = ImageFile {
            path: path.clone(),
            kind: meta.kind,
            mode: meta.mode,
            uid: meta.uid,
            gid: meta.gid,
            size: meta.size,
            layer,
            present: true,
            secret,
        };
        if file.secret.is_some() {
            if self.secrets.len() < MAX_FILES {
                self.secrets.push(file.clone());
            } else {
                self.truncated = true;
            }
        }
        self.adds.push((path, Some(file)));
    }

    /// A whiteout in the current layer: `rel` is deleted from the lower layers.
    pub fn whiteout(&mut self, rel: &str) {
        self.whiteouts.push(format!("/{rel}"));
    }

    /// An opaque directory in the current layer: everything below `rel` in the lower layers
    /// is hidden.
    pub fn opaque(&mut self, rel: &str) {
        self.opaque.push(format!("/{rel}"));
    }

    /// Ends a layer: its deletions apply to the lower layers, then its entries replace them.
    pub fn end_layer(&mut self) {
        for dir in std::mem::take(&mut self.opaque) {
            self.remove_under(&dir);
        }
        for path in std::mem::take(&mut self.whiteouts) {
            self.current.remove(&path);
            self.remove_under(&path);
        }
        for (path, file) in std::mem::take(&mut self.adds) {
            match file {
                Some(f) if self.current.len() < MAX_FILES || self.current.contains_key(&path) => {
                    self.current.insert(path, f);
                }
                Some(_) => self.truncated = true,
                None => {
                    self.current.remove(&path);
                }
            }
        }
    }

    fn remove_under(&mut self, dir: &str) {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .current
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.current.remove(&k);
        }
    }

    /// The kept files into `facts`: the final view's entries, then every secret file from
    /// any layer (marked not present when the final image no longer has it).
    pub fn finish(mut self) -> (Vec<ImageFile>, bool) {
        self.end_layer();
        let mut files: Vec<ImageFile> = Vec::new();
        for f in self.current.values() {
            if f.secret.is_none() {
                files.push(f.clone());
            }
        }
        for mut s in self.secrets {
            s.present = self
                .current
                .get(&s.path)
                .is_some_and(|c| c.layer == s.layer && c.secret.is_some());
            files.push(s);
        }
        files.sort_by(|a, b| (&a.path, a.layer).cmp(&(&b.path, b.layer)));
        (files, self.truncated)
    }
}
