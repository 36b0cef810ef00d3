//! A second scalar UDF, [`ExtUdf`], for the hash, encoding and IP-address families (kernels in
//! `udf::hash`, `udf::encoding` and `udf::ip`). Like [`super::KqlUdf`] it accepts any argument
//! types; the lowering in `crate::scalar::{hash, encoding, ip}` casts arguments to the forms
//! each op reads.

use super::{encoding, hash, ip};
use crate::udf::op_udf::{UdfOp, arrays, op_call};
use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, Expr};

/// Digest algorithms of `hash_md5`, `hash_sha1`, `hash_sha256`, `hash_sha512`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgo {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

/// IP-address operations (see `udf::ip`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpOp {
    /// `parse_ipv4(ip)` / `parse_ipv4_mask(ip, prefix)` → Int64.
    ParseV4,
    /// `ipv4_compare(a, b [, prefix])` → Int64.
    CompareV4,
    /// `ipv4_is_match(a, b [, prefix])` → Boolean.
    IsMatchV4,
    /// `ipv4_is_in_range(ip, range)` → Boolean.
    InRangeV4,
    /// `ipv4_is_private(ip)` → Boolean.
    IsPrivateV4,
    /// `ipv4_netmask_suffix(ip)` → Int64.
    NetmaskSuffixV4,
    /// `format_ipv4(ip [, prefix])` (`mask`: `format_ipv4_mask`) → Utf8.
    FormatV4 { mask: bool },
    /// `ipv4_range_to_cidr_list(start, end)` → JSON array text.
    RangeToCidrV4,
    /// `has_ipv4(source, ip)` → Boolean.
    HasV4,
    /// `has_ipv4_prefix(source, prefix)` → Boolean.
    HasPrefixV4,
    /// `has_any_ipv4(source, ip, …)` (an argument may be a JSON array) → Boolean.
    HasAnyV4,
    /// `has_any_ipv4_prefix(source, prefix, …)` → Boolean.
    HasAnyPrefixV4,
    /// `ipv4_is_in_any_range(ip, range, …)` (a range argument may be a JSON array) → Boolean.
    InAnyRangeV4,
    /// `ipv6_is_in_any_range(ip, range, …)` → Boolean.
    InAnyRangeV6,
    /// `ipv6_compare(a, b [, prefix])` → Int64.
    CompareV6,
    /// `ipv6_is_match(a, b [, prefix])` → Boolean.
    IsMatchV6,
    /// `ipv6_is_in_range(ip, range)` → Boolean.
    InRangeV6,
    /// `parse_ipv6(ip)` / `parse_ipv6_mask(ip, prefix)` → Utf8 (canonical form, "" when bad).
    ParseV6,
}

/// The operations of this family (see [`call`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtOp {
    /// `hash(value [, mod])`: xxhash64 of the value's bytes; `guid` when Utf8 holds a guid.
    Hash {
        guid: bool,
    },
    /// `hash_combine(h1, h2, …)` over Int64.
    HashCombine,
    /// Hex digest of the Utf8 argument.
    Digest(DigestAlgo),
    /// `bitset_count_ones(Int64)`.
    PopCount,
    /// Utf8 → base64 text.
    Base64Encode,
    /// base64 text → Utf8 (null when not base64 or not UTF-8).
    Base64Decode,
    /// guid text → base64 of its 16 bytes (.NET byte order).
    Base64FromGuid,
    /// base64 of 16 bytes → guid text (null when not 16 bytes).
    Base64ToGuid,
    /// base64 → JSON array of the byte values.
    Base64ToArray,
    /// `url_encode` (`component = false`) / `url_encode_component`.
    UrlEncode {
        component: bool,
    },
    UrlDecode,
    /// `parse_url(url)` → JSON object text.
    ParseUrl,
    /// `parse_urlquery(query)` → JSON object text.
    ParseUrlQuery,
    /// `parse_path(path)` → JSON object text.
    ParsePath,
    /// `parse_csv(text)` → JSON array text.
    ParseCsv,
    /// `zlib/gzip_compress_to_base64_string`.
    Compress {
        gzip: bool,
    },
    /// `zlib/gzip_decompress_from_base64_string`.
    Decompress {
        gzip: bool,
    },
    /// `format_bytes(size: Float64, precision: Int64, units: Utf8, base: Int64)`.
    FormatBytes,
    Ip(IpOp),
}

