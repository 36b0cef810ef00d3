//! Sketches behind Kusto's approximate aggregates: [`hll`] (HyperLogLog: `dcount`,
//! `dcountif`, `hll`, `hll_if`, `hll_merge`, `dcount_hll`) and [`tdigest`] (`percentile(s)`,
//! `tdigest`, `tdigest_merge`, `percentile_tdigest`, ...). The aggregates are in
//! [`crate::aggregate_sketch`], the scalar functions on sketches in [`scalar`].
//!
//! A sketch is a `dynamic` value in Kusto. Ours is the JSON array
//! `["hll", <accuracy>, "<base64>"]` or `["tdigest", "<value type>", "<base64>"]`, the base64
//! holding this engine's binary encoding ([`hll::Hll::to_bytes`], [`TypedDigest::to_bytes`]).
//! **These values are not compatible with Kusto's**: a sketch made by Kusto cannot be read
//! here and vice versa (Kusto documents its representation as unspecified and changing).
//!
//! Values are hashed for HyperLogLog with xxhash64 (seed 0) of their canonical bytes
//! ([`hash_values`]).

pub mod hll;
pub(crate) mod scalar;
pub mod tdigest;

use base64::Engine as _;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{
    DataType, DurationNanosecondType, Float64Type, Int32Type, Int64Type, TimeUnit,
    TimestampNanosecondType,
};
use datafusion::common::{Result, ScalarValue, exec_err};
use tdigest::TDigest;
use twox_hash::XxHash64;

fn xxh(bytes: &[u8]) -> u64 {
    XxHash64::oneshot(0, bytes)
}

/// Calls `f` with the xxhash64 of each non-null value's canonical bytes, in row order, for
/// rows where `keep` (if given) is true. Canonical bytes: strings (and dynamic/guid text) as
/// UTF-8; int and long as the 8 little-endian bytes of the long (so 1 hashes the same as an
/// int or a long); reals as their IEEE bits with −0 taken as 0 and every NaN as one NaN;
/// datetimes and timespans as their nanoseconds (8 bytes); bools as one byte.
pub fn hash_values(values: &ArrayRef, mut f: impl FnMut(usize, u64)) -> Result<()> {
    macro_rules! each {
        ($arr:expr, |$v:ident| $bytes:expr) => {{
            let a = $arr;
            for i in 0..a.len() {
                if a.is_valid(i) {
                    let $v = a.value(i);
                    let b = $bytes;
                    f(i, xxh(AsRef::<[u8]>::as_ref(&b)));
                }
            }
        }};
    }
    match values.data_type() {
        DataType::Utf8 => each!(values.as_string::<i32>(), |s| s.as_bytes()),
        DataType::LargeUtf8 => each!(values.as_string::<i64>(), |s| s.as_bytes()),
        DataType::Utf8View => each!(values.as_string_view(), |s| s.as_bytes()),
        DataType::Int64 => each!(values.as_primitive::<Int64Type>(), |v| v.to_le_bytes()),
        DataType::Int32 => {
            each!(values.as_primitive::<Int32Type>(), |v| i64::from(v)
                .to_le_bytes())
        }
        DataType::Float64 => each!(values.as_primitive::<Float64Type>(), |v| {
            let v = if v == 0.0 {
                0.0
            } else if v.is_nan() {
                f64::NAN
            } else {
                v
            };
            v.to_bits().to_le_bytes()
        }),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            each!(values.as_primitive::<TimestampNanosecondType>(), |v| v
                .to_le_bytes())
        }
        DataType::Duration(TimeUnit::Nanosecond) => {
            each!(values.as_primitive::<DurationNanosecondType>(), |v| v
                .to_le_bytes())
        }
        DataType::Boolean => each!(values.as_boolean(), |v| [u8::from(v)]),
        DataType::Null => {}
        other => return exec_err!("hll: cannot hash values of type {other}"),
    }
    Ok(())
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The `dynamic` text of an hll sketch.
pub fn hll_to_dynamic(h: &hll::Hll) -> String {
    format!("[\"hll\",{},\"{}\"]", h.accuracy(), b64(&h.to_bytes()))
}

