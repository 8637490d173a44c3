//! Registry credentials: docker `config.json` (`~/.docker/config.json`, `$DOCKER_CONFIG`), a
//! Kubernetes `kubernetes.io/dockerconfigjson` (or legacy `dockercfg`) Secret, and the
//! `WWW-Authenticate` challenges registries answer with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// User name and password (or token used as password).
    Basic { username: String, password: String },
    /// An OAuth2 refresh token (`identitytoken` in config.json).
    IdentityToken(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credential::IdentityToken(_) => write!(f, "IdentityToken(***)"),
        }
    }
}

/// Credentials by registry host, from any number of sources (later sources do not override
/// earlier ones: the first source naming a registry wins, as with imagePullSecrets).
#[derive(Debug, Clone, Default)]
pub struct AuthStore {
    entries: Vec<(String, Credential)>,
}

#[derive(serde::Deserialize)]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(serde::Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

#[derive(serde::Deserialize)]
struct Secret {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    data: BTreeMap<String, String>,
    #[serde(default, rename = "stringData")]
    string_data: BTreeMap<String, String>,
}

impl AuthStore {
    /// An empty store (anonymous access).
    pub fn new() -> AuthStore {
        AuthStore::default()
    }

    /// The default docker config: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`; a missing file is an empty store.
    pub fn from_default_docker_config() -> Result<AuthStore, Error> {
        let path = match std::env::var_os("DOCKER_CONFIG") {
            Some(dir) => PathBuf::from(dir).join("config.json"),
            None => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".docker/config.json"),
                None => return Ok(AuthStore::new()),
            },
        };
        if !path.exists() {
            return Ok(AuthStore::new());
        }
        let mut store = AuthStore::new();
        store.add_docker_config_file(&path)?;
        Ok(store)
    }

    /// Adds the `auths` of a docker config.json file.
    pub fn add_docker_config_file(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_docker_config_json(&text, &path.display().to_string())
    }

    /// Adds the `auths` of docker config.json text; `origin` names it in errors.
    pub fn add_docker_config_json(&mut self, text: &str, origin: &str) -> Result<(), Error> {
        let cfg: ConfigFile = serde_json::from_str(text).map_err(|e| Error::Credentials {
            path: origin.to_string(),
            reason: format!("not a docker config.json: {e}"),
        })?;
        self.add_auths(cfg.auths, origin)
    }

    fn add_auths(&mut self, auths: BTreeMap<String, AuthEntry>, origin: &str) -> Result<(), Error> {
        for (key, entry) in auths {
            let host = normalise_host(&key);
            let cred = entry_credential(&entry).map_err(|reason| Error::Credentials {
                path: origin.to_string(),
                reason: format!("auths[{key:?}]: {reason}"),
            })?;
            if let Some(cred) = cred
                && !self.entries.iter().any(|(h, _)| *h == host)
            {
                self.entries.push((host, cred));
            }
        }
        Ok(())
    }

    /// Adds a Kubernetes Secret file (YAML or JSON) of type `kubernetes.io/dockerconfigjson`
    /// (key `.dockerconfigjson`) or `kubernetes.io/dockercfg` (key `.dockercfg`), as given in
    /// a workload's imagePullSecrets.
    pub fn add_pull_secret_file(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_pull_secret(&text, &path.display().to_string())
    }

    /// [`AuthStore::add_pull_secret_file`] on text.
    pub fn add_pull_secret(&mut self, text: &str, origin: &str) -> Result<(), Error> {
        let err = |reason: String| Error::Credentials {
            path: origin.to_string(),
            reason,
        };
        let secret: Secret = serde_saphyr::from_str(text)
            .map_err(|e| err(format!("not a Kubernetes Secret: {e}")))?;
        let get = |key: &str| -> Result<Option<String>, Error> {
            if let Some(v) = secret.string_data.get(key) {
                return Ok(Some(v.clone()));
            }
            match secret.data.get(key) {
                Some(b64) => {
                    let bytes = STANDARD
                        .decode(b64.split_whitespace().collect::<String>())
                        .map_err(|e| err(format!("data[{key:?}] is not base64: {e}")))?;
                    String::from_utf8(bytes)
                        .map(Some)
                        .map_err(|_| err(format!("data[{key:?}] is not UTF-8")))
                }
                None => Ok(None),
            }
        };
        if let Some(json) = get(".dockerconfigjson")? {
            return self.add_docker_config_json(&json, &format!("{origin}: .dockerconfigjson"));
        }
        if let Some(json) = get(".dockercfg")? {
            // The legacy format is the `auths` map itself.
            let auths: BTreeMap<String, AuthEntry> = serde_json::from_str(&json)
                .map_err(|e| err(format!(".dockercfg is not JSON: {e}")))?;
            return self.add_auths(auths, origin);
        }
        Err(err(format!(
            "Secret of type {:?} has neither .dockerconfigjson nor .dockercfg",
            secret.kind.as_deref().unwrap_or("<none>")
        )))
    }

    /// Adds one credential for a registry host.
    pub fn insert(&mut self, registry: &str, cred: Credential) {
        let host = normalise_host(registry);
        self.entries.retain(|(h, _)| *h != host);
        self.entries.push((host, cred));
    }

    /// The credential for a registry (`docker.io` finds `https://index.docker.io/v1/`).
    pub fn get(&self, registry: &str) -> Option<&Credential> {
        let host = normalise_host(registry);
        self.entries
            .iter()
            .find(|(h, _)| *h == host)
            .map(|(_, c)| c)
    }

    /// Whether the store holds no credential.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn entry_credential(e: &AuthEntry) -> Result<Option<Credential>, String> {
    if let Some(token) = e.identitytoken.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Some(Credential::IdentityToken(token.clone())));
    }
    if let Some(auth) = e.auth.as_ref().filter(|a| !a.is_empty()) {
        let raw = STANDARD
            .decode(auth.trim())
            .map_err(|e| format!("auth is not base64: {e}"))?;
        let text = String::from_utf8(raw).map_err(|_| "auth is not UTF-8".to_string())?;
        let (username, password) = text
            .split_once(':')
            .ok_or_else(|| "auth is not base64 of user:password".to_string())?;
        return Ok(Some(Credential::Basic {
            username: username.to_string(),
            password: password.to_string(),
        }));
    }
    match (&e.username, &e.password) {
        (Some(u), Some(p)) => Ok(Some(Credential::Basic {
            username: u.clone(),
            password: p.clone(),
        })),
        _ => Ok(None),
    }
}

