//! The planner: binds names and types against the registered tables, `let` bindings and the
//! function catalog, and builds DataFusion logical plans from the AST (never SQL text).
//!
//! One `impl Planner` block per concern: `expr.rs` (scalar expressions), `tabular.rs`
//! (tabular expressions and the pipeline fold), `operators/*.rs` (one file per operator
//! family), `literal.rs` (literal values).

mod ast_build;
mod expr;
mod literal;
mod operators;
mod row_functions;
mod session_window;
mod tabular;
mod tuples;
mod window;

use crate::context::{KqlContext, RenderSpec};
use crate::error::{KqlError, Result};
use datafusion::logical_expr::{Expr, LogicalPlan};
use kql_functions::KqlType;
use kql_parser::Diagnostic;
use kql_parser::ast::{FunctionDef, LetValue, Statement, StatementKind};
use kql_parser::span::Span;
use std::collections::HashMap;

pub use literal::literal_value;

/// What a statement produced.
pub enum StatementOutcome {
    /// `let`, `set`, `declare`: nothing to return.
    None,
    /// `let name = materialize(...)`: the caller runs the plan once and binds the result
    /// with [`Planner::bind_materialized`], so later uses read the stored batches.
    Materialize {
        name: String,
        plan: Box<LogicalPlan>,
    },
    /// A query: its plan and `render` metadata.
    Query {
        plan: Box<LogicalPlan>,
        render: Option<RenderSpec>,
    },
}

/// A name bound by `let`, a function parameter or `as`.
#[derive(Clone)]
pub(crate) enum Binding {
    Scalar(Expr, KqlType),
    Tabular(LogicalPlan),
    Function(FunctionDef),
}

pub struct Planner<'a> {
    pub(crate) ctx: &'a KqlContext,
    pub(crate) source: &'a str,
    pub(crate) now_nanos: i64,
    now_override: Option<i64>,
    scopes: Vec<HashMap<String, Binding>>,
    /// `render` seen in the current query.
    pub(crate) render: Option<RenderSpec>,
    /// Depth of user-function expansion (guards recursion).
    pub(crate) call_depth: usize,
    /// Whether the input of the operator being planned is a serialized row set.
    pub(crate) serialized: bool,
    /// Names bound with `let name = view (...) { ... }`.
    pub(crate) views: Vec<String>,
    /// Depth of `toscalar(...)` subqueries being planned: inside one, a name bound to a value
    /// of the outer row (a function parameter fed a column) cannot be used.
    pub(crate) subquery_depth: usize,
    /// The predicates of the `where` operators that directly follow the `join` being planned:
    /// an `innerunique` join applies those that only use left-side columns to its left input
    /// before de-duplicating it, as Kusto's optimizer does (join-innerunique.md).
    pub(crate) join_post_filters: Vec<kql_parser::ast::Expr>,
    /// The input columns of the `extend` being planned (`pack_all()` packs these, not the
    /// columns the same `extend` adds).
    pub(crate) row_columns: Option<Vec<String>>,
    /// `set name = value` options that change how functions compute (`query_bin_auto_size`,
    /// `query_bin_auto_at` for `bin_auto`).
    pub(crate) options: HashMap<String, kql_parser::ast::Expr>,
    /// Materialized inputs of data-dependent plugins (`pivot`), by call (see
    /// `operators/evaluate.rs`).
    pub(crate) plugin_data: HashMap<String, Vec<Vec<datafusion::arrow::record_batch::RecordBatch>>>,
    /// The inputs the last planning attempt stopped for.
    pub(crate) data_request: Option<(String, Vec<LogicalPlan>)>,
}

impl<'a> Planner<'a> {
    pub fn new(ctx: &'a KqlContext, source: &'a str, now_nanos: i64) -> Self {
        Planner {
            ctx,
            source,
            now_nanos,
            now_override: None,
            scopes: vec![HashMap::new()],
            render: None,
            call_depth: 0,
            serialized: false,
            views: Vec::new(),
            subquery_depth: 0,
            join_post_filters: Vec::new(),
            row_columns: None,
            options: HashMap::new(),
            plugin_data: HashMap::new(),
            data_request: None,
        }
    }

    /// A `set query_now = ...` seen in the script.
    pub fn take_now_override(&mut self) -> Option<i64> {
        self.now_override.take()
    }

    /// An error diagnostic at `span`.
    pub(crate) fn err<T>(
        &self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
    ) -> Result<T> {
        Err(KqlError::query(
            self.source,
            vec![Diagnostic::error(code, message, span)],
        ))
    }

