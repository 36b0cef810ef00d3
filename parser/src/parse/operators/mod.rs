//! Tabular operators: the dispatcher after `|`, source operators that start a pipeline,
//! and the shared pieces (operator parameters, named expressions, sort keys, schemas).

mod join;
mod misc;
mod mv;
mod parse_ops;
mod project;
mod sources;
mod summarize;

use super::expr::{expr, pipe_expr};
use super::lexical::*;
use super::literal::type_name;
use crate::ast::*;
use nom::Err;

/// Every pipe operator name (with aliases), for dispatch and "did you mean".
pub const OPERATOR_NAMES: &[&str] = &[
    "as",
    "assert-schema",
    "consume",
    "count",
    "distinct",
    "evaluate",
    "execute-and-cache",
    "extend",
    "facet",
    "filter",
    "find",
    "fork",
    "getschema",
    "invoke",
    "join",
    "limit",
    "lookup",
    "make-series",
    "mv-apply",
    "mv-expand",
    "mvapply",
    "mvexpand",
    "order",
    "parse",
    "parse-kv",
    "parse-where",
    "partition",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-by-names",
    "reduce",
    "render",
    "sample",
    "sample-distinct",
    "scan",
    "search",
    "serialize",
    "sort",
    "summarize",
    "take",
    "top",
    "top-hitters",
    "top-nested",
    "union",
    "where",
    "print",
    "range",
    "datatable",
];

const GRAPH_OPERATORS: &[&str] = &[
    "make-graph",
    "graph-match",
    "graph-shortest-paths",
    "graph-to-table",
    "graph-mark-components",
    "graph-merge",
];

/// Reads an operator word: letters, digits and `_`, with inner `-` (e.g. `project-away`).
fn op_word(i: &str) -> Option<(&str, &str)> {
    let bytes = i.as_bytes();
    if !bytes.first().is_some_and(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut end = 0;
    while end < bytes.len() {
        let b = bytes[end];
        if b.is_ascii_alphanumeric()
            || b == b'_'
            || (b == b'-' && bytes.get(end + 1).is_some_and(|n| n.is_ascii_alphabetic()))
        {
            end += 1;
        } else {
            break;
        }
    }
    Some((&i[..end], &i[end..]))
}

/// Edit distance for "did you mean" suggestions.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate within a small edit distance.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// An operator after `|`.
pub fn pipe_operator(i: &str) -> PResult<'_, Operator> {
    let start = pos(i);
    let Some((word, after)) = op_word(i) else {
        return expected(i, "a tabular operator after `|`");
    };
    let r = finish_token(after);
    match word {
        "where" | "filter" => {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, predicate) = require(r, &format!("a predicate after `{word}`"), expr)?;
            done(r, start, OperatorKind::Where { params, predicate })
        }
        "take" | "limit" => {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, count) = require(r, &format!("a row count after `{word}`"), expr)?;
            done(r, start, OperatorKind::Take { params, count })
        }
        "count" => {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            done(r, start, OperatorKind::Count { params })
        }
        "getschema" => done(r, start, OperatorKind::GetSchema),
        "execute-and-cache" => done(r, start, OperatorKind::ExecuteAndCache),
        "consume" => {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            done(r, start, OperatorKind::Consume { params })
        }
        "as" => {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, name) = require(r, "a name after `as`", ident_any)?;
            done(r, start, OperatorKind::As { params, name })
        }
        "invoke" => {
            let (r, call) = require(r, "a function call after `invoke`", expr)?;
            if !matches!(call.kind, ExprKind::Call { .. }) {
                return expected(i, "a function call after `invoke`");
            }
            done(r, start, OperatorKind::Invoke(call))
        }
        "assert-schema" => {
            let (r, columns) = row_schema(r, "assert-schema")?;
            done(r, start, OperatorKind::AssertSchema(columns))
        }
        _ => {
            if let Some(res) = project::parse(word, r, start)
                .or_else(|| summarize::parse(word, r, start))
                .or_else(|| join::parse(word, r, start))
                .or_else(|| mv::parse(word, r, start))
                .or_else(|| parse_ops::parse(word, r, start))
                .or_else(|| misc::parse(word, r, start))
                .or_else(|| sources::parse(word, r, start))
            {
                return res;
            }
            if GRAPH_OPERATORS.contains(&word) {
                return fail(
                    i,
                    "KQL0106",
                    format!("graph operator `{word}` is not supported"),
                );
            }
            let mut msg = format!("unknown tabular operator `{word}`");
            if let Some(s) = did_you_mean(word, OPERATOR_NAMES) {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
            fail(i, "KQL0106", msg)
        }
    }
}

