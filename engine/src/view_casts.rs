//! `lift_view_casts`: an optimizer rule that moves the casts of string views to plain strings
//! up the plan, past the operators that work on views as they are.
//!
//! A Parquet table's strings are read as `Utf8View` and the scan's projection casts them to
//! `Utf8` (`planner::tabular::scan_unqualified`), since every KQL function reads plain strings.
//! Filters pushed below that projection compare the views directly; but a cast above them
//! still copies every remaining string, and a group-by, top or sort on a string column pays
//! for copies of rows it then discards. This rule (run after DataFusion's own rules) keeps such
//! columns as views through projections that only pass them on, filters, sorts, limits and
//! aliases, through an aggregate's group keys and through equi-joins (a key pair of a view and
//! a plain string compares views: the plain side's column becomes a view, which copies no
//! string), and casts them where something else needs them: inside any other expression (a
//! function argument, an aggregate's input), below any other operator (union, window, a join
//! with a non-equi condition, our extension nodes), and at the top of the plan.
//!
//! Values are unchanged: a view and a plain string hold the same bytes, compare and sort the
//! same, and hash into the same groups; only the Arrow representation moves.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, DFSchemaRef, Result};
use datafusion::logical_expr::expr::Alias;
use datafusion::logical_expr::{
    Aggregate, Expr, Filter, JoinType, Limit, LogicalPlan, Projection, Sort, SortExpr,
    SubqueryAlias, cast,
};
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use std::sync::Arc;

#[derive(Debug, Default)]
pub(crate) struct LiftViewCasts;

impl OptimizerRule for LiftViewCasts {
    fn name(&self) -> &str {
        "kql_lift_view_casts"
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let before = plan.clone();
        let (lifted, deferred) = lift(plan)?;
        let after = materialize(lifted, &deferred)?;
        let after = uncast_view_args(after)?;
        Ok(if after == before {
            Transformed::no(before)
        } else {
            Transformed::yes(after)
        })
    }
}

