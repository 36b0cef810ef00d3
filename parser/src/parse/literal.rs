//! Literals: numbers, timespans, strings in every form, typed literals (`datetime(...)`,
//! `long(null)`, `real(nan)`, `guid(...)`, `time(...)`), bare GUIDs and `dynamic(...)`.

use super::lexical::*;
use crate::ast::{Dynamic, Expr, ExprKind, Literal, Real, TypeName, TypeOfItem};
use nom::Err;

pub const TICKS_PER_MICROSECOND: i128 = 10;
pub const TICKS_PER_MILLISECOND: i128 = 10_000;
pub const TICKS_PER_SECOND: i128 = 10_000_000;
pub const TICKS_PER_MINUTE: i128 = 60 * TICKS_PER_SECOND;
pub const TICKS_PER_HOUR: i128 = 60 * TICKS_PER_MINUTE;
pub const TICKS_PER_DAY: i128 = 24 * TICKS_PER_HOUR;

/// Timespan unit suffixes (Kql.g4 `TIMESPANLITERAL`), longest first.
/// Nanoseconds are expressed as (ticks numerator, denominator) = (1, 100).
const UNITS: &[(&str, i128, i128)] = &[
    ("milliseconds", TICKS_PER_MILLISECOND, 1),
    ("millisecond", TICKS_PER_MILLISECOND, 1),
    ("millisecs", TICKS_PER_MILLISECOND, 1),
    ("millisec", TICKS_PER_MILLISECOND, 1),
    ("millis", TICKS_PER_MILLISECOND, 1),
    ("milli", TICKS_PER_MILLISECOND, 1),
    ("microseconds", TICKS_PER_MICROSECOND, 1),
    ("microsecond", TICKS_PER_MICROSECOND, 1),
    ("microsecs", TICKS_PER_MICROSECOND, 1),
    ("microsec", TICKS_PER_MICROSECOND, 1),
    ("micros", TICKS_PER_MICROSECOND, 1),
    ("micro", TICKS_PER_MICROSECOND, 1),
    ("nanoseconds", 1, 100),
    ("nanosecond", 1, 100),
    ("nanosecs", 1, 100),
    ("nanosec", 1, 100),
    ("nanos", 1, 100),
    ("nano", 1, 100),
    ("minutes", TICKS_PER_MINUTE, 1),
    ("minute", TICKS_PER_MINUTE, 1),
    ("min", TICKS_PER_MINUTE, 1),
    ("seconds", TICKS_PER_SECOND, 1),
    ("second", TICKS_PER_SECOND, 1),
    ("sec", TICKS_PER_SECOND, 1),
    ("days", TICKS_PER_DAY, 1),
    ("day", TICKS_PER_DAY, 1),
    ("hours", TICKS_PER_HOUR, 1),
    ("hour", TICKS_PER_HOUR, 1),
    ("hrs", TICKS_PER_HOUR, 1),
    ("hr", TICKS_PER_HOUR, 1),
    ("ticks", 1, 1),
    ("tick", 1, 1),
    ("ms", TICKS_PER_MILLISECOND, 1),
    ("m", TICKS_PER_MINUTE, 1),
    ("s", TICKS_PER_SECOND, 1),
    ("d", TICKS_PER_DAY, 1),
    ("h", TICKS_PER_HOUR, 1),
];

/// Converts `int_part.frac_part` of `unit` into ticks, exactly; None on overflow.
fn to_ticks(int_part: &str, frac_part: &str, num: i128, den: i128) -> Option<i64> {
    let int: i128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut total = int.checked_mul(num)? / den;
    if !frac_part.is_empty() {
        let digits = &frac_part[..frac_part.len().min(30)];
        let f: i128 = digits.parse().ok()?;
        let scale = 10i128.checked_pow(digits.len() as u32)?;
        total = total.checked_add(f.checked_mul(num)? / (scale.checked_mul(den)?))?;
    }
    i64::try_from(total).ok()
}

