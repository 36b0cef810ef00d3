//! The ScalarUDF behind `series_periods_detect`, `series_periods_validate`, `series_seasonal`,
//! `series_outliers`, `series_decompose`, `series_decompose_anomalies` and
//! `series_decompose_forecast` (lowered in [`super::series_anomaly`]). It only handles rows,
//! arguments and nulls; the maths is in `crate::ml::{periods, outliers, decompose}`.
//!
//! The lowering passes the series first, then every numeric parameter cast to Float64 and
//! every string parameter as Utf8, in the documented order. A null (or omitted) parameter
//! takes its documented default. Results: a real series is `List<Float64>`; tuple-valued
//! functions are an Arrow `Struct` whose fields are `crate::ml::tuple_fields(name)` in order
//! (`ad_flag` and detect's `periods` are `List<Int64>`: Kusto prints them as integers); a
//! null series (or no decomposition) gives a null row.

use crate::ml::columns::{SeriesCol, TupleBuilder};
use crate::ml::decompose::{
    DecomposeParams, DecomposeScratch, Decomposition, Trend, anomalies, decompose, seasonal,
};
use crate::ml::outliers::{OutlierKind, OutlierScratch, outlier_scores};
use crate::ml::periods::PeriodScratch;
use crate::ml::{RealListBuilder, SeriesRef, long_list_type, real_list_type, tuple_fields};
use crate::udf::op_udf::{UdfOp, op_call};
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Float64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{ColumnarValue, Expr};
use std::sync::Arc;

/// The largest `num_periods` of `series_periods_detect` (the result arrays have that length;
/// our limit, the docs have none).
pub const MAX_NUM_PERIODS: f64 = 1024.0;

/// The functions of this file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnomalyOp {
    PeriodsDetect,
    PeriodsValidate,
    Seasonal,
    Outliers,
    Decompose,
    DecomposeAnomalies,
    DecomposeForecast,
}

impl AnomalyOp {
    pub fn name(self) -> &'static str {
        match self {
            AnomalyOp::PeriodsDetect => "series_periods_detect",
            AnomalyOp::PeriodsValidate => "series_periods_validate",
            AnomalyOp::Seasonal => "series_seasonal",
            AnomalyOp::Outliers => "series_outliers",
            AnomalyOp::Decompose => "series_decompose",
            AnomalyOp::DecomposeAnomalies => "series_decompose_anomalies",
            AnomalyOp::DecomposeForecast => "series_decompose_forecast",
        }
    }

    /// The Arrow result type.
    pub fn return_type(self) -> DataType {
        match self {
            AnomalyOp::Seasonal | AnomalyOp::Outliers | AnomalyOp::DecomposeForecast => {
                real_list_type()
            }
            _ => DataType::Struct(struct_fields(self)),
        }
    }
}

fn struct_fields(op: AnomalyOp) -> Fields {
    tuple_fields(op.name())
        .unwrap_or(&[])
        .iter()
        .map(|f| {
            let long = *f == "ad_flag" || (*f == "periods" && op == AnomalyOp::PeriodsDetect);
            let dt = if long {
                long_list_type()
            } else {
                real_list_type()
            };
            Field::new(*f, dt, true)
        })
        .collect()
}

/// `op(args)`; the lowering has checked and cast the arguments.
pub fn call(op: AnomalyOp, args: Vec<Expr>) -> Expr {
    op_call(op, args)
}

impl UdfOp for AnomalyOp {
    fn name(&self) -> &str {
        AnomalyOp::name(*self)
    }

    fn return_type(&self) -> DataType {
        AnomalyOp::return_type(*self)
    }

    fn eval(&self, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
        eval(*self, args, rows)
    }
}

// ---- arguments (a scalar argument is read once, not expanded per row) ----

/// A series row with nulls as NaN, written into `buf`.
fn load(s: &SeriesRef, buf: &mut Vec<f64>) {
    buf.clear();
    if s.has_nulls() {
        buf.extend((0..s.len()).map(|i| s.get(i).unwrap_or(f64::NAN)));
    } else {
        buf.extend_from_slice(s.values());
    }
}

/// An optional numeric (Float64) argument; `None` when absent or null.
enum NumCol {
    Const(Option<f64>),
    Array(ArrayRef),
}

