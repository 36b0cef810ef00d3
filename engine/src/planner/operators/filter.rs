//! where, take, count, distinct, sort, top, sample, getschema, render.

use super::{all_columns, col};
use crate::context::RenderSpec;
use crate::error::Result;
use crate::planner::Planner;
use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::Column;
use datafusion::common::tree_node::TreeNode;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::utils::{conjunction, split_conjunction_owned};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, SortExpr, lit};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
use kql_parser::ast::{self, NullsOrder, Render, SortKey, SortOrder};
use std::sync::Arc;

/// No rows with `input`'s columns: what `take 0`, `top 0` and `sample 0` return. (A sort with
/// a limit of 0 — `top 0`, or `sort | take 0` once DataFusion moves the limit into the sort —
/// panics in DataFusion's top-k operator: fuzz regressions engine/fuzz/regressions/plan/*-0.kql.)
fn no_rows(input: &LogicalPlan) -> LogicalPlan {
    LogicalPlan::EmptyRelation(datafusion::logical_expr::EmptyRelation {
        produce_one_row: false,
        schema: Arc::clone(input.schema()),
    })
}

/// `p` with each conjunct that reads no column (a `toscalar` comparison, `rand() < 0.5`) made
/// to read the input's columns when an aggregate or window lies below: DataFusion would push
/// such a conjunct below them (see [`crate::udf::stay_above`]), where it filters their input
/// rows instead of their output.
fn keep_column_free_above(p: Expr, input: &LogicalPlan) -> Result<Expr> {
    let conjuncts = split_conjunction_owned(p);
    if conjuncts.iter().all(|c| !c.column_refs().is_empty())
        || !input.exists(|n| {
            Ok(matches!(
                n,
                LogicalPlan::Aggregate(_) | LogicalPlan::Window(_)
            ))
        })?
    {
        return Ok(conjunction(conjuncts).unwrap_or_else(|| lit(true)));
    }
    let columns: Vec<Column> = input.schema().columns();
    let kept = conjuncts.into_iter().map(|c| {
        if c.column_refs().is_empty() {
            crate::udf::stay_above(c, columns.iter().cloned())
        } else {
            c
        }
    });
    Ok(conjunction(kept).unwrap_or_else(|| lit(true)))
}

