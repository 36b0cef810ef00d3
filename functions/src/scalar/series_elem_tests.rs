//! Unit tests of the element-wise, fill and vector `series_*` lowering (expected values from the
//! docs' examples, re-derived by hand).

use crate::lower::Arg;
use crate::scalar::test_util::{b, cx, dynamic, eval, l, r};
use crate::types::KqlType;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::scalar::ScalarValue;
use std::sync::Arc;

async fn run(name: &str, args: &[Arg]) -> ArrayRef {
    match crate::lower::scalar_call(name, args, &cx()) {
        Ok(Some(l)) => eval(l.expr).await,
        Ok(None) => panic!("unknown {name}"),
        Err(e) => panic!("{name}: {e}"),
    }
}

/// A JSON result's text.
async fn json(name: &str, args: &[Arg]) -> String {
    let a = run(name, args).await;
    assert_eq!(a.data_type(), &DataType::Utf8, "{name}");
    let s = a.as_string::<i32>();
    if s.is_null(0) {
        "NULL".into()
    } else {
        s.value(0).to_string()
    }
}

fn real_list(v: Vec<Option<f64>>) -> Arg {
    let l = ListArray::from_iter_primitive::<Float64Type, _, _>(vec![Some(v)]);
    Arg::lit(ScalarValue::List(Arc::new(l)), KqlType::Dynamic)
}

fn long_list(v: Vec<Option<i64>>) -> Arg {
    let l = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![Some(v)]);
    Arg::lit(ScalarValue::List(Arc::new(l)), KqlType::Dynamic)
}

fn reals_of(a: &ArrayRef) -> Vec<Option<f64>> {
    let l = a.as_list::<i32>();
    let v = l.value(0);
    v.as_primitive::<Float64Type>().iter().collect()
}

fn longs_of(a: &ArrayRef) -> Vec<Option<i64>> {
    let l = a.as_list::<i32>();
    let v = l.value(0);
    v.as_primitive::<Int64Type>().iter().collect()
}

#[tokio::test]
async fn binary_json_follows_the_docs() {
    let s1 = dynamic("[1,2,4]");
    let s2 = dynamic("[4,2,1]");
    let both = [s1.clone(), s2.clone()];
    assert_eq!(json("series_add", &both).await, "[5,4,5]");
    assert_eq!(json("series_subtract", &both).await, "[-3,0,3]");
    assert_eq!(json("series_multiply", &both).await, "[4,4,4]");
    assert_eq!(json("series_divide", &both).await, "[0.25,1.0,4.0]");
    assert_eq!(
        json(
            "series_pow",
            &[dynamic("[1,2,3,4]"), dynamic("[1,2,3,0.5]")]
        )
        .await,
        "[1.0,4.0,27.0,2.0]"
    );
    assert_eq!(json("series_greater", &both).await, "[false,false,true]");
    assert_eq!(
        json("series_greater_equals", &both).await,
        "[false,true,true]"
    );
    assert_eq!(json("series_less", &both).await, "[true,false,false]");
    assert_eq!(json("series_less_equals", &both).await, "[true,true,false]");
    assert_eq!(json("series_equals", &both).await, "[false,true,false]");
    assert_eq!(json("series_not_equals", &both).await, "[true,false,true]");
    // different lengths: the missing elements are null; non-numeric elements are null
    assert_eq!(
        json("series_add", &[dynamic("[1,\"a\",3]"), dynamic("[1]")]).await,
        "[2,null,null]"
    );
    // a scalar on either side is broadcast
    assert_eq!(
        json("series_multiply", &[s1.clone(), l(2)]).await,
        "[2,4,8]"
    );
    assert_eq!(
        json("series_subtract", &[r(1.5), s1.clone()]).await,
        "[0.5,-0.5,-2.5]"
    );
    assert_eq!(
        json("series_divide", &[s1.clone(), l(0)]).await,
        "[\"Infinity\",\"Infinity\",\"Infinity\"]"
    );
    // a null series gives null
    assert_eq!(
        json("series_add", &[dynamic("null"), s2.clone()]).await,
        "NULL"
    );
    assert_eq!(
        json("series_add", &[dynamic("[]"), dynamic("[]")]).await,
        "[]"
    );
}