    pub(crate) fn err_help<T>(
        &self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        help: Option<String>,
    ) -> Result<T> {
        let mut d = Diagnostic::error(code, message, span);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        Err(KqlError::query(self.source, vec![d]))
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    pub(crate) fn bind(&mut self, name: &str, b: Binding) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_string(), b);
        }
    }

    pub(crate) fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    pub(crate) fn pop_scope(&mut self) {
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    /// All names in scope (for "did you mean").
    pub(crate) fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().flat_map(|s| s.keys().cloned()).collect()
    }

    pub fn plan_statement(&mut self, st: &Statement) -> Result<StatementOutcome> {
        self.data_request = None;
        match &st.kind {
            StatementKind::Query(e) => {
                self.render = None;
                let plan = self.plan_tabular(e)?;
                Ok(StatementOutcome::Query {
                    plan: Box::new(plan),
                    render: self.render.take(),
                })
            }
            StatementKind::Let(l) => {
                let name = l.name.name.clone();
                match &l.value {
                    LetValue::Function(def) => {
                        self.bind(&name, Binding::Function(def.clone()));
                        self.views.retain(|v| v != &name);
                    }
                    LetValue::View(def) => {
                        // a view also takes part in wildcard table references (`union T*`)
                        self.bind(&name, Binding::Function(def.clone()));
                        self.views.push(name.clone());
                    }
                    LetValue::Expr(e) => {
                        if let kql_parser::ast::ExprKind::Call { func, args } = &e.kind
                            && matches!(&func.kind, kql_parser::ast::ExprKind::Name(f) if f.name == "materialize")
                            && let [arg] = args.as_slice()
                        {
                            let plan = self.plan_tabular(&arg.value)?;
                            // bound lazily too, so `check`/`explain` can continue without running it
                            self.bind(&name, Binding::Tabular(plan.clone()));
                            return Ok(StatementOutcome::Materialize {
                                name,
                                plan: Box::new(plan),
                            });
                        }
                        if self.is_tabular(e) {
                            let plan = self.plan_tabular(e)?;
                            self.bind(&name, Binding::Tabular(plan));
                        } else {
                            let empty = datafusion::common::DFSchema::empty();
                            let (expr, ty) = self.plan_scalar(e, &empty)?;
                            self.bind(&name, Binding::Scalar(expr, ty));
                        }
                    }
                }
                Ok(StatementOutcome::None)
            }
            StatementKind::Set { name, value } => {
                if name.name == "query_now" {
                    let Some(v) = value else {
                        return self.err(
                            "KQL0401",
                            "`set query_now` needs a datetime value",
                            name.span,
                        );
                    };
                    let empty = datafusion::common::DFSchema::empty();
                    let (e, ty) = self.plan_scalar(v, &empty)?;
                    match (&e, ty) {
                        (
                            Expr::Literal(
                                datafusion::scalar::ScalarValue::TimestampNanosecond(Some(n), _),
                                _,
                            ),
                            KqlType::Datetime,
                        ) => {
                            self.now_nanos = *n;
                            self.now_override = Some(*n);
                        }
                        _ => {
                            return self.err(
                                "KQL0401",
                                "`set query_now` needs a datetime literal",
                                v.span,
                            );
                        }
                    }
                }
                if let Some(v) = value
                    && matches!(
                        name.name.as_str(),
                        "query_bin_auto_size" | "query_bin_auto_at"
                    )
                {
                    self.options.insert(name.name.clone(), v.clone());
                }
                // other options are accepted and ignored (they tune the Kusto service)
                Ok(StatementOutcome::None)
            }
            StatementKind::DeclareQueryParameters(params) => {
                for p in params {
                    if self.lookup(&p.name.name).is_some() {
                        continue;
                    }
                    if let Some(text) = self.ctx.parameter(&p.name.name) {
                        let (e, ty) = self.parameter_value(p, &text)?;
                        self.bind(&p.name.name, Binding::Scalar(e, ty));
                        continue;
                    }
                    match &p.default {
                        Some(d) => {
                            let empty = datafusion::common::DFSchema::empty();
                            let (e, ty) = self.plan_scalar(d, &empty)?;
                            self.bind(&p.name.name, Binding::Scalar(e, ty));
                        }
                        None => {
                            return self.err(
                                "KQL0203",
                                format!(
                                    "query parameter `{}` has no value and no default",
                                    p.name.name
                                ),
                                p.span,
                            );
                        }
                    }
                }
                Ok(StatementOutcome::None)
            }
            StatementKind::DeclarePattern { .. } => {
                self.err("KQL0402", "`declare pattern` is not supported", st.span)
            }
            StatementKind::AliasDatabase { .. } => self.err(
                "KQL0402",
                "`alias database` is not supported: there are no databases in a local session",
                st.span,
            ),
            StatementKind::RestrictAccess(_) => {
                self.err("KQL0402", "`restrict access` is not supported", st.span)
            }
        }
    }

    /// Binds `name` to the stored result of a `materialize(...)`.
    pub fn bind_materialized(
        &mut self,
        name: &str,
        provider: std::sync::Arc<dyn datafusion::catalog::TableProvider>,
    ) -> Result<()> {
        let plan = tabular::scan_unqualified(name, provider)?;
        self.bind(name, Binding::Tabular(plan));
        Ok(())
    }

    /// A `--param` text read as the declared type of `p`.
    fn parameter_value(
        &mut self,
        p: &kql_parser::ast::ScalarParam,
        text: &str,
    ) -> Result<(Expr, KqlType)> {
        let want = KqlType::from_type_name(p.ty);
        if want == KqlType::String {
            let v = datafusion::scalar::ScalarValue::Utf8(Some(text.to_string()));
            return Ok((Expr::Literal(v, None), KqlType::String));
        }
        let bad = |planner: &Self| {
            planner.err(
                "KQL0203",
                format!(
                    "query parameter `{}` is declared {}, but its value '{text}' is not a {} literal",
                    p.name.name,
                    want.name(),
                    want.name()
                ),
                p.span,
            )
        };
        let Ok(expr) = kql_parser::parse_expr(&format!("{}({text})", want.name())) else {
            return bad(self);
        };
        let empty = datafusion::common::DFSchema::empty();
        match self.plan_scalar(&expr, &empty) {
            Ok((e @ Expr::Literal(..), ty)) => Ok((e, ty)),
            _ => bad(self),
        }
    }

    /// Binds a query parameter value before planning (from `--param name=value`).
    pub fn set_parameter(&mut self, name: &str, value: Expr, ty: KqlType) {
        self.bind(name, Binding::Scalar(value, ty));
    }
}
