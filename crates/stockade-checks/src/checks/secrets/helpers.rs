//! Helpers shared by the secret checks: the secret-name heuristic, known token formats, and
//! service account fields that workflow engines set above the pod.

use stockade_model::{Node, Object, PodSpec};

/// A pod-level field, or for Argo Workflows the workflow-wide default (`spec.<key>`, or
/// `spec.workflowSpec.<key>` in a CronWorkflow) that applies to templates that do not set it.
/// Returns the node and its field path.
pub fn pod_field<'a>(obj: &'a Object, pod: &PodSpec<'a>, key: &str) -> Option<(&'a Node, String)> {
    if let Some(n) = pod.field(key) {
        return Some((n, stockade_model::format_exact!("{}.{key}", pod.path)));
    }
    if obj.group() != "argoproj.io" {
        return None;
    }
    [&["spec"][..], &["spec", "workflowSpec"][..]]
        .into_iter()
        .find_map(|base| {
            let n = obj.root.at(base)?.get(key).filter(|n| !n.is_null())?;
            Some((n, stockade_model::format_exact!("{}.{key}", base.join("."))))
        })
}

/// True for Tekton objects: a Task's pod gets its service account from the TaskRun or
/// PipelineRun that runs it, so the Task itself cannot be judged.
pub fn account_set_by_run(obj: &Object) -> bool {
    obj.group() == "tekton.dev"
}

/// Name fragments that mark a secret value, matched case-insensitively against the name with
/// separators removed (`DB_PASSWORD`, `dbPassword` and `db-password` all contain `password`).
pub const SECRET_NAME_FRAGMENTS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "credential",
    "accesskey",
    "authkey",
    "signingkey",
    "encryptionkey",
    "connectionstring",
];

/// Last words that make a secret-looking name describe the secret instead of holding it:
/// `PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `API_KEY_HEADER`, `AWS_ACCESS_KEY_ID`.
const METADATA_WORDS: &[&str] = &[
    "algorithm",
    "audience",
    "count",
    "dir",
    "duration",
    "enabled",
    "endpoint",
    "expiration",
    "expiry",
    "file",
    "format",
    "header",
    "host",
    "id",
    "issuer",
    "length",
    "lifetime",
    "limit",
    "location",
    "max",
    "min",
    "mode",
    "mount",
    "name",
    "namespace",
    "path",
    "policy",
    "port",
    "provider",
    "ref",
    "size",
    "store",
    "timeout",
    "ttl",
    "type",
    "uri",
    "url",
    "user",
    "username",
    "version",
];

/// Words that contain a fragment without being secrets (`MAX_TOKENS` of an LLM, a tokenizer).
const NOT_SECRET_WORDS: &[&str] = &["tokens", "tokenizer", "tokenizers"];

/// Splits `name` into lowercase words at non-alphanumerics and camelCase boundaries.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when an environment variable called `name` looks like it holds a secret: it contains
/// one of [`SECRET_NAME_FRAGMENTS`] or of `extra` (case-insensitive), or is a `*_PWD`, and its
/// last word does not say it is about the secret rather than the secret itself.
pub fn secret_like_name(name: &str, extra: &[String]) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if METADATA_WORDS.contains(&last.as_str()) {
        return false;
    }
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !NOT_SECRET_WORDS.contains(w))
        .collect();
    let joined: String = kept.concat();
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_FRAGMENTS.iter().any(|f| joined.contains(f))
        // `PWD` alone is the shell's working directory.
        || (kept.len() > 1 && kept.contains(&"pwd"))
        || extra.iter().map(|e| e.trim().to_ascii_lowercase()).any(|e| {
            !e.is_empty() && (lower.contains(&e) || joined.contains(&e.replace(['_', '-', '.'], "")))
        })
}

