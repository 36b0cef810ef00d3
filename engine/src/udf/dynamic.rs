//! Member access into `dynamic` values held as JSON text: `d.key`, `d['a b']`, `d[i]`, and
//! chains of them (`d.a.b[0]`), without building the JSON tree of the whole value.
//!
//! The answer is defined by the tree path: parse the whole text with serde_json into a
//! `Value` (so invalid JSON, a number out of range or nesting deeper than 128 anywhere in the
//! text gives null), take the member (for a duplicate key the later value wins), and print it
//! compactly; JSON null and a missing member give SQL null. [`member`] walks the text once
//! with serde's `deserialize_any`, so every skipped value goes through the same checks as in
//! the tree path (numbers are parsed, string escapes decoded, depth counted) but nothing is
//! built except the member itself. A negative index needs the array's length, so a path with
//! one falls back to the tree path.
//!
//! `tostring(d.k)` and `tolong(d.k)` fuse with the access ([`fuse_conversion`]): the member
//! comes out as a string or a long directly instead of as JSON text parsed again. And
//! `tostring(d.k) == "v"` ([`fuse_comparison`]) first skips the rows whose raw text can't
//! hold the answer (no `v` and no escape in it), when `v` is a value whose raw form is itself.

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, Int64Array, Int64Builder, StringArray,
    StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue, cast::as_string_array};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use kql_functions::KqlType;
use kql_functions::udf::Text;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::sync::{Arc, LazyLock};

/// One step of a member path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step<'a> {
    /// An object member by name.
    Key(&'a str),
    /// An array element; negative counts from the end.
    Index(i64),
}

/// The member at `path` of the JSON `text`, as the tree path defines it (see the module
/// docs): `None` for invalid JSON, a missing member or JSON null.
pub(crate) fn member(text: &str, path: &[Step]) -> Option<Value> {
    if path.iter().any(|s| matches!(s, Step::Index(i) if *i < 0)) {
        return tree_member(text, path);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let got = Walk(path).deserialize(&mut de).ok()?;
    de.end().ok()?;
    got.filter(|v| !v.is_null())
}

/// The tree path: parse everything, then index.
pub(crate) fn tree_member(text: &str, path: &[Step]) -> Option<Value> {
    let mut v = serde_json::from_str::<Value>(text).ok()?;
    for step in path {
        v = match (step, v) {
            (Step::Key(k), Value::Object(mut m)) => m.swap_remove(*k)?,
            (Step::Index(i), Value::Array(mut a)) => {
                let len = a.len() as i64;
                let j = if *i < 0 { len + i } else { *i };
                let j = usize::try_from(j).ok().filter(|j| *j < a.len())?;
                a.swap_remove(j)
            }
            _ => return None,
        };
    }
    Some(v).filter(|v| !v.is_null())
}

/// Walks `path` into the value being deserialized: `Some` with the member's value (JSON null
/// included), `None` when a step doesn't apply; everything else is skipped but checked.
struct Walk<'p, 'k>(&'p [Step<'k>]);

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.0.split_first() {
            None => serde::Deserialize::deserialize(d).map(Some),
            Some((step, rest)) => d.deserialize_any(WalkVisitor { step: *step, rest }),
        }
    }
}

struct WalkVisitor<'p, 'k> {
    step: Step<'k>,
    rest: &'p [Step<'k>],
}

impl<'de> Visitor<'de> for WalkVisitor<'_, '_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut got = None;
        match self.step {
            Step::Key(k) => {
                while let Some(hit) = map.next_key_seed(KeyIs(k))? {
                    if hit {
                        // a later duplicate replaces an earlier one, as in the tree
                        got = map.next_value_seed(Walk(self.rest))?;
                    } else {
                        map.next_value_seed(Skip)?;
                    }
                }
            }
            Step::Index(_) => {
                while map.next_key_seed(Skip)?.is_some() {
                    map.next_value_seed(Skip)?;
                }
            }
        }
        Ok(got)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut got = None;
        let target = match self.step {
            Step::Index(i) => u64::try_from(i).ok(),
            Step::Key(_) => None,
        };
        let mut at = 0u64;
        loop {
            if Some(at) == target {
                match seq.next_element_seed(Walk(self.rest))? {
                    Some(v) => got = v,
                    None => break,
                }
            } else if seq.next_element_seed(Skip)?.is_none() {
                break;
            }
            at += 1;
        }
        Ok(got)
    }
}

