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
