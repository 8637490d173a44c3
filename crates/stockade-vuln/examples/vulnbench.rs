//! Import and match throughput on generated OSV records (BENCHMARKS.md).
//!
//! `cargo run --release -p stockade-vuln --example vulnbench -- [RECORDS] [PACKAGES]`
//!
//! Writes RECORDS OSV records (PyPI, npm, Maven, Debian:12; two to four ranges each, a few
//! with version lists) into one zip, imports it into a fresh store, then matches PACKAGES
//! purls (half of them named in some advisory) and prints the timings.

use std::io::Write;
use std::time::Instant;

use stockade_vuln::{Db, Package, match_packages};

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ECOS: [&str; 4] = ["PyPI", "npm", "Maven", "Debian:12"];

fn name(eco: &str, i: u64) -> String {
    match eco {
        "Maven" => format!("org.example{}:lib{i}", i % 50),
        _ => format!("pkg{i}"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let records: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let packages: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let names = (records / 3).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let zip_path = dir.path().join("all.zip");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    {
        let f = std::fs::File::create(&zip_path).expect("create zip");
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default();
        for r in 0..records {
            let eco = ECOS[(r % 4) as usize];
            let pkg = name(eco, rng.below(names));
            let mut ranges = Vec::new();
            let mut major = 0;
            for _ in 0..(2 + rng.below(3)) {
                let intro = format!("{major}.{}.0", rng.below(5));
                major += 1 + rng.below(2);
                let fixed = format!("{major}.{}.{}", rng.below(5), rng.below(10));
                ranges.push(format!(
                    r#"{{"introduced":"{intro}"}},{{"fixed":"{fixed}"}}"#
                ));
            }
            let versions = if r % 10 == 0 {
                r#","versions":["0.1.0","0.1.1"]"#
            } else {
                ""
            };
            let rec = format!(
                r#"{{"id":"BENCH-{r}","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-{r}"],"summary":"generated advisory {r}","severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}],"affected":[{{"package":{{"ecosystem":"{eco}","name":"{pkg}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{}]}}]{versions}}}]}}"#,
                ranges.join(",")
            );
            z.start_file(format!("BENCH-{r}.json"), opts)
                .expect("zip entry");
            z.write_all(rec.as_bytes()).expect("zip write");
        }
        z.finish().expect("zip finish");
    }
    let zip_size = std::fs::metadata(&zip_path).map_or(0, |m| m.len());

    let db_dir = dir.path().join("db");
    let t = Instant::now();
    let mut db = Db::create(&db_dir).expect("store");
    let report = db.import(&[zip_path]).expect("import");
    let import_s = t.elapsed().as_secs_f64();
    assert!(report.errors.is_empty());
    let db_size = std::fs::metadata(db_dir.join("vuln.db")).map_or(0, |m| m.len());

    let purls: Vec<Package> = (0..packages)
        .map(|i| {
            let eco = ECOS[(i % 4) as usize];
            // Half the names exist in the store, half do not.
            let n = if i % 2 == 0 {
                rng.below(names)
            } else {
                names + i
            };
            let v = format!("{}.{}.{}", rng.below(8), rng.below(5), rng.below(10));
            let purl = match eco {
                "PyPI" => format!("pkg:pypi/{}@{v}", name(eco, n)),
                "npm" => format!("pkg:npm/{}@{v}", name(eco, n)),
                "Maven" => {
                    let full = name(eco, n);
                    let (g, a) = full.split_once(':').expect("group:artifact");
                    format!("pkg:maven/{g}/{a}@{v}")
                }
                _ => format!("pkg:deb/debian/{}@{v}-1?distro=debian-12", name(eco, n)),
            };
            Package::from_purl(&purl).expect("purl")
        })
        .collect();
    let t = Instant::now();
    let m = match_packages(&db, &purls).expect("match");
    let match_s = t.elapsed().as_secs_f64();
    println!(
        "records: {records}  zip: {:.1} MB  import: {import_s:.2} s ({:.0} records/s)  store: {:.1} MB",
        zip_size as f64 / 1e6,
        records as f64 / import_s,
        db_size as f64 / 1e6
    );
    println!(
        "packages: {packages}  matches: {}  match: {match_s:.2} s ({:.0} packages/s)",
        m.matches.len(),
        packages as f64 / match_s
    );
}