/// Is the map key `.0`? Compares the decoded key without keeping it.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<bool, E> {
        Ok(s == self.0)
    }
}

/// Reads a value through `deserialize_any` (as the tree path does) and drops it as it goes.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The UDFs

/// What a member access returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Out {
    /// The member's compact JSON text (`dynamic`), null when missing or JSON null.
    Json,
    /// `tostring(member)`: a JSON string's contents, other values' JSON text, "" when missing.
    String,
    /// `tolong(member)`: as `kql_dynamic_tolong` converts the member's JSON text.
    Long,
}

/// `kql_dynamic_get(target, step, step, ...)`: each step a string (member name) or a long
/// (array index).
#[derive(Debug, PartialEq, Eq, Hash)]
struct DynamicPath {
    out: Out,
    signature: Signature,
}

const GET_NAME: &str = "kql_dynamic_get";

impl ScalarUDFImpl for DynamicPath {
    fn name(&self) -> &str {
        match self.out {
            Out::Json => GET_NAME,
            Out::String => "kql_dynamic_get_string",
            Out::Long => "kql_dynamic_get_long",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.out {
            Out::Json | Out::String => DataType::Utf8,
            Out::Long => DataType::Int64,
        })
    }
    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(match self.out {
            Out::Json => KqlType::Dynamic.field(self.name()),
            Out::String => Field::new(self.name(), DataType::Utf8, true),
            Out::Long => Field::new(self.name(), DataType::Int64, true),
        }))
    }
    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        Ok(match merged_path(&args) {
            Some(all) => ExprSimplifyResult::Simplified(udf(self.out).call(all)),
            None => ExprSimplifyResult::Original(args),
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Array(eval_path(
            self.out,
            &args.args,
            args.number_rows,
        )?))
    }
}

/// Member access over `n` rows: `args` are the target and the steps.
fn eval_path(out: Out, args: &[ColumnarValue], n: usize) -> Result<ArrayRef> {
    let Some((target, keys)) = args.split_first() else {
        return datafusion::common::exec_err!("kql_dynamic_get expects arguments");
    };
    if keys.is_empty() {
        return datafusion::common::exec_err!("kql_dynamic_get expects a member or index");
    }
    let target = Text::new(&target.to_array(n)?)?;
    let keys: Vec<KeyArg> = keys.iter().map(KeyArg::new).collect();
    let mut sink = Sink::new(out, n);
    let mut path: Vec<Step> = Vec::with_capacity(keys.len());
    let fixed = keys.iter().all(|k| matches!(k, KeyArg::Fixed(_)));
    if fixed {
        for k in &keys {
            if let KeyArg::Fixed(s) = k {
                path.push(*s);
            }
        }
    }
    for i in 0..n {
        if target.is_null(i) {
            sink.push(None);
            continue;
        }
        if !fixed {
            path.clear();
            for k in &keys {
                match k.step(i) {
                    Some(s) => path.push(s),
                    None => break,
                }
            }
            if path.len() < keys.len() {
                sink.push(None);
                continue;
            }
        }
        sink.push(member(target.str_at(i), &path).as_ref());
    }
    Ok(sink.finish())
}

fn is_get(f: &ScalarFunction) -> bool {
    f.func.name() == GET_NAME
}

/// `d.a.b` is `get(get(d, a), b)`: the arguments of one walk along the whole path instead
/// of JSON text of `d.a` parsed again; `None` when the target isn't a member access.
fn merged_path(args: &[Expr]) -> Option<Vec<Expr>> {
    match args.split_first() {
        Some((Expr::ScalarFunction(inner), keys)) if is_get(inner) => {
            let mut all = inner.args.clone();
            all.extend(keys.iter().cloned());
            Some(all)
        }
        _ => None,
    }
}

