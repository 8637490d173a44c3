//! Helpers shared by the Dockerfile checks: finding paths, RUN commands, package installs.

use stockade_dockerfile::shell::{Command, Word};
use stockade_dockerfile::{Dockerfile, Instruction, Kind, Stage};

/// The finding path of an instruction: `stages[builder].RUN` (unnamed stages by index).
pub fn path(df: &Dockerfile, inst: &Instruction) -> String {
    match inst.stage {
        Some(s) => match df.stages.get(s).and_then(|st| st.name.as_deref()) {
            Some(name) => stockade_model::format_exact!("stages[{name}].{}", inst.kind.as_str()),
            None => stockade_model::format_exact!("stages[{s}].{}", inst.kind.as_str()),
        },
        None => inst.kind.as_str().to_string(),
    }
}

/// Every `RUN` (also inside `ONBUILD`) with its simple commands.
pub fn runs(df: &Dockerfile) -> impl Iterator<Item = (&Instruction, Vec<Command>)> {
    df.instructions.iter().filter_map(|i| {
        let run = match (&i.kind, &i.onbuild) {
            (Kind::Run, _) => i,
            (Kind::Onbuild, Some(inner)) if inner.kind == Kind::Run => inner,
            _ => return None,
        };
        Some((run, run.commands()))
    })
}

/// Package managers the checks understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// `apt-get`
    AptGet,
    /// `apt` (the interactive front end)
    Apt,
    /// `apk`
    Apk,
    /// `yum`
    Yum,
    /// `dnf`
    Dnf,
    /// `microdnf`
    Microdnf,
    /// `zypper`
    Zypper,
    /// `pip`, `pip3`, `python -m pip`
    Pip,
    /// `npm`
    Npm,
    /// `gem`
    Gem,
    /// `go`
    Go,
}

impl Manager {
    /// The name users type.
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::AptGet => "apt-get",
            Manager::Apt => "apt",
            Manager::Apk => "apk",
            Manager::Yum => "yum",
            Manager::Dnf => "dnf",
            Manager::Microdnf => "microdnf",
            Manager::Zypper => "zypper",
            Manager::Pip => "pip",
            Manager::Npm => "npm",
            Manager::Gem => "gem",
            Manager::Go => "go",
        }
    }
}

/// A package manager invocation: which manager, its subcommand, and the arguments after it.
pub struct Invocation<'a> {
    /// The manager.
    pub manager: Manager,
    /// The command.
    pub cmd: &'a Command,
    /// The subcommand (`install`, `add`, `upgrade`...).
    pub sub: &'a Word,
    /// Arguments after the subcommand.
    pub rest: &'a [Word],
}

/// Reads a command as a package manager invocation.
pub fn invocation(cmd: &Command) -> Option<Invocation<'_>> {
    let words = cmd.effective();
    let prog = cmd.program();
    let (manager, args) = match prog {
        "apt-get" => (Manager::AptGet, &words[1..]),
        "apt" => (Manager::Apt, &words[1..]),
        "apk" => (Manager::Apk, &words[1..]),
        "yum" => (Manager::Yum, &words[1..]),
        "dnf" => (Manager::Dnf, &words[1..]),
        "microdnf" => (Manager::Microdnf, &words[1..]),
        "zypper" => (Manager::Zypper, &words[1..]),
        "npm" => (Manager::Npm, &words[1..]),
        "gem" => (Manager::Gem, &words[1..]),
        "go" => (Manager::Go, &words[1..]),
        p if is_pip(p) => (Manager::Pip, &words[1..]),
        p if p.starts_with("python") => {
            // `python3 -m pip install ...`
            let m = words.iter().position(|w| w.text == "-m")?;
            if !words.get(m + 1).is_some_and(|w| is_pip(&w.text)) {
                return None;
            }
            (Manager::Pip, &words[m + 2..])
        }
        _ => return None,
    };
    // Options before the subcommand (`apt-get -q -y install`, `zypper --non-interactive in`).
    let mut i = 0;
    while i < args.len() && args[i].text.starts_with('-') {
        let takes_value = matches!(
            (manager, args[i].text.as_str()),
            (Manager::AptGet | Manager::Apt, "-o" | "-t" | "-c")
                | (Manager::Apk, "-X" | "--repository" | "-p" | "--root")
                | (Manager::Zypper, "-r" | "--repo" | "--root")
        );
        i += 1 + usize::from(takes_value);
    }
    let sub = args.get(i)?;
    Some(Invocation {
        manager,
        cmd,
        sub,
        rest: &args[i + 1..],
    })
}