/// True when a literal `value` is obviously not a secret: empty, a reference resolved
/// elsewhere (`$(VAR)`, an unrendered `${VAR}` or `{{ .Values.x }}`), a file path, a boolean,
/// a short number, or a URL without a password in it.
pub fn obviously_not_secret(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.contains("$(")
        || v.contains("${")
        || v.contains("{{")
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || lower.starts_with("file:")
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "enabled"
                | "disabled"
                | "none"
                | "null"
        )
        || (v.len() < 6 && v.bytes().all(|b| b.is_ascii_digit()))
        || (v.contains("://") && url_password(v).is_none())
}

/// The password of a URL's user information (`scheme://user:password@host`), if any.
fn url_password(v: &str) -> Option<&str> {
    let rest = &v[v.find("://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let userinfo = &authority[..authority.rfind('@')?];
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then_some(password)
}

/// Occurrences of `prefix` at a word start followed by at least `min` characters of `set`.
fn prefixed(v: &str, prefix: &str, min: usize, set: fn(u8) -> bool) -> bool {
    let bytes = v.as_bytes();
    let mut from = 0;
    while let Some(i) = v[from..].find(prefix) {
        let start = from + i;
        let boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let run = bytes[start + prefix.len()..]
            .iter()
            .take_while(|b| set(**b))
            .count();
        if boundary && run >= min {
            return true;
        }
        from = start + prefix.len();
    }
    false
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// `prefix` followed by exactly `len` characters of `set` and nothing else: for prefixes too
/// short to search for inside longer text (`SK` of a Twilio key).
fn exact_prefixed(v: &str, prefix: &str, len: usize, set: fn(u8) -> bool) -> bool {
    v.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == len && rest.bytes().all(set))
}

/// A lowercase-or-uppercase hexadecimal UUID, `8-4-4-4-12`.
fn uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(hex))
}

/// A Terraform Cloud / Enterprise API token: `<14 characters>.atlasv1.<60 or more>`.
fn terraform_token(v: &str) -> bool {
    v.split_whitespace().any(|w| {
        let w = w.trim_matches(['"', '\'', ',']);
        let mut parts = w.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(id), Some("atlasv1"), Some(secret)) => {
                id.len() == 14
                    && id.bytes().all(alnum)
                    && secret.len() >= 60
                    && secret.bytes().all(|b| alnum_dash(b) || b == b'=')
            }
            _ => false,
        }
    })
}

/// A credential recognised by the vendor in the variable or key `name` plus the shape of
/// `value`, for vendors whose keys have no prefix of their own: Datadog API (32 hex) and
/// application (40 hex) keys, Okta API tokens (`00` and 40 more), SumoLogic access IDs and
/// keys, Heroku API keys (a UUID).
pub fn vendor_credential(name: &str, value: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let v = value.trim();
    let all = |set: fn(u8) -> bool| v.bytes().all(set);
    if (n.contains("datadog") || n.starts_with("dd_") || n.starts_with("dd-"))
        && (v.len() == 32 || v.len() == 40)
        && all(hex)
    {
        return Some("Datadog key");
    }
    if n.contains("okta") && v.len() == 42 && v.starts_with("00") && all(alnum_dash) {
        return Some("Okta API token");
    }
    if n.contains("sumo")
        && ((v.len() == 14 && v.starts_with("su") && all(alnum)) || (v.len() == 64 && all(alnum)))
    {
        return Some("SumoLogic access key");
    }
    if n.contains("heroku") && uuid(v) {
        return Some("Heroku API key");
    }
    None
}

/// Every prefix or marker `known_credential` looks for.
static MARKERS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::new([
        "-----BEGIN",
        "AKIA",
        "ASIA",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "xoxa-",
        "xoxr-",
        "xoxs-",
        "xoxe-",
        "sk_live_",
        "rk_live_",
        "AIza",
        "npm_",
        ".atlasv1.",
        "hvs.",
        "hvb.",
        "NRAK-",
        "NRII-",
        "SK",
        "sdk-",
        "api-",
        "ATBB",
        "HRKU-",
        "eyJ",
        "://",
    ])
    .expect("fixed patterns")
});