/// Parses a `dynamic` hll sketch; `None` for JSON null / empty text.
pub fn hll_from_dynamic(text: &str) -> Result<Option<hll::Hll>> {
    let Some(payload) = payload(text, "hll")? else {
        return Ok(None);
    };
    match hll::Hll::from_bytes(&payload) {
        Ok(h) => Ok(Some(h)),
        Err(e) => exec_err!("{e}"),
    }
}

/// The base64 payload of `[tag, x, "<base64>"]`; `None` for null/empty.
fn payload(text: &str, tag: &str) -> Result<Option<Vec<u8>>> {
    let t = text.trim();
    if t.is_empty() || t == "null" {
        return Ok(None);
    }
    let what = if tag == "hll" { "an hll" } else { "a tdigest" };
    let bad = || {
        exec_err!(
            "expected {what} value produced by this engine's {tag}() (sketches are not \
             compatible with Kusto's)"
        )
    };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(t) else {
        return bad();
    };
    match items.as_slice() {
        [
            serde_json::Value::String(tg),
            _,
            serde_json::Value::String(data),
        ] if tg == tag => match base64::engine::general_purpose::STANDARD.decode(data) {
            Ok(b) => Ok(Some(b)),
            Err(_) => bad(),
        },
        _ => bad(),
    }
}

/// The KQL type of a digest's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestType {
    Int,
    Long,
    Real,
    Datetime,
    Timespan,
}

impl DigestType {
    pub fn name(self) -> &'static str {
        match self {
            DigestType::Int => "int",
            DigestType::Long => "long",
            DigestType::Real => "real",
            DigestType::Datetime => "datetime",
            DigestType::Timespan => "timespan",
        }
    }

    fn code(self) -> u8 {
        match self {
            DigestType::Int => 0,
            DigestType::Long => 1,
            DigestType::Real => 2,
            DigestType::Datetime => 3,
            DigestType::Timespan => 4,
        }
    }

    fn from_code(c: u8) -> Option<DigestType> {
        Some(match c {
            0 => DigestType::Int,
            1 => DigestType::Long,
            2 => DigestType::Real,
            3 => DigestType::Datetime,
            4 => DigestType::Timespan,
            _ => return None,
        })
    }

    /// int and long digests hold the same kind of values and may be merged.
    fn compatible(self, other: DigestType) -> bool {
        let integral = |t| matches!(t, DigestType::Int | DigestType::Long);
        self == other || (integral(self) && integral(other))
    }
}

/// A t-digest with the KQL type of its values.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedDigest {
    /// int, long, datetime and timespan (nanoseconds)
    Int(DigestType, TDigest<i64>),
    Real(TDigest<f64>),
}

/// One value taken from a digest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DigestValue {
    Int(DigestType, i64),
    Real(f64),
}

impl DigestValue {
    pub fn as_f64(self) -> f64 {
        match self {
            DigestValue::Int(_, v) => v as f64,
            DigestValue::Real(v) => v,
        }
    }

    /// The value as a long (reals truncate toward zero, as `tolong` does).
    pub fn as_i64(self) -> Option<i64> {
        match self {
            DigestValue::Int(_, v) => Some(v),
            DigestValue::Real(v) if v.is_finite() => Some(v.trunc() as i64),
            DigestValue::Real(_) => None,
        }
    }

    /// JSON text of the value as a `dynamic` scalar (datetimes and timespans as strings).
    pub fn to_json(self) -> String {
        match self {
            DigestValue::Int(DigestType::Datetime, v) => {
                format!("\"{}\"", crate::format::format_datetime_nanos_full(v))
            }
            DigestValue::Int(DigestType::Timespan, v) => {
                format!("\"{}\"", crate::format::format_timespan_nanos(v))
            }
            DigestValue::Int(_, v) => v.to_string(),
            DigestValue::Real(v) if v.is_finite() => crate::format::format_real(v),
            DigestValue::Real(v) => format!("\"{}\"", crate::format::format_real(v)),
        }
    }
}

