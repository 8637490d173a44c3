//! Running the selected checks over inputs in parallel.

use std::collections::HashSet;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use rayon::prelude::*;
use stockade_checks::{Category, Check, Options};
use stockade_model::{Finding, Level, LoadError, Object, ObjectRef, Severity, Summary, pod_specs};

use crate::config::{Config, Exclusion};
use crate::inputs::Input;
use crate::suppress;

/// Files larger than this are refused by default (`--max-file-size`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// A configuration that names something that does not exist.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A check, name or category that is not in the catalog.
    #[error("unknown check or category `{0}` (see `stockade checks`)")]
    UnknownCheck(String),
    /// An option whose value is not valid.
    #[error(transparent)]
    InvalidOption(#[from] stockade_checks::OptionError),
    /// A glob that does not parse.
    #[error("invalid glob `{glob}` in exclude: {message}")]
    BadGlob {
        /// The glob.
        glob: String,
        /// Why.
        message: String,
    },
}

struct CompiledExclusion {
    namespace: Option<GlobMatcher>,
    kind: Option<String>,
    name: Option<GlobMatcher>,
    path: Option<GlobMatcher>,
    checks: HashSet<&'static str>,
}

/// The configured engine: which checks run, at which severity, with which options.
pub struct Engine {
    checks: Vec<(&'static Check, Severity)>,
    options: Options,
    exclusions: Vec<CompiledExclusion>,
    strict: bool,
    /// Files larger than this many bytes are refused with an error.
    pub max_file_size: u64,
    /// Lowest severity that fails the scan.
    pub fail_on: Severity,
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Findings, ordered by input, line, column and check.
    pub findings: Vec<Finding>,
    /// Input problems, in the same order.
    pub errors: Vec<LoadError>,
    /// Counts.
    pub summary: Summary,
}

impl ScanResult {
    /// True when any input could not be read or parsed.
    pub fn has_errors(&self) -> bool {
        self.errors.iter().any(|e| e.level == Level::Error)
    }
}

fn resolve(key: &str) -> Result<Vec<&'static Check>, EngineError> {
    if key == "all" {
        return Ok(stockade_checks::all().to_vec());
    }
    if let Some(cat) = Category::ALL.iter().find(|c| c.as_str() == key) {
        return Ok(stockade_checks::all()
            .iter()
            .copied()
            .filter(|c| c.category == *cat)
            .collect());
    }
    stockade_checks::find(key)
        .map(|c| vec![c])
        .ok_or_else(|| EngineError::UnknownCheck(key.to_string()))
}

fn glob(pattern: &Option<String>) -> Result<Option<GlobMatcher>, EngineError> {
    pattern
        .as_ref()
        .map(|g| {
            Glob::new(g)
                .map(|g| g.compile_matcher())
                .map_err(|e| EngineError::BadGlob {
                    glob: g.clone(),
                    message: e.kind().to_string(),
                })
        })
        .transpose()
}

