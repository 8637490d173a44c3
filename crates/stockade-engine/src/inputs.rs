//! Turns command-line paths into the list of files to scan.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use stockade_model::LoadError;

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Bytes already read (stdin), with the name to report.
    Bytes(Arc<str>, Arc<[u8]>),
}

impl Input {
    /// The name findings use.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => path_name(p),
            Input::Bytes(n, _) => n.to_string(),
        }
    }
}

/// `path` as findings name it: as `Path::display` shows it, without `display`'s
/// character-by-character pass over a path that is valid UTF-8 (almost every path).
pub(crate) fn path_name(path: &Path) -> String {
    path.to_str()
        .map_or_else(|| path.display().to_string(), str::to_owned)
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// True for the files a directory scan picks up: `.yaml`, `.yml`, `.json`, and Dockerfiles
/// (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`).
pub fn is_scanned(path: &Path) -> bool {
    let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
    EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext))
        || is_dockerfile(path)
        // Kustomize's third name for its file: read for the patches it names.
        || path.file_name().is_some_and(|n| n == "Kustomization")
}

/// True when the file name says Dockerfile (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`,
/// `Containerfile`).
pub fn is_dockerfile(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(stockade_dockerfile::is_dockerfile_name)
}

/// Expands directories recursively (sorted; version-control folders skipped) into their `.yaml`, `.yml`
/// and `.json` files and Dockerfiles. Files named explicitly are taken whatever their extension. Missing paths
/// and empty directories are errors.
pub fn collect_inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<LoadError>) {
    collect(
        paths,
        is_scanned,
        "directory contains no .yaml, .yml or .json files or Dockerfiles",
    )
}

/// Like [`collect_inputs`], keeping only Dockerfiles from directories (`stockade dockerfile lint`).
pub fn collect_dockerfiles(paths: &[PathBuf]) -> (Vec<Input>, Vec<LoadError>) {
    collect(paths, is_dockerfile, "directory contains no Dockerfiles")
}

fn collect(
    paths: &[PathBuf],
    wanted: fn(&Path) -> bool,
    empty: &str,
) -> (Vec<Input>, Vec<LoadError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let error = |p: &Path, message: String| LoadError::whole_file(p.display().to_string(), message);
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        if !meta.is_dir() {
            inputs.push(Input::File(path.clone()));
            continue;
        }
        let before = (inputs.len(), errors.len());
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        for found in walk(path, &[canonical], wanted) {
            match found {
                Found::File(p) => inputs.push(Input::File(p)),
                Found::Error(p, message) => errors.push(error(&p, message)),
            }
        }
        if (inputs.len(), errors.len()) == before {
            errors.push(error(path, empty.into()));
        }
    }
    (inputs, errors)
}

/// Why an input file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// Over the limit: by its size (`Some`), or by what was read from a file that reports no
    /// size, such as a device or a pipe (`None`).
    TooLarge { size: Option<u64>, max: u64 },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::TooLarge {
                size: Some(size),
                max,
            } => write!(
                f,
                "file is {} MB, over the {} MB limit",
                size / 1_000_000,
                max / 1_000_000
            ),
            ReadError::TooLarge { size: None, max } => {
                write!(f, "file is larger than the {} MB limit", max / 1_000_000)
            }
        }
    }
}

/// Reads an input file of at most `max` bytes. The file is opened once and its size read from
/// the open file; the read itself is bounded too, since a device or pipe reports no size.
pub fn read_input(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > max {
        return Err(ReadError::TooLarge {
            size: Some(len),
            max,
        });
    }
    if len == 0 {
        // Special files (`/proc`, some devices) report no size: read to the end.
        return read_bounded(file, 0, max);
    }
    // A regular file is read at the size it reports, without a last read to find its end
    // (one system call a file fewer): what it holds when it was opened is what is scanned.
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(len)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    Ok(bytes)
}

/// Reads `reader` to its end, at most `max` bytes: more is [`ReadError::TooLarge`] without a
/// size (a device, a pipe or standard input reports none). `capacity` is the expected length.
pub fn read_bounded(
    reader: impl std::io::Read,
    capacity: usize,
    max: u64,
) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { size: None, max });
    }
    Ok(bytes)
}

/// What a directory walk finds: a wanted file, or a path it could not read.
enum Found {
    File(PathBuf),
    Error(PathBuf, String),
}

