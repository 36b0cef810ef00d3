//! `evaluate <plugin>(...)`: classifies the call's arguments, lets the plugin check them
//! against the input schema, and wraps it in a [`PluginNode`]. A plugin whose output columns
//! depend on the data (`pivot`, `bag_unpack` without a declared schema) is run here, on the
//! materialized input, which the caller supplies through [`Planner::data_request`].

use crate::error::Result;
use crate::planner::Planner;
use crate::plugin_node::PluginNode;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Column, DFSchema};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_functions::KqlType;
use kql_functions::plugins::{self, ArgRef, PluginArg, PluginArgs, PluginError, TablePlugin};
use kql_parser::ast::{self, ColumnDecl, ExprKind, OpParam};
use kql_parser::span::Span;
use std::sync::Arc;

/// Kusto plugins we know of but do not run (they call out to services or languages).
const UNSUPPORTED: &[&str] = &[
    "python",
    "r",
    "sql_request",
    "mysql_request",
    "postgresql_request",
    "cosmosdb_sql_request",
    "http_request",
    "http_request_post",
    "azure_digital_twins_query_request",
    "ai_chat_completion",
    "ai_chat_completion_prompt",
    "ai_embeddings",
    "infer_storage_schema",
    "infer_storage_schema_with_suggestions",
    "schema_merge",
    "active_users_count",
];

/// Where each argument came from, for carets on plugin errors.
struct ArgSpans {
    call: Span,
    positional: Vec<Span>,
    named: Vec<(String, Span)>,
}

impl ArgSpans {
    fn span_of(&self, e: &PluginError) -> Span {
        match &e.arg {
            Some(ArgRef::Positional(i)) => self.positional.get(*i).copied().unwrap_or(self.call),
            Some(ArgRef::Named(n)) => self
                .named
                .iter()
                .find(|(m, _)| m == n)
                .map(|(_, s)| *s)
                .unwrap_or(self.call),
            None => self.call,
        }
    }
}

