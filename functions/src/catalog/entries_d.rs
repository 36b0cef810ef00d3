//! Catalog entries (part of `catalog.rs`): covariance, weighted and array percentiles,
//! bitwise and schema aggregates, arg_max/arg_min, special math functions and the IP
//! any-range/prefix tests. Expected outputs are derived by hand from the Kusto docs pages
//! named in each function's module.

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    // ---- aggregates ----
    entry!(
        "covariance",
        [],
        Aggregate,
        "aggregate",
        "covariance(expr1: real, expr2: real) -> real",
        "Sample covariance of two numeric expressions over the group.",
        r#"datatable(x: real, y: real) [1.0, 14.0, 2.0, 10.0, 3.0, 17.0, 4.0, 20.0, 5.0, 50.0] | summarize covariance(x, y)"#,
        "covariance_x_y\n20.5\n"
    ),
    entry!(
        "covarianceif",
        [],
        Aggregate,
        "aggregate",
        "covarianceif(expr1: real, expr2: real, predicate: bool) -> real",
        "Sample covariance of two numeric expressions over the rows for which the predicate holds.",
        r#"range x from 1 to 100 step 1 | extend y = iff(x % 2 == 0, x * 2, x * 3) | summarize c = covarianceif(x, y, x % 3 == 0) | project c = round(c, 6)"#,
        "c\n2142\n"
    ),
    entry!(
        "covariancep",
        [],
        Aggregate,
        "aggregate",
        "covariancep(expr1: real, expr2: real) -> real",
        "Population covariance of two numeric expressions over the group.",
        r#"datatable(x: real, y: real) [1.0, 14.0, 2.0, 10.0, 3.0, 17.0, 4.0, 20.0, 5.0, 50.0] | summarize covariancep(x, y)"#,
        "covariancep_x_y\n16.4\n"
    ),
    entry!(
        "covariancepif",
        [],
        Aggregate,
        "aggregate",
        "covariancepif(expr1: real, expr2: real, predicate: bool) -> real",
        "Population covariance of two numeric expressions over the rows for which the predicate holds.",
        r#"range x from 1 to 100 step 1 | extend y = iff(x % 2 == 0, x * 2, x * 3) | summarize c = covariancepif(x, y, x % 3 == 0) | project c = round(c, 6)"#,
        "c\n2077.090909\n"
    ),
    entry!(
        "percentiles_array",
        [],
        Aggregate,
        "aggregate",
        "percentiles_array(expr, percentile1, ... | percentiles: dynamic) -> dynamic",
        "Several nearest-rank percentiles of the group's values as one dynamic array.",
        r#"range x from 1 to 10 step 1 | summarize percentiles_array(x, 10, 50, 90)"#,
        "percentiles_x\n\"[1,5,9]\"\n"
    ),
    entry!(
        "percentilew",
        [],
        Aggregate,
        "aggregate",
        "percentilew(expr, weight: long, percentile: real) -> the input's type",
        "The nearest-rank percentile of the group's values, each counted weight times.",
        r#"datatable(ReqCount: long, LatencyBucket: long) [8, 10, 6, 20, 3, 30, 1, 40] | summarize percentilew(LatencyBucket, ReqCount, 50)"#,
        "percentile_LatencyBucket_50\n20\n"
    ),
    entry!(
        "percentilesw",
        [],
        Aggregate,
        "aggregate",
        "percentilesw(expr, weight: long, percentile1, percentile2, ...) -> one column per percentile",
        "Several weighted nearest-rank percentiles of the group's values at once.",
        r#"datatable(ReqCount: long, LatencyBucket: long) [8, 10, 6, 20, 3, 30, 1, 40] | summarize percentilesw(LatencyBucket, ReqCount, 50, 75, 99.9)"#,
        "percentile_LatencyBucket_50,percentile_LatencyBucket_75,percentile_LatencyBucket_99_9\n20,20,40\n"
    ),
    entry!(
        "percentilesw_array",
        [],
        Aggregate,
        "aggregate",
        "percentilesw_array(expr, weight: long, percentile1, ... | percentiles: dynamic) -> dynamic",
        "Several weighted nearest-rank percentiles of the group's values as one dynamic array.",
        r#"datatable(ReqCount: long, LatencyBucket: long) [8, 10, 6, 20, 3, 30, 1, 40] | summarize p = percentilesw_array(LatencyBucket, ReqCount, dynamic([50, 75, 99.9]))"#,
        "p\n\"[20,20,40]\"\n"
    ),
    entry!(
        "binary_all_and",
        [],
        Aggregate,
        "aggregate",
        "binary_all_and(expr: long) -> long",
        "Bitwise AND of the group's values.",
        r#"datatable(num: long) [0xFFFFFFFF, 0xFFFFF00F, 0xCFFFFFFD, 0xFAFEFFFF] | summarize binary_all_and(num)"#,
        "num\n3405705229\n"
    ),
    entry!(
        "binary_all_or",
        [],
        Aggregate,
        "aggregate",
        "binary_all_or(expr: long) -> long",
        "Bitwise OR of the group's values.",
        r#"datatable(num: long) [0x88888008, 0x42000000, 0x00767000, 0x00000005] | summarize result = binary_all_or(num)"#,
        "result\n3405705229\n"
    ),
    entry!(
        "binary_all_xor",
        [],
        Aggregate,
        "aggregate",
        "binary_all_xor(expr: long) -> long",
        "Bitwise XOR of the group's values.",
        r#"datatable(num: long) [0x44404440, 0x1E1E1E1E, 0x90ABBA09, 0x000B105A] | summarize result = binary_all_xor(num)"#,
        "result\n3405705229\n"
    ),
    entry!(
        "buildschema",
        [],
        Aggregate,
        "aggregate",
        "buildschema(DynamicExpr: dynamic) -> dynamic",
        "The minimal schema (types by property, `indexer` for array elements) admitting all the group's dynamic values.",
        r#"datatable(value: dynamic) [dynamic({"x": 1, "y": 3.5}), dynamic({"x": "somevalue", "z": [1, 2, 3]}), dynamic({"y": {"w": "zzz"}, "t": ["aa", "bb"], "z": ["foo"]})] | summarize buildschema(value)"#,
        "schema_value\n\"{\"\"x\"\":[\"\"long\"\",\"\"string\"\"],\"\"y\"\":[\"\"double\"\",{\"\"w\"\":\"\"string\"\"}],\"\"z\"\":{\"\"`indexer`\"\":[\"\"long\"\",\"\"string\"\"]},\"\"t\"\":{\"\"`indexer`\"\":\"\"string\"\"}}\"\n"
    ),
    entry!(
        "arg_max",
        [],
        Aggregate,
        "aggregate",
        "arg_max(ExprToMaximize, * | ExprToReturn [, ...]) -> the expression and the returned columns",
        "The values of the requested columns from the row where the expression is largest.",
        r#"datatable(x: long, s: string) [1, "a", 3, "c", 2, "b"] | summarize arg_max(x, s)"#,
        "x,s\n3,c\n"
    ),
    entry!(
        "arg_min",
        [],
        Aggregate,
        "aggregate",
        "arg_min(ExprToMinimize, * | ExprToReturn [, ...]) -> the expression and the returned columns",
        "The values of the requested columns from the row where the expression is smallest.",
        r#"datatable(x: long, s: string) [2, "b", 1, "a", 3, "c"] | summarize arg_min(x, *)"#,
        "x,s\n1,a\n"
    ),
    // ---- math ----
    entry!(
        "cot",
        [],
        Scalar,
        "math",
        "cot(number: real) -> real",
        "Cotangent of an angle in radians.",
        r#"print r = cot(1)"#,
        "r\n0.6420926159343306\n"
    ),
    entry!(
        "gamma",
        [],
        Scalar,
        "math",
        "gamma(number: real) -> real",
        "The gamma function (Γ(n) = (n−1)! for positive integers).",
        r#"print result = gamma(5)"#,
        "result\n24\n"
    ),
    entry!(
        "loggamma",
        [],
        Scalar,
        "math",
        "loggamma(number: real) -> real",
        "Natural logarithm of the absolute value of the gamma function.",
        r#"print result = loggamma(5)"#,
        "result\n3.1780538303479458\n"
    ),
    entry!(
        "erf",
        [],
        Scalar,
        "math",
        "erf(x: real) -> real",
        "The error function.",
        r#"print r = round(erf(1), 9)"#,
        "r\n0.842700793\n"
    ),
    entry!(
        "erfc",
        [],
        Scalar,
        "math",
        "erfc(x: real) -> real",
        "The complementary error function, 1 − erf(x).",
        r#"print r = round(erfc(1), 9)"#,
        "r\n0.157299207\n"
    ),
    entry!(
        "beta_cdf",
        [],
        Scalar,
        "math",
        "beta_cdf(x: real, alpha: real, beta: real) -> real",
        "The cumulative beta distribution function (NaN outside its domain).",
        r#"print b = round(beta_cdf(0.9, 10, 20), 15), n = beta_cdf(1.5, 10, 20)"#,
        "b,n\n0.999999999999959,NaN\n"
    ),
    entry!(
        "beta_inv",
        [],
        Scalar,
        "math",
        "beta_inv(probability: real, alpha: real, beta: real) -> real",
        "The inverse of the cumulative beta distribution function.",
        r#"print b = round(beta_inv(0.1, 10, 20), 12)"#,
        "b\n0.226415022389\n"
    ),
    entry!(
        "beta_pdf",
        [],
        Scalar,
        "math",
        "beta_pdf(x: real, alpha: real, beta: real) -> real",
        "The beta probability density function (NaN outside its domain).",
        r#"print r = round(beta_pdf(0.5, 10, 20), 12)"#,
        "r\n0.746176019311\n"
    ),
    entry!(
        "welch_test",
        [],
        Scalar,
        "math",
        "welch_test(mean1, variance1, count1, mean2, variance2, count2) -> real",
        "Two-sided p-value of Welch's t-test for equal means of two samples.",
        r#"print p = round(welch_test(10.0, 4.0, 20, 11.0, 9.0, 30), 6)"#,
        "p\n0.163754\n"
    ),
    // ---- ip ----
    entry!(
        "ipv4_is_in_any_range",
        [],
        Scalar,
        "ip",
        "ipv4_is_in_any_range(ip: string, range: string, ... | ranges: dynamic) -> bool",
        "True when an IPv4 address lies in any of several CIDR ranges.",
        r#"print Result = ipv4_is_in_any_range("192.168.1.6", "192.168.1.1/24", "10.0.0.1/8", "127.1.0.1/16")"#,
        "Result\ntrue\n"
    ),
    entry!(
        "ipv6_is_in_any_range",
        [],
        Scalar,
        "ip",
        "ipv6_is_in_any_range(ip: string, range: string, ... | ranges: dynamic) -> bool",
        "True when an IPv6 address lies in any of several prefix ranges.",
        r#"print r = ipv6_is_in_any_range("a5e:f127:8a9d:146d:e102:b5d3:c756:abd1", dynamic(["a5e:f127:8a9d:146d:e102:b5d3:c755:f6cd/112", "0:0:0:0:0:ffff:c0a8:ac/60"]))"#,
        "r\nfalse\n"
    ),
    entry!(
        "has_any_ipv4_prefix",
        [],
        Scalar,
        "ip",
        "has_any_ipv4_prefix(source: string, prefix: string, ... | prefixes: dynamic) -> bool",
        "True when the text contains an IPv4 address starting with any of the prefixes.",
        r#"print result = has_any_ipv4_prefix("05:04:54 127.0.0.1 GET /favicon.ico 404", dynamic(["127.0.", "192.168."]))"#,
        "result\ntrue\n"
    ),
];