fn is_pip(p: &str) -> bool {
    p == "pip"
        || p.strip_prefix("pip")
            .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

impl<'a> Invocation<'a> {
    /// True for an install (`install`, `add`, `in`, `i`) subcommand.
    pub fn is_install(&self) -> bool {
        match self.manager {
            Manager::Apk => self.sub.text == "add",
            Manager::Zypper => matches!(self.sub.text.as_str(), "install" | "in"),
            Manager::Npm => matches!(self.sub.text.as_str(), "install" | "i" | "add"),
            Manager::Go => matches!(self.sub.text.as_str(), "install" | "get"),
            _ => self.sub.text == "install",
        }
    }

    /// True when any argument (before or after the subcommand) is one of `flags`.
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.cmd.has_flag(flags)
    }

    /// The package arguments of an install: options and their values skipped.
    pub fn packages(&self) -> Vec<&'a Word> {
        let with_value: &[&str] = match self.manager {
            Manager::AptGet | Manager::Apt => &["-o", "-t", "--target-release", "-c"],
            Manager::Apk => &[
                "-t",
                "--virtual",
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
            ],
            Manager::Yum | Manager::Dnf | Manager::Microdnf => &[
                "-c",
                "--config",
                "--installroot",
                "--releasever",
                "--setopt",
            ],
            Manager::Zypper => &["-t", "--type", "-r", "--repo", "--from"],
            Manager::Pip => &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--platform",
                "--python-version",
                "--trusted-host",
                "--cache-dir",
                "--progress-bar",
                "--only-binary",
                "--no-binary",
                "--src",
            ],
            Manager::Npm => &["--prefix", "--registry", "-w", "--workspace", "--cache"],
            Manager::Gem => &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "--source",
            ],
            Manager::Go => &["-ldflags", "-tags", "-gcflags", "-mod"],
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.rest.len() {
            let t = self.rest[i].text.as_str();
            if t.starts_with('-') {
                i += 1 + usize::from(with_value.contains(&t));
                continue;
            }
            out.push(&self.rest[i]);
            i += 1;
        }
        out
    }

    /// True when a package argument names a version (or a file, URL or requirements source,
    /// which fixes what is installed another way).
    pub fn pinned(&self, pkg: &str) -> bool {
        let file_like = pkg.contains('/') || pkg.starts_with('.') || pkg.contains("://");
        match self.manager {
            Manager::AptGet | Manager::Apt => {
                pkg.contains('=') || pkg.ends_with(".deb") || file_like
            }
            Manager::Apk => pkg.contains('=') || file_like || pkg.ends_with(".apk"),
            Manager::Yum | Manager::Dnf | Manager::Microdnf => {
                // `name-1.2.3`: a dash followed by a digit; also files and groups.
                pkg.ends_with(".rpm")
                    || file_like
                    || pkg.starts_with('@')
                    || pkg
                        .as_bytes()
                        .windows(2)
                        .any(|w| w[0] == b'-' && w[1].is_ascii_digit())
            }
            Manager::Zypper => pkg.contains(['=', '<', '>']) || pkg.ends_with(".rpm") || file_like,
            Manager::Pip => {
                pkg.contains(['=', '<', '>', '~', '@'])
                    || file_like
                    || pkg.ends_with(".whl")
                    || pkg.ends_with(".tar.gz")
                    || pkg.ends_with(".zip")
                    || pkg.contains('$')
            }
            Manager::Npm => {
                // `@scope/name@1.2.3` or `name@1.2.3`; paths, URLs and git refs fix the source.
                let bare = pkg.strip_prefix('@').unwrap_or(pkg);
                bare.contains('@')
                    || pkg.contains("://")
                    || pkg.starts_with('.')
                    || pkg.contains(".tgz")
            }
            Manager::Gem => pkg.contains(':') || self.has_flag(&["-v", "--version"]),
            Manager::Go => pkg
                .split_once('@')
                .is_some_and(|(_, v)| v != "latest" && !v.is_empty()),
        }
    }
}

