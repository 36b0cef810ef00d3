use super::*;
use std::collections::HashSet;

#[test]
fn names_are_unique_and_entries_complete() {
    let mut seen = HashSet::new();
    for n in names() {
        assert!(seen.insert(n), "duplicate function name {n}");
    }
    for e in catalog() {
        assert!(!e.example.trim().is_empty(), "{} has no example", e.name);
        assert!(
            e.expected.ends_with('\n'),
            "{}: expected lacks newline",
            e.name
        );
        assert!(e.signature.starts_with(e.name), "{}: signature", e.name);
    }
    assert_eq!(lookup("iif").map(|e| e.name), Some("iff"));
    assert!(lookup("no_such_function").is_none());
    for k in KNOWN_WRONG {
        assert!(lookup(k).is_some(), "KNOWN_WRONG names unknown {k}");
    }
}

/// Scalar functions the planner lowers itself (they take a tabular argument).
const PLANNER_LOWERED: &[&str] = &[
    "toscalar",
    "arg_max",
    "arg_min",
    "pack_all",
    "bag_pack_columns",
    "column_names_of",
    "bin_auto",
];

/// The error a family returns for a name it knows but does not implement.
fn stub(n: &str, err: &crate::lower::CallError) -> bool {
    err.message == format!("{n} is not implemented yet")
        || err.message == format!("`{n}` is not implemented yet")
}

/// Every catalog name lowers in its family (so the catalog lists no stubs).
#[test]
fn every_scalar_and_aggregate_entry_lowers() {
    let cx = crate::lower::CallContext { now_nanos: 0 };
    for n in names() {
        let Some(e) = lookup(n) else { continue };
        if PLANNER_LOWERED.contains(&n) {
            continue;
        }
        match e.kind {
            Kind::Scalar => {
                let r = crate::lower::scalar_call(n, &[], &cx);
                assert!(
                    !matches!(r, Ok(None)),
                    "scalar {n} is in the catalog but does not lower"
                );
                if let Err(err) = r {
                    assert!(!stub(n, &err), "{n} is not implemented: {err}");
                }
            }
            Kind::Aggregate => {
                assert!(crate::lower::is_aggregate(n), "{n} is not an aggregate");
                let r = crate::lower::aggregate_call(n, &[], &cx);
                if let Err(err) = r {
                    assert!(!stub(n, &err), "{n} is not implemented: {err}");
                }
            }
            Kind::Window => {}
        }
    }
}

