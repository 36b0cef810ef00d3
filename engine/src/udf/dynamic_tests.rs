//! The path walk against the tree path (the engine's member access before the walk: parse the
//! whole text into a serde_json tree, index it, print the member), over hand-picked edge cases
//! and many generated texts, valid and broken; and the fused conversions against the unfused
//! `tostring` / `tolong` of kql-functions.

use super::*;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::Schema;
use datafusion::prelude::{SessionContext, col, lit};

/// The reference: one step as the tree path did it (whole text → tree → member → text).
fn tree_step(text: &str, step: Step) -> Option<String> {
    let v = serde_json::from_str::<Value>(text).ok()?;
    let got = match step {
        Step::Key(k) => v.get(k).cloned(),
        Step::Index(idx) => match &v {
            Value::Array(a) => {
                let len = a.len() as i64;
                let j = if idx < 0 { len + idx } else { idx };
                usize::try_from(j).ok().and_then(|j| a.get(j).cloned())
            }
            _ => None,
        },
    };
    got.filter(|g| !g.is_null()).map(|g| g.to_string())
}

/// A chain `d.a.b` as it was evaluated: each step on the previous step's JSON text.
fn tree_path(text: &str, path: &[Step]) -> Option<String> {
    let mut t = text.to_string();
    for s in path {
        t = tree_step(&t, *s)?;
    }
    Some(t)
}

fn fast(text: &str, path: &[Step]) -> Option<String> {
    member(text, path).map(|v| v.to_string())
}

const PATHS: &[&[Step]] = &[
    &[Step::Key("a")],
    &[Step::Key("b")],
    &[Step::Key("a b")],
    &[Step::Key("")],
    &[Step::Key("é")],
    &[Step::Index(0)],
    &[Step::Index(1)],
    &[Step::Index(3)],
    &[Step::Index(-1)],
    &[Step::Index(-2)],
    &[Step::Index(i64::MIN)],
    &[Step::Key("a"), Step::Key("b")],
    &[Step::Key("a"), Step::Index(0)],
    &[Step::Index(0), Step::Key("a")],
    &[Step::Key("a"), Step::Index(-1)],
    &[Step::Key("b"), Step::Key("a"), Step::Key("a")],
];

fn check(text: &str) {
    for path in PATHS {
        assert_eq!(
            fast(text, path),
            tree_path(text, path),
            "text {text:?}, path {path:?}"
        );
    }
}

