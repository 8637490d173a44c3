//! Sets of connections: protocols with port ranges.

use std::fmt;

use smallvec::{SmallVec, smallvec};

/// Lowest port a policy can name.
pub const MIN_PORT: u32 = 1;
/// Highest port.
pub const MAX_PORT: u32 = 65535;

/// A transport protocol NetworkPolicies know about, in the order outputs list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// SCTP.
    Sctp,
    /// TCP (the default everywhere a protocol may be omitted).
    Tcp,
    /// UDP.
    Udp,
}

impl Protocol {
    /// All protocols, in output order.
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    /// Parses `TCP`/`UDP`/`SCTP` (case-insensitive); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Self::Tcp),
            "UDP" => Some(Self::Udp),
            "SCTP" => Some(Self::Sctp),
            _ => None,
        }
    }

    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sctp => "SCTP",
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A set of ports: sorted, disjoint, non-adjacent inclusive ranges within 1-65535.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PortSet(Ranges);

/// Port ranges, kept inline while there are few of them (the usual case).
type Ranges = SmallVec<[(u32, u32); 3]>;

impl PortSet {
    /// No ports.
    pub fn empty() -> Self {
        Self(SmallVec::new())
    }

    /// Every port.
    pub fn all() -> Self {
        Self(smallvec![(MIN_PORT, MAX_PORT)])
    }

    /// One range, clamped to the legal ports; empty when `start > end`.
    pub fn range(start: u32, end: u32) -> Self {
        let (s, e) = (start.max(MIN_PORT), end.min(MAX_PORT));
        if s > e {
            Self::empty()
        } else {
            Self(smallvec![(s, e)])
        }
    }

    /// The ranges.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.0
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when every port is in the set.
    pub fn is_all(&self) -> bool {
        self.0.as_slice() == [(MIN_PORT, MAX_PORT)]
    }

    /// True when `port` is in the set.
    pub fn contains(&self, port: u32) -> bool {
        self.0.iter().any(|&(s, e)| s <= port && port <= e)
    }

    /// Union.
    pub fn union(&self, other: &Self) -> Self {
        if other.0.is_empty() || self.is_all() {
            return self.clone();
        }
        if self.0.is_empty() || other.is_all() {
            return other.clone();
        }
        // Merge two sorted range lists.
        let mut out: Ranges = SmallVec::with_capacity(self.0.len() + other.0.len());
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() || j < other.0.len() {
            let next = if j >= other.0.len() || (i < self.0.len() && self.0[i] <= other.0[j]) {
                i += 1;
                self.0[i - 1]
            } else {
                j += 1;
                other.0[j - 1]
            };
            match out.last_mut() {
                Some(last) if next.0 <= last.1.saturating_add(1) => last.1 = last.1.max(next.1),
                _ => out.push(next),
            }
        }
        Self(out)
    }

    /// Intersection.
    pub fn intersect(&self, other: &Self) -> Self {
        if self.0.is_empty() || other.is_all() {
            return self.clone();
        }
        if other.0.is_empty() || self.is_all() {
            return other.clone();
        }
        let mut out = Ranges::new();
        let (mut i, mut j) = (0, 0);
        while i < self.0.len() && j < other.0.len() {
            let (a, b) = (self.0[i], other.0[j]);
            let (s, e) = (a.0.max(b.0), a.1.min(b.1));
            if s <= e {
                out.push((s, e));
            }
            if a.1 < b.1 { i += 1 } else { j += 1 }
        }
        Self(out)
    }

    /// Ports in `self` and not in `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        if self.0.is_empty() || other.0.is_empty() {
            return self.clone();
        }
        if other.is_all() {
            return Self::empty();
        }
        self.intersect(&other.complement())
    }

    /// Every port not in the set.
    pub fn complement(&self) -> Self {
        let mut out = Ranges::new();
        let mut next = MIN_PORT;
        for &(s, e) in &self.0 {
            if s > next {
                out.push((next, s - 1));
            }
            next = e + 1;
        }
        if next <= MAX_PORT {
            out.push((next, MAX_PORT));
        }
        Self(out)
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(s, e)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if s == e {
                write!(f, "{s}")?;
            } else {
                write!(f, "{s}-{e}")?;
            }
        }
        Ok(())
    }
}