/// Kusto's scalar and aggregation function names (../shared/reference/kql-surface.md
/// §1.4–§1.5, obsolete aliases included), to find functions that lower but are missing
/// from the catalog.
const KUSTO_NAMES: &[&str] = &[
    "abs",
    "acos",
    "ago",
    "any",
    "anyif",
    "arg_max",
    "arg_min",
    "argmax",
    "argmin",
    "around",
    "array_concat",
    "array_iff",
    "array_index_of",
    "array_length",
    "array_reverse",
    "array_rotate_left",
    "array_rotate_right",
    "array_shift_left",
    "array_shift_right",
    "array_slice",
    "array_sort_asc",
    "array_sort_desc",
    "array_split",
    "array_strcat",
    "asin",
    "assert",
    "atan",
    "atan2",
    "avg",
    "avgif",
    "bag_has_key",
    "bag_keys",
    "bag_merge",
    "bag_pack",
    "bag_pack_columns",
    "bag_remove_keys",
    "bag_set_key",
    "bag_zip",
    "base64_decode_toarray",
    "base64_decode_toguid",
    "base64_decode_tostring",
    "base64_decodestring",
    "base64_encode_fromarray",
    "base64_encode_fromguid",
    "base64_encode_tostring",
    "base64_encodestring",
    "beta_cdf",
    "beta_inv",
    "beta_pdf",
    "bin",
    "bin_at",
    "bin_auto",
    "binary_all_and",
    "binary_all_or",
    "binary_all_xor",
    "binary_and",
    "binary_not",
    "binary_or",
    "binary_shift_left",
    "binary_shift_right",
    "binary_xor",
    "bitset_count_ones",
    "buildschema",
    "case",
    "ceiling",
    "coalesce",
    "column_ifexists",
    "columnifexists",
    "convert_angle",
    "convert_energy",
    "convert_force",
    "convert_length",
    "convert_mass",
    "convert_speed",
    "convert_temperature",
    "convert_volume",
    "cos",
    "cot",
    "count",
    "count_distinct",
    "count_distinctif",
    "countif",
    "countof",
    "covariance",
    "covarianceif",
    "covariancep",
    "covariancepif",
    "datepart",
    "datetime_add",
    "datetime_diff",
    "datetime_list_timezones",
    "datetime_local_to_utc",
    "datetime_part",
    "datetime_utc_to_local",
    "dayofmonth",
    "dayofweek",
    "dayofyear",
    "dcount",
    "dcount_hll",
    "dcountif",
    "degrees",
    "dynamic_to_json",
    "endofday",
    "endofmonth",
    "endofweek",
    "endofyear",
    "erf",
    "erfc",
    "exp",
    "exp10",
    "exp2",
    "extract",
    "extract_all",
    "extract_json",
    "extractall",
    "extractjson",
    "floor",
    "format_bytes",
    "format_datetime",
    "format_ipv4",
    "format_ipv4_mask",
    "format_timespan",
    "gamma",
    "getmonth",
    "gettype",
    "getyear",
    "gzip_compress_to_base64_string",
    "gzip_decompress_from_base64_string",
    "has_any_index",
    "has_any_ipv4",
    "has_any_ipv4_prefix",
    "has_ipv4",
    "has_ipv4_prefix",
    "hash",
    "hash_combine",
    "hash_many",
    "hash_md5",
    "hash_sha1",
    "hash_sha256",
    "hash_xxhash64",
    "hll",
    "hll_if",
    "hll_merge",
    "hourofday",
    "iff",
    "iif",
    "indexof",
    "indexof_regex",
    "ipv4_compare",
    "ipv4_is_in_any_range",
    "ipv4_is_in_range",
    "ipv4_is_match",
    "ipv4_is_private",
    "ipv4_netmask_suffix",
    "ipv4_range_to_cidr_list",
    "ipv6_compare",
    "ipv6_is_in_any_range",
    "ipv6_is_in_range",
    "ipv6_is_match",
    "ipv6_is_private",
    "isascii",
    "isempty",
    "isfinite",
    "isinf",
    "isnan",
    "isnotempty",
    "isnotnull",
    "isnull",
    "isutf8",
    "jaccard_index",
    "log",
    "log10",
    "log2",
    "loggamma",
    "make_bag",
    "make_bag_if",
    "make_datetime",
    "make_dictionary",
    "make_list",
    "make_list_if",
    "make_list_with_nulls",
    "make_set",
    "make_set_if",
    "make_string",
    "make_timespan",
    "makelist",
    "makeset",
    "max",
    "max_of",
    "maxif",
    "merge_tdigest",
    "min",
    "min_of",
    "minif",
    "monthofyear",
    "new_guid",
    "not",
    "notempty",
    "notnull",
    "now",
    "pack",
    "pack_all",
    "pack_array",
    "pack_dictionary",
    "parse_command_line",
    "parse_csv",
    "parse_ipv4",
    "parse_ipv4_mask",
    "parse_ipv6",
    "parse_ipv6_mask",
    "parse_json",
    "parse_path",
    "parse_url",
    "parse_urlquery",
    "parse_user_agent",
    "parse_version",
    "parse_xml",
    "parsejson",
    "parseurl",
    "percentile",
    "percentile_tdigest",
    "percentiles",
    "percentiles_array",
    "percentiles_array_tdigest",
    "percentilesw",
    "percentilesw_array",
    "percentilew",
    "percentrank_tdigest",
    "pi",
    "pow",
    "radians",
    "rand",
    "range",
    "rank_tdigest",
    "regex_quote",
    "repeat",
    "replace",
    "replace_regex",
    "replace_string",
    "replace_strings",
    "reverse",
    "round",
    "set_difference",
    "set_equals",
    "set_has_element",
    "set_intersect",
    "set_union",
    "sign",
    "sin",
    "split",
    "sqrt",
    "startofday",
    "startofmonth",
    "startofweek",
    "startofyear",
    "stdev",
    "stdevif",
    "stdevp",
    "stdevpif",
    "strcat",
    "strcat_array",
    "strcat_delim",
    "strcmp",
    "string_size",
    "strlen",
    "strrep",
    "substring",
    "sum",
    "sumif",
    "take_any",
    "take_anyif",
    "tan",
    "tdigest",
    "tdigest_merge",
    "to_utf8",
    "tobool",
    "toboolean",
    "todatetime",
    "todecimal",
    "todouble",
    "todynamic",
    "toguid",
    "tohex",
    "toint",
    "tolong",
    "tolower",
    "toobject",
    "toreal",
    "tostring",
    "totime",
    "totimespan",
    "toupper",
    "translate",
    "treepath",
    "trim",
    "trim_end",
    "trim_start",
    "unicode_codepoints_from_string",
    "unicode_codepoints_to_string",
    "unixtime_microseconds_todatetime",
    "unixtime_milliseconds_todatetime",
    "unixtime_nanoseconds_todatetime",
    "unixtime_seconds_todatetime",
    "url_decode",
    "url_encode",
    "url_encode_component",
    "variance",
    "varianceif",
    "variancep",
    "variancepif",
    "week_of_year",
    "weekofyear",
    "welch_test",
    "zip",
    "zlib_compress_to_base64_string",
    "zlib_decompress_from_base64_string",
];

/// Whether the families lower `n` (any answer other than "unknown" or a stub error).
fn lowers(n: &str) -> bool {
    let cx = crate::lower::CallContext { now_nanos: 0 };
    let probe = || {
        if crate::lower::is_aggregate(n) {
            match crate::lower::aggregate_call(n, &[], &cx) {
                Ok(r) => r.is_some(),
                Err(e) => !stub(n, &e),
            }
        } else {
            match crate::lower::scalar_call(n, &[], &cx) {
                Ok(r) => r.is_some(),
                Err(e) => !stub(n, &e),
            }
        }
    };
    // a lowering that indexes its arguments before checking the arity still knows the name
    std::panic::catch_unwind(probe).unwrap_or(true)
}

/// Every Kusto function that lowers today has a catalog entry.
#[test]
fn implemented_functions_are_catalogued() {
    // the probe itself: a real function, a stub and an unknown name
    assert!(lowers("strlen"));
    assert!(!lowers("todecimal") || lookup("todecimal").is_some());
    assert!(!lowers("no_such_function"));
    let missing: Vec<&str> = KUSTO_NAMES
        .iter()
        .copied()
        .filter(|n| lookup(n).is_none() && lowers(n))
        .collect();
    assert!(
        missing.is_empty(),
        "functions that lower but have no catalog entry (add them to functions/src/catalog.rs): {missing:?}"
    );
}
