//! Collects each check file's `//!` documentation so `explain` and the generated docs read
//! the doc comment that sits beside the check's code.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new("src/checks");
    println!("cargo::rerun-if-changed=src/checks");
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// (check name, documentation) for every check file.\npub static DOCS: &[(&str, &str)] = &[\n",
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read check file");
        let doc: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.strip_prefix("//!").unwrap_or(l))
            })
            .collect();
        let name = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('_', "-");
        writeln!(out, "    ({name:?}, {:?}),", doc.join("\n")).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("docs.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/checks") {
        let path = entry.expect("dir entry").path();
        println!("cargo::rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !matches!(
                path.file_stem().and_then(|s| s.to_str()),
                Some("mod" | "helpers")
            )
        {
            out.push(path);
        }
    }
}
