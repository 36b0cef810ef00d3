//! evaluate, render, fork, partition, scan, find, search.

use super::*;
use crate::parse::statement::scalar_param;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "evaluate" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, call) = require(r, "a plugin call after `evaluate`", expr)?;
            if !matches!(call.kind, ExprKind::Call { .. }) {
                return Err(Err::Failure(PErr::msg(
                    call.span.start(),
                    "KQL0107",
                    "expected a plugin call such as `autocluster()` after `evaluate`".to_string(),
                )));
            }
            let (r, schema, schema_open) = match sym(":")(r) {
                Ok((r2, _)) => {
                    let (r3, (cols, open)) = row_schema_ext(r2, "evaluate ... :", true)?;
                    (r3, Some(cols), open)
                }
                Err(_) => (r, None, false),
            };
            done(
                r,
                start,
                OperatorKind::Evaluate {
                    params,
                    call,
                    schema,
                    schema_open,
                },
            )
        })(),
        "render" => render(r, start),
        "fork" => (|| {
            let mut branches = Vec::new();
            let mut r = r;
            loop {
                let (r2, name) = match fork_name(r) {
                    Some((r2, n)) => (r2, Some(n)),
                    None => (r, None),
                };
                if !r2.starts_with('(') {
                    if branches.is_empty() {
                        return expected(r2, "`(` and a subquery after `fork`");
                    }
                    break;
                }
                let (r3, body) = sub_pipeline(r2, "fork")?;
                branches.push(ForkBranch { name, body });
                r = r3;
            }
            done(r, start, OperatorKind::Fork(branches))
        })(),
        "partition" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, _) = require(r, "`by` after `partition`", kw("by"))?;
            let (r, by) = require(r, "a column after `partition by`", ident_any)?;
            let by = Expr::new(ExprKind::Name(by.clone()), by.span);
            if r.starts_with('{') {
                let (r2, _) = sym("{")(r)?;
                let (r2, body) = require(r2, "a query inside `{ }`", pipe)?;
                let (r2, _) = require(r2, "`}` to close the partition body", sym("}"))?;
                return done(
                    r2,
                    start,
                    OperatorKind::Partition(Box::new(Partition {
                        params,
                        by,
                        body: PartitionBody::Full(body),
                    })),
                );
            }
            let (r, sub) = sub_pipeline(r, "partition ... by")?;
            done(
                r,
                start,
                OperatorKind::Partition(Box::new(Partition {
                    params,
                    by,
                    body: PartitionBody::Sub(sub),
                })),
            )
        })(),
        "scan" => scan(r, start),
        "find" => find(r, start),
        "search" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, tables) = in_tables(r, "search")?;
            let (r, predicate) = require(r, "a search predicate", expr)?;
            done(
                r,
                start,
                OperatorKind::Search(Box::new(Search {
                    params,
                    tables,
                    predicate,
                })),
            )
        })(),
        _ => return None,
    })
}

fn fork_name(i: &str) -> Option<(&str, Ident)> {
    let (r, n) = ident_any(i).ok()?;
    let (r, _) = sym("=")(r).ok()?;
    Some((r, n))
}

/// `in (T1, T2*, ...)`.
fn in_tables<'a>(i: &'a str, owner: &str) -> PResult<'a, Option<Vec<Expr>>> {
    let Ok((r, _)) = kw("in")(i) else {
        return Ok((i, None));
    };
    let (r, _) = require(r, &format!("`(` and tables after `{owner} in`"), sym("("))?;
    let (r, tables) = sep1(r, ",", "a table name", table_ref)?;
    let (r, _) = require(r, "`,` or `)` in the table list", sym(")"))?;
    Ok((r, Some(tables)))
}

fn find(r: &str, start: usize) -> PResult<'_, Operator> {
    let (r, params) = op_params(r, Strictness::Relaxed)?;
    let (r, tables) = in_tables(r, "find")?;
    let r = match kw("where")(r) {
        Ok((r2, _)) => r2,
        Err(_) => r,
    };
    let (r, predicate) = require(r, "a predicate after `find`", expr)?;
    let (r, project) = if let Ok((r2, _)) = kw("project-smart")(r) {
        (r2, FindProject::Smart)
    } else if let Ok((r2, _)) = kw("project")(r) {
        let (r3, cols) = sep1(r2, ",", "a column after `project`", find_column)?;
        (r3, FindProject::Columns(cols))
    } else {
        (r, FindProject::Default)
    };
    let (r, project_away) = match kw("project-away")(r) {
        Ok((r2, _)) => {
            if let Ok((r3, _)) = sym("*")(r2) {
                (r3, Some(vec![FindColumn::Star]))
            } else {
                let (r3, cols) = sep1(r2, ",", "a column after `project-away`", find_column)?;
                (r3, Some(cols))
            }
        }
        Err(_) => (r, None),
    };
    done(
        r,
        start,
        OperatorKind::Find(Box::new(Find {
            params,
            tables,
            predicate,
            project,
            project_away,
        })),
    )
}