impl TypedDigest {
    pub fn new(ty: DigestType) -> TypedDigest {
        match ty {
            DigestType::Real => TypedDigest::Real(TDigest::new()),
            t => TypedDigest::Int(t, TDigest::new()),
        }
    }

    pub fn ty(&self) -> DigestType {
        match self {
            TypedDigest::Int(t, _) => *t,
            TypedDigest::Real(_) => DigestType::Real,
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            TypedDigest::Int(_, d) => d.count(),
            TypedDigest::Real(d) => d.count(),
        }
    }

    /// Adds the non-null values of an Int64 or Float64 array (NaN is skipped), each with the
    /// weight `weight(row)` (`None` or ≤ 0 skips the row).
    pub fn add_array(
        &mut self,
        values: &ArrayRef,
        weight: impl Fn(usize) -> Option<i64>,
    ) -> Result<()> {
        match (self, values.data_type()) {
            (TypedDigest::Int(_, d), DataType::Int64) => {
                let a = values.as_primitive::<Int64Type>();
                for i in 0..a.len() {
                    if let (true, Some(w)) = (a.is_valid(i), weight(i))
                        && w > 0
                    {
                        d.add(a.value(i), w as u64);
                    }
                }
            }
            (TypedDigest::Real(d), DataType::Float64) => {
                let a = values.as_primitive::<Float64Type>();
                for i in 0..a.len() {
                    if let (true, Some(w)) = (a.is_valid(i), weight(i))
                        && w > 0
                        && !a.value(i).is_nan()
                    {
                        d.add(a.value(i), w as u64);
                    }
                }
            }
            (_, DataType::Null) => {}
            (t, dt) => return exec_err!("tdigest of {} got values of type {dt}", t.ty().name()),
        }
        Ok(())
    }

    /// Merges `other` (of a compatible type) into `self`.
    pub fn merge(&mut self, other: &TypedDigest) -> Result<()> {
        if other.count() == 0 {
            return Ok(());
        }
        if self.count() == 0 && !self.ty().compatible(other.ty()) {
            *self = other.clone();
            return Ok(());
        }
        match (self, other) {
            (TypedDigest::Int(t, a), TypedDigest::Int(u, b)) if t.compatible(*u) => a.merge(b),
            (TypedDigest::Real(a), TypedDigest::Real(b)) => a.merge(b),
            (a, b) => {
                return exec_err!(
                    "cannot merge tdigests of different types ({} and {})",
                    a.ty().name(),
                    b.ty().name()
                );
            }
        }
        Ok(())
    }

    /// The P-th percentile (see [`TDigest::percentile`]).
    pub fn percentile(&mut self, p: f64) -> Option<DigestValue> {
        match self {
            TypedDigest::Int(t, d) => d.percentile(p).map(|v| DigestValue::Int(*t, v)),
            TypedDigest::Real(d) => d.percentile(p).map(DigestValue::Real),
        }
    }

    /// The number of values ≤ `v`.
    pub fn rank(&mut self, v: f64) -> u64 {
        match self {
            TypedDigest::Int(_, d) => d.rank(v),
            TypedDigest::Real(d) => d.rank(v),
        }
    }

    pub fn size(&self) -> usize {
        match self {
            TypedDigest::Int(_, d) => d.size(),
            TypedDigest::Real(d) => d.size(),
        }
    }