/// Operators that may start a pipeline (`datatable`, `range`, `print`, `union`, `find`,
/// `search`, `evaluate`, `externaldata`). Returns `None` when `i` does not start with one.
pub fn source_operator(i: &str) -> PResult<'_, Option<Operator>> {
    let start = pos(i);
    let Some((word, after)) = op_word(i) else {
        return Ok((i, None));
    };
    let r = finish_token(after);
    let res = match word {
        // `range(...)` is the scalar function; `range x from ...` the operator.
        "range" if ident(r).is_ok_and(|(r2, _)| at_kw(r2, "from")) => {
            sources::parse(word, r, start)
        }
        "print"
        | "datatable"
        | "externaldata"
        | "external_data"
        | "inline_external_table"
        | "macro-expand" => sources::parse(word, r, start),
        "union" if !r.starts_with('(') || looks_like_union_source(r) => join::parse(word, r, start),
        "find" | "search" => {
            // a column named `search`/`find` followed by an operator is not the operator
            if r.is_empty() || r.starts_with(['|', ')', ';', '=', '.', '[']) {
                return Ok((i, None));
            }
            misc::parse(word, r, start)
        }
        "evaluate" => misc::parse(word, r, start),
        _ => return Ok((i, None)),
    };
    match res {
        Some(Ok((r, op))) => Ok((r, Some(op))),
        Some(Err(e)) => Err(e),
        None => Ok((i, None)),
    }
}

/// `union (T1), (T2)` starts with `(` too; `union(...)` is never a function call in KQL.
fn looks_like_union_source(_r: &str) -> bool {
    true
}

pub(super) fn done(r: &str, start: usize, kind: OperatorKind) -> PResult<'_, Operator> {
    Ok((
        r,
        Operator {
            kind,
            span: span_from(start),
        },
    ))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Only `hint.*` and the operator's documented parameter names.
    Strict,
    /// Any `name=value`.
    Relaxed,
}

const STRICT_PARAMS: &[&str] = &[
    "bagexpansion",
    "bin_legacy",
    "decodeblocks",
    "expandoutput",
    "isfuzzy",
    "kind",
    "with_itemindex",
    "with_match_id",
    "with_step_name",
    "withsource",
    "with_source",
    "packedcolumn__",
    "sourcecolumnindex__",
    "withnosource__",
    "crosscluster__",
    "crossdb__",
    "id__",
];

/// Operator parameters: `name=value` pairs before the operator's body.
pub fn op_params(i: &str, strictness: Strictness) -> PResult<'_, Vec<OpParam>> {
    let mut params = Vec::new();
    let mut r = i;
    loop {
        match op_param(r, strictness) {
            Some(Ok((r2, p))) => {
                params.push(p);
                r = r2;
            }
            Some(Err(e)) => return Err(e),
            None => return Ok((r, params)),
        }
    }
}

fn param_name(i: &str) -> Option<(&str, String)> {
    let (mut r, (w, _)) = raw_word(i).ok()?;
    let mut name = w.to_string();
    while let Some(rest) = r.strip_prefix('.') {
        let (r2, (w2, _)) = raw_word(rest).ok()?;
        name.push('.');
        name.push_str(w2);
        r = r2;
    }
    Some((r, name))
}

fn op_param(i: &str, strictness: Strictness) -> Option<PResult<'_, OpParam>> {
    let start = pos(i);
    let (r, name) = param_name(i)?;
    let allowed = name.starts_with("hint.")
        || match strictness {
            Strictness::Relaxed => true,
            Strictness::Strict => STRICT_PARAMS.contains(&name.as_str()),
        };
    if !allowed {
        return None;
    }
    let (r, _) = sym("=")(r).ok()?;
    let (r, value) = match param_value(r) {
        Ok(v) => v,
        Err(Err::Error(_)) => return Some(expected(r, &format!("a value for `{name}`"))),
        Err(e) => return Some(Err(e)),
    };
    // `name = f(x)` is a named expression, not a parameter
    let adjacent = pos(r) == last_end();
    if r.starts_with(['(', '.', '['])
        && matches!(value.kind, ExprKind::Name(_))
        && (strictness == Strictness::Strict
            || (adjacent && !name.starts_with("hint.") && !STRICT_PARAMS.contains(&name.as_str())))
    {
        return None;
    }
    Some(Ok((
        r,
        OpParam {
            name,
            value,
            span: span_from(start),
        },
    )))
}

