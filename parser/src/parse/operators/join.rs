//! join, lookup, union.

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
            let (r, tables) = sep1(r, ",", "a table after `union`", table_ref)?;
            done(r, start, OperatorKind::Union { params, tables })
        })(),
        _ => return None,
    })
}