#[tokio::test]
async fn unary_json_follows_the_docs() {
    assert_eq!(
        json("series_abs", &[dynamic("[-6.5,0,8.2]")]).await,
        "[6.5,0,8.2]"
    );
    assert_eq!(
        json("series_sign", &[dynamic("[-6, 0, 8]")]).await,
        "[-1,0,1]"
    );
    assert_eq!(
        json("series_floor", &[dynamic("[-1.5,1,2.5]")]).await,
        "[-2.0,1.0,2.0]"
    );
    assert_eq!(
        json("series_ceiling", &[dynamic("[-1.5,1,2.5]")]).await,
        "[-1.0,1.0,3.0]"
    );
    assert_eq!(
        json("series_exp", &[dynamic("[1,2,3]")]).await,
        format!("[{:?},{:?},{:?}]", 1f64.exp(), 2f64.exp(), 3f64.exp())
    );
    assert_eq!(
        json("series_log", &[dynamic("[1,2,3]")]).await,
        format!("[0.0,{:?},{:?}]", 2f64.ln(), 3f64.ln())
    );
    assert_eq!(
        json("series_atan", &[dynamic("[-1,0,1]")]).await,
        format!("[{:?},0.0,{:?}]", (-1f64).atan(), 1f64.atan())
    );
    assert_eq!(
        json("series_acos", &[dynamic("[-1,0,1,2]")]).await,
        format!(
            "[{:?},{:?},0.0,\"NaN\"]",
            std::f64::consts::PI,
            std::f64::consts::FRAC_PI_2
        )
    );
}

#[tokio::test]
async fn list_inputs_give_lists() {
    let a = run(
        "series_add",
        &[
            long_list(vec![Some(1), None, Some(3)]),
            long_list(vec![Some(10), Some(20)]),
        ],
    )
    .await;
    assert_eq!(longs_of(&a), vec![Some(11), None, None]);
    let a = run("series_add", &[long_list(vec![Some(1), Some(2)]), r(0.5)]).await;
    assert_eq!(reals_of(&a), vec![Some(1.5), Some(2.5)]);
    let a = run("series_divide", &[long_list(vec![Some(1), Some(2)]), l(2)]).await;
    assert_eq!(reals_of(&a), vec![Some(0.5), Some(1.0)]);
    // two dense real lists (the slice fast path) and one with a null
    let a = run(
        "series_subtract",
        &[
            real_list(vec![Some(1.0), Some(2.0)]),
            real_list(vec![Some(0.5), Some(4.0)]),
        ],
    )
    .await;
    assert_eq!(reals_of(&a), vec![Some(0.5), Some(-2.0)]);
    let a = run(
        "series_pow",
        &[
            real_list(vec![Some(2.0), None]),
            real_list(vec![Some(3.0), Some(4.0)]),
        ],
    )
    .await;
    assert_eq!(reals_of(&a), vec![Some(8.0), None]);
    // a number broadcast over a real list with nulls, on either side
    let a = run(
        "series_multiply",
        &[real_list(vec![Some(1.5), None, Some(-2.0)]), l(2)],
    )
    .await;
    assert_eq!(reals_of(&a), vec![Some(3.0), None, Some(-4.0)]);
    let a = run(
        "series_subtract",
        &[r(10.0), real_list(vec![None, Some(4.0)])],
    )
    .await;
    assert_eq!(reals_of(&a), vec![None, Some(6.0)]);
    let a = run(
        "series_divide",
        &[
            real_list(vec![Some(1.0)]),
            Arg::lit(ScalarValue::Float64(None), KqlType::Real),
        ],
    )
    .await;
    assert_eq!(reals_of(&a), vec![None]);
    // a list of bools (a comparison's result) holds no numbers
    let bools = run(
        "series_greater",
        &[real_list(vec![Some(1.0), Some(3.0)]), l(2)],
    )
    .await;
    let bools = Arg::lit(
        ScalarValue::List(Arc::new(bools.as_list::<i32>().clone())),
        KqlType::Dynamic,
    );
    let a = run("series_add", &[bools, l(1)]).await;
    assert_eq!(reals_of(&a), vec![None, None]);
    let a = run("series_abs", &[long_list(vec![Some(-3), None])]).await;
    assert_eq!(longs_of(&a), vec![Some(3), None]);
    let a = run("series_sin", &[real_list(vec![Some(0.0), Some(f64::NAN)])]).await;
    let v = reals_of(&a);
    assert_eq!(v[0], Some(0.0));
    assert!(v[1].is_some_and(f64::is_nan));
    let a = run(
        "series_greater",
        &[real_list(vec![Some(1.0), None, Some(3.0)]), l(2)],
    )
    .await;
    let l0 = a.as_list::<i32>().value(0);
    let got: Vec<Option<bool>> = l0.as_boolean().iter().collect();
    assert_eq!(got, vec![Some(false), None, Some(true)]);
}

