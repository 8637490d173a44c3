//! The files the image checks look at, gathered while layers stream (or a directory is
//! walked): tools on the PATH, setuid and setgid files, world-writable directories, private
//! keys and credential files. Only matching entries are kept, up to a cap, with whiteouts and
//! opaque directories applied so the result is the final image; a secret file is kept from
//! every layer that holds one, marked as no longer present when a later layer removed it.
//! Also the account databases (`/etc/passwd`, `/etc/shadow`, `/etc/group`), capped in size,
//! and the files an image does not need (`.git`, `.cache`, `tmp`, `Dockerfile`...).

use std::collections::{BTreeMap, HashMap};

use stockade_model::ImageFile;
use stockade_model::image::{
    EntryKind, MAX_ACCOUNT_FILE, credential_content, credential_name, is_account_file, tool,
    unnecessary,
};

/// Most matching entries kept (the final view and the secrets each).
pub(crate) const MAX_FILES: usize = 10_000;
/// Largest candidate key or credential file whose content is read.
pub(crate) const MAX_CREDENTIAL: u64 = 64 << 10;
/// Most files kept per unnecessary directory: a few show that it is there; a `.git` with
/// thousands of objects must not crowd out everything else.
const MAX_PER_UNNECESSARY_DIR: usize = 64;

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
    /// The account databases of the final view so far, and this layer's changes to them.
    accounts: BTreeMap<String, String>,
    account_adds: Vec<(String, Option<String>)>,
    /// Files that make a directory or themselves unnecessary (see
    /// [`stockade_model::image::unnecessary`]), and this layer's changes to them.
    extra: BTreeMap<String, ImageFile>,
    extra_adds: Vec<(String, Option<ImageFile>)>,
    /// Files recorded per unnecessary directory (an upper bound: removals are not counted).
    extra_per_dir: HashMap<String, usize>,
    pub truncated: bool,
}

/// Whether the content of the file at `rel` (relative, no leading slash) must be read to
/// tell whether it holds a secret.
pub(crate) fn wants_content(rel: &str, size: u64) -> bool {
    let path = format!("/{rel}");
    (size <= MAX_CREDENTIAL && matches!(credential_name(&path), Some(None)))
        || (size <= MAX_ACCOUNT_FILE && is_account_file(&path))
}

impl Collector {
    /// Records one entry of the current layer (`layer` is `None` for a directory walk);
    /// `content` is the file's bytes when [`wants_content`] asked for them.
    pub fn entry(&mut self, layer: Option<usize>, rel: &str, meta: Meta, content: Option<&[u8]>) {
        let path = format!("/{rel}");
        self.side_entry(layer, &path, &meta, content);
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
        let file = image_file(path.clone(), &meta, layer, secret);
        if file.secret.is_some() {
            if self.secrets.len() < MAX_FILES {
                self.secrets.push(file.clone());
            } else {
                self.truncated = true;
            }
        }
        self.adds.push((path, Some(file)));
    }

    /// The account databases and unnecessary files, kept apart from the files the other
    /// checks read.
    fn side_entry(
        &mut self,
        layer: Option<usize>,
        path: &str,
        meta: &Meta,
        content: Option<&[u8]>,
    ) {
        if is_account_file(path) {
            let text = content
                .filter(|_| meta.kind == EntryKind::File)
                .map(|c| String::from_utf8_lossy(c).into_owned());
            self.account_adds.push((path.to_string(), text));
            return;
        }
        let flagged = match meta.kind {
            EntryKind::File => unnecessary(path),
            _ => None,
        };
        let Some(flagged) = flagged else {
            if self.extra.contains_key(path) {
                self.extra_adds.push((path.to_string(), None));
            }
            return;
        };
        let count = self.extra_per_dir.entry(flagged.to_string()).or_default();
        if *count >= MAX_PER_UNNECESSARY_DIR {
            return;
        }
        *count += 1;
        let file = image_file(path.to_string(), meta, layer, None);
        self.extra_adds.push((path.to_string(), Some(file)));
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
            remove_under(&mut self.current, &dir);
            remove_under(&mut self.accounts, &dir);
            remove_under(&mut self.extra, &dir);
        }
        for path in std::mem::take(&mut self.whiteouts) {
            delete(&mut self.current, &path);
            delete(&mut self.accounts, &path);
            delete(&mut self.extra, &path);
        }
        for (path, text) in std::mem::take(&mut self.account_adds) {
            match text {
                Some(t) => self.accounts.insert(path, t),
                None => self.accounts.remove(&path),
            };
        }
        self.truncated |= apply(&mut self.extra, std::mem::take(&mut self.extra_adds));
        self.truncated |= apply(&mut self.current, std::mem::take(&mut self.adds));
    }

    /// The kept files into `facts`: the final view's entries, then every secret file from
    /// any layer (marked not present when the final image no longer has it); the account
    /// databases; the unnecessary directories and files, one entry each with the newest
    /// layer that wrote a file there (`size` counts the files kept for a directory).
    pub fn finish(mut self) -> Finished {
        self.end_layer();
        let mut unneeded: BTreeMap<String, ImageFile> = BTreeMap::new();
        for f in self.extra.values() {
            let Some(flagged) = unnecessary(&f.path) else {
                continue;
            };
            if flagged == f.path {
                unneeded.insert(f.path.clone(), f.clone());
                continue;
            }
            let dir = unneeded
                .entry(flagged.to_string())
                .or_insert_with(|| ImageFile {
                    path: flagged.to_string(),
                    kind: EntryKind::Dir,
                    layer: f.layer,
                    present: true,
                    ..ImageFile::default()
                });
            dir.layer = dir.layer.max(f.layer);
            dir.size += 1;
        }
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
        Finished {
            files,
            truncated: self.truncated,
            accounts: self.accounts,
            unnecessary: unneeded.into_values().collect(),
        }
    }
}

/// What [`Collector::finish`] hands over.
#[derive(Debug, Default)]
pub(crate) struct Finished {
    pub files: Vec<ImageFile>,
    pub truncated: bool,
    pub accounts: BTreeMap<String, String>,
    pub unnecessary: Vec<ImageFile>,
}

/// A kept entry of the current layer.
fn image_file(
    path: String,
    meta: &Meta,
    layer: Option<usize>,
    secret: Option<String>,
) -> ImageFile {
    ImageFile {
        path,
        kind: meta.kind,
        mode: meta.mode,
        uid: meta.uid,
        gid: meta.gid,
        size: meta.size,
        layer,
        present: true,
        secret,
    }
}

/// A layer's replacements (`Some`) and removals (`None`) applied to `map`, which holds at most
/// [`MAX_FILES`] paths; `true` when an entry was left out for that cap.
fn apply(map: &mut BTreeMap<String, ImageFile>, adds: Vec<(String, Option<ImageFile>)>) -> bool {
    let mut truncated = false;
    for (path, file) in adds {
        match file {
            Some(f) if map.len() < MAX_FILES || map.contains_key(&path) => {
                map.insert(path, f);
            }
            Some(_) => truncated = true,
            None => {
                map.remove(&path);
            }
        }
    }
    truncated
}

/// A whiteout of `path`: the entry and everything below it.
fn delete<V>(map: &mut BTreeMap<String, V>, path: &str) {
    map.remove(path);
    remove_under(map, path);
}

fn remove_under<V>(map: &mut BTreeMap<String, V>, dir: &str) {
    let prefix = if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    };
    let doomed: Vec<String> = map
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        map.remove(&k);
    }
}