/// Whether `text` holds any marker [`known_credential`] looks for: when it does not, no line
/// or part of it is a known credential.
pub fn any_marker(text: &str) -> bool {
    MARKERS.is_match(text)
}

/// What kind of credential `value` looks like, whatever the variable is called: cloud and
/// forge tokens with a recognisable prefix, PEM private keys, JWTs and URLs with a password.
pub fn known_credential(value: &str) -> Option<&'static str> {
    let v = value.trim();
    // One pass over the value for every marker below; most values carry none.
    if !MARKERS.is_match(v) {
        return None;
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("private key");
    }
    for p in ["AKIA", "ASIA"] {
        if prefixed(v, p, 16, upper_alnum) {
            return Some("AWS access key ID");
        }
    }
    for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if prefixed(v, p, 36, alnum) {
            return Some("GitHub token");
        }
    }
    if prefixed(v, "github_pat_", 22, alnum_underscore) {
        return Some("GitHub token");
    }
    if prefixed(v, "glpat-", 20, alnum_dash) {
        return Some("GitLab token");
    }
    for p in ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-"] {
        if prefixed(v, p, 10, alnum_dash) {
            return Some("Slack token");
        }
    }
    for p in ["sk_live_", "rk_live_"] {
        if prefixed(v, p, 16, alnum) {
            return Some("Stripe key");
        }
    }
    if prefixed(v, "AIza", 35, alnum_dash) {
        return Some("Google API key");
    }
    if prefixed(v, "npm_", 36, alnum) {
        return Some("npm access token");
    }
    if terraform_token(v) {
        return Some("Terraform Cloud token");
    }
    if prefixed(v, "hvs.", 24, alnum_dash) || prefixed(v, "hvb.", 24, alnum_dash) {
        return Some("HashiCorp Vault token");
    }
    if prefixed(v, "NRAK-", 27, upper_alnum) || prefixed(v, "NRII-", 32, alnum_dash) {
        return Some("New Relic key");
    }
    if prefixed(v, "ATBB", 32, alnum) {
        return Some("Bitbucket app password");
    }
    if prefixed(v, "HRKU-", 40, alnum_dash) {
        return Some("Heroku API key");
    }
    if exact_prefixed(v, "SK", 32, hex) {
        return Some("Twilio API key");
    }
    if ["sdk-", "api-"]
        .iter()
        .any(|p| v.strip_prefix(p).is_some_and(uuid))
    {
        return Some("LaunchDarkly key");
    }
    let jwt: Vec<&str> = v.split('.').collect();
    if jwt.len() == 3
        && jwt[0].starts_with("eyJ")
        && jwt[1].starts_with("eyJ")
        && jwt
            .iter()
            .all(|s| s.len() >= 10 && s.bytes().all(alnum_dash))
    {
        return Some("JSON Web Token");
    }
    if v.contains("://") && url_password(v).is_some_and(|p| !p.contains("$(") && !p.contains("${"))
    {
        return Some("URL with an embedded password");
    }
    None
}

/// The start of a secret for a message: at most the first 4 characters (fewer for short
/// values, a quarter of the length at most) followed by `…`, so output never carries enough
/// of the value to use it.
pub fn redact(value: &str) -> String {
    let v = value.trim();
    let n = (v.chars().count() / 4).min(4);
    let mut s: String = v.chars().take(n).collect();
    s.push('…');
    s
}

/// Shannon entropy of `v` in bits per character.
pub fn entropy(v: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in v.bytes() {
        counts[b as usize] += 1;
    }
    let len = v.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / len;
            -p * p.log2()
        })
        .sum()
}

