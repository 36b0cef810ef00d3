//! Lowering of KQL calls to DataFusion expressions.
//!
//! The planner hands over already-lowered arguments with their KQL types; these functions
//! return the DataFusion expression and its KQL type, or `Ok(None)` when the name is not a
//! function of this kind (so the planner can report "unknown function" with a span).
//!
//! Scalar families live in [`crate::scalar`], aggregates in [`crate::aggregate`], string
//! operators in [`crate::string_ops`].

use crate::types::KqlType;
use datafusion::logical_expr::Expr;

/// A lowered argument.
#[derive(Clone, Debug)]
pub struct Arg {
    pub expr: Expr,
    pub ty: KqlType,
    /// The argument when it is a literal (needed for e.g. `bin(x, 1h)`, `percentile(x, 95)`).
    pub literal: Option<datafusion::scalar::ScalarValue>,
    /// The argument's result name (Kusto's `GetExpressionResultName`): the column name when
    /// the argument is a plain column reference; used for default result names (`sum_x`).
    pub column: Option<String>,
}

impl Arg {
    /// An argument that is neither a literal nor a column (convenient in tests).
    pub fn expr(expr: Expr, ty: KqlType) -> Arg {
        Arg {
            expr,
            ty,
            literal: None,
            column: None,
        }
    }

    /// A literal argument.
    pub fn lit(value: datafusion::scalar::ScalarValue, ty: KqlType) -> Arg {
        Arg {
            expr: Expr::Literal(value.clone(), None),
            ty,
            literal: Some(value),
            column: None,
        }
    }

    /// A column argument.
    pub fn column(name: &str, ty: KqlType) -> Arg {
        Arg {
            expr: datafusion::prelude::col(name),
            ty,
            literal: None,
            column: Some(name.to_string()),
        }
    }
}

/// Per-query facts functions may need.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// `now()` for this query, in Unix nanoseconds (fixed once per query).
    pub now_nanos: i64,
}

/// The result of lowering a call.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub expr: Expr,
    pub ty: KqlType,
}

/// The result of lowering an aggregation call in `summarize`.
///
/// DataFusion's `Aggregate` accepts only aggregate calls, so each result comes in two parts:
/// `exprs[i].0` is a pure aggregate expression to put in the `Aggregate` node, and
/// `finish[i]` turns that aggregate's output column into the KQL value (for example
/// `coalesce(sum, 0)`, or a list rendered as a dynamic JSON array). The planner aggregates
/// `exprs[i].0` under an internal alias, then projects `finish[i].apply(col(alias))` named
/// `names[i]`. `exprs[i].1` is the KQL type of the *finished* value.
#[derive(Clone, Debug)]
pub struct LoweredAggregate {
    /// One or more aggregate expressions (e.g. `percentiles` expands to several).
    pub exprs: Vec<(Expr, KqlType)>,
    /// Kusto's default result name(s) (`count_`, `sum_x`, `avg_x`, `percentile_x_95`).
    pub names: Vec<String>,
    /// Post-aggregation step for each entry of `exprs` (same length).
    pub finish: Vec<crate::aggregate::Finish>,
}

/// Error text for a bad call (wrong arity or types); the planner attaches the span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for CallError {}

impl CallError {
    /// A type/arity error (`KQL0301`).
    pub fn types(message: impl Into<String>) -> CallError {
        CallError {
            code: "KQL0301",
            message: message.into(),
        }
    }

    /// A known function or operator this engine does not implement yet (`KQL0302`).
    pub fn not_implemented(what: &str) -> CallError {
        CallError {
            code: "KQL0302",
            message: format!("{what} is not implemented yet"),
        }
    }
}

pub type CallResult<T> = Result<Option<T>, CallError>;

/// Lowers a scalar function call `name(args)`.
pub fn scalar_call(name: &str, args: &[Arg], cx: &CallContext) -> CallResult<Lowered> {
    crate::scalar::lower(name, args, cx)
}

/// Lowers an aggregation function call (only valid in `summarize`/`make-series`).
pub fn aggregate_call(name: &str, args: &[Arg], cx: &CallContext) -> CallResult<LoweredAggregate> {
    crate::aggregate::lower(name, args, cx)
}

/// True when `name` is an aggregation function (so `summarize` can tell aggregates from keys
/// and report aggregates used outside `summarize`).
pub fn is_aggregate(name: &str) -> bool {
    crate::aggregate::is_aggregate(name)
}