/// Splits leading digits.
fn digits(i: &str) -> (&str, &str) {
    let end = i.find(|c: char| !c.is_ascii_digit()).unwrap_or(i.len());
    (&i[..end], &i[end..])
}

/// Matches a timespan unit suffix at the start of `rest`, followed by a non-identifier char.
fn unit_suffix(rest: &str) -> Option<(&str, i128, i128)> {
    for (name, num, den) in UNITS {
        if let Some(after) = rest.strip_prefix(name)
            && !after.starts_with(is_ident_char)
        {
            return Some((after, *num, *den));
        }
    }
    None
}

/// A numeric literal: long (decimal or hex), real, or a timespan (`1.5h`).
pub fn number(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    if !i.starts_with(|c: char| c.is_ascii_digit()) {
        return backtrack_expected(i, "a number");
    }
    // hexadecimal
    if let Some(h) = i.strip_prefix("0x").or_else(|| i.strip_prefix("0X")) {
        let end = h.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(h.len());
        if end > 0 && !h[end..].starts_with(is_ident_char) {
            let Ok(v) = u64::from_str_radix(&h[..end], 16) else {
                return fail(i, "KQL0102", "hexadecimal literal is too large for a long");
            };
            let rest = finish_token(&h[end..]);
            return Ok((rest, lit(Literal::Long(Some(v as i64)), start)));
        }
    }
    let (int_part, rest) = digits(i);
    let mut frac = "";
    let mut after = rest;
    let mut has_dot = false;
    if let Some(r) = rest.strip_prefix('.')
        && !r.starts_with('.')
        && !starts_member_name(r)
    {
        let (f, r2) = digits(r);
        frac = f;
        after = r2;
        has_dot = true;
    }
    // timespan suffix
    if !(has_dot && frac.is_empty())
        && let Some((r, num, den)) = unit_suffix(after)
    {
        let Some(ticks) = to_ticks(int_part, frac, num, den) else {
            return fail(i, "KQL0102", "timespan literal is out of range");
        };
        let rest = finish_token(r);
        return Ok((rest, lit(Literal::Timespan(Some(ticks)), start)));
    }
    // exponent
    let mut exp_end = after;
    let mut has_exp = false;
    if let Some(r) = after.strip_prefix(['e', 'E']) {
        let r2 = r.strip_prefix(['+', '-']).unwrap_or(r);
        let (d, r3) = digits(r2);
        if !d.is_empty() {
            exp_end = r3;
            has_exp = true;
        }
    }
    if exp_end.starts_with(is_ident_char) {
        // identifiers may start with digits (`5h_MovingAvg`)
        let end = i.find(|c: char| !is_ident_char(c)).unwrap_or(i.len());
        if i[..end].contains(|c: char| c.is_ascii_alphabetic() || c == '_')
            && !i[..end].starts_with("0x")
        {
            let rest = finish_token(&i[end..]);
            return Ok((
                rest,
                Expr::new(
                    ExprKind::Name(crate::ast::Ident::new(&i[..end], span_from(start))),
                    span_from(start),
                ),
            ));
        }
        return fail(
            i,
            "KQL0102",
            format!("invalid numeric literal {}", describe_next(i)),
        );
    }
    let text = &i[..i.len() - exp_end.len()];
    let rest = finish_token(exp_end);
    if has_dot || has_exp {
        match text.parse::<f64>() {
            Ok(v) => Ok((rest, lit(Literal::Real(Some(Real(v))), start))),
            Err(_) => fail(i, "KQL0102", format!("invalid real literal `{text}`")),
        }
    } else {
        match text.parse::<i64>() {
            Ok(v) => Ok((rest, lit(Literal::Long(Some(v)), start))),
            Err(_) => match text.parse::<f64>() {
                // Kusto reads integers beyond the long range as reals.
                Ok(v) => Ok((rest, lit(Literal::Real(Some(Real(v))), start))),
                Err(_) => fail(i, "KQL0102", format!("invalid number `{text}`")),
            },
        }
    }
}

