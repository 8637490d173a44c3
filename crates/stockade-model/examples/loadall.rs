//! Loads every file under a directory and prints object and error counts (a quick probe).
fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let mut files = 0;
    let mut objs = 0;
    let mut bytes = 0;
    let mut errs = Vec::new();
    let mut pods = 0;
    let t = std::time::Instant::now();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            continue;
        }
        let b = std::fs::read(&p).unwrap();
        bytes += b.len();
        files += 1;
        let l = stockade_model::load(&p.to_string_lossy(), &b);
        objs += l.objects.len();
        for o in &l.objects {
            pods += stockade_model::pod_specs(o).len();
        }
        errs.extend(l.errors);
    }
    let el = t.elapsed();
    for e in &errs {
        println!("{e}");
    }
    println!(
        "{files} files, {objs} objects, {pods} pod specs, {} errors, {bytes} bytes in {el:?} ({:.1} MB/s)",
        errs.len(),
        bytes as f64 / 1e6 / el.as_secs_f64()
    );
}