impl NumCol {
    fn new(v: Option<&ColumnarValue>) -> Result<NumCol> {
        Ok(match v {
            None => NumCol::Const(None),
            Some(ColumnarValue::Scalar(ScalarValue::Float64(x))) => NumCol::Const(*x),
            Some(ColumnarValue::Scalar(s)) if s.is_null() => NumCol::Const(None),
            Some(ColumnarValue::Array(a)) if a.data_type() == &DataType::Float64 => {
                NumCol::Array(a.clone())
            }
            Some(other) => {
                return exec_err!("expected a real argument, got {}", other.data_type());
            }
        })
    }

    fn get(&self, i: usize) -> Option<f64> {
        match self {
            NumCol::Const(x) => *x,
            NumCol::Array(a) => {
                let a = a.as_primitive::<Float64Type>();
                (!a.is_null(i)).then(|| a.value(i))
            }
        }
    }
}

/// An optional string argument; `None` when absent or null.
enum StrCol {
    Const(Option<String>),
    Array(ArrayRef),
}

impl StrCol {
    fn new(v: Option<&ColumnarValue>) -> Result<StrCol> {
        Ok(match v {
            None => StrCol::Const(None),
            Some(ColumnarValue::Scalar(ScalarValue::Utf8(x))) => StrCol::Const(x.clone()),
            Some(ColumnarValue::Scalar(s)) if s.is_null() => StrCol::Const(None),
            Some(ColumnarValue::Array(a)) if a.data_type() == &DataType::Utf8 => {
                StrCol::Array(a.clone())
            }
            Some(other) => {
                return exec_err!("expected a string argument, got {}", other.data_type());
            }
        })
    }

    fn get(&self, i: usize) -> Option<&str> {
        match self {
            StrCol::Const(x) => x.as_deref(),
            StrCol::Array(a) => {
                let a = a.as_string::<i32>();
                (!a.is_null(i)).then(|| a.value(i))
            }
        }
    }
}

/// A count argument (test points, forecast points): negative and null count as 0, and
/// fractions are truncated (the lowering only passes integers).
fn count(v: Option<f64>) -> usize {
    match v {
        Some(x) if x.is_finite() && x > 0.0 => x as usize,
        _ => 0,
    }
}

fn trend(name: &str, v: Option<&str>) -> Result<Trend> {
    match v {
        None => Ok(Trend::Avg),
        Some(s) => match Trend::parse(s) {
            Some(t) => Ok(t),
            None => exec_err!("{name}: trend must be 'avg', 'linefit' or 'none', got '{s}'"),
        },
    }
}