fn find_column(i: &str) -> PResult<'_, FindColumn> {
    if let Ok((r, _)) = kw("pack")(i)
        && let Ok((r2, _)) = sym("(")(r)
    {
        let (r3, _) = require(r2, "`*` in `pack(*)`", sym("*"))?;
        let (r3, _) = require(r3, "`)` to close `pack(*)`", sym(")"))?;
        return Ok((r3, FindColumn::PackAll));
    }
    if let Ok((r, _)) = kw("pack_all")(i)
        && let Ok((r2, _)) = sym("(")(r)
    {
        let (r3, _) = require(r2, "`)` to close `pack_all(`", sym(")"))?;
        return Ok((r3, FindColumn::PackAll));
    }
    let (r, name) = ident(i)?;
    let (r, ty) = match sym(":")(r) {
        Ok((r2, _)) => {
            let (r3, t) = type_name(r2)?;
            (r3, Some(t))
        }
        Err(_) => (r, None),
    };
    Ok((r, FindColumn::Column { name, ty }))
}

fn render(r: &str, start: usize) -> PResult<'_, Operator> {
    if at_kw(r, "with") {
        return expected(r, "a chart type after `render` (e.g. `timechart`)");
    }
    let (r, chart) = require(
        r,
        "a chart type after `render` (e.g. `timechart`)",
        ident_any,
    )?;
    let mut props = Vec::new();
    if let Ok((r2, _)) = kw("with")(r)
        && r2.starts_with('(')
    {
        let (mut r3, _) = sym("(")(r2)?;
        if let Ok((r4, _)) = sym(")")(r3) {
            return done(
                r4,
                start,
                OperatorKind::Render(Box::new(Render {
                    chart,
                    props,
                    legacy: false,
                })),
            );
        }
        loop {
            let pstart = pos(r3);
            let (r4, name) = require(r3, "a render property name (e.g. `title`)", ident_any)?;
            let (r4, _) = require(
                r4,
                &format!("`=` after render property `{}`", name.name),
                sym("="),
            )?;
            let (r4, values) = prop_values(r4, &name.name)?;
            props.push(RenderProp {
                name: name.name,
                values,
                span: span_from(pstart),
            });
            r3 = r4;
            if let Ok((r5, _)) = sym(",")(r3) {
                r3 = r5;
                continue;
            }
            let (r5, _) = require(r3, "`,` or `)` in the render properties", sym(")"))?;
            return done(
                r5,
                start,
                OperatorKind::Render(Box::new(Render {
                    chart,
                    props,
                    legacy: false,
                })),
            );
        }
    }
    // legacy property list: `by a, b`, `with "x"`, `title="x"`, `kind=stacked`, `accumulate=true`
    let mut r = r;
    loop {
        let pstart = pos(r);
        if let Ok((r2, _)) = kw("by")(r) {
            let (r3, names) = sep1(r2, ",", "a column after `by`", expr)?;
            props.push(RenderProp {
                name: "by".to_string(),
                values: names,
                span: span_from(pstart),
            });
            r = r3;
            continue;
        }
        if let Ok((r2, _)) = kw("with")(r) {
            let (r3, s) = require(
                r2,
                "a string after `with`",
                super::super::literal::string_lit,
            )?;
            props.push(RenderProp {
                name: "with".to_string(),
                values: vec![s],
                span: span_from(pstart),
            });
            r = r3;
            continue;
        }
        if let Ok((r2, name)) = ident_any(r)
            && let Ok((r3, _)) = sym("=")(r2)
        {
            let (r4, values) = prop_values(r3, &name.name)?;
            props.push(RenderProp {
                name: name.name,
                values,
                span: span_from(pstart),
            });
            r = r4;
            continue;
        }
        break;
    }
    let legacy = !props.is_empty();
    done(
        r,
        start,
        OperatorKind::Render(Box::new(Render {
            chart,
            props,
            legacy,
        })),
    )
}

