//! Tabular expressions: table references, `let`-bound tables, user functions, parenthesised
//! subqueries, source operators and the pipeline fold.

use super::{Binding, Planner};
use crate::error::Result;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, DFSchema};
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_functions::KqlType;
use kql_parser::ast::{self, ExprKind, FnParam, FunctionDef, Operator};

impl Planner<'_> {
    /// True when `e` denotes a table rather than a scalar.
    pub(crate) fn is_tabular(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Pipe { .. } | ExprKind::Source(_) => true,
            ExprKind::Paren(inner) => self.is_tabular(inner),
            ExprKind::Name(id) => match self.lookup(&id.name) {
                Some(Binding::Tabular(_)) => true,
                Some(_) => false,
                None => self.ctx.table(&id.name).is_some(),
            },
            ExprKind::Call { func, .. } => match &func.kind {
                ExprKind::Name(id) => match self.lookup(&id.name) {
                    Some(Binding::Function(def)) => {
                        def.body.result.as_ref().is_some_and(|r| self.is_tabular(r))
                    }
                    _ => matches!(id.name.as_str(), "materialize" | "view" | "table"),
                },
                _ => false,
            },
            _ => false,
        }
    }

    /// Plans a tabular expression.
    pub(crate) fn plan_tabular(&mut self, e: &ast::Expr) -> Result<LogicalPlan> {
        match &e.kind {
            ExprKind::Pipe { source, ops } => {
                let saved = self.serialized;
                let mut plan = self.plan_tabular(source)?;
                let mut serialized = matches!(&source.kind, ExprKind::Source(op) if matches!(op.kind, ast::OperatorKind::Range { .. }));
                for (i, op) in ops.iter().enumerate() {
                    self.serialized = serialized;
                    self.join_post_filters = match &op.kind {
                        ast::OperatorKind::Join { .. } => ops[i + 1..]
                            .iter()
                            .map_while(|o| match &o.kind {
                                ast::OperatorKind::Where { predicate, .. } => {
                                    Some(predicate.clone())
                                }
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    plan = match self.plan_operator(plan, op) {
                        Ok(p) => p,
                        Err(e) => {
                            self.serialized = saved;
                            return Err(e);
                        }
                    };
                    serialized = super::window::serialized_after(&op.kind, serialized);
                }
                self.serialized = saved;
                Ok(plan)
            }
            ExprKind::Paren(inner) => self.plan_tabular(inner),
            ExprKind::Source(op) => self.plan_source(op),
            ExprKind::Name(id) => self.plan_table_name(&id.name, e.span),
            ExprKind::Call { func, args } => {
                let ExprKind::Name(fname) = &func.kind else {
                    return self.err("KQL0202", "only named functions can be called", func.span);
                };
                match fname.name.as_str() {
                    "materialize" => {
                        let [arg] = args.as_slice() else {
                            return self.err(
                                "KQL0301",
                                "`materialize` expects one tabular argument",
                                e.span,
                            );
                        };
                        self.plan_tabular(&arg.value)
                    }
                    "table" => {
                        let [arg] = args.as_slice() else {
                            return self.err(
                                "KQL0301",
                                "`table` expects one argument: the table name",
                                e.span,
                            );
                        };
                        match &arg.value.kind {
                            ExprKind::Literal(ast::Literal::String { value, .. }) => {
                                self.plan_table_name(value, arg.value.span)
                            }
                            _ => self.err(
                                "KQL0301",
                                "`table` expects a string literal table name",
                                arg.value.span,
                            ),
                        }
                    }
                    name => match self.lookup(name).cloned() {
                        Some(Binding::Function(def)) => {
                            self.expand_tabular_function(name, &def, args, e.span)
                        }
                        _ => self.err(
                            "KQL0204",
                            format!("unknown table or tabular function '{name}'"),
                            fname.span,
                        ),
                    },
                }
            }
            _ => self.err(
                "KQL0305",
                "expected a tabular expression (a table, a `let`-bound table or a pipeline)",
                e.span,
            ),
        }
    }

    fn plan_table_name(&mut self, name: &str, span: kql_parser::Span) -> Result<LogicalPlan> {
        match self.lookup(name) {
            Some(Binding::Tabular(p)) => return Ok(p.clone()),
            Some(Binding::Scalar(..)) => {
                return self.err(
                    "KQL0305",
                    format!("`{name}` is a scalar, not a table"),
                    span,
                );
            }
            Some(Binding::Function(def)) => {
                if def.params.is_empty() {
                    let def = def.clone();
                    return self.expand_tabular_function(name, &def, &[], span);
                }
                return self.err(
                    "KQL0301",
                    format!("function `{name}` needs arguments"),
                    span,
                );
            }
            None => {}
        }
        let Some(provider) = self.ctx.table(name) else {
            let tables = self.ctx.table_names();
            let names: Vec<String> = tables.into_iter().chain(self.scope_names()).collect();
            let help = super::expr::closest(name, names.iter().map(String::as_str))
                .map(|s| format!("did you mean '{s}'?"));
            return self.err_help("KQL0204", format!("unknown table '{name}'"), span, help);
        };
        scan_unqualified(name, provider)
    }

    /// Plans one pipe operator over `input`.
    pub(crate) fn plan_operator(
        &mut self,
        input: LogicalPlan,
        op: &Operator,
    ) -> Result<LogicalPlan> {
        self.plan_pipe_operator(input, op)
    }

    fn bind_args(
        &mut self,
        fname: &str,
        def: &FunctionDef,
        args: &[ast::Arg],
        span: kql_parser::Span,
        schema: &DFSchema,
    ) -> Result<()> {
        // `name = value` arguments bind by parameter name; positional ones fill the remaining
        // parameters in order (so `f(len=3, input)` binds `input` to the parameter after `len`)
        let mut by_pos: Vec<Option<&ast::Arg>> = vec![None; def.params.len()];
        for a in args {
            if let Some(n) = &a.name {
                let Some(i) = def.params.iter().position(|p| match p {
                    FnParam::Scalar(s) => s.name.name == n.name,
                    FnParam::Tabular(t) => t.name.name == n.name,
                }) else {
                    return self.err(
                        "KQL0301",
                        format!("function `{fname}` has no parameter `{}`", n.name),
                        n.span,
                    );
                };
                by_pos[i] = Some(a);
            }
        }
        let mut free = (0..by_pos.len())
            .filter(|&i| by_pos[i].is_none())
            .collect::<Vec<_>>()
            .into_iter();
        for a in args.iter().filter(|a| a.name.is_none()) {
            if let Some(i) = free.next() {
                by_pos[i] = Some(a);
            }
        }
        if args.len() > def.params.len() {
            return self.err(
                "KQL0301",
                format!(
                    "function `{fname}` takes {} argument(s), got {}",
                    def.params.len(),
                    args.len()
                ),
                span,
            );
        }
        let mut bindings = Vec::new();
        for (n, p) in def.params.iter().enumerate() {
            match p {
                FnParam::Scalar(sp) => {
                    let (e, ty) = match by_pos.get(n).copied().flatten() {
                        Some(a) => self.plan_scalar(&a.value, schema)?,
                        None => match &sp.default {
                            Some(d) => self.plan_scalar(d, &DFSchema::empty())?,
                            None => {
                                return self.err(
                                    "KQL0301",
                                    format!(
                                        "function `{fname}` is missing argument `{}`",
                                        sp.name.name
                                    ),
                                    span,
                                );
                            }
                        },
                    };
                    let want = KqlType::from_type_name(sp.ty);
                    let e = match e {
                        _ if want == ty => e,
                        // keep literals literal (functions such as percentile need constants)
                        Expr::Literal(v, m) => match v.cast_to(&want.arrow_type()) {
                            Ok(c) => Expr::Literal(c, m),
                            Err(_) => Expr::Cast(datafusion::logical_expr::Cast::new(
                                Box::new(Expr::Literal(v, m)),
                                want.arrow_type(),
                            )),
                        },
                        other => Expr::Cast(datafusion::logical_expr::Cast::new(
                            Box::new(other),
                            want.arrow_type(),
                        )),
                    };
                    bindings.push((sp.name.name.clone(), Binding::Scalar(e, want)));
                }
                FnParam::Tabular(tp) => {
                    let Some(a) = by_pos.get(n).copied().flatten() else {
                        return self.err(
                            "KQL0301",
                            format!(
                                "function `{fname}` is missing table argument `{}`",
                                tp.name.name
                            ),
                            span,
                        );
                    };
                    let plan = self.plan_tabular(&a.value)?;
                    bindings.push((tp.name.name.clone(), Binding::Tabular(plan)));
                }
            }
        }
        self.push_scope();
        for (n, b) in bindings {
            self.bind(&n, b);
        }
        Ok(())
    }

    fn function_body<T>(
        &mut self,
        fname: &str,
        def: &FunctionDef,
        span: kql_parser::Span,
        f: impl FnOnce(&mut Self, &ast::Expr) -> Result<T>,
    ) -> Result<T> {
        if self.call_depth > 32 {
            self.pop_scope();
            return self.err(
                "KQL0403",
                format!("function `{fname}` calls itself too deeply"),
                span,
            );
        }
        self.call_depth += 1;
        let res = (|| {
            for st in &def.body.statements {
                self.plan_statement(st)?;
            }
            match &def.body.result {
                Some(r) => f(self, r),
                None => self.err(
                    "KQL0301",
                    format!("function `{fname}` has no result expression"),
                    def.span,
                ),
            }
        })();
        self.call_depth -= 1;
        self.pop_scope();
        res
    }

    pub(crate) fn expand_tabular_function(
        &mut self,
        fname: &str,
        def: &FunctionDef,
        args: &[ast::Arg],
        span: kql_parser::Span,
    ) -> Result<LogicalPlan> {
        self.bind_args(fname, def, args, span, &DFSchema::empty())?;
        self.function_body(fname, def, span, |p, r| p.plan_tabular(r))
    }

    pub(crate) fn expand_scalar_function(
        &mut self,
        fname: &str,
        def: &FunctionDef,
        args: &[ast::Arg],
        span: kql_parser::Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        self.bind_args(fname, def, args, span, schema)?;
        let schema = schema.clone();
        self.function_body(fname, def, span, move |p, r| p.plan_scalar(r, &schema))
    }
}

impl Planner<'_> {
    /// `T | invoke f(args)`: calls the tabular function `f` with `T` as its first argument.
    pub(crate) fn plan_invoke(
        &mut self,
        input: LogicalPlan,
        call: &ast::Expr,
    ) -> Result<LogicalPlan> {
        let ExprKind::Call { func, args } = &call.kind else {
            return self.err("KQL0107", "`invoke` expects a function call", call.span);
        };
        let ExprKind::Name(fname) = &func.kind else {
            return self.err("KQL0107", "`invoke` expects a named function", func.span);
        };
        let Some(Binding::Function(def)) = self.lookup(&fname.name).cloned() else {
            return self.err(
                "KQL0204",
                format!("unknown function '{}'", fname.name),
                fname.span,
            );
        };
        if !matches!(def.params.first(), Some(FnParam::Tabular(_))) {
            return self.err(
                "KQL0301",
                format!(
                    "`invoke` needs a function whose first parameter is a table; `{}` has none",
                    fname.name
                ),
                fname.span,
            );
        }
        const INPUT: &str = "__kql_invoke_input";
        self.push_scope();
        self.bind(INPUT, Binding::Tabular(input));
        let mut all_args = vec![ast::Arg {
            name: None,
            value: ast::Expr::new(ExprKind::Name(ast::Ident::new(INPUT, call.span)), call.span),
        }];
        all_args.extend(args.iter().cloned());
        let res = self.expand_tabular_function(&fname.name, &def, &all_args, call.span);
        self.pop_scope();
        res
    }
}

/// A scan of `provider` that exposes unqualified column names, like Kusto (joins rename
/// duplicates explicitly): registered tables, `materialize` results, plugin results.
pub(crate) fn scan_unqualified(
    name: &str,
    provider: std::sync::Arc<dyn datafusion::catalog::TableProvider>,
) -> Result<LogicalPlan> {
    let scan = LogicalPlanBuilder::scan(name, provider_as_source(provider), None)?.build()?;
    let exprs: Vec<Expr> = scan
        .schema()
        .iter()
        .map(|(q, f)| {
            let c = Expr::Column(Column::new(q.cloned(), f.name()));
            match f.data_type() {
                // String views (how Parquet tables are read: much cheaper to decode from
                // dictionary pages) and large strings become plain strings, which every KQL
                // function reads. Placed right above the scan, the cast sits above pushed-down
                // filters, where `CAST(c AS Utf8) = 'x'` is unwrapped to compare the views;
                // `view_casts.rs` moves it further up.
                DataType::Utf8View | DataType::LargeUtf8 => {
                    datafusion::logical_expr::cast(c, DataType::Utf8)
                        .alias_with_metadata(f.name(), crate::view_casts::field_metadata(f))
                }
                _ => c.alias(f.name()),
            }
        })
        .collect();
    Ok(LogicalPlanBuilder::from(scan).project(exprs)?.build()?)
}