#[tokio::test]
#[allow(clippy::approx_constant)] // the docs' constant 3.14159
async fn fills_follow_the_docs() {
    let d = "[null, 111.0, null, 36.0, 41.0, null, null, 16.0, 61.0, 33.0, null, null]";
    let i = "[null, 111, null, 36, 41, null, null, 16, 61, 33, null, null]";
    let z = "[null, null, null, null]";
    let third = 41.0 - 25.0 / 3.0;
    let two_thirds = 41.0 - 50.0 / 3.0;
    assert_eq!(
        json("series_fill_linear", &[dynamic(d)]).await,
        format!("[111.0,111.0,73.5,36.0,41.0,{third:?},{two_thirds:?},16.0,61.0,33.0,33.0,33.0]")
    );
    let dn = || Arg::lit(ScalarValue::Float64(None), KqlType::Real);
    assert_eq!(
        json("series_fill_linear", &[dynamic(d), dn(), b(false)]).await,
        format!("[null,111.0,73.5,36.0,41.0,{third:?},{two_thirds:?},16.0,61.0,33.0,null,null]")
    );
    assert_eq!(
        json("series_fill_linear", &[dynamic(i)]).await,
        "[111,111,73,36,41,32,24,16,61,33,33,33]"
    );
    assert_eq!(
        json("series_fill_linear", &[dynamic(i), dn(), b(false)]).await,
        "[null,111,73,36,41,32,24,16,61,33,null,null]"
    );
    assert_eq!(
        json("series_fill_linear", &[dynamic(z)]).await,
        "[0.0,0.0,0.0,0.0]"
    );
    assert_eq!(
        json("series_fill_linear", &[dynamic(z), dn(), b(false)]).await,
        "[0.0,0.0,0.0,0.0]"
    );
    assert_eq!(
        json(
            "series_fill_linear",
            &[dynamic(z), dn(), b(true), r(3.14159)]
        )
        .await,
        "[3.14159,3.14159,3.14159,3.14159]"
    );
    assert_eq!(
        json("series_fill_linear", &[dynamic(z), dn(), b(true), dn()]).await,
        "[null,null,null,null]"
    );
    assert_eq!(
        json(
            "series_fill_forward",
            &[dynamic(
                "[null, null, 36, 41, null, null, 16, 61, 33, null, null]"
            )]
        )
        .await,
        "[null,null,36,41,41,41,16,61,33,33,33]"
    );
    assert_eq!(
        json(
            "series_fill_backward",
            &[dynamic(
                "[111, null, 36, 41, null, null, 16, 61, 33, null, null]"
            )]
        )
        .await,
        "[111,36,36,41,16,16,16,61,33,null,null]"
    );
    let c = "[111, null, 36, 41, 23, null, 16, 61, 33, null, null]";
    assert_eq!(
        json("series_fill_const", &[dynamic(c), r(0.0)]).await,
        "[111,0.0,36,41,23,0.0,16,61,33,0.0,0.0]"
    );
    assert_eq!(
        json("series_fill_const", &[dynamic(c), l(-1)]).await,
        "[111,-1,36,41,23,-1,16,61,33,-1,-1]"
    );
    // a placeholder value
    assert_eq!(
        json("series_fill_forward", &[dynamic("[1, 0, 0, 2, 0]"), l(0)]).await,
        "[1,1,1,2,2]"
    );
    assert_eq!(
        json(
            "series_fill_const",
            &[dynamic("[1, -1, null]"), l(7), l(-1)]
        )
        .await,
        "[1,7,null]"
    );
}

#[tokio::test]
async fn fills_on_lists_keep_the_element_type() {
    let v = vec![
        None,
        Some(111),
        None,
        Some(36),
        Some(41),
        None,
        None,
        Some(16),
    ];
    let a = run("series_fill_linear", &[long_list(v.clone())]).await;
    assert_eq!(a.data_type(), &crate::ml::long_list_type());
    assert_eq!(
        longs_of(&a),
        [111, 111, 73, 36, 41, 32, 24, 16].map(Some).to_vec()
    );
    let a = run("series_fill_forward", &[long_list(v.clone())]).await;
    assert_eq!(
        longs_of(&a),
        vec![
            None,
            Some(111),
            Some(111),
            Some(36),
            Some(41),
            Some(41),
            Some(41),
            Some(16)
        ]
    );
    // a real constant with a fraction makes a real list
    let a = run(
        "series_fill_const",
        &[long_list(vec![Some(1), None]), r(2.5)],
    )
    .await;
    assert_eq!(reals_of(&a), vec![Some(1.0), Some(2.5)]);
    let a = run(
        "series_fill_const",
        &[long_list(vec![Some(1), None]), r(2.0)],
    )
    .await;
    assert_eq!(longs_of(&a), vec![Some(1), Some(2)]);
    let a = run(
        "series_fill_linear",
        &[real_list(vec![Some(1.0), None, None, Some(2.5)])],
    )
    .await;
    assert_eq!(
        reals_of(&a),
        vec![Some(1.0), Some(1.5), Some(2.0), Some(2.5)]
    );
    let a = run(
        "series_fill_backward",
        &[real_list(vec![None, Some(2.0), None])],
    )
    .await;
    assert_eq!(reals_of(&a), vec![Some(2.0), Some(2.0), None]);
}

