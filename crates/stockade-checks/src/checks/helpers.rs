//! Helpers shared by checks of several categories.

use stockade_model::Node;

/// A port number as Kubernetes would read it, also when a hand-written manifest quotes it
/// (`"8080"`): the API server rejects the quoted form for `containerPort`, but the intent is
/// plain and a scanner that skipped it would hide the exposure.
pub fn port_number(node: &Node) -> Option<i64> {
    node.as_i64()
        .or_else(|| node.as_str().and_then(|s| s.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use stockade_model::load;

    use super::port_number;

    #[test]
    fn reads_ports_written_as_numbers_or_strings() {
        let loaded = load(
            "t",
            b"apiVersion: v1\nkind: X\na: 22\nb: \"8080\"\nc: ssh\nd: 0x16\ne:\n",
        );
        let root = &loaded.objects[0].root;
        let p = |k: &str| port_number(root.get(k).unwrap());
        assert_eq!(p("a"), Some(22));
        assert_eq!(p("b"), Some(8080));
        assert_eq!(p("c"), None);
        assert_eq!(p("d"), Some(22));
        assert_eq!(p("e"), None);
    }
}
