//! What the image checks see of a built image: its configuration, OS, packages and the few
//! files that matter for hardening (tools, setuid files, world-writable directories, keys and
//! credential files). Plain data: whoever reads the image (stockade-sbom, a registry client)
//! fills it in; the checks never read layers themselves.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Everything the image checks look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageFacts {
    /// Whether the target was an image with a configuration (false for a root filesystem
    /// directory: the configuration checks then have nothing to look at).
    pub has_config: bool,
    /// `config.User` (`None` when unset or empty).
    pub user: Option<String>,
    /// `config.Env`, `NAME=value` each.
    pub env: Vec<String>,
    /// `config.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `history[].created_by`, in order (empty strings for entries without one).
    pub history: Vec<String>,
    /// `created` as written (RFC 3339).
    pub created: Option<String>,
    /// `config.Healthcheck.Test`, when the image sets one (`["NONE"]` disables it).
    pub healthcheck: Option<Vec<String>>,
    /// `config.Volumes` (the `VOLUME` paths).
    pub volumes: Vec<String>,
    /// `ID` of `/etc/os-release`.
    pub os_id: Option<String>,
    /// `VERSION_ID` of `/etc/os-release`.
    pub os_version: Option<String>,
    /// The packages found, as (type, name, version).
    pub packages: Vec<ImagePackage>,
    /// The files that matter (see [`ImageFile`]); only those, never every file.
    pub files: Vec<ImageFile>,
    /// Number of layers (0 for a directory).
    pub layers: usize,
    /// True when more matching files were met than are kept.
    pub files_truncated: bool,
    /// The account databases of the final image (`/etc/passwd`, `/etc/shadow`,
    /// `/etc/group`, `/etc/master.passwd`) by absolute path, each read only up to
    /// [`MAX_ACCOUNT_FILE`] bytes (a larger one is left out).
    pub account_files: BTreeMap<String, String>,
    /// Files and directories an image does not need (see [`unnecessary`]): a directory once,
    /// with the newest layer that wrote a file in it.
    pub unnecessary: Vec<ImageFile>,
}

/// Largest account database read (`/etc/passwd`...).
pub const MAX_ACCOUNT_FILE: u64 = 256 << 10;

/// Whether `path` (absolute) is one of the account databases kept in
/// [`ImageFacts::account_files`].
pub fn is_account_file(path: &str) -> bool {
    matches!(
        path,
        "/etc/passwd" | "/etc/shadow" | "/etc/group" | "/etc/master.passwd"
    )
}

/// Names of directories whose content has no use at run time (caches, VCS data, editor
/// settings, scratch space), after Dockle's DKL-LI-0003.
pub const UNNECESSARY_DIRS: &[&str] = &[".cache", "tmp", ".git", ".vscode", ".idea", ".npm"];
/// Names of files that have no use at run time, after Dockle's DKL-LI-0003 (plus macOS
/// Finder's `.DS_Store`).
pub const UNNECESSARY_FILES: &[&str] = &["Dockerfile", "docker-compose.yml", ".vimrc", ".DS_Store"];

/// What makes the file at `path` (absolute) unnecessary: the outermost directory above it
/// named in [`UNNECESSARY_DIRS`], or the file itself when named in [`UNNECESSARY_FILES`].
/// Files under `node_modules/` or `vendor/` are left alone: those trees are written by
/// package managers, not by the image's author.
pub fn unnecessary(path: &str) -> Option<&str> {
    if path.contains("/node_modules/") || path.contains("/vendor/") {
        return None;
    }
    let mut end = 0;
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            end += 1;
        }
        end += part.len();
        if i < last && UNNECESSARY_DIRS.contains(part) {
            return Some(&path[..end]);
        }
        if i == last && UNNECESSARY_FILES.contains(part) {
            return Some(path);
        }
    }
    None
}

/// One package of the image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImagePackage {
    /// purl type (`deb`, `apk`, `rpm`, `pypi`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
}

/// One file (or directory, or link) of interest, with where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageFile {
    /// Absolute path inside the image (`/usr/bin/curl`).
    pub path: String,
    /// What kind of entry it is.
    pub kind: EntryKind,
    /// Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000).
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Size in bytes.
    pub size: u64,
    /// 0-based index of the layer that wrote it (`None` for a directory target).
    pub layer: Option<usize>,
    /// False when a later layer deleted or replaced it: it is not in the final image but
    /// can still be read from the layer that holds it.
    pub present: bool,
    /// For a private key or credential file: what it holds (`private key`, `AWS
    /// credentials`...).
    pub secret: Option<String>,
}

/// The kind of a tar entry or directory entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file (or a hard link to one).
    #[default]
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
}

/// Tools an attacker uses once inside a container, by family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    /// `sh`, `bash`, `busybox`...
    Shell,
    /// `apt`, `dpkg`, `apk`, `yum`, `dnf`, `rpm`, `pip`...
    PackageManager,
    /// `curl`, `wget`.
    Download,
    /// `git`, `make`, compilers.
    Build,
    /// `ssh`, `sshd`, `scp`.
    Ssh,
}

/// Directories whose executables are on the usual `PATH`.
pub const BIN_DIRS: &[&str] = &[
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
];

/// The family of the executable `path` when it is one of the tools the image checks look
/// for, in one of [`BIN_DIRS`].
pub fn tool(path: &str) -> Option<Tool> {
    let (dir, base) = path.rsplit_once('/')?;
    if !BIN_DIRS.contains(&dir) {
        return None;
    }
    tool_name(base)
}