impl Planner<'_> {
    pub(crate) fn plan_evaluate(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        call: &ast::Expr,
        declared: Option<&[ColumnDecl]>,
        declared_open: bool,
        span: Span,
    ) -> Result<LogicalPlan> {
        if let Some(p) = params.first() {
            // hint.distribution / hint.remote only tune the Kusto service
            if !p.name.starts_with("hint.") {
                return self.err(
                    "KQL0107",
                    format!("unknown `evaluate` parameter '{}'", p.name),
                    p.span,
                );
            }
        }
        let ExprKind::Call { func, args } = &call.kind else {
            return self.err(
                "KQL0107",
                "expected a plugin call after `evaluate`",
                call.span,
            );
        };
        let ExprKind::Name(fname) = &func.kind else {
            return self.err("KQL0107", "expected a plugin name", func.span);
        };
        let name = fname.name.as_str();
        let Some(def) = plugins::lookup(name) else {
            if UNSUPPORTED.contains(&name) {
                return self.err(
                    "KQL0402",
                    format!(
                        "the plugin '{name}' is not supported by kql (it needs a Kusto service)"
                    ),
                    fname.span,
                );
            }
            let help = super::super::expr::closest(name, plugins::PLUGINS.iter().map(|p| p.name))
                .map(|s| format!("did you mean '{s}'?"));
            return self.err_help(
                "KQL0202",
                format!("unknown plugin '{name}'"),
                fname.span,
                help,
            );
        };

        let input_schema: SchemaRef = Arc::new(input.schema().as_arrow().clone());
        let mut inputs = vec![input];
        let mut pargs = PluginArgs::default();
        let mut spans = ArgSpans {
            call: call.span,
            positional: Vec::new(),
            named: Vec::new(),
        };
        for a in args {
            if name == "pivot"
                && a.name.is_none()
                && let ExprKind::Call { func, args: inner } = &a.value.kind
                && let ExprKind::Name(agg) = &func.kind
            {
                // pivot's aggregation call arrives as its name, then its arguments (see the
                // contract at the top of functions/src/plugins/pivot.rs)
                let arity_ok = match agg.name.as_str() {
                    "count" => inner.is_empty(),
                    "dcount" => matches!(inner.len(), 1 | 2),
                    _ => inner.len() == 1,
                };
                if !arity_ok || inner.iter().any(|i| i.name.is_some()) {
                    return self.err(
                        "KQL0310",
                        format!(
                            "pivot(): the aggregation {}() takes {}",
                            agg.name,
                            match agg.name.as_str() {
                                "count" => "no arguments",
                                "dcount" => "a column and an optional accuracy",
                                _ => "one column",
                            }
                        ),
                        a.value.span,
                    );
                }
                spans.positional.push(func.span);
                pargs
                    .positional
                    .push(PluginArg::Value(datafusion::scalar::ScalarValue::Utf8(
                        Some(agg.name.clone()),
                    )));
                for i in inner {
                    let v = self.plugin_arg(&i.value, &input_schema, &mut inputs)?;
                    spans.positional.push(i.value.span);
                    pargs.positional.push(v);
                }
                continue;
            }
            let v = self.plugin_arg(&a.value, &input_schema, &mut inputs)?;
            match &a.name {
                Some(n) => {
                    spans.named.push((n.name.clone(), a.value.span));
                    pargs.named.push((n.name.clone(), v));
                }
                None => {
                    spans.positional.push(a.value.span);
                    pargs.positional.push(v);
                }
            }
        }
        if let Some(cols) = declared {
            pargs.declared_schema = Some(declared_schema(cols));
            pargs.declared_open = declared_open;
        }
        let schemas: Vec<SchemaRef> = inputs
            .iter()
            .map(|p| Arc::new(p.schema().as_arrow().clone()))
            .collect();
        let plugin = match (def.plan)(&pargs, &schemas) {
            Ok(p) => p,
            Err(e) => {
                let at = spans.span_of(&e);
                return self.err("KQL0310", format!("{name}(): {}", e.message), at);
            }
        };
        self.plan_plugin(plugin, inputs, span)
    }

    /// Wraps a planned plugin: a lazy node when its schema is known, else runs it now on the
    /// materialized inputs (asking the caller for them the first time).
    pub(crate) fn plan_plugin(
        &mut self,
        plugin: Arc<dyn TablePlugin>,
        inputs: Vec<LogicalPlan>,
        span: Span,
    ) -> Result<LogicalPlan> {
        if let Some(schema) = plugin.output_schema() {
            self.check_output_names(plugin.name(), &schema, span)?;
            return Ok(PluginNode::plan(plugin, inputs)?);
        }
        let key = data_key(&inputs, span);
        let Some(data) = self.plugin_data.get(&key).cloned() else {
            self.data_request = Some((key, inputs));
            return self.err(
                "KQL0499",
                format!(
                    "{}'s output columns depend on its input rows, which `check` does not read",
                    plugin.name()
                ),
                span,
            );
        };
        let batch = plugin.run(&data)?;
        let schema = batch.schema();
        self.check_output_names(plugin.name(), &schema, span)?;
        let table = MemTable::try_new(Arc::clone(&schema), vec![vec![batch]])?;
        crate::planner::tabular::scan_unqualified(plugin.name(), Arc::new(table))
    }

    /// A plugin's output columns must have distinct names: an input column passed through
    /// (autocluster, basket, diffpatterns copy every input column) may be named like a column
    /// the plugin adds (`T | count | evaluate autocluster()`: `Count`).
    fn check_output_names(&self, plugin: &str, schema: &SchemaRef, span: Span) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for f in schema.fields() {
            if !seen.insert(f.name().as_str()) {
                return self.err(
                    "KQL0310",
                    format!(
                        "{plugin}(): its output would have two columns named `{}` (an input \
                         column and one the plugin adds); rename the input column first, e.g. \
                         with project-rename",
                        f.name()
                    ),
                    span,
                );
            }
        }
        Ok(())
    }

    /// One argument: an input column by bare name, a table, or a constant.
    fn plugin_arg(
        &mut self,
        e: &ast::Expr,
        input: &SchemaRef,
        inputs: &mut Vec<LogicalPlan>,
    ) -> Result<PluginArg> {
        if let ExprKind::Name(id) = &e.kind
            && let Ok(index) = input.index_of(&id.name)
        {
            return Ok(PluginArg::Column {
                name: id.name.clone(),
                index,
            });
        }
        if self.is_tabular(e) {
            let plan = self.plan_tabular(e)?;
            inputs.push(plan);
            return Ok(PluginArg::Table(inputs.len() - 1));
        }
        let x = match (self.plan_scalar(e, &DFSchema::empty()), &e.kind) {
            (Ok((x, _)), _) => x,
            // a bare name that is neither an input column, a table nor a scalar `let`: a column
            // of a table argument (`ipv4_lookup(T, ip, network)` names T's column `network`);
            // the plugin checks it, as it does a column given as a string
            (Err(_), ExprKind::Name(id)) => {
                return Ok(PluginArg::Value(datafusion::scalar::ScalarValue::Utf8(
                    Some(id.name.clone()),
                )));
            }
            (Err(err), _) => return Err(err),
        };
        match x {
            Expr::Literal(v, _) => Ok(PluginArg::Value(v)),
            _ => self.err(
                "KQL0314",
                "a plugin argument must be an input column name, a table or a constant",
                e.span,
            ),
        }
    }

    /// Supplies the rows a data-dependent plugin asked for (see [`Planner::take_data_request`]).
    pub fn provide_plugin_data(&mut self, key: String, data: Vec<Vec<RecordBatch>>) {
        self.plugin_data.insert(key, data);
    }

    /// The inputs a data-dependent plugin needs before planning can go on: the caller executes
    /// the plans, hands the rows to [`Planner::provide_plugin_data`] and plans the statement
    /// again.
    pub fn take_data_request(&mut self) -> Option<(String, Vec<LogicalPlan>)> {
        self.data_request.take()
    }
}