/// True for a placeholder written where a secret goes (`<password>`, `***`, `xxxx`,
/// `changeit`-style markers are real defaults and are not placeholders).
pub fn placeholder(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with('<') && v.ends_with('>'))
        || (v.len() >= 3
            && v.bytes()
                .all(|b| matches!(b, b'*' | b'x' | b'X' | b'.' | b'-' | b'#')))
        || v.contains("REPLACE")
        || v.contains("CHANGE_ME")
}

/// True for a value that reads like a generated secret: one word of at least 8 characters
/// with letters and digits and at least 3 bits of entropy per character, not obviously
/// something else (paths such as `database/creds/db` have no digits).
pub fn token_like(value: &str) -> bool {
    let v = value.trim();
    v.len() >= 8
        && !v.chars().any(char::is_whitespace)
        && !obviously_not_secret(v)
        && !placeholder(v)
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && entropy(v) >= 3.0
}

/// `key = value` / `key: value` / `"key": "value",` / `export KEY=value` assignments in a
/// configuration file's text, as (1-based line, key, value with quotes removed).
pub fn assignments(text: &str) -> impl Iterator<Item = (usize, &str, &str)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("//") || line.starts_with(';') {
            return None;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let at = line.find(['=', ':'])?;
        let key = line[..at].trim().trim_matches(['"', '\'', '-', ' ']);
        let value = line[at + 1..]
            .trim()
            .trim_end_matches([',', ';'])
            .trim_matches(['"', '\'']);
        (!key.is_empty() && !key.contains(' ')).then_some((i + 1, key, value))
    })
}

#[cfg(test)]
mod tests {
    use super::{
        assignments, entropy, known_credential, obviously_not_secret, redact, secret_like_name,
        token_like, vendor_credential,
    };

    #[test]
    fn secret_names() {
        let none: &[String] = &[];
        for yes in [
            "DB_PASSWORD",
            "dbPassword",
            "MYSQL_ROOT_PASSWD",
            "API_KEY",
            "apiKey",
            "STRIPE_SECRET_KEY",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
            "REDIS_PWD",
            "client-secret",
        ] {
            assert!(secret_like_name(yes, none), "{yes}");
        }
        for no in [
            "PWD",
            "OLDPWD",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "passwordPath",
            "MAX_TOKENS",
            "TOKENIZER_MODEL",
            "LOG_LEVEL",
            "",
        ] {
            assert!(!secret_like_name(no, none), "{no}");
        }
        let extra = vec!["LICENSE".to_string(), "sas_sig".to_string()];
        assert!(secret_like_name("ACME_LICENSE", &extra));
        assert!(secret_like_name("BLOB_SASSIG", &extra));
        assert!(!secret_like_name("LICENSE_FILE", &extra));
    }

    #[test]
    fn values_that_are_not_secrets() {
        for v in [
            "",
            "$(DB_PASSWORD)",
            "${PASSWORD}",
            "{{ .Values.password }}",
            "/run/secrets/db",
            "true",
            "Off",
            "3600",
            "https://auth.example.com/oauth/token",
        ] {
            assert!(obviously_not_secret(v), "{v}");
        }
        for v in [
            "hunter2",
            "123456",
            "postgres://app:s3cret@db/app",
            "changeme",
        ] {
            assert!(!obviously_not_secret(v), "{v}");
        }
    }