fn seasonality(name: &str, v: Option<f64>) -> Result<i64> {
    match v {
        None => Ok(-1),
        Some(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 => Ok(x as i64),
        Some(x) => exec_err!("{name}: seasonality must be an integer, got {x}"),
    }
}

fn outlier_kind(
    name: &str,
    kind: Option<&str>,
    lo: Option<f64>,
    hi: Option<f64>,
) -> Result<OutlierKind> {
    match OutlierKind::parse(
        kind.unwrap_or("ctukey"),
        lo.unwrap_or(10.0),
        hi.unwrap_or(90.0),
    ) {
        Ok(k) => Ok(k),
        Err(e) => exec_err!("{}", e.replacen("series_outliers", name, 1)),
    }
}

// ---- results ----

/// [`eval`] for tests in sibling modules.
#[cfg(test)]
pub(super) fn eval_for_tests(
    op: AnomalyOp,
    args: &[ColumnarValue],
    rows: usize,
) -> Result<ArrayRef> {
    eval(op, args, rows)
}

fn eval(op: AnomalyOp, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
    let Some(first) = args.first() else {
        return exec_err!("{} expects a series argument", op.name());
    };
    let series = SeriesCol::new(first)?;
    let name = op.name();
    let mut x = Vec::new();
    match op {
        AnomalyOp::PeriodsDetect => {
            let (lo, hi, num) = (
                NumCol::new(args.get(1))?,
                NumCol::new(args.get(2))?,
                NumCol::new(args.get(3))?,
            );
            let mut t = TupleBuilder::new(struct_fields(op), rows);
            let mut sc = PeriodScratch::default();
            for i in 0..rows {
                let (Some(s), Some(lo), Some(hi), Some(num)) =
                    (series.row(i), lo.get(i), hi.get(i), num.get(i))
                else {
                    t.null_row();
                    continue;
                };
                if num > MAX_NUM_PERIODS {
                    return exec_err!(
                        "{name}: num_periods must be at most {MAX_NUM_PERIODS}, got {num}"
                    );
                }
                let k = count(Some(num));
                load(&s, &mut x);
                let found = sc
                    .analyze(&x, true)
                    .map(|a| a.detect(lo, hi, k))
                    .unwrap_or_default();
                let mut periods: Vec<i64> = found.iter().map(|p| p.0 as i64).collect();
                let mut scores: Vec<f64> = found.iter().map(|p| p.1).collect();
                periods.resize(k, 0);
                scores.resize(k, 0.0);
                t.longs(0, &periods);
                t.list(1, &scores);
            }
            t.finish()
        }
        AnomalyOp::PeriodsValidate => {
            let periods: Vec<NumCol> = args[1..]
                .iter()
                .map(|a| NumCol::new(Some(a)))
                .collect::<Result<_>>()?;
            let mut t = TupleBuilder::new(struct_fields(op), rows);
            let mut sc = PeriodScratch::default();
            for i in 0..rows {
                let Some(s) = series.row(i) else {
                    t.null_row();
                    continue;
                };
                // a null period stays null and scores 0
                let ps: Vec<Option<f64>> = periods.iter().map(|p| p.get(i)).collect();
                load(&s, &mut x);
                let scores: Vec<f64> = match sc.analyze(&x, false) {
                    Some(a) => ps.iter().map(|p| p.map_or(0.0, |p| a.score(p))).collect(),
                    None => vec![0.0; ps.len()],
                };
                t.optional_list(0, &ps);
                t.list(1, &scores);
            }
            t.finish()
        }
        AnomalyOp::Seasonal => {
            let (period, tp) = (NumCol::new(args.get(1))?, NumCol::new(args.get(2))?);
            let mut out = RealListBuilder::with_capacity(rows);
            let mut sc = DecomposeScratch::default();
            let mut y = Vec::new();
            for i in 0..rows {
                let Some(s) = series.row(i) else {
                    out.append_null();
                    continue;
                };
                let p = seasonality(name, period.get(i))?;
                load(&s, &mut x);
                match seasonal(&x, p, count(tp.get(i)), &mut sc, &mut y) {
                    Some(()) => out.append_values(&y),
                    None => out.append_null(),
                }
            }
            Ok(Arc::new(out.finish()))
        }
        AnomalyOp::Outliers => {
            let kind = StrCol::new(args.get(1))?;
            let ignore = NumCol::new(args.get(2))?;
            let (lo, hi) = (NumCol::new(args.get(3))?, NumCol::new(args.get(4))?);
            let mut out = RealListBuilder::with_capacity(rows);
            let mut sc = OutlierScratch::default();
            let (mut vals, mut y) = (Vec::new(), Vec::new());
            for i in 0..rows {
                let Some(s) = series.row(i) else {
                    out.append_null();
                    continue;
                };
                let k = outlier_kind(name, kind.get(i), lo.get(i), hi.get(i))?;
                vals.clear();
                vals.extend((0..s.len()).map(|j| s.get(j)));
                outlier_scores(&vals, vals.len(), ignore.get(i), k, &mut sc, &mut y);
                out.append_values(&y);
            }
            Ok(Arc::new(out.finish()))
        }
        AnomalyOp::Decompose | AnomalyOp::DecomposeAnomalies | AnomalyOp::DecomposeForecast => {
            decompose_rows(op, &series, args, rows)
        }
    }
}

/// The parameter positions of the decomposition functions (after the series).
struct DecomposeArgs {
    threshold: NumCol,
    seasonality: NumCol,
    trend: StrCol,
    test_points: NumCol,
    method: StrCol,
    seasonality_threshold: NumCol,
}

impl DecomposeArgs {
    fn new(op: AnomalyOp, a: &[ColumnarValue]) -> Result<DecomposeArgs> {
        let n = |i: usize| NumCol::new(a.get(i));
        let s = |i: usize| StrCol::new(a.get(i));
        Ok(match op {
            // (series, seasonality, trend, test_points, seasonality_threshold)
            AnomalyOp::Decompose => DecomposeArgs {
                threshold: NumCol::Const(None),
                seasonality: n(1)?,
                trend: s(2)?,
                test_points: n(3)?,
                method: StrCol::Const(None),
                seasonality_threshold: n(4)?,
            },
            // (series, threshold, seasonality, trend, test_points, method, threshold)
            AnomalyOp::DecomposeAnomalies => DecomposeArgs {
                threshold: n(1)?,
                seasonality: n(2)?,
                trend: s(3)?,
                test_points: n(4)?,
                method: s(5)?,
                seasonality_threshold: n(6)?,
            },
            // (series, points, seasonality, trend, seasonality_threshold)
            _ => DecomposeArgs {
                threshold: NumCol::Const(None),
                test_points: n(1)?,
                seasonality: n(2)?,
                trend: s(3)?,
                method: StrCol::Const(None),
                seasonality_threshold: n(4)?,
            },
        })
    }

    fn params(&self, name: &str, i: usize) -> Result<DecomposeParams> {
        Ok(DecomposeParams {
            seasonality: seasonality(name, self.seasonality.get(i))?,
            trend: trend(name, self.trend.get(i))?,
            test_points: count(self.test_points.get(i)),
            seasonality_threshold: self.seasonality_threshold.get(i).unwrap_or(0.6),
        })
    }
}

fn decompose_rows(
    op: AnomalyOp,
    series: &SeriesCol,
    args: &[ColumnarValue],
    rows: usize,
) -> Result<ArrayRef> {
    let name = op.name();
    let a = DecomposeArgs::new(op, args)?;
    let mut sc = DecomposeScratch::default();
    let mut d = Decomposition::default();
    let mut x = Vec::new();
    let (mut scores, mut flags) = (Vec::new(), Vec::new());
    let mut tuple =
        (op != AnomalyOp::DecomposeForecast).then(|| TupleBuilder::new(struct_fields(op), rows));
    let mut list = RealListBuilder::with_capacity(rows);
    for i in 0..rows {
        let params = a.params(name, i)?;
        let kind = if op == AnomalyOp::DecomposeAnomalies {
            match a.method.get(i) {
                None => OutlierKind::DEFAULT,
                Some(m) => outlier_kind(name, Some(m), None, None)?,
            }
        } else {
            OutlierKind::DEFAULT
        };
        let done = match series.row(i) {
            Some(s) => {
                load(&s, &mut x);
                decompose(&x, &params, &mut sc, &mut d).is_some()
            }
            None => false,
        };
        match (&mut tuple, done) {
            (Some(t), false) => t.null_row(),
            (None, false) => list.append_null(),
            (None, true) => list.append_values(&d.baseline),
            (Some(t), true) if op == AnomalyOp::Decompose => {
                t.list(0, &d.baseline);
                t.list(1, &d.seasonal);
                t.list(2, &d.trend);
                t.list(3, &d.residual);
            }
            (Some(t), true) => {
                let threshold = a.threshold.get(i).unwrap_or(1.5);
                let learn = x.len().saturating_sub(params.test_points);
                anomalies(
                    &d.residual,
                    learn,
                    threshold,
                    kind,
                    &mut sc.outliers,
                    &mut scores,
                    &mut flags,
                );
                t.longs(0, &flags);
                t.list(1, &scores);
                t.list(2, &d.baseline);
            }
        }
    }
    match tuple {
        Some(t) => t.finish(),
        None => Ok(Arc::new(list.finish())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_struct_fields_follow_the_registry() {
        for op in [
            AnomalyOp::PeriodsDetect,
            AnomalyOp::PeriodsValidate,
            AnomalyOp::Decompose,
            AnomalyOp::DecomposeAnomalies,
        ] {
            let DataType::Struct(f) = op.return_type() else {
                panic!("{op:?} is not a struct");
            };
            let names: Vec<&str> = f.iter().map(|f| f.name().as_str()).collect();
            assert_eq!(Some(names.as_slice()), tuple_fields(op.name()));
        }
    }
}