    /// Serializes: magic `T`, version 1, type code, then the digest.
    pub fn to_bytes(&mut self) -> Vec<u8> {
        let mut out = vec![b'T', 1, self.ty().code()];
        match self {
            TypedDigest::Int(_, d) => d.to_bytes(&mut out),
            TypedDigest::Real(d) => d.to_bytes(&mut out),
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<TypedDigest> {
        let parsed = match b {
            [b'T', 1, code, rest @ ..] => match DigestType::from_code(*code) {
                Some(DigestType::Real) => TDigest::from_bytes(rest).map(TypedDigest::Real),
                Some(t) => TDigest::from_bytes(rest).map(|d| TypedDigest::Int(t, d)),
                None => None,
            },
            _ => None,
        };
        match parsed {
            Some(d) => Ok(d),
            None => exec_err!("not a tdigest value produced by this engine"),
        }
    }

    /// The `dynamic` text of the digest.
    pub fn to_dynamic(&mut self) -> String {
        let ty = self.ty().name();
        format!("[\"tdigest\",\"{ty}\",\"{}\"]", b64(&self.to_bytes()))
    }

    /// Parses a `dynamic` digest; `None` for null/empty.
    pub fn from_dynamic(text: &str) -> Result<Option<TypedDigest>> {
        match payload(text, "tdigest")? {
            None => Ok(None),
            Some(b) => TypedDigest::from_bytes(&b).map(Some),
        }
    }
}

/// The Arrow type an aggregate's digest values are cast to.
pub fn digest_input_type(ty: DigestType) -> DataType {
    match ty {
        DigestType::Real => DataType::Float64,
        _ => DataType::Int64,
    }
}

/// A digest value as a [`ScalarValue`] of `DataType` Int64 or Float64.
pub fn value_scalar(v: Option<DigestValue>, real: bool) -> ScalarValue {
    if real {
        ScalarValue::Float64(v.map(DigestValue::as_f64))
    } else {
        ScalarValue::Int64(v.and_then(DigestValue::as_i64))
    }
}

/// Reads the Utf8 (or Utf8View/LargeUtf8) text at `i`, `None` when null.
pub(crate) fn text_at(a: &ArrayRef, i: usize) -> Option<&str> {
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(a.as_string_view().value(i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int32Array, Int64Array, StringArray};
    use std::sync::Arc;

    fn hashes(a: ArrayRef) -> Vec<u64> {
        let mut out = Vec::new();
        hash_values(&a, |_, h| out.push(h)).unwrap();
        out
    }

    #[test]
    fn canonical_hashes() {
        // int and long hash alike; -0.0 like 0.0; nulls skipped
        let l = hashes(Arc::new(Int64Array::from(vec![Some(1), None, Some(2)])));
        let i = hashes(Arc::new(Int32Array::from(vec![1, 2])));
        assert_eq!(l, i);
        let r = hashes(Arc::new(Float64Array::from(vec![
            0.0,
            -0.0,
            f64::NAN,
            -f64::NAN,
        ])));
        assert_eq!(
            (r[0] == r[1], r[2] == r[3], r[0] == r[2]),
            (true, true, false)
        );
        // strings hash their UTF-8 bytes: hash-function.md gives hash("World") = 1846988464401551951
        let s = hashes(Arc::new(StringArray::from(vec!["World"])));
        assert_eq!(s, vec![1_846_988_464_401_551_951u64]);
    }

    #[test]
    fn dynamic_round_trips() {
        let mut h = hll::Hll::new(2);
        h.insert(42);
        let t = hll_to_dynamic(&h);
        assert!(t.starts_with("[\"hll\",2,\""), "{t}");
        assert_eq!(hll_from_dynamic(&t).unwrap(), Some(h));
        assert_eq!(hll_from_dynamic("null").unwrap(), None);
        assert!(hll_from_dynamic("[1,2]").is_err());
        let mut d = TypedDigest::new(DigestType::Datetime);
        d.add_array(
            &(Arc::new(Int64Array::from(vec![5, 7])) as ArrayRef),
            |_| Some(1),
        )
        .unwrap();
        let text = d.to_dynamic();
        let mut back = TypedDigest::from_dynamic(&text).unwrap().unwrap();
        assert_eq!(back.ty(), DigestType::Datetime);
        assert_eq!(
            back.percentile(100.0),
            Some(DigestValue::Int(DigestType::Datetime, 7))
        );
        assert!(TypedDigest::from_dynamic(&t).is_err());
        let mut r = TypedDigest::new(DigestType::Real);
        assert!(d.merge(&r).is_ok()); // an empty digest merges into anything
        r.add_array(
            &(Arc::new(Float64Array::from(vec![1.5])) as ArrayRef),
            |_| Some(1),
        )
        .unwrap();
        assert!(d.merge(&r).is_err());
    }
}
