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
//!   timeout: 3s               # per registry request (--registry-timeout overrides it)
//!   rules:                    # first match wins; globs over registry/repository
//!     - image: "registry.example.com/team/**"
//!       keys: [keys/team.pub]
//!       require: any          # or all
//!     - image: "ghcr.io/acme/**"
//!       keyless:              # Fulcio certificates, judged at their Rekor time
//!         - identity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main
//!           issuer: https://token.actions.githubusercontent.com
//!         - identity-regexp: ".*@acme\\.com"
//!           issuer: https://accounts.google.com
//!       trusted-root: keys/trusted_root.json
//!     - image: "docker.io/library/*"
//!       action: allow
//!     - image: "**"
//!       action: deny
//!       message: images come from registry.example.com
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

use crate::Error;
use crate::cosign::{self, Require};
use crate::keyless::{Identity, Trust};
use crate::keys::PublicKey;
use crate::reference::Reference;
use crate::registry::{Client, ClientConfig};
use crate::sigstore::TrustedRoot;

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
            for key in rule.keys.iter_mut().chain(rule.trusted_root.as_mut()) {
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
    /// Keyless signers (Fulcio certificates): each an identity and its OIDC issuer.
    #[serde(default)]
    pub keyless: Vec<KeylessSigner>,
    /// Sigstore trusted root (`trusted_root.json`, or PEM with the Fulcio CA certificates
    /// and Rekor public keys), relative to the configuration file. Needed by `keyless`;
    /// with `keys`, the Rekor entries signatures carry are verified against it.
    #[serde(default)]
    pub trusted_root: Option<PathBuf>,
    /// With several keys or keyless signers: any or all of them.
    #[serde(default)]
    pub require: Require,
    /// A fixed verdict instead of keys.
    #[serde(default)]
    pub action: Option<Action>,
    /// Shown when the rule denies.
    #[serde(default)]
    pub message: Option<String>,
}

/// A keyless signer: the certificate's subject alternative name (exactly, or a regular
/// expression matching all of it) and its OIDC issuer.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KeylessSigner {
    /// The identity exactly (an email, or a URI such as a GitHub workflow ref).
    #[serde(default)]
    pub identity: Option<String>,
    /// A regular expression the whole identity must match.
    #[serde(default)]
    pub identity_regexp: Option<String>,
    /// The OIDC issuer (`https://token.actions.githubusercontent.com`).
    pub issuer: String,
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
    trust: Trust,
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
    timeout: Duration,
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
        let timeout = parse_duration(&config.timeout).ok_or_else(|| {
            bad(format!(
                "images.timeout {:?}: expected 3s, 500ms",
                config.timeout
            ))
        })?;
        // A timeout given on the command line wins over the configuration's.
        if !client.timeout_is_explicit {
            client.timeout = timeout;
        }
        let mut rules = Vec::new();
        for (i, r) in config.rules.into_iter().enumerate() {
            // `*` must not cross '/' (a repository path segment).
            let matcher = GlobBuilder::new(&r.image)
                .literal_separator(true)
                .build()
                .map_err(|e| bad(format!("images.rules[{i}].image {:?}: {e}", r.image)))?
                .compile_matcher();
            match (&r.action, r.keys.is_empty() && r.keyless.is_empty()) {
                (Some(_), false) => {
                    return Err(bad(format!(
                        "images.rules[{i}]: give either keys (or keyless) or action, not both"
                    )));
                }
                (None, true) => {
                    return Err(bad(format!(
                        "images.rules[{i}]: give keys, keyless or an action"
                    )));
                }
                _ => {}
            }
            let identities =
                r.keyless
                    .iter()
                    .enumerate()
                    .map(|(j, k)| {
                        let at = format!("images.rules[{i}].keyless[{j}]");
                        match (&k.identity, &k.identity_regexp) {
                            (Some(id), None) => Ok(Identity::exact(id, &k.issuer)),
                            (None, Some(re)) => Identity::regex(re, &k.issuer)
                                .map_err(|e| bad(format!("{at}: {e}"))),
                            _ => Err(bad(format!(
                                "{at}: give one of identity and identity-regexp"
                            ))),
                        }
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
            let root = match &r.trusted_root {
                Some(p) => Some(Arc::new(
                    TrustedRoot::from_file(&base_dir.join(p))
                        .map_err(|e| bad(format!("images.rules[{i}].trusted-root: {e}")))?,
                )),
                None if !identities.is_empty() => {
                    return Err(bad(format!(
                        "images.rules[{i}]: keyless needs trusted-root (Sigstore's \
                         trusted_root.json, or PEM with the Fulcio CAs and Rekor keys)"
                    )));
                }
                None => None,
            };
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
                trust: Trust {
                    keys,
                    identities,
                    root,
                    require: r.require,
                },
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
            timeout: client.timeout,
            client: Client::new(client)?,
            cache: Mutex::new(HashMap::new()),
            registry_calls: AtomicU64::new(0),
        })
    }

    /// The per-request registry deadline in force: `images.timeout`, or the client's when it
    /// was given explicitly.
    pub fn timeout(&self) -> Duration {
        self.timeout
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
        let decision = match cosign::verify_with(&self.client, &r, &rule.trust) {
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
    fn explicit_client_timeout_overrides_images_timeout() {
        let yaml = "images:\n  timeout: 250ms\n";
        assert_eq!(policy(yaml).unwrap().timeout(), Duration::from_millis(250));
        let explicit = ClientConfig {
            timeout: Duration::from_secs(7),
            timeout_is_explicit: true,
            ..ClientConfig::default()
        };
        let p = ImagePolicy::from_yaml_section(yaml, "c.yaml", Path::new("."), explicit).unwrap();
        assert_eq!(p.timeout(), Duration::from_secs(7));
        // Without `timeout:` the default 3s applies, not the client's implicit 10s.
        assert_eq!(
            policy("images: {}\n").unwrap().timeout(),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn configuration_errors_name_the_rule() {
        let e = policy("images:\n  rules:\n    - image: \"a/**\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            ".stockade.yaml: images.rules[0]: give keys, keyless or an action"
        );
        let e = policy(
            "images:\n  rules:\n    - image: x\n      keyless:\n        - identity: a@b.c\n          issuer: https://i\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            ".stockade.yaml: images.rules[0]: keyless needs trusted-root (Sigstore's \
             trusted_root.json, or PEM with the Fulcio CAs and Rekor keys)"
        );
        let e = policy(
            "images:\n  rules:\n    - image: x\n      trusted-root: r.json\n      keyless:\n        - issuer: https://i\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            ".stockade.yaml: images.rules[0].keyless[0]: give one of identity and identity-regexp"
        );
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
