//! mv-expand and mv-apply.

use super::*;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "mv-expand" | "mvexpand" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, items) = sep1(
                r,
                ",",
                &format!("a column to expand after `{word}`"),
                mv_item,
            )?;
            let (r, limit) = limit_clause(r)?;
            done(
                r,
                start,
                OperatorKind::MvExpand {
                    params,
                    items,
                    limit,
                },
            )
        })(),
        "mv-apply" | "mvapply" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, items) = sep1(
                r,
                ",",
                &format!("a column to apply over after `{word}`"),
                mv_item,
            )?;
            let (r, limit) = limit_clause(r)?;
            let (r, _) = require(r, "`on` and a subquery in parentheses", kw("on"))?;
            let (r, on) = sub_pipeline(r, "mv-apply ... on")?;
            done(
                r,
                start,
                OperatorKind::MvApply {
                    params,
                    items,
                    limit,
                    on,
                },
            )
        })(),
        _ => return None,
    })
}

fn limit_clause(r: &str) -> PResult<'_, Option<Expr>> {
    match kw("limit")(r) {
        Ok((r2, _)) => {
            let (r3, v) = require(r2, "a number after `limit`", expr)?;
            Ok((r3, Some(v)))
        }
        Err(_) => Ok((r, None)),
    }
}

/// `[name =] expr [to typeof(type)]`.
fn mv_item(i: &str) -> PResult<'_, MvItem> {
    let (r, e) = named_expr(i)?;
    if let Ok((r2, _)) = kw("to")(r) {
        let (r3, _) = require(r2, "`typeof(` after `to`", kw("typeof"))?;
        let (r3, _) = require(r3, "`(` after `typeof`", sym("("))?;
        let (r3, ty) = type_name(r3)?;
        let (r3, _) = require(r3, "`)` to close `typeof(`", sym(")"))?;
        return Ok((
            r3,
            MvItem {
                expr: e,
                to_type: Some(ty),
            },
        ));
    }
    Ok((
        r,
        MvItem {
            expr: e,
            to_type: None,
        },
    ))
}