/// `plan` with casts lifted, and which of its output columns are views standing for plain
/// strings (to be cast before anything that is not known to handle views reads them).
fn lift(plan: LogicalPlan) -> Result<(LogicalPlan, Vec<bool>)> {
    match plan {
        LogicalPlan::Projection(p) => {
            let (input, d) = lift(Arc::unwrap_or_clone(p.input))?;
            let schema = Arc::clone(input.schema());
            let mut exprs = Vec::with_capacity(p.expr.len());
            let mut out = Vec::with_capacity(p.expr.len());
            for (i, e) in p.expr.into_iter().enumerate() {
                let (q, f) = p.schema.qualified_field(i);
                let inner = match &e {
                    Expr::Alias(a) => a.expr.as_ref(),
                    other => other,
                };
                match inner {
                    // the cast itself: pass the view on, under the cast's name
                    Expr::Cast(c)
                        if c.field.data_type() == &DataType::Utf8
                            && matches!(c.expr.as_ref(), Expr::Column(col)
                                if is_view(&schema, col)) =>
                    {
                        let metadata = match &e {
                            Expr::Alias(a) => a.metadata.clone(),
                            _ => None,
                        };
                        exprs.push(Expr::Alias(
                            Alias::new(c.expr.as_ref().clone(), q.cloned(), f.name())
                                .with_metadata(metadata),
                        ));
                        out.push(true);
                    }
                    Expr::Column(col) if deferred(&schema, &d, col) => {
                        exprs.push(e);
                        out.push(true);
                    }
                    _ => {
                        exprs.push(cast_refs(e, &schema, &d)?);
                        out.push(false);
                    }
                }
            }
            let plan = Projection::try_new(exprs, Arc::new(input))?;
            Ok((LogicalPlan::Projection(plan), out))
        }
        LogicalPlan::Filter(f) => {
            let (input, d) = lift(Arc::unwrap_or_clone(f.input))?;
            let predicate = cast_refs(f.predicate, input.schema(), &d)?;
            let plan = Filter::try_new(predicate, Arc::new(input))?;
            Ok((LogicalPlan::Filter(plan), d))
        }
        LogicalPlan::Sort(s) => {
            let (input, d) = lift(Arc::unwrap_or_clone(s.input))?;
            let schema = Arc::clone(input.schema());
            let expr = s
                .expr
                .into_iter()
                .map(|k| {
                    Ok(SortExpr {
                        expr: match k.expr {
                            c @ Expr::Column(_) => c,
                            other => cast_refs(other, &schema, &d)?,
                        },
                        ..k
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let plan = LogicalPlan::Sort(Sort {
                expr,
                input: Arc::new(input),
                fetch: s.fetch,
            });
            Ok((plan, d))
        }
        LogicalPlan::Limit(l) => {
            let (input, d) = lift(Arc::unwrap_or_clone(l.input))?;
            let plan = LogicalPlan::Limit(Limit {
                skip: l.skip,
                fetch: l.fetch,
                input: Arc::new(input),
            });
            Ok((plan, d))
        }
        LogicalPlan::SubqueryAlias(a) => {
            let (input, d) = lift(Arc::unwrap_or_clone(a.input))?;
            let plan = SubqueryAlias::try_new(Arc::new(input), a.alias)?;
            Ok((LogicalPlan::SubqueryAlias(plan), d))
        }
        LogicalPlan::Aggregate(a)
            if !a
                .group_expr
                .iter()
                .any(|g| matches!(g, Expr::GroupingSet(_))) =>
        {
            let (input, d) = lift(Arc::unwrap_or_clone(a.input))?;
            let schema = Arc::clone(input.schema());
            let mut out = Vec::with_capacity(a.group_expr.len() + a.aggr_expr.len());
            let mut group = Vec::with_capacity(a.group_expr.len());
            for g in a.group_expr {
                // a key that is a deferred column (perhaps renamed) groups the views
                let key = match &g {
                    Expr::Alias(a) => a.expr.as_ref(),
                    other => other,
                };
                if matches!(key, Expr::Column(c) if deferred(&schema, &d, c)) {
                    group.push(g);
                    out.push(true);
                } else {
                    group.push(cast_refs(g, &schema, &d)?);
                    out.push(false);
                }
            }
            let aggr = a
                .aggr_expr
                .into_iter()
                .map(|e| cast_refs(e, &schema, &d))
                .collect::<Result<Vec<_>>>()?;
            out.resize(group.len() + aggr.len(), false);
            let plan = Aggregate::try_new(Arc::new(input), group, aggr)?;
            Ok((LogicalPlan::Aggregate(plan), out))
        }
        LogicalPlan::Join(j)
            if j.filter.is_none() && join_output(j.join_type, &[], &[]).is_some() =>
        {
            lift_join(j)
        }
        // anything else reads plain strings: each input's views are cast back first (the
        // inputs keep their schemas, so the node itself is unchanged)
        other => {
            let plan = other
                .map_children(|child| {
                    let (child, d) = lift(child)?;
                    Ok(Transformed::yes(materialize(child, &d)?))
                })?
                .data;
            let n = plan.schema().fields().len();
            Ok((plan, vec![false; n]))
        }
    }
}

/// Which output columns of a join of this type are deferred, given its inputs'; `None` for
/// the join types handled like any other operator.
fn join_output(t: JoinType, left: &[bool], right: &[bool]) -> Option<Vec<bool>> {
    use JoinType as J;
    match t {
        J::Inner | J::Left | J::Right | J::Full => Some([left, right].concat()),
        J::LeftSemi | J::LeftAnti => Some(left.to_vec()),
        J::RightSemi | J::RightAnti => Some(right.to_vec()),
        _ => None,
    }
}

/// An equi-join (no other condition). Deferred columns pass through as views. A key pair of
/// a view and a plain-string column compares views: the plain side's column becomes a view
/// (cheap: it points into the strings, copying none), rather than the view side being copied.
fn lift_join(j: datafusion::logical_expr::Join) -> Result<(LogicalPlan, Vec<bool>)> {
    let (left, mut ld) = lift(Arc::unwrap_or_clone(j.left))?;
    let (right, mut rd) = lift(Arc::unwrap_or_clone(j.right))?;
    let plain_string = |schema: &DFSchemaRef, d: &[bool], c: &Column| {
        schema
            .index_of_column(c)
            .ok()
            .filter(|&i| !d.get(i).copied().unwrap_or(false))
            .filter(|&i| schema.field(i).data_type() == &DataType::Utf8)
    };
    // plain-string key columns to turn into views, per side
    let mut to_view_left = Vec::new();
    let mut to_view_right = Vec::new();
    for (l, r) in &j.on {
        if let (Expr::Column(lc), Expr::Column(rc)) = (l, r) {
            if deferred(left.schema(), &ld, lc) {
                to_view_right.extend(plain_string(right.schema(), &rd, rc));
            } else if deferred(right.schema(), &rd, rc) {
                to_view_left.extend(plain_string(left.schema(), &ld, lc));
            }
        }
    }
    let left = as_views(left, &mut ld, &to_view_left)?;
    let right = as_views(right, &mut rd, &to_view_right)?;
    let mut on = Vec::with_capacity(j.on.len());
    for (l, r) in j.on {
        let both_views = matches!((&l, &r), (Expr::Column(lc), Expr::Column(rc))
            if deferred(left.schema(), &ld, lc) && deferred(right.schema(), &rd, rc));
        if both_views {
            on.push((l, r));
        } else {
            on.push((
                cast_refs(l, left.schema(), &ld)?,
                cast_refs(r, right.schema(), &rd)?,
            ));
        }
    }
    let out = join_output(j.join_type, &ld, &rd).unwrap_or_default();
    let join = datafusion::logical_expr::Join::try_new(
        Arc::new(left),
        Arc::new(right),
        on,
        None,
        j.join_type,
        j.join_constraint,
        j.null_equality,
        j.null_aware,
    )?;
    Ok((LogicalPlan::Join(join), out))
}

/// `plan` with the plain-string columns at `positions` cast to views (now deferred).
fn as_views(plan: LogicalPlan, d: &mut [bool], positions: &[usize]) -> Result<LogicalPlan> {
    for &i in positions {
        if let Some(x) = d.get_mut(i) {
            *x = true;
        }
    }
    recast(plan, |i| positions.contains(&i), DataType::Utf8View)
}

/// `plan` with the columns at the positions `which` selects cast to `to` (same names,
/// qualifiers and metadata); `plan` itself when none is selected.
fn recast(plan: LogicalPlan, which: impl Fn(usize) -> bool, to: DataType) -> Result<LogicalPlan> {
    let n = plan.schema().fields().len();
    if !(0..n).any(&which) {
        return Ok(plan);
    }
    let exprs: Vec<Expr> = plan
        .schema()
        .iter()
        .enumerate()
        .map(|(i, (q, f))| {
            let c = Expr::Column(Column::new(q.cloned(), f.name()));
            if which(i) {
                Expr::Alias(
                    Alias::new(cast(c, to.clone()), q.cloned(), f.name())
                        .with_metadata(field_metadata(f)),
                )
            } else {
                c
            }
        })
        .collect();
    Ok(LogicalPlan::Projection(Projection::try_new(
        exprs,
        Arc::new(plan),
    )?))
}

/// A field's metadata, for an alias that should keep it (`None` when it has none).
pub(crate) fn field_metadata(
    f: &datafusion::arrow::datatypes::Field,
) -> Option<datafusion::common::metadata::FieldMetadata> {
    (!f.metadata().is_empty())
        .then(|| datafusion::common::metadata::FieldMetadata::from(f.metadata().clone()))
}

fn is_view(schema: &DFSchemaRef, c: &Column) -> bool {
    schema
        .index_of_column(c)
        .is_ok_and(|i| schema.field(i).data_type() == &DataType::Utf8View)
}

fn deferred(schema: &DFSchemaRef, d: &[bool], c: &Column) -> bool {
    schema
        .index_of_column(c)
        .is_ok_and(|i| d.get(i).copied().unwrap_or(false))
}

/// Does argument `arg` of our function `name` read string views in place (as well as plain
/// strings)? Such an argument takes a deferred column as it is, and no string is copied.
fn reads_views(name: &str, arg: usize) -> bool {
    match name {
        "kql_has"
        | "kql_has_cs"
        | "kql_hasprefix"
        | "kql_hasprefix_cs"
        | "kql_hassuffix"
        | "kql_hassuffix_cs"
        | "kql_parse_part"
        | "kql_parse_ok"
        | "kql_dynamic_get_string"
        | "kql_dynamic_get_long"
        | "kql_dynamic_string_eq"
        | "kql_dynamic_string_ne" => arg == 0,
        "kql_extract" => arg == 2,
        // aggregates (see `aggregate_reads_views`): the sketches hash a string's bytes
        "kql_dcount" | "kql_hll" => arg == 0,
        _ => false,
    }
}

/// An aggregate call whose arguments [`reads_views`] may take views: one without a filter or
/// an ordering (whose expressions would need the casts).
fn aggregate_reads_views(a: &datafusion::logical_expr::expr::AggregateFunction) -> bool {
    a.params.filter.is_none()
        && a.params.order_by.is_empty()
        && (0..a.params.args.len()).any(|i| reads_views(a.func.name(), i))
}

/// `args` of `name` with each deferred column it [`reads_views`] at kept as a view, and every
/// other reference cast.
fn keep_view_args(
    name: &str,
    args: Vec<Expr>,
    schema: &DFSchemaRef,
    d: &[bool],
) -> Result<Vec<Expr>> {
    args.into_iter()
        .enumerate()
        .map(|(i, a)| match a {
            Expr::Column(c) if reads_views(name, i) && deferred(schema, d, &c) => {
                Ok(Expr::Column(c))
            }
            other => cast_refs(other, schema, d),
        })
        .collect()
}

/// `args` of `name` with `CAST(v AS Utf8)` → `v` wherever `v` is a view column and the
/// argument [`reads_views`]; whether any changed.
fn uncast_args(name: &str, args: &mut [Expr], schema: &DFSchemaRef) -> bool {
    let mut changed = false;
    for (i, a) in args.iter_mut().enumerate() {
        if let Expr::Cast(c) = a
            && reads_views(name, i)
            && c.field.data_type() == &DataType::Utf8
            && let Expr::Column(col) = c.expr.as_ref()
            && is_view(schema, col)
        {
            *a = Expr::Column(col.clone());
            changed = true;
        }
    }
    changed
}

/// `plan` with `f(CAST(v AS Utf8))` → `f(v)` wherever `v` is a string view column and that
/// argument of `f` [`reads_views`] (a filter pushed down next to the scan, for instance, reads
/// the scan's views through such a cast).
fn uncast_view_args(plan: LogicalPlan) -> Result<LogicalPlan> {
    Ok(plan
        .transform_up(|node| {
            let schema = match (&node, &node.inputs()[..]) {
                // its filters read the table's columns
                (LogicalPlan::TableScan(t), _) => Arc::new(DFSchema::try_from_qualified_schema(
                    t.table_name.clone(),
                    &t.source.schema(),
                )?),
                (_, [input]) => Arc::clone(input.schema()),
                _ => return Ok(Transformed::no(node)),
            };
            node.map_expressions(|e| {
                e.transform_up(|e| match e {
                    Expr::ScalarFunction(mut f)
                        if (0..f.args.len()).any(|i| reads_views(f.func.name(), i)) =>
                    {
                        let name = f.func.name().to_string();
                        let changed = uncast_args(&name, &mut f.args, &schema);
                        Ok(Transformed::new_transformed(
                            Expr::ScalarFunction(f),
                            changed,
                        ))
                    }
                    Expr::AggregateFunction(mut a) if aggregate_reads_views(&a) => {
                        let name = a.func.name().to_string();
                        let changed = uncast_args(&name, &mut a.params.args, &schema);
                        Ok(Transformed::new_transformed(
                            Expr::AggregateFunction(a),
                            changed,
                        ))
                    }
                    other => Ok(Transformed::no(other)),
                })
            })
        })?
        .data)
}

/// `e` with every reference to a deferred column cast to a plain string, except where it is
/// an argument that [`reads_views`].
fn cast_refs(e: Expr, schema: &DFSchemaRef, d: &[bool]) -> Result<Expr> {
    if !d.iter().any(|&x| x) {
        return Ok(e);
    }
    Ok(e.transform_down(|e| match e {
        Expr::Column(c) if deferred(schema, d, &c) => Ok(Transformed::new(
            cast(Expr::Column(c), DataType::Utf8),
            true,
            TreeNodeRecursion::Jump,
        )),
        Expr::ScalarFunction(mut f) if (0..f.args.len()).any(|i| reads_views(f.func.name(), i)) => {
            let name = f.func.name().to_string();
            f.args = keep_view_args(&name, std::mem::take(&mut f.args), schema, d)?;
            Ok(Transformed::new(
                Expr::ScalarFunction(f),
                true,
                TreeNodeRecursion::Jump,
            ))
        }
        Expr::AggregateFunction(mut a) if aggregate_reads_views(&a) => {
            let name = a.func.name().to_string();
            a.params.args = keep_view_args(&name, std::mem::take(&mut a.params.args), schema, d)?;
            Ok(Transformed::new(
                Expr::AggregateFunction(a),
                true,
                TreeNodeRecursion::Jump,
            ))
        }
        other => Ok(Transformed::no(other)),
    })?
    .data)
}

/// `plan` with its deferred columns cast back to plain strings (same names, qualifiers and
/// metadata, so the schema is the one the plan had before the rule).
fn materialize(plan: LogicalPlan, d: &[bool]) -> Result<LogicalPlan> {
    recast(plan, |i| d.get(i).copied().unwrap_or(false), DataType::Utf8)
}

#[cfg(test)]
mod tests {
    use crate::KqlContext;
    use crate::sources::testutil::temp_dir;
    use datafusion::arrow::array::{Array, Float64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use std::sync::Arc;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// A Parquet table P(Host, Level, Ms) and a CSV table C(Host, Region): P's strings are
    /// views, C's plain strings.
    fn context() -> std::result::Result<KqlContext, Box<dyn std::error::Error>> {
        let dir = temp_dir("view-casts")?;
        let schema = Arc::new(Schema::new(vec![
            Field::new("Host", DataType::Utf8, true),
            Field::new("Level", DataType::Utf8, true),
            Field::new("Ms", DataType::Float64, true),
            Field::new("Props", DataType::Utf8, true).with_metadata(
                [("kql.type".to_string(), "dynamic".to_string())]
                    .into_iter()
                    .collect(),
            ),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![
                    Some("web-01"),
                    Some("web-02"),
                    Some("db-01"),
                    Some("web-01"),
                    None,
                    Some("a much longer host name than twelve bytes"),
                ])),
                Arc::new(StringArray::from(vec![
                    "Error", "Info", "Error", "Warning", "Error", "Info",
                ])),
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
                Arc::new(StringArray::from(vec![
                    Some(r#"{"s":"503","d":5,"pad":"more than twelve bytes"}"#),
                    Some(r#"{"s":"x"}"#),
                    Some(r#"{"s":"503"}"#),
                    Some("\"not an object\""),
                    None,
                    Some(r#"{"d":7}"#),
                ])),
            ],
        )?;
        let path = dir.join("p.parquet");
        crate::sources::testutil::write_parquet(&path, &batch, None)?;
        let csv = dir.join("c.csv");
        std::fs::write(
            &csv,
            "Host,Region\nweb-01,eu\nweb-02,us\ndb-01,eu\na much longer host name than twelve bytes,ap\n",
        )?;
        let ctx = KqlContext::new();
        ctx.register_path("P", path.to_str().ok_or("path")?)?;
        ctx.register_path("C", csv.to_str().ok_or("path")?)?;
        Ok(ctx)
    }

    /// Runs `query`; every string column comes out as plain `Utf8`; the rows as sorted text.
    async fn rows(ctx: &KqlContext, query: &str) -> std::result::Result<Vec<String>, String> {
        let results = ctx.run(query).await.map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for r in &results {
            for b in &r.batches {
                for (f, c) in b.schema().fields().iter().zip(b.columns()) {
                    if matches!(f.data_type(), DataType::Utf8View | DataType::LargeUtf8) {
                        return Err(format!("{query}: column {} is {}", f.name(), f.data_type()));
                    }
                    assert_eq!(c.data_type(), f.data_type());
                }
                for i in 0..b.num_rows() {
                    let cells: Vec<String> = b
                        .columns()
                        .iter()
                        .map(|c| {
                            datafusion::arrow::util::display::array_value_to_string(c, i)
                                .unwrap_or_default()
                        })
                        .collect();
                    out.push(cells.join("|"));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    #[tokio::test]
    async fn parquet_strings_give_plain_strings_through_every_operator() -> TestResult {
        let ctx = context()?;
        let long = "a much longer host name than twelve bytes";
        let joined: Vec<String> = vec![
            format!("{long}|ap|6.0"),
            "db-01|eu|3.0".into(),
            "web-01|eu|1.0".into(),
            "web-01|eu|4.0".into(),
            "web-02|us|2.0".into(),
        ];
        let cases: Vec<(&str, Vec<String>)> = vec![
            (
                "P | summarize n = count() by Host",
                vec![
                    "|1".into(),
                    format!("{long}|1"),
                    "db-01|1".into(),
                    "web-01|2".into(),
                    "web-02|1".into(),
                ],
            ),
            (
                "P | where Level == 'Error' | summarize n = count(), m = max(Ms) by Host, Level | where n > 0 | top 2 by m desc",
                // Host, Level, n, m (the null Host's row has the largest m)
                vec!["|Error|1|5.0".into(), "db-01|Error|1|3.0".into()],
            ),
            (
                "P | sort by Ms desc | take 2 | project Host, Ms",
                vec!["|5.0".into(), format!("{long}|6.0")],
            ),
            (
                "P | distinct Level",
                vec!["Error".into(), "Info".into(), "Warning".into()],
            ),
            (
                "P | summarize dcount(Host), c = countif(Host has 'web') by Level",
                vec!["Error|2|1".into(), "Info|2|1".into(), "Warning|1|1".into()],
            ),
            // the Parquet table on either side of the join
            (
                "P | join kind=inner (C) on Host | project Host, Region, Ms",
                joined.clone(),
            ),
            (
                "C | join kind=inner (P) on Host | project Host, Region, Ms",
                joined,
            ),
            (
                "P | lookup C on Host | project Host, Region, Level",
                vec![
                    "||Error".into(),
                    format!("{long}|ap|Info"),
                    "db-01|eu|Error".into(),
                    "web-01|eu|Error".into(),
                    "web-01|eu|Warning".into(),
                    "web-02|us|Info".into(),
                ],
            ),
            (
                "P | join kind=leftanti (C | where Region == 'eu') on Host | project Host",
                vec!["".into(), long.into(), "web-02".into()],
            ),
            (
                "P | where Level == 'Error' | join kind=inner (P | where Level == 'Warning') on Host | project Host",
                vec!["web-01".into()],
            ),
            (
                "union (P | project Host), (C | project Host) | summarize count() by Host | where Host startswith 'web'",
                vec!["web-01|3".into(), "web-02|2".into()],
            ),
            (
                "P | summarize by Host | extend u = toupper(Host) | where isnotempty(Host) | project u",
                vec![
                    "A MUCH LONGER HOST NAME THAN TWELVE BYTES".into(),
                    "DB-01".into(),
                    "WEB-01".into(),
                    "WEB-02".into(),
                ],
            ),
            (
                "P | summarize arg_max(Ms, Host) by Level",
                vec![
                    format!("Info|6.0|{long}"),
                    "Error|5.0|".into(),
                    "Warning|4.0|web-01".into(),
                ],
            ),
        ];
        for (query, mut want) in cases {
            want.sort();
            assert_eq!(rows(&ctx, query).await?, want, "{query}");
        }
        Ok(())
    }

    /// The string kernels that read views take the scan's views as they are: no cast to plain
    /// strings (a copy of every string) between the scan and them, and the same answers.
    #[tokio::test]
    async fn string_kernels_read_parquet_views_uncopied() -> TestResult {
        let ctx = context()?;
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("P | where Host has 'web' | count", vec!["3"]),
            ("P | where Host hasprefix 'DB' | count", vec!["1"]),
            (
                "P | where Level == 'Error' or Host has_cs 'longer' | project Ms",
                vec!["1.0", "3.0", "5.0", "6.0"],
            ),
            (
                r"P | extend w = extract(@'-(\d+)$', 1, Host) | summarize count() by w",
                vec!["|2", "01|3", "02|1"],
            ),
            (
                "P | parse Host with a '-' b | summarize count() by b",
                vec!["|2", "01|3", "02|1"],
            ),
            (
                "P | parse-where Host with a '-' b | project b, Ms",
                vec!["01|1.0", "01|3.0", "01|4.0", "02|2.0"],
            ),
            ("P | where tostring(Props.s) == '503' | count", vec!["2"]),
            ("P | where tostring(Props.s) != '503' | count", vec!["4"]),
            (
                "P | summarize count() by s = tostring(Props.s)",
                vec!["|3", "503|2", "x|1"],
            ),
            ("P | summarize sum(tolong(Props.d))", vec!["12"]),
            // the null Host is not counted
            ("P | summarize dcount(Host)", vec!["4"]),
            (
                "P | summarize d = dcount(Host) by Level",
                vec!["Error|2", "Info|2", "Warning|1"],
            ),
        ];
        for (query, want) in cases {
            let mut want: Vec<String> = want.into_iter().map(String::from).collect();
            want.sort();
            assert_eq!(rows(&ctx, query).await?, want, "{query}");
            let plan = ctx.explain(query).await?;
            // no cast of a column to a plain string as an argument or inside a CASE (a grouped
            // string column is cast once, for the output; numbers may be cast)
            let string_casts = ["(CAST(", "WHEN CAST("].iter().any(|at| {
                plan.match_indices(at).any(|(i, _)| {
                    plan.get(i + at.len()..)
                        .and_then(|rest| rest.split(')').next())
                        .is_some_and(|inner| inner.ends_with(" AS Utf8"))
                })
            });
            assert!(!string_casts, "{query}: {plan}");
        }
        Ok(())
    }
}
