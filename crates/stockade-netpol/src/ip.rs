//! IPv4 address sets and the disjoint blocks netpol-analyzer reports external peers as.

use std::fmt;

const MAX_IP: u64 = u32::MAX as u64;

/// A set of IPv4 addresses: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct IpSet(Vec<(u64, u64)>);

impl IpSet {
    /// No addresses.
    pub fn empty() -> Self {
        Self(Vec::new())
    }

    /// 0.0.0.0/0.
    pub fn all() -> Self {
        Self(vec![(0, MAX_IP)])
    }

    /// One inclusive range.
    pub fn range(start: u32, end: u32) -> Self {
        Self(vec![(start as u64, end as u64)])
    }

    /// Parses `a.b.c.d/n` (or a bare address). `None` for IPv6 or malformed input.
    pub fn from_cidr(cidr: &str) -> Option<Self> {
        let (addr, len) = match cidr.split_once('/') {
            Some((a, l)) => (a, l.trim().parse::<u32>().ok()?),
            None => (cidr, 32),
        };
        let ip: std::net::Ipv4Addr = addr.trim().parse().ok()?;
        if len > 32 {
            return None;
        }
        let ip = u32::from(ip) as u64;
        let size = 1u64 << (32 - len);
        let start = ip & !(size - 1) & MAX_IP;
        Some(Self(vec![(start, start + size - 1)]))
    }

    /// The ranges.
    pub fn ranges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.0.iter().map(|&(s, e)| (s as u32, e as u32))
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of addresses.
    pub fn size(&self) -> u64 {
        self.0.iter().map(|&(s, e)| e - s + 1).sum()
    }

    /// Union.
    pub fn union(&self, other: &Self) -> Self {
        let mut all: Vec<(u64, u64)> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(all.len());
        for (s, e) in all {
            match out.last_mut() {
                Some(last) if s <= last.1 + 1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        Self(out)
    }

    /// Intersection.
    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Vec::new();
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

    /// Addresses in `self` and not in `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        let mut comp = Vec::new();
        let mut next = 0u64;
        for &(s, e) in &other.0 {
            if s > next {
                comp.push((next, s - 1));
            }
            next = e + 1;
        }
        if next <= MAX_IP {
            comp.push((next, MAX_IP));
        }
        self.intersect(&Self(comp))
    }

    /// True when every address of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }

    /// True when the sets share an address.
    pub fn overlaps(&self, other: &Self) -> bool {
        !self.intersect(other).is_empty()
    }

    /// One set per contiguous range.
    pub fn split(&self) -> Vec<IpSet> {
        self.0.iter().map(|&r| Self(vec![r])).collect()
    }
}

fn ip_str(v: u64) -> String {
    std::net::Ipv4Addr::from(v as u32).to_string()
}

impl fmt::Display for IpSet {
    /// `a.b.c.d-e.f.g.h`, ranges joined with `,`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(s, e)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}-{}", ip_str(s), ip_str(e))?;
        }
        Ok(())
    }
}

/// Splits the address space into the blocks netpol-analyzer reports as separate external peers:
/// every block referenced by a policy, and the rest of 0.0.0.0/0, cut where they overlap.
///
/// Follows its procedure (blocks taken smallest first, each overlap split off) so that the
/// ranges printed are the same.
pub fn disjoint_blocks(blocks: &[IpSet]) -> Vec<IpSet> {
    let mut list: Vec<IpSet> = blocks.iter().filter(|b| !b.is_empty()).cloned().collect();
    list.push(IpSet::all());
    list.sort_by_key(IpSet::size);
    let mut res: Vec<IpSet> = Vec::new();
    for block in list {
        let mut new = block;
        let mut to_add = Vec::new();
        for existing in res.iter_mut() {
            if !existing.overlaps(&new) {
                continue;
            }
            let inter = existing.intersect(&new);
            new = new.subtract(&inter);
            if *existing != inter {
                to_add.push(inter.clone());
                *existing = existing.subtract(&inter);
            }
            if new.is_empty() {
                break;
            }
        }
        res.extend(new.split());
        res.extend(to_add);
    }
    res.sort();
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_rendering() {
        let a = IpSet::from_cidr("10.0.0.0/8").unwrap();
        assert_eq!(a.to_string(), "10.0.0.0-10.255.255.255");
        assert_eq!(
            IpSet::all().subtract(&a).to_string(),
            "0.0.0.0-9.255.255.255,11.0.0.0-255.255.255.255"
        );
        assert_eq!(
            IpSet::from_cidr("10.1.2.3/16").unwrap().to_string(),
            "10.1.0.0-10.1.255.255"
        );
        assert!(IpSet::from_cidr("::/0").is_none());
    }

    #[test]
    fn disjoint_blocks_cut_the_space() {
        let blocks = [IpSet::from_cidr("10.0.0.0/8").unwrap()];
        let got: Vec<String> = disjoint_blocks(&blocks)
            .iter()
            .map(|b| b.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0-10.255.255.255",
                "11.0.0.0-255.255.255.255"
            ]
        );
        let got: Vec<String> = disjoint_blocks(&[]).iter().map(|b| b.to_string()).collect();
        assert_eq!(got, ["0.0.0.0-255.255.255.255"]);
    }
}