/// `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/x` → `host:5000`.
fn normalise_host(key: &str) -> String {
    let k = key.trim();
    let k = k
        .strip_prefix("https://")
        .or_else(|| k.strip_prefix("http://"))
        .unwrap_or(k);
    let host = k.split('/').next().unwrap_or(k).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => host,
    }
}

/// One `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `bearer` or `basic` (lowercased).
    pub scheme: String,
    /// Parameters with lowercased names (`realm`, `service`, `scope`, `error`).
    pub params: BTreeMap<String, String>,
}

/// Parses a `WWW-Authenticate` header value (RFC 7235: quoted strings with escapes, commas
/// inside quotes). Several challenges in one header are split at a scheme name; the first
/// Bearer or Basic challenge is what registries send.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let s = header.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && (s[*i] == b' ' || s[*i] == b'\t' || s[*i] == b',') {
            *i += 1;
        }
    };
    let token = |i: &mut usize| -> String {
        let start = *i;
        while *i < s.len() && !matches!(s[*i], b' ' | b'\t' | b',' | b'=') {
            *i += 1;
        }
        header[start..*i].to_string()
    };
    loop {
        skip_ws(&mut i);
        if i >= s.len() {
            break;
        }
        let word = token(&mut i);
        let mut j = i;
        while j < s.len() && (s[j] == b' ' || s[j] == b'\t') {
            j += 1;
        }
        if j < s.len() && s[j] == b'=' && !out.is_empty() {
            // A parameter of the current challenge.
            i = j + 1;
            while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
                i += 1;
            }
            let value = if i < s.len() && s[i] == b'"' {
                i += 1;
                let mut v = String::new();
                let mut chars = header[i..].char_indices();
                let mut end = header.len();
                while let Some((k, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                v.push(n);
                            }
                        }
                        '"' => {
                            end = i + k + 1;
                            break;
                        }
                        c => v.push(c),
                    }
                }
                i = end;
                v
            } else {
                token(&mut i)
            };
            if let Some(ch) = out.last_mut() {
                ch.params.insert(word.to_ascii_lowercase(), value);
            }
        } else if !word.is_empty() {
            out.push(Challenge {
                scheme: word.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
        } else {
            i += 1;
        }
    }
    out
}

