//! IP-address kernels (IPv4 and IPv6), following the ipv4-*/ipv6-*/parse-ipv*/format-ipv4*/
//! has-*ipv4* pages.
//!
//! An IPv4 text is `a.b.c.d` with an optional `/prefix` (0..=32); a plain decimal number is
//! accepted where the docs allow a number (`format_ipv4`). IPv6 texts may embed an IPv4
//! address (`::ffff:1.2.3.4`, `::1.2.3.4`, or a bare IPv4), which maps to `::ffff:a.b.c.d`
//! with its prefix counted in IPv4 bits (+96).

use super::ext::IpOp;
use super::{longs, strings};
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use datafusion::common::{Result, exec_err};
use std::net::Ipv6Addr;
use std::sync::Arc;

/// An IPv4 address and its prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct V4 {
    pub addr: u32,
    pub prefix: u32,
}

fn mask4(prefix: u32) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    }
}

fn mask6(prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix.min(128))
    }
}

/// Dotted-quad IPv4 address (no prefix).
pub(crate) fn parse_dotted(s: &str) -> Option<u32> {
    let mut addr: u32 = 0;
    let mut parts = 0;
    for p in s.split('.') {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        if v > 255 {
            return None;
        }
        addr = (addr << 8) | v;
        parts += 1;
    }
    (parts == 4).then_some(addr)
}

fn parse_prefix(p: &str, max: u32) -> Option<u32> {
    let p = p.trim();
    if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    p.parse::<u32>().ok().filter(|v| *v <= max)
}

/// `a.b.c.d[/prefix]`.
pub(crate) fn parse_v4(s: &str) -> Option<V4> {
    let s = s.trim();
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr = parse_dotted(a.trim())?;
    let prefix = match p {
        Some(p) => parse_prefix(p, 32)?,
        None => 32,
    };
    Some(V4 {
        addr: addr & mask4(prefix),
        prefix,
    })
}

/// An IPv4 text, or a number (`format_ipv4` accepts the address as a long).
fn parse_v4_or_number(s: &str) -> Option<V4> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
        let v: u64 = t.parse().ok()?;
        return u32::try_from(v).ok().map(|addr| V4 { addr, prefix: 32 });
    }
    parse_v4(s)
}

/// An IPv6 (or IPv4) text with an optional prefix → (address, prefix in IPv6 bits).
pub(crate) fn parse_v6(s: &str) -> Option<(u128, u32)> {
    let s = s.trim();
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a.trim(), Some(p)),
        None => (s, None),
    };
    let (addr, prefix) = if let Some(v4) = parse_dotted(a) {
        let prefix = match p {
            Some(p) => parse_prefix(p, 32)? + 96,
            None => 128,
        };
        ((0xffff_u128 << 32) | u128::from(v4), prefix)
    } else {
        let ip: Ipv6Addr = a.parse().ok()?;
        let v = u128::from(ip);
        // an embedded dotted IPv4 (`::1.2.3.4`, `::ffff:1.2.3.4`) counts its prefix in IPv4 bits
        let embedded = a.contains('.');
        let v = if embedded && v >> 32 == 0 {
            (0xffff_u128 << 32) | v
        } else {
            v
        };
        let prefix = match p {
            Some(p) if embedded => parse_prefix(p, 32)? + 96,
            Some(p) => parse_prefix(p, 128)?,
            None => 128,
        };
        (v, prefix)
    };
    Some((addr & mask6(prefix), prefix))
}

/// Canonical IPv6 text: eight 4-digit lowercase hex groups.
pub(crate) fn format_v6(v: u128) -> String {
    (0..8)
        .map(|i| format!("{:04x}", (v >> (112 - 16 * i)) & 0xffff))
        .collect::<Vec<_>>()
        .join(":")
}

