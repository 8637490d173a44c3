//! Turns command-line paths into the list of files to scan.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use stockade_model::{Level, LoadError};

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
            Input::File(p) => p.display().to_string(),
            Input::Bytes(n, _) => n.to_string(),
        }
    }
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// True for the files a directory scan picks up: `.yaml`, `.yml`, `.json`, and Dockerfiles
/// (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`).
pub fn is_scanned(path: &Path) -> bool {
    let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
    EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext)) || is_dockerfile(path)
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
    let error = |p: &Path, message: String| LoadError {
        file: p.display().to_string().into(),
        line: 0,
        column: 0,
        level: Level::Error,
        message,
    };
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
        let walker = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !matches!(e.file_name().to_str(), Some(".git" | ".hg" | ".svn"))
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    if wanted(e.path()) {
                        inputs.push(Input::File(e.into_path()));
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let p = e.path().unwrap_or(path).to_path_buf();
                    errors.push(error(
                        &p,
                        format!(
                            "cannot read: {}",
                            e.io_error()
                                .map_or_else(|| e.to_string(), |io| io.to_string())
                        ),
                    ));
                }
            }
        }
        if (inputs.len(), errors.len()) == before {
            errors.push(error(path, empty.into()));
        }
    }
    (inputs, errors)
}
