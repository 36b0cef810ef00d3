//! parse, parse-where, parse-kv.

use super::*;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "parse" => parse_op(r, start, word)
            .and_then(|(r, p)| done(r, start, OperatorKind::Parse(Box::new(p)))),
        "parse-where" => parse_op(r, start, word)
            .and_then(|(r, p)| done(r, start, OperatorKind::ParseWhere(Box::new(p)))),
        "parse-kv" => (|| {
            let (r, e) = require(r, "an expression after `parse-kv`", expr)?;
            let (r, _) = require(
                r,
                "`as` and a column schema after the `parse-kv` source",
                kw("as"),
            )?;
            let (r, columns) = row_schema(r, "parse-kv ... as")?;
            let (r, with) = match kw("with")(r) {
                Ok((r2, _)) => paren_params(r2, "parse-kv ... with")?,
                Err(_) => (r, Vec::new()),
            };
            done(
                r,
                start,
                OperatorKind::ParseKv {
                    expr: e,
                    columns,
                    with,
                },
            )
        })(),
        _ => return None,
    })
}

/// `( name = value, ... )`.
pub(super) fn paren_params<'a>(i: &'a str, owner: &str) -> PResult<'a, Vec<OpParam>> {
    let (mut r, _) = require(i, &format!("`(` after `{owner}`"), sym("("))?;
    let mut params = Vec::new();
    if let Ok((r2, _)) = sym(")")(r) {
        return Ok((r2, params));
    }
    loop {
        let (r2, mut ps) = op_params(r, Strictness::Relaxed)?;
        if ps.is_empty() {
            return expected(r, &format!("`name = value` in `{owner} (...)`"));
        }
        params.append(&mut ps);
        r = r2;
        if let Ok((r3, _)) = sym(",")(r) {
            r = r3;
            continue;
        }
        let (r3, _) = require(r, &format!("`,` or `)` in `{owner} (...)`"), sym(")"))?;
        return Ok((r3, params));
    }
}

fn parse_op<'a>(r: &'a str, _start: usize, word: &str) -> PResult<'a, Parse> {
    let (r, params) = op_params(r, Strictness::Relaxed)?;
    let mut kind = None;
    let mut flags = None;
    for p in &params {
        let value = match &p.value.kind {
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Literal(Literal::String { value, .. }) => value.clone(),
            _ => String::new(),
        };
        match p.name.as_str() {
            "kind" => {
                kind = Some(match value.as_str() {
                    "simple" => ParseKind::Simple,
                    "regex" => ParseKind::Regex,
                    "relaxed" => ParseKind::Relaxed,
                    _ => {
                        return Err(Err::Failure(PErr::msg(
                            p.value.span.start(),
                            "KQL0107",
                            format!(
                                "`{word}` kind must be `simple`, `regex` or `relaxed`, found `{value}`"
                            ),
                        )));
                    }
                })
            }
            "flags" => flags = Some(value),
            other => {
                return Err(Err::Failure(PErr::msg(
                    p.span.start(),
                    "KQL0107",
                    format!("unknown `{word}` parameter `{other}`; expected `kind` or `flags`"),
                )));
            }
        }
    }
    let (r, e) = require(r, &format!("an expression after `{word}`"), expr)?;
    let (r, _) = require(
        r,
        &format!("`with` and a pattern after the `{word}` source"),
        kw("with"),
    )?;
    let mut pattern = Vec::new();
    let mut r = r;
    loop {
        if let Ok((r2, _)) = sym("*")(r) {
            pattern.push(ParsePatternItem::Star);
            r = r2;
            continue;
        }
        match super::super::literal::string_lit(r) {
            Ok((r2, s)) => {
                pattern.push(ParsePatternItem::Text(s));
                r = r2;
                continue;
            }
            Err(Err::Error(_)) => {}
            Err(e) => return Err(e),
        }
        if let Ok((r2, name)) = ident(r) {
            let (r2, ty) = match sym(":")(r2) {
                Ok((r3, _)) => {
                    let (r4, t) = type_name(r3)?;
                    (r4, Some(t))
                }
                Err(_) => (r2, None),
            };
            pattern.push(ParsePatternItem::Column { name, ty });
            r = r2;
            continue;
        }
        break;
    }
    if pattern.is_empty() {
        return expected(r, &format!("a pattern after `{word} ... with`"));
    }
    Ok((
        r,
        Parse {
            kind,
            flags,
            expr: e,
            pattern,
        },
    ))
}