/// A parameter value: a literal (possibly signed) or a name.
pub fn param_value(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    if let Some(rest) = i.strip_prefix('-') {
        let r = finish_token(rest);
        let (r, v) = super::literal::number(r)?;
        return Ok((
            r,
            Expr::new(
                ExprKind::Unary {
                    op: UnaryOp::Neg,
                    operand: Box::new(v),
                },
                span_from(start),
            ),
        ));
    }
    if i.starts_with(|c: char| c.is_ascii_digit()) {
        return super::literal::number(i);
    }
    match super::literal::string_lit(i) {
        Ok(v) => return Ok(v),
        Err(Err::Error(_)) => {}
        Err(e) => return Err(e),
    }
    match super::literal::typed_literal(i) {
        Ok(v) => return Ok(v),
        Err(Err::Error(_)) => {}
        Err(e) => return Err(e),
    }
    let (r, name) = ident_any(i)?;
    let kind = match name.name.as_str() {
        "true" | "True" | "TRUE" => ExprKind::Literal(Literal::Bool(Some(true))),
        "false" | "False" | "FALSE" => ExprKind::Literal(Literal::Bool(Some(false))),
        _ => ExprKind::Name(name),
    };
    Ok((r, Expr::new(kind, span_from(start))))
}

/// `[name =] expr` or `(a, b) = expr`.
pub fn named_expr(i: &str) -> PResult<'_, NamedExpr> {
    let start = pos(i);
    // tuple names
    if i.starts_with('(')
        && let Some((r, names)) = tuple_names(i)
    {
        let (r, e) = require(r, "an expression after `=`", expr)?;
        return Ok((
            r,
            NamedExpr {
                names,
                expr: e,
                span: span_from(start),
            },
        ));
    }
    if let Ok((r, name)) = ident_any(i)
        && let Ok((r2, _)) = sym("=")(r)
    {
        let (r3, e) = require(r2, &format!("an expression after `{} =`", name.name), expr)?;
        return Ok((
            r3,
            NamedExpr {
                names: vec![name],
                expr: e,
                span: span_from(start),
            },
        ));
    }
    let (r, e) = expr(i)?;
    Ok((
        r,
        NamedExpr {
            names: Vec::new(),
            expr: e,
            span: span_from(start),
        },
    ))
}

fn tuple_names(i: &str) -> Option<(&str, Vec<Ident>)> {
    let (mut r, _) = sym("(")(i).ok()?;
    let mut names = Vec::new();
    loop {
        let (r2, n) = ident_any(r).ok()?;
        names.push(n);
        if let Ok((r3, _)) = sym(",")(r2) {
            r = r3;
            continue;
        }
        let (r3, _) = sym(")")(r2).ok()?;
        let (r4, _) = sym("=")(r3).ok()?;
        return Some((r4, names));
    }
}

/// A comma-separated list of named expressions (at least one).
pub fn named_exprs<'a>(i: &'a str, what: &str) -> PResult<'a, Vec<NamedExpr>> {
    sep1(i, ",", what, named_expr)
}

/// `expr [asc|desc] [nulls first|last]`.
pub fn sort_key(i: &str) -> PResult<'_, SortKey> {
    let start = pos(i);
    let (mut r, e) = named_expr(i)?;
    let mut order = None;
    if let Ok((r2, _)) = kw("asc")(r) {
        order = Some(SortOrder::Asc);
        r = r2;
    } else if let Ok((r2, _)) = kw("desc")(r) {
        order = Some(SortOrder::Desc);
        r = r2;
    }
    let mut nulls = None;
    if let Ok((r2, _)) = kw("nulls")(r) {
        if let Ok((r3, _)) = kw("first")(r2) {
            nulls = Some(NullsOrder::First);
            r = r3;
        } else if let Ok((r3, _)) = kw("last")(r2) {
            nulls = Some(NullsOrder::Last);
            r = r3;
        } else {
            return expected(r2, "`first` or `last` after `nulls`");
        }
    }
    Ok((
        r,
        SortKey {
            expr: e,
            order,
            nulls,
            span: span_from(start),
        },
    ))
}