/// A step argument: one step for all rows, or a column of them. A key of another type (or a
/// null) never matches.
enum KeyArg<'a> {
    Fixed(Step<'a>),
    Never,
    Strings(&'a StringArray),
    Longs(&'a Int64Array),
}

impl<'a> KeyArg<'a> {
    fn new(c: &'a ColumnarValue) -> KeyArg<'a> {
        match c {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(s))) => KeyArg::Fixed(Step::Key(s)),
            ColumnarValue::Scalar(ScalarValue::Int64(Some(i))) => KeyArg::Fixed(Step::Index(*i)),
            ColumnarValue::Scalar(_) => KeyArg::Never,
            ColumnarValue::Array(a) => {
                if let Some(s) = a.as_any().downcast_ref::<StringArray>() {
                    KeyArg::Strings(s)
                } else if let Some(l) = a.as_any().downcast_ref::<Int64Array>() {
                    KeyArg::Longs(l)
                } else {
                    KeyArg::Never
                }
            }
        }
    }
    fn step(&self, i: usize) -> Option<Step<'a>> {
        match self {
            KeyArg::Fixed(s) => Some(*s),
            KeyArg::Never => None,
            KeyArg::Strings(s) => (!s.is_null(i)).then(|| Step::Key(s.value(i))),
            KeyArg::Longs(l) => (!l.is_null(i)).then(|| Step::Index(l.value(i))),
        }
    }
}

enum Sink {
    Json(StringBuilder),
    String(StringBuilder),
    Long(Int64Builder),
}

impl Sink {
    fn new(out: Out, n: usize) -> Sink {
        match out {
            Out::Json => Sink::Json(StringBuilder::with_capacity(n, n * 8)),
            Out::String => Sink::String(StringBuilder::with_capacity(n, n * 8)),
            Out::Long => Sink::Long(Int64Builder::with_capacity(n)),
        }
    }
    fn push(&mut self, v: Option<&Value>) {
        match self {
            Sink::Json(b) => match v {
                Some(v) => b.append_value(v.to_string()),
                None => b.append_null(),
            },
            Sink::String(b) => match v {
                Some(Value::String(s)) => b.append_value(s),
                Some(v) => b.append_value(v.to_string()),
                None => b.append_value(""),
            },
            Sink::Long(b) => b.append_option(v.and_then(value_to_long)),
        }
    }
    fn finish(self) -> ArrayRef {
        match self {
            Sink::Json(mut b) | Sink::String(mut b) => Arc::new(b.finish()),
            Sink::Long(mut b) => Arc::new(b.finish()),
        }
    }
}

/// `tolong` of a dynamic scalar: strings parse as integers (optional sign, surrounding
/// whitespace), reals truncate toward zero (null out of range), bools are 0/1; arrays and
/// objects give null.
fn value_to_long(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => {
            let t = s.trim();
            t.strip_prefix('+').unwrap_or(t).parse::<i64>().ok()
        }
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(i),
            None => n.as_f64().and_then(|f| {
                let t = f.trunc();
                // i64::MAX as f64 rounds up to 2^63, which is out of range
                const TWO_63: f64 = 9_223_372_036_854_775_808.0;
                (-TWO_63..TWO_63).contains(&t).then_some(t as i64)
            }),
        },
        _ => None,
    }
}

fn make(out: Out) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(DynamicPath {
        out,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

static GET_JSON: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| make(Out::Json));
static GET_STRING: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| make(Out::String));
static GET_LONG: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| make(Out::Long));

fn udf(out: Out) -> &'static Arc<ScalarUDF> {
    match out {
        Out::Json => &GET_JSON,
        Out::String => &GET_STRING,
        Out::Long => &GET_LONG,
    }
}

/// `target[key]` for dynamic values; `key` is a string (property) or long (array index).
pub fn dynamic_get(target: Expr, key: Expr) -> Expr {
    GET_JSON.call(vec![target, key])
}

/// `tostring(d.k)` / `tolong(d.k)` (as lowered by kql-functions) → one member access that
/// returns the string or long directly. Any other expression is returned unchanged.
pub fn fuse_conversion(e: Expr) -> Expr {
    let Expr::ScalarFunction(f) = &e else {
        return e;
    };
    let out = match f.func.name() {
        "kql_dynamic_tostring" => Out::String,
        "kql_dynamic_tolong" => Out::Long,
        _ => return e,
    };
    match f.args.as_slice() {
        [Expr::ScalarFunction(inner)] if is_get(inner) => udf(out).call(inner.args.clone()),
        _ => e,
    }
}

// ---------------------------------------------------------------------------------------------
// `tostring(d.k) == "v"`: most rows can't match, and the raw text shows it

/// `kql_dynamic_string_eq(target, step, ..., value)`: `tostring(member) == value` (or `!=`).
/// A row whose text contains neither `value` nor a backslash can't match when `value` can only
/// come out of a JSON string written as itself (see [`prefilter_safe`]), so only the other
/// rows are walked.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DynamicEq {
    negated: bool,
    signature: Signature,
}