/// Walks `dir` depth first, each directory's entries in file-name order, following symbolic
/// links and skipping version-control folders. `ancestors` are the canonical paths of `dir` and
/// the directories above it, to stop at a link back to one of them. Subdirectories are walked
/// in parallel (one folder of a repository often holds most of its files) and their results
/// joined in walk order, so the list is the same as a sequential walk's.
fn walk(dir: &Path, ancestors: &[PathBuf], wanted: fn(&Path) -> bool) -> Vec<Found> {
    use rayon::prelude::*;
    let cannot =
        |p: &Path, e: std::io::Error| Found::Error(p.to_path_buf(), format!("cannot read: {e}"));
    let mut entries = match std::fs::read_dir(dir).and_then(|d| d.collect::<Result<Vec<_>, _>>()) {
        Ok(entries) => entries,
        Err(e) => return vec![cannot(dir, e)],
    };
    entries.sort_by_key(|e| e.file_name());
    entries
        .par_iter()
        .with_max_len(1)
        .map(|entry| {
            let name = entry.file_name();
            if matches!(name.to_str(), Some(".git" | ".hg" | ".svn")) {
                return Vec::new();
            }
            let path = entry.path();
            let (is_dir, is_file, linked) = match entry.file_type() {
                Ok(t) if t.is_symlink() => match std::fs::metadata(&path) {
                    Ok(m) => (m.is_dir(), m.is_file(), true),
                    Err(e) => return vec![cannot(&path, e)],
                },
                Ok(t) => (t.is_dir(), t.is_file(), false),
                Err(e) => return vec![cannot(&path, e)],
            };
            if is_file {
                return if wanted(&path) {
                    vec![Found::File(path)]
                } else {
                    Vec::new()
                };
            }
            if !is_dir {
                return Vec::new();
            }
            let parent = ancestors.last().map_or(dir, PathBuf::as_path);
            let canonical = if linked {
                match std::fs::canonicalize(&path) {
                    Ok(c) => c,
                    Err(e) => return vec![cannot(&path, e)],
                }
            } else {
                parent.join(&name)
            };
            if let Some(a) = ancestors.iter().find(|a| **a == canonical) {
                return vec![Found::Error(
                    path.clone(),
                    format!(
                        "cannot read: File system loop found: {} points to an ancestor {}",
                        path.display(),
                        a.display()
                    ),
                )];
            }
            let mut below = ancestors.to_vec();
            below.push(canonical);
            walk(&path, &below, wanted)
        })
        .flatten()
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// The parallel walk lists what a sequential, sorted, link-following walk lists, in that
    /// order: nested folders between their siblings, links to files and to outside folders
    /// followed, version-control folders skipped, a link back to an ancestor and a broken link
    /// reported, other files ignored.
    #[test]
    fn the_walk_is_sorted_depth_first_and_follows_links() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let r = root.path();
        for d in ["a/b", "a/c", ".git", "z", "m"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        for f in [
            "a/b/1.yaml",
            "a/c/2.json",
            "a/3.yml",
            ".git/x.yaml",
            "z/4.yaml",
            "m/notes.txt",
        ] {
            std::fs::write(r.join(f), "x").unwrap();
        }
        std::fs::write(outside.path().join("5.yaml"), "x").unwrap();
        symlink(outside.path(), r.join("a/out")).unwrap();
        symlink("../z/4.yaml", r.join("a/link.yaml")).unwrap();
        symlink("..", r.join("a/b/up")).unwrap();
        symlink("nowhere.yaml", r.join("a/broken.yaml")).unwrap();
        let (inputs, errors) = collect_inputs(&[r.to_path_buf()]);
        let names: Vec<String> = inputs
            .iter()
            .map(|i| {
                i.name()
                    .strip_prefix(&r.display().to_string())
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "/a/3.yml",
                "/a/b/1.yaml",
                "/a/c/2.json",
                "/a/link.yaml",
                "/a/out/5.yaml",
                "/z/4.yaml"
            ]
        );
        let errors: Vec<(String, &str)> = errors
            .iter()
            .map(|e| {
                (
                    e.file
                        .strip_prefix(&r.display().to_string())
                        .unwrap()
                        .to_string(),
                    &e.message[..],
                )
            })
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, "/a/b/up");
        assert!(errors[0].1.contains("File system loop found"), "{errors:?}");
        assert_eq!(
            errors[1],
            (
                "/a/broken.yaml".to_string(),
                "cannot read: No such file or directory (os error 2)"
            )
        );
        // A folder with nothing to scan is an error naming it.
        let (inputs, errors) = collect_inputs(&[r.join("m")]);
        assert!(inputs.is_empty());
        assert!(errors[0].message.contains("no .yaml"), "{errors:?}");
    }

    /// Reading is bounded by size and, for files that report none, by what was read.
    #[test]
    fn reading_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, vec![b'#'; 2_500_000]).unwrap();
        assert_eq!(read_input(&f, 3_000_000).unwrap().len(), 2_500_000);
        let e = read_input(&f, 1_000_000).unwrap_err();
        assert_eq!(e.to_string(), "file is 2 MB, over the 1 MB limit");
        let e = read_input(Path::new("/dev/zero"), 1_000_000).unwrap_err();
        assert_eq!(e.to_string(), "file is larger than the 1 MB limit");
        let e = read_input(&dir.path().join("none.yaml"), 1_000_000).unwrap_err();
        assert!(
            e.to_string().starts_with("cannot read: No such file"),
            "{e}"
        );
        // The default every command uses reads as the CLI's `--max-file-size 64`.
        let e = read_input(Path::new("/dev/zero"), crate::DEFAULT_MAX_FILE_SIZE).unwrap_err();
        assert_eq!(e.to_string(), "file is larger than the 64 MB limit");
    }

    #[test]
    fn a_file_is_read_whole_at_any_size_and_without_one() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0, 1, 4095, 4096, 65_537, 2_500_001] {
            let f = dir.path().join(format!("{len}.yaml"));
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&f, &bytes).unwrap();
            assert_eq!(read_input(&f, 3_000_000).unwrap(), bytes, "{len} bytes");
        }
        // A file that reports no size is read to its end.
        if cfg!(target_os = "linux") {
            let status = read_input(Path::new("/proc/self/status"), 1_000_000).unwrap();
            assert!(status.starts_with(b"Name:") && status.ends_with(b"\n"));
        }
    }
}
