//! Packages pinned by lockfiles: Cargo.lock, package-lock.json (v1-v3), yarn.lock (v1 and
//! berry), pnpm-lock.yaml, poetry.lock, requirements.txt (`==` pins), go.mod (go.sum when
//! there is no go.mod beside it) and Gemfile.lock.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{package, problem};
use crate::{Package, PackageType, Problem};

pub(crate) fn parse(
    path: &str,
    base: &str,
    data: &[u8],
    problems: &mut Vec<Problem>,
) -> Vec<Package> {
    let text = String::from_utf8_lossy(data);
    let pairs: Result<Vec<(String, String)>, String> = match base {
        "Cargo.lock" => toml_packages(&text),
        "poetry.lock" => toml_packages(&text),
        "package-lock.json" => package_lock(&text),
        "yarn.lock" => Ok(yarn_lock(&text)),
        "pnpm-lock.yaml" => pnpm_lock(&text),
        "requirements.txt" => Ok(requirements(&text)),
        "go.mod" => Ok(go_mod(&text)),
        "go.sum" => Ok(go_sum(&text)),
        "Gemfile.lock" => Ok(gemfile_lock(&text)),
        _ => Ok(Vec::new()),
    };
    let kind = match base {
        "Cargo.lock" => PackageType::Cargo,
        "poetry.lock" | "requirements.txt" => PackageType::Pypi,
        "go.mod" | "go.sum" => PackageType::Golang,
        "Gemfile.lock" => PackageType::Gem,
        _ => PackageType::Npm,
    };
    match pairs {
        Ok(pairs) => {
            let unique: BTreeSet<(String, String)> = pairs.into_iter().collect();
            unique
                .into_iter()
                .map(|(n, v)| package(kind, &n, &v, path))
                .collect()
        }
        Err(e) => {
            problems.push(problem(path, e));
            Vec::new()
        }
    }
}

/// `[[package]]` tables with `name` and `version` (Cargo.lock, poetry.lock).
fn toml_packages(text: &str) -> Result<Vec<(String, String)>, String> {
    #[derive(serde::Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        name: String,
        version: String,
    }
    let lock: Lock = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    Ok(lock
        .package
        .into_iter()
        .map(|e| (e.name, e.version))
        .collect())
}

fn json_error(e: serde_json::Error) -> String {
    format!("line {}: {e}", e.line())
}

fn package_lock(text: &str) -> Result<Vec<(String, String)>, String> {
    let v: Value = serde_json::from_str(text).map_err(json_error)?;
    let mut out = Vec::new();
    if let Some(pkgs) = v.get("packages").and_then(Value::as_object) {
        // v2/v3: keys are install paths; "" is the project itself.
        for (key, p) in pkgs {
            if key.is_empty() || p.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| key.rsplit_once("node_modules/").map(|(_, n)| n.to_string()));
            if let (Some(name), Some(ver)) = (name, p.get("version").and_then(Value::as_str)) {
                out.push((name, ver.to_string()));
            }
        }
    } else if let Some(deps) = v.get("dependencies").and_then(Value::as_object) {
        // v1: nested `dependencies` objects.
        let mut stack: Vec<&serde_json::Map<String, Value>> = vec![deps];
        while let Some(deps) = stack.pop() {
            for (name, d) in deps {
                if let Some(ver) = d.get("version").and_then(Value::as_str) {
                    // Linked local packages have `file:` versions.
                    if !ver.starts_with("file:") {
                        out.push((name.clone(), ver.to_string()));
                    }
                }
                if let Some(sub) = d.get("dependencies").and_then(Value::as_object) {
                    stack.push(sub);
                }
            }
        }
    }
    Ok(out)
}

/// The package name of a yarn descriptor: `"@scope/name@^1.0.0"`, `name@npm:^1`.
fn yarn_name(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let at = spec[1..].find('@')? + 1;
    Some(&spec[..at])
}

/// yarn.lock v1 (`version "1.2.3"`) and berry (`version: 1.2.3`): unindented descriptor
/// lines, then indented fields.
fn yarn_lock(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    let mut workspace = false;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let header = line.trim_end_matches(':');
            let first = header.split(", ").next().unwrap_or(header);
            workspace = first.contains("@workspace:") || first.contains("@link:");
            name = if first.trim_matches('"') == "__metadata" {
                None
            } else {
                yarn_name(first).map(str::to_string)
            };
            continue;
        }
        let field = line.trim();
        let version = field
            .strip_prefix("version ")
            .or_else(|| field.strip_prefix("version: "));
        if let (Some(n), Some(v)) = (&name, version)
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && !workspace
        {
            out.push((n.clone(), v.trim().trim_matches('"').to_string()));
        }
    }
    out
}

