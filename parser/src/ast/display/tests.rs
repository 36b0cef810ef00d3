use super::*;
use crate::span::Span;

fn sp() -> Span {
    Span::default()
}
fn id(s: &str) -> Ident {
    Ident::new(s, sp())
}
fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, sp())
}
fn name(s: &str) -> Expr {
    e(ExprKind::Name(id(s)))
}
fn lit(l: Literal) -> Expr {
    e(ExprKind::Literal(l))
}
fn long(v: i64) -> Expr {
    lit(Literal::Long(Some(v)))
}
fn string(s: &str) -> Expr {
    lit(Literal::String {
        value: s.into(),
        obfuscated: false,
    })
}
fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    e(ExprKind::Binary {
        op,
        left: Box::new(l),
        right: Box::new(r),
    })
}
fn call(f: &str, args: Vec<Expr>) -> Expr {
    let args = args
        .into_iter()
        .map(|value| Arg { name: None, value })
        .collect();
    e(ExprKind::Call {
        func: Box::new(name(f)),
        args,
    })
}
fn op(kind: OperatorKind) -> Operator {
    Operator { kind, span: sp() }
}
fn ne(names: &[&str], expr: Expr) -> NamedExpr {
    NamedExpr {
        names: names.iter().map(|n| id(n)).collect(),
        expr,
        span: sp(),
    }
}
fn pipe(source: Expr, ops: Vec<OperatorKind>) -> Expr {
    e(ExprKind::Pipe {
        source: Box::new(source),
        ops: ops.into_iter().map(op).collect(),
    })
}
fn member(t: &str, n: &str) -> Expr {
    e(ExprKind::Member {
        target: Box::new(name(t)),
        name: id(n),
    })
}
fn ts(ticks: i64) -> String {
    Literal::Timespan(Some(ticks)).to_string()
}
fn s(l: Literal) -> String {
    l.to_string()
}

#[test]
fn scalar_literals() {
    assert_eq!(s(Literal::Bool(Some(true))), "true");
    assert_eq!(s(Literal::Bool(None)), "bool(null)");
    assert_eq!(s(Literal::Int(Some(5))), "int(5)");
    assert_eq!(s(Literal::Int(Some(-5))), "int(-5)");
    assert_eq!(s(Literal::Int(None)), "int(null)");
    assert_eq!(s(Literal::Long(Some(42))), "42");
    assert_eq!(s(Literal::Long(Some(-5))), "long(-5)");
    assert_eq!(s(Literal::Long(None)), "long(null)");
    assert_eq!(s(Literal::Decimal(Some("1.25".into()))), "decimal(1.25)");
    assert_eq!(s(Literal::Decimal(None)), "decimal(null)");
    assert_eq!(
        s(Literal::Datetime(Some("2020-01-01".into()))),
        "datetime(2020-01-01)"
    );
    assert_eq!(s(Literal::Datetime(None)), "datetime(null)");
    let g = "74be27de-1e4e-49d9-b579-fe0b331d3642";
    assert_eq!(s(Literal::Guid(Some(g.into()))), format!("guid({g})"));
    assert_eq!(s(Literal::Guid(None)), "guid(null)");
}

#[test]
fn real_literals() {
    let r = |x: f64| s(Literal::Real(Some(Real(x))));
    assert_eq!(r(1.0), "1.0");
    assert_eq!(r(1.5), "1.5");
    assert_eq!(r(0.1), "0.1");
    assert_eq!(r(1e300), "1e300");
    assert_eq!(r(2.5e-8), "2.5e-8");
    assert_eq!(r(-1.5), "real(-1.5)");
    assert_eq!(r(f64::NAN), "real(nan)");
    assert_eq!(r(f64::INFINITY), "real(+inf)");
    assert_eq!(r(f64::NEG_INFINITY), "real(-inf)");
    assert_eq!(s(Literal::Real(None)), "real(null)");
    for x in [1e300, 2.5e-8, 0.1, 123456.789, f64::MAX, f64::MIN_POSITIVE] {
        assert_eq!(r(x).parse::<f64>().unwrap(), x);
    }
}

