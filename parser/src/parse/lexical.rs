//! The lexical layer: trivia, keywords, symbols, identifiers, and the error type.
//!
//! Inputs are `&str` suffixes of one source text. Byte offsets are recovered from the
//! address of the remaining input relative to the source, which [`with_source`] records for
//! the duration of a parse (parsing is synchronous and single-threaded per call).

use crate::ast::Ident;
use crate::span::Span;
use nom::error::{ErrorKind, ParseError};
use nom::{Err, IResult};
use std::cell::Cell;

pub type PResult<'a, T> = IResult<&'a str, T, PErr>;

thread_local! {
    static BASE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    static LAST_END: Cell<usize> = const { Cell::new(0) };
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Maximum nesting of expressions and subqueries before parsing stops with a diagnostic.
pub const MAX_DEPTH: usize = 96;

/// Runs `f` with `src` registered as the text that offsets are measured against.
pub fn with_source<R>(src: &str, f: impl FnOnce() -> R) -> R {
    let saved = (
        BASE.with(|b| b.get()),
        LAST_END.with(|l| l.get()),
        DEPTH.with(|d| d.get()),
    );
    BASE.with(|b| b.set((src.as_ptr() as usize, src.len())));
    LAST_END.with(|l| l.set(0));
    DEPTH.with(|d| d.set(0));
    let r = f();
    BASE.with(|b| b.set(saved.0));
    LAST_END.with(|l| l.set(saved.1));
    DEPTH.with(|d| d.set(saved.2));
    r
}

/// Byte offset of `i` in the registered source.
pub fn pos(i: &str) -> usize {
    let (base, len) = BASE.with(|b| b.get());
    (i.as_ptr() as usize).saturating_sub(base).min(len)
}

/// End offset of the last token consumed (before its trailing trivia).
pub fn last_end() -> usize {
    LAST_END.with(|l| l.get())
}

fn set_last_end(p: usize) {
    LAST_END.with(|l| l.set(p));
}

/// The span from `start` to the end of the last token consumed.
pub fn span_from(start: usize) -> Span {
    Span::new(start, last_end().max(start))
}

/// Guards recursion depth: call `enter` before descending, `leave` after.
pub fn enter(i: &str) -> Result<(), Err<PErr>> {
    let d = DEPTH.with(|d| {
        let v = d.get() + 1;
        d.set(v);
        v
    });
    if d > MAX_DEPTH {
        DEPTH.with(|dd| dd.set(d - 1));
        return Err(Err::Failure(PErr::msg(
            pos(i),
            "KQL0103",
            format!("the query is nested too deeply (more than {MAX_DEPTH} levels)"),
        )));
    }
    Ok(())
}

pub fn leave() {
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
}

/// The parser's error: a position, and for committed errors a message and code.
#[derive(Clone, Debug)]
pub struct PErr {
    pub pos: usize,
    pub code: &'static str,
    pub message: Option<String>,
    /// What was expected, for messages built from several alternatives.
    pub expected: Option<&'static str>,
}

impl PErr {
    pub fn at(pos: usize) -> Self {
        PErr {
            pos,
            code: "KQL0101",
            message: None,
            expected: None,
        }
    }

    pub fn msg(pos: usize, code: &'static str, message: String) -> Self {
        PErr {
            pos,
            code,
            message: Some(message),
            expected: None,
        }
    }
}

impl<'a> ParseError<&'a str> for PErr {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PErr::at(pos(input))
    }

    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        if other.pos > self.pos {
            other
        } else if self.pos > other.pos {
            self
        } else if other.message.is_some() || other.expected.is_some() {
            other
        } else {
            self
        }
    }
}

/// A recoverable error at `i`.
pub fn backtrack<T>(i: &str) -> PResult<'_, T> {
    Err(Err::Error(PErr::at(pos(i))))
}

/// A recoverable error at `i` that remembers what was expected there.
pub fn backtrack_expected<'a, T>(i: &'a str, what: &'static str) -> PResult<'a, T> {
    let mut e = PErr::at(pos(i));
    e.expected = Some(what);
    Err(Err::Error(e))
}

