//! The ScalarUDF behind `series_stats[_dynamic]`, `series_fit_line[_dynamic]`,
//! `series_fit_2lines[_dynamic]`, `series_fit_poly`, `series_fir`, `series_iir`, `series_fft`
//! and `series_ifft` (lowered in [`super::series_fit`]). It only handles rows, offsets and
//! nulls; the maths is in `crate::ml::{stats, fit, filter, fft}`.
//!
//! Results: a tuple-valued function is an Arrow `Struct` whose fields are
//! `crate::ml::tuple_fields(name)` in order (reals, longs for `*_idx`, `List<Float64>` for
//! the arrays); when a row has no result every field is null. A `_dynamic` variant is JSON
//! text of a property bag (reals written as JSON numbers with a fraction, `2.0`, as the docs'
//! output shows; NaN and ±inf as the strings "NaN", "Infinity", "-Infinity" like every other
//! dynamic value of this engine). The filters give `List<Float64>`.
//!
//! A null element of a series is read as NaN: the fits and `series_stats` (without
//! `ignore_nonfinite`) then have no result, and the filters and FFT propagate it.

use crate::format::format_real;
use crate::ml::columns::{SeriesCol, TupleBuilder};
use crate::ml::fft::Fft;
use crate::ml::filter::{fir, fir_coefficients, iir};
use crate::ml::fit::{LineFit, TwoLinesScratch, fit_2lines, fit_line, fit_poly};
use crate::ml::stats::series_stats;
use crate::ml::{RealListBuilder, SeriesRef, real_list_type, tuple_fields};
use crate::udf::op_udf::{UdfOp, op_call};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{ColumnarValue, Expr};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// The functions of this file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeriesFitOp {
    Stats,
    StatsDynamic,
    FitLine,
    FitLineDynamic,
    Fit2Lines,
    Fit2LinesDynamic,
    FitPoly,
    Fir,
    Iir,
    Fft,
    Ifft,
}

impl SeriesFitOp {
    pub fn name(self) -> &'static str {
        match self {
            SeriesFitOp::Stats => "series_stats",
            SeriesFitOp::StatsDynamic => "series_stats_dynamic",
            SeriesFitOp::FitLine => "series_fit_line",
            SeriesFitOp::FitLineDynamic => "series_fit_line_dynamic",
            SeriesFitOp::Fit2Lines => "series_fit_2lines",
            SeriesFitOp::Fit2LinesDynamic => "series_fit_2lines_dynamic",
            SeriesFitOp::FitPoly => "series_fit_poly",
            SeriesFitOp::Fir => "series_fir",
            SeriesFitOp::Iir => "series_iir",
            SeriesFitOp::Fft => "series_fft",
            SeriesFitOp::Ifft => "series_ifft",
        }
    }

    /// The Arrow result type.
    pub fn return_type(self) -> DataType {
        match self {
            SeriesFitOp::StatsDynamic
            | SeriesFitOp::FitLineDynamic
            | SeriesFitOp::Fit2LinesDynamic => DataType::Utf8,
            SeriesFitOp::Fir | SeriesFitOp::Iir => real_list_type(),
            _ => DataType::Struct(struct_fields(self.name())),
        }
    }
}

/// The Arrow type of a tuple field: `*_idx` are longs, the arrays are real lists.
fn field_type(field: &str) -> DataType {
    match field {
        "min_idx" | "max_idx" | "split_idx" => DataType::Int64,
        "line_fit" | "coefficients" | "poly_fit" | "real" | "imag" => real_list_type(),
        _ => DataType::Float64,
    }
}

/// The struct fields of the tuple-valued function `name`.
fn struct_fields(name: &str) -> Fields {
    tuple_fields(name)
        .unwrap_or(&[])
        .iter()
        .map(|f| Field::new(*f, field_type(f), true))
        .collect()
}

/// `op(args)`; the lowering has checked and cast the arguments.
pub fn call(op: SeriesFitOp, args: Vec<Expr>) -> Expr {
    op_call(op, args)
}

impl UdfOp for SeriesFitOp {
    fn name(&self) -> &str {
        SeriesFitOp::name(*self)
    }

    fn return_type(&self) -> DataType {
        SeriesFitOp::return_type(*self)
    }

    fn eval(&self, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
        eval(*self, args, rows)
    }
}

// ---- argument access (a scalar argument is read once, not expanded per row) ----

