//! Scalar function lowering, by family. Each family's `lower` returns `Ok(None)` for names it
//! does not own.

mod bitwise;
mod conditional;
mod conversion;
mod datetime;
mod dynamic;
pub(crate) mod dynamic_ops;
mod encoding;
mod hash;
mod ip;
mod math;
mod math2;
mod misc;
mod punycode;
mod series_anomaly;
mod series_anomaly_udf;
mod series_elem;
mod series_elem_fill;
mod series_elem_vec;
mod series_fit;
mod series_fit_udf;
mod string;
mod string2;
mod units;

pub use conversion::tostring_expr;
pub use dynamic::dynamic_access;

use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{Cast, Expr, TryCast};
use datafusion::scalar::ScalarValue;

pub(crate) fn lower(name: &str, args: &[Arg], cx: &CallContext) -> CallResult<Lowered> {
    for family in [
        string2::lower,
        misc::lower,
        dynamic_ops::lower,
        string::lower,
        conversion::lower,
        datetime::lower,
        conditional::lower,
        math::lower,
        math2::lower,
        dynamic::lower,
        hash::lower,
        bitwise::lower,
        ip::lower,
        encoding::lower,
        units::lower,
        punycode::lower,
        series_fit::lower,
        series_elem::lower,
        series_anomaly::lower,
        crate::sketch::scalar::lower,
    ] {
        if let Some(l) = family(name, args, cx)? {
            return Ok(Some(l));
        }
    }
    Ok(None)
}

// ---- helpers shared by the families ----

pub(crate) fn ok(expr: Expr, ty: KqlType) -> CallResult<Lowered> {
    Ok(Some(Lowered { expr, ty }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "argument" } else { "arguments" }
}

/// Checks the argument count: "`strlen` expects 1 argument (string), got 2".
pub(crate) fn arity(
    name: &str,
    args: &[Arg],
    min: usize,
    max: usize,
    sig: &str,
) -> Result<(), CallError> {
    let n = args.len();
    if n >= min && n <= max {
        return Ok(());
    }
    let count = if min == max {
        format!("{min} {}", plural(min))
    } else if max == usize::MAX {
        format!("at least {min} {}", plural(min))
    } else {
        format!("{min} to {max} arguments")
    };
    Err(CallError::types(format!(
        "`{name}` expects {count} ({sig}), got {n}"
    )))
}

/// "`strlen` expects a string as argument 1, got long".
pub(crate) fn type_error(name: &str, index: usize, expected: &str, got: KqlType) -> CallError {
    CallError::types(format!(
        "`{name}` expects {expected} as argument {}, got {got}",
        index + 1
    ))
}

pub(crate) fn cast(e: Expr, dt: DataType) -> Expr {
    Expr::Cast(Cast::new(Box::new(e), dt))
}

pub(crate) fn try_cast(e: Expr, dt: DataType) -> Expr {
    Expr::TryCast(TryCast::new(Box::new(e), dt))
}

pub(crate) fn lit(v: ScalarValue) -> Expr {
    Expr::Literal(v, None)
}

pub(crate) fn is_string_like(t: KqlType) -> bool {
    matches!(t, KqlType::String | KqlType::Guid)
}

/// The argument as a KQL string expression (non-strings converted with `tostring` rules).
pub(crate) fn string_arg(a: &Arg) -> Expr {
    tostring_expr(a)
}

/// A string argument for one of our UDF kernels, which read a null string as "" themselves:
/// a string column goes in as it is (no `coalesce` copy, and a Parquet scan's string views
/// reach the kernel uncopied); other types are converted with `tostring` rules.
pub(crate) fn kernel_string_arg(a: &Arg) -> Expr {
    match a.ty {
        KqlType::String => a.expr.clone(),
        _ => tostring_expr(a),
    }
}

/// Integer argument as Int64 (int/long only).
pub(crate) fn long_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Int | KqlType::Long => Ok(cast(args[i].expr.clone(), DataType::Int64)),
        t => Err(type_error(name, i, "an integer", t)),
    }
}

/// Numeric argument as Float64.
pub(crate) fn real_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        t if t.is_numeric() => Ok(cast(args[i].expr.clone(), DataType::Float64)),
        t => Err(type_error(name, i, "a number", t)),
    }
}

/// The common KQL type of `types` for `iff`/`case`/`coalesce` (numbers widen int < long <
/// decimal < real).
pub(crate) fn common_type(types: &[KqlType]) -> Option<KqlType> {
    let first = *types.first()?;
    if types.iter().all(|t| *t == first) {
        return Some(first);
    }
    if types.iter().all(|t| t.is_numeric()) {
        let rank = |t: &KqlType| match t {
            KqlType::Int => 0,
            KqlType::Long => 1,
            KqlType::Decimal => 2,
            _ => 3,
        };
        return types.iter().max_by_key(|t| rank(t)).copied();
    }
    if types.iter().all(|t| is_string_like(*t)) {
        return Some(KqlType::String);
    }
    None
}

