//! A real OCI registry (Debian's `docker-registry`, the CNCF distribution registry) on a free
//! loopback port, with storage in a temporary directory; stopped when dropped. Installed by
//! `scripts/install-test-tools.sh` when missing: a failed install fails the test.
//!
//! Behind the `testing` feature: the integration tests of stockade-image, stockade-admission
//! and stockade (CLI) use it as a dev-dependency.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::manifest::{Descriptor, ImageManifest, OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST};
use crate::{Client, ClientConfig, Reference, sha256_digest};

/// htpasswd line, bcrypt of "s3cret" (cost 4), for the htpasswd registry.
pub const HTPASSWD: &str = "tester:$2a$04$HwkWHH9UCXaqFffq/Eb4SeWsmeNe6Rqwc7OPS2EJ6NAzzC9zygCT2\n";
/// The htpasswd registry's user.
pub const USER: &str = "tester";
/// Its password.
pub const PASSWORD: &str = "s3cret";

/// How the registry is started.
#[derive(Default, Clone, Copy)]
pub struct Options {
    /// Serve HTTPS with a self-signed certificate for 127.0.0.1 (see `Registry::ca_file`).
    pub tls: bool,
    /// Require basic authentication (`USER` / `PASSWORD`).
    pub htpasswd: bool,
}

/// A running registry.
pub struct Registry {
    child: Child,
    /// Its storage, configuration and log.
    pub dir: tempfile::TempDir,
    /// `127.0.0.1:<port>`.
    pub host: String,
    /// Whether it serves HTTPS.
    pub tls: bool,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    // This crate lives in crates/stockade-image: the repository is two levels up.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Installs Debian packages through the project's script; panics with its output on failure.
pub fn install(packages: &[&str]) {
    let script = repo_root().join("scripts/install-test-tools.sh");
    let out = Command::new("sh")
        .arg(&script)
        .args(packages)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "installing {packages:?} with {} failed ({}); this test needs them.\nstdout:\n{}\nstderr:\n{}",
        script.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

impl Registry {
    /// Plain HTTP, no authentication.
    pub fn start() -> Registry {
        Registry::start_with(Options::default())
    }

    /// Starts a registry; panics (with its log) when it cannot.
    pub fn start_with(opts: Options) -> Registry {
        install(&["docker-registry"]);
        let mut last_log = String::new();
        // A port picked here can be taken before the registry binds it: try a few.
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("tempdir");
            let port = free_port();
            let host = format!("127.0.0.1:{port}");
            let mut config = format!(
                "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n",
                dir.path().join("storage").display()
            );
            if opts.tls {
                make_cert(dir.path());
                config.push_str(&format!(
                    "  tls:\n    certificate: {}\n    key: {}\n",
                    dir.path().join("cert.pem").display(),
                    dir.path().join("key.pem").display()
                ));
            }
            if opts.htpasswd {
                std::fs::write(dir.path().join("htpasswd"), HTPASSWD).unwrap();
                config.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: stockade-test\n    path: {}\n",
                    dir.path().join("htpasswd").display()
                ));
            }
            let cfg = dir.path().join("config.yml");
            std::fs::write(&cfg, config).unwrap();
            let log = dir.path().join("registry.log");
            let log_file = std::fs::File::create(&log).unwrap();
            let child = Command::new("docker-registry")
                .arg("serve")
                .arg(&cfg)
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file)
                .spawn()
                .expect("starting docker-registry");
            let mut reg = Registry {
                child,
                dir,
                host,
                tls: opts.tls,
            };
            if reg.wait_ready(Duration::from_secs(20)) {
                return reg;
            }
            last_log = std::fs::read_to_string(&log).unwrap_or_default();
        }
        panic!("docker-registry did not start after 5 attempts; last log:\n{last_log}");
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut s) = TcpStream::connect(&self.host) {
                if self.tls {
                    return true;
                }
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = s.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n");
                let mut buf = [0u8; 12];
                if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.") {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// The CA certificate of a TLS registry.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Where the registry keeps a blob's bytes (to tamper with them).
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.dir.path().join(format!(
            "storage/docker/registry/v2/blobs/sha256/{}/{hex}/data",
            &hex[..2]
        ))
    }
}

/// A test CA (`ca.pem`) and a leaf certificate for 127.0.0.1 signed by it (`cert.pem`,
/// `key.pem`): webpki refuses a self-signed CA certificate as the server's own.
fn make_cert(dir: &Path) {
    install(&["openssl"]);
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("running openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-days",
            "1",
            "-subj",
            "/CN=stockade test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "key.pem",
            "-out",
            "leaf.csr",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "leaf.ext",
        "-out",
        "cert.pem",
    ]);
}

/// A one-file uncompressed tar archive (ustar), enough for a layer.
pub fn tar_with_file(name: &str, content: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    header[100..107].copy_from_slice(b"0000644");
    header[108..115].copy_from_slice(b"0000000");
    header[116..123].copy_from_slice(b"0000000");
    let size = format!("{:011o}", content.len());
    header[124..135].copy_from_slice(size.as_bytes());
    header[136..147].copy_from_slice(b"00000000000");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    let chk = format!("{sum:06o}\0 ");
    header[148..156].copy_from_slice(chk.as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// A descriptor of `bytes`.
pub fn desc(media_type: &str, bytes: &[u8]) -> Descriptor {
    Descriptor {
        media_type: media_type.into(),
        size: bytes.len() as u64,
        digest: sha256_digest(bytes),
        annotations: std::collections::BTreeMap::new(),
        platform: None,
        artifact_type: None,
    }
}

/// Pushes a one-layer image whose file `hello.txt` holds `content`, for `arch`; returns its
/// manifest digest.
pub fn push_image(c: &Client, r: &Reference, content: &str, arch: &str) -> String {
    let layer = tar_with_file("hello.txt", content.as_bytes());
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","rootfs":{{"type":"layers","diff_ids":["{}"]}},"config":{{}}}}"#,
        sha256_digest(&layer)
    );
    c.put_blob(r, &layer).expect("pushing the layer");
    c.put_blob(r, config.as_bytes())
        .expect("pushing the config");
    let m = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.into()),
        artifact_type: None,
        config: desc(OCI_CONFIG, config.as_bytes()),
        layers: vec![desc(OCI_LAYER_TAR, &layer)],
        subject: None,
        annotations: std::collections::BTreeMap::new(),
    };
    let bytes = serde_json::to_vec(&m).expect("manifest JSON");
    c.put_manifest(r, r.target(), &bytes, OCI_MANIFEST)
        .expect("pushing the manifest")
}

/// A client that speaks plain HTTP to `reg`.
pub fn client(reg: &Registry) -> Client {
    Client::new(ClientConfig {
        insecure: vec![reg.host.clone()],
        ..ClientConfig::default()
    })
    .expect("registry client")
}
