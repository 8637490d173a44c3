//! Test support: the data of `../shared` beside the repository (conformance suites with their
//! expected results, the real-world corpora, the peers' check IDs), as every crate's tests
//! find it. CI places `../shared` there; a test that needs it and does not find it fails,
//! unless `STOCKADE_SKIP_CONFORMANCE=1` says to skip it (then it says so on standard error).

use std::path::{Path, PathBuf};

pub mod odd;

/// A Gatekeeper ConstraintTemplate (kind `K8sConflict`) whose Rego compiles but fails on every
/// object it is evaluated on (a function given two values for one input): for the tests of
/// what an evaluation error does.
pub const FAILING_TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sconflict
spec:
  crd:
    spec:
      names:
        kind: K8sConflict
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sconflict
        f(x) := 1
        f(x) := 2
        violation[{"msg": msg}] {
          f(input.review.object) == 1
          msg := "never"
        }
"#;

/// A deterministic xorshift generator for the fuzz-like tests: a failure can be replayed from
/// its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn step(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.step() % n.max(1) as u64) as usize
    }
}

/// `../shared/<rel>` beside the repository, when it exists. When it does not: `None` with
/// `STOCKADE_SKIP_CONFORMANCE=1` (the skip is said on standard error, and the test returns
/// early), otherwise a panic naming the path (a suite that is not there must not pass).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var_os("STOCKADE_SKIP_CONFORMANCE").is_some_and(|v| v == "1") {
        eprintln!(
            "SKIPPED: {} is absent and STOCKADE_SKIP_CONFORMANCE=1",
            path.display()
        );
        return None;
    }
    panic!(
        "{} is absent: put ../shared beside the repository, or set \
         STOCKADE_SKIP_CONFORMANCE=1 to skip the tests that need it",
        path.display()
    );
}

/// Every file below `dir` (recursively) whose extension is one of `extensions`, or every file
/// when `extensions` is empty, in the order of their paths (by component: a depth-first walk
/// of each folder's entries in name order).
pub fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let p = entry
                .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
                .path();
            if p.is_dir() {
                stack.push(p);
            } else if extensions.is_empty()
                || p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| extensions.contains(&x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files are found at every depth, filtered by extension and listed in path order.
    #[test]
    fn files_are_listed_recursively_in_path_order() {
        let root = std::env::temp_dir().join(format!("stockade-testdata-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["a/b", "a-b", "c"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in ["a/b/1.yaml", "a-b/2.yml", "c/3.json", "c/4.txt", "0.yaml"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let names = |exts: &[&str]| -> Vec<String> {
            files(&root, exts)
                .iter()
                .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
                .collect()
        };
        // Paths compare by component: a folder's files come before those of a sibling whose
        // name it begins (a depth-first walk of each folder's sorted entries).
        assert_eq!(
            names(&["yaml", "yml"]),
            ["0.yaml", "a/b/1.yaml", "a-b/2.yml"]
        );
        assert_eq!(names(&[]).len(), 5);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A path that is not there is `None` only when the skip is asked for.
    #[test]
    fn an_absent_path_is_skipped_only_when_asked() {
        let absent = "no/such/suite";
        let skip = std::env::var_os("STOCKADE_SKIP_CONFORMANCE").is_some_and(|v| v == "1");
        let got = std::panic::catch_unwind(|| shared(absent));
        match got {
            Ok(None) => assert!(skip),
            Err(_) => assert!(!skip),
            Ok(Some(p)) => panic!("{} found", p.display()),
        }
    }
}
