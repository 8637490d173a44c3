//! Following a growing audit log (`tail -F`): new complete lines are handed over as they are
//! written; rotation (the path now names a different file) and truncation (the file shrank)
//! are detected by polling and the new file is read from its start.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How to follow.
#[derive(Debug, Clone)]
pub struct Options {
    /// Sleep between polls when there is no new data.
    pub poll: Duration,
    /// Skip what the file holds when following starts.
    pub from_end: bool,
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Follows `path` until `stop` is set. `on_lines` receives complete lines (ending in `\n`)
/// and the 1-based number of the first of them in the current file; `on_note` hears about
/// rotation, truncation and a missing file. Lines are delivered at least once and in order;
/// a partial last line is held back until its newline arrives (or the file is rotated away).
pub fn follow(
    path: &Path,
    opts: &Options,
    stop: &AtomicBool,
    mut on_lines: impl FnMut(&[u8], u64),
    mut on_note: impl FnMut(String),
) -> std::io::Result<()> {
    let mut announced_missing = false;
    let mut first_open = true;
    'reopen: while !stop.load(Ordering::Relaxed) {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !announced_missing {
                    on_note("does not exist yet; waiting for it".into());
                    announced_missing = true;
                }
                std::thread::sleep(opts.poll);
                continue;
            }
            Err(e) => return Err(e),
        };
        announced_missing = false;
        let id = identity(&file.metadata()?);
        let mut pos: u64 = 0;
        let mut line: u64 = 1;
        if first_open && opts.from_end {
            // Count the lines skipped so reported line numbers stay true.
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                line += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
                pos += n as u64;
            }
        }
        first_open = false;
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let n = file.read(&mut buf)?;
            if n > 0 {
                pos += n as u64;
                pending.extend_from_slice(&buf[..n]);
                if let Some(last) = memchr::memrchr(b'\n', &pending) {
                    let complete = &pending[..=last];
                    on_lines(complete, line);
                    line += memchr::memchr_iter(b'\n', complete).count() as u64;
                    pending.drain(..=last);
                }
                continue;
            }
            // At the end: has the path moved to another file, or did this one shrink?
            match std::fs::metadata(path) {
                Ok(meta) if identity(&meta) != id => {
                    if !pending.is_empty() {
                        pending.push(b'\n');
                        on_lines(&pending, line);
                    }
                    on_note("rotated; reading the new file from its start".into());
                    continue 'reopen;
                }
                Ok(meta) if meta.len() < pos => {
                    on_note("truncated; reading again from its start".into());
                    file.seek(SeekFrom::Start(0))?;
                    pos = 0;
                    line = 1;
                    pending.clear();
                    continue;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // Rotated away and not yet recreated: keep draining the old handle.
                }
                Err(e) => return Err(e),
            }
            std::thread::sleep(opts.poll);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[test]
    fn follows_growth_rotation_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        std::fs::write(&path, "a\nb\npart").unwrap();
        let got: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
        let notes: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let handle = {
            let (got, notes, stop, path) = (got.clone(), notes.clone(), stop.clone(), path.clone());
            std::thread::spawn(move || {
                follow(
                    &path,
                    &Options {
                        poll: Duration::from_millis(5),
                        from_end: false,
                    },
                    &stop,
                    |chunk, first| {
                        let text = String::from_utf8_lossy(chunk);
                        for (i, l) in text.lines().enumerate() {
                            got.lock().unwrap().push((l.to_string(), first + i as u64));
                        }
                    },
                    |n| notes.lock().unwrap().push(n),
                )
                .unwrap()
            })
        };
        let wait_for = |n: usize| {
            for _ in 0..400 {
                if got.lock().unwrap().len() >= n {
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            panic!("timed out waiting for {n} lines: {:?}", got.lock().unwrap());
        };
        wait_for(2);
        // Complete the partial line, then rotate: rename away, create anew.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"ial\n")
            .unwrap();
        wait_for(3);
        std::fs::rename(&path, dir.path().join("audit.log.1")).unwrap();
        std::fs::write(&path, "c\n").unwrap();
        wait_for(4);
        // Truncate in place, and once the follower has seen the file shrink, write as much as
        // before: written earlier, the file would be back to its old length unnoticed.
        std::fs::write(&path, "").unwrap();
        let truncated = || {
            notes
                .lock()
                .unwrap()
                .iter()
                .any(|n| n.starts_with("truncated"))
        };
        let mut tries = 0;
        while !truncated() {
            tries += 1;
            assert!(
                tries < 400,
                "truncation never noticed: {:?}",
                notes.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"d\n")
            .unwrap();
        wait_for(5);
        stop.store(true, Ordering::Relaxed);
        handle.join().unwrap();
        assert_eq!(
            *got.lock().unwrap(),
            vec![
                ("a".to_string(), 1),
                ("b".to_string(), 2),
                ("partial".to_string(), 3),
                ("c".to_string(), 1),
                ("d".to_string(), 1),
            ]
        );
        let notes = notes.lock().unwrap();
        assert!(notes.iter().any(|n| n.starts_with("rotated")), "{notes:?}");
        assert!(
            notes.iter().any(|n| n.starts_with("truncated")),
            "{notes:?}"
        );
    }
}
