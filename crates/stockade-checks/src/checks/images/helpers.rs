//! Image reference parsing shared by the image checks.

use stockade_model::{Node, Object};

/// The parts of an image reference (`registry/repo:tag@digest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host (with port), `docker.io` when implicit.
    pub registry: &'a str,
    /// Repository path.
    pub repository: &'a str,
    /// Tag, if any.
    pub tag: Option<&'a str>,
    /// Digest (`sha256:...`), if any.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Splits an image reference the way container runtimes do: the first path component is
    /// a registry when it contains `.` or `:` or is `localhost`.
    pub fn parse(image: &'a str) -> Self {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, repo)) if first.contains(['.', ':']) || first == "localhost" => {
                (first, repo)
            }
            _ => ("docker.io", name),
        };
        ImageRef {
            registry,
            repository,
            tag: tag.filter(|t| !t.is_empty()),
            digest,
        }
    }
}

/// An entry of a kustomization's `images:` list: the images transformer gives every container
/// whose image is `name` the name `newName`, the tag `newTag` and the digest `digest`, each
/// where it is set (a `newTag` replaces a digest the image had).
pub struct KustomizeImage<'a> {
    /// The entry's index in `images`.
    pub index: usize,
    /// The entry.
    pub node: &'a Node,
    /// `name`: the image it rewrites.
    pub name: &'a str,
    /// `newName` (registry and repository), when set and not empty.
    pub new_name: Option<&'a Node>,
    /// `newTag`, when set and not empty.
    pub new_tag: Option<&'a Node>,
    /// `digest`, when set and not empty.
    pub digest: Option<&'a Node>,
}

/// The `images:` entries of a Kustomization or Component (`kustomize.config.k8s.io`); none for
/// any other object. Entries without a `name` rewrite nothing and are left out.
pub fn kustomize_images(o: &Object) -> impl Iterator<Item = KustomizeImage<'_>> {
    fn set<'n>(e: &'n Node, key: &str) -> Option<&'n Node> {
        e.get(key)
            .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
    }
    let kustomize = o.group() == "kustomize.config.k8s.io"
        && matches!(o.kind.as_str(), "Kustomization" | "Component");
    let entries = if kustomize {
        o.root.get("images").map(Node::items).unwrap_or_default()
    } else {
        &[]
    };
    entries.iter().enumerate().filter_map(move |(index, node)| {
        Some(KustomizeImage {
            index,
            node,
            name: node.str_at("name").filter(|n| !n.is_empty())?,
            new_name: set(node, "newName"),
            new_tag: set(node, "newTag"),
            digest: set(node, "digest"),
        })
    })
}

/// True when `image` comes from one of `allowed`: a registry host (`registry.example.com`,
/// `localhost:5000`), a host with a leading wildcard label (`*.dkr.ecr.eu-west-1.amazonaws.com`)
/// or a registry and repository prefix (`ghcr.io/acme`, `docker.io/library`). Prefixes match
/// whole path components; hosts compare case-insensitively. Docker Hub images match both
/// their short and `library/` forms (`nginx` is `docker.io/nginx` and
/// `docker.io/library/nginx`), and `index.docker.io` means `docker.io`.
pub fn registry_allowed(image: &ImageRef, allowed: &[String]) -> bool {
    let registry = canonical_host(image.registry);
    let full = stockade_model::format_exact!("{registry}/{}", image.repository);
    let library = (registry == "docker.io" && !image.repository.contains('/'))
        .then(|| stockade_model::format_exact!("docker.io/library/{}", image.repository));
    allowed.iter().any(|entry| {
        let entry = entry.trim().trim_end_matches('/');
        let (host, rest) = entry.split_once('/').unwrap_or((entry, ""));
        let host = canonical_host(host);
        let host_ok = match host.strip_prefix("*.") {
            Some(suffix) => {
                registry.len() > suffix.len() + 1
                    && registry.ends_with(suffix)
                    && registry.as_bytes()[registry.len() - suffix.len() - 1] == b'.'
            }
            None => host == registry,
        };
        if !host_ok {
            return false;
        }
        if rest.is_empty() {
            return true;
        }
        let prefix = stockade_model::format_exact!("{registry}/{rest}");
        [Some(&full), library.as_ref()]
            .into_iter()
            .flatten()
            .any(|name| {
                name == &prefix
                    || (name.starts_with(&prefix) && name.as_bytes()[prefix.len()] == b'/')
            })
    })
}

fn canonical_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_string()
        }
        _ => host,
    }
}