/// A committed error at `i`: "expected {what}, found {next token}".
pub fn expected<'a, T>(i: &'a str, what: &str) -> PResult<'a, T> {
    Err(Err::Failure(PErr::msg(
        pos(i),
        "KQL0101",
        format!("expected {what}, found {}", describe_next(i)),
    )))
}

/// A committed error with a custom message.
pub fn fail<'a, T>(i: &'a str, code: &'static str, message: impl Into<String>) -> PResult<'a, T> {
    Err(Err::Failure(PErr::msg(pos(i), code, message.into())))
}

/// Runs `p`; when it fails without committing, commits with "expected {what}".
pub fn require<'a, T>(
    i: &'a str,
    what: &str,
    p: impl FnOnce(&'a str) -> PResult<'a, T>,
) -> PResult<'a, T> {
    match p(i) {
        Ok(r) => Ok(r),
        Err(Err::Error(_)) => expected(i, what),
        Err(e) => Err(e),
    }
}

/// Describes the token at the start of `i` for error messages.
pub fn describe_next(i: &str) -> String {
    let t = i;
    let Some(c) = t.chars().next() else {
        return "end of input".to_string();
    };
    if is_ident_start(c) || c.is_ascii_digit() {
        let word: String = t
            .chars()
            .take_while(|c| is_ident_char(*c) || *c == '.')
            .collect();
        let word: String = word.chars().take(40).collect();
        return format!("`{word}`");
    }
    if c == '"' || c == '\'' {
        return "a string literal".to_string();
    }
    let two: String = t.chars().take(2).collect();
    for op in ["==", "!=", "<=", ">=", "=~", "!~", "<>", "..", "=>"] {
        if two == op {
            return format!("`{op}`");
        }
    }
    format!("`{c}`")
}

pub fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

pub fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_ws(c: char) -> bool {
    matches!(
        c,
        '\t' | ' ' | '\r' | '\n' | '\u{0c}' | '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2000}'
            ..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}'
    )
}

/// Skips whitespace and `//` comments.
pub fn trivia(mut i: &str) -> &str {
    loop {
        let t = i.trim_start_matches(is_ws);
        if let Some(rest) = t.strip_prefix("//") {
            let end = rest
                .find(['\n', '\r', '\u{2028}', '\u{2029}'])
                .unwrap_or(rest.len());
            i = &rest[end..];
        } else {
            return t;
        }
    }
}

/// Records the end of a token that ends where `rest` starts, then skips trivia.
pub fn finish_token(rest: &str) -> &str {
    set_last_end(pos(rest));
    trivia(rest)
}

/// Matches a keyword (case-sensitive, followed by a non-identifier character).
pub fn kw<'a>(word: &'static str) -> impl Fn(&'a str) -> PResult<'a, Span> {
    move |i: &'a str| {
        if let Some(rest) = i.strip_prefix(word)
            && !rest.starts_with(is_ident_char)
            && !(word.ends_with(|c: char| c.is_ascii_alphabetic())
                && rest.starts_with('-')
                && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            let start = pos(i);
            let rest2 = finish_token(rest);
            return Ok((rest2, Span::new(start, start + word.len())));
        }
        backtrack_expected(i, word)
    }
}

/// True when `i` starts with keyword `word`.
pub fn at_kw(i: &str, word: &'static str) -> bool {
    kw(word)(i).is_ok()
}

/// Matches a punctuation symbol, making sure e.g. `=` does not match the start of `==`.
pub fn sym<'a>(s: &'static str) -> impl Fn(&'a str) -> PResult<'a, Span> {
    move |i: &'a str| {
        if let Some(rest) = i.strip_prefix(s) {
            let bad = match s {
                "=" => rest.starts_with(['=', '~', '>']),
                "<" => rest.starts_with(['=', '>']),
                ">" => rest.starts_with('='),
                "!" => rest.starts_with('='),
                "." => rest.starts_with('.'),
                "|" => rest.starts_with('|'),
                "-" => rest.starts_with('-'),
                _ => false,
            };
            if !bad {
                let start = pos(i);
                let rest2 = finish_token(rest);
                return Ok((rest2, Span::new(start, start + s.len())));
            }
        }
        backtrack_expected(i, s)
    }
}