impl ScalarUDFImpl for DynamicEq {
    fn name(&self) -> &str {
        if self.negated {
            "kql_dynamic_string_ne"
        } else {
            "kql_dynamic_string_eq"
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        Ok(match merged_path(&args) {
            Some(all) => ExprSimplifyResult::Simplified(
                ScalarUDF::from(DynamicEq {
                    negated: self.negated,
                    signature: self.signature.clone(),
                })
                .call(all),
            ),
            None => ExprSimplifyResult::Original(args),
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let Some((ColumnarValue::Scalar(ScalarValue::Utf8(Some(value))), path)) =
            args.args.split_last()
        else {
            return datafusion::common::exec_err!("{} expects a string last", self.name());
        };
        let value = value.clone();
        let mut kept = path.to_vec();
        let Some(target) = kept.first() else {
            return datafusion::common::exec_err!("{} expects a target", self.name());
        };
        let text = Text::new(&target.to_array(n)?)?;
        let keep: BooleanArray = (0..n)
            .map(|i| {
                Some(
                    !text.is_null(i) && {
                        let s = text.str_at(i);
                        s.contains(value.as_str()) || s.contains('\\')
                    },
                )
            })
            .collect();
        // the member as a string, for the rows kept
        for a in &mut kept {
            if let ColumnarValue::Array(x) = a {
                *x = datafusion::arrow::compute::filter(x, &keep)?;
            }
        }
        let m = keep.true_count();
        let got = eval_path(Out::String, &kept, m)?;
        let got = as_string_array(&got)?;
        let mut out = BooleanBuilder::with_capacity(n);
        let mut j = 0;
        for i in 0..n {
            let eq = keep.value(i) && {
                j += 1;
                got.value(j - 1) == value
            };
            out.append_value(eq != self.negated);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// Can `tostring(member) == v` only hold when the raw text contains `v` or a backslash? A
/// string member is written as itself unless it has escapes (a backslash); the text of other
/// members is reprinted, so `v` must not look like one whose raw form can differ: not empty
/// (a missing member), not an array or object, and made of number characters only if it is a
/// plain integer (a number with a fraction or exponent is reprinted: `1e2` → `100.0`).
fn prefilter_safe(v: &str) -> bool {
    let numberish = v
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    let digits = v.strip_prefix('-').unwrap_or(v);
    let plain_integer = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && v != "-0";
    !v.is_empty() && !v.starts_with(['[', '{']) && (!numberish || plain_integer)
}

/// `tostring(d.k) == "v"` / `!=` (as planned, after [`fuse_conversion`]) → one UDF that skips
/// the rows whose text can't match. Any other expression is returned unchanged.
///
/// The planner writes KQL's null rule for a comparison with a literal as
/// `coalesce(a == v, false)` (`coalesce(a != v, true)`); the fused UDF already answers `false`
/// (`true`) where the member is missing, so that wrapper is replaced as a whole.
pub fn fuse_comparison(e: Expr) -> Expr {
    use datafusion::logical_expr::{BinaryExpr, Operator};
    if let Expr::ScalarFunction(f) = &e
        && f.func.name() == "coalesce"
        && let [
            inner @ Expr::BinaryExpr(b),
            Expr::Literal(ScalarValue::Boolean(Some(when_null)), _),
        ] = f.args.as_slice()
        && *when_null == (b.op == Operator::NotEq)
    {
        let fused = fuse_comparison(inner.clone());
        return if &fused == inner { e } else { fused };
    }
    let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else {
        return e;
    };
    let negated = match op {
        Operator::Eq => false,
        Operator::NotEq => true,
        _ => return e,
    };
    let (call, value) = match (left.as_ref(), right.as_ref()) {
        (Expr::ScalarFunction(f), Expr::Literal(ScalarValue::Utf8(Some(v)), _))
        | (Expr::Literal(ScalarValue::Utf8(Some(v)), _), Expr::ScalarFunction(f)) => (f, v),
        _ => return e,
    };
    if call.func.name() != "kql_dynamic_get_string" || !prefilter_safe(value) {
        return e;
    }
    let mut args = call.args.clone();
    args.push(Expr::Literal(ScalarValue::Utf8(Some(value.clone())), None));
    ScalarUDF::from(DynamicEq {
        negated,
        signature: Signature::variadic_any(Volatility::Immutable),
    })
    .call(args)
}

#[cfg(test)]
#[path = "dynamic_tests.rs"]
mod tests;
