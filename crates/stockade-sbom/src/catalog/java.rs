//! Java archives (jar, war, ear): `META-INF/maven/<group>/<artifact>/pom.properties`, else
//! the manifest (`Implementation-*`, `Bundle-*`), else the file name; archives nested one
//! level deep (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`) are read too.

use std::io::{Cursor, Read};

use super::{package, problem};
use crate::{Package, PackageType, Problem};

const MAX_NESTED: u64 = 256 << 20;

pub(crate) fn packages(path: &str, data: Vec<u8>) -> (Vec<Package>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    read_archive(path, data, true, &mut out, &mut problems);
    (out, problems)
}

fn read_archive(
    path: &str,
    data: Vec<u8>,
    descend: bool,
    out: &mut Vec<Package>,
    problems: &mut Vec<Problem>,
) {
    let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
        Ok(z) => z,
        Err(e) => {
            problems.push(problem(path, format!("not a readable Java archive: {e}")));
            return;
        }
    };
    let mut poms = Vec::new();
    let mut manifest = None;
    let mut nested = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut f) = zip.by_index(i) else {
            continue;
        };
        let name = f.name().to_string();
        let lower = name.to_ascii_lowercase();
        let wanted_text = (name.starts_with("META-INF/maven/")
            && name.ends_with("/pom.properties"))
            || name == "META-INF/MANIFEST.MF";
        let wanted_jar = descend
            && (lower.ends_with(".jar") || lower.ends_with(".war"))
            && f.size() <= MAX_NESTED;
        if !wanted_text && !wanted_jar {
            continue;
        }
        let mut buf = Vec::new();
        if let Err(e) = (&mut f).take(MAX_NESTED).read_to_end(&mut buf) {
            problems.push(problem(format!("{path}!/{name}"), e.to_string()));
            continue;
        }
        if wanted_jar {
            nested.push((name, buf));
        } else if name == "META-INF/MANIFEST.MF" {
            manifest = Some(buf);
        } else {
            poms.push(buf);
        }
    }
    let before = out.len();
    for pom in poms {
        let props = properties(&pom);
        let get = |k: &str| {
            props
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        if let (Some(g), Some(a), Some(v)) = (get("groupId"), get("artifactId"), get("version")) {
            out.push(package(PackageType::Maven, &format!("{g}:{a}"), v, path));
        }
    }
    if out.len() == before
        && let Some(p) = from_manifest(path, manifest.as_deref())
    {
        out.push(p);
    }
    for (name, buf) in nested {
        read_archive(&format!("{path}!/{name}"), buf, false, out, problems);
    }
}

/// `key=value` lines of a Java properties file (comments and blank lines skipped).
fn properties(data: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(data)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let (k, v) = l.split_once(['=', ':'])?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn from_manifest(path: &str, manifest: Option<&[u8]>) -> Option<Package> {
    let text = manifest.map(String::from_utf8_lossy).unwrap_or_default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, v)) = fields.last_mut() {
                v.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let file = path.rsplit(['/', '!']).next().unwrap_or(path);
    let stem = file
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(file)
        .to_string();
    // `name-1.2.3.jar`: the version starts at the first `-` followed by a digit.
    let (file_name, file_version) = match stem
        .char_indices()
        .find(|(i, c)| *c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
    {
        Some((i, _)) => (stem[..i].to_string(), stem[i + 1..].to_string()),
        None => (stem.clone(), String::new()),
    };
    let version = get("Implementation-Version")
        .or(get("Bundle-Version"))
        .or(get("Specification-Version"))
        .map(str::to_string)
        .unwrap_or(file_version);
    if version.is_empty() {
        return None;
    }
    let artifact = get("Bundle-SymbolicName")
        .map(|s| s.split(';').next().unwrap_or(s).trim().to_string())
        .filter(|s| !s.contains('.'))
        .or_else(|| get("Implementation-Title").map(str::to_string))
        .filter(|_| file_name.is_empty())
        .unwrap_or(file_name);
    let name = match get("Implementation-Vendor-Id") {
        Some(g) => format!("{g}:{artifact}"),
        None => artifact,
    };
    Some(package(PackageType::Maven, &name, &version, path))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn jar(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn pom_properties_manifest_file_name_and_nested() {
        let inner = jar(&[(
            "META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"#generated\ngroupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n",
        )]);
        let plain = jar(&[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nCreated-By: x\n",
        )]);
        let outer = jar(&[
            (
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\nImplementation-Title: app\nImplementation-Version: 2.0.1\n",
            ),
            ("BOOT-INF/lib/snakeyaml-1.33.jar", &inner),
            ("BOOT-INF/lib/guava-32.1.2-jre.jar", &plain),
        ]);
        let (pkgs, problems) = packages("app/app.jar", outer);
        let got: Vec<_> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("app", "2.0.1", "app/app.jar"),
                (
                    "org.yaml:snakeyaml",
                    "1.33",
                    "app/app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar"
                ),
                (
                    "guava",
                    "32.1.2-jre",
                    "app/app.jar!/BOOT-INF/lib/guava-32.1.2-jre.jar"
                ),
            ]
        );
        assert!(problems.is_empty());
        let (pkgs, problems) = packages("x.jar", b"PK\x03\x04 broken".to_vec());
        assert!(pkgs.is_empty());
        assert!(
            problems[0]
                .to_string()
                .starts_with("x.jar: not a readable Java archive")
        );
    }
}