#[test]
fn edge_cases_agree_with_the_tree() {
    let deep = |n: usize, inner: &str| {
        format!(
            "{}{inner}{}",
            "{\"a\":[".repeat(n / 2) + if n % 2 == 1 { "[" } else { "" },
            "]}".repeat(n / 2) + if n % 2 == 1 { "]" } else { "" }
        )
    };
    let mut cases: Vec<String> = [
        // plain members, nulls, missing
        r#"{"a":1,"b":"x"}"#,
        r#"{"a":null,"b":null}"#,
        r#"{}"#,
        r#"[]"#,
        r#"null"#,
        r#""a""#,
        r#"17"#,
        r#"true"#,
        // duplicate keys: the later wins, also when it is null or another type
        r#"{"a":1,"a":2}"#,
        r#"{"a":1,"a":null}"#,
        r#"{"a":{"b":1},"a":{"c":2}}"#,
        r#"{"a":[1],"b":0,"a":{"b":[5,6]}}"#,
        r#"{"b":{"a":{"a":1}},"b":{"a":{"a":2,"a":3}}}"#,
        // numbers: forms, -0, exponents, out of range, beyond u64
        r#"{"a":-0,"b":-0.0}"#,
        r#"{"a":1.0,"b":1e2}"#,
        r#"{"a":1E+2,"b":1e-2}"#,
        r#"{"a":0.1,"b":0.30000000000000004}"#,
        r#"{"a":18446744073709551615,"b":18446744073709551616}"#,
        r#"{"a":-9223372036854775808,"b":-9223372036854775809}"#,
        r#"{"a":1,"b":1e400}"#,
        r#"{"b":-1e400,"a":1}"#,
        r#"{"a":1,"b":1e-400}"#,
        r#"{"a":123456789012345678901234567890}"#,
        r#"{"a":2.2250738585072011e-308}"#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":+1}"#,
        r#"{"a":1,"b":-}"#,
        // strings and escapes, in values and in keys
        r#"{"a":"line\nbreak \"q\" \\ \/ \u00e9 \ud83d\ude00"}"#,
        r#"{"\u0061":1}"#,
        r#"{"a\u0020b":2,"a b":3}"#,
        r#"{"\u00e9":"e-acute"}"#,
        r#"{"é":1}"#,
        r#"{"a":"\ud800"}"#,
        r#"{"b":"\udc00","a":1}"#,
        r#"{"b":"\x","a":1}"#,
        "{\"b\":\"tab\there\",\"a\":1}",
        r#"{"a":"\u00"}"#,
        r#"{"":0}"#,
        // arrays and indexes
        r#"[1,2,3]"#,
        r#"[null,{"a":1}]"#,
        r#"[[1,2],[3]]"#,
        r#"[{"a":[9]},2,{"a":[8,7]}]"#,
        r#"{"a":[1,[2,3],{"b":4}]}"#,
        // whitespace and trailing text
        " \t\r\n{ \"a\" : 1 , \"b\" : [ 1 , 2 ] } \n",
        r#"{"a":1} x"#,
        r#"{"a":1}{"a":2}"#,
        r#"{"a":1,}"#,
        r#"[1,2,]"#,
        r#"{"a":1"#,
        r#"{"a" 1}"#,
        r#"{a:1}"#,
        r#"{'a':1}"#,
        r#"{"a":nul}"#,
        r#"{"a":True}"#,
        r#"{"a":NaN}"#,
        "",
        "   ",
        "\u{feff}{\"a\":1}",
        // nested results: printed compactly, key order kept
        r#"{"a":{"z":1,"y":[true,false,null],"x":{"w":"v"}}}"#,
        r#"{"a":{"z":1,"z":2}}"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // nesting around the recursion limit (128), with the member before and after the depth
    for n in [1, 126, 127, 128, 129, 200] {
        cases.push(deep(n, "1"));
        cases.push(format!("{{\"b\":{},\"a\":1}}", deep(n, "0")));
        cases.push(format!("{{\"a\":1,\"b\":{}}}", deep(n, "0")));
        cases.push(format!("[{},5]", deep(n, "0")));
    }
    for c in &cases {
        check(c);
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn ws(&mut self) -> &'static str {
        ["", "", "", " ", "\n\t ", "\r\n"][self.below(6) as usize]
    }
    fn key(&mut self) -> String {
        self.pick(&[
            r#""a""#,
            r#""b""#,
            r#""a b""#,
            r#""""#,
            r#""\u0061""#,
            r#""é""#,
            r#""\u00e9""#,
            r#""c""#,
            r#""a\u0020b""#,
        ])
        .to_string()
    }
    fn scalar(&mut self) -> String {
        self.pick(&[
            "null",
            "true",
            "false",
            "0",
            "-0",
            "7",
            "-12",
            "1.5",
            "-0.0",
            "1e2",
            "2.5E-3",
            "1e400",
            "-1e400",
            "18446744073709551616",
            "9223372036854775807",
            "-9223372036854775809",
            "0.1",
            "3.141592653589793238462643383279",
            r#""x""#,
            r#""""#,
            r#""a\"b\\c""#,
            r#""\u00e9\n""#,
            r#""\ud83d\ude00""#,
            r#""\ud800""#,
            r#""503""#,
            r#"" 42 ""#,
            r#""+5""#,
            r#""true""#,
        ])
        .to_string()
    }
    fn value(&mut self, depth: u32) -> String {
        let kind = if depth > 4 { 0 } else { self.below(5) };
        match kind {
            0 | 1 => self.scalar(),
            2 | 3 => {
                let n = self.below(5);
                let mut s = String::from("{");
                for i in 0..n {
                    if i > 0 {
                        s.push(',');
                    }
                    s.push_str(self.ws());
                    s.push_str(&self.key());
                    s.push_str(self.ws());
                    s.push(':');
                    s.push_str(self.ws());
                    s.push_str(&self.value(depth + 1));
                }
                s.push_str(self.ws());
                s.push('}');
                s
            }
            _ => {
                let n = self.below(5);
                let mut s = String::from("[");
                for i in 0..n {
                    if i > 0 {
                        s.push(',');
                    }
                    s.push_str(self.ws());
                    s.push_str(&self.value(depth + 1));
                }
                s.push(']');
                s
            }
        }
    }
    /// Breaks a text: cut it, drop, duplicate or insert a character.
    fn mutate(&mut self, t: &str) -> String {
        let chars: Vec<char> = t.chars().collect();
        if chars.is_empty() {
            return String::new();
        }
        let at = self.below(chars.len() as u64) as usize;
        let noise = [
            '{', '}', '[', ']', ',', ':', '"', '\\', '1', '-', 'e', '.', ' ', 'x',
        ];
        let mut out: Vec<char> = chars.clone();
        match self.below(4) {
            0 => out.truncate(at),
            1 => {
                out.remove(at);
            }
            2 => out.insert(at, chars[at]),
            _ => out.insert(at, noise[self.below(noise.len() as u64) as usize]),
        }
        out.into_iter().collect()
    }
}

#[test]
fn generated_texts_agree_with_the_tree() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let mut valid = 0;
    for _ in 0..20_000 {
        let t = g.value(0);
        if serde_json::from_str::<Value>(&t).is_ok() {
            valid += 1;
        }
        check(&t);
        let broken = g.mutate(&t);
        check(&broken);
    }
    // the generator must produce enough valid texts for the comparison to mean something
    assert!(valid > 5_000, "only {valid} valid texts");
}