pub(crate) fn format_v4(addr: u32) -> String {
    let b = addr.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// Compares two IPv4 values on the shortest of their prefixes and `extra`.
fn compare_v4(a: V4, b: V4, extra: Option<u32>) -> std::cmp::Ordering {
    let p = a.prefix.min(b.prefix).min(extra.unwrap_or(32));
    let m = mask4(p);
    (a.addr & m).cmp(&(b.addr & m))
}

fn compare_v6(a: (u128, u32), b: (u128, u32), extra: Option<u32>) -> std::cmp::Ordering {
    let p = a.1.min(b.1).min(extra.unwrap_or(128));
    let m = mask6(p);
    (a.0 & m).cmp(&(b.0 & m))
}

fn ord_long(o: std::cmp::Ordering) -> i64 {
    match o {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

fn is_private(v: V4) -> bool {
    const RANGES: [(u32, u32); 3] = [
        (0x0A00_0000, 8),  // 10.0.0.0/8
        (0xAC10_0000, 12), // 172.16.0.0/12
        (0xC0A8_0000, 16), // 192.168.0.0/16
    ];
    RANGES.iter().any(|(net, p)| v.addr & mask4(*p) == *net)
}

/// The smallest CIDR blocks covering `start..=end`.
pub(crate) fn range_to_cidr(start: u32, end: u32) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, end) = (u64::from(start), u64::from(end));
    while cur <= end {
        let mut size = if cur == 0 {
            32
        } else {
            cur.trailing_zeros().min(32)
        };
        while size > 0 && cur + (1u64 << size) - 1 > end {
            size -= 1;
        }
        out.push(format!("{}/{}", format_v4(cur as u32), 32 - size));
        cur += 1u64 << size;
    }
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// True when `needle` (a valid IPv4 address, or with `prefix` an IPv4 prefix) occurs in
/// `source` as a whole address delimited by non-alphanumeric characters.
pub(crate) fn has_v4(source: &str, needle: &str, prefix: bool) -> bool {
    let valid = if prefix {
        valid_v4_prefix(needle)
    } else {
        parse_dotted(needle).is_some()
    };
    if !valid {
        return false;
    }
    let bytes = source.as_bytes();
    let mut from = 0;
    while let Some(pos) = source.get(from..).and_then(|s| s.find(needle)) {
        let start = from + pos;
        from = start + 1;
        let before_ok = start == 0 || {
            let c = bytes[start - 1];
            let dotted = c == b'.' && start >= 2 && bytes[start - 2].is_ascii_digit();
            !(is_word(c) || dotted)
        };
        if !before_ok {
            continue;
        }
        // the whole dotted run starting here must be a valid address
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
            end += 1;
        }
        let mut run = &source[start..end];
        if run.ends_with('.') {
            run = &run[..run.len() - 1];
        }
        let after_ok = end >= bytes.len() || !is_word(bytes[end]);
        if after_ok
            && parse_dotted(run).is_some()
            && (prefix || run == needle.trim_end_matches('.'))
        {
            return true;
        }
    }
    false
}

/// `127.0.` / `127.0.0.` / `127.0.0.1`: whole octets, ending with `.` unless complete.
fn valid_v4_prefix(p: &str) -> bool {
    let (body, complete) = match p.strip_suffix('.') {
        Some(b) => (b, false),
        None => (p, true),
    };
    let parts: Vec<&str> = body.split('.').collect();
    let ok_parts = parts.iter().all(|x| {
        !x.is_empty()
            && x.len() <= 3
            && x.bytes().all(|c| c.is_ascii_digit())
            && x.parse::<u32>().is_ok_and(|v| v <= 255)
    });
    ok_parts
        && if complete {
            parts.len() == 4
        } else {
            parts.len() <= 3
        }
}

/// The IPs of one `has_any_ipv4` argument: a JSON array of strings, or one address.
fn needles(text: &str) -> Vec<String> {
    let t = text.trim();
    if t.starts_with('[')
        && let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(t)
    {
        return items
            .into_iter()
            .filter_map(|v| match v {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            })
            .collect();
    }
    vec![text.to_string()]
}

fn text_at(a: &StringArray, i: usize) -> Option<&str> {
    if a.is_null(i) { None } else { Some(a.value(i)) }
}

pub(crate) fn eval(op: IpOp, a: &[ArrayRef]) -> Result<ArrayRef> {
    let need = |k: usize| -> Result<()> {
        if a.len() < k {
            return exec_err!("IP function expects {k} arguments, got {}", a.len());
        }
        Ok(())
    };
    let n = a.first().map_or(0, |x| x.len());
    let s0 = strings(&a[0])?;
    let s1 = a.get(1).map(strings).transpose()?;
    // the optional prefix argument (index `k`) as u32; `Err(())` for null/out of range
    let prefix_at = |k: usize, max: i64| -> Result<Vec<Option<Option<u32>>>> {
        match a.get(k) {
            None => Ok(vec![Some(None); n]),
            Some(p) => {
                let p = longs(p)?;
                Ok((0..n)
                    .map(|i| {
                        if p.is_null(i) {
                            return None;
                        }
                        let v = p.value(i);
                        u32::try_from(v)
                            .ok()
                            .filter(|_| (0..=max).contains(&v))
                            .map(Some)
                    })
                    .collect())
            }
        }
    };
    match op {
        IpOp::ParseV4 => {
            let p = prefix_at(1, 32)?;
            let out: Int64Array = (0..n)
                .map(|i| {
                    let v = parse_v4(text_at(&s0, i)?)?;
                    let extra = p[i]?;
                    let m = mask4(v.prefix.min(extra.unwrap_or(32)));
                    Some(i64::from(v.addr & m))
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::CompareV4 | IpOp::IsMatchV4 => {
            need(2)?;
            let s1 = s1.unwrap_or_else(|| s0.clone());
            let p = prefix_at(2, 32)?;
            let cmp: Vec<Option<std::cmp::Ordering>> = (0..n)
                .map(|i| {
                    let x = parse_v4(text_at(&s0, i)?)?;
                    let y = parse_v4(text_at(&s1, i)?)?;
                    Some(compare_v4(x, y, p[i]?))
                })
                .collect();
            if op == IpOp::CompareV4 {
                let out: Int64Array = cmp.into_iter().map(|o| o.map(ord_long)).collect();
                Ok(Arc::new(out))
            } else {
                let out: BooleanArray = cmp.into_iter().map(|o| o.map(|o| o.is_eq())).collect();
                Ok(Arc::new(out))
            }
        }
        IpOp::InRangeV4 => {
            need(2)?;
            let s1 = s1.unwrap_or_else(|| s0.clone());
            let out: BooleanArray = (0..n)
                .map(|i| {
                    let ip = parse_v4(text_at(&s0, i)?)?;
                    let range = parse_v4(text_at(&s1, i)?)?;
                    let m = mask4(range.prefix);
                    Some(ip.addr & m == range.addr & m)
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::IsPrivateV4 => {
            let out: BooleanArray = (0..n)
                .map(|i| parse_v4(text_at(&s0, i)?).map(is_private))
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::NetmaskSuffixV4 => {
            let out: Int64Array = (0..n)
                .map(|i| parse_v4(text_at(&s0, i)?).map(|v| i64::from(v.prefix)))
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::FormatV4 { mask } => {
            let p = prefix_at(1, 32)?;
            let out: StringArray = (0..n)
                .map(|i| {
                    let text = || -> Option<String> {
                        let v = parse_v4_or_number(text_at(&s0, i)?)?;
                        let prefix = v.prefix.min(p[i]?.unwrap_or(32));
                        let addr = format_v4(v.addr & mask4(prefix));
                        Some(if mask {
                            format!("{addr}/{prefix}")
                        } else {
                            addr
                        })
                    };
                    Some(text().unwrap_or_default())
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::RangeToCidrV4 => {
            need(2)?;
            let s1 = s1.unwrap_or_else(|| s0.clone());
            let out: StringArray = (0..n)
                .map(|i| {
                    let x = parse_v4_or_number(text_at(&s0, i)?)?;
                    let y = parse_v4_or_number(text_at(&s1, i)?)?;
                    let (lo, hi) = (x.addr.min(y.addr), x.addr.max(y.addr));
                    let items: Vec<serde_json::Value> = range_to_cidr(lo, hi)
                        .into_iter()
                        .map(serde_json::Value::String)
                        .collect();
                    Some(serde_json::Value::Array(items).to_string())
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::HasV4 | IpOp::HasPrefixV4 => {
            need(2)?;
            let s1 = s1.unwrap_or_else(|| s0.clone());
            let out: BooleanArray = (0..n)
                .map(|i| {
                    let src = text_at(&s0, i).unwrap_or("");
                    let ip = text_at(&s1, i).unwrap_or("");
                    Some(has_v4(src, ip, op == IpOp::HasPrefixV4))
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::HasAnyV4 => {
            let rest = a[1..].iter().map(strings).collect::<Result<Vec<_>>>()?;
            let out: BooleanArray = (0..n)
                .map(|i| {
                    let src = text_at(&s0, i).unwrap_or("");
                    Some(rest.iter().any(|r| {
                        text_at(r, i)
                            .is_some_and(|t| needles(t).iter().any(|ip| has_v4(src, ip, false)))
                    }))
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::HasAnyPrefixV4 => {
            let rest = a[1..].iter().map(strings).collect::<Result<Vec<_>>>()?;
            let out: BooleanArray = (0..n)
                .map(|i| {
                    let src = text_at(&s0, i).unwrap_or("");
                    Some(rest.iter().any(|r| {
                        text_at(r, i)
                            .is_some_and(|t| needles(t).iter().any(|p| has_v4(src, p, true)))
                    }))
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::InAnyRangeV4 | IpOp::InAnyRangeV6 => {
            let rest = a[1..].iter().map(strings).collect::<Result<Vec<_>>>()?;
            let v6 = op == IpOp::InAnyRangeV6;
            let out: BooleanArray = (0..n)
                .map(|i| {
                    let ip = text_at(&s0, i)?;
                    let ranges: Vec<String> = rest
                        .iter()
                        .filter_map(|r| text_at(r, i))
                        .flat_map(needles)
                        .collect();
                    // docs: null when the address or a range does not parse
                    if v6 {
                        let ip = parse_v6(ip)?;
                        let rs = ranges
                            .iter()
                            .map(|r| parse_v6(r))
                            .collect::<Option<Vec<_>>>()?;
                        Some(rs.iter().any(|r| {
                            let m = mask6(r.1);
                            ip.0 & m == r.0 & m
                        }))
                    } else {
                        let ip = parse_v4(ip)?;
                        let rs = ranges
                            .iter()
                            .map(|r| parse_v4(r))
                            .collect::<Option<Vec<_>>>()?;
                        Some(rs.iter().any(|r| {
                            let m = mask4(r.prefix);
                            ip.addr & m == r.addr & m
                        }))
                    }
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::CompareV6 | IpOp::IsMatchV6 => {
            need(2)?;
            let s1 = s1.unwrap_or_else(|| s0.clone());
            let p = prefix_at(2, 128)?;
            let cmp: Vec<Option<std::cmp::Ordering>> = (0..n)
                .map(|i| {
                    let x = parse_v6(text_at(&s0, i)?)?;
                    let y = parse_v6(text_at(&s1, i)?)?;
                    Some(compare_v6(x, y, p[i]?))
                })
                .collect();
            if op == IpOp::CompareV6 {
                let out: Int64Array = cmp.into_iter().map(|o| o.map(ord_long)).collect();
                Ok(Arc::new(out))
            } else {
                let out: BooleanArray = cmp.into_iter().map(|o| o.map(|o| o.is_eq())).collect();
                Ok(Arc::new(out))
            }
        }
        IpOp::InRangeV6 => {
            need(2)?;
            let s1 = s1.unwrap_or_else(|| s0.clone());
            let out: BooleanArray = (0..n)
                .map(|i| {
                    let ip = parse_v6(text_at(&s0, i)?)?;
                    let range = parse_v6(text_at(&s1, i)?)?;
                    let m = mask6(range.1);
                    Some(ip.0 & m == range.0 & m)
                })
                .collect();
            Ok(Arc::new(out))
        }
        IpOp::ParseV6 => {
            let p = prefix_at(1, 128)?;
            let out: StringArray = (0..n)
                .map(|i| {
                    let text = || -> Option<String> {
                        let (v, prefix) = parse_v6(text_at(&s0, i)?)?;
                        let prefix = prefix.min(p[i]?.unwrap_or(128));
                        Some(format_v6(v & mask6(prefix)))
                    };
                    Some(text().unwrap_or_default())
                })
                .collect();
            Ok(Arc::new(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        // parse-ipv4-function.md
        assert_eq!(parse_v4("192.168.1.1").map(|v| v.addr), Some(3232235777));
        assert_eq!(parse_v4("192.168.1.1/24").map(|v| v.addr), Some(3232235776));
        assert_eq!(
            parse_v4("255.255.255.255/31").map(|v| v.addr),
            Some(4294967294)
        );
        assert_eq!(parse_v4("127.0.0.256"), None);
        assert_eq!(parse_v4("1.2.3"), None);
        assert_eq!(parse_v4("1.2.3.4/33"), None);
        // parse-ipv6-function.md
        let p = |s: &str| parse_v6(s).map(|(v, _)| format_v6(v));
        assert_eq!(
            p("192.168.255.255/24").as_deref(),
            Some("0000:0000:0000:0000:0000:ffff:c0a8:ff00")
        );
        assert_eq!(
            p("::192.168.255.255").as_deref(),
            Some("0000:0000:0000:0000:0000:ffff:c0a8:ffff")
        );
        assert_eq!(
            p("fe80::85d:e82c:9446:7994/120").as_deref(),
            Some("fe80:0000:0000:0000:085d:e82c:9446:7900")
        );
    }

    #[test]
    fn cidr() {
        // ipv4-range-to-cidr-list-function.md
        let (a, b) = (parse_dotted("1.1.128.0"), parse_dotted("1.1.140.255"));
        assert_eq!(
            a.zip(b).map(|(a, b)| range_to_cidr(a, b)),
            Some(vec![
                "1.1.128.0/21".to_string(),
                "1.1.136.0/22".to_string(),
                "1.1.140.0/24".to_string()
            ])
        );
        assert_eq!(range_to_cidr(0x0A00_0000, 0x0A00_00FF), vec!["10.0.0.0/24"]);
        assert_eq!(
            range_to_cidr(0x0A00_0001, 0x0A00_0004),
            vec!["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/32"]
        );
        assert_eq!(range_to_cidr(0, u32::MAX), vec!["0.0.0.0/0"]);
    }

    #[test]
    fn has() {
        // has-ipv4-function.md, has-ipv4-prefix-function.md
        let src = "05:04:54 127.0.0.1 GET /favicon.ico 404";
        assert!(has_v4(src, "127.0.0.1", false));
        assert!(!has_v4(
            "05:04:54 127.0.0.256 GET /favicon.ico 404",
            "127.0.0.256",
            false
        ));
        assert!(!has_v4(
            "05:04:54127.0.0.1 GET /favicon.ico 404",
            "127.0.0.1",
            false
        ));
        assert!(has_v4(src, "127.0.", true));
        assert!(!has_v4(src, "127.0", true));
        assert!(!has_v4(
            "05:04:54 127.0.0.256 GET /favicon.ico 404",
            "127.0.",
            true
        ));
        assert!(!has_v4(
            "05:04:54127.0.0.1 GET /favicon.ico 404",
            "127.0.",
            true
        ));
        assert!(!has_v4("x 127.0.0.12 y", "127.0.0.1", false));
        assert!(has_v4("to 127.0.0.1.", "127.0.0.1", false));
    }
}