impl Engine {
    /// Builds an engine from a configuration. `strict` ignores suppression annotations.
    pub fn new(config: &Config, strict: bool) -> Result<Self, EngineError> {
        config.options.validate()?;
        let mut selected: Vec<&'static Check> = match &config.select {
            Some(keys) => {
                let mut v = Vec::new();
                for k in keys {
                    v.extend(resolve(k)?);
                }
                v
            }
            None => stockade_checks::all()
                .iter()
                .copied()
                .filter(|c| c.default_on)
                .collect(),
        };
        for k in &config.enable {
            selected.extend(resolve(k)?);
        }
        let mut ignored = HashSet::new();
        for k in &config.ignore {
            ignored.extend(resolve(k)?.into_iter().map(|c| c.id));
        }
        selected.retain(|c| !ignored.contains(c.id));
        selected.sort_by_key(|c| c.id);
        selected.dedup_by_key(|c| c.id);
        let mut checks = Vec::with_capacity(selected.len());
        for c in selected {
            checks.push((c, c.severity));
        }
        for (key, sev) in &config.severity {
            let target =
                stockade_checks::find(key).ok_or_else(|| EngineError::UnknownCheck(key.clone()))?;
            for (c, s) in &mut checks {
                if c.id == target.id {
                    *s = *sev;
                }
            }
        }
        let mut exclusions = Vec::new();
        for Exclusion {
            namespace,
            kind,
            name,
            path,
            checks: ex_checks,
            reason: _,
        } in &config.exclude
        {
            let mut ids = HashSet::new();
            for k in ex_checks {
                ids.extend(resolve(k)?.into_iter().map(|c| c.id));
            }
            exclusions.push(CompiledExclusion {
                namespace: glob(namespace)?,
                kind: kind.clone(),
                name: glob(name)?,
                path: glob(path)?,
                checks: ids,
            });
        }
        Ok(Engine {
            checks,
            options: config.options.clone(),
            exclusions,
            strict,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            fail_on: config.fail_on.unwrap_or(Severity::High),
        })
    }

    /// The checks that run, with their effective severities.
    pub fn checks(&self) -> &[(&'static Check, Severity)] {
        &self.checks
    }

    /// Scans every input in parallel; the result's order follows the inputs.
    pub fn scan(&self, inputs: &[Input]) -> ScanResult {
        let per_file: Vec<FileResult> = inputs.par_iter().map(|i| self.scan_input(i)).collect();
        let mut result = ScanResult::default();
        for f in per_file {
            result.summary.files += usize::from(f.read);
            result.summary.objects += f.objects;
            result.summary.suppressed += f.suppressed;
            result.findings.extend(f.findings);
            result.errors.extend(f.errors);
        }
        result.summary.findings = result.findings.len();
        for f in &result.findings {
            *result.summary.by_severity.entry(f.severity).or_default() += 1;
        }
        result.summary.errors = result
            .errors
            .iter()
            .filter(|e| e.level == Level::Error)
            .count();
        result.summary.warnings = result.errors.len() - result.summary.errors;
        result
    }

    fn scan_input(&self, input: &Input) -> FileResult {
        match input {
            Input::Bytes(name, bytes) => self.scan_bytes(name, bytes),
            Input::File(path) => {
                let name = path.display().to_string();
                let error = |message: String| FileResult {
                    errors: vec![LoadError {
                        file: name.as_str().into(),
                        line: 0,
                        column: 0,
                        level: Level::Error,
                        message,
                    }],
                    ..FileResult::default()
                };
                match std::fs::metadata(path) {
                    Ok(m) if m.len() > self.max_file_size => {
                        return error(format!(
                            "file is {} MB, over the {} MB limit (raise it with --max-file-size)",
                            m.len() / 1_000_000,
                            self.max_file_size / 1_000_000
                        ));
                    }
                    Err(e) => return error(format!("cannot read: {e}")),
                    Ok(_) => {}
                }
                match std::fs::read(path) {
                    Ok(bytes) => self.scan_bytes(&name, &bytes),
                    Err(e) => error(format!("cannot read: {e}")),
                }
            }
        }
    }

    /// Scans one file's bytes.
    pub fn scan_bytes(&self, name: &str, bytes: &[u8]) -> FileResult {
        let loaded = stockade_model::load(name, bytes);
        let mut out = FileResult {
            read: true,
            objects: loaded.objects.len(),
            errors: loaded.errors,
            ..FileResult::default()
        };
        for obj in &loaded.objects {
            self.scan_object(obj, &mut out);
        }
        out.findings
            .sort_by(|a, b| (a.line, a.column, &a.check).cmp(&(b.line, b.column, &b.check)));
        out
    }

    /// Scans objects already loaded (the admission webhook builds them from the request's JSON
    /// without a second parse).
    pub fn scan_objects(&self, objects: &[Object]) -> FileResult {
        let mut out = FileResult {
            read: true,
            objects: objects.len(),
            ..FileResult::default()
        };
        for obj in objects {
            self.scan_object(obj, &mut out);
        }
        out.findings
            .sort_by(|a, b| (a.line, a.column, &a.check).cmp(&(b.line, b.column, &b.check)));
        out
    }

    fn excluded(&self, check: &Check, obj: &Object) -> bool {
        self.exclusions.iter().any(|x| {
            (x.checks.is_empty() || x.checks.contains(check.id))
                && x.kind.as_ref().is_none_or(|k| *k == obj.kind)
                && x.name.as_ref().is_none_or(|g| g.is_match(&obj.name))
                && x.namespace
                    .as_ref()
                    .is_none_or(|g| g.is_match(obj.namespace.as_deref().unwrap_or("")))
                && x.path
                    .as_ref()
                    .is_none_or(|g| g.is_match(Path::new(&*obj.file)))
        })
    }

    fn scan_object(&self, obj: &Object, out: &mut FileResult) {
        let pods = pod_specs(obj);
        let mut suppressions = if self.strict {
            Vec::new()
        } else {
            suppress::collect(obj, &pods)
        };
        let object = ObjectRef {
            api_version: obj.api_version.clone(),
            kind: obj.kind.clone(),
            namespace: obj.namespace.clone(),
            name: obj.name.clone(),
        };
        let mut ran = HashSet::new();
        let finding =
            |check: &'static Check, severity: Severity, hit: stockade_checks::Hit| Finding {
                check: check.id.into(),
                name: check.name.into(),
                severity,
                message: hit.message,
                file: obj.file.clone(),
                template: obj.source.clone(),
                line: hit.pos.line,
                column: hit.pos.col,
                object: object.clone(),
                container: hit.container,
                path: hit.path,
                remediation: check.remediation.into(),
                aliases: check.aliases,
            };
        for &(check, severity) in &self.checks {
            if check.category == Category::Meta || self.excluded(check, obj) {
                continue;
            }
            ran.insert(check.id);
            for hit in stockade_checks::run_check(check, obj, &pods, &self.options) {
                let silenced = suppressions.iter_mut().find(|s| {
                    !s.reason.is_empty()
                        && (s.check.eq_ignore_ascii_case(check.id) || s.check == check.name)
                        && s.container
                            .as_ref()
                            .is_none_or(|c| Some(c) == hit.container.as_ref())
                });
                if let Some(s) = silenced {
                    s.used = true;
                    out.suppressed += 1;
                    continue;
                }
                out.findings.push(finding(check, severity, hit));
            }
        }
        for s in suppressions {
            let known = stockade_checks::find(&s.check);
            let meta = if known.is_none() || s.reason.is_empty() {
                "invalid-suppression"
            } else if !s.used && known.is_some_and(|c| ran.contains(c.id)) {
                "unused-suppression"
            } else {
                continue;
            };
            let Some(&(check, severity)) = self.checks.iter().find(|(c, _)| c.name == meta) else {
                continue;
            };
            if self.excluded(check, obj) {
                continue;
            }
            let message = match (known, s.reason.is_empty()) {
                (None, _) => format!(
                    "suppression names no known check `{}`; it is not applied",
                    s.check
                ),
                (Some(_), true) => format!(
                    "suppression of `{}` gives no reason; it is not applied",
                    s.check
                ),
                _ => match &s.container {
                    Some(c) => format!(
                        "suppression of `{}` for container \"{c}\" matches no finding",
                        s.check
                    ),
                    None => format!("suppression of `{}` matches no finding", s.check),
                },
            };
            let hit = stockade_checks::Hit {
                message,
                pos: s.pos,
                path: s.path,
                container: s.container,
            };
            out.findings.push(finding(check, severity, hit));
        }
    }
}

/// What one file produced.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Whether the file was read.
    pub read: bool,
    /// Objects loaded.
    pub objects: usize,
    /// Findings.
    pub findings: Vec<Finding>,
    /// Load problems.
    pub errors: Vec<LoadError>,
    /// Findings silenced by annotations.
    pub suppressed: usize,
}