impl ExtOp {
    fn name(&self) -> &'static str {
        match self {
            ExtOp::Hash { guid: false } => "kql_hash",
            ExtOp::Hash { guid: true } => "kql_hash_guid",
            ExtOp::HashCombine => "kql_hash_combine",
            ExtOp::Digest(DigestAlgo::Md5) => "kql_hash_md5",
            ExtOp::Digest(DigestAlgo::Sha1) => "kql_hash_sha1",
            ExtOp::Digest(DigestAlgo::Sha256) => "kql_hash_sha256",
            ExtOp::Digest(DigestAlgo::Sha512) => "kql_hash_sha512",
            ExtOp::PopCount => "kql_bitset_count_ones",
            ExtOp::Base64Encode => "kql_base64_encode_tostring",
            ExtOp::Base64Decode => "kql_base64_decode_tostring",
            ExtOp::Base64FromGuid => "kql_base64_encode_fromguid",
            ExtOp::Base64ToGuid => "kql_base64_decode_toguid",
            ExtOp::Base64ToArray => "kql_base64_decode_toarray",
            ExtOp::UrlEncode { component: false } => "kql_url_encode",
            ExtOp::UrlEncode { component: true } => "kql_url_encode_component",
            ExtOp::UrlDecode => "kql_url_decode",
            ExtOp::ParseUrl => "kql_parse_url",
            ExtOp::ParseUrlQuery => "kql_parse_urlquery",
            ExtOp::ParsePath => "kql_parse_path",
            ExtOp::ParseCsv => "kql_parse_csv",
            ExtOp::Compress { gzip: false } => "kql_zlib_compress",
            ExtOp::Compress { gzip: true } => "kql_gzip_compress",
            ExtOp::Decompress { gzip: false } => "kql_zlib_decompress",
            ExtOp::Decompress { gzip: true } => "kql_gzip_decompress",
            ExtOp::FormatBytes => "kql_format_bytes",
            ExtOp::Ip(op) => match op {
                IpOp::ParseV4 => "kql_parse_ipv4",
                IpOp::CompareV4 => "kql_ipv4_compare",
                IpOp::IsMatchV4 => "kql_ipv4_is_match",
                IpOp::InRangeV4 => "kql_ipv4_is_in_range",
                IpOp::IsPrivateV4 => "kql_ipv4_is_private",
                IpOp::NetmaskSuffixV4 => "kql_ipv4_netmask_suffix",
                IpOp::FormatV4 { mask: false } => "kql_format_ipv4",
                IpOp::FormatV4 { mask: true } => "kql_format_ipv4_mask",
                IpOp::RangeToCidrV4 => "kql_ipv4_range_to_cidr_list",
                IpOp::HasV4 => "kql_has_ipv4",
                IpOp::HasPrefixV4 => "kql_has_ipv4_prefix",
                IpOp::HasAnyV4 => "kql_has_any_ipv4",
                IpOp::HasAnyPrefixV4 => "kql_has_any_ipv4_prefix",
                IpOp::InAnyRangeV4 => "kql_ipv4_is_in_any_range",
                IpOp::InAnyRangeV6 => "kql_ipv6_is_in_any_range",
                IpOp::CompareV6 => "kql_ipv6_compare",
                IpOp::IsMatchV6 => "kql_ipv6_is_match",
                IpOp::InRangeV6 => "kql_ipv6_is_in_range",
                IpOp::ParseV6 => "kql_parse_ipv6",
            },
        }
    }

    fn return_type(&self) -> DataType {
        match self {
            ExtOp::Hash { .. } | ExtOp::HashCombine | ExtOp::PopCount => DataType::Int64,
            ExtOp::Ip(op) => match op {
                IpOp::ParseV4 | IpOp::CompareV4 | IpOp::NetmaskSuffixV4 | IpOp::CompareV6 => {
                    DataType::Int64
                }
                IpOp::IsMatchV4
                | IpOp::InRangeV4
                | IpOp::IsPrivateV4
                | IpOp::HasV4
                | IpOp::HasPrefixV4
                | IpOp::HasAnyV4
                | IpOp::HasAnyPrefixV4
                | IpOp::InAnyRangeV4
                | IpOp::InAnyRangeV6
                | IpOp::IsMatchV6
                | IpOp::InRangeV6 => DataType::Boolean,
                IpOp::FormatV4 { .. } | IpOp::RangeToCidrV4 | IpOp::ParseV6 => DataType::Utf8,
            },
            _ => DataType::Utf8,
        }
    }
}

/// A call of the UDF for `op`.
pub fn call(op: ExtOp, args: Vec<Expr>) -> Expr {
    op_call(op, args)
}

impl UdfOp for ExtOp {
    fn name(&self) -> &str {
        ExtOp::name(self)
    }

    fn return_type(&self) -> DataType {
        ExtOp::return_type(self)
    }

    fn eval(&self, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
        eval_op(*self, &arrays(args, rows)?)
    }
}

fn eval_op(op: ExtOp, a: &[ArrayRef]) -> Result<ArrayRef> {
    if a.is_empty() {
        return exec_err!("{} expects arguments", op.name());
    }
    match op {
        ExtOp::Hash { guid } => hash::hash(&a[0], a.get(1), guid),
        ExtOp::HashCombine => hash::combine(a),
        ExtOp::Digest(algo) => hash::digest(&a[0], algo),
        ExtOp::PopCount => hash::pop_count(&a[0]),
        ExtOp::Base64Encode => encoding::base64_encode(&a[0]),
        ExtOp::Base64Decode => encoding::base64_decode(&a[0]),
        ExtOp::Base64FromGuid => encoding::base64_from_guid(&a[0]),
        ExtOp::Base64ToGuid => encoding::base64_to_guid(&a[0]),
        ExtOp::Base64ToArray => encoding::base64_to_array(&a[0]),
        ExtOp::UrlEncode { component } => encoding::url_encode(&a[0], component),
        ExtOp::UrlDecode => encoding::url_decode(&a[0]),
        ExtOp::ParseUrl => encoding::parse_url(&a[0]),
        ExtOp::ParseUrlQuery => encoding::parse_urlquery(&a[0]),
        ExtOp::ParsePath => encoding::parse_path(&a[0]),
        ExtOp::ParseCsv => encoding::parse_csv(&a[0]),
        ExtOp::Compress { gzip } => encoding::compress(&a[0], gzip),
        ExtOp::Decompress { gzip } => encoding::decompress(&a[0], gzip),
        ExtOp::FormatBytes => encoding::format_bytes(a),
        ExtOp::Ip(op) => ip::eval(op, a),
    }
}
