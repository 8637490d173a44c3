//! Image admission policy: per image glob, the keys that must have signed it, or a plain
//! allow/deny. Verdicts are cached (bounded, with a time to live) so a webhook does not call
//! the registry for every pod; rules that need no signature never call it.
//!
//! The configuration is the value of an `images:` section (kebab-case keys):
//!
//! ```yaml
//! images:
//!   on-error: deny            # registry unreachable or failing: deny (default) or allow
//!   default: allow            # no rule matches: allow (default) or deny
//!   cache-ttl: 5m             # how long a verdict is reused (s, m, h)
//!   cache-size: 1000          # verdicts kept at most
//!   timeout: 3s               # per registry request
//!   rules:                    # first match wins; globs over registry/repository
//!     - image: "registry.example.com/team/**"
//!       keys: [keys/team.pub]
//!       require: any          # or all
//!     - image: "docker.io/library/*"
//!       action: allow
//!     - image: "**"
//!       action: deny
//!       message: images come from registry.example.com
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

use crate::Error;
use crate::cosign::{self, Require};
use crate::keys::PublicKey;
use crate::reference::Reference;
use crate::registry::{Client, ClientConfig};

/// What to do when verification cannot be completed (registry down, timeout, HTTP error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Deny the image (fail closed).
    #[default]
    Deny,
    /// Allow it with a warning (fail open).
    Allow,
}

/// A rule's fixed verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Admit without checking signatures.
    Allow,
    /// Refuse.
    Deny,
}

/// The `images:` section.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImagePolicyConfig {
    /// Rules, first match wins.
    #[serde(default)]
    pub rules: Vec<ImageRule>,
    /// Registry failures: deny or allow with a warning.
    #[serde(default)]
    pub on_error: OnError,
    /// When no rule matches.
    #[serde(default = "default_action")]
    pub default: Action,
    /// Verdict lifetime (`30s`, `5m`, `1h`).
    #[serde(default = "default_ttl")]
    pub cache_ttl: String,
    /// Verdicts kept at most.
    #[serde(default = "default_cache_size")]
    pub cache_size: usize,
    /// Per registry request (`3s`).
    #[serde(default = "default_timeout")]
    pub timeout: String,
    /// `stockade serve` only: `/mutate` replaces each verified image's tag with the digest it
    /// was verified at (`repo:tag@sha256:...`).
    #[serde(default)]
    pub rewrite_to_digest: bool,
}

impl Default for ImagePolicyConfig {
    fn default() -> Self {
        ImagePolicyConfig {
            rules: Vec::new(),
            on_error: OnError::Deny,
            default: Action::Allow,
            cache_ttl: default_ttl(),
            cache_size: default_cache_size(),
            timeout: default_timeout(),
            rewrite_to_digest: false,
        }
    }
}

impl ImagePolicyConfig {
    /// The configuration with relative key paths taken from `dir` (the configuration file's
    /// directory).
    pub fn with_base_dir(mut self, dir: &Path) -> Self {
        for rule in &mut self.rules {
            for key in &mut rule.keys {
                if key.is_relative() {
                    *key = dir.join(&*key);
                }
            }
        }
        self
    }
}

fn default_action() -> Action {
    Action::Allow
}
fn default_ttl() -> String {
    "5m".into()
}
fn default_cache_size() -> usize {
    1000
}
fn default_timeout() -> String {
    "3s".into()
}

/// One rule.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImageRule {
    /// Glob over `registry/repository` (`*` stays within a path segment, `**` crosses them).
    pub image: String,
    /// Public key files (relative to the configuration file) that must have signed.
    #[serde(default)]
    pub keys: Vec<PathBuf>,
    /// With several keys: any or all of them.
    #[serde(default)]
    pub require: Require,
    /// A fixed verdict instead of keys.
    #[serde(default)]
    pub action: Option<Action>,
    /// Shown when the rule denies.
    #[serde(default)]
    pub message: Option<String>,
}

/// The verdict on one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Admit. `digest` is the verified digest (to pin the image to) when signatures were
    /// checked.
    Allow {
        /// Why.
        reason: String,
        /// The verified manifest digest.
        digest: Option<String>,
    },
    /// Admit, but say why it was not verified (`on-error: allow`).
    Warn {
        /// The warning.
        warning: String,
    },
    /// Refuse.
    Deny {
        /// Why.
        reason: String,
    },
}

impl Decision {
    /// Whether the image may run.
    pub fn allowed(&self) -> bool {
        !matches!(self, Decision::Deny { .. })
    }
}

struct Rule {
    glob: String,
    matcher: GlobMatcher,
    keys: Vec<PublicKey>,
    require: Require,
    action: Option<Action>,
    message: Option<String>,
}

enum Offline {
    Decided(Decision),
    Verify(Reference, usize),
}

struct Cached {
    decision: Decision,
    expires: Instant,
}

/// A loaded policy with its registry client and verdict cache. Shareable between threads.
pub struct ImagePolicy {
    rules: Vec<Rule>,
    on_error: OnError,
    default: Action,
    ttl: Duration,
    capacity: usize,
    client: Client,
    cache: Mutex<HashMap<(String, usize), Cached>>,
    registry_calls: AtomicU64,
}