/// After `1.`: a name that is not an exponent (`1.e3`) makes the `.` a member access.
fn starts_member_name(r: &str) -> bool {
    let Some(c) = r.chars().next() else {
        return false;
    };
    if !(c.is_ascii_alphabetic() || c == '_' || c == '$' || c == '[') {
        return false;
    }
    if c == 'e' || c == 'E' {
        let t = r[1..].strip_prefix(['+', '-']).unwrap_or(&r[1..]);
        return !t.starts_with(|d: char| d.is_ascii_digit());
    }
    true
}

fn lit(l: Literal, start: usize) -> Expr {
    Expr::new(ExprKind::Literal(l), span_from(start))
}

/// One string token without trailing trivia: returns (value, obfuscated).
pub fn string_token(i: &str) -> PResult<'_, (String, bool)> {
    let (obf, t) = match i.strip_prefix(['h', 'H']) {
        Some(r) if r.starts_with(['"', '\'', '@', '`', '~']) => (true, r),
        _ => (false, i),
    };
    for fence in ["```", "~~~"] {
        if let Some(body) = t.strip_prefix(fence) {
            let Some(end) = body.find(fence) else {
                return fail(
                    i,
                    "KQL0104",
                    format!("unterminated multi-line string (missing closing {fence})"),
                );
            };
            return Ok((&body[end + 3..], (body[..end].to_string(), obf)));
        }
    }
    if let Some(body) = t.strip_prefix('@') {
        let Some(q) = body.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return backtrack(i);
        };
        let mut out = String::new();
        let mut rest = &body[1..];
        loop {
            let Some(c) = rest.chars().next() else {
                return fail(i, "KQL0104", "unterminated verbatim string literal");
            };
            if c == '\n' || c == '\r' {
                return fail(
                    i,
                    "KQL0104",
                    "unterminated verbatim string literal (line ends before the closing quote)",
                );
            }
            rest = &rest[c.len_utf8()..];
            if c == q {
                if rest.starts_with(q) {
                    out.push(q);
                    rest = &rest[1..];
                    continue;
                }
                return Ok((rest, (out, obf)));
            }
            out.push(c);
        }
    }
    let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return backtrack_expected(i, "a string");
    };
    let mut out = String::new();
    let mut rest = &t[1..];
    loop {
        let Some(c) = rest.chars().next() else {
            return fail(i, "KQL0104", "unterminated string literal");
        };
        if c == '\n' || c == '\r' {
            return fail(
                i,
                "KQL0104",
                "unterminated string literal (line ends before the closing quote)",
            );
        }
        rest = &rest[c.len_utf8()..];
        if c == q {
            return Ok((rest, (out, obf)));
        }
        if c == '\\' {
            let Some(e) = rest.chars().next() else {
                return fail(i, "KQL0104", "unterminated string literal");
            };
            rest = &rest[e.len_utf8()..];
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'a' => out.push('\u{07}'),
                'b' => out.push('\u{08}'),
                'f' => out.push('\u{0c}'),
                'v' => out.push('\u{0b}'),
                '0' => out.push('\0'),
                '\\' | '\'' | '"' | '?' | '/' => out.push(e),
                'u' | 'x' | 'U' => {
                    let n = match e {
                        'u' => 4,
                        'U' => 8,
                        _ => 2,
                    };
                    let hex: String = rest.chars().take(n).collect();
                    let cp = if hex.len() == n {
                        u32::from_str_radix(&hex, 16).ok()
                    } else {
                        None
                    };
                    match cp.and_then(char::from_u32) {
                        Some(ch) => {
                            out.push(ch);
                            rest = &rest[n..];
                        }
                        None => {
                            return fail(
                                &t[t.len() - rest.len() - 2..],
                                "KQL0104",
                                format!("invalid escape sequence `\\{e}{hex}` in string literal"),
                            );
                        }
                    }
                }
                other => {
                    return fail(
                        &t[t.len() - rest.len() - 1 - other.len_utf8()..],
                        "KQL0104",
                        format!("invalid escape sequence `\\{other}` in string literal"),
                    );
                }
            }
            continue;
        }
        out.push(c);
    }
}

