//! String kernels: `split`, `extract`, `substring`, `indexof`, `countof`, `trim*`.
//! Character positions count Unicode code points (as `strlen` does).

use super::{Text, TrimKind, long_at, longs, scalar_str, str_at, strings};
use datafusion::arrow::array::{Array, ArrayRef, Int64Array, StringArray, StringBuilder};
use datafusion::common::{DataFusionError, Result, ScalarValue, exec_err};
use regex::Regex;
use std::collections::HashMap;
use std::sync::Arc;

/// Compiled patterns: one when the pattern is a scalar, else a per-batch cache.
struct Patterns {
    fixed: Option<Regex>,
    cache: HashMap<String, Regex>,
    wrap: fn(&str) -> String,
}

impl Patterns {
    fn new(scalar: Option<&ScalarValue>, wrap: fn(&str) -> String) -> Result<Self> {
        let fixed = match scalar_str(scalar) {
            Some(p) => Some(compile(&wrap(&p))?),
            None => None,
        };
        Ok(Patterns {
            fixed,
            cache: HashMap::new(),
            wrap,
        })
    }

    fn get(&mut self, pattern: &str) -> Result<&Regex> {
        if let Some(r) = &self.fixed {
            return Ok(r);
        }
        if !self.cache.contains_key(pattern) {
            let r = compile(&(self.wrap)(pattern))?;
            self.cache.insert(pattern.to_string(), r);
        }
        match self.cache.get(pattern) {
            Some(r) => Ok(r),
            None => exec_err!("regex cache miss"),
        }
    }
}

fn compile(p: &str) -> Result<Regex> {
    Regex::new(p)
        .map_err(|e| DataFusionError::Execution(format!("invalid regular expression: {e}")))
}

fn json_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    serde_json::Value::Array(
        items
            .map(|s| serde_json::Value::String(s.to_string()))
            .collect(),
    )
    .to_string()
}

/// `split(s, delim [, index])` → JSON array of strings. An empty delimiter gives `[s]`;
/// an index outside the parts (or negative) gives `[]`.
pub(super) fn split(s: &ArrayRef, d: &ArrayRef, idx: Option<&ArrayRef>) -> Result<ArrayRef> {
    let s = strings(s)?;
    let d = strings(d)?;
    let idx = idx.map(longs).transpose()?;
    let out: StringArray = (0..s.len())
        .map(|i| {
            let (text, delim) = (str_at(&s, i), str_at(&d, i));
            let parts: Vec<&str> = if delim.is_empty() {
                vec![text]
            } else {
                text.split(delim).collect()
            };
            match &idx {
                None => Some(json_array(parts.into_iter())),
                Some(ix) => {
                    let k = long_at(ix, i)?;
                    let one = usize::try_from(k).ok().and_then(|k| parts.get(k).copied());
                    Some(json_array(one.into_iter()))
                }
            }
        })
        .collect();
    Ok(Arc::new(out))
}

/// `extract(regex, group, s)`: the group's text of the first match; "" when there is no
/// match or the group did not take part (KQL's empty string is its null string).
pub(super) fn extract(
    re: &ArrayRef,
    re_scalar: Option<&ScalarValue>,
    group: &ArrayRef,
    s: &ArrayRef,
) -> Result<ArrayRef> {
    let pats = strings(re)?;
    let g = longs(group)?;
    let s = Text::new(s)?;
    let mut cache = Patterns::new(re_scalar, |p| p.to_string())?;
    let mut out = StringBuilder::with_capacity(s.len(), 0);
    if let Some(r) = cache.fixed.clone() {
        // one pattern for every row: its capture slots are reused, nothing is allocated per row
        let mut slots = r.capture_locations();
        for i in 0..s.len() {
            let text = s.str_at(i);
            let v = long_at(&g, i)
                .and_then(|k| usize::try_from(k).ok())
                .and_then(|k| r.captures_read(&mut slots, text).and(slots.get(k)))
                .and_then(|(a, z)| text.get(a..z))
                .unwrap_or("");
            out.append_value(v);
        }
        return Ok(Arc::new(out.finish()));
    }
    for i in 0..s.len() {
        let r = cache.get(str_at(&pats, i))?;
        let v = long_at(&g, i)
            .and_then(|k| usize::try_from(k).ok())
            .and_then(|k| r.captures(s.str_at(i)).and_then(|c| c.get(k)))
            .map_or("", |m| m.as_str());
        out.append_value(v);
    }
    Ok(Arc::new(out.finish()))
}

/// `substring(s, start [, length])`: a negative start counts from the end.
pub(super) fn substring(
    s: &ArrayRef,
    start: &ArrayRef,
    len: Option<&ArrayRef>,
) -> Result<ArrayRef> {
    let s = strings(s)?;
    let st = longs(start)?;
    let ln = len.map(longs).transpose()?;
    let out: StringArray = (0..s.len())
        .map(|i| {
            let chars: Vec<char> = str_at(&s, i).chars().collect();
            let n = chars.len() as i64;
            let mut from = long_at(&st, i)?;
            if from < 0 {
                from = (n + from).max(0);
            }
            let from = from.min(n);
            let to = match &ln {
                None => n,
                Some(l) => {
                    let l = long_at(l, i)?;
                    if l < 0 {
                        return Some(String::new());
                    }
                    from.saturating_add(l).min(n)
                }
            };
            Some(chars[from as usize..to as usize].iter().collect())
        })
        .collect();
    Ok(Arc::new(out))
}