pub fn at_sym(i: &str, s: &'static str) -> bool {
    sym(s)(i).is_ok()
}

/// Words that cannot be used as bare names in expression position.
pub const RESERVED: &[&str] = &["and", "or", "by", "on", "with", "of"];

/// A plain identifier `[A-Za-z_$][A-Za-z0-9_]*` (no keyword check).
pub fn raw_word(i: &str) -> PResult<'_, (&str, Span)> {
    let mut chars = i.char_indices();
    match chars.next() {
        Some((_, c)) if is_ident_start(c) => {}
        _ => return backtrack_expected(i, "a name"),
    }
    let end = chars
        .find(|(_, c)| !is_ident_char(*c))
        .map(|(idx, _)| idx)
        .unwrap_or(i.len());
    let word = &i[..end];
    let start = pos(i);
    let rest = finish_token(&i[end..]);
    Ok((rest, (word, Span::new(start, start + end))))
}

/// `['name']`, `["name"]` (also `[@'...']`): a bracketed name.
pub fn bracketed_name(i: &str) -> PResult<'_, Ident> {
    let start = pos(i);
    let Some(inner) = i.strip_prefix('[') else {
        return backtrack(i);
    };
    let inner = trivia(inner);
    if !(inner.starts_with('\'')
        || inner.starts_with('"')
        || inner.starts_with("@'")
        || inner.starts_with("@\""))
    {
        return backtrack(i);
    }
    let (rest, (value, _)) = super::literal::string_token(inner)?;
    let rest = trivia(rest);
    let Some(rest) = rest.strip_prefix(']') else {
        return expected(rest, "`]` to close the bracketed name");
    };
    let rest = finish_token(rest);
    Ok((rest, Ident::new(value, span_from(start))))
}

/// An identifier that starts with digits (`5h_MovingAvg`); not a number or timespan.
fn digit_ident(i: &str) -> PResult<'_, Ident> {
    match super::literal::number(i) {
        Ok((
            r,
            crate::ast::Expr {
                kind: crate::ast::ExprKind::Name(n),
                ..
            },
        )) => Ok((r, n)),
        _ => backtrack_expected(i, "a name"),
    }
}

/// An identifier usable as a name (not a reserved word), plain or bracketed.
pub fn ident(i: &str) -> PResult<'_, Ident> {
    if i.starts_with('[') {
        return bracketed_name(i);
    }
    if i.starts_with(|c: char| c.is_ascii_digit()) {
        return digit_ident(i);
    }
    let (rest, (word, span)) = raw_word(i)?;
    if RESERVED.contains(&word) {
        return backtrack_expected(i, "a name");
    }
    Ok((rest, Ident::new(word, span)))
}

/// Any identifier including keywords (after `.`, as parameter names, ...).
pub fn ident_any(i: &str) -> PResult<'_, Ident> {
    if i.starts_with('[') {
        return bracketed_name(i);
    }
    if i.starts_with(|c: char| c.is_ascii_digit()) {
        return digit_ident(i);
    }
    let (rest, (word, span)) = raw_word(i)?;
    Ok((rest, Ident::new(word, span)))
}

/// Parses `p (sep p)*`, requiring at least one item.
pub fn sep1<'a, T>(
    i: &'a str,
    sep: &'static str,
    what: &str,
    mut p: impl FnMut(&'a str) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut i, first) = require(i, what, &mut p)?;
    let mut items = vec![first];
    while let Ok((r, _)) = sym(sep)(i) {
        let (r, item) = require(r, what, &mut p)?;
        items.push(item);
        i = r;
    }
    Ok((i, items))
}