fn at_string_start(i: &str) -> bool {
    let t = match i.strip_prefix(['h', 'H']) {
        Some(r) if r.starts_with(['"', '\'', '@', '`', '~']) => r,
        _ => i,
    };
    t.starts_with(['"', '\''])
        || t.starts_with("@\"")
        || t.starts_with("@'")
        || t.starts_with("```")
        || t.starts_with("~~~")
}

/// A string literal, with adjacent literals concatenated (`"a" "b"` is `"ab"`).
pub fn string_lit(i: &str) -> PResult<'_, Expr> {
    if !at_string_start(i) {
        return backtrack_expected(i, "a string literal");
    }
    let start = pos(i);
    let (mut rest, (mut value, mut obfuscated)) = string_token(i)?;
    rest = finish_token(rest);
    while at_string_start(rest) {
        let (r, (v, o)) = string_token(rest)?;
        value.push_str(&v);
        obfuscated |= o;
        rest = finish_token(r);
    }
    Ok((rest, lit(Literal::String { value, obfuscated }, start)))
}

/// A bare GUID literal `8-4-4-4-12` hex digits.
pub fn raw_guid(i: &str) -> PResult<'_, Expr> {
    let groups = [8, 4, 4, 4, 12];
    let mut t = i;
    for (n, len) in groups.iter().enumerate() {
        let end = t.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(t.len());
        if end != *len {
            return backtrack(i);
        }
        t = &t[end..];
        if n < 4 {
            match t.strip_prefix('-') {
                Some(r) => t = r,
                None => return backtrack(i),
            }
        }
    }
    if t.starts_with(is_ident_char) || t.starts_with('-') {
        return backtrack(i);
    }
    let start = pos(i);
    let text = &i[..i.len() - t.len()];
    let rest = finish_token(t);
    Ok((rest, lit(Literal::Guid(Some(text.to_string())), start)))
}

/// Text between `(` and the next `)` of a typed literal.
fn paren_goo(i: &str) -> PResult<'_, &str> {
    let Some(body) = i.strip_prefix('(') else {
        return backtrack(i);
    };
    let Some(end) = body.find(')') else {
        return expected(&i[i.len()..], "`)` to close the literal");
    };
    let rest = finish_token(&body[end + 1..]);
    Ok((rest, body[..end].trim()))
}

/// Typed literals: `bool(..)`, `int(..)`, `long(..)`, `real(..)`, `decimal(..)`,
/// `datetime(..)`, `timespan(..)`, `guid(..)`, `dynamic(..)`, `typeof(..)`.
pub fn typed_literal(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    let (after_word, (word, _)) = raw_word(i)?;
    // the keyword must be followed directly by `(` (possibly after trivia)
    if !after_word.starts_with('(') {
        return backtrack(i);
    }
    if word == "dynamic" {
        let (r, _) = sym("(")(after_word)?;
        let (r, value) = require(
            r,
            "a dynamic value (array, property bag, scalar or null)",
            dynamic_value,
        )?;
        let (r, _) = require(r, "`)` to close `dynamic(`", sym(")"))?;
        return Ok((r, lit(Literal::Dynamic(value), start)));
    }
    if word == "typeof" {
        return typeof_literal(i, after_word, start);
    }
    let Some(ty) = TypeName::from_name(word) else {
        return backtrack(i);
    };
    if ty == TypeName::String {
        return backtrack(i);
    }
    let (rest, body) = paren_goo(after_word)?;
    let body_at = &after_word[1..];
    let lit_value = typed_body(ty, body, body_at)?;
    Ok((rest, lit(lit_value, start)))
}

