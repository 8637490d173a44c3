//! Image reference parsing shared by the image checks.

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

#[cfg(test)]
mod tests {
    use super::ImageRef;

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
}
