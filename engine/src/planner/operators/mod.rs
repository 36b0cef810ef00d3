//! Tabular operators: one file per family, each an `impl Planner` block.

mod evaluate;
mod filter;
mod join;
mod make_series;
mod mv_expand;
mod parse;
mod project;
mod sources;
mod summarize;
mod top_nested;
mod top_nested_others;
mod top_nested_rollup;

pub(crate) use mv_expand::result_name;

use super::Planner;
use crate::error::Result;
use datafusion::common::{Column, DFSchema};
use datafusion::logical_expr::{Expr, LogicalPlan};
use kql_functions::KqlType;
use kql_parser::ast::{Operator, OperatorKind};

/// A column reference by unqualified name.
pub(crate) fn col(name: &str) -> Expr {
    Expr::Column(Column::from_name(name))
}

/// `expr AS name`, with the KQL type in the field metadata where Arrow's type is ambiguous
/// (dynamic and guid are Utf8).
pub(crate) fn typed_alias(e: Expr, name: impl Into<String>, ty: KqlType) -> Expr {
    match ty {
        KqlType::Dynamic | KqlType::Guid => {
            let md = std::collections::HashMap::from([(
                kql_functions::types::KQL_TYPE_KEY.to_string(),
                ty.name().to_string(),
            )]);
            e.alias_with_metadata(
                name,
                Some(datafusion::common::metadata::FieldMetadata::from(md)),
            )
        }
        _ => e.alias(name),
    }
}

/// References to all columns of a schema, in order, keeping their names.
pub(crate) fn all_columns(schema: &DFSchema) -> Vec<Expr> {
    schema
        .iter()
        .map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())))
        .collect()
}

/// Column names of a schema.
pub(crate) fn column_names(schema: &DFSchema) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

/// Kusto's `ColumnN` naming for unnamed computed columns: the first `ColumnN` not taken.
pub(crate) fn next_column_name(taken: &[String], counter: &mut usize) -> String {
    loop {
        *counter += 1;
        let n = format!("Column{counter}");
        if !taken.contains(&n) {
            return n;
        }
    }
}

impl Planner<'_> {
    pub(crate) fn plan_pipe_operator(
        &mut self,
        input: LogicalPlan,
        op: &Operator,
    ) -> Result<LogicalPlan> {
        use OperatorKind as K;
        match &op.kind {
            K::Where { predicate, .. } => self.plan_where(input, predicate),
            K::Take { count, .. } => self.plan_take(input, count),
            K::Count { .. } => self.plan_count(input),
            K::Distinct { star, columns, .. } => self.plan_distinct(input, *star, columns),
            K::Sort { keys, .. } => self.plan_sort(input, keys),
            K::Top { count, by, .. } => self.plan_top(input, count, by),
            K::Serialize { columns, .. } => {
                if columns.is_empty() {
                    Ok(input)
                } else {
                    // `serialize` makes its own computed columns see a serialized row set
                    self.serialized = true;
                    self.plan_extend(input, columns)
                }
            }
            K::GetSchema => self.plan_getschema(input),
            K::As { name, .. } => {
                self.bind(&name.name, super::Binding::Tabular(input.clone()));
                Ok(input)
            }
            K::Render(r) => {
                self.plan_render(r);
                Ok(input)
            }
            K::Project(cols) => self.plan_project(input, cols),
            K::Extend(cols) => self.plan_extend(input, cols),
            K::ProjectAway(pats) => self.plan_project_away(input, pats, op.span),
            K::ProjectKeep(pats) => self.plan_project_keep(input, pats, op.span),
            K::ProjectRename(cols) => self.plan_project_rename(input, cols),
            K::ProjectReorder(items) => self.plan_project_reorder(input, items, op.span),
            K::Summarize { aggs, by, .. } => self.plan_summarize(input, aggs, by, op.span),
            K::Union { params, tables } => self.plan_union(Some(input), params, tables, op.span),
            K::Join {
                params,
                right,
                on,
                where_,
            } => self.plan_join(input, params, right, on, where_.as_ref(), op.span),
            K::Lookup { params, right, on } => self.plan_lookup(input, params, right, on, op.span),
            K::Sample { count, .. } => self.plan_sample(input, count),
            K::MvExpand {
                params,
                items,
                limit,
            } => self.plan_mv_expand(input, params, items, limit.as_ref(), op.span),
            K::Parse(p) => self.plan_parse(input, p, false, op.span),
            K::ParseWhere(p) => self.plan_parse(input, p, true, op.span),
            K::TopNested(clauses) => self.plan_top_nested(input, clauses),
            K::MakeSeries(ms) => self.plan_make_series(input, ms, op.span),
            K::Invoke(call) => self.plan_invoke(input, call),
            K::Reduce { params, by, with } => self.plan_reduce(input, params, by, with, op.span),
            K::Evaluate {
                params,
                call,
                schema,
                schema_open,
            } => self.plan_evaluate(
                input,
                params,
                call,
                schema.as_deref(),
                *schema_open,
                op.span,
            ),
            _ => self.err(
                "KQL0402",
                format!(
                    "operator `{}` is not supported yet",
                    operator_name(&op.kind)
                ),
                op.span,
            ),
        }
    }

    pub(crate) fn plan_source(&mut self, op: &Operator) -> Result<LogicalPlan> {
        use OperatorKind as K;
        match &op.kind {
            K::Datatable {
                columns, values, ..
            } => self.plan_datatable(columns, values, op.span),
            K::Print(cols) => self.plan_print(cols),
            K::Range {
                column,
                from,
                to,
                step,
            } => self.plan_range(column, from, to, step, op.span),
            K::Union { params, tables } => self.plan_union(None, params, tables, op.span),
            _ => self.err(
                "KQL0402",
                format!(
                    "`{}` is not supported yet as a data source",
                    operator_name(&op.kind)
                ),
                op.span,
            ),
        }
    }
}