/// `Basic base64(user:password)`.
pub fn basic_header(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{username}:{password}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenge_with_quoted_commas() {
        let h = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#;
        let c = parse_challenges(h);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].params["realm"], "https://auth.docker.io/token");
        assert_eq!(c[0].params["service"], "registry.docker.io");
        assert_eq!(c[0].params["scope"], "repository:library/nginx:pull,push");
    }

    #[test]
    fn parses_basic_and_several_challenges_and_escapes() {
        let c = parse_challenges(r#"Basic realm="Registry \"Realm\"""#);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].params["realm"], r#"Registry "Realm""#);
        let c = parse_challenges(
            r#"Basic realm="x", Bearer realm="https://t/token", error="insufficient_scope""#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].params["realm"], "https://t/token");
        assert_eq!(c[1].params["error"], "insufficient_scope");
        let c = parse_challenges("bearer realm=https://t/token,service=reg");
        assert_eq!(c[0].params["realm"], "https://t/token");
        assert_eq!(c[0].params["service"], "reg");
        assert!(parse_challenges("").is_empty());
    }

    #[test]
    fn reads_docker_config_auths() {
        let json = r#"{"auths":{
            "https://index.docker.io/v1/":{"auth":"dXNlcjpwYTpzcw=="},
            "127.0.0.1:5000":{"username":"u2","password":"p2"},
            "ghcr.io":{"identitytoken":"tok"},
            "quay.io":{}}}"#;
        let mut s = AuthStore::new();
        s.add_docker_config_json(json, "config.json").unwrap();
        assert_eq!(
            s.get("docker.io"),
            Some(&Credential::Basic {
                username: "user".into(),
                password: "pa:ss".into()
            })
        );
        assert_eq!(
            s.get("127.0.0.1:5000"),
            Some(&Credential::Basic {
                username: "u2".into(),
                password: "p2".into()
            })
        );
        assert_eq!(
            s.get("ghcr.io"),
            Some(&Credential::IdentityToken("tok".into()))
        );
        assert_eq!(s.get("quay.io"), None);
        let e = AuthStore::new()
            .add_docker_config_json(r#"{"auths":{"x":{"auth":"!!"}}}"#, "c.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.json: auths[\"x\"]: auth is not base64"),
            "{e}"
        );
    }

    #[test]
    fn reads_kubernetes_pull_secret() {
        let inner = r#"{"auths":{"reg.example.com":{"auth":"YTpi"}}}"#;
        let yaml = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
            STANDARD.encode(inner)
        );
        let mut s = AuthStore::new();
        s.add_pull_secret(&yaml, "secret.yaml").unwrap();
        assert_eq!(
            s.get("reg.example.com"),
            Some(&Credential::Basic {
                username: "a".into(),
                password: "b".into()
            })
        );
        let e = AuthStore::new()
            .add_pull_secret("kind: Secret\ntype: Opaque\ndata: {}\n", "s.yaml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "s.yaml: Secret of type \"Opaque\" has neither .dockerconfigjson nor .dockercfg"
        );
    }
}
