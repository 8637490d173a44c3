//! Shared by the integration tests: fixture paths and a tiny HTTP/1.1 server on 127.0.0.1
//! that serves files with Range support, can cut a response short, and acts as a CONNECT
//! proxy.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A zip of (name, bytes) entries, stored uncompressed.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(
            *name,
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub struct Server {
    pub url: String,
    pub port: u16,
    /// Request lines, with the Range header appended when present.
    pub log: Arc<Mutex<Vec<String>>>,
}

/// Serves `files` (path → bytes). The first request for `cut.0` gets the full
/// Content-Length but only `cut.1` bytes before the connection closes.
pub fn serve(files: HashMap<String, Vec<u8>>, cut: Option<(String, usize)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let files = Arc::new(files);
    let cut = Arc::new(Mutex::new(cut));
    let l2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (files, cut, log) = (files.clone(), cut.clone(), l2.clone());
            std::thread::spawn(move || handle(stream, &files, &cut, &log));
        }
    });
    Server {
        url: format!("http://127.0.0.1:{port}"),
        port,
        log,
    }
}

fn handle(
    stream: TcpStream,
    files: &HashMap<String, Vec<u8>>,
    cut: &Mutex<Option<(String, usize)>>,
    log: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end().to_string();
        let mut range = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("range")
            {
                range = Some(v.trim().to_string());
            }
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        log.lock().unwrap().push(match &range {
            Some(r) => format!("{method} {target} Range: {r}"),
            None => format!("{method} {target}"),
        });
        if method == "CONNECT" {
            // Tunnel: the next request arrives on the same connection.
            let _ = out.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
            continue;
        }
        // Absolute-form (plain proxy) or origin-form.
        let path = match target.split_once("://") {
            Some((_, rest)) => rest
                .find('/')
                .map_or("/".to_string(), |i| rest[i..].to_string()),
            None => target.clone(),
        };
        let Some(body) = files.get(&path) else {
            let _ = out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
        };
        let len = body.len();
        let start = range
            .as_deref()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok());
        match start {
            Some(s) if s >= len => {
                let _ = write!(
                    out,
                    "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                return;
            }
            Some(s) => {
                let _ = write!(
                    out,
                    "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {s}-{}/{len}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    len - 1,
                    len - s
                );
                let _ = out.write_all(&body[s..]);
                return;
            }
            None => {
                let _ = write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                );
                let mut c = cut.lock().unwrap();
                if let Some((p, n)) = c.as_ref()
                    && *p == path
                {
                    let n = *n;
                    *c = None;
                    let _ = out.write_all(&body[..n]);
                    let _ = out.flush();
                    let _ = out.shutdown(std::net::Shutdown::Both);
                    return;
                }
                let _ = out.write_all(body);
                return;
            }
        }
    }
}
