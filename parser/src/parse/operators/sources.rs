//! Operators that start a pipeline: print, range, datatable, externaldata.

use super::parse_ops::paren_params;
use super::*;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "print" => (|| {
            let (r, cols) = named_exprs(r, "an expression after `print`")?;
            done(r, start, OperatorKind::Print(cols))
        })(),
        "range" => (|| {
            let (r, column) = require(r, "a column name after `range`", ident)?;
            let (r, _) = require(r, "`from` after the `range` column", kw("from"))?;
            let (r, from) = require(r, "a start value after `from`", expr)?;
            let (r, _) = require(r, "`to` after the start of `range`", kw("to"))?;
            let (r, to) = require(r, "an end value after `to`", expr)?;
            let (r, _) = require(r, "`step` after the end of `range`", kw("step"))?;
            let (r, step) = require(r, "a step value after `step`", expr)?;
            done(
                r,
                start,
                OperatorKind::Range {
                    column,
                    from,
                    to,
                    step,
                },
            )
        })(),
        "datatable" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, columns) = row_schema(r, "datatable")?;
            let (r, values) = bracket_list(r, "datatable", "a value", expr)?;
            done(
                r,
                start,
                OperatorKind::Datatable {
                    params,
                    columns,
                    values,
                },
            )
        })(),
        "externaldata" | "external_data" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, columns) = row_schema(r, "externaldata")?;
            let (r, uris) = bracket_list(r, "externaldata", "a storage connection string", expr)?;
            let (r, with) = match kw("with")(r) {
                Ok((r2, _)) => paren_params(r2, "externaldata ... with")?,
                Err(_) => (r, Vec::new()),
            };
            done(
                r,
                start,
                OperatorKind::ExternalData {
                    params,
                    columns,
                    uris,
                    with,
                },
            )
        })(),
        "inline_external_table" => (|| {
            let (r, columns) = if r.starts_with('(') {
                let (r2, cols) = row_schema(r, "inline_external_table")?;
                (r2, Some(cols))
            } else {
                (r, None)
            };
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, _) = require(r, "`(` and the storage URIs", sym("("))?;
            let (r, uris) = sep1(r, ",", "a storage URI", expr)?;
            let (r, _) = require(r, "`,` or `)` after the storage URIs", sym(")"))?;
            let (r, with) = match kw("with")(r) {
                Ok((r2, _)) => paren_params(r2, "inline_external_table ... with")?,
                Err(_) => (r, Vec::new()),
            };
            done(
                r,
                start,
                OperatorKind::InlineExternalTable {
                    columns,
                    params,
                    uris,
                    with,
                },
            )
        })(),
        "macro-expand" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, group) = require(r, "an entity group after `macro-expand`", expr)?;
            let (r, _) = require(r, "`as` and a scope name", kw("as"))?;
            let (r, scope) = require(r, "a scope name after `as`", ident_any)?;
            let (mut r, _) = require(r, "`(` and the statements to expand", sym("("))?;
            let mut body = Vec::new();
            loop {
                if let Ok((r2, _)) = sym(";")(r) {
                    r = r2;
                    continue;
                }
                if let Ok((r2, _)) = sym(")")(r) {
                    r = r2;
                    break;
                }
                let (r2, st) = crate::parse::statement::statement(r)?;
                body.push(st);
                r = r2;
                if !at_sym(r, ";") && !at_sym(r, ")") {
                    return expected(r, "`;` or `)` after the statement in `macro-expand`");
                }
            }
            done(
                r,
                start,
                OperatorKind::MacroExpand {
                    params,
                    group,
                    scope,
                    body,
                },
            )
        })(),
        _ => return None,
    })
}

/// `[ item, item, ... ]` with an optional trailing comma.
fn bracket_list<'a>(
    i: &'a str,
    owner: &str,
    what: &str,
    mut item: impl FnMut(&'a str) -> PResult<'a, Expr>,
) -> PResult<'a, Vec<Expr>> {
    let (mut r, _) = require(i, &format!("`[` and the values of `{owner}`"), sym("["))?;
    let mut items = Vec::new();
    loop {
        if let Ok((r2, _)) = sym("]")(r) {
            return Ok((r2, items));
        }
        let (r2, v) = require(r, &format!("{what} or `]` in `{owner}`"), &mut item)?;
        items.push(v);
        r = r2;
        if let Ok((r3, _)) = sym(",")(r) {
            r = r3;
            continue;
        }
        let (r3, _) = require(r, &format!("`,` or `]` in `{owner}`"), sym("]"))?;
        return Ok((r3, items));
    }
}