/// Parses `30s`, `5m`, `1h`, `250ms`.
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = s[..split].parse().ok()?;
    match &s[split..] {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n * 60)),
        "h" => Some(Duration::from_secs(n * 3600)),
        _ => None,
    }
}

impl std::fmt::Debug for ImagePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImagePolicy")
            .field(
                "rules",
                &self.rules.iter().map(|r| &r.glob).collect::<Vec<_>>(),
            )
            .field("on_error", &self.on_error)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ImagePolicy {
    /// Parses the `images:` section of a YAML configuration file (`origin` names it in
    /// errors; key paths are relative to `base_dir`).
    pub fn from_yaml_section(
        text: &str,
        origin: &str,
        base_dir: &Path,
        client: ClientConfig,
    ) -> Result<ImagePolicy, Error> {
        #[derive(Deserialize)]
        struct Outer {
            images: Option<ImagePolicyConfig>,
        }
        let outer: Outer = serde_saphyr::from_str(text).map_err(|e| Error::Policy {
            path: origin.to_string(),
            reason: format!("images: {e}"),
        })?;
        let config = outer.images.unwrap_or_default();
        ImagePolicy::new(config, origin, base_dir, client)
    }

    /// Loads the keys and compiles the globs of a configuration.
    pub fn new(
        config: ImagePolicyConfig,
        origin: &str,
        base_dir: &Path,
        mut client: ClientConfig,
    ) -> Result<ImagePolicy, Error> {
        let bad = |reason: String| Error::Policy {
            path: origin.to_string(),
            reason,
        };
        let ttl = parse_duration(&config.cache_ttl).ok_or_else(|| {
            bad(format!(
                "images.cache-ttl {:?}: expected 30s, 5m, 1h",
                config.cache_ttl
            ))
        })?;
        client.timeout = parse_duration(&config.timeout).ok_or_else(|| {
            bad(format!(
                "images.timeout {:?}: expected 3s, 500ms",
                config.timeout
            ))
        })?;
        let mut rules = Vec::new();
        for (i, r) in config.rules.into_iter().enumerate() {
            // `*` must not cross '/' (a repository path segment).
            let matcher = GlobBuilder::new(&r.image)
                .literal_separator(true)
                .build()
                .map_err(|e| bad(format!("images.rules[{i}].image {:?}: {e}", r.image)))?
                .compile_matcher();
            match (&r.action, r.keys.is_empty()) {
                (Some(_), false) => {
                    return Err(bad(format!(
                        "images.rules[{i}]: give either keys or action, not both"
                    )));
                }
                (None, true) => {
                    return Err(bad(format!("images.rules[{i}]: give keys or an action")));
                }
                _ => {}
            }
            let keys = r
                .keys
                .iter()
                .map(|k| {
                    let path = base_dir.join(k);
                    let mut key = PublicKey::from_file(&path)
                        .map_err(|e| bad(format!("images.rules[{i}].keys: {e}")))?;
                    key.name = k.strip_prefix(base_dir).unwrap_or(k).display().to_string();
                    Ok(key)
                })
                .collect::<Result<Vec<_>, Error>>()?;
            rules.push(Rule {
                glob: r.image,
                matcher,
                keys,
                require: r.require,
                action: r.action,
                message: r.message,
            });
        }
        Ok(ImagePolicy {
            rules,
            on_error: config.on_error,
            default: config.default,
            ttl,
            capacity: config.cache_size.max(1),
            client: Client::new(client)?,
            cache: Mutex::new(HashMap::new()),
            registry_calls: AtomicU64::new(0),
        })
    }

    /// How many verifications went to the registry (cache misses), for metrics and tests.
    pub fn registry_calls(&self) -> u64 {
        self.registry_calls.load(Ordering::Relaxed)
    }

    /// Whether evaluating `image` may call a registry (a rule with keys matches it).
    pub fn needs_registry(&self, image: &str) -> bool {
        match Reference::parse(image) {
            Ok(r) => self
                .rule_for(&r)
                .is_some_and(|(_, rule)| rule.action.is_none()),
            Err(_) => false,
        }
    }

    fn rule_for(&self, r: &Reference) -> Option<(usize, &Rule)> {
        let name = r.repository_name();
        self.rules
            .iter()
            .enumerate()
            .find(|(_, rule)| rule.matcher.is_match(&name))
    }

    /// The verdict on an image reference as written in a pod spec; calls the registry when a
    /// rule with keys matches and no fresh verdict is cached (blocking, bounded by `timeout`
    /// per request).
    pub fn evaluate(&self, image: &str) -> Decision {
        let (r, index) = match self.offline(image) {
            Offline::Decided(d) => return d,
            Offline::Verify(r, index) => (r, index),
        };
        let rule = &self.rules[index];
        self.registry_calls.fetch_add(1, Ordering::Relaxed);
        let decision = match cosign::verify(&self.client, &r, &rule.keys, rule.require) {
            Ok(v) if v.verified => Decision::Allow {
                reason: v.message,
                digest: Some(v.digest),
            },
            Ok(v) => Decision::Deny {
                reason: match &rule.message {
                    Some(m) => format!("{m}: {}", v.message),
                    None => format!("{r}: {}", v.message),
                },
            },
            Err(e) => {
                // Failures are not cached: the next request tries the registry again.
                return self.unverified(image, &e.to_string());
            }
        };
        let now = Instant::now();
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= self.capacity {
                cache.retain(|_, c| c.expires > now);
            }
            if cache.len() >= self.capacity {
                // Still full of live entries: drop the one closest to expiry.
                if let Some(oldest) = cache
                    .iter()
                    .min_by_key(|(_, c)| c.expires)
                    .map(|(k, _)| k.clone())
                {
                    cache.remove(&oldest);
                }
            }
            cache.insert(
                (r.to_string(), index),
                Cached {
                    decision: decision.clone(),
                    expires: now + self.ttl,
                },
            );
        }
        decision
    }

    /// The verdict when it needs no registry call: a fixed rule, no rule, a reference that
    /// does not parse, or a fresh cached verdict. `None`: [`Self::evaluate`] would call the
    /// registry.
    pub fn evaluate_offline(&self, image: &str) -> Option<Decision> {
        match self.offline(image) {
            Offline::Decided(d) => Some(d),
            Offline::Verify(..) => None,
        }
    }

    /// The configured failure mode applied to an image that could not be verified (`why`:
    /// the registry error, or a deadline that expired).
    pub fn unverified(&self, image: &str, why: &str) -> Decision {
        match self.on_error {
            OnError::Deny => Decision::Deny {
                reason: format!("cannot verify {image}: {why}"),
            },
            OnError::Allow => Decision::Warn {
                warning: format!("{image} admitted without verification: {why}"),
            },
        }
    }

    fn offline(&self, image: &str) -> Offline {
        let r = match Reference::parse(image) {
            Ok(r) => r,
            Err(e) => {
                return Offline::Decided(Decision::Deny {
                    reason: e.to_string(),
                });
            }
        };
        let Some((index, rule)) = self.rule_for(&r) else {
            return Offline::Decided(match self.default {
                Action::Allow => Decision::Allow {
                    reason: "no image rule matches".into(),
                    digest: None,
                },
                Action::Deny => Decision::Deny {
                    reason: format!("no image rule matches {}", r.repository_name()),
                },
            });
        };
        match rule.action {
            Some(Action::Allow) => {
                return Offline::Decided(Decision::Allow {
                    reason: format!("allowed by rule {:?}", rule.glob),
                    digest: None,
                });
            }
            Some(Action::Deny) => {
                return Offline::Decided(Decision::Deny {
                    reason: rule
                        .message
                        .clone()
                        .unwrap_or_else(|| format!("denied by rule {:?}", rule.glob)),
                });
            }
            None => {}
        }
        let key = (r.to_string(), index);
        if let Ok(cache) = self.cache.lock()
            && let Some(c) = cache.get(&key)
            && c.expires > Instant::now()
        {
            return Offline::Decided(c.decision.clone());
        }
        Offline::Verify(r, index)
    }

    /// Number of cached verdicts.
    pub fn cached(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Result<ImagePolicy, Error> {
        // Any registry call would go to a closed port and fail: fixed verdicts must not.
        ImagePolicy::from_yaml_section(
            yaml,
            ".stockade.yaml",
            Path::new("."),
            ClientConfig::default(),
        )
    }

    #[test]
    fn fixed_verdicts_and_globs_need_no_registry() {
        let p = policy(
            "images:\n  default: deny\n  rules:\n    - image: \"docker.io/library/*\"\n      action: allow\n    - image: \"ghcr.io/evil/**\"\n      action: deny\n      message: no evil\n",
        )
        .unwrap();
        assert!(p.evaluate("nginx:1.27").allowed());
        assert!(!p.needs_registry("nginx"));
        assert_eq!(
            p.evaluate("ghcr.io/evil/a/b:1"),
            Decision::Deny {
                reason: "no evil".into()
            }
        );
        // `*` does not cross '/'.
        assert_eq!(
            p.evaluate("docker.io/library/a/b"),
            Decision::Deny {
                reason: "no image rule matches docker.io/library/a/b".into()
            }
        );
        assert_eq!(p.registry_calls(), 0);
        assert!(!p.evaluate("Bad Image").allowed());
    }

    #[test]
    fn configuration_errors_name_the_rule() {
        let e = policy("images:\n  rules:\n    - image: \"a/**\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, ".stockade.yaml: images.rules[0]: give keys or an action");
        let e = policy("images:\n  cache-ttl: soon\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            ".stockade.yaml: images.cache-ttl \"soon\": expected 30s, 5m, 1h"
        );
        let e = policy("images:\n  rules:\n    - image: x\n      keys: [missing.pub]\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            ".stockade.yaml: images.rules[0].keys: ./missing.pub: No such file or directory (os error 2)"
        );
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
    }
}
