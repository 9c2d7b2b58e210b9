//! IP addresses and CIDR ranges for policy constraints. IPv4-mapped IPv6
//! addresses (`::ffff:10.0.0.1`, what a dual-stack socket reports for an
//! IPv4 client) are compared as the IPv4 address they carry.

#[cfg(test)]
use std::fmt;
use std::net::IpAddr;

/// An address: IPv4 as the low 32 bits with `v4`, IPv6 as 128 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addr {
    bits: u128,
    v4: bool,
}

impl Addr {
    /// Parses an IPv4 or IPv6 address (no port, no zone, no leading zeros
    /// in IPv4 octets: `010.0.0.1` is ambiguous and refused).
    pub fn parse(text: &str) -> Option<Addr> {
        match text.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => Some(Addr {
                bits: u128::from(u32::from(a)),
                v4: true,
            }),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => Some(Addr {
                    bits: u128::from(u32::from(v4)),
                    v4: true,
                }),
                None => Some(Addr {
                    bits: u128::from(a),
                    v4: false,
                }),
            },
        }
    }
}

#[cfg(test)]
impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v4 {
            std::net::Ipv4Addr::from(self.bits as u32).fmt(f)
        } else {
            std::net::Ipv6Addr::from(self.bits).fmt(f)
        }
    }
}

/// A CIDR range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    base: Addr,
    prefix: u8,
    /// As written in the policy (no address formatting code in the wasm).
    text: String,
}

impl Cidr {
    /// Parses `addr/prefix` (or a bare address: one host). Bits set after
    /// the prefix are refused: `10.0.0.1/8` is almost always a typo for
    /// either `10.0.0.0/8` or `10.0.0.1/32`.
    pub fn parse(text: &str) -> Result<Cidr, &'static str> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let mut base = Addr::parse(addr).ok_or("not an IPv4 or IPv6 address")?;
        let mapped = base.v4 && addr.contains(':');
        let width: u8 = if base.v4 && !mapped { 32 } else { 128 };
        let mut prefix = match prefix {
            None => width,
            Some(p) => {
                if p.is_empty()
                    || p.len() > 3
                    || !p.bytes().all(|b| b.is_ascii_digit())
                    || (p.len() > 1 && p.starts_with('0'))
                {
                    return Err("the prefix length must be a decimal number");
                }
                p.parse::<u8>()
                    .map_err(|_| "the prefix length is too long")?
            }
        };
        if prefix > width {
            return Err("the prefix length is longer than the address");
        }
        if mapped {
            // ::ffff:a.b.c.d/n names IPv4 addresses: compare them as IPv4.
            prefix = prefix
                .checked_sub(96)
                .ok_or("an IPv4-mapped range needs a prefix of at least 96")?;
        }
        let host_width = u32::from(if base.v4 { 32 - prefix } else { 128 - prefix });
        let host_mask = 1u128.checked_shl(host_width).map_or(u128::MAX, |m| m - 1);
        if base.bits & host_mask != 0 {
            return Err("address bits are set after the prefix length (write the network address)");
        }
        base.bits &= !host_mask;
        Ok(Cidr {
            base,
            prefix,
            text: text.to_owned(),
        })
    }

    /// The range as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `addr` is in the range.
    pub fn contains(&self, addr: Addr) -> bool {
        if addr.v4 != self.base.v4 {
            return false;
        }
        let width = if addr.v4 { 32 } else { 128 };
        let host_width = u32::from(width - self.prefix);
        let host_mask = 1u128.checked_shl(host_width).map_or(u128::MAX, |m| m - 1);
        addr.bits & !host_mask == self.base.bits
    }
}

#[cfg(test)]
impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(cidr: &str, ip: &str) -> bool {
        Cidr::parse(cidr)
            .unwrap()
            .contains(Addr::parse(ip).unwrap())
    }

    #[test]
    fn ranges_contain_their_addresses() {
        assert!(has("10.0.0.0/8", "10.255.1.2"));
        assert!(!has("10.0.0.0/8", "11.0.0.0"));
        assert!(has("0.0.0.0/0", "192.0.2.1"));
        assert!(!has("0.0.0.0/0", "2001:db8::1"));
        assert!(has("192.0.2.7", "192.0.2.7"));
        assert!(!has("192.0.2.7", "192.0.2.8"));
        assert!(has("2001:db8::/32", "2001:db8:ffff::1"));
        assert!(!has("2001:db8::/32", "2001:db9::1"));
        assert!(has("::/0", "::1"));
        assert!(has("10.0.0.0/8", "::ffff:10.1.2.3"));
        assert!(has("::ffff:10.0.0.0/104", "10.1.2.3"));
        assert!(!has("::ffff:10.0.0.0/104", "11.1.2.3"));
        assert!(has("fe80::/10", "fe80::1"));
    }

    #[test]
    fn malformed_ranges_are_refused() {
        for bad in [
            "",
            "10.0.0.0/",
            "10.0.0.0/33",
            "10.0.0.1/8",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "10.0.0/8",
            "010.0.0.0/8",
            "2001:db8::1/32",
            "2001:db8::/129",
            "fe80::1%eth0",
            "::ffff:10.0.0.0/95",
            "10.0.0.0/8/8",
            "host/8",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Cidr::parse("2001:DB8::/32").map(|c| c.to_string()),
            Ok("2001:db8::/32".to_owned())
        );
    }

    #[test]
    fn addresses() {
        assert_eq!(
            Addr::parse("::ffff:192.0.2.1").map(|a| a.to_string()),
            Some("192.0.2.1".to_owned())
        );
        assert_eq!(Addr::parse("192.0.2.1:443"), None);
        assert_eq!(Addr::parse("[::1]"), None);
        assert_eq!(Addr::parse(" 10.0.0.1"), None);
    }
}
