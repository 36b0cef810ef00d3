//! How an unnamed call names its column in `project`/`extend`/`mv-expand` (Kusto.Language's
//! `ResultNameKind`, as `Functions.cs` assigns it): `tolong(x)` is named `x`, `strlen(s)`
//! `strlen_s`, `gettype(x)` `type_x`, `hll_merge(...)` `hll_merged_result`; most functions give
//! no name (the planner then uses `ColumnN`).

/// The naming rule of a function's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultName {
    /// No name from the call.
    None,
    /// The name of the first argument (`tostring(d.a)` → `d_a`).
    FirstArgument,
    /// The name of the argument when there is exactly one.
    OnlyArgument,
    /// `<prefix>_<first argument's name>` (empty when the argument has none: `strlen_`).
    PrefixAndFirstArgument(&'static str),
    /// The prefix alone.
    PrefixOnly(&'static str),
}

/// The rule for `name` (canonical names and aliases alike).
pub fn result_name_rule(name: &str) -> ResultName {
    use ResultName::*;
    match name {
        "abs"
        | "acos"
        | "asin"
        | "atan"
        | "atan2"
        | "bin"
        | "bin_at"
        | "bin_auto"
        | "binary_and"
        | "binary_not"
        | "binary_or"
        | "binary_shift_left"
        | "binary_shift_right"
        | "binary_xor"
        | "bitset_count_ones"
        | "ceiling"
        | "cos"
        | "erf"
        | "erfc"
        | "exp"
        | "exp10"
        | "exp2"
        | "floor"
        | "format_bytes"
        | "format_datetime"
        | "format_timespan"
        | "gamma"
        | "log"
        | "log10"
        | "log2"
        | "loggamma"
        | "parse_csv"
        | "parse_json"
        | "parse_xml"
        | "parsejson"
        | "pow"
        | "rand"
        | "round"
        | "series_fill_backward"
        | "series_fill_const"
        | "series_fill_forward"
        | "series_fill_linear"
        | "series_fir"
        | "series_iir"
        | "series_outliers"
        | "sin"
        | "split"
        | "sqrt"
        | "startofday"
        | "tan"
        | "tobool"
        | "toboolean"
        | "todatetime"
        | "todecimal"
        | "todouble"
        | "todynamic"
        | "toguid"
        | "tohex"
        | "toint"
        | "tolong"
        | "toobject"
        | "toreal"
        | "tostring"
        | "totime"
        | "totimespan" => FirstArgument,
        "make_datetime" | "make_timespan" => OnlyArgument,
        "dcount_hll" => PrefixAndFirstArgument("dcount_hll"),
        "percentile_tdigest" => PrefixAndFirstArgument("percentile_tdigest"),
        "string_size" => PrefixAndFirstArgument("string_size"),
        "strlen" => PrefixAndFirstArgument("strlen"),
        "gettype" => PrefixAndFirstArgument("type"),
        "percentiles_array_tdigest" => PrefixAndFirstArgument("percentile_tdigest"),
        "repeat" => PrefixAndFirstArgument("repeat"),
        "treepath" => PrefixAndFirstArgument("tree"),
        "hll_merge" => PrefixOnly("hll_merged_result"),
        "merge_tdigest" | "tdigest_merge" => PrefixOnly("tdigests_merge_result"),
        _ => None,
    }
}
