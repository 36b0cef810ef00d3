//! Functions that read the row's schema rather than values, so the planner rewrites them:
//! `pack_all([ignore_null_empty])` (pack-all-function.md), `bag_pack_columns(c1, c2, ...)`
//! (bag-pack-columns-function.md) and `column_names_of(T)` (column-names-of-function.md); and
//! `bin_auto(x)` (bin-auto-function.md), which reads the `set query_bin_auto_size` /
//! `query_bin_auto_at` options.

use super::Planner;
use super::ast_build::{call, name, string};
use super::operators::column_names;
use crate::error::Result;
use datafusion::common::DFSchema;
use datafusion::logical_expr::{Expr, lit};
use kql_functions::KqlType;
use kql_parser::Span;
use kql_parser::ast::{self, Arg, Dynamic, ExprKind, Literal};

/// `bag_pack("c1", c1, "c2", c2, ...)`.
fn pack(columns: &[String], span: Span) -> ast::Expr {
    let args = columns
        .iter()
        .flat_map(|c| [string(c, span), name(c, span)])
        .collect();
    call("bag_pack", args, span)
}

impl Planner<'_> {
    /// Plans `name(args)` when it is one of the schema-reading functions.
    pub(crate) fn plan_row_function(
        &mut self,
        fname: &str,
        args: &[Arg],
        span: Span,
        schema: &DFSchema,
    ) -> Option<Result<(Expr, KqlType)>> {
        match fname {
            "pack_all" => Some(self.plan_pack_all(args, span, schema)),
            "bag_pack_columns" => Some(self.plan_bag_pack_columns(args, span, schema)),
            "column_names_of" => Some(self.plan_column_names_of(args, span)),
            "bin_auto" => Some(self.plan_bin_auto(args, span, schema)),
            _ => None,
        }
    }

    fn plan_pack_all(
        &mut self,
        args: &[Arg],
        span: Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        let ignore_null_empty = match args {
            [] => false,
            [a] => match &a.value.kind {
                ExprKind::Literal(Literal::Bool(Some(b))) => *b,
                _ => {
                    return self.err(
                        "KQL0301",
                        "`pack_all` expects a constant bool (ignore_null_empty)",
                        a.value.span,
                    );
                }
            },
            _ => return self.err("KQL0301", "`pack_all` expects at most 1 argument", span),
        };
        // the columns of the operator's input: `extend a = pack_all(), b = pack_all()` packs
        // the same columns twice (pack-all-function.md's example)
        let columns: Vec<String> = match &self.row_columns {
            Some(c) => c.clone(),
            None => column_names(schema),
        }
        .into_iter()
        .filter(|c| !c.starts_with("__kql_"))
        .collect();
        let packed = if ignore_null_empty {
            // one single-property bag per non-empty column, merged
            let parts = columns
                .iter()
                .map(|c| {
                    call(
                        "iff",
                        vec![
                            call("isempty", vec![name(c, span)], span),
                            ast::Expr::new(
                                ExprKind::Literal(Literal::Dynamic(Dynamic::Object(Vec::new()))),
                                span,
                            ),
                            pack(std::slice::from_ref(c), span),
                        ],
                        span,
                    )
                })
                .collect::<Vec<_>>();
            match parts.len() {
                0 => pack(&[], span),
                1 => parts.into_iter().next().unwrap_or_else(|| pack(&[], span)),
                _ => call("bag_merge", parts, span),
            }
        } else {
            pack(&columns, span)
        };
        self.plan_scalar(&packed, schema)
    }

    fn plan_bag_pack_columns(
        &mut self,
        args: &[Arg],
        span: Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        let mut columns = Vec::new();
        for a in args {
            match &a.value.kind {
                ExprKind::Name(id) => columns.push(id.name.clone()),
                _ => {
                    return self.err(
                        "KQL0301",
                        "`bag_pack_columns` expects column names",
                        a.value.span,
                    );
                }
            }
        }
        if columns.is_empty() {
            return self.err(
                "KQL0301",
                "`bag_pack_columns` expects at least one column",
                span,
            );
        }
        self.plan_scalar(&pack(&columns, span), schema)
    }

    fn plan_column_names_of(&mut self, args: &[Arg], span: Span) -> Result<(Expr, KqlType)> {
        let [a] = args else {
            return self.err(
                "KQL0301",
                "`column_names_of` expects one tabular expression",
                span,
            );
        };
        let plan = self.plan_tabular(&a.value)?;
        let names = serde_json::Value::Array(
            column_names(plan.schema())
                .into_iter()
                .map(serde_json::Value::String)
                .collect(),
        );
        Ok((lit(names.to_string()), KqlType::Dynamic))
    }

    fn plan_bin_auto(
        &mut self,
        args: &[Arg],
        span: Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        let [a] = args else {
            return self.err("KQL0301", "`bin_auto` expects 1 argument (value)", span);
        };
        let Some(size) = self.options.get("query_bin_auto_size").cloned() else {
            return self.err(
                "KQL0301",
                "`bin_auto` needs the bin size: `set query_bin_auto_size = ...;` before the query",
                span,
            );
        };
        let binned = match self.options.get("query_bin_auto_at").cloned() {
            Some(at) => call("bin_at", vec![a.value.clone(), size, at], span),
            None => call("bin", vec![a.value.clone(), size], span),
        };
        self.plan_scalar(&binned, schema)
    }
}