/// The values of a series with null elements as NaN (zero-copy without nulls).
fn view(s: &SeriesRef) -> Cow<'_, [f64]> {
    if s.has_nulls() {
        Cow::Owned(s.with_nan())
    } else {
        Cow::Borrowed(s.values())
    }
}

/// An optional bool argument (`None` when absent or null).
enum BoolCol {
    Const(Option<bool>),
    Array(BooleanArray),
}

impl BoolCol {
    fn new(v: Option<&ColumnarValue>) -> Result<BoolCol> {
        Ok(match v {
            None => BoolCol::Const(None),
            Some(ColumnarValue::Scalar(ScalarValue::Boolean(b))) => BoolCol::Const(*b),
            Some(ColumnarValue::Scalar(ScalarValue::Null)) => BoolCol::Const(None),
            Some(ColumnarValue::Array(a)) => match a.as_boolean_opt() {
                Some(b) => BoolCol::Array(b.clone()),
                None => return exec_err!("expected a bool argument, got {}", a.data_type()),
            },
            Some(ColumnarValue::Scalar(s)) => {
                return exec_err!("expected a bool argument, got {}", s.data_type());
            }
        })
    }

    fn get(&self, i: usize) -> Option<bool> {
        match self {
            BoolCol::Const(b) => *b,
            BoolCol::Array(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// An optional long argument (`None` when absent or null).
enum LongCol {
    Const(Option<i64>),
    Array(Int64Array),
}

impl LongCol {
    fn new(v: Option<&ColumnarValue>) -> Result<LongCol> {
        Ok(match v {
            None => LongCol::Const(None),
            Some(ColumnarValue::Scalar(ScalarValue::Int64(x))) => LongCol::Const(*x),
            Some(ColumnarValue::Scalar(ScalarValue::Null)) => LongCol::Const(None),
            Some(ColumnarValue::Array(a)) => match a.as_primitive_opt::<Int64Type>() {
                Some(x) => LongCol::Array(x.clone()),
                None => return exec_err!("expected a long argument, got {}", a.data_type()),
            },
            Some(ColumnarValue::Scalar(s)) => {
                return exec_err!("expected a long argument, got {}", s.data_type());
            }
        })
    }

    fn get(&self, i: usize) -> Option<i64> {
        match self {
            LongCol::Const(x) => *x,
            LongCol::Array(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

// ---- results ----

/// A real as a JSON value: a number (with a fraction when written), or Kusto's text for NaN
/// and ±inf.
fn jreal(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or_else(|| Value::String(format_real(v)), Value::Number)
}

fn jreals(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|&x| jreal(x)).collect())
}

fn bag(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<String, Value>>(),
    )
}

/// The `series_fit_line` fields as bag entries (without `line_fit`), in that function's
/// order.
fn line_entries(f: &LineFit) -> Vec<(&'static str, Value)> {
    vec![
        ("rsquare", jreal(f.rsquare)),
        ("slope", jreal(f.slope)),
        ("variance", jreal(f.variance)),
        ("rvariance", jreal(f.rvariance)),
        ("interception", jreal(f.interception)),
    ]
}

/// One side of the `series_fit_2lines_dynamic` bag, in the docs' order (rsquare, slope,
/// interception, variance, rvariance; also the tuple's `right_*` / `left_*` order).
fn side_entries(f: &LineFit) -> Vec<(&'static str, Value)> {
    vec![
        ("rsquare", jreal(f.rsquare)),
        ("slope", jreal(f.slope)),
        ("interception", jreal(f.interception)),
        ("variance", jreal(f.variance)),
        ("rvariance", jreal(f.rvariance)),
    ]
}

/// [`eval`] for tests in sibling modules.
#[cfg(test)]
pub(super) fn eval_for_tests(
    op: SeriesFitOp,
    args: &[ColumnarValue],
    rows: usize,
) -> Result<ArrayRef> {
    eval(op, args, rows)
}

fn eval(op: SeriesFitOp, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef> {
    let Some(first) = args.first() else {
        return exec_err!("{} expects a series argument", op.name());
    };
    let series = SeriesCol::new(first)?;
    match op {
        SeriesFitOp::Stats | SeriesFitOp::StatsDynamic => {
            let ignore = BoolCol::new(args.get(1))?;
            stats(op, &series, &ignore, rows)
        }
        SeriesFitOp::FitLine | SeriesFitOp::FitLineDynamic => line(op, &series, rows),
        SeriesFitOp::Fit2Lines | SeriesFitOp::Fit2LinesDynamic => two_lines(op, &series, rows),
        SeriesFitOp::FitPoly => {
            let x = args.get(1).map(SeriesCol::new).transpose()?;
            let degree = LongCol::new(args.get(2))?;
            poly(&series, x.as_ref(), &degree, rows)
        }
        SeriesFitOp::Fir => {
            let Some(filter) = args.get(1) else {
                return exec_err!("series_fir expects a filter");
            };
            let filter = SeriesCol::new(filter)?;
            let normalize = BoolCol::new(args.get(2))?;
            let center = BoolCol::new(args.get(3))?;
            fir_rows(&series, &filter, &normalize, &center, rows)
        }
        SeriesFitOp::Iir => {
            let (Some(b), Some(a)) = (args.get(1), args.get(2)) else {
                return exec_err!("series_iir expects numerators and denominators");
            };
            iir_rows(&series, &SeriesCol::new(b)?, &SeriesCol::new(a)?, rows)
        }
        SeriesFitOp::Fft | SeriesFitOp::Ifft => {
            let im = args.get(1).map(SeriesCol::new).transpose()?;
            fft_rows(op == SeriesFitOp::Ifft, &series, im.as_ref(), rows)
        }
    }
}

fn stats(op: SeriesFitOp, series: &SeriesCol, ignore: &BoolCol, rows: usize) -> Result<ArrayRef> {
    let dynamic = op == SeriesFitOp::StatsDynamic;
    let mut t = TupleBuilder::new(
        struct_fields("series_stats"),
        if dynamic { 0 } else { rows },
    );
    let mut j = StringBuilder::new();
    for i in 0..rows {
        let st = series
            .row(i)
            .and_then(|s| series_stats(&view(&s), ignore.get(i).unwrap_or(false)));
        if dynamic {
            // the docs: null when non-finite values are present (without ignore_nonfinite)
            let Some(st) = st else {
                j.append_null();
                continue;
            };
            let m = st.summary;
            let opt =
                |f: &dyn Fn(&crate::ml::stats::Summary) -> Value| m.as_ref().map_or(Value::Null, f);
            let b = bag(vec![
                ("min", opt(&|m| jreal(m.min))),
                ("min_idx", opt(&|m| Value::from(m.min_idx))),
                ("max", opt(&|m| jreal(m.max))),
                ("max_idx", opt(&|m| Value::from(m.max_idx))),
                ("avg", opt(&|m| jreal(m.avg))),
                ("stdev", opt(&|m| jreal(m.stdev))),
                ("variance", opt(&|m| jreal(m.variance))),
                ("sum", jreal(st.sum)),
                ("len", Value::from(st.len)),
            ]);
            j.append_value(b.to_string());
            continue;
        }
        match st.and_then(|s| s.summary) {
            None => t.null_row(),
            Some(m) => {
                t.real(0, m.min);
                t.long(1, m.min_idx);
                t.real(2, m.max);
                t.long(3, m.max_idx);
                t.real(4, m.avg);
                t.real(5, m.stdev);
                t.real(6, m.variance);
            }
        }
    }
    if dynamic {
        Ok(Arc::new(j.finish()))
    } else {
        t.finish()
    }
}

fn line(op: SeriesFitOp, series: &SeriesCol, rows: usize) -> Result<ArrayRef> {
    let dynamic = op == SeriesFitOp::FitLineDynamic;
    let mut t = TupleBuilder::new(
        struct_fields("series_fit_line"),
        if dynamic { 0 } else { rows },
    );
    let mut j = StringBuilder::new();
    let mut fitted = Vec::new();
    for i in 0..rows {
        let f = series.row(i).and_then(|s| fit_line(&view(&s), &mut fitted));
        match (f, dynamic) {
            (None, true) => j.append_null(),
            (None, false) => t.null_row(),
            (Some(f), true) => {
                let mut e = line_entries(&f);
                e.push(("line_fit", jreals(&fitted)));
                j.append_value(bag(e).to_string());
            }
            (Some(f), false) => {
                t.real(0, f.rsquare);
                t.real(1, f.slope);
                t.real(2, f.variance);
                t.real(3, f.rvariance);
                t.real(4, f.interception);
                t.list(5, &fitted);
            }
        }
    }
    if dynamic {
        Ok(Arc::new(j.finish()))
    } else {
        t.finish()
    }
}

fn two_lines(op: SeriesFitOp, series: &SeriesCol, rows: usize) -> Result<ArrayRef> {
    let dynamic = op == SeriesFitOp::Fit2LinesDynamic;
    let mut t = TupleBuilder::new(
        struct_fields("series_fit_2lines"),
        if dynamic { 0 } else { rows },
    );
    let mut j = StringBuilder::new();
    let mut fitted = Vec::new();
    let mut scratch = TwoLinesScratch::default();
    for i in 0..rows {
        let f = series
            .row(i)
            .and_then(|s| fit_2lines(&view(&s), &mut fitted, &mut scratch));
        match (f, dynamic) {
            (None, true) => j.append_null(),
            (None, false) => t.null_row(),
            (Some(f), true) => {
                // nested left/right bags (the docs' `right.rsquare`, `left.slope`)
                let b = bag(vec![
                    ("rsquare", jreal(f.rsquare)),
                    ("split_idx", Value::from(f.split_idx)),
                    ("variance", jreal(f.variance)),
                    ("rvariance", jreal(f.rvariance)),
                    ("line_fit", jreals(&fitted)),
                    ("right", bag(side_entries(&f.right))),
                    ("left", bag(side_entries(&f.left))),
                ]);
                j.append_value(b.to_string());
            }
            (Some(f), false) => {
                t.real(0, f.rsquare);
                t.long(1, f.split_idx);
                t.real(2, f.variance);
                t.real(3, f.rvariance);
                t.list(4, &fitted);
                for (k, side) in [f.right, f.left].iter().enumerate() {
                    let base = 5 + 5 * k;
                    t.real(base, side.rsquare);
                    t.real(base + 1, side.slope);
                    t.real(base + 2, side.interception);
                    t.real(base + 3, side.variance);
                    t.real(base + 4, side.rvariance);
                }
            }
        }
    }
    if dynamic {
        Ok(Arc::new(j.finish()))
    } else {
        t.finish()
    }
}

fn poly(
    series: &SeriesCol,
    x: Option<&SeriesCol>,
    degree: &LongCol,
    rows: usize,
) -> Result<ArrayRef> {
    let mut t = TupleBuilder::new(struct_fields("series_fit_poly"), rows);
    for i in 0..rows {
        // degree defaults to 1 (the docs); a negative degree has no fit
        let deg = usize::try_from(degree.get(i).unwrap_or(1)).ok();
        // a null x (e.g. `dynamic(null)`) means the default x = 1..n, like an omitted one
        let xs = x.and_then(|c| c.row(i));
        let f = match (series.row(i), deg) {
            (Some(y), Some(d)) => {
                let xv = xs.as_ref().map(view);
                fit_poly(&view(&y), xv.as_deref(), d)
            }
            _ => None,
        };
        match f {
            None => t.null_row(),
            Some(f) => {
                t.real(0, f.rsquare);
                t.list(1, &f.coefficients);
                t.real(2, f.variance);
                t.real(3, f.rvariance);
                t.list(4, &f.poly_fit);
            }
        }
    }
    t.finish()
}

fn fir_rows(
    series: &SeriesCol,
    filter: &SeriesCol,
    normalize: &BoolCol,
    center: &BoolCol,
    rows: usize,
) -> Result<ArrayRef> {
    let mut out = RealListBuilder::with_capacity(rows);
    let mut y = Vec::new();
    // a constant filter and flag (the usual case) is prepared once
    let constant = filter.is_constant() && matches!(normalize, BoolCol::Const(_));
    let prepared = constant
        .then(|| {
            filter
                .row(0)
                .and_then(|f| fir_coefficients(&view(&f), normalize.get(0)))
        })
        .flatten();
    for i in 0..rows {
        let h = if constant {
            prepared.as_deref().map(Cow::Borrowed)
        } else {
            filter
                .row(i)
                .and_then(|f| fir_coefficients(&view(&f), normalize.get(i)))
                .map(Cow::Owned)
        };
        match (series.row(i), h) {
            (Some(s), Some(h)) => {
                fir(&view(&s), &h, center.get(i).unwrap_or(false), &mut y);
                out.append_values(&y);
            }
            _ => out.append_null(),
        }
    }
    Ok(Arc::new(out.finish()))
}

fn iir_rows(series: &SeriesCol, b: &SeriesCol, a: &SeriesCol, rows: usize) -> Result<ArrayRef> {
    let mut out = RealListBuilder::with_capacity(rows);
    let mut y = Vec::new();
    for i in 0..rows {
        let ok = match (series.row(i), b.row(i), a.row(i)) {
            (Some(s), Some(b), Some(a)) => iir(&view(&s), &view(&b), &view(&a), &mut y),
            _ => false,
        };
        if ok {
            out.append_values(&y);
        } else {
            out.append_null();
        }
    }
    Ok(Arc::new(out.finish()))
}

fn fft_rows(
    inverse: bool,
    re: &SeriesCol,
    im: Option<&SeriesCol>,
    rows: usize,
) -> Result<ArrayRef> {
    let name = if inverse { "series_ifft" } else { "series_fft" };
    let mut t = TupleBuilder::new(struct_fields(name), rows);
    let mut fft = Fft::default();
    let (mut out_re, mut out_im) = (Vec::new(), Vec::new());
    for i in 0..rows {
        let Some(r) = re.row(i) else {
            t.null_row();
            continue;
        };
        // a null imaginary part (e.g. `dynamic(null)`) is taken as absent
        let imag = im.and_then(|c| c.row(i));
        let iv = imag.as_ref().map(view);
        match fft.transform(&view(&r), iv.as_deref(), inverse, &mut out_re, &mut out_im) {
            Some(()) => {
                t.list(0, &out_re);
                t.list(1, &out_im);
            }
            None => t.null_row(),
        }
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringArray;

    fn dynamic(json: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(json.to_string())))
    }

    fn text(a: &ArrayRef, i: usize) -> String {
        a.as_string::<i32>().value(i).to_string()
    }

    #[test]
    fn stats_dynamic_bag_keys_and_forms() {
        let a = eval(SeriesFitOp::StatsDynamic, &[dynamic("[1, 2, 3, 4]")], 1).unwrap();
        // avg 2.5, variance 5/3, stdev sqrt(5/3)
        let v: Value = serde_json::from_str(&text(&a, 0)).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "min", "min_idx", "max", "max_idx", "avg", "stdev", "variance", "sum", "len"
            ]
        );
        assert!(
            text(&a, 0).starts_with(r#"{"min":1.0,"min_idx":0,"max":4.0,"max_idx":3,"avg":2.5,"#)
        );
        assert!(text(&a, 0).ends_with(r#""sum":10.0,"len":4}"#));
        // a null element without ignore_nonfinite: null; with it: skipped
        let a = eval(SeriesFitOp::StatsDynamic, &[dynamic("[1, null, 3]")], 1).unwrap();
        assert!(a.is_null(0));
        let a = eval(
            SeriesFitOp::StatsDynamic,
            &[
                dynamic("[1, null, 3]"),
                ColumnarValue::Scalar(ScalarValue::Boolean(Some(true))),
            ],
            1,
        )
        .unwrap();
        assert_eq!(
            text(&a, 0),
            r#"{"min":1.0,"min_idx":0,"max":3.0,"max_idx":2,"avg":2.0,"stdev":1.4142135623730951,"variance":2.0,"sum":4.0,"len":3}"#
        );
        let a = eval(SeriesFitOp::StatsDynamic, &[dynamic("[]")], 1).unwrap();
        assert_eq!(
            text(&a, 0),
            r#"{"min":null,"min_idx":null,"max":null,"max_idx":null,"avg":null,"stdev":null,"variance":null,"sum":0.0,"len":0}"#
        );
    }

    #[test]
    fn tuple_struct_fields_follow_the_registry() {
        for op in [
            SeriesFitOp::Stats,
            SeriesFitOp::FitLine,
            SeriesFitOp::Fit2Lines,
            SeriesFitOp::FitPoly,
            SeriesFitOp::Fft,
            SeriesFitOp::Ifft,
        ] {
            let DataType::Struct(f) = op.return_type() else {
                panic!("{op:?} is not a struct");
            };
            let names: Vec<&str> = f.iter().map(|f| f.name().as_str()).collect();
            assert_eq!(Some(names.as_slice()), tuple_fields(op.name()));
        }
    }

    #[test]
    fn columns_of_series() {
        // two rows: a fit and a null series
        let col = ColumnarValue::Array(Arc::new(StringArray::from(vec![
            Some("[1, 3, 5, 7]"),
            None,
        ])));
        let a = eval(SeriesFitOp::FitLine, &[col], 2).unwrap();
        let s = a.as_struct();
        let slope = s
            .column(1)
            .as_primitive::<datafusion::arrow::datatypes::Float64Type>();
        assert_eq!(slope.value(0), 2.0);
        assert!(slope.is_null(1));
        let fit = s.column(5).as_list::<i32>();
        assert!(fit.is_null(1));
        let f0 = fit.value(0);
        let f0 = f0.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
        assert_eq!(f0.values().to_vec(), vec![1.0, 3.0, 5.0, 7.0]);
    }
}