/// The operator's keyword, for messages.
pub(crate) fn operator_name(k: &OperatorKind) -> &'static str {
    use OperatorKind as K;
    match k {
        K::Where { .. } => "where",
        K::Project(_) => "project",
        K::ProjectAway(_) => "project-away",
        K::ProjectKeep(_) => "project-keep",
        K::ProjectRename(_) => "project-rename",
        K::ProjectReorder(_) => "project-reorder",
        K::ProjectByNames(_) => "project-by-names",
        K::Extend(_) => "extend",
        K::Take { .. } => "take",
        K::Count { .. } => "count",
        K::Distinct { .. } => "distinct",
        K::Sample { .. } => "sample",
        K::SampleDistinct { .. } => "sample-distinct",
        K::Serialize { .. } => "serialize",
        K::GetSchema => "getschema",
        K::Consume { .. } => "consume",
        K::Summarize { .. } => "summarize",
        K::MakeSeries(_) => "make-series",
        K::Sort { .. } => "sort",
        K::Top { .. } => "top",
        K::TopNested(_) => "top-nested",
        K::TopHitters { .. } => "top-hitters",
        K::Reduce { .. } => "reduce",
        K::Facet { .. } => "facet",
        K::Join { .. } => "join",
        K::Lookup { .. } => "lookup",
        K::Union { .. } => "union",
        K::MvExpand { .. } => "mv-expand",
        K::MvApply { .. } => "mv-apply",
        K::Parse(_) => "parse",
        K::ParseWhere(_) => "parse-where",
        K::ParseKv { .. } => "parse-kv",
        K::Evaluate { .. } => "evaluate",
        K::Render(_) => "render",
        K::As { .. } => "as",
        K::Invoke(_) => "invoke",
        K::Fork(_) => "fork",
        K::Partition(_) => "partition",
        K::Scan(_) => "scan",
        K::ExecuteAndCache => "execute-and-cache",
        K::AssertSchema(_) => "assert-schema",
        K::Print(_) => "print",
        K::Range { .. } => "range",
        K::Datatable { .. } => "datatable",
        K::ExternalData { .. } => "externaldata",
        K::Find(_) => "find",
        K::Search(_) => "search",
        K::InlineExternalTable { .. } => "inline_external_table",
        K::MacroExpand { .. } => "macro-expand",
    }
}