/// True when the RUN mounts a cache at one of `dirs` (`--mount=type=cache,target=/var/cache/apt`),
/// which keeps the package cache out of the layer.
pub fn cache_mount(run: &Instruction, dirs: &[&str]) -> bool {
    run.flags.iter().any(|f| {
        f.name == "mount"
            && f.value.as_deref().is_some_and(|v| {
                v.contains("type=cache")
                    && v.split(',').any(|kv| {
                        matches!(kv.split_once('='), Some(("target" | "dst" | "destination", t))
                            if dirs.iter().any(|d| t.trim_end_matches('/').starts_with(d)))
                    })
            })
    })
}

/// Stage names defined by `FROM ... AS name`, up to (not including) stage `before`.
pub fn earlier_stage(df: &Dockerfile, name: &str, before: usize) -> bool {
    let lower = name.to_ascii_lowercase();
    df.stages[..before.min(df.stages.len())]
        .iter()
        .any(|s| s.name.as_deref() == Some(lower.as_str()))
        || lower.parse::<usize>().is_ok_and(|i| i < before)
}

/// The image a stage builds on, when it is a real image: not an earlier stage, not `scratch`,
/// not a variable without a default.
pub fn external_image(stage: &Stage) -> Option<&str> {
    if stage.base_stage.is_some() {
        return None;
    }
    let image = stage.image.as_deref()?;
    (!image.is_empty() && !image.eq_ignore_ascii_case("scratch")).then_some(image)
}

/// The sources of a `COPY` or `ADD` (every argument but the destination; heredocs skipped).
pub fn copy_sources(inst: &Instruction) -> Vec<stockade_dockerfile::Word> {
    let mut words = inst.exec_form().unwrap_or_else(|| inst.words());
    words.pop();
    words.retain(|w| !w.text.starts_with("<<"));
    words
}

/// The destination of a `COPY` or `ADD`.
pub fn copy_dest(inst: &Instruction) -> Option<stockade_dockerfile::Word> {
    inst.exec_form().unwrap_or_else(|| inst.words()).pop()
}

/// A source `ADD` fetches over the network.
pub fn is_remote(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("git@")
        || l.starts_with("git://")
        || (l.contains("://") && l.contains(".git"))
}

/// A local tar archive, which `ADD` extracts.
pub fn is_archive(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz",
        ".bz2", ".xz", ".zst",
    ]
    .iter()
    .any(|e| l.ends_with(e))
}

/// True when `ENV name=...` (or `ARG name=...`) is set in the instruction's stage before it,
/// or in a stage it builds on.
pub fn env_set(df: &Dockerfile, inst: &Instruction, name: &str) -> bool {
    let mut stage = df.stage_of(inst);
    let mut limit = inst.pos.line;
    while let Some(s) = stage {
        let found = df.stage_instructions(s).iter().any(|i| {
            i.pos.line < limit
                && matches!(i.kind, Kind::Env | Kind::Arg)
                && i.pairs().iter().any(|(k, v)| k.text == name && v.is_some())
        });
        if found {
            return true;
        }
        stage = s.base_stage.and_then(|b| df.stages.get(b));
        limit = u32::MAX;
    }
    false
}