/// The family of an executable called `base`.
pub fn tool_name(base: &str) -> Option<Tool> {
    Some(match base {
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "csh" | "tcsh" | "fish"
        | "busybox" => Tool::Shell,
        "apt" | "apt-get" | "dpkg" | "apk" | "yum" | "dnf" | "microdnf" | "rpm" | "zypper"
        | "pip" | "pip3" | "npm" => Tool::PackageManager,
        "curl" | "wget" => Tool::Download,
        "git" | "make" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "go" | "rustc"
        | "cargo" | "javac" | "tcc" => Tool::Build,
        "ssh" | "sshd" | "scp" | "sftp" | "dropbear" => Tool::Ssh,
        _ => {
            // Versioned names: pip3.11, gcc-12, python-less `g++-12`.
            let stem = base.split(['-', '.']).next().unwrap_or(base);
            if stem != base && matches!(stem, "pip3" | "pip" | "gcc" | "g++" | "clang") {
                return tool_name(stem);
            }
            return None;
        }
    })
}

/// What a file at `path` holds when its name alone marks it as a credential file, or as a
/// candidate private key whose content must still be looked at (`Some(None)`).
pub fn credential_name(path: &str) -> Option<Option<&'static str>> {
    let base = path.rsplit('/').next().unwrap_or(path);
    let parent = path
        .rsplit_once('/')
        .map(|(d, _)| d.rsplit('/').next().unwrap_or(d))
        .unwrap_or("");
    Some(match (parent, base) {
        (".aws", "credentials") => Some("AWS credentials"),
        (".docker", "config.json") => None,
        (_, ".npmrc" | ".pypirc" | ".netrc" | "_netrc") => None,
        (_, ".git-credentials") => Some("Git credentials"),
        (_, ".pgpass") => Some("PostgreSQL password file"),
        (_, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519") => None,
        (".ssh", _) if !base.ends_with(".pub") && base != "known_hosts" && base != "config" => None,
        _ if base.ends_with(".pem") || base.ends_with(".key") => None,
        _ => return None,
    })
}

/// What a candidate credential file holds, judged by its content; `None` when it holds no
/// secret (a certificate bundle called `.pem`, an `.npmrc` with only a registry URL).
pub fn credential_content(path: &str, data: &[u8]) -> Option<&'static str> {
    let base = path.rsplit('/').next().unwrap_or(path);
    let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    if has(b"-----BEGIN") && has(b"PRIVATE KEY-----") {
        return Some("private key");
    }
    match base {
        "config.json" if has(b"\"auth\"") || has(b"\"identitytoken\"") => {
            Some("Docker registry credentials")
        }
        ".npmrc" if has(b"_authToken") || has(b"_auth") || has(b"_password") => {
            Some("npm registry token")
        }
        ".pypirc" if has(b"password") => Some("PyPI password"),
        ".netrc" | "_netrc" if has(b"password") => Some("netrc password"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unnecessary_files() {
        assert_eq!(unnecessary("/app/.git/HEAD"), Some("/app/.git"));
        assert_eq!(
            unnecessary("/root/.cache/pip/http/ab"),
            Some("/root/.cache")
        );
        assert_eq!(unnecessary("/tmp/build.log"), Some("/tmp"));
        assert_eq!(unnecessary("/app/Dockerfile"), Some("/app/Dockerfile"));
        assert_eq!(
            unnecessary("/app/src/.DS_Store"),
            Some("/app/src/.DS_Store")
        );
        assert_eq!(unnecessary("/app/node_modules/x/.git/HEAD"), None);
        assert_eq!(unnecessary("/app/vendor/x/Dockerfile"), None);
        assert_eq!(unnecessary("/tmp"), None);
        assert_eq!(unnecessary("/app/tmpfile"), None);
        assert_eq!(unnecessary("/usr/bin/git"), None);
        assert!(is_account_file("/etc/shadow"));
        assert!(!is_account_file("/etc/shadow-"));
    }

    #[test]
    fn tools_and_credentials() {
        assert_eq!(tool("/usr/bin/curl"), Some(Tool::Download));
        assert_eq!(tool("/bin/sh"), Some(Tool::Shell));
        assert_eq!(tool("/usr/bin/pip3.11"), Some(Tool::PackageManager));
        assert_eq!(tool("/usr/bin/gcc-12"), Some(Tool::Build));
        assert_eq!(tool("/opt/app/curl"), None);
        assert_eq!(tool("/usr/bin/gccgo"), None);
        assert_eq!(
            credential_name("/root/.aws/credentials"),
            Some(Some("AWS credentials"))
        );
        assert_eq!(credential_name("/root/.ssh/id_rsa"), Some(None));
        assert_eq!(credential_name("/root/.ssh/id_rsa.pub"), None);
        assert_eq!(credential_name("/etc/ssl/certs/ca.pem"), Some(None));
        assert_eq!(credential_name("/etc/passwd"), None);
        assert_eq!(
            credential_content(
                "/k.pem",
                b"-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\n"
            ),
            Some("private key")
        );
        assert_eq!(
            credential_content("/ca.pem", b"-----BEGIN CERTIFICATE-----\n"),
            None
        );
        assert_eq!(
            credential_content("/root/.npmrc", b"registry=https://r\n"),
            None
        );
        assert_eq!(
            credential_content("/root/.npmrc", b"//r/:_authToken=abc\n"),
            Some("npm registry token")
        );
    }
}