/// Allowed traffic between two peers: a port set per protocol.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConnSet([PortSet; 3]);

impl ConnSet {
    /// Nothing allowed.
    pub fn none() -> Self {
        Self::default()
    }

    /// Everything allowed.
    pub fn all() -> Self {
        Self([PortSet::all(), PortSet::all(), PortSet::all()])
    }

    /// Every port of one protocol.
    pub fn protocol(p: Protocol) -> Self {
        Self::ports(p, PortSet::all())
    }

    /// Some ports of one protocol.
    pub fn ports(p: Protocol, ports: PortSet) -> Self {
        let mut c = Self::none();
        c.0[p.index()] = ports;
        c
    }

    /// The ports allowed for a protocol.
    pub fn get(&self, p: Protocol) -> &PortSet {
        &self.0[p.index()]
    }

    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(PortSet::is_empty)
    }

    /// True when everything is allowed.
    pub fn is_all(&self) -> bool {
        self.0.iter().all(PortSet::is_all)
    }

    /// True when `protocol`/`port` is allowed.
    pub fn contains(&self, p: Protocol, port: u32) -> bool {
        self.0[p.index()].contains(port)
    }

    /// True when everything in `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }

    fn zip(&self, other: &Self, f: impl Fn(&PortSet, &PortSet) -> PortSet) -> Self {
        Self([
            f(&self.0[0], &other.0[0]),
            f(&self.0[1], &other.0[1]),
            f(&self.0[2], &other.0[2]),
        ])
    }

    /// Union.
    pub fn union(&self, other: &Self) -> Self {
        self.zip(other, PortSet::union)
    }

    /// Intersection.
    pub fn intersect(&self, other: &Self) -> Self {
        self.zip(other, PortSet::intersect)
    }

    /// Difference.
    pub fn subtract(&self, other: &Self) -> Self {
        self.zip(other, PortSet::subtract)
    }

    /// Everything not in the set.
    pub fn complement(&self) -> Self {
        Self([
            self.0[0].complement(),
            self.0[1].complement(),
            self.0[2].complement(),
        ])
    }
}

impl fmt::Display for ConnSet {
    /// `All Connections`, `No Connections`, or e.g. `SCTP 9003,TCP 80,8080-8090,UDP 53` as
    /// netpol-analyzer prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first = true;
        for p in Protocol::ALL {
            let ports = self.get(p);
            if ports.is_empty() {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{} {ports}", p.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_netpol_analyzer() {
        assert_eq!(ConnSet::all().to_string(), "All Connections");
        assert_eq!(ConnSet::none().to_string(), "No Connections");
        let c = ConnSet::ports(Protocol::Tcp, PortSet::range(8080, 8080))
            .union(&ConnSet::ports(Protocol::Tcp, PortSet::range(9090, 9090)))
            .union(&ConnSet::ports(Protocol::Udp, PortSet::range(8080, 8080)));
        assert_eq!(c.to_string(), "TCP 8080,9090,UDP 8080");
        let c = ConnSet::protocol(Protocol::Tcp)
            .subtract(&ConnSet::ports(Protocol::Tcp, PortSet::range(80, 80)));
        assert_eq!(c.to_string(), "TCP 1-79,81-65535");
        assert_eq!(
            ConnSet::protocol(Protocol::Sctp).to_string(),
            "SCTP 1-65535"
        );
    }

    #[test]
    fn port_set_algebra() {
        let a = PortSet::range(1, 10).union(&PortSet::range(20, 30));
        assert_eq!(a.to_string(), "1-10,20-30");
        assert_eq!(a.union(&PortSet::range(11, 19)), PortSet::range(1, 30));
        assert_eq!(
            a.intersect(&PortSet::range(5, 25)).to_string(),
            "5-10,20-25"
        );
        assert_eq!(a.subtract(&PortSet::range(5, 25)).to_string(), "1-4,26-30");
        assert_eq!(a.complement().to_string(), "11-19,31-65535");
        assert!(PortSet::range(9, 3).is_empty());
    }
}
