//! summarize, make-series, sort/order, top, top-nested, top-hitters, reduce, facet.

use super::*;

pub(super) fn parse<'a>(word: &str, r: &'a str, start: usize) -> Option<PResult<'a, Operator>> {
    Some(match word {
        "summarize" => summarize(r, start),
        "make-series" => make_series(r, start),
        "sort" | "order" => (|| {
            let (r, params) = op_params(r, Strictness::Relaxed)?;
            let (r, _) = require(r, &format!("`by` after `{word}`"), kw("by"))?;
            let (r, keys) = sep1(r, ",", "a sort key", sort_key)?;
            done(r, start, OperatorKind::Sort { params, keys })
        })(),
        "top" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, count) = require(r, "a row count after `top`", expr)?;
            let (r, _) = require(r, "`by` after the count of `top`", kw("by"))?;
            let (r, by) = require(r, "a sort key after `by`", sort_key)?;
            done(r, start, OperatorKind::Top { params, count, by })
        })(),
        "top-nested" => top_nested(r, start),
        "top-hitters" => (|| {
            let (r, count) = require(r, "a count after `top-hitters`", expr)?;
            let (r, _) = require(r, "`of` after the count of `top-hitters`", kw("of"))?;
            let (r, of) = require(r, "a column after `of`", expr)?;
            let (r, by) = match kw("by")(r) {
                Ok((r2, _)) => {
                    let (r3, k) = require(r2, "an expression after `by`", sort_key)?;
                    (r3, Some(k))
                }
                Err(_) => (r, None),
            };
            done(r, start, OperatorKind::TopHitters { count, of, by })
        })(),
        "reduce" => (|| {
            let (r, params) = op_params(r, Strictness::Strict)?;
            let (r, _) = require(r, "`by` after `reduce`", kw("by"))?;
            let (r, by) = require(r, "a string column after `reduce by`", named_expr)?;
            let (r, with) = match kw("with")(r) {
                Ok((r2, _)) => named_exprs(r2, "`threshold=` or `characters=` after `with`")?,
                Err(_) => (r, Vec::new()),
            };
            done(r, start, OperatorKind::Reduce { params, by, with })
        })(),
        "facet" => (|| {
            let (r, _) = require(r, "`by` after `facet`", kw("by"))?;
            let (r, by) = sep1(r, ",", "a column after `facet by`", ident_any)?;
            let (r, with) = match kw("with")(r) {
                Ok((r2, _)) => {
                    if r2.starts_with('(') {
                        let (r3, sub) = sub_pipeline(r2, "facet ... with")?;
                        (r3, Some(sub))
                    } else {
                        let s = pos(r2);
                        let (r3, op) = pipe_operator(r2)?;
                        (
                            r3,
                            Some(SubPipeline {
                                ops: vec![op],
                                span: span_from(s),
                            }),
                        )
                    }
                }
                Err(_) => (r, None),
            };
            done(r, start, OperatorKind::Facet { by, with })
        })(),
        _ => return None,
    })
}

fn at_end(r: &str) -> bool {
    r.is_empty() || r.starts_with(['|', ')', ';', '}'])
}

fn summarize(r: &str, start: usize) -> PResult<'_, Operator> {
    let (r, params) = op_params(r, Strictness::Strict)?;
    let (r, aggs) = if at_kw(r, "by") || at_end(r) {
        (r, Vec::new())
    } else {
        named_exprs(r, "an aggregation or `by` after `summarize`")?
    };
    let (r, by) = match kw("by")(r) {
        Ok((r2, _)) => named_exprs(r2, "a grouping expression after `by`")?,
        Err(_) => (r, Vec::new()),
    };
    if aggs.is_empty() && by.is_empty() {
        return expected(r, "an aggregation or `by` after `summarize`");
    }
    done(r, start, OperatorKind::Summarize { params, aggs, by })
}

