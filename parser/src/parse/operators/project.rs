//! project, project-away, project-keep, project-rename, project-reorder, extend, distinct,
//! serialize, sample, sample-distinct.

use super::*;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "project" => (|| {
            if r.is_empty() || r.starts_with(['|', ')', ';']) {
                return done(r, start, OperatorKind::Project(Vec::new()));
            }
            let (r, cols) = named_exprs(r, "a column or `name = expression` after `project`")?;
            done(r, start, OperatorKind::Project(cols))
        })(),
        "project-by-names" => (|| {
            if r.is_empty() || r.starts_with(['|', ')', ';']) {
                return done(r, start, OperatorKind::ProjectByNames(Vec::new()));
            }
            let (r, cols) = sep1(
                r,
                ",",
                "a column name string after `project-by-names`",
                expr,
            )?;
            done(r, start, OperatorKind::ProjectByNames(cols))
        })(),
        "extend" => (|| {
            let (r, cols) = named_exprs(r, "`name = expression` after `extend`")?;
            done(r, start, OperatorKind::Extend(cols))
        })(),
        "project-away" => (|| {
            let (r, pats) = sep1(
                r,
                ",",
                "a column name or wildcard after `project-away`",
                name_pattern,
            )?;
            done(r, start, OperatorKind::ProjectAway(pats))
        })(),
        "project-keep" => (|| {
            let (r, pats) = sep1(
                r,
                ",",
                "a column name or wildcard after `project-keep`",
                name_pattern,
            )?;
            done(r, start, OperatorKind::ProjectKeep(pats))
        })(),
        "project-rename" => (|| {
            let (r, cols) = named_exprs(r, "`new_name = column` after `project-rename`")?;
            for c in &cols {
                if c.names.len() != 1 || !matches!(c.expr.kind, ExprKind::Name(_)) {
                    return fail(
                        &r[r.len()..],
                        "KQL0107",
                        "`project-rename` expects `new_name = existing_column` pairs",
                    )
                    .map_err(|e| relocate(e, c.span.start()));
                }
            }
            done(r, start, OperatorKind::ProjectRename(cols))
        })(),
        "project-reorder" => (|| {
            let (r, items) = sep1(
                r,
                ",",
                "a column name or wildcard after `project-reorder`",
                reorder_item,
            )?;
            done(r, start, OperatorKind::ProjectReorder(items))
        })(),
        "distinct" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            if let Ok((r2, _)) = sym("*")(r) {
                return done(
                    r2,
                    start,
                    OperatorKind::Distinct {
                        params,
                        star: true,
                        columns: Vec::new(),
                    },
                );
            }
            let (r, columns) = named_exprs(r, "`*` or columns after `distinct`")?;
            done(
                r,
                start,
                OperatorKind::Distinct {
                    params,
                    star: false,
                    columns,
                },
            )
        })(),
        "serialize" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, columns) = if r.is_empty() || r.starts_with(['|', ')', ';']) {
                (r, Vec::new())
            } else {
                named_exprs(r, "`name = expression` after `serialize`")?
            };
            done(r, start, OperatorKind::Serialize { params, columns })
        })(),
        "sample" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, count) = require(r, "a row count after `sample`", expr)?;
            done(r, start, OperatorKind::Sample { params, count })
        })(),
        "sample-distinct" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, count) = require(r, "a count after `sample-distinct`", expr)?;
            let (r, _) = require(
                r,
                "`of` and a column after the count of `sample-distinct`",
                kw("of"),
            )?;
            let (r, of) = require(r, "a column after `of`", expr)?;
            done(r, start, OperatorKind::SampleDistinct { params, count, of })
        })(),
        _ => return None,
    })
}

/// Moves a committed error to `pos`.
pub(super) fn relocate(e: Err<PErr>, pos: usize) -> Err<PErr> {
    match e {
        Err::Failure(mut p) => {
            p.pos = pos;
            Err::Failure(p)
        }
        other => other,
    }
}

/// A column name or a wildcard pattern (`Col`, `Col*`, `*Time`, `a*b`, `['x y']`).
pub fn name_pattern(i: &str) -> PResult<'_, NamePattern> {
    let start = pos(i);
    if i.starts_with('[') {
        let (r, id) = bracketed_name(i)?;
        return Ok((
            r,
            NamePattern {
                pattern: id.name,
                quoted: true,
                span: span_from(start),
            },
        ));
    }
    let end = i
        .find(|c: char| !(is_ident_char(c) || c == '*' || c == '$'))
        .unwrap_or(i.len());
    let pat = &i[..end];
    if pat.is_empty() || !pat.chars().any(|c| c != '*' || pat == "*") {
        return backtrack_expected(i, "a column name");
    }
    if pat.starts_with(|c: char| c.is_ascii_digit()) {
        return backtrack_expected(i, "a column name");
    }
    let r = finish_token(&i[end..]);
    Ok((
        r,
        NamePattern {
            pattern: pat.to_string(),
            quoted: false,
            span: span_from(start),
        },
    ))
}

fn reorder_item(i: &str) -> PResult<'_, ReorderItem> {
    let (mut r, pattern) = name_pattern(i)?;
    let mut order = None;
    for (w, o) in [
        ("granny-asc", ReorderOrder::GrannyAsc),
        ("granny-desc", ReorderOrder::GrannyDesc),
        ("asc", ReorderOrder::Asc),
        ("desc", ReorderOrder::Desc),
    ] {
        if let Some(rest) = r.strip_prefix(w)
            && !rest.starts_with(|c: char| is_ident_char(c) || c == '-')
        {
            order = Some(o);
            r = finish_token(rest);
            break;
        }
    }
    Ok((r, ReorderItem { pattern, order }))
}