/// Identifies a plugin call by where it is in the script and what it reads (the same call in a
/// function body can see different inputs).
fn data_key(inputs: &[LogicalPlan], span: Span) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    for p in inputs {
        // the text form, not the plan's own hash: plugin nodes get a fresh id per planning
        // attempt, and the key must survive the re-planning it triggers
        p.display_indent().to_string().hash(&mut h);
    }
    format!("{}:{}:{:x}", span.start(), span.end(), h.finish())
}

/// The output schema written after the call: `evaluate bag_unpack(d) : (x:long, y:string)`.
fn declared_schema(cols: &[ColumnDecl]) -> SchemaRef {
    let fields: Vec<_> = cols
        .iter()
        .map(|c| KqlType::from_type_name(c.ty).field(&c.name.name))
        .collect();
    Arc::new(Schema::new(fields))
}

/// The temporary column `reduce by <expression>` groups on.
const REDUCE_KEY: &str = "__kql_reduce_by";

impl Planner<'_> {
    /// `reduce [kind=source] by Expr [with threshold=T, characters=C]`: the whole-table node
    /// over the `by` column (an expression is computed into a temporary column first).
    pub(crate) fn plan_reduce(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        by: &ast::NamedExpr,
        with: &[ast::NamedExpr],
        span: Span,
    ) -> Result<LogicalPlan> {
        let mut kind_source = false;
        for p in params {
            match p.name.as_str() {
                "kind" => {
                    let kind = match &p.value.kind {
                        ExprKind::Name(id) => id.name.clone(),
                        ExprKind::Literal(ast::Literal::String { value, .. }) => value.clone(),
                        _ => String::new(),
                    };
                    match kind.as_str() {
                        "source" => kind_source = true,
                        "default" => {}
                        _ => {
                            return self.err(
                                "KQL0107",
                                format!("reduce: kind must be source, got '{kind}'"),
                                p.value.span,
                            );
                        }
                    }
                }
                n if n.starts_with("hint.") => {}
                n => {
                    return self.err(
                        "KQL0107",
                        format!("unknown `reduce` parameter '{n}' (expected kind)"),
                        p.span,
                    );
                }
            }
        }
        let mut threshold = plugins::reduce::DEFAULT_THRESHOLD;
        let mut characters = None;
        let mut spans: Vec<(String, Span)> = Vec::new();
        for w in with {
            let [name] = w.names.as_slice() else {
                return self.err(
                    "KQL0107",
                    "reduce: expected `with threshold = ...` or `characters = ...`",
                    w.span,
                );
            };
            spans.push((name.name.clone(), w.expr.span));
            let (v, _) = self.plan_scalar(&w.expr, &DFSchema::empty())?;
            let Expr::Literal(v, _) = v else {
                return self.err("KQL0314", "expected a constant value here", w.expr.span);
            };
            match name.name.as_str() {
                "threshold" => match plugins::scalar_f64(&v) {
                    Some(t) => threshold = t,
                    None => {
                        return self.err(
                            "KQL0310",
                            "reduce: threshold must be a real number between 0 and 1",
                            w.expr.span,
                        );
                    }
                },
                "characters" => match v {
                    datafusion::scalar::ScalarValue::Utf8(Some(s)) => characters = Some(s),
                    _ => {
                        return self.err(
                            "KQL0310",
                            "reduce: characters must be a string",
                            w.expr.span,
                        );
                    }
                },
                other => {
                    return self.err(
                        "KQL0107",
                        format!(
                            "reduce has no parameter '{other}' (expected threshold or characters)"
                        ),
                        name.span,
                    );
                }
            }
        }
        // the `by` column: a column by name, else the expression in a temporary column
        let (input, column, temp) = match (&by.expr.kind, by.names.is_empty()) {
            (ExprKind::Name(id), true)
                if input
                    .schema()
                    .index_of_column_by_name(None, &id.name)
                    .is_some() =>
            {
                let idx = input
                    .schema()
                    .index_of_column_by_name(None, &id.name)
                    .unwrap_or(0);
                (input, idx, false)
            }
            _ => {
                let item = ast::NamedExpr {
                    names: vec![ast::Ident {
                        name: REDUCE_KEY.to_string(),
                        span: by.expr.span,
                    }],
                    expr: by.expr.clone(),
                    span: by.span,
                };
                let plan = self.plan_extend(input, std::slice::from_ref(&item))?;
                let idx = plan.schema().fields().len() - 1;
                (plan, idx, true)
            }
        };
        let schema: SchemaRef = Arc::new(input.schema().as_arrow().clone());
        let plugin = match plugins::reduce::reduce_plugin(
            column,
            threshold,
            characters,
            kind_source,
            &schema,
        ) {
            Ok(p) => p,
            Err(e) => {
                let at = match &e.arg {
                    Some(ArgRef::Named(n)) => {
                        spans.iter().find(|(m, _)| m == n).map_or(span, |(_, s)| *s)
                    }
                    _ => by.expr.span,
                };
                return self.err("KQL0310", e.message, at);
            }
        };
        let plan = self.plan_plugin(plugin, vec![input], span)?;
        if temp && kind_source {
            let keep: Vec<Expr> = plan
                .schema()
                .iter()
                .filter(|(_, f)| f.name() != REDUCE_KEY)
                .map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())))
                .collect();
            return Ok(LogicalPlanBuilder::from(plan).project(keep)?.build()?);
        }
        Ok(plan)
    }
}