/// pnpm-lock.yaml `packages:` keys: `/name/1.2.3` (v5), `/name@1.2.3(peer)` (v6),
/// `name@1.2.3` (v9).
fn pnpm_lock(text: &str) -> Result<Vec<(String, String)>, String> {
    let v: Value = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let Some(pkgs) = v.get("packages").and_then(Value::as_object) else {
        return Ok(out);
    };
    for key in pkgs.keys() {
        let k = key.strip_prefix('/').unwrap_or(key);
        let k = k.split('(').next().unwrap_or(k);
        let pair = match k[1.min(k.len())..].find('@') {
            Some(i) => Some((k[..i + 1].to_string(), k[i + 2..].to_string())),
            None => k
                .rsplit_once('/')
                .map(|(n, v)| (n.to_string(), v.split('_').next().unwrap_or(v).to_string())),
        };
        if let Some((n, v)) = pair.filter(|(n, v)| !n.is_empty() && !v.is_empty()) {
            out.push((n, v));
        }
    }
    Ok(out)
}

/// `name==version` lines (extras, markers, hashes and comments ignored).
fn requirements(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or(line).trim();
        if line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        let line = line.split(';').next().unwrap_or(line);
        let Some((name, version)) = line.split_once("==") else {
            continue;
        };
        let name = name.split('[').next().unwrap_or(name).trim();
        let version = version
            .split([' ', '\\', ','])
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches('=');
        if !name.is_empty() && !version.is_empty() && !version.contains('*') {
            out.push((name.to_string(), version.to_string()));
        }
    }
    out
}

/// `require` lines and blocks of go.mod, with `replace` applied.
fn go_mod(text: &str) -> Vec<(String, String)> {
    let mut reqs: Vec<(String, String)> = Vec::new();
    let mut replaces: Vec<(String, String, String)> = Vec::new();
    let mut block: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line == ")" {
            block = None;
            continue;
        }
        let (directive, rest) = match block {
            Some(b) => (b, line),
            None => {
                let (d, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                if rest.trim() == "(" {
                    block = Some(match d {
                        "require" => "require",
                        "replace" => "replace",
                        _ => "other",
                    });
                    continue;
                }
                (d, rest.trim())
            }
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        match directive {
            "require" if f.len() >= 2 => reqs.push((f[0].to_string(), f[1].to_string())),
            "replace" => {
                if let Some(arrow) = f.iter().position(|x| *x == "=>")
                    && let (Some(old), Some(new), Some(ver)) =
                        (f.first(), f.get(arrow + 1), f.get(arrow + 2))
                {
                    replaces.push((old.to_string(), new.to_string(), ver.to_string()));
                }
            }
            _ => {}
        }
    }
    for (old, new, ver) in replaces {
        for r in reqs.iter_mut().filter(|r| r.0 == old) {
            *r = (new.clone(), ver.clone());
        }
    }
    reqs
}

fn go_sum(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (name, ver) = (f.next()?, f.next()?);
            (!ver.ends_with("/go.mod")).then(|| (name.to_string(), ver.to_string()))
        })
        .collect()
}

