//! A physical optimizer rule, `kql_eager_and`: in a filter's predicate, `a and b` where `b`
//! compares a column of numbers, datetimes, timespans or bools with a literal is evaluated
//! over the whole batch on both sides and combined with Kleene `and`.
//!
//! DataFusion's `and` looks at `a` first, and when few rows pass it (at most 20%) it copies
//! those rows into a new batch, evaluates `b` there and scatters the result back, slice by
//! slice. For a comparison with a literal this costs far more than the comparison itself when
//! the passing rows are scattered: on `CounterName == "…" and CounterValue > 90` over 10 M
//! rows (one row in ten passing the left side), the copying and scattering took about 15% of
//! the query. Such a comparison cannot fail on any row (same-typed primitive column and
//! literal), so evaluating it everywhere changes no result: the answer is `a and b` with
//! Kleene logic either way. Other right sides keep DataFusion's evaluation, which avoids work
//! (and errors) on rows the left side rejects.
//!
//! The rule runs after DataFusion's own rules and only rewrites `FilterExec` predicates; the
//! scans' pruning predicates are built from the logical filters and are unchanged.

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::compute::kernels::boolean::and_kleene;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode};
use datafusion::common::{Result, internal_err};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::{ColumnarValue, Operator};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{BinaryExpr, Column, Literal};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::filter::{FilterExec, FilterExecBuilder};
use std::fmt;
use std::sync::Arc;

/// The rule (see the module docs).
#[derive(Debug, Default)]
pub struct EagerAnd;

impl PhysicalOptimizerRule for EagerAnd {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| rewrite_filter(node, eager)).data()
    }

    fn name(&self) -> &str {
        "kql_eager_and"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// When `node` is a filter, its predicate rewritten bottom-up by `rewrite` (given the
/// filter's input schema); other nodes unchanged. Shared by our predicate rules.
pub(crate) fn rewrite_filter(
    node: Arc<dyn ExecutionPlan>,
    rewrite: impl Fn(Arc<dyn PhysicalExpr>, &Schema) -> Result<Transformed<Arc<dyn PhysicalExpr>>>,
) -> Result<Transformed<Arc<dyn ExecutionPlan>>> {
    let Some(filter) = node.downcast_ref::<FilterExec>() else {
        return Ok(Transformed::no(node));
    };
    let schema = filter.input().schema();
    let predicate = Arc::clone(filter.predicate()).transform_up(|e| rewrite(e, &schema))?;
    if !predicate.transformed {
        return Ok(Transformed::no(node));
    }
    let rebuilt = FilterExecBuilder::from(filter)
        .with_predicate(predicate.data)
        .build()?;
    Ok(Transformed::yes(Arc::new(rebuilt) as Arc<dyn ExecutionPlan>))
}

/// `a and b` with a cheap, infallible `b` becomes [`EagerAndExpr`].
fn eager(e: Arc<dyn PhysicalExpr>, schema: &Schema) -> Result<Transformed<Arc<dyn PhysicalExpr>>> {
    let Some(and) = e.downcast_ref::<BinaryExpr>() else {
        return Ok(Transformed::no(e));
    };
    if *and.op() != Operator::And || !cheap_comparison(and.right(), schema) {
        return Ok(Transformed::no(e));
    }
    let rewritten = EagerAndExpr {
        left: Arc::clone(and.left()),
        right: Arc::clone(and.right()),
    };
    Ok(Transformed::yes(Arc::new(rewritten)))
}

/// `column <op> literal` (or `literal <op> column`) comparing values of one primitive type
/// whose comparison cannot fail.
fn cheap_comparison(e: &Arc<dyn PhysicalExpr>, schema: &Schema) -> bool {
    let Some(cmp) = e.downcast_ref::<BinaryExpr>() else {
        return false;
    };
    let comparison = matches!(
        cmp.op(),
        Operator::Eq
            | Operator::NotEq
            | Operator::Lt
            | Operator::LtEq
            | Operator::Gt
            | Operator::GtEq
    );
    let Some((column, literal)) = column_and_literal(cmp) else {
        return false;
    };
    let Some(field) = schema.fields().get(column.index()) else {
        return false;
    };
    let ty = field.data_type();
    comparison && primitive(ty) && literal.value().data_type() == *ty
}

/// The column and the literal of `column <op> literal` or `literal <op> column`.
pub(crate) fn column_and_literal(cmp: &BinaryExpr) -> Option<(&Column, &Literal)> {
    match (
        cmp.left().downcast_ref::<Column>(),
        cmp.right().downcast_ref::<Literal>(),
        cmp.right().downcast_ref::<Column>(),
        cmp.left().downcast_ref::<Literal>(),
    ) {
        (Some(c), Some(l), _, _) | (_, _, Some(c), Some(l)) => Some((c, l)),
        _ => None,
    }
}

fn primitive(ty: &DataType) -> bool {
    ty.is_numeric()
        || matches!(
            ty,
            DataType::Boolean
                | DataType::Timestamp(_, _)
                | DataType::Duration(_)
                | DataType::Date32
        )
}

/// `left and right` (Kleene logic), both evaluated over the whole batch.
#[derive(Debug, Eq)]
pub struct EagerAndExpr {
    left: Arc<dyn PhysicalExpr>,
    right: Arc<dyn PhysicalExpr>,
}

// written out, as DataFusion's own expressions do (rust-lang/rust#78808)
impl PartialEq for EagerAndExpr {
    fn eq(&self, other: &Self) -> bool {
        self.left.eq(&other.left) && self.right.eq(&other.right)
    }
}

impl std::hash::Hash for EagerAndExpr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.left.hash(state);
        self.right.hash(state);
    }
}

