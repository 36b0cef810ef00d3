//! join, lookup, union.

use super::project::name_pattern;
use super::*;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "join" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, right) = tabular_operand(r, "the right-hand table after `join`")?;
            if let Ok((r2, _)) = kw("on")(r) {
                let (r3, on) = sep1(r2, ",", "a join key after `on`", expr)?;
                return done(
                    r3,
                    start,
                    OperatorKind::Join {
                        params,
                        right,
                        on,
                        where_: None,
                    },
                );
            }
            if let Ok((r2, _)) = kw("where")(r) {
                let (r3, pred) = require(r2, "a predicate after `where`", expr)?;
                return done(
                    r3,
                    start,
                    OperatorKind::Join {
                        params,
                        right,
                        on: Vec::new(),
                        where_: Some(pred),
                    },
                );
            }
            done(
                r,
                start,
                OperatorKind::Join {
                    params,
                    right,
                    on: Vec::new(),
                    where_: None,
                },
            )
        })(),
        "lookup" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, right) = tabular_operand(r, "the lookup table after `lookup`")?;
            let (r, _) = require(r, "`on` and the lookup keys", kw("on"))?;
            let (r, on) = sep1(r, ",", "a lookup key after `on`", expr)?;
            done(r, start, OperatorKind::Lookup { params, right, on })
        })(),
        "union" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, tables) = sep1(r, ",", "a table after `union`", union_item)?;
            done(r, start, OperatorKind::Union { params, tables })
        })(),
        _ => return None,
    })
}

/// A union leg: a table name, a wildcard pattern (`Event*`), a call or `(subquery)`.
fn union_item(i: &str) -> PResult<'_, Expr> {
    if !i.starts_with('(') && !i.starts_with('[') {
        let end = i
            .find(|c: char| !(is_ident_char(c) || c == '*'))
            .unwrap_or(i.len());
        if i[..end].contains('*') {
            let start = pos(i);
            let (r, p) = name_pattern(i)?;
            return Ok((
                r,
                Expr::new(
                    ExprKind::Name(Ident::new(p.pattern, span_from(start))),
                    span_from(start),
                ),
            ));
        }
    }
    expr(i)
}