fn typed_body(ty: TypeName, body: &str, at: &str) -> Result<Literal, Err<PErr>> {
    let is_null = body == "null";
    let bad = |what: &str| -> Err<PErr> {
        Err::Failure(PErr::msg(
            pos(at),
            "KQL0102",
            format!(
                "invalid {} literal `{}({body})`{what}",
                ty.as_str(),
                ty.as_str()
            ),
        ))
    };
    Ok(match ty {
        TypeName::Bool => Literal::Bool(match body {
            "null" => None,
            "true" | "True" | "TRUE" | "1" => Some(true),
            "false" | "False" | "FALSE" | "0" => Some(false),
            _ => return Err(bad("")),
        }),
        TypeName::Int => Literal::Int(if is_null {
            None
        } else {
            Some(parse_int::<i32>(body).ok_or_else(|| bad(""))?)
        }),
        TypeName::Long => Literal::Long(if is_null {
            None
        } else {
            Some(parse_int::<i64>(body).ok_or_else(|| bad(""))?)
        }),
        TypeName::Real => Literal::Real(if is_null {
            None
        } else {
            let v = match body {
                "nan" | "NaN" => f64::NAN,
                "+inf" | "inf" | "+infinity" | "infinity" => f64::INFINITY,
                "-inf" | "-infinity" => f64::NEG_INFINITY,
                _ => body.replace(' ', "").parse::<f64>().map_err(|_| bad(""))?,
            };
            Some(Real(v))
        }),
        TypeName::Decimal => Literal::Decimal(if is_null {
            None
        } else {
            let t = body.replace(' ', "");
            let ok = match t.as_str() {
                "nan" | "NaN" | "+inf" | "-inf" => false,
                s => s.parse::<f64>().is_ok(),
            };
            if !ok {
                return Err(bad(""));
            }
            Some(t)
        }),
        TypeName::Datetime => Literal::Datetime(if is_null {
            None
        } else {
            // The body is kept as written, like Kusto's lexer does (`datetime()` is the current
            // time). Kusto reads more than the documented formats here (e.g. `'12-02-2022'`),
            // so the engine interprets the text; `crate::datetime` reads the documented formats.
            Some(body.to_string())
        }),
        TypeName::Timespan => {
            Literal::Timespan(if is_null {
                None
            } else {
                Some(timespan_body(body).ok_or_else(|| bad(": expected e.g. `1d`, `15 seconds`, `2` (days) or `[d.]hh:mm[:ss[.fffffff]]`"))?)
            })
        }
        TypeName::Guid => Literal::Guid(if is_null {
            None
        } else {
            let hex: String = body.chars().filter(|c| *c != '-').collect();
            if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad(""));
            }
            Some(body.to_string())
        }),
        TypeName::String | TypeName::Dynamic => return Err(bad("")),
    })
}

fn parse_int<T: std::str::FromStr + TryFrom<i64>>(body: &str) -> Option<T> {
    let t = body.replace(' ', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let v: i128 = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i128::from(u64::from_str_radix(h, 16).ok()? as i64)
    } else {
        digits.parse::<i128>().ok()?
    };
    let v = i64::try_from(if neg { -v } else { v }).ok()?;
    T::try_from(v).ok()
}

/// The body of `time(...)` / `timespan(...)`.
pub fn timespan_body(body: &str) -> Option<i64> {
    let (neg, t) = match body.strip_prefix('-') {
        Some(r) => (true, r.trim_start()),
        None => (false, body.strip_prefix('+').unwrap_or(body)),
    };
    let ticks = timespan_unsigned(t)?;
    Some(if neg { ticks.checked_neg()? } else { ticks })
}

