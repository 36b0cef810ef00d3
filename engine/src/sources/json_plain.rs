//! Type inference for a JSON line of plain ASCII text: printable characters and spaces only,
//! no backslash, as most log lines are. In such a line a string cannot hold an escape or a
//! control character, so strings need neither decoding nor checking, and the line is parsed by
//! the small scanner here instead of `serde_json` (the inference pass reads every byte of a
//! file, see `json.rs`).
//!
//! The scanner accepts only text `serde_json` accepts and classifies values as
//! `json_fast::Classify` does. Whatever it does not settle itself is handed back (`None`) to
//! `json_fast::infer_line`, which then parses the line with `serde_json` and decides: other
//! characters, a number with an exponent or of more than 18 characters, `-0` (a float in
//! `serde_json`), nesting deeper than [`MAX_DEPTH`], a repeated key, the `records` member, and
//! anything that is not valid JSON.

use super::infer::Inferred;
use super::json_fast::{Column, InferScratch, RECORDS, classify_str};
use super::unify::ColumnSet;

/// Deeper nesting is left to `serde_json` (whose limit is 128 levels).
const MAX_DEPTH: usize = 100;

/// Whether `line` is plain ASCII text: bytes 0x20 to 0x7E, none a backslash.
fn is_plain(line: &[u8]) -> bool {
    // No early exit inside a chunk, so the test compiles to vector instructions.
    line.chunks(32).all(|chunk| {
        !chunk.iter().fold(false, |bad, &b| {
            bad | !(0x20..0x7f).contains(&b) | (b == b'\\')
        })
    })
}