impl fmt::Display for EagerAndExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} AND {}", self.left, self.right)
    }
}

impl PhysicalExpr for EagerAndExpr {
    fn return_field(&self, input_schema: &Schema) -> Result<FieldRef> {
        let nullable = self.left.nullable(input_schema)? || self.right.nullable(input_schema)?;
        Ok(Arc::new(Field::new(
            self.to_string(),
            DataType::Boolean,
            nullable,
        )))
    }

    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let n = batch.num_rows();
        let left = self.left.evaluate(batch)?.into_array(n)?;
        let Some(left) = left.as_any().downcast_ref::<BooleanArray>() else {
            return internal_err!("kql_eager_and: the left side is not boolean");
        };
        // nothing passes the left side: the answer is the left side (as DataFusion's `and`)
        if left.null_count() == 0 && left.true_count() == 0 {
            return Ok(ColumnarValue::Array(Arc::new(left.clone())));
        }
        let right = self.right.evaluate(batch)?.into_array(n)?;
        let Some(right) = right.as_any().downcast_ref::<BooleanArray>() else {
            return internal_err!("kql_eager_and: the right side is not boolean");
        };
        Ok(ColumnarValue::Array(Arc::new(and_kleene(left, right)?)))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        vec![&self.left, &self.right]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> Result<Arc<dyn PhysicalExpr>> {
        match <[Arc<dyn PhysicalExpr>; 2]>::try_from(children) {
            Ok([left, right]) => Ok(Arc::new(EagerAndExpr { left, right })),
            Err(_) => internal_err!("kql_eager_and takes two children"),
        }
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.left.fmt_sql(f)?;
        f.write_str(" AND ")?;
        self.right.fmt_sql(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::physical_expr::expressions::{binary, col, lit};

    fn batch() -> RecordBatch {
        // every combination of true / false / null on the two sides
        let s = StringArray::from(vec![
            Some("a"),
            Some("a"),
            Some("a"),
            Some("b"),
            Some("b"),
            Some("b"),
            None,
            None,
            None,
        ]);
        let n = Float64Array::from(vec![
            Some(9.0),
            Some(1.0),
            None,
            Some(9.0),
            Some(1.0),
            None,
            Some(9.0),
            Some(1.0),
            None,
        ]);
        RecordBatch::try_from_iter(vec![
            ("s", Arc::new(s) as Arc<dyn Array>),
            ("n", Arc::new(n) as Arc<dyn Array>),
        ])
        .expect("a batch")
    }

    fn and_of(schema: &Schema, right: Arc<dyn PhysicalExpr>) -> Arc<dyn PhysicalExpr> {
        let left =
            binary(col("s", schema).expect("s"), Operator::Eq, lit("a"), schema).expect("s = 'a'");
        binary(left, Operator::And, right, schema).expect("and")
    }

    fn values(v: ColumnarValue, n: usize) -> Vec<Option<bool>> {
        let a = v.into_array(n).expect("an array");
        let b = a.as_any().downcast_ref::<BooleanArray>().expect("booleans");
        b.iter().collect()
    }

    #[test]
    fn a_comparison_with_a_literal_is_evaluated_eagerly_with_the_same_answer() {
        let batch = batch();
        let schema = batch.schema();
        let right = binary(
            col("n", &schema).expect("n"),
            Operator::Gt,
            lit(5.0),
            &schema,
        )
        .expect("n > 5");
        let original = and_of(&schema, right);
        let rewritten = Arc::clone(&original)
            .transform_up(|e| eager(e, &schema))
            .expect("rewrite");
        assert!(rewritten.transformed);
        assert!(rewritten.data.downcast_ref::<EagerAndExpr>().is_some());
        let n = batch.num_rows();
        let want = values(original.evaluate(&batch).expect("and"), n);
        assert_eq!(
            want,
            [
                Some(true),
                Some(false),
                None,
                Some(false),
                Some(false),
                Some(false),
                None,
                Some(false),
                None
            ]
        );
        let got = values(rewritten.data.evaluate(&batch).expect("eager and"), n);
        assert_eq!(got, want);
        // a batch where nothing passes the left side
        let none = batch.slice(3, 3);
        let got = values(rewritten.data.evaluate(&none).expect("eager and"), 3);
        assert_eq!(got, [Some(false); 3]);
    }

    #[test]
    fn other_right_sides_keep_datafusions_and() {
        let batch = batch();
        let schema = batch.schema();
        // a string comparison, a comparison of two columns, an arithmetic comparison
        let rights = [
            binary(
                col("s", &schema).expect("s"),
                Operator::NotEq,
                lit("b"),
                &schema,
            ),
            binary(
                col("n", &schema).expect("n"),
                Operator::Gt,
                col("n", &schema).expect("n"),
                &schema,
            ),
            binary(
                binary(
                    col("n", &schema).expect("n"),
                    Operator::Divide,
                    lit(0.0),
                    &schema,
                )
                .expect("n / 0"),
                Operator::Gt,
                lit(1.0),
                &schema,
            ),
            // the literal's type differs from the column's
            binary(
                col("n", &schema).expect("n"),
                Operator::Gt,
                lit(5i64),
                &schema,
            ),
        ];
        for right in rights {
            let e = and_of(&schema, right.expect("a right side"));
            let out = e.transform_up(|e| eager(e, &schema)).expect("rewrite");
            assert!(!out.transformed, "{}", out.data);
        }
    }

    #[tokio::test]
    async fn a_query_with_an_eager_and_gives_the_kusto_answer() {
        let ctx = crate::KqlContext::new();
        let q = "datatable(s:string, n:real)['a', 9.0, 'a', 1.0, 'a', real(null), 'b', 9.0, \
                 '', 9.0] | where s == 'a' and n > 5 | count";
        let res = ctx.run(q).await.expect("the query runs");
        let b = &res[0].batches[0];
        let count = datafusion::arrow::util::display::array_value_to_string(b.column(0), 0)
            .expect("a value");
        assert_eq!(count, "1");
    }
}