fn timespan_unsigned(t: &str) -> Option<i64> {
    let (int_part, rest) = digits(t);
    if int_part.is_empty() && !rest.starts_with('.') {
        return None;
    }
    if rest.contains(':') {
        // [d.]hh:mm[:ss[.fffffff]]
        let (days, clock) = match t.find('.') {
            Some(dot) if dot < t.find(':').unwrap_or(usize::MAX) => (&t[..dot], &t[dot + 1..]),
            _ => ("0", t),
        };
        let parts: Vec<&str> = clock.split(':').collect();
        if parts.len() < 2 || parts.len() > 3 {
            return None;
        }
        let num = |s: &str| -> Option<i128> {
            if s.is_empty() || s.len() > 12 || !s.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let d = num(days)?;
        let h = num(parts[0])?;
        let m = num(parts[1])?;
        // each part has at most 12 digits, so this i128 arithmetic cannot overflow
        let mut total = d * TICKS_PER_DAY + h * TICKS_PER_HOUR + m * TICKS_PER_MINUTE;
        if let Some(sec) = parts.get(2) {
            let (s, f) = match sec.split_once('.') {
                Some((s, f)) => (s, f),
                None => (*sec, ""),
            };
            total += num(s)? * TICKS_PER_SECOND;
            if !f.is_empty() {
                total += i128::from(to_ticks("0", f, TICKS_PER_SECOND, 1)?);
            }
        }
        return i64::try_from(total).ok();
    }
    let (frac, rest) = match rest.strip_prefix('.') {
        Some(r) => digits(r),
        None => ("", rest),
    };
    let unit = rest.trim_start();
    if unit.is_empty() {
        return to_ticks(int_part, frac, TICKS_PER_DAY, 1);
    }
    let (after, num, den) = unit_suffix(unit)?;
    if !after.trim().is_empty() {
        return None;
    }
    to_ticks(int_part, frac, num, den)
}

fn typeof_literal<'a>(i: &'a str, after_word: &'a str, start: usize) -> PResult<'a, Expr> {
    let (mut r, _) = sym("(")(after_word)?;
    let mut items = Vec::new();
    loop {
        // `name:type`, `type` or `*`
        if let Ok((r1, _)) = sym("*")(r) {
            items.push(TypeOfItem {
                name: None,
                ty: None,
            });
            r = r1;
            match sym(",")(r) {
                Ok((r3, _)) => {
                    r = r3;
                    continue;
                }
                Err(_) => break,
            }
        }
        let (r1, first) = require(r, "a type name in `typeof(...)`", ident_any)?;
        let (r2, item) = if let Ok((r2, _)) = sym(":")(r1) {
            let (r3, ty) = type_name(r2)?;
            (
                r3,
                TypeOfItem {
                    name: Some(first),
                    ty: Some(ty),
                },
            )
        } else {
            let Some(ty) = TypeName::from_name(&first.name) else {
                return fail(r, "KQL0105", format!("unknown type `{}`", first.name));
            };
            (
                r1,
                TypeOfItem {
                    name: None,
                    ty: Some(ty),
                },
            )
        };
        items.push(item);
        r = r2;
        match sym(",")(r) {
            Ok((r3, _)) => r = r3,
            Err(_) => break,
        }
    }
    let (r, _) = require(r, "`)` to close `typeof(`", sym(")"))?;
    let _ = i;
    Ok((r, lit(Literal::TypeOf(items), start)))
}

/// A scalar type name (with aliases), as in `x:long`.
pub fn type_name(i: &str) -> PResult<'_, TypeName> {
    let (r, (word, _)) = match raw_word(i) {
        Ok(v) => v,
        Err(_) => {
            return expected(
                i,
                "a type name (bool, int, long, real, decimal, datetime, timespan, guid, string, dynamic)",
            );
        }
    };
    match TypeName::from_name(word) {
        Some(t) => Ok((r, t)),
        None => fail(
            i,
            "KQL0105",
            format!(
                "unknown type `{word}`; expected one of bool, int, long, real, decimal, datetime, timespan, guid, string, dynamic"
            ),
        ),
    }
}

/// The JSON-like value inside `dynamic(...)`.
pub fn dynamic_value(i: &str) -> PResult<'_, Dynamic> {
    enter(i)?;
    let r = dynamic_value_inner(i);
    leave();
    r
}

