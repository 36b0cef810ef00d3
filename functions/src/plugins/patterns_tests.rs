//! Unit tests for the pattern plugins (basket, autocluster, diffpatterns) and the shared miner.
//! Expected values come from the docs (re-derived by hand) or from the mlxtend oracle in
//! `tests/oracles/itemsets_oracle.py`, whose outputs are the fixtures under
//! `tests/oracles/data/`.

use super::*;
use crate::plugins::{ArgRef, PluginArg, PluginArgs, PluginDef, basket};
use datafusion::arrow::array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, StringArray, TimestampNanosecondArray,
};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::util::display::array_value_to_string;

pub(crate) fn str_col(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

pub(crate) fn batch_of(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = cols
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        cols.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap()
}

pub(crate) fn val(v: ScalarValue) -> PluginArg {
    PluginArg::Value(v)
}

pub(crate) fn s(x: &str) -> PluginArg {
    val(ScalarValue::Utf8(Some(x.to_string())))
}

pub(crate) fn f(x: f64) -> PluginArg {
    val(ScalarValue::Float64(Some(x)))
}

pub(crate) fn l(x: i64) -> PluginArg {
    val(ScalarValue::Int64(Some(x)))
}

pub(crate) fn col(batch: &RecordBatch, name: &str) -> PluginArg {
    PluginArg::Column {
        name: name.to_string(),
        index: batch.schema().index_of(name).unwrap(),
    }
}

pub(crate) fn run_plugin(
    def: &PluginDef,
    batch: &RecordBatch,
    args: Vec<PluginArg>,
) -> RecordBatch {
    let args = PluginArgs {
        positional: args,
        ..Default::default()
    };
    let p = (def.plan)(&args, &[batch.schema()]).unwrap();
    let out = p.run(&[vec![batch.clone()]]).unwrap();
    assert_eq!(Some(out.schema()), p.output_schema());
    out
}

pub(crate) fn plan_err(def: &PluginDef, batch: &RecordBatch, args: Vec<PluginArg>) -> PluginError {
    let args = PluginArgs {
        positional: args,
        ..Default::default()
    };
    (def.plan)(&args, &[batch.schema()]).unwrap_err()
}

/// Each output row as text cells (null → "<null>").
pub(crate) fn rows(b: &RecordBatch) -> Vec<Vec<String>> {
    (0..b.num_rows())
        .map(|r| {
            b.columns()
                .iter()
                .map(|c| {
                    if c.is_null(r) {
                        "<null>".to_string()
                    } else {
                        array_value_to_string(c, r).unwrap()
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn encode_handles_types_nulls_and_empty_strings() {
    let b = batch_of(vec![
        ("s", str_col(&["a", "", "a", "b"])),
        (
            "i",
            Arc::new(Int32Array::from(vec![Some(1), None, Some(1), Some(2)])) as ArrayRef,
        ),
        (
            "r",
            Arc::new(Float64Array::from(vec![0.0, -0.0, f64::NAN, 1.5])) as ArrayRef,
        ),
        (
            "t",
            Arc::new(TimestampNanosecondArray::from(vec![5, 5, 6, 5]).with_timezone("UTC"))
                as ArrayRef,
        ),
    ]);
    let cols = encode_columns(&b, &[0, 1, 2, 3]);
    assert_eq!(cols[0].ids, vec![0, MISSING, 0, 1]);
    assert_eq!(cols[1].ids, vec![0, MISSING, 0, 1]);
    assert_eq!(cols[2].ids, vec![0, 0, MISSING, 1]);
    assert_eq!(cols[3].ids, vec![0, 0, 1, 0]);
    assert_eq!(cols[0].first_row, vec![0, 3]);
}

#[test]
fn basket_catalog_example_by_hand() {
    // The PluginDef example: Level=error always comes with Code=1 (derivation in basket.rs).
    let b = batch_of(vec![
        ("Region", str_col(&["eu", "eu", "eu", "us", "us"])),
        (
            "Level",
            str_col(&["error", "error", "warn", "error", "info"]),
        ),
        (
            "Code",
            Arc::new(Int64Array::from(vec![1, 1, 2, 1, 3])) as ArrayRef,
        ),
    ]);
    let out = run_plugin(&basket::DEF, &b, vec![f(0.3)]);
    assert_eq!(
        rows(&out),
        vec![
            vec!["0", "3", "60.0", "eu", "", "<null>"],
            vec!["1", "3", "60.0", "", "error", "1"],
            vec!["2", "2", "40.0", "us", "", "<null>"],
            vec!["3", "2", "40.0", "eu", "error", "1"],
        ]
    );
}

#[test]
fn basket_custom_wildcards_and_weights() {
    let b = batch_of(vec![
        ("Region", str_col(&["eu", "eu", "us"])),
        (
            "Code",
            Arc::new(Int64Array::from(vec![1, 2, 2])) as ArrayRef,
        ),
        ("W", Arc::new(Int64Array::from(vec![6, 1, 3])) as ArrayRef),
    ]);
    // Weighted: total 10; eu 7, us 3, Code=1 6 (always eu), Code=2 4; eu∧2 1 (< 0.2·10).
    let out = run_plugin(
        &basket::DEF,
        &b,
        vec![f(0.2), col(&b, "W"), s("~"), s("*"), l(-1)],
    );
    assert_eq!(
        rows(&out),
        vec![
            vec!["0", "7", "70.0", "eu", "-1", "-1"],
            vec!["1", "6", "60.0", "eu", "1", "-1"],
            vec!["2", "4", "40.0", "*", "2", "-1"],
            vec!["3", "3", "30.0", "us", "2", "-1"],
        ]
    );
}

#[test]
fn basket_argument_errors() {
    let b = batch_of(vec![("Region", str_col(&["eu"]))]);
    let e = plan_err(&basket::DEF, &b, vec![f(0.001)]);
    assert_eq!(e.arg, Some(ArgRef::Positional(0)));
    assert!(e.message.contains("between 0.015 and 1"), "{}", e.message);
    let e = plan_err(&basket::DEF, &b, vec![s("~"), col(&b, "Region")]);
    assert_eq!(e.arg, Some(ArgRef::Positional(1)));
    assert!(e.message.contains("numeric"), "{}", e.message);
    let e = plan_err(&basket::DEF, &b, vec![s("~"), s("~"), l(0)]);
    assert_eq!(e.arg, Some(ArgRef::Positional(2)));
    let e = plan_err(
        &basket::DEF,
        &b,
        vec![s("~"), s("~"), s("~"), s("*"), s("-")],
    );
    assert_eq!(e.arg, Some(ArgRef::Positional(4)));
}

#[test]
fn basket_empty_input() {
    let b = batch_of(vec![("Region", str_col(&[]))]);
    let out = run_plugin(&basket::DEF, &b, vec![]);
    assert_eq!(out.num_rows(), 0);
}

// ---------------------------------------------------------------------------------------------
// Oracle fixtures (tests/oracles/itemsets_oracle.py → tests/oracles/data/*.json)
// ---------------------------------------------------------------------------------------------
