//! Kubernetes resource quantities, parsed just far enough to compare a request with a limit.
//! Written by hand: the only crate for it (`k8s-openapi`'s `Quantity`) is a string wrapper.

/// The value of a quantity (`100m`, `128Mi`, `1.5`, `2e3`), or `None` when it is not one.
pub fn parse(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let number: f64 = num.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    (number.is_finite() && number >= 0.0).then_some(number * factor)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn quantities() {
        assert_eq!(parse("100m"), Some(0.1));
        assert_eq!(parse("128Mi"), Some(134_217_728.0));
        assert_eq!(parse("1Gi"), Some(1_073_741_824.0));
        assert_eq!(parse("1.5"), Some(1.5));
        assert_eq!(parse("2e3"), Some(2000.0));
        assert_eq!(parse("1k"), Some(1000.0));
        assert_eq!(parse("lots"), None);
        assert_eq!(parse("1Xi"), None);
        assert_eq!(parse(""), None);
        assert!(parse("1Gi") > parse("512Mi"));
    }
}