/// The argument converted to the KQL type `to` (for branches of `iff`, `case`, …).
pub(crate) fn coerce(a: &Arg, to: KqlType) -> Expr {
    if a.ty == to {
        a.expr.clone()
    } else {
        cast(a.expr.clone(), to.arrow_type())
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use crate::lower::CallContext;
    use datafusion::arrow::array::{Array, ArrayRef};
    use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
    use datafusion::logical_expr::Expr;
    use datafusion::prelude::SessionContext;

    pub fn cx() -> CallContext {
        // 2024-01-10T12:00:00Z
        CallContext {
            now_nanos: (19_732 * 86_400 + 12 * 3600) * 1_000_000_000,
        }
    }

    /// Evaluates `expr` on a one-row empty input and returns the result column.
    pub async fn eval(expr: Expr) -> ArrayRef {
        let ctx = SessionContext::new();
        let df = ctx
            .read_empty()
            .and_then(|d| d.select(vec![expr.alias("v")]))
            .unwrap_or_else(|e| panic!("plan: {e}"));
        let batches = df.collect().await.unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(batches.len(), 1);
        batches[0].column(0).clone()
    }

    /// Arrow's display text of row 0 ("NULL" for null).
    pub fn text(a: &ArrayRef) -> String {
        if a.is_null(0) {
            return "NULL".to_string();
        }
        let f = ArrayFormatter::try_new(a.as_ref(), &FormatOptions::default())
            .unwrap_or_else(|e| panic!("fmt: {e}"));
        f.value(0).to_string()
    }

    pub async fn eval_text(expr: Expr) -> String {
        text(&eval(expr).await)
    }

    /// Lowers `name(args)` and evaluates it: `None` for null, else the KQL text (`tostring`).
    pub async fn kql(name: &str, args: &[crate::lower::Arg]) -> (Option<String>, crate::KqlType) {
        let l = match crate::lower::scalar_call(name, args, &cx()) {
            Ok(Some(l)) => l,
            Ok(None) => panic!("unknown function {name}"),
            Err(e) => panic!("{name}: {e}"),
        };
        let raw = eval(l.expr.clone()).await;
        if raw.is_null(0) {
            return (None, l.ty);
        }
        let as_text = super::tostring_expr(&crate::lower::Arg::expr(l.expr, l.ty));
        // expectations use the compact datetime form; tostring always prints 7 fraction digits
        let t = eval_text(as_text).await.replace(".0000000Z", "Z");
        (Some(t), l.ty)
    }

    /// Like [`kql`] but only the text (null → "NULL").
    pub async fn kt(name: &str, args: &[crate::lower::Arg]) -> String {
        kql(name, args)
            .await
            .0
            .unwrap_or_else(|| "NULL".to_string())
    }

    pub fn s(v: &str) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::Utf8(Some(v.to_string())),
            crate::KqlType::String,
        )
    }
    pub fn l(v: i64) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::Int64(Some(v)),
            crate::KqlType::Long,
        )
    }
    pub fn i(v: i32) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::Int32(Some(v)),
            crate::KqlType::Int,
        )
    }
    pub fn r(v: f64) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::Float64(Some(v)),
            crate::KqlType::Real,
        )
    }
    pub fn b(v: bool) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::Boolean(Some(v)),
            crate::KqlType::Bool,
        )
    }
    /// A timespan literal from ticks.
    pub fn ts(ticks: i64) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::DurationNanosecond(Some(ticks * 100)),
            crate::KqlType::Timespan,
        )
    }
    /// A datetime literal from text.
    pub fn dt(text: &str) -> crate::lower::Arg {
        let ticks = kql_parser::datetime::parse_datetime(text)
            .unwrap_or_else(|| panic!("bad datetime {text}"));
        let n = crate::types::ticks_to_unix_nanos(ticks).unwrap_or_else(|| panic!("range {text}"));
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::TimestampNanosecond(Some(n), Some("UTC".into())),
            crate::KqlType::Datetime,
        )
    }
    pub fn null(t: crate::KqlType) -> crate::lower::Arg {
        let v = datafusion::scalar::ScalarValue::try_from(&t.arrow_type())
            .unwrap_or(datafusion::scalar::ScalarValue::Null);
        crate::lower::Arg::lit(v, t)
    }
    pub fn dynamic(json: &str) -> crate::lower::Arg {
        crate::lower::Arg::lit(
            datafusion::scalar::ScalarValue::Utf8(Some(json.to_string())),
            crate::KqlType::Dynamic,
        )
    }
}