/// The `specs:` of the `GEM` section: `    name (version)` at four spaces.
fn gemfile_lock(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut in_gem = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_gem = line.trim() == "GEM";
            continue;
        }
        if !in_gem || !line.starts_with("    ") || line.starts_with("     ") {
            continue;
        }
        let l = line.trim();
        if let Some((name, ver)) = l.split_once(" (") {
            out.push((name.to_string(), ver.trim_end_matches(')').to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str, data: &str) -> Vec<String> {
        let base = path.rsplit('/').next().unwrap();
        let mut problems = Vec::new();
        let pkgs = parse(path, base, data.as_bytes(), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        pkgs.into_iter().map(|p| p.purl).collect()
    }

    #[test]
    fn cargo_and_poetry() {
        let lock = "version = 3\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+x\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n";
        assert_eq!(
            names("Cargo.lock", lock),
            ["pkg:cargo/app@0.1.0", "pkg:cargo/serde@1.0.200"]
        );
        let poetry = "[[package]]\nname = \"Django\"\nversion = \"4.2.1\"\n[package.dependencies]\nx = \"*\"\n";
        assert_eq!(names("poetry.lock", poetry), ["pkg:pypi/django@4.2.1"]);
    }

    #[test]
    fn package_lock_versions() {
        let v3 = r#"{"lockfileVersion":3,"packages":{"":{"name":"app","version":"1.0.0"},
            "node_modules/@babel/core":{"version":"7.1.2"},
            "node_modules/a/node_modules/b":{"version":"2.0.0"},
            "packages/local":{"version":"0.0.1","link":true}}}"#;
        assert_eq!(
            names("package-lock.json", v3),
            ["pkg:npm/%40babel/core@7.1.2", "pkg:npm/b@2.0.0"]
        );
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},"c":{"version":"file:../c"}}}"#;
        assert_eq!(
            names("package-lock.json", v1),
            ["pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0"]
        );
    }

    #[test]
    fn yarn_v1_and_berry() {
        let v1 = "# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"https://x\"\n  dependencies:\n    \"@babel/highlight\" \"^7.12.13\"\n\nlodash@^4.17.20:\n  version \"4.17.21\"\n";
        assert_eq!(
            names("yarn.lock", v1),
            [
                "pkg:npm/%40babel/code-frame@7.12.13",
                "pkg:npm/lodash@4.17.21"
            ]
        );
        let berry = "__metadata:\n  version: 6\n  cacheKey: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n";
        assert_eq!(names("yarn.lock", berry), ["pkg:npm/lodash@4.17.21"]);
    }

    #[test]
    fn pnpm_versions() {
        let v5 = "lockfileVersion: 5.4\npackages:\n  /lodash/4.17.21:\n    resolution: {integrity: x}\n  /@types/node/20.1.0_peer:\n    dev: true\n";
        assert_eq!(
            names("pnpm-lock.yaml", v5),
            ["pkg:npm/%40types/node@20.1.0", "pkg:npm/lodash@4.17.21"]
        );
        let v9 = "lockfileVersion: '9.0'\npackages:\n  '@babel/core@7.24.0':\n    resolution: {integrity: x}\n  react-dom@18.2.0(react@18.2.0):\n    resolution: {integrity: y}\n";
        assert_eq!(
            names("pnpm-lock.yaml", v9),
            ["pkg:npm/%40babel/core@7.24.0", "pkg:npm/react-dom@18.2.0"]
        );
    }

    #[test]
    fn requirements_go_and_gems() {
        let req = "# pinned\nrequests[socks]==2.31.0 ; python_version > '3'\nflask>=2\n-r other.txt\nurllib3==2.0.7 \\\n    --hash=sha256:abc\n";
        assert_eq!(
            names("requirements.txt", req),
            ["pkg:pypi/requests@2.31.0", "pkg:pypi/urllib3@2.0.7"]
        );
        let gomod = "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.2.3\n\tgolang.org/x/net v0.1.0 // indirect\n)\n\nrequire github.com/c/d v0.0.1\n\nreplace golang.org/x/net => github.com/fork/net v0.2.0\n";
        assert_eq!(
            names("go.mod", gomod),
            [
                "pkg:golang/github.com/a/b@v1.2.3",
                "pkg:golang/github.com/c/d@v0.0.1",
                "pkg:golang/github.com/fork/net@v0.2.0"
            ]
        );
        let gosum = "github.com/a/b v1.2.3 h1:x=\ngithub.com/a/b v1.2.3/go.mod h1:y=\n";
        assert_eq!(names("go.sum", gosum), ["pkg:golang/github.com/a/b@v1.2.3"]);
        let gems = "GEM\n  remote: https://rubygems.org/\n  specs:\n    actioncable (7.0.4)\n      actionpack (= 7.0.4)\n    nokogiri (1.15.4-x86_64-linux)\n\nPLATFORMS\n  x86_64-linux\n";
        assert_eq!(
            names("Gemfile.lock", gems),
            [
                "pkg:gem/actioncable@7.0.4",
                "pkg:gem/nokogiri@1.15.4-x86_64-linux"
            ]
        );
    }

    #[test]
    fn broken_lockfile_is_reported() {
        let mut problems = Vec::new();
        let pkgs = parse(
            "app/package-lock.json",
            "package-lock.json",
            b"{\n\"packages\": [",
            &mut problems,
        );
        assert!(pkgs.is_empty());
        assert!(
            problems[0]
                .to_string()
                .starts_with("app/package-lock.json: line 2: "),
            "{}",
            problems[0]
        );
    }
}