fn make_series(r: &str, start: usize) -> PResult<'_, Operator> {
    let (r, params) = op_params(r, Strictness::Strict)?;
    let mut aggs = Vec::new();
    let mut r = r;
    loop {
        let (r2, agg) = require(r, "an aggregation after `make-series`", named_expr)?;
        let (r2, default) = match kw("default")(r2) {
            Ok((r3, _)) => {
                let (r3, _) = require(r3, "`=` after `default`", sym("="))?;
                let (r3, v) = require(r3, "a default value after `default =`", expr)?;
                (r3, Some(v))
            }
            Err(_) => (r2, None),
        };
        aggs.push(MakeSeriesAgg { agg, default });
        r = r2;
        match sym(",")(r) {
            Ok((r3, _)) => r = r3,
            Err(_) => break,
        }
    }
    let (r, _) = require(
        r,
        "`on` and the axis column after the aggregations of `make-series`",
        kw("on"),
    )?;
    let (r, on) = require(r, "an axis column after `on`", named_expr)?;
    let (r, range) = if let Ok((r2, _)) = kw("in")(r) {
        let (r2, _) = require(r2, "`range(` after `in`", kw("range"))?;
        let (r2, _) = require(r2, "`(` after `in range`", sym("("))?;
        let (r2, start_e) = require(r2, "the start of the range", expr)?;
        let (r2, _) = require(r2, "`,` after the start of the range", sym(","))?;
        let (r2, stop) = require(r2, "the end of the range", expr)?;
        let (r2, _) = require(r2, "`,` after the end of the range", sym(","))?;
        let (r2, step) = require(r2, "the step of the range", expr)?;
        let (r2, _) = require(r2, "`)` to close `in range(...)`", sym(")"))?;
        (
            r2,
            MakeSeriesRange::InRange {
                start: start_e,
                stop,
                step,
            },
        )
    } else {
        let (r, from) = match kw("from")(r) {
            Ok((r2, _)) => {
                let (r3, v) = require(r2, "a start value after `from`", expr)?;
                (r3, Some(v))
            }
            Err(_) => (r, None),
        };
        let (r, to) = match kw("to")(r) {
            Ok((r2, _)) => {
                let (r3, v) = require(r2, "an end value after `to`", expr)?;
                (r3, Some(v))
            }
            Err(_) => (r, None),
        };
        let (r, _) = require(
            r,
            "`step` (or `from`/`to`) after the axis of `make-series`",
            kw("step"),
        )?;
        let (r, step) = require(r, "a step value after `step`", expr)?;
        (r, MakeSeriesRange::FromToStep { from, to, step })
    };
    let (r, by) = match kw("by")(r) {
        Ok((r2, _)) => named_exprs(r2, "a column after `by`")?,
        Err(_) => (r, Vec::new()),
    };
    done(
        r,
        start,
        OperatorKind::MakeSeries(Box::new(MakeSeries {
            params,
            aggs,
            on,
            range,
            by,
        })),
    )
}

fn top_nested(r: &str, start: usize) -> PResult<'_, Operator> {
    let mut clauses = Vec::new();
    let mut r = r;
    let mut clause_start = start;
    loop {
        let (r1, count) = if at_kw(r, "of") {
            (r, None)
        } else {
            let (r1, c) = require(r, "a count or `of` after `top-nested`", expr)?;
            (r1, Some(c))
        };
        let (r1, _) = require(r1, "`of` in `top-nested`", kw("of"))?;
        let (r1, of) = require(r1, "a column after `of`", named_expr)?;
        let (r1, others) = match kw("with")(r1) {
            Ok((r2, _)) => {
                let (r2, _) = require(r2, "`others` after `with`", kw("others"))?;
                let (r2, _) = require(r2, "`=` after `with others`", sym("="))?;
                let (r2, v) = require(r2, "a value after `with others =`", expr)?;
                (r2, Some(v))
            }
            Err(_) => (r1, None),
        };
        let (r1, _) = require(r1, "`by` and an aggregation in `top-nested`", kw("by"))?;
        let (r1, by) = require(r1, "an aggregation after `by`", sort_key)?;
        clauses.push(TopNestedClause {
            count,
            of,
            others,
            by,
            span: span_from(clause_start),
        });
        r = r1;
        if let Ok((r2, _)) = sym(",")(r) {
            clause_start = pos(r2);
            let (r3, _) = require(r2, "`top-nested` after `,`", kw("top-nested"))?;
            r = r3;
            continue;
        }
        return done(r, start, OperatorKind::TopNested(clauses));
    }
}