fn dynamic_value_inner(i: &str) -> PResult<'_, Dynamic> {
    if let Ok((r, _)) = sym("[")(i) {
        let mut items = Vec::new();
        let mut r = r;
        if let Ok((r2, _)) = sym("]")(r) {
            return Ok((r2, Dynamic::Array(items)));
        }
        loop {
            let (r2, v) = require(r, "a value in the dynamic array", dynamic_value)?;
            items.push(v);
            r = r2;
            if let Ok((r3, _)) = sym(",")(r) {
                r = r3;
                if let Ok((r4, _)) = sym("]")(r) {
                    return Ok((r4, Dynamic::Array(items)));
                }
                continue;
            }
            let (r3, _) = require(r, "`,` or `]` in the dynamic array", sym("]"))?;
            return Ok((r3, Dynamic::Array(items)));
        }
    }
    if let Ok((r, _)) = sym("{")(i) {
        let mut props = Vec::new();
        let mut r = r;
        if let Ok((r2, _)) = sym("}")(r) {
            return Ok((r2, Dynamic::Object(props)));
        }
        loop {
            let (r2, key) = match string_lit(r) {
                Ok((
                    r2,
                    Expr {
                        kind: ExprKind::Literal(Literal::String { value, .. }),
                        ..
                    },
                )) => (r2, value),
                Ok(_) => return expected(r, "a property name string"),
                Err(Err::Error(_)) => match raw_word(r) {
                    Ok((r2, (w, _))) => (r2, w.to_string()),
                    Err(_) => {
                        return expected(
                            r,
                            "a property name (a string) in the dynamic property bag",
                        );
                    }
                },
                Err(e) => return Err(e),
            };
            let (r2, _) = require(r2, "`:` after the property name", sym(":"))?;
            let (r2, v) = require(r2, "a property value", dynamic_value)?;
            props.push((key, v));
            r = r2;
            if let Ok((r3, _)) = sym(",")(r) {
                r = r3;
                if let Ok((r4, _)) = sym("}")(r) {
                    return Ok((r4, Dynamic::Object(props)));
                }
                continue;
            }
            let (r3, _) = require(r, "`,` or `}` in the dynamic property bag", sym("}"))?;
            return Ok((r3, Dynamic::Object(props)));
        }
    }
    if let Ok((r, _)) = kw("null")(i) {
        return Ok((r, Dynamic::Null));
    }
    for (w, b) in [
        ("true", true),
        ("false", false),
        ("True", true),
        ("False", false),
        ("TRUE", true),
        ("FALSE", false),
    ] {
        if let Ok((r, _)) = kw(w)(i) {
            return Ok((r, Dynamic::Bool(b)));
        }
    }
    if let Ok((r, e)) = string_lit(i)
        && let ExprKind::Literal(Literal::String { value, .. }) = e.kind
    {
        return Ok((r, Dynamic::String(value)));
    }
    if let Ok((r, e)) = typed_literal(i)
        && let ExprKind::Literal(l) = e.kind
    {
        let d = match l {
            Literal::Long(Some(v)) => Dynamic::Long(v),
            Literal::Real(Some(v)) => Dynamic::Real(v),
            Literal::Bool(Some(b)) => Dynamic::Bool(b),
            other => Dynamic::Typed(Box::new(other)),
        };
        return Ok((r, d));
    }
    if let Ok((r, e)) = raw_guid(i)
        && let ExprKind::Literal(l) = e.kind
    {
        return Ok((r, Dynamic::Typed(Box::new(l))));
    }
    // signed numbers
    let (neg, t) = match i.strip_prefix('-') {
        Some(r) => (true, trivia(r)),
        None => (false, i.strip_prefix('+').map(trivia).unwrap_or(i)),
    };
    match number(t) {
        Ok((r, e)) => {
            let ExprKind::Literal(l) = e.kind else {
                return backtrack(i);
            };
            let d = match l {
                Literal::Long(Some(v)) => Dynamic::Long(if neg { v.wrapping_neg() } else { v }),
                Literal::Real(Some(Real(v))) => Dynamic::Real(Real(if neg { -v } else { v })),
                Literal::Timespan(Some(v)) => {
                    Dynamic::Typed(Box::new(Literal::Timespan(Some(if neg {
                        v.wrapping_neg()
                    } else {
                        v
                    }))))
                }
                _ => return backtrack(i),
            };
            Ok((r, d))
        }
        Err(Err::Error(_)) => backtrack_expected(i, "a dynamic value"),
        Err(e) => Err(e),
    }
}