async fn real(name: &str, args: &[Arg]) -> Option<f64> {
    let a = run(name, args).await;
    let a = a.as_primitive::<Float64Type>();
    (!a.is_null(0)).then(|| a.value(0))
}

#[tokio::test]
async fn vector_functions_follow_the_docs() {
    assert_eq!(
        real(
            "series_pearson_correlation",
            &[dynamic("[1,2,3,4,5]"), dynamic("[2,4,6,8,10]")]
        )
        .await,
        Some(1.0)
    );
    assert_eq!(
        real(
            "series_pearson_correlation",
            &[dynamic("[1,2,3]"), dynamic("[2,4]")]
        )
        .await,
        None
    );
    assert_eq!(
        real(
            "series_dot_product",
            &[dynamic("[1,2,4]"), dynamic("[4,2,1]")]
        )
        .await,
        Some(12.0)
    );
    assert_eq!(
        real("series_dot_product", &[dynamic("[2,4,8]"), l(2)]).await,
        Some(28.0)
    );
    assert_eq!(
        real("series_dot_product", &[l(3), dynamic("[3,6,12]")]).await,
        Some(63.0)
    );
    assert_eq!(
        real("series_dot_product", &[dynamic("[]"), dynamic("[1]")]).await,
        None
    );
    assert_eq!(
        real("series_magnitude", &[dynamic("[1,2,3,4]")]).await,
        Some(30f64.sqrt())
    );
    assert_eq!(
        real("series_sum", &[dynamic("[1,2,3,4]")]).await,
        Some(10.0)
    );
    assert_eq!(
        real("series_product", &[dynamic("[1,2,3,4]")]).await,
        Some(24.0)
    );
    assert_eq!(
        real("series_sum", &[long_list(vec![Some(1), None, Some(5)])]).await,
        Some(6.0)
    );
    let c = real(
        "series_cosine_similarity",
        &[dynamic("[0.1,0.2,0.1,0.2]"), dynamic("[1,2,3,4]")],
    )
    .await
    .unwrap_or(f64::NAN);
    assert!((c - 0.923760430703401).abs() < 1e-14, "{c}");
    assert_eq!(
        real(
            "series_cosine_similarity",
            &[dynamic("[1,0]"), dynamic("[2,0]"), r(2.0), r(4.0)]
        )
        .await,
        Some(0.25)
    );
    assert_eq!(real("series_sum", &[dynamic("null")]).await, None);
}

#[test]
fn type_errors() {
    let e = crate::lower::scalar_call("series_add", &[l(1), l(2)], &cx());
    assert!(e.is_err());
    let e = crate::lower::scalar_call("series_abs", &[l(1)], &cx());
    assert!(e.is_err());
    let e = crate::lower::scalar_call("series_fill_const", &[dynamic("[1]")], &cx());
    assert!(e.is_err());
    let e = crate::lower::scalar_call("series_fill_linear", &[dynamic("[1]"), l(0), l(1)], &cx());
    assert!(e.is_err());
}

#[test]
fn json_series_parsing() {
    use super::parse_json_series as p;
    use crate::ml::elementwise::Num;
    // correctly rounded decimals (the flat-array path)
    assert_eq!(
        p("[49.9, -48.01]"),
        Some(vec![Num::Real(49.9), Num::Real(-48.01)])
    );
    // NaN is not equal to itself, so compare the Debug text
    let got = format!("{:?}", p(" [1, 2.5, null, \"NaN\", true, \"x\", -0, 1e2] "));
    assert_eq!(
        got,
        "Some([Int(1), Real(2.5), Null, Real(NaN), Null, Null, Int(0), Real(100.0)])"
    );
    assert_eq!(p("[]"), Some(vec![]));
    // nested values go through serde_json: a nested array is not a number
    assert_eq!(p("[[1], 2]"), Some(vec![Num::Null, Num::Int(2)]));
    assert_eq!(p("{\"a\": 1}"), None);
    assert_eq!(p("[1,]"), None);
    assert_eq!(p("5"), None);
    assert_eq!(p("[99999999999999999999]"), Some(vec![Num::Real(1e20)]));
}
