//! top-nested with `with others = v` on any clause.
//!
//! Kusto adds, at each level, one "others" group per parent group: the rows of that parent
//! that did not make the level's top N. An others group has no children of its own: at every
//! deeper level all its rows fall into that level's others group again. Levels without
//! `with others` still form the group but show null for its key and aggregate (the older
//! top-nested page: "if you are not interested in getting `with others=` for some level, null
//! values will be appended"). The output has one row per group of the last level.
//!
//! Plan: label every row level by level with a flag `__kql_others_i` (the row belongs to
//! level i's others group) and a grouping key `__kql_key_i` (the level's key, null in the
//! others group), then aggregate each level over its labels and join the levels on them.

use super::col;
use super::top_nested::{group_keys, join_on_names, level_aggregate};
use crate::error::{KqlError, Result};
use crate::planner::Planner;
use datafusion::common::{DFSchema, JoinType};
use datafusion::logical_expr::{Cast, Expr, LogicalPlan, LogicalPlanBuilder, lit, when};
use datafusion::scalar::ScalarValue;
use kql_parser::ast::TopNestedClause;

fn flag(i: usize) -> String {
    format!("__kql_others_{i}")
}

fn key(i: usize) -> String {
    format!("__kql_key_{i}")
}

/// A typed null of the column `name` of `schema`.
fn typed_null(schema: &DFSchema, name: &str) -> Result<Expr> {
    let f = schema
        .field_with_unqualified_name(name)
        .map_err(KqlError::from)?;
    Ok(lit(ScalarValue::try_from(f.data_type())?))
}

impl Planner<'_> {
    pub(super) fn plan_top_nested_others(
        &mut self,
        base: LogicalPlan,
        clauses: &[TopNestedClause],
        key_names: &[String],
    ) -> Result<LogicalPlan> {
        // 1. label the rows, level by level
        let mut labeled = base;
        let mut levels = Vec::new();
        for (i, c) in clauses.iter().enumerate() {
            let (agg_name, aggs) = level_aggregate(c, &key_names[i]);
            let in_parent_others = (0..i).map(|j| col(&flag(j))).reduce(Expr::or);
            // rows whose parent groups are all real compete for this level's top N
            let real = match &in_parent_others {
                Some(p) => LogicalPlanBuilder::from(labeled.clone())
                    .filter(!p.clone())?
                    .build()?,
                None => labeled.clone(),
            };
            let level =
                self.plan_summarize(real, &aggs, &group_keys(&key_names[..=i], c.span), c.span)?;
            let top = self.keep_top(level, c, &key_names[..i], &agg_name)?;
            let mut top_cols: Vec<Expr> = key_names[..=i].iter().map(|k| col(k)).collect();
            top_cols.push(lit(true).alias("__kql_hit"));
            let top = LogicalPlanBuilder::from(top).project(top_cols)?.build()?;
            let joined = join_on_names(labeled, top, &key_names[..=i], JoinType::Left)?;
            let missed = col("__kql_hit").is_null();
            let others = match in_parent_others {
                Some(p) => p.or(missed),
                None => missed,
            };
            let null_key = typed_null(joined.schema(), &key_names[i])?;
            let mut exprs: Vec<Expr> = super::column_names(joined.schema())
                .iter()
                .filter(|n| n.as_str() != "__kql_hit")
                .map(|n| col(n))
                .collect();
            exprs.push(
                when(others.clone(), null_key)
                    .otherwise(col(&key_names[i]))?
                    .alias(key(i)),
            );
            exprs.push(others.alias(flag(i)));
            labeled = LogicalPlanBuilder::from(joined).project(exprs)?.build()?;
            levels.push((agg_name, aggs));
        }
        // 2. aggregate each level over its labels; join the levels on their parents' labels
        let mut labels: Vec<String> = Vec::new();
        let mut result: Option<LogicalPlan> = None;
        for (i, (c, (_, aggs))) in clauses.iter().zip(&levels).enumerate() {
            let parent_labels = labels.clone();
            labels.push(key(i));
            labels.push(flag(i));
            let level =
                self.plan_summarize(labeled.clone(), aggs, &group_keys(&labels, c.span), c.span)?;
            result = Some(match result {
                None => level,
                Some(r) => join_on_names(r, level, &parent_labels, JoinType::Inner)?,
            });
        }
        let Some(result) = result else {
            return self.err(
                "KQL0107",
                "`top-nested` needs at least one clause",
                kql_parser::span::Span::default(),
            );
        };
        // 3. show each level's key (or its others value) and aggregate
        let mut exprs = Vec::new();
        for (i, (c, (agg_name, _))) in clauses.iter().zip(&levels).enumerate() {
            let is_others = col(&flag(i));
            match &c.others {
                Some(o) => {
                    let (ov, _) = self.plan_scalar(o, &DFSchema::empty())?;
                    let key_type = result
                        .schema()
                        .field_with_unqualified_name(&key(i))
                        .map_err(KqlError::from)?
                        .data_type()
                        .clone();
                    let ov = Expr::Cast(Cast::new(Box::new(ov), key_type));
                    exprs.push(
                        when(is_others, ov)
                            .otherwise(col(&key(i)))?
                            .alias(key_names[i].clone()),
                    );
                    exprs.push(col(agg_name));
                }
                None => {
                    exprs.push(col(&key(i)).alias(key_names[i].clone()));
                    let null_agg = typed_null(result.schema(), agg_name)?;
                    exprs.push(
                        when(is_others, null_agg)
                            .otherwise(col(agg_name))?
                            .alias(agg_name.clone()),
                    );
                }
            }
        }
        Ok(LogicalPlanBuilder::from(result).project(exprs)?.build()?)
    }
}
