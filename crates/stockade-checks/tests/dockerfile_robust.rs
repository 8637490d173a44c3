//! Dockerfile checks never panic on damaged input: every corpus Dockerfile, cut at many points
//! and with bytes replaced (deterministically), is parsed and run through every Dockerfile
//! check, and every finding points at a line of the input.

use stockade_checks::{Options, Run, all, run_dockerfile_check};

#[test]
fn damaged_corpus_dockerfiles_never_panic_and_findings_point_inside_the_file() {
    let Some(root) = stockade_testdata::shared("corpus/dockerfiles") else {
        return;
    };
    let files = stockade_testdata::files(&root, &[]);
    let checks: Vec<_> = all()
        .iter()
        .filter(|c| matches!(c.run, Run::Dockerfile(_)))
        .collect();
    let options = Options::default();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let noise = b"\\`\"'<>-$={}[]()#|&;\n \t";
    let mut runs = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for round in 0..12 {
            let mut b = bytes.clone();
            if round % 2 == 0 {
                b.truncate((next() as usize) % (bytes.len() + 1));
            }
            for _ in 0..round {
                if b.is_empty() {
                    break;
                }
                let at = (next() as usize) % b.len();
                b[at] = noise[(next() as usize) % noise.len()];
            }
            let text = String::from_utf8_lossy(&b);
            let lines = text.split('\n').count() as u32;
            let df = stockade_dockerfile::parse(&text);
            for c in &checks {
                for h in run_dockerfile_check(c, &df, &options) {
                    assert!(
                        h.pos.line >= 1 && h.pos.line <= lines && h.pos.col >= 1,
                        "{}: {} at {:?} outside the input",
                        f.display(),
                        c.name,
                        h.pos
                    );
                }
            }
            runs += 1;
        }
    }
    assert_eq!(runs, files.len() * 12);
}