// ---- the UDFs, evaluated by DataFusion ----

async fn eval(texts: &[Option<&str>], exprs: Vec<Expr>) -> Vec<ArrayRef> {
    let t: ArrayRef = Arc::new(StringArray::from(texts.to_vec()));
    let schema = Arc::new(Schema::new(vec![Field::new("t", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(schema, vec![t]).unwrap_or_else(|e| panic!("{e}"));
    let ctx = SessionContext::new();
    let df = ctx
        .read_batch(batch)
        .and_then(|df| df.select(exprs))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = df.collect().await.unwrap_or_else(|e| panic!("{e}"));
    let b = datafusion::arrow::compute::concat_batches(&out[0].schema(), &out)
        .unwrap_or_else(|e| panic!("{e}"));
    b.columns().to_vec()
}

fn lowered(name: &str, arg: Expr) -> Expr {
    let cx = kql_functions::lower::CallContext { now_nanos: 0 };
    let a = kql_functions::lower::Arg::expr(arg, KqlType::Dynamic);
    match kql_functions::lower::scalar_call(name, &[a], &cx) {
        Ok(Some(l)) => l.expr,
        other => panic!("lowering {name}: {other:?}"),
    }
}

fn strings(a: &ArrayRef) -> Vec<Option<String>> {
    let s = as_string_array(a).unwrap_or_else(|e| panic!("{e}"));
    (0..s.len())
        .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
        .collect()
}

fn longs(a: &ArrayRef) -> Vec<Option<i64>> {
    let l = a
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap_or_else(|| panic!("not Int64: {}", a.data_type()));
    (0..l.len())
        .map(|i| (!l.is_null(i)).then(|| l.value(i)))
        .collect()
}

#[tokio::test]
async fn fused_conversions_equal_the_unfused_ones() {
    let mut g = Gen(42);
    let mut texts: Vec<String> = (0..3_000).map(|_| g.value(0)).collect();
    for s in [
        "1",
        "-1",
        "1.9",
        "-1.9",
        "1e19",
        "-9.3e18",
        "true",
        "false",
        r#"" 12 ""#,
        r#""+3""#,
        r#""1.5""#,
        r#""x""#,
        "null",
        "[1]",
        "{}",
        r#""503""#,
    ] {
        texts.push(format!(r#"{{"a":{s},"b":{{"a":{s}}}}}"#));
    }
    let mut rows: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
    rows.push(None);
    rows.push(Some("not json"));
    for path in [vec![lit("a")], vec![lit("b"), lit("a")], vec![lit(0i64)]] {
        let mut get = col("t");
        for k in &path {
            get = dynamic_get(get, k.clone());
        }
        let exprs = vec![
            lowered("tostring", get.clone()),
            fuse_conversion(lowered("tostring", get.clone())),
            lowered("tolong", get.clone()),
            fuse_conversion(lowered("tolong", get.clone())),
        ];
        assert!(
            matches!(&exprs[1], Expr::ScalarFunction(f) if f.func.name() == "kql_dynamic_get_string")
        );
        assert!(
            matches!(&exprs[3], Expr::ScalarFunction(f) if f.func.name() == "kql_dynamic_get_long")
        );
        let out = eval(&rows, exprs).await;
        assert_eq!(
            strings(&out[1]),
            strings(&out[0]),
            "tostring, path {path:?}"
        );
        assert_eq!(longs(&out[3]), longs(&out[2]), "tolong, path {path:?}");
    }
}

#[tokio::test]
async fn member_access_by_columns_and_literals() {
    // keys from columns: a string key reads members, a long key reads elements, a null or
    // another type reads nothing
    let texts = [
        Some(r#"{"a":1,"b":[10,20]}"#),
        Some(r#"[5,6,7]"#),
        Some(r#"{"a b":"x"}"#),
        None,
        Some(r#"[1"#),
    ];
    let out = eval(
        &texts,
        vec![
            dynamic_get(col("t"), lit("a")),
            dynamic_get(col("t"), lit(-1i64)),
            dynamic_get(col("t"), lit("a b")),
            dynamic_get(dynamic_get(col("t"), lit("b")), lit(1i64)),
            dynamic_get(col("t"), lit(ScalarValue::Utf8(None))),
            dynamic_get(col("t"), lit(1.0f64)),
        ],
    )
    .await;
    let s = |v: &[Option<&str>]| -> Vec<Option<String>> {
        v.iter().map(|x| x.map(str::to_string)).collect()
    };
    assert_eq!(strings(&out[0]), s(&[Some("1"), None, None, None, None]));
    assert_eq!(strings(&out[1]), s(&[None, Some("7"), None, None, None]));
    assert_eq!(
        strings(&out[2]),
        s(&[None, None, Some(r#""x""#), None, None])
    );
    assert_eq!(strings(&out[3]), s(&[Some("20"), None, None, None, None]));
    assert_eq!(strings(&out[4]), s(&[None; 5]));
    assert_eq!(strings(&out[5]), s(&[None; 5]));
}

#[test]
fn which_values_the_prefilter_may_skip_on() {
    for v in [
        "503",
        "0",
        "-12",
        "x",
        "eastus",
        "true",
        "a b",
        "1a",
        "é",
        "99999999999999999999",
    ] {
        assert!(prefilter_safe(v), "{v}");
    }
    // reprinted forms: `1e2` → 100.0, `[1, 2]` → [1,2]; "" is a missing member
    for v in [
        "", "100.0", "1.5", "1e2", "-0", "007", "[1,2]", "{}", "-", "+5", "5.",
    ] {
        assert!(!prefilter_safe(v), "{v}");
    }
}

#[tokio::test]
async fn fused_comparisons_equal_the_unfused_ones() {
    let mut g = Gen(7);
    let mut texts: Vec<String> = (0..3_000).map(|_| g.value(0)).collect();
    for s in [
        "503",
        r#""503""#,
        r#""50\u0033""#,
        "5.03e2",
        "503.0",
        r#""x""#,
        r#""\u0078""#,
        "1e2",
        "100",
        "true",
        r#""true""#,
        "[1, 2]",
        r#""a b""#,
        r#""é""#,
        r#""\u00e9""#,
    ] {
        texts.push(format!(r#"{{"a":{s},"b":{{"a":{s}}}}}"#));
        texts.push(format!(r#"{{"a": {s} , "a":0}}"#));
    }
    let mut rows: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
    rows.push(None);
    rows.push(Some("not json 503"));
    for path in [vec![lit("a")], vec![lit("b"), lit("a")]] {
        let mut get = col("t");
        for k in &path {
            get = dynamic_get(get, k.clone());
        }
        let s = lowered("tostring", get.clone());
        let mut exprs = Vec::new();
        let values = [
            "503", "x", "true", "a b", "é", "100.0", "[1,2]", "", "100", "0", "a\"b",
        ];
        for v in values {
            for ne in [false, true] {
                let cmp = |e: Expr| if ne { e.not_eq(lit(v)) } else { e.eq(lit(v)) };
                let fused = fuse_comparison(cmp(fuse_conversion(s.clone())));
                let safe = prefilter_safe(v);
                assert_eq!(
                    matches!(&fused, Expr::ScalarFunction(f) if f.func.name().starts_with("kql_dynamic_string_")),
                    safe,
                    "{v}"
                );
                exprs.push(cmp(s.clone()));
                exprs.push(fused);
            }
        }
        let out = eval(&rows, exprs).await;
        for (i, pair) in out.chunks(2).enumerate() {
            assert_eq!(
                pair[1].to_data(),
                pair[0].to_data(),
                "comparison {i} ({:?}), path {path:?}",
                values[i / 2]
            );
        }
    }
}

/// The planner wraps a comparison with a literal in KQL's null rule (`coalesce(a == v, false)`);
/// the fusion must still apply to what it plans, and give the null rule's answers: a missing
/// member or a null value is `!= "503"` and not `== "503"`.
#[tokio::test]
async fn planned_comparisons_with_a_literal_are_fused() -> Result<()> {
    let ctx = crate::KqlContext::new();
    let table = r#"let T = datatable(d:dynamic)[dynamic({"s":"503"}), dynamic({"s":"x"}), dynamic({"t":1}), dynamic(null), dynamic({"s":"50\u0033"})];"#;
    for (op, count) in [("==", 2), ("!=", 3)] {
        let q = format!(r#"{table} T | where tostring(d.s) {op} "503" | count"#);
        let plan = ctx
            .explain(&q)
            .await
            .map_err(|e| datafusion::error::DataFusionError::External(e.to_string().into()))?;
        assert!(plan.contains("kql_dynamic_string_"), "{op}: {plan}");
        let out = ctx
            .run(&q)
            .await
            .map_err(|e| datafusion::error::DataFusionError::External(e.to_string().into()))?;
        let batches = &out.last().map(|r| r.batches.clone()).unwrap_or_default();
        let got = batches
            .first()
            .and_then(|b| b.column(0).as_any().downcast_ref::<Int64Array>())
            .map(|a| a.value(0));
        assert_eq!(got, Some(count), "{op}");
    }
    Ok(())
}