/// A render property's value or comma-separated name list; a `,` followed by `name =`
/// starts the next property.
fn prop_values<'a>(i: &'a str, name: &str) -> PResult<'a, Vec<Expr>> {
    let (mut r, first) = require(i, &format!("a value for render property `{name}`"), expr)?;
    let mut values = vec![first];
    while let Ok((r2, _)) = sym(",")(r) {
        if let Ok((r3, _)) = ident_any(r2)
            && sym("=")(r3).is_ok()
        {
            break;
        }
        let Ok((r3, v)) = expr(r2) else {
            break;
        };
        values.push(v);
        r = r3;
    }
    Ok((r, values))
}

fn scan(r: &str, start: usize) -> PResult<'_, Operator> {
    let (r, params) = op_params(r, Strictness::Relaxed)?;
    let (r, order_by) = match kw("order")(r) {
        Ok((r2, _)) => {
            let (r2, _) = require(r2, "`by` after `order`", kw("by"))?;
            sep1(r2, ",", "a sort key after `order by`", sort_key)?
        }
        Err(_) => (r, Vec::new()),
    };
    let (r, partition_by) = match kw("partition")(r) {
        Ok((r2, _)) => {
            let (r2, _) = require(r2, "`by` after `partition`", kw("by"))?;
            sep1(r2, ",", "a column after `partition by`", expr)?
        }
        Err(_) => (r, Vec::new()),
    };
    let (r, declare) = match kw("declare")(r) {
        Ok((r2, _)) => {
            let (r2, _) = require(r2, "`(` after `declare`", sym("("))?;
            let (r2, ps) = sep1(
                r2,
                ",",
                "a `name: type [= default]` declaration",
                scalar_param,
            )?;
            let (r2, _) = require(r2, "`,` or `)` in `declare (...)`", sym(")"))?;
            (r2, ps)
        }
        Err(_) => (r, Vec::new()),
    };
    let (r, _) = require(r, "`with` and the scan steps", kw("with"))?;
    let (mut r, _) = require(r, "`(` after `scan ... with`", sym("("))?;
    let mut steps = Vec::new();
    loop {
        if let Ok((r2, _)) = sym(")")(r) {
            if steps.is_empty() {
                return expected(r, "a `step` in `scan ... with (...)`");
            }
            return done(
                r2,
                start,
                OperatorKind::Scan(Box::new(Scan {
                    params,
                    order_by,
                    partition_by,
                    declare,
                    steps,
                })),
            );
        }
        let sstart = pos(r);
        let (r2, _) = require(r, "`step` or `)` in `scan ... with (...)`", kw("step"))?;
        let (r2, name) = require(r2, "a step name after `step`", ident_any)?;
        let (r2, optional) = match kw("optional")(r2) {
            Ok((r3, _)) => (r3, true),
            Err(_) => (r2, false),
        };
        let (r2, output) = match kw("output")(r2) {
            Ok((r3, _)) => {
                let (r3, _) = require(r3, "`=` after `output`", sym("="))?;
                if let Ok((r4, _)) = kw("all")(r3) {
                    (r4, Some(ScanOutput::All))
                } else if let Ok((r4, _)) = kw("last")(r3) {
                    (r4, Some(ScanOutput::Last))
                } else if let Ok((r4, _)) = kw("none")(r3) {
                    (r4, Some(ScanOutput::None))
                } else {
                    return expected(r3, "`all`, `last` or `none` after `output=`");
                }
            }
            Err(_) => (r2, None),
        };
        let (r2, _) = require(r2, "`:` after the step name", sym(":"))?;
        let (r2, condition) = require(r2, "a step condition after `:`", expr)?;
        let (r2, assignments) = match sym("=>")(r2) {
            Ok((r3, _)) => sep1(
                r3,
                ",",
                "an assignment `name = expression` after `=>`",
                |i| {
                    let (r, n) = ident_any(i)?;
                    let (r, _) = require(r, "`=` in the scan assignment", sym("="))?;
                    let (r, e) = require(r, "an expression after `=`", expr)?;
                    Ok((r, (n, e)))
                },
            )?,
            Err(_) => (r2, Vec::new()),
        };
        let (r2, _) = require(r2, "`;` after the scan step", sym(";"))?;
        steps.push(ScanStep {
            name,
            optional,
            output,
            condition,
            assignments,
            span: span_from(sstart),
        });
        r = r2;
    }
}