    #[test]
    fn known_credential_formats() {
        let k = known_credential;
        assert_eq!(k("AKIAIOSFODNN7EXAMPLE"), Some("AWS access key ID"));
        assert_eq!(k("xAKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(k("AKIA-short"), None);
        assert_eq!(
            k("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            Some("GitHub token")
        );
        assert_eq!(k("ghp_short"), None);
        assert_eq!(
            k("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----"),
            Some("private key")
        );
        assert_eq!(k("-----BEGIN CERTIFICATE-----"), None);
        assert_eq!(k("xoxb-1234567890-abcdefghij"), Some("Slack token"));
        assert_eq!(k("glpat-abcdefghij0123456789"), Some("GitLab token"));
        assert_eq!(
            k("AIzaSyA1234567890abcdefghijklmnopqrstuv"),
            Some("Google API key")
        );
        assert_eq!(
            k(
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
            ),
            Some("JSON Web Token")
        );
        assert_eq!(
            k("postgres://app:s3cret@db:5432/app"),
            Some("URL with an embedded password")
        );
        assert_eq!(k("postgres://app@db:5432/app"), None);
        assert_eq!(k("postgres://app:$(DB_PASSWORD)@db/app"), None);
        assert_eq!(k("https://example.com/a:b@c"), None);
        assert_eq!(k("nginx:1.27"), None);
        assert_eq!(
            k("npm_abcdefghijklmnopqrstuvwxyz0123456789"),
            Some("npm access token")
        );
        let tf = format!("ABCDEFGHIJ0123.atlasv1.{}", "a1B2c3D4e5".repeat(7));
        assert_eq!(k(&tf), Some("Terraform Cloud token"));
        assert_eq!(
            k("hvs.CAESIJabcdefghijklmnopqrstuvwxyz0123"),
            Some("HashiCorp Vault token")
        );
        assert_eq!(k("NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0"), Some("New Relic key"));
        assert_eq!(
            k("ATBBabcdefghijklmnopqrstuvwxyz012345"),
            Some("Bitbucket app password")
        );
        assert_eq!(
            k("SK0123456789abcdef0123456789abcdef"),
            Some("Twilio API key")
        );
        assert_eq!(k("SKIP"), None);
        assert_eq!(k("DISK0123456789abcdef0123456789abcdef"), None);
        assert_eq!(
            k("sdk-12345678-90ab-cdef-1234-567890abcdef"),
            Some("LaunchDarkly key")
        );
        assert_eq!(k("api-server"), None);
    }

    #[test]
    fn vendor_credentials_need_the_vendor_name() {
        let hex32 = "0123456789abcdef0123456789abcdef";
        assert_eq!(vendor_credential("DD_API_KEY", hex32), Some("Datadog key"));
        assert_eq!(vendor_credential("CHECKSUM", hex32), None);
        assert_eq!(
            vendor_credential("OKTA_TOKEN", "00abcdefghijklmnopqrstuvwxyz0123456789ABCD"),
            Some("Okta API token")
        );
        assert_eq!(
            vendor_credential("SUMO_ACCESS_ID", "suABCDEFGH1234"),
            Some("SumoLogic access key")
        );
        assert_eq!(
            vendor_credential("HEROKU_API_KEY", "12345678-90ab-cdef-1234-567890abcdef"),
            Some("Heroku API key")
        );
        assert_eq!(vendor_credential("HEROKU_APP", "my-app"), None);
    }

    #[test]
    fn redaction_keeps_at_most_four_characters() {
        assert_eq!(redact("hunter2"), "h…");
        assert_eq!(redact("abc"), "…");
        assert_eq!(redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "ghp_…");
    }

    #[test]
    fn token_likeness() {
        assert!(entropy("aaaa") < 0.01);
        assert!(token_like("Zk8s9QpL2vXw7Yb3"));
        assert!(!token_like("changeme"));
        assert!(!token_like("<your-password>"));
        assert!(!token_like("${DB_PASSWORD}"));
        assert!(!token_like("two words here"));
        assert!(!token_like("short"));
        assert!(!token_like("database/creds/db"));
    }

    #[test]
    fn assignments_in_config_files() {
        let text = "# password=commented\nspring.datasource.password=Zk8s9QpL\n  \"apiKey\": \"abc\",\nexport TOKEN='t0k'\nplain line\n";
        let got: Vec<_> = assignments(text).collect();
        assert_eq!(
            got,
            vec![
                (2, "spring.datasource.password", "Zk8s9QpL"),
                (3, "apiKey", "abc"),
                (4, "TOKEN", "t0k"),
            ]
        );
    }
}