impl Planner<'_> {
    pub(crate) fn plan_where(
        &mut self,
        input: LogicalPlan,
        predicate: &ast::Expr,
    ) -> Result<LogicalPlan> {
        let (input, rewritten, hidden) = self.lift_window_functions(input, &[predicate])?;
        let predicate = &rewritten[0];
        let (p, ty) = self.plan_scalar(predicate, input.schema())?;
        if ty != KqlType::Bool {
            return self.err(
                "KQL0312",
                format!("`where` needs a bool predicate, found {ty}"),
                predicate.span,
            );
        }
        let p = strip_false_default(p);
        // A predicate that reads no column is decided here: DataFusion's filter push-down
        // moves such a predicate below an aggregate without `by` (which returns one row even
        // from no rows), so `T | count | where false-ish | count` counted 1 instead of 0.
        // (fuzz regression engine/fuzz/regressions/plan/constant-where-after-count.kql)
        if p.column_refs().is_empty() && !p.is_volatile() {
            let simplifier = ExprSimplifier::new(SimplifyContext::builder().build());
            if let Ok(Expr::Literal(v, _)) = simplifier.simplify(p.clone()) {
                match v {
                    ScalarValue::Boolean(Some(true)) => return self.drop_hidden(input, &hidden),
                    ScalarValue::Boolean(_) | ScalarValue::Null => {
                        return self.drop_hidden(no_rows(&input), &hidden);
                    }
                    _ => {}
                }
            }
        }
        let p = keep_column_free_above(p, &input)?;
        let plan = LogicalPlanBuilder::from(input).filter(p)?.build()?;
        self.drop_hidden(plan, &hidden)
    }

    /// A non-negative row count given as a constant expression.
    fn row_count(&mut self, e: &ast::Expr, what: &str) -> Result<usize> {
        let (x, _) = self.plan_scalar(e, &datafusion::common::DFSchema::empty())?;
        let n = match x {
            Expr::Literal(ScalarValue::Int64(Some(v)), _) => Some(v),
            Expr::Literal(ScalarValue::Int32(Some(v)), _) => Some(i64::from(v)),
            _ => None,
        };
        match n {
            Some(v) if v >= 0 => Ok(usize::try_from(v).unwrap_or(usize::MAX)),
            _ => self.err(
                "KQL0313",
                format!("{what} must be a non-negative integer constant"),
                e.span,
            ),
        }
    }

    pub(crate) fn plan_take(
        &mut self,
        input: LogicalPlan,
        count_e: &ast::Expr,
    ) -> Result<LogicalPlan> {
        let n = self.row_count(count_e, "the row count of `take`")?;
        if n == 0 {
            return Ok(no_rows(&input));
        }
        Ok(LogicalPlanBuilder::from(input).limit(0, Some(n))?.build()?)
    }

    pub(crate) fn plan_count(&mut self, input: LogicalPlan) -> Result<LogicalPlan> {
        Ok(LogicalPlanBuilder::from(input)
            .aggregate(Vec::<Expr>::new(), vec![count(lit(1i64)).alias("Count")])?
            .build()?)
    }

    pub(crate) fn plan_distinct(
        &mut self,
        input: LogicalPlan,
        star: bool,
        columns: &[ast::NamedExpr],
    ) -> Result<LogicalPlan> {
        let input = if star {
            input
        } else {
            self.plan_project(input, columns)?
        };
        Ok(LogicalPlanBuilder::from(input).distinct()?.build()?)
    }

    fn sort_exprs(
        &mut self,
        schema: &datafusion::common::DFSchema,
        keys: &[SortKey],
    ) -> Result<Vec<SortExpr>> {
        let mut out = Vec::new();
        for k in keys {
            let (e, _) = self.plan_scalar(&k.expr.expr, schema)?;
            // Kusto: descending by default; nulls first when ascending, last when descending
            let asc = k.order == Some(SortOrder::Asc);
            let nulls_first = match k.nulls {
                Some(NullsOrder::First) => true,
                Some(NullsOrder::Last) => false,
                None => asc,
            };
            out.push(e.sort(asc, nulls_first));
        }
        Ok(out)
    }

    pub(crate) fn plan_sort(
        &mut self,
        input: LogicalPlan,
        keys: &[SortKey],
    ) -> Result<LogicalPlan> {
        let sorts = self.sort_exprs(input.schema(), keys)?;
        Ok(LogicalPlanBuilder::from(input).sort(sorts)?.build()?)
    }

    pub(crate) fn plan_top(
        &mut self,
        input: LogicalPlan,
        count_e: &ast::Expr,
        by: &SortKey,
    ) -> Result<LogicalPlan> {
        let n = self.row_count(count_e, "the row count of `top`")?;
        if n == 0 {
            return Ok(no_rows(&input));
        }
        let sorts = self.sort_exprs(input.schema(), std::slice::from_ref(by))?;
        Ok(LogicalPlanBuilder::from(input)
            .sort_with_limit(sorts, Some(n))?
            .build()?)
    }

    pub(crate) fn plan_sample(
        &mut self,
        input: LogicalPlan,
        count_e: &ast::Expr,
    ) -> Result<LogicalPlan> {
        let n = self.row_count(count_e, "the row count of `sample`")?;
        if n == 0 {
            return Ok(no_rows(&input));
        }
        let random = Expr::ScalarFunction(datafusion::logical_expr::expr::ScalarFunction::new_udf(
            datafusion::functions::math::random(),
            vec![],
        ));
        let cols = all_columns(input.schema());
        Ok(LogicalPlanBuilder::from(input)
            .sort_with_limit(vec![random.sort(true, false)], Some(n))?
            .project(cols)?
            .build()?)
    }

    pub(crate) fn plan_getschema(&mut self, input: LogicalPlan) -> Result<LogicalPlan> {
        let fields = input.schema().fields();
        let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
        let kql: Vec<KqlType> = fields.iter().map(|f| KqlType::of_field(f)).collect();
        // DataType column: the .NET type names Kusto reports
        let dotnet = |t: &KqlType| match t {
            KqlType::Bool => "System.Boolean",
            KqlType::Int => "System.Int32",
            KqlType::Long => "System.Int64",
            KqlType::Real => "System.Double",
            KqlType::Decimal => "System.Data.SqlTypes.SqlDecimal",
            KqlType::Datetime => "System.DateTime",
            KqlType::Timespan => "System.TimeSpan",
            KqlType::Guid => "System.Guid",
            KqlType::String => "System.String",
            KqlType::Dynamic => "System.Object",
        };
        let schema = Arc::new(Schema::new(vec![
            Field::new(
                "ColumnName",
                datafusion::arrow::datatypes::DataType::Utf8,
                true,
            ),
            Field::new(
                "ColumnOrdinal",
                datafusion::arrow::datatypes::DataType::Int64,
                true,
            ),
            Field::new(
                "DataType",
                datafusion::arrow::datatypes::DataType::Utf8,
                true,
            ),
            Field::new(
                "ColumnType",
                datafusion::arrow::datatypes::DataType::Utf8,
                true,
            ),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(names)),
            Arc::new(Int64Array::from_iter_values(0..kql.len() as i64)),
            Arc::new(StringArray::from(
                kql.iter().map(dotnet).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                kql.iter().map(|t| t.name()).collect::<Vec<_>>(),
            )),
        ];
        let batch = RecordBatch::try_new(schema.clone(), cols)?;
        let table = MemTable::try_new(schema, vec![vec![batch]])?;
        Ok(
            LogicalPlanBuilder::scan("getschema", provider_as_source(Arc::new(table)), None)?
                .project(vec![
                    col("ColumnName"),
                    col("ColumnOrdinal"),
                    col("DataType"),
                    col("ColumnType"),
                ])?
                .build()?,
        )
    }

    pub(crate) fn plan_render(&mut self, r: &Render) {
        let properties = r
            .props
            .iter()
            .map(|p| {
                let values = p
                    .values
                    .iter()
                    .map(|v| match &v.kind {
                        ast::ExprKind::Literal(ast::Literal::String { value, .. }) => value.clone(),
                        ast::ExprKind::Name(id) => id.name.clone(),
                        _ => v.to_string(),
                    })
                    .collect();
                (p.name.clone(), values)
            })
            .collect();
        self.render = Some(RenderSpec {
            chart: r.chart.name.clone(),
            properties,
        });
    }
}

/// In a filter a null predicate drops the row just like `false`, so the `coalesce(p, false)`
/// that KQL's `==` adds for null operands is not needed at the top of a `where` (or under its
/// `and`s). Removing it keeps the predicate simple enough for Parquet pruning and pushdown.
fn strip_false_default(e: Expr) -> Expr {
    use datafusion::logical_expr::{BinaryExpr, Operator};
    match e {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::And,
            right,
        }) => Expr::BinaryExpr(BinaryExpr::new(
            Box::new(strip_false_default(*left)),
            Operator::And,
            Box::new(strip_false_default(*right)),
        )),
        Expr::ScalarFunction(f)
            if f.func.name() == "coalesce"
                && f.args.len() == 2
                && matches!(
                    f.args[1],
                    Expr::Literal(ScalarValue::Boolean(Some(false)), _)
                ) =>
        {
            let mut args = f.args;
            args.swap_remove(0)
        }
        other => other,
    }
}