#[test]
fn timespan_literals() {
    assert_eq!(ts(0), "0d");
    assert_eq!(ts(2 * DAY), "2d");
    assert_eq!(ts(3 * HOUR), "3h");
    assert_eq!(ts(90 * MINUTE), "90m");
    assert_eq!(ts(15 * SECOND), "15s");
    assert_eq!(ts(250 * 10_000), "250ms");
    assert_eq!(ts(7 * 10), "7microsecond");
    assert_eq!(ts(3), "3tick");
    assert_eq!(ts(-HOUR), "time(-01:00:00)");
    let t = DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 5_000_000;
    assert_eq!(ts(-t), "time(-1.02:03:04.5000000)");
    assert_eq!(ts(i64::MIN), "time(-10675199.02:48:05.4775808)");
    assert_eq!(s(Literal::Timespan(None)), "timespan(null)");
}

#[test]
fn string_literals() {
    assert_eq!(string("a\"b\\c\n\r\t").to_string(), r#""a\"b\\c\n\r\t""#);
    assert_eq!(string("x\u{1}y'").to_string(), r#""x\u0001y'""#);
    let h = Literal::String {
        value: "secret".into(),
        obfuscated: true,
    };
    assert_eq!(s(h), r#"h"secret""#);
}

#[test]
fn dynamic_and_typeof_literals() {
    let d = Dynamic::Object(vec![
        ("a".into(), Dynamic::Long(-1)),
        (
            "b".into(),
            Dynamic::Array(vec![
                Dynamic::Null,
                Dynamic::Bool(false),
                Dynamic::Real(Real(1.5)),
                Dynamic::Real(Real(f64::NAN)),
                Dynamic::String("x\"".into()),
                Dynamic::Typed(Box::new(Literal::Datetime(Some("2020-01-01".into())))),
                Dynamic::Typed(Box::new(Literal::Timespan(Some(HOUR)))),
            ]),
        ),
        ("c".into(), Dynamic::Object(vec![])),
    ]);
    assert_eq!(
        s(Literal::Dynamic(d)),
        r#"dynamic({"a": -1, "b": [null, false, 1.5, real(nan), "x\"", datetime(2020-01-01), 1h], "c": {}})"#
    );
    assert_eq!(s(Literal::Dynamic(Dynamic::Array(vec![]))), "dynamic([])");
    let item = |n: Option<&str>, ty| TypeOfItem {
        name: n.map(id),
        ty,
    };
    assert_eq!(
        s(Literal::TypeOf(vec![item(None, Some(TypeName::Long))])),
        "typeof(long)"
    );
    let two = vec![
        item(Some("a"), Some(TypeName::Long)),
        item(Some("b"), Some(TypeName::String)),
    ];
    assert_eq!(s(Literal::TypeOf(two)), "typeof(a:long, b:string)");
}

#[test]
fn identifier_quoting() {
    assert_eq!(id("State").to_string(), "State");
    assert_eq!(id("_x1").to_string(), "_x1");
    assert_eq!(id("$left").to_string(), "$left");
    assert_eq!(id("a b").to_string(), "['a b']");
    assert_eq!(id("1a").to_string(), "['1a']");
    assert_eq!(id("kind").to_string(), "['kind']");
    assert_eq!(id("by").to_string(), "['by']");
    assert_eq!(id("it's\\").to_string(), r"['it\'s\\']");
    // line breaks and control characters are escaped, so the name stays on one line
    assert_eq!(id("a\nb\tc\u{1}").to_string(), r"['a\nb\tc\u0001']");
    assert_eq!(member("t", "a b").to_string(), "t.['a b']");
    assert_eq!(member("t", "name").to_string(), "t.name");
    // Function names stay bare even when they are keywords.
    assert_eq!(call("not", vec![name("x")]).to_string(), "not(x)");
    let p = NamePattern {
        pattern: "a*".into(),
        quoted: false,
        span: sp(),
    };
    assert_eq!(p.to_string(), "a*");
    let q = NamePattern {
        pattern: "a b".into(),
        quoted: true,
        span: sp(),
    };
    assert_eq!(q.to_string(), "['a b']");
}

#[test]
fn expressions() {
    let x = || Box::new(name("x"));
    let between = e(ExprKind::Between {
        expr: x(),
        low: Box::new(long(1)),
        high: Box::new(long(5)),
        negated: true,
    });
    assert_eq!(between.to_string(), "x !between (1 .. 5)");
    let list = e(ExprKind::List {
        op: ListOp::NotInCi,
        expr: x(),
        items: vec![string("a"), string("b")],
    });
    assert_eq!(list.to_string(), r#"x !in~ ("a", "b")"#);
    let m = bin(BinaryOp::MatchesRegex, name("a"), string("b"));
    assert_eq!(m.to_string(), r#"a matches regex "b""#);
    let neg = e(ExprKind::Unary {
        op: UnaryOp::Neg,
        operand: x(),
    });
    assert_eq!(neg.to_string(), "-x");
    let idx = e(ExprKind::Index {
        target: x(),
        index: Box::new(long(0)),
    });
    assert_eq!(idx.to_string(), "x[0]");
    let named = e(ExprKind::Call {
        func: Box::new(name("f")),
        args: vec![
            Arg {
                name: None,
                value: e(ExprKind::Star),
            },
            Arg {
                name: Some(id("threshold")),
                value: lit(Literal::Real(Some(Real(1.5)))),
            },
        ],
    });
    assert_eq!(named.to_string(), "f(*, threshold=1.5)");
}

#[test]
fn top_level_and_nested_pipes() {
    let inner = pipe(
        name("T"),
        vec![
            OperatorKind::Where {
                params: vec![],
                predicate: bin(BinaryOp::Gt, name("x"), long(1)),
            },
            OperatorKind::Count { params: vec![] },
        ],
    );
    let paren = e(ExprKind::Paren(Box::new(inner)));
    assert_eq!(paren.to_string(), "(T | where x > 1 | count)");
    let query = pipe(
        name("StormEvents"),
        vec![
            OperatorKind::Where {
                params: vec![],
                predicate: bin(BinaryOp::Eq, name("State"), string("TEXAS")),
            },
            OperatorKind::Join {
                params: vec![],
                right: paren,
                on: vec![],
                where_: None,
            },
        ],
    );
    let script = Script {
        statements: vec![
            Statement {
                kind: StatementKind::Let(LetStmt {
                    name: id("n"),
                    value: LetValue::Expr(long(1)),
                }),
                span: sp(),
            },
            Statement {
                kind: StatementKind::Query(query),
                span: sp(),
            },
        ],
        span: sp(),
    };
    assert_eq!(
        script.to_string(),
        "let n = 1;\nStormEvents\n| where State == \"TEXAS\"\n| join (T | where x > 1 | count)"
    );
}

#[test]
fn summarize_with_by() {
    let agg = ne(&["n"], call("count", vec![]));
    let by = ne(
        &[],
        call(
            "bin",
            vec![name("Timestamp"), lit(Literal::Timespan(Some(HOUR)))],
        ),
    );
    let sum = OperatorKind::Summarize {
        params: vec![OpParam {
            name: "hint.strategy".into(),
            value: name("shuffle"),
            span: sp(),
        }],
        aggs: vec![agg, ne(&["a", "b"], call("f", vec![name("x")]))],
        by: vec![by.clone(), ne(&[], name("State"))],
    };
    assert_eq!(
        op(sum).to_string(),
        "summarize hint.strategy=shuffle n = count(), (a, b) = f(x) by bin(Timestamp, 1h), State"
    );
    let by_only = OperatorKind::Summarize {
        params: vec![],
        aggs: vec![],
        by: vec![by],
    };
    assert_eq!(op(by_only).to_string(), "summarize by bin(Timestamp, 1h)");
}

#[test]
fn make_series_forms() {
    let mk = |range| {
        op(OperatorKind::MakeSeries(Box::new(MakeSeries {
            params: vec![],
            aggs: vec![MakeSeriesAgg {
                agg: ne(&["n"], call("count", vec![])),
                default: Some(long(0)),
            }],
            on: ne(&[], name("Timestamp")),
            range,
            by: vec![ne(&[], name("State"))],
        })))
        .to_string()
    };
    let from_to = MakeSeriesRange::FromToStep {
        from: Some(name("a")),
        to: Some(name("b")),
        step: lit(Literal::Timespan(Some(DAY))),
    };
    assert_eq!(
        mk(from_to),
        "make-series n = count() default = 0 on Timestamp from a to b step 1d by State"
    );
    let step_only = MakeSeriesRange::FromToStep {
        from: None,
        to: None,
        step: lit(Literal::Timespan(Some(DAY))),
    };
    assert_eq!(
        mk(step_only),
        "make-series n = count() default = 0 on Timestamp step 1d by State"
    );
    let in_range = MakeSeriesRange::InRange {
        start: name("a"),
        stop: name("b"),
        step: lit(Literal::Timespan(Some(HOUR))),
    };
    assert_eq!(
        mk(in_range),
        "make-series n = count() default = 0 on Timestamp in range(a, b, 1h) by State"
    );
}

#[test]
fn join_with_left_right() {
    let join = OperatorKind::Join {
        params: vec![OpParam {
            name: "kind".into(),
            value: name("inner"),
            span: sp(),
        }],
        right: name("R"),
        on: vec![
            name("Id"),
            bin(BinaryOp::Eq, member("$left", "A"), member("$right", "B")),
        ],
        where_: None,
    };
    assert_eq!(
        op(join).to_string(),
        "join kind=inner R on Id, $left.A == $right.B"
    );
}

#[test]
fn let_function_statement() {
    let params = vec![
        FnParam::Scalar(ScalarParam {
            name: id("x"),
            ty: TypeName::Long,
            default: None,
            span: sp(),
        }),
        FnParam::Scalar(ScalarParam {
            name: id("y"),
            ty: TypeName::String,
            default: Some(string("a")),
            span: sp(),
        }),
        FnParam::Tabular(TabularParam {
            name: id("T"),
            columns: vec![],
            open: true,
            span: sp(),
        }),
    ];
    let inner_let = Statement {
        kind: StatementKind::Let(LetStmt {
            name: id("z"),
            value: LetValue::Expr(long(1)),
        }),
        span: sp(),
    };
    let result = pipe(
        name("T"),
        vec![OperatorKind::Take {
            params: vec![],
            count: name("z"),
        }],
    );
    let def = FunctionDef {
        params,
        body: FunctionBody {
            statements: vec![inner_let],
            result: Some(result),
            span: sp(),
        },
        span: sp(),
    };
    let stmt = Statement {
        kind: StatementKind::Let(LetStmt {
            name: id("f"),
            value: LetValue::Function(def.clone()),
        }),
        span: sp(),
    };
    assert_eq!(
        stmt.to_string(),
        r#"let f = (x:long, y:string = "a", T:(*)) { let z = 1; T | take z }"#
    );
    let view = LetValue::View(FunctionDef {
        params: vec![],
        ..def
    });
    assert_eq!(view.to_string(), "view () { let z = 1; T | take z }");
    let tab = TabularParam {
        name: id("T"),
        columns: vec![ColumnDecl {
            name: id("a"),
            ty: TypeName::Long,
            span: sp(),
        }],
        open: true,
        span: sp(),
    };
    assert_eq!(tab.to_string(), "T:(a:long, *)");
}

#[test]
fn misc_operators_and_statements() {
    let col = |n: &str, ty| ColumnDecl {
        name: id(n),
        ty,
        span: sp(),
    };
    let dt = OperatorKind::Datatable {
        params: vec![],
        columns: vec![col("a", TypeName::Long), col("b", TypeName::String)],
        values: vec![long(1), string("x")],
    };
    assert_eq!(
        op(dt).to_string(),
        r#"datatable (a:long, b:string) [1, "x"]"#
    );
    let parse = OperatorKind::Parse(Box::new(Parse {
        kind: Some(ParseKind::Regex),
        flags: Some("U".into()),
        expr: name("Msg"),
        pattern: vec![
            ParsePatternItem::Star,
            ParsePatternItem::Text(string("id=")),
            ParsePatternItem::Column {
                name: id("id"),
                ty: Some(TypeName::Long),
            },
        ],
    }));
    assert_eq!(
        op(parse).to_string(),
        r#"parse kind=regex flags=U Msg with * "id=" id:long"#
    );
    let render = |legacy| {
        op(OperatorKind::Render(Box::new(Render {
            chart: id("timechart"),
            props: vec![RenderProp {
                name: if legacy { "by" } else { "ycolumns" }.into(),
                values: vec![name("a"), name("b")],
                span: sp(),
            }],
            legacy,
        })))
        .to_string()
    };
    assert_eq!(render(false), "render timechart with (ycolumns=a, b)");
    assert_eq!(render(true), "render timechart by a, b");
    let decl = StatementKind::DeclareQueryParameters(vec![ScalarParam {
        name: id("a"),
        ty: TypeName::Long,
        default: Some(long(1)),
        span: sp(),
    }]);
    assert_eq!(decl.to_string(), "declare query_parameters(a:long = 1)");
    let restrict = StatementKind::RestrictAccess(vec![name("a"), name("b")]);
    assert_eq!(restrict.to_string(), "restrict access to (a, b)");
}
