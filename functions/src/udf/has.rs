//! Term matching for `has`, `hasprefix`, `hassuffix` (docs `datatypes-string-operators.md`,
//! "What is a term?"): a string is broken into maximal runs of alphanumeric characters (the
//! terms). `has` is true when the needle is a whole term, `hasprefix` when it is a prefix of a
//! term, `hassuffix` when it is a suffix of a term (so `"North America" has "america"`,
//! `!has "amer"`, `hasprefix "ame"`, `hassuffix "ica"`).
//!
//! A needle that itself contains non-alphanumeric characters (`has "10.1.2.3"`) matches as a
//! phrase: an occurrence whose alphanumeric ends sit on term boundaries. An empty needle
//! matches every string. "Alphanumeric" is Unicode's (`char::is_alphanumeric`), which is the
//! ASCII letters and digits for ASCII text.

use super::{Text, scalar_str, str_at, strings};
use datafusion::arrow::array::{ArrayRef, BooleanArray};
use datafusion::common::{Result, ScalarValue};
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HasKind {
    Term,
    Prefix,
    Suffix,
}

fn is_term_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn fold(s: &str, case_sensitive: bool) -> Cow<'_, str> {
    if case_sensitive {
        Cow::Borrowed(s)
    } else if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Matches an already case-folded needle against an already case-folded haystack.
fn matches_folded(h: &str, n: &str, kind: HasKind) -> bool {
    if n.is_empty() {
        return true;
    }
    let check_start = matches!(kind, HasKind::Term | HasKind::Prefix)
        && n.chars().next().is_some_and(is_term_char);
    let check_end = matches!(kind, HasKind::Term | HasKind::Suffix)
        && n.chars().next_back().is_some_and(is_term_char);
    let mut from = 0;
    while let Some(off) = h[from..].find(n) {
        let start = from + off;
        let end = start + n.len();
        let start_ok = !check_start || !h[..start].chars().next_back().is_some_and(is_term_char);
        let end_ok = !check_end || !h[end..].chars().next().is_some_and(is_term_char);
        if start_ok && end_ok {
            return true;
        }
        // next candidate: one character further (occurrences may overlap)
        from = start + h[start..].chars().next().map_or(1, char::len_utf8);
        if from > h.len() {
            break;
        }
    }
    false
}

/// [`matches_folded`] for an ASCII haystack and an ASCII needle (folded to lower case unless
/// `case_sensitive`), without allocating: for ASCII text Unicode's lower-casing and
/// alphanumeric classes are the ASCII ones, so comparing bytes ignoring ASCII case is exact.
fn matches_ascii(h: &[u8], n: &[u8], kind: HasKind, case_sensitive: bool) -> bool {
    let (Some(&first), Some(&last)) = (n.first(), n.last()) else {
        return true;
    };
    let check_start =
        matches!(kind, HasKind::Term | HasKind::Prefix) && first.is_ascii_alphanumeric();
    let check_end = matches!(kind, HasKind::Term | HasKind::Suffix) && last.is_ascii_alphanumeric();
    let alt = if case_sensitive {
        first
    } else {
        first.to_ascii_uppercase()
    };
    let Some(last_start) = h.len().checked_sub(n.len()) else {
        return false;
    };
    // candidates: positions of the needle's first byte (either case), found with SIMD
    let mut from = 0;
    while from <= last_start {
        let window = &h[from..=last_start];
        let found = if alt == first {
            memchr::memchr(first, window)
        } else {
            memchr::memchr2(first, alt, window)
        };
        let Some(off) = found else {
            return false;
        };
        let i = from + off;
        from = i + 1;
        let cand = &h[i..i + n.len()];
        let equal = if case_sensitive {
            cand == n
        } else {
            cand.eq_ignore_ascii_case(n)
        };
        if !equal {
            continue;
        }
        let end = i + n.len();
        let start_ok = !check_start || i == 0 || !h[i - 1].is_ascii_alphanumeric();
        let end_ok = !check_end || end == h.len() || !h[end].is_ascii_alphanumeric();
        if start_ok && end_ok {
            return true;
        }
    }
    false
}