/// Infers the members of the plain object `line` into `scratch.pending`, as
/// `json_fast::infer_line` does; `None` when the line is left to `serde_json` (see the module
/// docs), possibly with some members already in `pending`.
pub(super) fn infer_plain(
    line: &[u8],
    set: &ColumnSet,
    time_column: &str,
    scratch: &mut InferScratch,
) -> Option<()> {
    if !is_plain(line) {
        return None;
    }
    let mut i = skip_spaces(line, 0);
    if *line.get(i)? != b'{' {
        return None;
    }
    i = skip_spaces(line, i + 1);
    if *line.get(i)? == b'}' {
        i += 1;
    } else {
        let mut at = 0;
        loop {
            if *line.get(i)? != b'"' {
                return None;
            }
            let end = string_end(line, i + 1)?;
            let key = line.get(i + 1..end - 1)?;
            if key == RECORDS.as_bytes() {
                return None;
            }
            let column: Column = scratch.column_of(at, key, set)?;
            at += 1;
            i = skip_spaces(line, end);
            if *line.get(i)? != b':' {
                return None;
            }
            i = skip_spaces(line, i + 1);
            let (kind, t, next) = classify(line, i, key == time_column.as_bytes())?;
            scratch.pending.push((column, kind));
            if t.is_some() {
                scratch.pending_time = t;
            }
            i = skip_spaces(line, next);
            match *line.get(i)? {
                b',' => i = skip_spaces(line, i + 1),
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_spaces(line, i) == line.len()).then_some(())
}

fn skip_spaces(line: &[u8], mut i: usize) -> usize {
    while line.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// The position after the closing quote of the string whose text starts at `i` (plain text:
/// the next quote closes it).
fn string_end(line: &[u8], i: usize) -> Option<usize> {
    Some(find_byte(line, i, b'"', None)? + 1)
}

/// The position of the first `a` (or `b`) in `line` from `from`. Most strings of a log line
/// are short: their first bytes are looked at eight at a time before `memchr` takes over.
pub(super) fn find_byte(line: &[u8], from: usize, a: u8, b: Option<u8>) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `v` that is zero; the lowest one set is exact.
    let zeros = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let (wa, wb) = (ONES * u64::from(a), b.map(|b| ONES * u64::from(b)));
    let mut k = from;
    for _ in 0..4 {
        let Some(chunk) = line.get(k..k + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) else {
            break;
        };
        let v = u64::from_le_bytes(chunk);
        let found = zeros(v ^ wa) | wb.map_or(0, |wb| zeros(v ^ wb));
        if found != 0 {
            return Some(k + (found.trailing_zeros() / 8) as usize);
        }
        k += 8;
    }
    let rest = line.get(k..)?;
    let at = match b {
        Some(b) => memchr::memchr2(a, b, rest)?,
        None => memchr::memchr(a, rest)?,
    };
    Some(k + at)
}

/// The kind of the value at `i` (with the datetime of a string when `want_time`) and the
/// position after it.
fn classify(line: &[u8], i: usize, want_time: bool) -> Option<(Inferred, Option<i64>, usize)> {
    match *line.get(i)? {
        b'"' => {
            let end = string_end(line, i + 1)?;
            let (kind, t) = classify_str(line.get(i + 1..end - 1)?, want_time);
            Some((kind, t, end))
        }
        b'{' | b'[' => Some((Inferred::Dynamic, None, container_end(line, i, 1)?)),
        _ => {
            let (kind, end) = scalar(line, i)?;
            Some((kind, None, end))
        }
    }
}

/// The kind of the number or literal at `i` and the position after it.
fn scalar(line: &[u8], i: usize) -> Option<(Inferred, usize)> {
    let (word, kind): (&[u8], _) = match *line.get(i)? {
        b't' => (b"true", Inferred::Bool),
        b'f' => (b"false", Inferred::Bool),
        b'n' => (b"null", Inferred::Null),
        _ => return number(line, i),
    };
    line.get(i..)?
        .starts_with(word)
        .then_some((kind, i + word.len()))
}

/// The kind of the number at `i` (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, at most 18 characters, not
/// `-0`) and the position after it. Such a number is a long in `serde_json` when it has no
/// fraction (18 characters fit an i64) and a real when it has one.
fn number(line: &[u8], start: usize) -> Option<(Inferred, usize)> {
    let digits = |mut k: usize| {
        while line.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        k
    };
    let mut i = start;
    if line.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match *line.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(i + 1),
        _ => return None,
    };
    let mut kind = Inferred::Long;
    if line.get(i) == Some(&b'.') {
        let from = i + 1;
        i = digits(from);
        if i == from {
            return None;
        }
        kind = Inferred::Real;
    }
    let text = line.get(start..i)?;
    if matches!(line.get(i), Some(b'e' | b'E')) || text.len() > 18 || text == b"-0" {
        return None;
    }
    Some((kind, i))
}

/// The position after the object or array starting at `i`, checked to be valid JSON.
fn container_end(line: &[u8], i: usize, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let open = *line.get(i)?;
    let close = if open == b'{' { b'}' } else { b']' };
    let mut k = skip_spaces(line, i + 1);
    if *line.get(k)? == close {
        return Some(k + 1);
    }
    loop {
        if open == b'{' {
            if *line.get(k)? != b'"' {
                return None;
            }
            k = skip_spaces(line, string_end(line, k + 1)?);
            if *line.get(k)? != b':' {
                return None;
            }
            k = skip_spaces(line, k + 1);
        }
        k = match *line.get(k)? {
            b'"' => string_end(line, k + 1)?,
            b'{' | b'[' => container_end(line, k, depth + 1)?,
            _ => scalar(line, k)?.1,
        };
        k = skip_spaces(line, k);
        match *line.get(k)? {
            b',' => k = skip_spaces(line, k + 1),
            c if c == close => return Some(k + 1),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The plain scanner against `serde_json` on hand-picked plain lines (the generated lines
    //! of `json_fast`'s tests go through both paths too).
    use super::*;
    use crate::sources::TimeSpan;
    use crate::sources::json_fast::Outcome;
    use crate::sources::json_fast::tests::infer_any;

    /// `serde_json`'s verdict on one line: the kinds of its members, or `None` when the line is
    /// not one valid object.
    fn serde_kinds(line: &str) -> Option<Vec<(String, Inferred)>> {
        match serde_json::from_str::<serde_json::Value>(line).ok()? {
            serde_json::Value::Object(m) => Some(
                m.iter()
                    .map(|(k, v)| (k.clone(), crate::sources::infer::classify_json(v)))
                    .collect(),
            ),
            _ => None,
        }
    }

    const VALUES: [&str; 46] = [
        "0",
        "-0",
        "7",
        "-7",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "--1",
        "1.5",
        "-0.0",
        "0.25",
        "1e5",
        "1E+5",
        "2.5e-3",
        "1e400",
        "123456789012345678",
        "-12345678901234567",
        "1234567890123456789",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "1.2.3",
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "True",
        "\"\"",
        "\"x\"",
        "\"2024-01-02T03:04:05Z\"",
        "\"[1, 2]\"",
        "\"{}\"",
        "\"{x\"",
        "[]",
        "{}",
        "[1, [2, {\"a\": [true, null]}], \"]\"]",
        "{\"a\": 1, \"a\": 2}",
        "[1,]",
        "{\"a\":}",
        "{\"a\" 1}",
        "[1 2]",
    ];

    fn lines() -> Vec<String> {
        let mut out = Vec::new();
        for v in VALUES {
            out.push(format!("{{\"k\":{v}}}"));
            out.push(format!("{{ \"TimeGenerated\" : {v} , \"z\": 1 }}"));
            out.push(format!("{{\"k\":{v},}}"));
            out.push(format!("{{\"k\":{v}}} x"));
            out.push(format!("{{\"k\":[{v}]}}"));
            out.push(format!("{{\"k\":{{\"n\":{v}}}}}"));
        }
        for extra in [
            "{}",
            " { } ",
            "{\"a\":1,\"a\":2}",
            "{\"records\":[]}",
            "{\"a\":1 \"b\":2}",
            "{a:1}",
            "[{\"a\":1}]",
            "{\"a\":1}}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"caf\u{e9}\"}",
            "{\"a\":\"q\\\"\"}",
        ] {
            out.push(extra.to_string());
        }
        let deep = |n: usize| format!("{{\"d\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        out.extend([deep(99), deep(100), deep(101), deep(127), deep(200)]);
        out
    }

    #[test]
    fn plain_lines_are_classified_as_serde_json_does() {
        let mut taken = 0;
        for line in lines() {
            let mut set = ColumnSet::default();
            let mut scratch = InferScratch::default();
            scratch.pending.clear();
            let plain = infer_plain(line.as_bytes(), &set, "TimeGenerated", &mut scratch);
            let expected = serde_kinds(&line);
            if plain.is_some() {
                taken += 1;
                let Some(expected) = &expected else {
                    panic!("the plain scanner took a line serde_json rejects: {line}");
                };
                // A repeated key is handed back, so members and keys correspond one to one.
                let got: Vec<Inferred> = scratch.pending.iter().map(|(_, k)| *k).collect();
                let want: Vec<Inferred> = expected.iter().map(|(_, k)| *k).collect();
                assert_eq!(got, want, "{line}");
            }
            // Through the entry point: the same outcome and columns as serde_json's.
            let mut time = TimeSpan::Empty;
            let outcome = infer_any(&line, &mut set, &mut time, &mut scratch);
            match (&expected, outcome) {
                (Some(kinds), Outcome::Done) => {
                    let mut want = ColumnSet::default();
                    for (k, kind) in kinds {
                        want.observe(k, *kind);
                    }
                    assert_eq!(set.schema(), want.schema(), "{line}");
                }
                (_, Outcome::Fallback) => {}
                (None, Outcome::Done) => panic!("a line serde_json rejects was taken: {line}"),
            }
        }
        assert!(taken > 60, "the plain scanner took only {taken} lines");
    }

    #[test]
    fn only_plain_ascii_is_plain() {
        assert!(is_plain(b"{\"a\": [1, \"x y\"]}"));
        assert!(is_plain(&[b'a'; 100]));
        assert!(!is_plain(b"{\"a\":\"\\n\"}"));
        assert!(!is_plain(b"{\"a\":\t1}"));
        assert!(!is_plain("{\"a\":\"é\"}".as_bytes()));
        assert!(!is_plain(b"{\"a\":\"\x7f\"}"));
        let mut long = vec![b'a'; 70];
        long[65] = 0x1f;
        assert!(!is_plain(&long));
    }

    #[test]
    fn find_byte_finds_the_first_match() {
        let mut rng = kql_functions::rng::SplitMix64::new(3);
        for _ in 0..2000 {
            let n = rng.index(80);
            let line: Vec<u8> = (0..n).map(|_| b"ab\"\\\x80\xff"[rng.index(6)]).collect();
            let from = rng.index(n + 1);
            let rest = &line[from..];
            let one = rest.iter().position(|&c| c == b'"').map(|k| from + k);
            let two = rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\')
                .map(|k| from + k);
            assert_eq!(find_byte(&line, from, b'"', None), one, "{line:?} {from}");
            assert_eq!(
                find_byte(&line, from, b'"', Some(b'\\')),
                two,
                "{line:?} {from}"
            );
        }
    }
}
