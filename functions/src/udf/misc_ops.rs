//! A scalar UDF, [`H1Udf`], for the second batch of string, conversion and array functions
//! (`extract_all`, `strrep`, `translate`, `replace_strings`, `indexof_regex`, `regex_quote`,
//! `has_any_index`, the `unicode_codepoints_*` pair, `parse_command_line`, `isascii`,
//! `dynamic_to_json`, `toguid`, `tohex`, `parse_version`, `base64_encode_fromarray`,
//! `repeat`, `range`). Lowering is in `crate::scalar::{string2, misc}`, which casts the
//! arguments to the forms each op reads (Utf8, Int64, Float64, JSON text). Dynamic values are
//! JSON text, as everywhere in this crate.

use super::{long_at, longs, reals, str_at, strings};
use crate::udf::op_udf::{UdfOp, arrays, op_call};
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, Int64Array, StringArray,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, Expr};
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The element kinds of `range()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeKind {
    /// Int64 start, stop, step.
    Long,
    /// Float64 start, stop, step.
    Real,
    /// Timestamp(ns) start and stop read as Int64 nanoseconds, Duration(ns) step.
    Datetime,
    /// Duration(ns) start, stop and step, read as Int64 nanoseconds.
    Timespan,
}

/// The operations of this family (see [`call`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MiscOp {
    /// `(regex, captureGroups JSON or null, source)` → JSON array, null when nothing matches.
    ExtractAll,
    /// `(value, multiplier: Int64, delimiter)`.
    StrRep,
    /// `(searchList, replacementList, source)`.
    Translate,
    /// `(text, lookups JSON, rewrites JSON)`.
    ReplaceStrings,
    /// `(source, regex, start, length, occurrence)` (all given).
    IndexOfRegex,
    RegexQuote,
    /// `(source, values JSON)` → Int64.
    HasAnyIndex,
    /// `(source)` → JSON array of code points.
    CodepointsFromString,
    /// `(JSON, JSON, …)`: each a number or an array of numbers → Utf8 (null when invalid).
    CodepointsToString,
    /// `(command line, parser type)` → JSON array.
    ParseCommandLine,
    /// `(source)` → Boolean.
    IsAscii,
    /// `(JSON)` → canonical JSON text (keys sorted).
    DynamicToJson,
    /// `(text)` → guid text, null when invalid.
    ToGuid,
    /// `(Int64, minLength: Int64)`; `int32` renders negative values as 32-bit.
    ToHex {
        int32: bool,
    },
    /// `(text)` → Decimal128(38, 0), null when invalid.
    ParseVersion,
    /// `(JSON array of bytes)` → base64 text ("" when invalid).
    Base64FromArray,
    /// `(JSON value, count: Int64)` → JSON array.
    Repeat,
    /// `(start, stop, step)` → JSON array.
    Range(RangeKind),
    /// `(Int64 nanoseconds)` → a JSON string of the datetime's full text
    /// (`2007-01-01T00:00:00.0000000Z`, as Kusto writes datetimes in dynamic arrays).
    DatetimeJson,
}

impl MiscOp {
    fn name(&self) -> &'static str {
        match self {
            MiscOp::ExtractAll => "kql_extract_all",
            MiscOp::StrRep => "kql_strrep",
            MiscOp::Translate => "kql_translate",
            MiscOp::ReplaceStrings => "kql_replace_strings",
            MiscOp::IndexOfRegex => "kql_indexof_regex",
            MiscOp::RegexQuote => "kql_regex_quote",
            MiscOp::HasAnyIndex => "kql_has_any_index",
            MiscOp::CodepointsFromString => "kql_unicode_codepoints_from_string",
            MiscOp::CodepointsToString => "kql_unicode_codepoints_to_string",
            MiscOp::ParseCommandLine => "kql_parse_command_line",
            MiscOp::IsAscii => "kql_isascii",
            MiscOp::DynamicToJson => "kql_dynamic_to_json",
            MiscOp::ToGuid => "kql_toguid",
            MiscOp::ToHex { int32: false } => "kql_tohex",
            MiscOp::ToHex { int32: true } => "kql_tohex_int",
            MiscOp::ParseVersion => "kql_parse_version",
            MiscOp::Base64FromArray => "kql_base64_encode_fromarray",
            MiscOp::Repeat => "kql_repeat",
            MiscOp::Range(RangeKind::Long) => "kql_range_long",
            MiscOp::Range(RangeKind::Real) => "kql_range_real",
            MiscOp::Range(RangeKind::Datetime) => "kql_range_datetime",
            MiscOp::Range(RangeKind::Timespan) => "kql_range_timespan",
            MiscOp::DatetimeJson => "kql_datetime_json",
        }
    }

    fn return_type(&self) -> DataType {
        match self {
            MiscOp::IndexOfRegex | MiscOp::HasAnyIndex => DataType::Int64,
            MiscOp::IsAscii => DataType::Boolean,
            MiscOp::ParseVersion => DataType::Decimal128(38, 0),
            _ => DataType::Utf8,
        }
    }
}

/// A call of the UDF for `op`.
pub fn call(op: MiscOp, args: Vec<Expr>) -> Expr {
    op_call(op, args)
}

impl UdfOp for MiscOp {
    fn name(&self) -> &str {
        MiscOp::name(self)
    }

    fn return_type(&self) -> DataType {
        MiscOp::return_type(self)
    }

    fn eval(&self, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
        eval_op(*self, &arrays(args, rows)?, rows)
    }
}

fn eval_op(op: MiscOp, a: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
    let need = |n: usize| -> Result<()> {
        if a.len() < n {
            return exec_err!("{} expects {n} arguments, got {}", op.name(), a.len());
        }
        Ok(())
    };
    match op {
        MiscOp::ExtractAll => {
            need(3)?;
            extract_all(&a[0], &a[1], &a[2])
        }
        MiscOp::StrRep => {
            need(3)?;
            strrep(&a[0], &a[1], &a[2])
        }
        MiscOp::Translate => {
            need(3)?;
            str3(&a[0], &a[1], &a[2], |s, r, x| Some(translate(s, r, x)))
        }
        MiscOp::ReplaceStrings => {
            need(3)?;
            str3(&a[0], &a[1], &a[2], |t, l, r| {
                Some(replace_strings(t, l, r))
            })
        }
        MiscOp::IndexOfRegex => {
            need(5)?;
            indexof_regex(a)
        }
        MiscOp::RegexQuote => {
            need(1)?;
            str1(&a[0], |s| Some(regex_quote(s)))
        }
        MiscOp::HasAnyIndex => {
            need(2)?;
            let (s, v) = (strings(&a[0])?, strings(&a[1])?);
            let out: Int64Array = (0..s.len())
                .map(|i| Some(has_any_index(str_at(&s, i), str_at(&v, i))))
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::CodepointsFromString => {
            need(1)?;
            str1(&a[0], |s| {
                Some(
                    Value::Array(s.chars().map(|c| Value::from(u32::from(c))).collect())
                        .to_string(),
                )
            })
        }
        MiscOp::CodepointsToString => codepoints_to_string(a, rows),
        MiscOp::ParseCommandLine => {
            need(2)?;
            let (s, t) = (strings(&a[0])?, strings(&a[1])?);
            let out: StringArray = (0..s.len())
                .map(|i| {
                    // "windows" is the only parser type Kusto documents
                    (str_at(&t, i).eq_ignore_ascii_case("windows")).then(|| {
                        let v = parse_command_line_windows(str_at(&s, i));
                        Value::Array(v.into_iter().map(Value::String).collect()).to_string()
                    })
                })
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::IsAscii => {
            need(1)?;
            let s = strings(&a[0])?;
            let out: BooleanArray = (0..s.len())
                .map(|i| Some(str_at(&s, i).is_ascii()))
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::DynamicToJson => {
            need(1)?;
            let s = strings(&a[0])?;
            let out: StringArray = (0..s.len())
                .map(|i| {
                    if s.is_null(i) {
                        // a null dynamic value: tostring() gives ""
                        return Some(String::new());
                    }
                    let v = serde_json::from_str::<Value>(s.value(i))
                        .unwrap_or_else(|_| Value::String(s.value(i).to_string()));
                    Some(canonical_json(&v))
                })
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::ToGuid => {
            need(1)?;
            str1(&a[0], to_guid)
        }
        MiscOp::ToHex { int32 } => {
            need(2)?;
            let (v, m) = (longs(&a[0])?, longs(&a[1])?);
            let out: StringArray = (0..v.len())
                .map(|i| long_at(&v, i).map(|x| to_hex(x, int32, long_at(&m, i).unwrap_or(0))))
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::ParseVersion => {
            need(1)?;
            let s = strings(&a[0])?;
            let out: Decimal128Array = (0..s.len())
                .map(|i| {
                    if s.is_null(i) {
                        None
                    } else {
                        parse_version(s.value(i))
                    }
                })
                .collect();
            Ok(Arc::new(out.with_precision_and_scale(38, 0)?))
        }
        MiscOp::Base64FromArray => {
            need(1)?;
            let s = strings(&a[0])?;
            let out: StringArray = (0..s.len())
                .map(|i| {
                    let bytes = if s.is_null(i) {
                        None
                    } else {
                        json_bytes(s.value(i))
                    };
                    Some(bytes.map_or_else(String::new, |b| {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD.encode(b)
                    }))
                })
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::Repeat => {
            need(2)?;
            let (v, n) = (strings(&a[0])?, longs(&a[1])?);
            let out: StringArray = (0..v.len())
                .map(|i| {
                    let count = long_at(&n, i)?;
                    let item = if v.is_null(i) {
                        Value::Null
                    } else {
                        serde_json::from_str(v.value(i)).unwrap_or(Value::Null)
                    };
                    repeat(item, count).map(|x| x.to_string())
                })
                .collect();
            Ok(Arc::new(out))
        }
        MiscOp::Range(kind) => {
            need(3)?;
            range(kind, &a[0], &a[1], &a[2])
        }
        MiscOp::DatetimeJson => {
            need(1)?;
            let v = longs(&a[0])?;
            let out: StringArray = (0..v.len())
                .map(|i| {
                    long_at(&v, i).map(|n| {
                        Value::String(crate::format::format_datetime_nanos_full(n)).to_string()
                    })
                })
                .collect();
            Ok(Arc::new(out))
        }
    }
}

// ---- helpers ----

fn str1(a: &ArrayRef, f: impl Fn(&str) -> Option<String>) -> Result<ArrayRef> {
    let s = strings(a)?;
    let out: StringArray = (0..s.len()).map(|i| f(str_at(&s, i))).collect();
    Ok(Arc::new(out))
}

fn str3(
    a: &ArrayRef,
    b: &ArrayRef,
    c: &ArrayRef,
    f: impl Fn(&str, &str, &str) -> Option<String>,
) -> Result<ArrayRef> {
    let (a, b, c) = (strings(a)?, strings(b)?, strings(c)?);
    let out: StringArray = (0..a.len())
        .map(|i| f(str_at(&a, i), str_at(&b, i), str_at(&c, i)))
        .collect();
    Ok(Arc::new(out))
}

fn compile(p: &str) -> Result<Regex> {
    Regex::new(p)
        .map_err(|e| DataFusionError::Execution(format!("invalid regular expression: {e}")))
}

/// Per-batch cache of compiled patterns.
#[derive(Default)]
struct Cache(HashMap<String, Regex>);

impl Cache {
    fn get(&mut self, p: &str) -> Result<&Regex> {
        if !self.0.contains_key(p) {
            let r = compile(p)?;
            self.0.insert(p.to_string(), r);
        }
        match self.0.get(p) {
            Some(r) => Ok(r),
            None => exec_err!("regex cache miss"),
        }
    }
}

/// The text a dynamic element contributes when used as a string (strings unquoted).
fn element_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

// ---- extract_all ----

/// The capture groups `extract_all` returns: the selection, or every group of the regex.
/// `None` when the selection names a group the regex lacks (or is not an array of group
/// numbers and names).
pub(crate) fn extract_all_groups(re: &Regex, selection: Option<&Value>) -> Option<Vec<usize>> {
    let n = re.captures_len() - 1;
    let Some(sel) = selection else {
        return Some((1..=n).collect());
    };
    let items = sel.as_array()?;
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|v| match v {
            Value::Number(x) => x
                .as_u64()
                .and_then(|k| usize::try_from(k).ok())
                .filter(|k| (1..=n).contains(k)),
            Value::String(name) => re.capture_names().position(|c| c == Some(name.as_str())),
            _ => None,
        })
        .collect()
}

/// Number of capture groups Kusto accepts in `extract_all` (docs: 1 to 16).
pub(crate) fn extract_all_group_count_ok(re: &Regex) -> bool {
    (1..=16).contains(&(re.captures_len() - 1))
}

fn extract_all(re: &ArrayRef, groups: &ArrayRef, src: &ArrayRef) -> Result<ArrayRef> {
    let (pats, sel, src) = (strings(re)?, strings(groups)?, strings(src)?);
    let mut cache = Cache::default();
    let mut out = Vec::with_capacity(src.len());
    for i in 0..src.len() {
        let r = cache.get(str_at(&pats, i))?;
        if !extract_all_group_count_ok(r) {
            return exec_err!(
                "extract_all(): the regular expression must have 1 to 16 capture groups"
            );
        }
        let selection = (!sel.is_null(i))
            .then(|| serde_json::from_str::<Value>(sel.value(i)).unwrap_or(Value::Null));
        let Some(groups) = extract_all_groups(r, selection.as_ref()) else {
            out.push(None);
            continue;
        };
        let mut rows = Vec::new();
        for c in r.captures_iter(str_at(&src, i)) {
            // a group that did not take part in the match gives "" (KQL's empty string)
            let mut vals: Vec<Value> = groups
                .iter()
                .map(|g| Value::String(c.get(*g).map_or("", |m| m.as_str()).to_string()))
                .collect();
            if vals.len() == 1 {
                rows.push(vals.remove(0));
            } else {
                rows.push(Value::Array(vals));
            }
        }
        out.push((!rows.is_empty()).then(|| Value::Array(rows).to_string()));
    }
    Ok(Arc::new(StringArray::from(out)))
}

// ---- strrep ----

/// Kusto caps the multiplier at 1024 (strrep-function.md, "Returns").
const STRREP_MAX: i64 = 1024;

fn strrep(v: &ArrayRef, n: &ArrayRef, d: &ArrayRef) -> Result<ArrayRef> {
    let (v, n, d) = (strings(v)?, longs(n)?, strings(d)?);
    let out: StringArray = (0..v.len())
        .map(|i| {
            let k = long_at(&n, i)?;
            // multipliers below 1 are outside the documented range: an empty string
            let k = usize::try_from(k.clamp(0, STRREP_MAX)).unwrap_or(0);
            Some(vec![str_at(&v, i); k].join(str_at(&d, i)))
        })
        .collect();
    Ok(Arc::new(out))
}

// ---- translate ----

/// Each character of `source` found in `search` is replaced by the character at the same
/// position of `replacement`; past its end, by `replacement`'s last character; with an empty
/// `replacement`, removed (translate-function.md examples). A character listed twice in
/// `search` maps by its first position.
pub(crate) fn translate(search: &str, replacement: &str, source: &str) -> String {
    let repl: Vec<char> = replacement.chars().collect();
    let mut map: HashMap<char, Option<char>> = HashMap::new();
    for (k, c) in search.chars().enumerate() {
        map.entry(c)
            .or_insert_with(|| repl.get(k).or(repl.last()).copied());
    }
    source
        .chars()
        .filter_map(|c| match map.get(&c) {
            None => Some(c),
            Some(r) => *r,
        })
        .collect()
}

// ---- replace_strings ----

enum Seg {
    /// Text later lookups may still match.
    Free(String),
    /// A replacement (or a kept match): no further lookup applies to it.
    Done(String),
}

/// Lookups apply in array order: each replaces its non-overlapping matches in the text that
/// earlier lookups did not match (so `['is', 'This']` turns "This" into "Thwas", as the docs'
/// example shows). A lookup that is not a string (or empty) is ignored; a rewrite that is not a
/// string (or missing) keeps the matched text, which is still protected from later lookups.
pub(crate) fn replace_strings(text: &str, lookups: &str, rewrites: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let (lookups, rewrites) = (parse(lookups), parse(rewrites));
    let Some(lookups) = lookups.as_array() else {
        return text.to_string();
    };
    let rewrites = rewrites.as_array();
    let mut segs = vec![Seg::Free(text.to_string())];
    for (k, l) in lookups.iter().enumerate() {
        let Some(l) = l.as_str().filter(|l| !l.is_empty()) else {
            continue;
        };
        let rewrite = rewrites
            .and_then(|r| r.get(k))
            .and_then(Value::as_str)
            .unwrap_or(l);
        let mut next = Vec::with_capacity(segs.len());
        for seg in segs {
            match seg {
                Seg::Done(_) => next.push(seg),
                Seg::Free(t) => {
                    let mut parts = t.split(l);
                    if let Some(first) = parts.next() {
                        next.push(Seg::Free(first.to_string()));
                    }
                    for p in parts {
                        next.push(Seg::Done(rewrite.to_string()));
                        next.push(Seg::Free(p.to_string()));
                    }
                }
            }
        }
        segs = next;
    }
    segs.into_iter()
        .map(|s| match s {
            Seg::Free(t) | Seg::Done(t) => t,
        })
        .collect()
}

// ---- indexof_regex ----

/// `indexof_regex(s, regex, start, length, occurrence)`. The searched region follows
/// `indexof` (characters `start ..= start + length`, length −1 = to the end); matches do not
/// overlap; null when start < 0, length < −1 or occurrence < 0 (indexof-regex-function.md);
/// −1 when not found.
fn indexof_regex(a: &[ArrayRef]) -> Result<ArrayRef> {
    let (s, re) = (strings(&a[0])?, strings(&a[1])?);
    let (st, ln, oc) = (longs(&a[2])?, longs(&a[3])?, longs(&a[4])?);
    let mut cache = Cache::default();
    let mut out = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        let r = cache.get(str_at(&re, i))?;
        let (Some(from), Some(len), Some(occ)) =
            (long_at(&st, i), long_at(&ln, i), long_at(&oc, i))
        else {
            out.push(None);
            continue;
        };
        out.push(indexof_regex_one(str_at(&s, i), r, from, len, occ));
    }
    Ok(Arc::new(Int64Array::from(out)))
}

pub(crate) fn indexof_regex_one(s: &str, r: &Regex, from: i64, len: i64, occ: i64) -> Option<i64> {
    if from < 0 || len < -1 || occ < 0 {
        return None;
    }
    // byte offset of each character, plus the end
    let offsets: Vec<usize> = s.char_indices().map(|(b, _)| b).chain([s.len()]).collect();
    let n = (offsets.len() - 1) as i64;
    if from > n {
        return Some(-1);
    }
    let end = if len == -1 {
        n
    } else {
        from.saturating_add(len).saturating_add(1).min(n)
    };
    let (b0, b1) = (offsets[from as usize], offsets[end as usize]);
    let region = &s[b0..b1];
    let want = occ.max(1) as usize;
    match r.find_iter(region).nth(want - 1) {
        Some(m) => {
            let chars_before = region[..m.start()].chars().count() as i64;
            Some(from + chars_before)
        }
        None => Some(-1),
    }
}

// ---- regex_quote ----

/// Escapes the characters that have a meaning in Kusto's (RE2) regular expressions:
/// `\ . + * ? ( ) | [ ] { } ^ $` (regex-quote-function.md escapes `( $ . ^ )`). Other
/// characters are kept as they are, so the result stays readable.
pub(crate) fn regex_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ---- has_any_index ----

/// Index of the first element of the `values` array that `source` has (as the `has` operator:
/// a whole term, case-insensitive); −1 when none matches or `values` is not an array.
pub(crate) fn has_any_index(source: &str, values: &str) -> i64 {
    let v = serde_json::from_str::<Value>(values).unwrap_or(Value::Null);
    let Some(items) = v.as_array() else {
        return -1;
    };
    for (k, item) in items.iter().enumerate() {
        let t = element_text(item);
        if !t.is_empty() && super::has_match(source, &t, super::HasKind::Term, false) {
            return k as i64;
        }
    }
    -1
}

// ---- unicode_codepoints_to_string ----

fn push_codepoints(v: &Value, out: &mut String) -> Option<()> {
    match v {
        Value::Array(items) => {
            for x in items {
                push_codepoints(x, out)?;
            }
            Some(())
        }
        Value::Number(n) => {
            let c = n
                .as_u64()
                .and_then(|k| u32::try_from(k).ok())
                .and_then(char::from_u32)?;
            out.push(c);
            Some(())
        }
        _ => None,
    }
}

/// Each argument is JSON text: a number or an array of numbers (arrays may nest, as
/// `range()` results inside `dynamic` do). Any invalid code point (or null) gives null.
fn codepoints_to_string(a: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
    let cols = a.iter().map(strings).collect::<Result<Vec<_>>>()?;
    let out: StringArray = (0..rows)
        .map(|i| {
            let mut s = String::new();
            for c in &cols {
                if c.is_null(i) {
                    return None;
                }
                let v = serde_json::from_str::<Value>(c.value(i)).ok()?;
                push_codepoints(&v, &mut s)?;
            }
            Some(s)
        })
        .collect();
    Ok(Arc::new(out))
}

// ---- parse_command_line ----

/// Splits a command line as Windows' `CommandLineToArgvW` does: the program name (the first
/// argument) ends at the next whitespace, or at the closing quote when it starts with one,
/// with no escapes; later arguments are separated by spaces and tabs, quotes group
/// whitespace, `2n` backslashes before a quote give `n` backslashes (and the quote toggles
/// quoting), `2n+1` give `n` and a literal quote, other backslashes are literal. Inside a quoted
/// part, `""` is a literal quote (the C runtime's documented rule). An empty command line
/// gives an empty array.
pub(crate) fn parse_command_line_windows(cmd: &str) -> Vec<String> {
    let c: Vec<char> = cmd.chars().collect();
    let n = c.len();
    let mut args = Vec::new();
    if n == 0 {
        return args;
    }
    let ws = |x: char| x == ' ' || x == '\t';
    let mut i = 0;
    let mut prog = String::new();
    if c[0] == '"' {
        i = 1;
        while i < n && c[i] != '"' {
            prog.push(c[i]);
            i += 1;
        }
        i += 1;
    } else {
        while i < n && !ws(c[i]) {
            prog.push(c[i]);
            i += 1;
        }
    }
    args.push(prog);
    loop {
        while i < n && ws(c[i]) {
            i += 1;
        }
        if i >= n {
            break;
        }
        let mut cur = String::new();
        let mut quoted = false;
        while i < n {
            let ch = c[i];
            if ws(ch) && !quoted {
                break;
            }
            if ch == '\\' {
                let start = i;
                while i < n && c[i] == '\\' {
                    i += 1;
                }
                let count = i - start;
                if i < n && c[i] == '"' {
                    cur.extend(std::iter::repeat_n('\\', count / 2));
                    if count % 2 == 1 {
                        cur.push('"');
                        i += 1;
                    }
                } else {
                    cur.extend(std::iter::repeat_n('\\', count));
                }
                continue;
            }
            if ch == '"' {
                if quoted && i + 1 < n && c[i + 1] == '"' {
                    cur.push('"');
                    i += 2;
                } else {
                    quoted = !quoted;
                    i += 1;
                }
                continue;
            }
            cur.push(ch);
            i += 1;
        }
        args.push(cur);
    }
    args
}

// ---- dynamic_to_json ----

/// Compact JSON with every property bag's keys sorted (ordinal order), recursively.
pub(crate) fn canonical_json(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for k in keys {
                    if let Some(x) = m.get(k) {
                        out.insert(k.clone(), sort(x));
                    }
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

// ---- toguid ----

/// The first 32 hexadecimal digits of the text, hyphens skipped, as a guid; null when a
/// character other than a hex digit or a hyphen comes first or there are fewer than 32 digits.
/// The docs' example accepts hyphens at non-standard places
/// (`0123456789ab-cdef-0123-456789abcdef`), so any hyphen is skipped. Upper-case digits are
/// accepted (as Kusto's guid literals are) and printed in lower case.
pub(crate) fn to_guid(s: &str) -> Option<String> {
    let mut hex = String::with_capacity(32);
    for c in s.chars() {
        if hex.len() == 32 {
            break;
        }
        if c == '-' {
            continue;
        }
        if !c.is_ascii_hexdigit() {
            return None;
        }
        hex.push(c.to_ascii_lowercase());
    }
    if hex.len() < 32 {
        return None;
    }
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

// ---- tohex ----

/// Lower-case hex; negative values in two's complement of the value's own size (32 bits for
/// int, 64 for long); left-padded with zeros to `min_len`, which is clamped to 0..=16
/// (tohex-function.md).
pub(crate) fn to_hex(v: i64, int32: bool, min_len: i64) -> String {
    let s = if int32 {
        // an int argument: the value fits in 32 bits
        format!("{:x}", (v as i32) as u32)
    } else {
        format!("{:x}", v as u64)
    };
    let min = usize::try_from(min_len.clamp(0, 16)).unwrap_or(0);
    format!("{s:0>min$}")
}

// ---- parse_version ----

/// One to four dot-separated parts of one to eight digits each; missing trailing parts are 0;
/// the value is the parts as 8-digit groups (`1.2.3.4` → 1 00000002 00000003 00000004).
/// Anything else (signs, spaces, empty parts) is null (parse-version-function.md).
pub(crate) fn parse_version(s: &str) -> Option<i128> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut v: i128 = 0;
    for k in 0..4 {
        let p = parts.get(k).copied().unwrap_or("0");
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v = v * 100_000_000 + p.parse::<i128>().ok()?;
    }
    Some(v)
}

// ---- base64_encode_fromarray ----

/// The bytes of a JSON array of integers 0..=255 (None otherwise).
pub(crate) fn json_bytes(s: &str) -> Option<Vec<u8>> {
    let v: Value = serde_json::from_str(s).ok()?;
    v.as_array()?
        .iter()
        .map(|x| x.as_u64().and_then(|b| u8::try_from(b).ok()))
        .collect()
}

// ---- repeat ----

/// Longest array `repeat` builds (the docs give no limit; the same cap as `range`).
const MAX_ARRAY: i64 = 1 << 20;

/// `count` copies of `item`; null when count < 0 (repeat-function.md).
pub(crate) fn repeat(item: Value, count: i64) -> Option<Value> {
    if count < 0 {
        return None;
    }
    let k = usize::try_from(count.min(MAX_ARRAY)).unwrap_or(0);
    Some(Value::Array(vec![item; k]))
}

// ---- range ----

/// The values start, start + step, … while they do not pass stop (at most 2^20,
/// range-function.md). A negative step counts down to stop; a zero step, or a step pointing
/// away from stop, gives an array holding only start when start == stop, else an empty array
/// (zero step: null, as the series would never end).
pub(crate) fn range_values<T: Copy + PartialOrd>(
    start: T,
    stop: T,
    step_sign: std::cmp::Ordering,
    next: impl Fn(T, i64) -> Option<T>,
) -> Option<Vec<T>> {
    use std::cmp::Ordering::*;
    if step_sign == Equal {
        return None;
    }
    let mut out = Vec::new();
    let mut k = 0i64;
    while k < MAX_ARRAY {
        let Some(v) = next(start, k) else { break };
        let within = match step_sign {
            Greater => v <= stop,
            _ => v >= stop,
        };
        if !within {
            break;
        }
        out.push(v);
        k += 1;
    }
    Some(out)
}

fn range(kind: RangeKind, a: &ArrayRef, b: &ArrayRef, c: &ArrayRef) -> Result<ArrayRef> {
    use crate::format::{format_datetime_nanos_full, format_timespan_nanos};
    let sign = |x: f64| x.partial_cmp(&0.0).unwrap_or(std::cmp::Ordering::Equal);
    let out: StringArray = match kind {
        RangeKind::Real => {
            let (a, b, c) = (reals(a)?, reals(b)?, reals(c)?);
            (0..a.len())
                .map(|i| {
                    if a.is_null(i) || b.is_null(i) || c.is_null(i) {
                        return None;
                    }
                    let (s, e, st) = (a.value(i), b.value(i), c.value(i));
                    if !s.is_finite() || !e.is_finite() || !st.is_finite() {
                        return None;
                    }
                    let v = range_values(s, e, sign(st), |s, k| Some(s + st * k as f64))?;
                    Some(
                        Value::Array(
                            v.into_iter()
                                .map(|x| {
                                    serde_json::Number::from_f64(x)
                                        .map_or(Value::Null, Value::Number)
                                })
                                .collect(),
                        )
                        .to_string(),
                    )
                })
                .collect()
        }
        _ => {
            let (a, b, c) = (longs(a)?, longs(b)?, longs(c)?);
            (0..a.len())
                .map(|i| {
                    let (s, e, st) = (long_at(&a, i)?, long_at(&b, i)?, long_at(&c, i)?);
                    let v = range_values(s, e, st.cmp(&0), |s, k| {
                        st.checked_mul(k).and_then(|d| s.checked_add(d))
                    })?;
                    let items = v.into_iter().map(|x| match kind {
                        RangeKind::Datetime => Value::String(format_datetime_nanos_full(x)),
                        RangeKind::Timespan => Value::String(format_timespan_nanos(x)),
                        _ => Value::from(x),
                    });
                    Some(Value::Array(items.collect()).to_string())
                })
                .collect()
        }
    };
    Ok(Arc::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translate_docs() {
        // translate-function.md
        assert_eq!(translate("abc", "x", "abc"), "xxx");
        assert_eq!(translate("abc", "", "ab"), "");
        assert_eq!(translate("krasp", "otsku", "spark"), "kusto");
    }

    #[test]
    fn replace_strings_docs() {
        let m = "A magic trick can turn a cat into a dog";
        assert_eq!(
            replace_strings(m, r#"["cat","dog"]"#, r#"["dog","pigeon"]"#),
            "A magic trick can turn a dog into a pigeon"
        );
        assert_eq!(
            replace_strings(m, r#"["turn"," into a dog"]"#, r#"["disappear",""]"#),
            "A magic trick can disappear a cat"
        );
        let m = "This is an example of using replace_strings()";
        assert_eq!(
            replace_strings(m, r#"["This","is"]"#, r#"["This","was"]"#),
            "This was an example of using replace_strings()"
        );
        assert_eq!(
            replace_strings(m, r#"["is","This"]"#, r#"["was","This"]"#),
            "Thwas was an example of using replace_strings()"
        );
        assert_eq!(
            replace_strings(m, r#"["This","is"]"#, r#"[12345,"was"]"#),
            "This was an example of using replace_strings()"
        );
    }

    #[test]
    fn indexof_regex_docs() {
        let r = |p: &str| Regex::new(p).unwrap();
        assert_eq!(indexof_regex_one("abcabc", &r("a.c"), 0, -1, 1), Some(0));
        assert_eq!(indexof_regex_one("abcabcdefg", &r("a.c"), 0, 9, 2), Some(3));
        assert_eq!(indexof_regex_one("abcabc", &r("a.c"), 1, -1, 2), Some(-1));
        assert_eq!(indexof_regex_one("ababaa", &r("a.a"), 0, -1, 2), Some(-1));
        assert_eq!(indexof_regex_one("abcabc", &r("a|ab"), -1, -1, 1), None);
        // positions count characters, not bytes
        assert_eq!(indexof_regex_one("ééabc", &r("b"), 0, -1, 1), Some(3));
        assert_eq!(indexof_regex_one("abc", &r("a"), 0, -2, 1), None);
    }

    #[test]
    fn quote_and_has_any_index() {
        assert_eq!(regex_quote("(so$me.Te^xt)"), r"\(so\$me\.Te\^xt\)");
        let s = "this is an example";
        assert_eq!(has_any_index(s, r#"["this","example"]"#), 0);
        assert_eq!(has_any_index(s, r#"["not","example"]"#), 1);
        assert_eq!(has_any_index(s, r#"["not","found"]"#), -1);
        assert_eq!(has_any_index("Example number 2", "[1,2,3]"), 1);
        assert_eq!(has_any_index(s, "[]"), -1);
        // a term, not a substring
        assert_eq!(has_any_index(s, r#"["exam"]"#), -1);
    }

    #[test]
    fn command_line() {
        assert_eq!(
            parse_command_line_windows("echo \"hello world!\""),
            vec!["echo", "hello world!"]
        );
        // CommandLineToArgvW's documented backslash rules
        assert_eq!(
            parse_command_line_windows(r#"p "a b c" d e"#),
            vec!["p", "a b c", "d", "e"]
        );
        assert_eq!(
            parse_command_line_windows(r#"p "ab\"c" "\\" d"#),
            vec!["p", "ab\"c", "\\", "d"]
        );
        assert_eq!(
            parse_command_line_windows(r#"p a\\\b d"e f"g h"#),
            vec!["p", r"a\\\b", "de fg", "h"]
        );
        assert_eq!(
            parse_command_line_windows(r#"p a\\\"b c d"#),
            vec!["p", r#"a\"b"#, "c", "d"]
        );
        assert_eq!(
            parse_command_line_windows(r#"p a\\\\"b c" d e"#),
            vec!["p", r"a\\b c", "d", "e"]
        );
        assert_eq!(
            parse_command_line_windows(r#""C:\Program Files\x.exe" -a"#),
            vec![r"C:\Program Files\x.exe", "-a"]
        );
        assert!(parse_command_line_windows("").is_empty());
    }

    #[test]
    fn guid_hex_version() {
        // toguid-function.md
        assert_eq!(
            to_guid("0123456789abcdef0123456789abcdef").as_deref(),
            Some("01234567-89ab-cdef-0123-456789abcdef")
        );
        assert_eq!(
            to_guid("0123456789ab-cdef-0123-456789abcdef").as_deref(),
            Some("01234567-89ab-cdef-0123-456789abcdef")
        );
        assert_eq!(to_guid("a string that is not a guid"), None);
        // tohex-function.md
        assert_eq!(to_hex(256, false, 0), "100");
        assert_eq!(to_hex(-256, false, 0), "ffffffffffffff00");
        assert_eq!(to_hex(-256, true, 8), "ffffff00");
        assert_eq!(to_hex(256, false, 8), "00000100");
        assert_eq!(to_hex(256, false, 2), "100");
        assert_eq!(to_hex(1, false, 40), "0000000000000001");
        // parse-version-function.md
        assert_eq!(parse_version("0.0.0.5"), Some(5));
        assert_eq!(parse_version("0.0.7.0"), Some(700_000_000));
        assert_eq!(parse_version("0.0.3"), Some(300_000_000));
        assert_eq!(parse_version("0.2"), Some(20_000_000_000_000_000));
        assert_eq!(parse_version("0.1.2.0"), Some(10_000_000_200_000_000));
        assert_eq!(
            parse_version("1.2.3.4"),
            Some(1_000_000_020_000_000_300_000_004)
        );
        assert_eq!(parse_version("1"), Some(1_000_000_000_000_000_000_000_000));
        assert_eq!(parse_version("1.2.3.4.5"), None);
        assert_eq!(parse_version("1..2"), None);
        assert_eq!(parse_version("123456789"), None);
        assert_eq!(parse_version("a"), None);
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn arrays() {
        assert_eq!(json_bytes("[75,117,115,116,111]"), Some(b"Kusto".to_vec()));
        assert_eq!(json_bytes("[256]"), None);
        assert_eq!(json_bytes("[-1]"), None);
        assert_eq!(
            repeat(Value::from(1), 3),
            Some(serde_json::json!([1, 1, 1]))
        );
        assert_eq!(repeat(Value::from(1), 0), Some(serde_json::json!([])));
        assert_eq!(repeat(Value::from(1), -1), None);
        let r = |s: i64, e: i64, st: i64| range_values(s, e, st.cmp(&0), |s, k| Some(s + st * k));
        assert_eq!(r(1, 8, 3), Some(vec![1, 4, 7]));
        assert_eq!(r(1, 3, 1), Some(vec![1, 2, 3]));
        assert_eq!(r(5, 1, -2), Some(vec![5, 3, 1]));
        assert_eq!(r(5, 1, 1), Some(vec![]));
        assert_eq!(r(1, 5, 0), None);
        assert_eq!(r(1, 1_000_000_000, 1).map(|v| v.len()), Some(1_048_576));
        assert_eq!(
            canonical_json(
                &serde_json::from_str(r#"{"b":{"d":1,"c":[2,{"z":1,"a":2}]},"a":1}"#).unwrap()
            ),
            r#"{"a":1,"b":{"c":[2,{"a":2,"z":1}],"d":1}}"#
        );
    }
}