/// `indexof(s, match, start, length, occurrence)`. Derived from the docs' examples: a
/// negative start counts from the end; the searched region is the characters
/// `start ..= start + length` (length −1 = to the end); null when length < −1 or
/// occurrence < 0; −1 when not found.
pub(super) fn indexof(
    s: &ArrayRef,
    m: &ArrayRef,
    start: &ArrayRef,
    length: &ArrayRef,
    occurrence: &ArrayRef,
) -> Result<ArrayRef> {
    let s = strings(s)?;
    let m = strings(m)?;
    let (st, ln, oc) = (longs(start)?, longs(length)?, longs(occurrence)?);
    let out: Int64Array = (0..s.len())
        .map(|i| {
            let chars: Vec<char> = str_at(&s, i).chars().collect();
            let needle: Vec<char> = str_at(&m, i).chars().collect();
            let n = chars.len() as i64;
            let (mut from, len, occ) = (long_at(&st, i)?, long_at(&ln, i)?, long_at(&oc, i)?);
            if len < -1 || occ < 0 {
                return None;
            }
            if from < 0 {
                from = (n + from).max(0);
            }
            if from > n {
                return Some(-1);
            }
            let end = if len == -1 {
                n
            } else {
                from.saturating_add(len).saturating_add(1).min(n)
            };
            let region = &chars[from as usize..end as usize];
            let mut seen = 0;
            if needle.len() > region.len() {
                return Some(-1);
            }
            for p in 0..=(region.len() - needle.len()) {
                if region[p..p + needle.len()] == needle[..] {
                    seen += 1;
                    if seen >= occ.max(1) {
                        return Some(from + p as i64);
                    }
                }
            }
            Some(-1)
        })
        .collect();
    Ok(Arc::new(out))
}

/// `countof(s, search [, kind])`: plain matches may overlap; regex matches don't.
/// An empty search string counts 0.
pub(super) fn countof(
    s: &ArrayRef,
    search: &ArrayRef,
    search_scalar: Option<&ScalarValue>,
    regex: bool,
) -> Result<ArrayRef> {
    let s = strings(s)?;
    let q = strings(search)?;
    let mut out = Vec::with_capacity(s.len());
    if regex {
        let mut cache = Patterns::new(search_scalar, |p| p.to_string())?;
        for i in 0..s.len() {
            let r = cache.get(str_at(&q, i))?;
            out.push(Some(
                r.find_iter(str_at(&s, i)).filter(|m| !m.is_empty()).count() as i64,
            ));
        }
    } else {
        for i in 0..s.len() {
            let (h, n) = (str_at(&s, i), str_at(&q, i));
            let mut count = 0i64;
            if !n.is_empty() {
                let mut from = 0;
                while let Some(off) = h[from..].find(n) {
                    count += 1;
                    let at = from + off;
                    from = at + h[at..].chars().next().map_or(1, char::len_utf8);
                }
            }
            out.push(Some(count));
        }
    }
    Ok(Arc::new(Int64Array::from(out)))
}

/// `trim(regex, s)` / `trim_start` / `trim_end`: removes leading and/or trailing matches.
pub(super) fn trim(
    re: &ArrayRef,
    re_scalar: Option<&ScalarValue>,
    s: &ArrayRef,
    kind: TrimKind,
) -> Result<ArrayRef> {
    let pats = strings(re)?;
    let s = strings(s)?;
    let wrap: fn(&str) -> String = match kind {
        TrimKind::Both => |p| format!("^(?:{p})+|(?:{p})+$"),
        TrimKind::Start => |p| format!("^(?:{p})+"),
        TrimKind::End => |p| format!("(?:{p})+$"),
    };
    let mut cache = Patterns::new(re_scalar, wrap)?;
    let mut out = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        let r = cache.get(str_at(&pats, i))?;
        out.push(Some(r.replace_all(str_at(&s, i), "").into_owned()));
    }
    Ok(Arc::new(StringArray::from(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringViewArray;

    /// One pattern for every row (its capture slots reused) gives what a pattern per row gives,
    /// for plain strings and string views, any group, and rows that do not match.
    #[test]
    fn extract_with_one_pattern_matches_extract_per_row() -> Result<()> {
        let texts = vec![
            Some("took 125 ms"),
            Some("took ms"),
            None,
            Some(""),
            Some("a 7 ms"),
            Some("9 ms and then 12 ms"),
            Some("naïve 42 ms"),
        ];
        let n = texts.len();
        let pattern = r"(\d+) (ms)$|(none)";
        let re: ArrayRef = Arc::new(StringArray::from(vec![pattern; n]));
        for group in [0i64, 1, 2, 3, 4, -1] {
            let g: ArrayRef = Arc::new(Int64Array::from(vec![group; n]));
            let plain: ArrayRef = Arc::new(StringArray::from(texts.clone()));
            let views: ArrayRef = Arc::new(StringViewArray::from(texts.clone()));
            let per_row = extract(&re, None, &g, &plain)?;
            let scalar = ScalarValue::Utf8(Some(pattern.to_string()));
            for s in [&plain, &views] {
                let fixed = extract(&re, Some(&scalar), &g, s)?;
                assert_eq!(fixed.to_data(), per_row.to_data(), "group {group}");
            }
        }
        let g: ArrayRef = Arc::new(Int64Array::from(vec![1i64; n]));
        let plain: ArrayRef = Arc::new(StringArray::from(texts));
        let got = extract(&re, None, &g, &plain)?;
        let want = StringArray::from(vec!["125", "", "", "", "7", "12", "42"]);
        assert_eq!(got.to_data(), want.to_data());
        Ok(())
    }
}
