//! Runs every case of np-guard/netpol-analyzer's test data kept in
//! `../shared/conformance/netpol-analyzer` and compares our output with theirs, line sets
//! compared so that order does not matter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use stockade_netpol::Analysis;
use stockade_netpol::output::{self, Format};

fn root() -> Option<PathBuf> {
    stockade_testdata::shared("conformance/netpol-analyzer")
}

/// Expected files we do not compare, and why. Everything else in test_outputs is compared.
const NOT_COMPARED: &[(&str, &str)] = &[
    (
        "_explain_exposure_output.txt",
        "--explain with --exposure: netpol-analyzer's combined free-text form; our --exposure is \
         per policy and our --explain per pair, each in our own wording",
    ),
    (
        "_explain_output.txt",
        "--explain prints netpol-analyzer's free-text reasons per rule; our --explain names the \
         deciding policies in our own wording",
    ),
    (
        "_exposure_output.",
        "--exposure: netpol-analyzer reports it per workload (`ns/w <= [namespace with {..}]/[pod \
         with {..}]`); ours is per policy (what each policy admits from or to any workload its \
         selectors match), a different shape, so there is nothing line-for-line to compare",
    ),
];

fn read_dir_files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            read_dir_files(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
}

fn analyse(case_dir: &Path) -> Analysis {
    let mut files = Vec::new();
    read_dir_files(case_dir, &mut files);
    Analysis::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice()))).0
}

fn lines(s: &str) -> BTreeSet<String> {
    s.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn format_of(ext: &str) -> Format {
    ext.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// Lines as a set; for JSON, the array's items (each rendered on one line).
fn items(name: &str, text: &str) -> BTreeSet<String> {
    if !name.ends_with(".json") {
        return lines(text);
    }
    let v: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not JSON ({e}):\n{text}"));
    v.as_array()
        .unwrap_or_else(|| panic!("{name}: not a JSON array"))
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn compare(name: &str, expected: &str, got: &str, mismatches: &mut Vec<String>) {
    let (want, have) = (items(name, expected), items(name, got));
    if want != have {
        let missing: Vec<_> = want.difference(&have).take(8).collect();
        let extra: Vec<_> = have.difference(&want).take(8).collect();
        mismatches.push(format!(
            "{name}: {} expected lines missing, {} unexpected\n  missing: {missing:#?}\n  extra: {extra:#?}",
            want.difference(&have).count(),
            have.difference(&want).count()
        ));
    }
}

#[test]
fn netpol_analyzer_conformance() {
    let Some(root) = root() else { return };
    let mut cases: Vec<String> = std::fs::read_dir(root.join("tests"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    let analyses: BTreeMap<&str, Analysis> = cases
        .iter()
        .map(|c| (c.as_str(), analyse(&root.join("tests").join(c))))
        .collect();

    let mut mismatches = Vec::new();
    let mut not_compared = Vec::new();
    let (mut connlist_files, mut connlist_cases) = (0, BTreeSet::new());
    let (mut diff_files, mut diff_pairs) = (0, BTreeSet::new());

    let mut expected: Vec<PathBuf> = std::fs::read_dir(root.join("test_outputs/connlist"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    expected.sort();
    for path in &expected {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((suffix, why)) = NOT_COMPARED.iter().find(|(s, _)| file.contains(s)) {
            not_compared.push(format!("{file} ({suffix}): {why}"));
            continue;
        }
        let case = cases
            .iter()
            .find(|c| {
                file.strip_prefix(c.as_str())
                    .and_then(|r| r.strip_prefix("_connlist_output."))
                    .is_some()
            })
            .unwrap_or_else(|| panic!("{file}: no matching case directory"));
        let ext = file.rsplit('.').next().unwrap();
        let got = analyses[case.as_str()].render(format_of(ext));
        compare(
            &file,
            &std::fs::read_to_string(path).unwrap(),
            &got,
            &mut mismatches,
        );
        connlist_files += 1;
        connlist_cases.insert(case.clone());
    }

    let mut expected: Vec<PathBuf> = std::fs::read_dir(root.join("test_outputs/diff"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    expected.sort();
    for path in &expected {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let (stem, ext) = file.rsplit_once('.').unwrap();
        let rest = stem.strip_prefix("diff_between_").unwrap();
        // diff_between_<ref2>_and_<ref1>
        let (ref2, ref1) = cases
            .iter()
            .find_map(|r2| {
                let r1 = rest.strip_prefix(r2.as_str())?.strip_prefix("_and_")?;
                cases.iter().any(|c| c == r1).then_some((r2.as_str(), r1))
            })
            .unwrap_or_else(|| panic!("{file}: cannot tell the two case directories"));
        let (a1, a2) = (&analyses[ref1], &analyses[ref2]);
        let entries = a1.diff(a2);
        let got = output::diff(
            &entries,
            &a1.workload_keys(),
            &a2.workload_keys(),
            format_of(ext),
        );
        compare(
            &file,
            &std::fs::read_to_string(path).unwrap(),
            &got,
            &mut mismatches,
        );
        diff_files += 1;
        diff_pairs.insert((ref1.to_string(), ref2.to_string()));
    }

    println!("not compared ({}):", not_compared.len());
    for n in &not_compared {
        println!("  {n}");
    }
    println!(
        "connlist: {} files over {} cases; diff: {} files over {} pairs; {} cases in all",
        connlist_files,
        connlist_cases.len(),
        diff_files,
        diff_pairs.len(),
        cases.len()
    );
    if !mismatches.is_empty() {
        for m in &mismatches {
            println!("MISMATCH {m}");
        }
        panic!(
            "{} of {} compared files differ",
            mismatches.len(),
            connlist_files + diff_files
        );
    }
}
