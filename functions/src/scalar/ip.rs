//! IPv4/IPv6 functions (kernels in `crate::udf::ip`): `parse_ipv4`, `parse_ipv4_mask`,
//! `ipv4_compare`, `ipv4_is_match`, `ipv4_is_in_range`, `ipv4_is_private`,
//! `ipv4_netmask_suffix`, `format_ipv4`, `format_ipv4_mask`, `ipv4_range_to_cidr_list`,
//! `has_ipv4`, `has_ipv4_prefix`, `has_any_ipv4`, `ipv6_compare`, `ipv6_is_match`,
//! `ipv6_is_in_range`, `parse_ipv6`, `parse_ipv6_mask`, `has_any_ipv4_prefix`,
//! `ipv4_is_in_any_range`, `ipv6_is_in_any_range`.

use super::{arity, long_arg, ok, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::ext::{self, ExtOp, IpOp};
use datafusion::logical_expr::Expr;

/// A text argument (string or guid; numbers are accepted via `tostring` where the docs
/// allow a number, i.e. `format_ipv4`, and dynamic values by their text).
fn text(name: &str, args: &[Arg], i: usize, numbers: bool) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::String | KqlType::Guid | KqlType::Dynamic => Ok(string_arg(&args[i])),
        KqlType::Int | KqlType::Long if numbers => Ok(string_arg(&args[i])),
        t => Err(type_error(name, i, "a string", t)),
    }
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let (op, min, max, sig, ty) = match name {
        "parse_ipv4" => (IpOp::ParseV4, 1, 1, "ip", KqlType::Long),
        "parse_ipv4_mask" => (IpOp::ParseV4, 2, 2, "ip, prefix", KqlType::Long),
        "ipv4_compare" => (IpOp::CompareV4, 2, 3, "ip1, ip2 [, prefix]", KqlType::Long),
        "ipv4_is_match" => (IpOp::IsMatchV4, 2, 3, "ip1, ip2 [, prefix]", KqlType::Bool),
        "ipv4_is_in_range" => (IpOp::InRangeV4, 2, 2, "ip, range", KqlType::Bool),
        "ipv4_is_private" => (IpOp::IsPrivateV4, 1, 1, "ip", KqlType::Bool),
        "ipv4_netmask_suffix" => (IpOp::NetmaskSuffixV4, 1, 1, "ip", KqlType::Long),
        "format_ipv4" => (
            IpOp::FormatV4 { mask: false },
            1,
            2,
            "ip [, prefix]",
            KqlType::String,
        ),
        "format_ipv4_mask" => (
            IpOp::FormatV4 { mask: true },
            1,
            2,
            "ip [, prefix]",
            KqlType::String,
        ),
        "ipv4_range_to_cidr_list" => (IpOp::RangeToCidrV4, 2, 2, "start, end", KqlType::Dynamic),
        "has_ipv4" => (IpOp::HasV4, 2, 2, "source, ip", KqlType::Bool),
        "has_ipv4_prefix" => (IpOp::HasPrefixV4, 2, 2, "source, prefix", KqlType::Bool),
        "has_any_ipv4" => (
            IpOp::HasAnyV4,
            2,
            usize::MAX,
            "source, ip, ...",
            KqlType::Bool,
        ),
        "has_any_ipv4_prefix" => (
            IpOp::HasAnyPrefixV4,
            2,
            usize::MAX,
            "source, prefix, ... | prefixes: dynamic",
            KqlType::Bool,
        ),
        "ipv4_is_in_any_range" => (
            IpOp::InAnyRangeV4,
            2,
            usize::MAX,
            "ip, range, ... | ranges: dynamic",
            KqlType::Bool,
        ),
        "ipv6_is_in_any_range" => (
            IpOp::InAnyRangeV6,
            2,
            usize::MAX,
            "ip, range, ... | ranges: dynamic",
            KqlType::Bool,
        ),
        "ipv6_compare" => (IpOp::CompareV6, 2, 3, "ip1, ip2 [, prefix]", KqlType::Long),
        "ipv6_is_match" => (IpOp::IsMatchV6, 2, 3, "ip1, ip2 [, prefix]", KqlType::Bool),
        "ipv6_is_in_range" => (IpOp::InRangeV6, 2, 2, "ip, range", KqlType::Bool),
        "parse_ipv6" => (IpOp::ParseV6, 1, 1, "ip", KqlType::String),
        "parse_ipv6_mask" => (IpOp::ParseV6, 2, 2, "ip, prefix", KqlType::String),
        _ => return Ok(None),
    };
    arity(name, args, min, max, sig)?;
    // which arguments are prefixes (integers); the rest are texts
    let prefix_index = match op {
        IpOp::ParseV4 | IpOp::FormatV4 { .. } | IpOp::ParseV6 => Some(1),
        IpOp::CompareV4 | IpOp::IsMatchV4 | IpOp::CompareV6 | IpOp::IsMatchV6 => Some(2),
        _ => None,
    };
    let numbers = matches!(op, IpOp::FormatV4 { .. } | IpOp::RangeToCidrV4);
    let v = (0..args.len())
        .map(|i| {
            if Some(i) == prefix_index {
                long_arg(name, args, i)
            } else {
                text(name, args, i, numbers)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    ok(ext::call(ExtOp::Ip(op), v), ty)
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn ipv4_docs() {
        // parse-ipv4-function.md
        assert_eq!(kt("parse_ipv4", &[s("192.168.1.1")]).await, "3232235777");
        assert_eq!(kt("parse_ipv4", &[s("192.168.1.1/24")]).await, "3232235776");
        assert_eq!(
            kt("parse_ipv4", &[s("255.255.255.255/31")]).await,
            "4294967294"
        );
        assert_eq!(kt("parse_ipv4", &[s("nope")]).await, "NULL");
        // parse-ipv4-mask-function.md: parse_ipv4_mask("127.0.0.1", 24) = 2130706432
        assert_eq!(
            kt("parse_ipv4_mask", &[s("127.0.0.1"), l(24)]).await,
            "2130706432"
        );
        // ipv4-is-in-range-function.md
        assert_eq!(
            kt("ipv4_is_in_range", &[s("192.168.1.1"), s("192.168.1.1")]).await,
            "true"
        );
        assert_eq!(
            kt(
                "ipv4_is_in_range",
                &[s("192.168.1.1"), s("192.168.1.255/24")]
            )
            .await,
            "true"
        );
        assert_eq!(
            kt(
                "ipv4_is_in_range",
                &[s("192.168.2.1"), s("192.168.1.255/24")]
            )
            .await,
            "false"
        );
        assert_eq!(
            kt("ipv4_is_in_range", &[s("x"), s("192.168.1.255/24")]).await,
            "NULL"
        );
        // ipv4-is-match-function.md
        assert_eq!(
            kt("ipv4_is_match", &[s("192.168.1.1/24"), s("192.168.1.255")]).await,
            "true"
        );
        assert_eq!(
            kt("ipv4_is_match", &[s("192.168.1.0"), s("192.168.1.0")]).await,
            "true"
        );
        assert_eq!(
            kt("ipv4_is_match", &[s("192.168.1.1"), s("192.168.1.255/24")]).await,
            "true"
        );
        assert_eq!(
            kt(
                "ipv4_is_match",
                &[s("192.168.1.1/30"), s("192.168.1.255/24")]
            )
            .await,
            "true"
        );
        assert_eq!(
            kt(
                "ipv4_is_match",
                &[s("192.168.1.1"), s("192.168.1.0"), l(31)]
            )
            .await,
            "true"
        );
        assert_eq!(
            kt(
                "ipv4_is_match",
                &[s("192.168.1.1/24"), s("192.168.1.255"), l(31)]
            )
            .await,
            "true"
        );
        assert_eq!(
            kt(
                "ipv4_is_match",
                &[s("192.168.1.1"), s("192.168.1.255"), l(24)]
            )
            .await,
            "true"
        );
        assert_eq!(
            kt("ipv4_is_match", &[s("192.168.1.1"), s("192.168.1.255")]).await,
            "false"
        );
        // ipv4-compare-function.md
        assert_eq!(
            kt("ipv4_compare", &[s("192.168.1.1/24"), s("192.168.1.255")]).await,
            "0"
        );
        assert_eq!(
            kt("ipv4_compare", &[s("192.168.1.1"), s("192.168.1.0"), l(31)]).await,
            "0"
        );
        assert_eq!(
            kt("ipv4_compare", &[s("192.168.1.1"), s("192.168.1.255")]).await,
            "-1"
        );
        assert_eq!(
            kt("ipv4_compare", &[s("192.168.1.2"), s("192.168.1.1")]).await,
            "1"
        );
        // ipv4-is-private-function.md
        assert_eq!(kt("ipv4_is_private", &[s("10.1.2.3")]).await, "true");
        assert_eq!(kt("ipv4_is_private", &[s("192.168.1.1/24")]).await, "true");
        assert_eq!(kt("ipv4_is_private", &[s("127.0.0.1")]).await, "false");
        assert_eq!(kt("ipv4_is_private", &[s("172.31.0.1")]).await, "true");
        // ipv4-netmask-suffix-function.md
        assert_eq!(kt("ipv4_netmask_suffix", &[s("10.1.2.3")]).await, "32");
        assert_eq!(
            kt("ipv4_netmask_suffix", &[s("192.168.1.1/24")]).await,
            "24"
        );
        assert_eq!(kt("ipv4_netmask_suffix", &[s("127.0.0.1/16")]).await, "16");
    }

    #[tokio::test]
    async fn format_docs() {
        // format-ipv4-function.md / format-ipv4-mask-function.md
        let rows = [
            ("192.168.1.1", 24, "192.168.1.0", "192.168.1.0/24"),
            ("192.168.1.1", 32, "192.168.1.1", "192.168.1.1/32"),
            ("192.168.1.1/24", 32, "192.168.1.0", "192.168.1.0/24"),
            ("192.168.1.1/24", -1, "", ""),
        ];
        for (ip, m, plain, masked) in rows {
            assert_eq!(kt("format_ipv4", &[s(ip), l(m)]).await, plain);
            assert_eq!(kt("format_ipv4_mask", &[s(ip), l(m)]).await, masked);
        }
        assert_eq!(kt("format_ipv4", &[l(3232235777)]).await, "192.168.1.1");
        assert_eq!(
            kt("format_ipv4_mask", &[s("10.0.0.1")]).await,
            "10.0.0.1/32"
        );
        assert_eq!(
            kql("ipv4_range_to_cidr_list", &[s("10.0.0.1"), s("10.0.0.4")]).await,
            (
                Some(r#"["10.0.0.1/32","10.0.0.2/31","10.0.0.4/32"]"#.into()),
                KqlType::Dynamic
            )
        );
    }

    #[tokio::test]
    async fn has_docs() {
        let src = "05:04:54 127.0.0.1 GET /favicon.ico 404";
        assert_eq!(kt("has_ipv4", &[s(src), s("127.0.0.1")]).await, "true");
        assert_eq!(kt("has_ipv4_prefix", &[s(src), s("127.0.")]).await, "true");
        assert_eq!(kt("has_ipv4_prefix", &[s(src), s("127.0")]).await, "false");
        // has-any-ipv4-function.md
        assert_eq!(
            kt("has_any_ipv4", &[s(src), s("127.0.0.1"), s("127.0.0.2")]).await,
            "true"
        );
        assert_eq!(
            kt(
                "has_any_ipv4",
                &[s(src), dynamic(r#"["127.0.0.1", "127.0.0.2"]"#)]
            )
            .await,
            "true"
        );
        assert_eq!(
            kt(
                "has_any_ipv4",
                &[
                    s("05:04:54 127.0.0.256 GET /favicon.ico 404"),
                    dynamic(r#"["127.0.0.256", "192.168.1.1"]"#)
                ]
            )
            .await,
            "false"
        );
        assert_eq!(
            kt(
                "has_any_ipv4",
                &[
                    s("05:04:54127.0.0.1 GET /favicon.ico 404"),
                    s("127.0.0.1"),
                    s("192.168.1.1")
                ]
            )
            .await,
            "false"
        );
    }

    /// Calls the KQL function of an IP op through the lowering.
    async fn op(op: crate::udf::ext::IpOp, args: &[crate::lower::Arg]) -> String {
        use crate::udf::ext::IpOp::{HasAnyPrefixV4, InAnyRangeV4, InAnyRangeV6};
        let name = match op {
            HasAnyPrefixV4 => "has_any_ipv4_prefix",
            InAnyRangeV4 => "ipv4_is_in_any_range",
            InAnyRangeV6 => "ipv6_is_in_any_range",
            other => panic!("no KQL name for {other:?} here"),
        };
        kt(name, args).await
    }

    #[tokio::test]
    async fn any_range_unparsable() {
        // ipv4-is-in-any-range-function.md / ipv6-…: null when a conversion fails
        assert_eq!(
            kt("ipv4_is_in_any_range", &[s("10.0.0.1"), s("bad")]).await,
            "NULL"
        );
        assert_eq!(
            kt(
                "ipv4_is_in_any_range",
                &[s("10.0.0.1"), dynamic(r#"["10.0.0.0/8", "bad"]"#)]
            )
            .await,
            "NULL"
        );
        assert_eq!(
            kt("ipv6_is_in_any_range", &[s("::1"), s("::1/128"), s("bad")]).await,
            "NULL"
        );
        assert_eq!(
            kt("ipv6_is_in_any_range", &[s("::1"), s("::1/128")]).await,
            "true"
        );
    }

    #[tokio::test]
    async fn any_docs() {
        use crate::udf::ext::IpOp::{HasAnyPrefixV4, InAnyRangeV4, InAnyRangeV6};
        // has-any-ipv4-prefix-function.md
        let src = "05:04:54 127.0.0.1 GET /favicon.ico 404";
        assert_eq!(
            op(HasAnyPrefixV4, &[s(src), s("127.0."), s("192.168.")]).await,
            "true"
        );
        assert_eq!(
            op(
                HasAnyPrefixV4,
                &[s(src), dynamic(r#"["127.0.", "192.168."]"#)]
            )
            .await,
            "true"
        );
        assert_eq!(op(HasAnyPrefixV4, &[s(src), s("127.0")]).await, "false");
        assert_eq!(
            op(
                HasAnyPrefixV4,
                &[
                    s("05:04:54127.0.0.1 GET /favicon.ico 404"),
                    s("127.0."),
                    s("192.")
                ]
            )
            .await,
            "false"
        );
        // ipv4-is-in-any-range-function.md
        assert_eq!(
            op(
                InAnyRangeV4,
                &[
                    s("192.168.1.6"),
                    s("192.168.1.1/24"),
                    s("10.0.0.1/8"),
                    s("127.1.0.1/16")
                ]
            )
            .await,
            "true"
        );
        assert_eq!(
            op(
                InAnyRangeV4,
                &[s("127.0.0.1"), dynamic(r#"["127.0.0.1", "192.168.1.1"]"#)]
            )
            .await,
            "true"
        );
        assert_eq!(
            op(InAnyRangeV4, &[s("11.0.0.1"), s("10.0.0.1/8")]).await,
            "false"
        );
        // ipv6-is-in-any-range-function.md
        let nets = dynamic(
            r#"["a5e:f127:8a9d:146d:e102:b5d3:c755:f6cd/112", "0:0:0:0:0:ffff:c0a8:ac/60"]"#,
        );
        for (ip, want) in [
            ("a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "true"),
            ("a5e:f127:8a9d:146d:e102:b5d3:c755:abcf", "true"),
            ("a5e:f127:8a9d:146d:e102:b5d3:c756:abd1", "false"),
        ] {
            assert_eq!(op(InAnyRangeV6, &[s(ip), nets.clone()]).await, want, "{ip}");
        }
    }

    #[tokio::test]
    async fn ipv6_docs() {
        // ipv6-compare-function.md / ipv6-is-match-function.md: all these pairs are equal
        let pairs = [
            ("192.168.1.1", "192.168.1.1"),
            ("192.168.1.1/24", "192.168.1.255"),
            ("192.168.1.1", "192.168.1.255/24"),
            ("192.168.1.1/30", "192.168.1.255/24"),
            ("fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7994"),
            ("fe80::85d:e82c:9446:7994/120", "fe80::85d:e82c:9446:7998"),
            ("fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7998/120"),
            (
                "fe80::85d:e82c:9446:7994/120",
                "fe80::85d:e82c:9446:7998/120",
            ),
            ("192.168.1.1", "::ffff:c0a8:0101"),
            ("192.168.1.1/24", "::ffff:c0a8:01ff"),
            ("::ffff:c0a8:0101", "192.168.1.255/24"),
            ("::192.168.1.1/30", "192.168.1.255/24"),
        ];
        for (a, b) in pairs {
            assert_eq!(kt("ipv6_compare", &[s(a), s(b)]).await, "0", "{a} {b}");
            assert_eq!(kt("ipv6_is_match", &[s(a), s(b)]).await, "true", "{a} {b}");
        }
        assert_eq!(kt("ipv6_compare", &[s("::1"), s("::2")]).await, "-1");
        assert_eq!(kt("ipv6_compare", &[s("::2"), s("::3"), l(127)]).await, "0");
        // parse-ipv6-function.md
        assert_eq!(
            kt("parse_ipv6", &[s("192.168.255.255")]).await,
            "0000:0000:0000:0000:0000:ffff:c0a8:ffff"
        );
        assert_eq!(
            kt("parse_ipv6", &[s("192.168.255.255/24")]).await,
            "0000:0000:0000:0000:0000:ffff:c0a8:ff00"
        );
        assert_eq!(
            kt("parse_ipv6", &[s("255.255.255.255")]).await,
            "0000:0000:0000:0000:0000:ffff:ffff:ffff"
        );
        assert_eq!(kt("parse_ipv6", &[s("nope")]).await, "");
        // parse-ipv6-mask-function.md
        let rows = [
            (
                "192.168.255.255",
                120,
                "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
            ),
            (
                "192.168.255.255/24",
                124,
                "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
            ),
            (
                "255.255.255.255",
                128,
                "0000:0000:0000:0000:0000:ffff:ffff:ffff",
            ),
            (
                "fe80::85d:e82c:9446:7994",
                128,
                "fe80:0000:0000:0000:085d:e82c:9446:7994",
            ),
            (
                "fe80::85d:e82c:9446:7994/120",
                124,
                "fe80:0000:0000:0000:085d:e82c:9446:7900",
            ),
            (
                "::192.168.255.255",
                128,
                "0000:0000:0000:0000:0000:ffff:c0a8:ffff",
            ),
            (
                "::192.168.255.255/24",
                128,
                "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
            ),
        ];
        for (ip, m, want) in rows {
            assert_eq!(kt("parse_ipv6_mask", &[s(ip), l(m)]).await, want, "{ip}");
        }
        // ipv6-is-in-range-function.md
        let addr = "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd";
        assert_eq!(
            kt(
                "ipv6_is_in_range",
                &[s(addr), s("a5e:f127:8a9d:146d:e102:b5d3:c755:0000/112")]
            )
            .await,
            "true"
        );
        assert_eq!(kt("ipv6_is_in_range", &[s(addr), s(addr)]).await, "true");
        assert_eq!(
            kt(
                "ipv6_is_in_range",
                &[s(addr), s("0:0:0:0:0:ffff:c0a8:ac/60")]
            )
            .await,
            "false"
        );
    }
}