/// Registries that serve images anonymously (Docker Hub, GitHub and Quay also host private
/// repositories, but most images pulled from them are public; `public-registries` extends the
/// list).
pub const PUBLIC_REGISTRIES: &[&str] = &[
    "docker.io",
    "ghcr.io",
    "quay.io",
    "registry.k8s.io",
    "k8s.gcr.io",
    "gcr.io",
    "mirror.gcr.io",
    "mcr.microsoft.com",
    "public.ecr.aws",
    "cgr.dev",
    "docker.elastic.co",
    "registry.access.redhat.com",
];

/// Cloud registries whose nodes usually pull with their own identity (kubelet credential
/// providers for ECR, ACR attached to AKS, Artifact Registry and GCR on GKE), so a pod needs
/// no pull secret for them.
pub const NODE_CREDENTIAL_REGISTRIES: &[&str] = &[
    "*.amazonaws.com",
    "*.amazonaws.com.cn",
    "*.azurecr.io",
    "*.azurecr.cn",
    "*.gcr.io",
    "*.pkg.dev",
];

/// True when pulling `image` needs no credentials from the pod: a public or cloud registry
/// (see the lists above), an entry of `extra_public`, or a registry on the node itself.
pub fn pull_needs_no_secret(image: &ImageRef, extra_public: &[String]) -> bool {
    let host = canonical_host(image.registry);
    if host == "localhost"
        || host.starts_with("localhost:")
        || host.starts_with("127.0.0.1")
        || host.starts_with("[::1]")
    {
        return true;
    }
    let builtin: Vec<String> = PUBLIC_REGISTRIES
        .iter()
        .chain(NODE_CREDENTIAL_REGISTRIES)
        .map(|s| s.to_string())
        .collect();
    registry_allowed(image, &builtin) || registry_allowed(image, extra_public)
}

#[cfg(test)]
mod tests {
    use super::{ImageRef, pull_needs_no_secret, registry_allowed};

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("nginx");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.digest),
            ("docker.io", "nginx", None, None)
        );
        let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.digest),
            (
                "localhost:5000",
                "team/app",
                Some("1.2"),
                Some("sha256:abc")
            )
        );
        let r = ImageRef::parse("gcr.io/proj/app");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            ("gcr.io", "proj/app", None)
        );
        let r = ImageRef::parse("library/redis:7");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            ("docker.io", "library/redis", Some("7"))
        );
    }

    #[test]
    fn allowed_registries_match_hosts_prefixes_and_wildcards() {
        let allowed = |image: &str, list: &[&str]| {
            let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            registry_allowed(&ImageRef::parse(image), &list)
        };
        assert!(allowed(
            "registry.example.com/team/app:1",
            &["registry.example.com"]
        ));
        assert!(allowed(
            "Registry.Example.com/app",
            &["registry.example.com/"]
        ));
        assert!(!allowed(
            "registry.example.com.evil.io/app",
            &["registry.example.com"]
        ));
        assert!(allowed("ghcr.io/acme/app:1", &["ghcr.io/acme"]));
        assert!(!allowed("ghcr.io/acme-evil/app:1", &["ghcr.io/acme"]));
        assert!(!allowed("ghcr.io/other/app", &["ghcr.io/acme"]));
        assert!(allowed("nginx:1.27", &["docker.io/library"]));
        assert!(allowed("nginx:1.27", &["docker.io"]));
        assert!(allowed(
            "index.docker.io/bitnami/redis",
            &["docker.io/bitnami"]
        ));
        assert!(!allowed("bitnami/redis", &["docker.io/library"]));
        assert!(allowed(
            "123.dkr.ecr.eu-west-1.amazonaws.com/app",
            &["*.dkr.ecr.eu-west-1.amazonaws.com"]
        ));
        assert!(!allowed(
            "dkr.ecr.eu-west-1.amazonaws.com/app",
            &["*.dkr.ecr.eu-west-1.amazonaws.com"]
        ));
        assert!(allowed("localhost:5000/app", &["localhost:5000"]));
        assert!(!allowed("localhost:5001/app", &["localhost:5000"]));
    }

    #[test]
    fn public_cloud_and_local_registries_need_no_secret() {
        let free = |image: &str| pull_needs_no_secret(&ImageRef::parse(image), &[]);
        assert!(free("nginx:1.27"));
        assert!(free("ghcr.io/acme/app:1"));
        assert!(free("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"));
        assert!(free("europe-docker.pkg.dev/proj/repo/app:1"));
        assert!(free("acme.azurecr.io/app:1"));
        assert!(free("localhost:5000/app"));
        assert!(!free("registry.example.com/app:1"));
        assert!(!free("registry.redhat.io/ubi9/ubi:9.4"));
        assert!(pull_needs_no_secret(
            &ImageRef::parse("mirror.example.com/app:1"),
            &["mirror.example.com".to_string()]
        ));
    }
}