/// `(name:type, ...)`.
pub fn row_schema<'a>(i: &'a str, owner: &str) -> PResult<'a, Vec<ColumnDecl>> {
    let (r, (cols, _)) = row_schema_ext(i, owner, false)?;
    Ok((r, cols))
}

/// `(name:type, ...)`, or with `allow_star` also `(*, name:type, ...)`; returns the columns
/// and whether the schema was open (`*`).
pub fn row_schema_ext<'a>(
    i: &'a str,
    owner: &str,
    allow_star: bool,
) -> PResult<'a, (Vec<ColumnDecl>, bool)> {
    let (mut r, _) = require(
        i,
        &format!("`(` and a column schema after `{owner}`"),
        sym("("),
    )?;
    let mut open = false;
    if allow_star && let Ok((r2, _)) = sym("*")(r) {
        open = true;
        r = sym(",")(r2).map(|(r3, _)| r3).unwrap_or(r2);
    }
    let mut cols = Vec::new();
    loop {
        if let Ok((r2, _)) = sym(")")(r) {
            return Ok((r2, (cols, open)));
        }
        let start = pos(r);
        let (r2, name) = require(r, "a column name in the schema", ident_any)?;
        let (r2, _) = require(
            r2,
            &format!("`:` and a type after column `{}`", name.name),
            sym(":"),
        )?;
        let (r2, ty) = type_name(r2)?;
        cols.push(ColumnDecl {
            name,
            ty,
            span: span_from(start),
        });
        r = r2;
        if let Ok((r3, _)) = sym(",")(r) {
            r = r3;
            continue;
        }
        let (r3, _) = require(r, "`,` or `)` in the column schema", sym(")"))?;
        return Ok((r3, (cols, open)));
    }
}

/// `( op | op ... )` — a pipeline without a source.
pub fn sub_pipeline<'a>(i: &'a str, owner: &str) -> PResult<'a, SubPipeline> {
    let start = pos(i);
    let (r, _) = require(i, &format!("`(` after `{owner}`"), sym("("))?;
    enter(r)?;
    let res = sub_pipeline_body(r);
    leave();
    let (r, ops) = res?;
    let (r, _) = require(
        r,
        &format!("`|` or `)` to close the `{owner}` subquery"),
        sym(")"),
    )?;
    Ok((
        r,
        SubPipeline {
            ops,
            span: span_from(start),
        },
    ))
}

/// `op | op ...`; a leading `|` is allowed.
pub fn sub_pipeline_body(i: &str) -> PResult<'_, Vec<Operator>> {
    let mut r = sym("|")(i).map(|(r, _)| r).unwrap_or(i);
    let mut ops = Vec::new();
    loop {
        let (r2, op) = pipe_operator(r)?;
        ops.push(op);
        r = r2;
        match sym("|")(r) {
            Ok((r3, _)) => r = r3,
            Err(_) => return Ok((r, ops)),
        }
    }
}

/// A tabular expression operand (`join` right side, `union` items, ...).
pub fn tabular_operand<'a>(i: &'a str, what: &str) -> PResult<'a, Expr> {
    require(i, what, expr)
}

/// Keeps `pipe_expr` reachable for operator modules.
pub fn pipe(i: &str) -> PResult<'_, Expr> {
    pipe_expr(i)
}

/// A table reference that may be a wildcard: `T`, `Event*`, `*`, `database("x").T*`,
/// `cluster("c").database("d").*`, a call, or `(subquery)`.
pub fn table_ref(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    if !i.starts_with(['(', '[']) {
        let end = i
            .find(|c: char| !(is_ident_char(c) || c == '*'))
            .unwrap_or(i.len());
        if end > 0 && i[..end].contains('*') {
            let (r, p) = project::name_pattern(i)?;
            return Ok((
                r,
                Expr::new(
                    ExprKind::Name(Ident::new(p.pattern, span_from(start))),
                    span_from(start),
                ),
            ));
        }
    }
    let (r, mut e) = expr(i)?;
    if let Some(rest) = r.strip_prefix('*') {
        let named = match &mut e.kind {
            ExprKind::Name(n) | ExprKind::Member { name: n, .. } => {
                n.name.push('*');
                true
            }
            _ => false,
        };
        if named {
            let r2 = finish_token(rest);
            e.span = span_from(start);
            return Ok((r2, e));
        }
    }
    Ok((r, e))
}