/// True when `needle` matches `haystack` under the `has` family rules.
pub fn has_match(haystack: &str, needle: &str, kind: HasKind, case_sensitive: bool) -> bool {
    matches_folded(
        &fold(haystack, case_sensitive),
        &fold(needle, case_sensitive),
        kind,
    )
}

pub(super) fn has(
    h: &ArrayRef,
    n: &ArrayRef,
    n_scalar: Option<&ScalarValue>,
    kind: HasKind,
    cs: bool,
) -> Result<ArrayRef> {
    let hs = Text::new(h)?;
    let out: BooleanArray = match scalar_str(n_scalar) {
        Some(needle) => {
            let needle = fold(&needle, cs).into_owned();
            let ascii = needle.is_ascii();
            (0..hs.len())
                .map(|i| {
                    let h = hs.str_at(i);
                    Some(if ascii && h.is_ascii() {
                        matches_ascii(h.as_bytes(), needle.as_bytes(), kind, cs)
                    } else {
                        matches_folded(&fold(h, cs), &needle, kind)
                    })
                })
                .collect()
        }
        None => {
            let ns = strings(n)?;
            (0..hs.len())
                .map(|i| Some(has_match(hs.str_at(i), str_at(&ns, i), kind, cs)))
                .collect()
        }
    };
    Ok(Arc::new(out))
}

#[cfg(test)]
mod tests {
    use super::HasKind::*;
    use super::*;

    #[test]
    fn docs_examples() {
        // the "Example (yields true)" column of datatypes-string-operators.md
        assert!(has_match("North America", "america", Term, false));
        assert!(!has_match("North America", "amer", Term, false));
        assert!(has_match("North America", "America", Term, true));
        assert!(!has_match("North America", "amer", Term, true));
        assert!(has_match("North America", "ame", Prefix, false));
        assert!(!has_match("North America", "mer", Prefix, false));
        assert!(has_match("North America", "Ame", Prefix, true));
        assert!(!has_match("North America", "CA", Prefix, true));
        assert!(has_match("North America", "ica", Suffix, false));
        assert!(!has_match("North America", "americ", Suffix, false));
        assert!(has_match("North America", "ica", Suffix, true));
        assert!(!has_match("North America", "icA", Suffix, true));
        // "What is a term?"
        assert!(!has_match("KustoExplorerQueryRun", "Explorer", Term, false));
        let s = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun";
        for t in [
            "Kusto",
            "KustoExplorerQueryRun",
            "ad67d136",
            "c1db",
            "4f9f",
            "d94f3b6b0b5a",
        ] {
            assert!(has_match(s, t, Term, true), "{t}");
        }
        assert!(!has_match(s, "ad67", Term, true));
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_general_one() {
        let hay = [
            "",
            "a",
            "North America",
            "KustoExplorerQueryRun",
            "Source 10.1.2.3:1234",
            "aaa aa",
            "x-Y_z",
            "ERROR: Timeout in worker-17",
            "timeouts",
            "a b",
            "ab",
        ];
        let needles = [
            "",
            "a",
            "america",
            "AMERICA",
            "amer",
            "ica",
            "10.1.2.3",
            "aa",
            "-",
            "y",
            "_z",
            "timeout",
            "Timeout",
            "worker-17",
            "b",
            "ab",
        ];
        for h in hay {
            for n in needles {
                for kind in [Term, Prefix, Suffix] {
                    for cs in [false, true] {
                        let folded = fold(n, cs).into_owned();
                        assert_eq!(
                            matches_ascii(h.as_bytes(), folded.as_bytes(), kind, cs),
                            matches_folded(&fold(h, cs), &folded, kind),
                            "{h:?} {n:?} {kind:?} cs={cs}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn phrases_and_edges() {
        assert!(has_match("Source 10.1.2.3:1234", "10.1.2.3", Term, false));
        assert!(!has_match("Source 110.1.2.3:1234", "10.1.2.3", Term, false));
        assert!(has_match("a-b", "-", Term, false));
        assert!(has_match("", "", Term, false));
        assert!(!has_match("", "a", Term, false));
        assert!(has_match("aaa aa", "aa", Term, false));
        assert!(has_match("ÉCOLE normale", "école", Term, false));
        assert!(!has_match("ÉCOLE normale", "école", Term, true));
    }
}
