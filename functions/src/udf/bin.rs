//! `bin(value, size)` and `bin_at(value, size, origin)`: the largest `origin + k·size`
//! not above `value`. Null value/size/origin, and a size ≤ 0, give null (docs: "a null bin
//! size, or a negative bin size will result in null"; a zero size has no multiples).
//!
//! Integer-like values (Int64, Duration(ns), Timestamp(ns)) are computed exactly in i128;
//! datetimes default to Kusto's origin 0001-01-01T00:00:00Z.

use super::{longs, reals};
use crate::format::KQL_ORIGIN_NANOS;
use datafusion::arrow::array::{Array, ArrayRef, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use std::sync::Arc;

pub(super) fn bin(
    value: &ArrayRef,
    size: &ArrayRef,
    origin: Option<&ArrayRef>,
    ret: &DataType,
) -> Result<ArrayRef> {
    if matches!(ret, DataType::Float64) {
        let v = reals(value)?;
        let s = reals(size)?;
        let o = origin.map(reals).transpose()?;
        let out: Float64Array = (0..v.len())
            .map(|i| {
                if v.is_null(i) || s.is_null(i) || o.as_ref().is_some_and(|o| o.is_null(i)) {
                    return None;
                }
                let (x, sz) = (v.value(i), s.value(i));
                let org = o.as_ref().map_or(0.0, |o| o.value(i));
                // NaN sizes fail this test too
                if sz.is_nan() || sz <= 0.0 {
                    return None;
                }
                Some(((x - org) / sz).floor() * sz + org)
            })
            .collect();
        return Ok(Arc::new(out));
    }
    let is_datetime = matches!(ret, DataType::Timestamp(..));
    let v = longs(value)?;
    let s = longs(size)?;
    let o = origin.map(longs).transpose()?;
    if let Some(out) = bin_one_size(&v, &s, o.as_ref(), is_datetime) {
        return Ok(cast(&(Arc::new(out) as ArrayRef), ret)?);
    }
    let out: Int64Array = (0..v.len())
        .map(|i| {
            if v.is_null(i) || s.is_null(i) || o.as_ref().is_some_and(|o| o.is_null(i)) {
                return None;
            }
            let sz = i128::from(s.value(i));
            if sz <= 0 {
                return None;
            }
            let org = match &o {
                Some(o) => i128::from(o.value(i)),
                None if is_datetime => KQL_ORIGIN_NANOS,
                None => 0,
            };
            let x = i128::from(v.value(i));
            let r = (x - org).div_euclid(sz) * sz + org;
            i64::try_from(r).ok()
        })
        .collect();
    Ok(cast(&(Arc::new(out) as ArrayRef), ret)?)
}

/// The common case of one positive size and one origin for every row (a literal `1h`, the
/// default origin): `x − ((x − origin) mod size)`, with the origin reduced modulo the size once,
/// in i64 instead of the general path's i128 per row. `None` when sizes or origins vary or
/// are null.
fn bin_one_size(
    v: &Int64Array,
    s: &Int64Array,
    o: Option<&Int64Array>,
    is_datetime: bool,
) -> Option<Int64Array> {
    let constant = |a: &Int64Array| -> Option<i64> {
        let first = *a.values().first()?;
        (a.null_count() == 0 && a.values().iter().all(|&x| x == first)).then_some(first)
    };
    let size = constant(s).filter(|&sz| sz > 0)?;
    let origin = match o {
        Some(o) => i128::from(constant(o)?),
        None if is_datetime => KQL_ORIGIN_NANOS,
        None => 0,
    };
    let shift = i64::try_from(origin.rem_euclid(i128::from(size))).ok()?;
    Some(v.unary_opt(|x| {
        let r = (x.rem_euclid(size) - shift).rem_euclid(size);
        x.checked_sub(r)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-size path gives what the general (i128) path gives, over values near both
    /// ends of i64, negative values, sizes that do and do not divide the origin, and nulls.
    #[test]
    fn one_size_matches_the_general_path() {
        let values: Vec<Option<i64>> = vec![
            Some(0),
            Some(1),
            Some(-1),
            Some(i64::MIN),
            Some(i64::MIN + 1),
            Some(i64::MAX),
            Some(1_700_000_000_123_456_789),
            Some(-6_213_559_680_000_000_000),
            None,
            Some(3_599_999_999_999),
            Some(-3_600_000_000_001),
        ];
        let n = values.len();
        let v: ArrayRef = Arc::new(Int64Array::from(values));
        for size in [
            1i64,
            7,
            1_000,
            3_600_000_000_000,
            86_400_000_000_000,
            i64::MAX,
        ] {
            for origin in [None, Some(0i64), Some(-5), Some(1_234_567), Some(i64::MIN)] {
                for ret in [
                    DataType::Int64,
                    DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Nanosecond, None),
                ] {
                    let s: ArrayRef = Arc::new(Int64Array::from(vec![size; n]));
                    let o: Option<ArrayRef> =
                        origin.map(|x| Arc::new(Int64Array::from(vec![x; n])) as ArrayRef);
                    let got = bin(&v, &s, o.as_ref(), &ret).unwrap();
                    // the general path: sizes that are not all equal (one extra row)
                    let mut vals: Vec<Option<i64>> = (0..n)
                        .map(|i| {
                            let a = v.as_any().downcast_ref::<Int64Array>().unwrap();
                            a.is_valid(i).then(|| a.value(i))
                        })
                        .collect();
                    vals.push(Some(0));
                    let mut sizes = vec![size; n];
                    sizes.push(2);
                    let v2: ArrayRef = Arc::new(Int64Array::from(vals));
                    let s2: ArrayRef = Arc::new(Int64Array::from(sizes));
                    let o2: Option<ArrayRef> =
                        origin.map(|x| Arc::new(Int64Array::from(vec![x; n + 1])) as ArrayRef);
                    let want = bin(&v2, &s2, o2.as_ref(), &ret).unwrap().slice(0, n);
                    assert_eq!(
                        got.to_data(),
                        want.to_data(),
                        "size {size}, origin {origin:?}, {ret}"
                    );
                }
            }
        }
    }
}
