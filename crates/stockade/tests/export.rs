//! `stockade export vap`, driving the real binary: the written policies load back as policies
//! and deny a privileged pod in `stockade scan --policy`; unexportable checks are named on
//! stderr; usage errors exit 2.

use std::process::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run stockade");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn exported_policies_are_written_and_enforced_by_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        dir.path(),
        &[
            "export",
            "vap",
            "--checks",
            "privileged-container,STK107",
            "-o",
            "vaps.yaml",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "not exportable: STK107 sensitive-host-path: normalises host paths (`..`, repeated slashes, /var/run) and reads the sensitive-host-paths option; CEL has no path normalisation\nexported 1 checks\n"
    );
    let yaml = std::fs::read_to_string(dir.path().join("vaps.yaml")).unwrap();
    assert!(yaml.contains("# exported: STK001\n# not exportable: STK107 sensitive-host-path: "));
    assert_eq!(yaml.matches("\n---\n").count(), 2, "{yaml}");
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a:1\n    securityContext:\n      privileged: true\n",
    )
    .unwrap();
    let (code, out, err) = run(
        dir.path(),
        &[
            "scan",
            "--policy",
            "vaps.yaml",
            "--select",
            "STK107",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("\"stockade-privileged-container\""), "{out}");
}

#[test]
fn unknown_or_unexportable_checks_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dir.path(), &["export", "vap", "--checks", "STK9999"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "error: unknown check `STK9999` (see `stockade checks`)\n"
    );
    let (code, out, err) = run(dir.path(), &["export", "vap", "--checks", "STK107"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.ends_with("error: none of the chosen checks can be exported\n"),
        "{err}"
    );
}
