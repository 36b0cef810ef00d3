#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Focused tests of parse results: operator precedence and tree shapes, literal values,
//! the recursion limit, statements, and `parse(print(ast)) == ast` for each.
//!
//! Trees are compared structurally (spans never take part in equality) and through their
//! canonical `Display` form, never through pasted debug output.

use kql_parser::ast::{
    BinaryOp, Dynamic, Expr, ExprKind, FnParam, LetValue, ListOp, Literal, OperatorKind, Real,
    Script, StatementKind, TypeName, UnaryOp,
};
use kql_parser::diagnostic::render_all;
use kql_parser::{parse_expr, parse_script};

// ----------------------------------------------------------------------------- helpers

/// Parses an expression, failing the test with the rendered diagnostic.
fn expr(src: &str) -> Expr {
    match parse_expr(src) {
        Ok(e) => e,
        Err(d) => panic!("`{src}` failed to parse:\n{}", d.render(src, "expr")),
    }
}

/// Parses an expression and checks that its printed form parses back to an equal tree.
fn rt_expr(src: &str) -> Expr {
    let e = expr(src);
    let printed = e.to_string();
    let again = match parse_expr(&printed) {
        Ok(a) => a,
        Err(d) => panic!(
            "printed form of `{src}` does not parse: `{printed}`\n{}",
            d.render(&printed, "printed")
        ),
    };
    assert_eq!(
        again, e,
        "round trip of `{src}` via `{printed}` changed the tree"
    );
    e
}

/// The literal an expression consists of.
fn lit(src: &str) -> Literal {
    match rt_expr(src).kind {
        ExprKind::Literal(l) => l,
        other => panic!("`{src}` is not a literal: {other:?}"),
    }
}

fn ticks(src: &str) -> i64 {
    match lit(src) {
        Literal::Timespan(Some(t)) => t,
        other => panic!("`{src}` is not a timespan: {other:?}"),
    }
}

fn string(src: &str) -> (String, bool) {
    match lit(src) {
        Literal::String { value, obfuscated } => (value, obfuscated),
        other => panic!("`{src}` is not a string: {other:?}"),
    }
}

fn real(src: &str) -> f64 {
    match lit(src) {
        Literal::Real(Some(Real(v))) => v,
        other => panic!("`{src}` is not a real: {other:?}"),
    }
}

/// Fully parenthesised rendering of the operator structure: binary and unary nodes become
/// `(l op r)` / `(-x)`; `between` and list operators show their operands; everything else
/// prints canonically. Makes precedence visible without matching whole trees.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Binary { op, left, right } => {
            format!("({} {} {})", shape(left), op.as_str(), shape(right))
        }
        ExprKind::Unary { op, operand } => {
            let sign = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
            };
            format!("({sign}{})", shape(operand))
        }
        ExprKind::Between {
            expr,
            low,
            high,
            negated,
        } => format!(
            "({} {}between ({} .. {}))",
            shape(expr),
            if *negated { "!" } else { "" },
            shape(low),
            shape(high)
        ),
        ExprKind::List { op, expr, items } => {
            let items: Vec<String> = items.iter().map(shape).collect();
            format!("({} {} ({}))", shape(expr), op.as_str(), items.join(", "))
        }
        ExprKind::Paren(inner) => format!("[{}]", shape(inner)),
        _ => e.to_string(),
    }
}

fn shape_of(src: &str) -> String {
    shape(&rt_expr(src))
}

/// Parses a script without diagnostics and checks the round trip.
fn script(src: &str) -> Script {
    let out = parse_script(src);
    assert!(
        out.diagnostics.is_empty(),
        "`{src}` failed to parse:\n{}",
        render_all(&out.diagnostics, src, "script")
    );
    let s = out.script.expect("script");
    let printed = s.to_string();
    let again = parse_script(&printed);
    assert!(
        again.diagnostics.is_empty(),
        "printed form of `{src}` does not parse:\n{printed}\n{}",
        render_all(&again.diagnostics, &printed, "printed")
    );
    assert_eq!(
        again.script.as_ref(),
        Some(&s),
        "round trip of `{src}` changed the tree; printed:\n{printed}"
    );
    s
}

fn only_statement(src: &str) -> StatementKind {
    let mut s = script(src);
    assert_eq!(s.statements.len(), 1, "`{src}`: expected one statement");
    s.statements.remove(0).kind
}

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

// ----------------------------------------------------------------------------- precedence

#[test]
fn multiplicative_binds_tighter_than_additive() {
    assert_eq!(shape_of("a + b * c"), "(a + (b * c))");
    assert_eq!(shape_of("a * b + c"), "((a * b) + c)");
    assert_eq!(shape_of("a - b % c / d"), "(a - ((b % c) / d))");
}

#[test]
fn binary_operators_are_left_associative() {
    assert_eq!(shape_of("a - b - c"), "((a - b) - c)");
    assert_eq!(shape_of("a / b * c"), "((a / b) * c)");
    assert_eq!(shape_of("a or b or c"), "((a or b) or c)");
}

#[test]
fn logical_levels() {
    assert_eq!(shape_of("a or b and c"), "(a or (b and c))");
    assert_eq!(shape_of("a and b or c"), "((a and b) or c)");
    assert_eq!(
        shape_of("x has \"a\" and y"),
        "((x has \"a\") and y)",
        "string operators bind tighter than `and`"
    );
    assert_eq!(shape_of("a == 1 and b != 2"), "((a == 1) and (b != 2))");
}

#[test]
fn comparison_levels() {
    assert_eq!(shape_of("a == b + 1"), "(a == (b + 1))");
    assert_eq!(shape_of("a < b + 1"), "(a < (b + 1))");
    assert_eq!(
        shape_of("a < b == c"),
        "((a < b) == c)",
        "relational binds tighter than equality"
    );
}

#[test]
fn string_operators_bind_tighter_than_arithmetic() {
    let e = rt_expr("1 + x has \"y\"");
    // Must group as `1 + (x has "y")`.
    let ExprKind::Binary {
        op: BinaryOp::Add,
        left,
        right,
    } = &e.kind
    else {
        panic!("expected `+` at the root, got {:?}", e.kind);
    };
    assert!(matches!(
        left.kind,
        ExprKind::Literal(Literal::Long(Some(1)))
    ));
    let ExprKind::Binary {
        op: BinaryOp::Has,
        left: x,
        right: y,
    } = &right.kind
    else {
        panic!("expected `has` on the right of `+`, got {:?}", right.kind);
    };
    assert!(matches!(&x.kind, ExprKind::Name(n) if n.name == "x"));
    assert!(matches!(
        &y.kind,
        ExprKind::Literal(Literal::String { value, .. }) if value == "y"
    ));

    assert_eq!(shape_of("a * b contains c"), "(a * (b contains c))");
    assert_eq!(shape_of("a =~ b + c"), "((a =~ b) + c)");
}

#[test]
fn between_forms() {
    let e = rt_expr("x between (1 .. 10)");
    let ExprKind::Between {
        expr,
        low,
        high,
        negated,
    } = &e.kind
    else {
        panic!("expected between, got {:?}", e.kind);
    };
    assert!(!negated);
    assert_eq!(expr.to_string(), "x");
    assert_eq!(low.to_string(), "1");
    assert_eq!(high.to_string(), "10");

    assert_eq!(
        shape_of("x !between (a + 1 .. b * 2)"),
        "(x !between ((a + 1) .. (b * 2)))"
    );
    assert_eq!(
        shape_of("x between (1 .. 10) and y"),
        "((x between (1 .. 10)) and y)"
    );
    // datetime .. timespan form
    assert_eq!(
        shape_of("t between (datetime(2020-01-01) .. 1d)"),
        "(t between (datetime(2020-01-01) .. 1d))"
    );
}

#[test]
fn list_operators() {
    let e = rt_expr("State in~ (\"texas\", \"ohio\")");
    let ExprKind::List { op, expr, items } = &e.kind else {
        panic!("expected a list operator, got {:?}", e.kind);
    };
    assert_eq!(*op, ListOp::InCi);
    assert_eq!(expr.to_string(), "State");
    assert_eq!(items.len(), 2);

    for (src, want) in [
        ("x in (1)", ListOp::In),
        ("x !in (1, 2)", ListOp::NotIn),
        ("x !in~ (\"a\")", ListOp::NotInCi),
        ("x has_any (\"a\", \"b\")", ListOp::HasAny),
        ("x has_all (\"a\", \"b\")", ListOp::HasAll),
    ] {
        match rt_expr(src).kind {
            ExprKind::List { op, .. } => assert_eq!(op, want, "{src}"),
            other => panic!("`{src}`: expected a list operator, got {other:?}"),
        }
    }

    // A tabular subquery as the list.
    let e = rt_expr("x in (T | where y > 1 | project y)");
    let ExprKind::List { items, .. } = &e.kind else {
        panic!("expected a list operator");
    };
    assert_eq!(items.len(), 1);
    assert!(
        matches!(items[0].kind, ExprKind::Pipe { .. }),
        "{:?}",
        items[0]
    );

    assert_eq!(shape_of("a in (1, 2) or b"), "((a in (1, 2)) or b)");
}

#[test]
fn string_operator_spellings() {
    let cases: &[(&str, BinaryOp)] = &[
        ("a =~ b", BinaryOp::EqCi),
        ("a !~ b", BinaryOp::NotEqCi),
        ("a has b", BinaryOp::Has),
        ("a !has b", BinaryOp::NotHas),
        ("a has_cs b", BinaryOp::HasCs),
        ("a !has_cs b", BinaryOp::NotHasCs),
        ("a hasprefix b", BinaryOp::HasPrefix),
        ("a !hasprefix_cs b", BinaryOp::NotHasPrefixCs),
        ("a hassuffix_cs b", BinaryOp::HasSuffixCs),
        ("a contains b", BinaryOp::Contains),
        ("a !contains_cs b", BinaryOp::NotContainsCs),
        ("a startswith b", BinaryOp::StartsWith),
        ("a !startswith_cs b", BinaryOp::NotStartsWithCs),
        ("a endswith_cs b", BinaryOp::EndsWithCs),
        ("a !endswith b", BinaryOp::NotEndsWith),
        ("a matches regex b", BinaryOp::MatchesRegex),
        ("a like b", BinaryOp::Like),
    ];
    for (src, want) in cases {
        match rt_expr(src).kind {
            ExprKind::Binary { op, left, right } => {
                assert_eq!(op, *want, "{src}");
                assert_eq!(left.to_string(), "a", "{src}");
                assert_eq!(right.to_string(), "b", "{src}");
            }
            other => panic!("`{src}`: expected a binary operator, got {other:?}"),
        }
    }
    // `has` must not be read as the prefix of a longer word, nor a name as an operator.
    assert_eq!(shape_of("hasx has hasprefix_x"), "(hasx has hasprefix_x)");
    assert_eq!(shape_of("a !has_cs \"B\""), "(a !has_cs \"B\")");
    assert_eq!(
        shape_of("Url matches regex @\"^https?://\""),
        "(Url matches regex \"^https?://\")"
    );
}

#[test]
fn unary_minus() {
    assert_eq!(shape_of("-x"), "(-x)");
    assert_eq!(shape_of("-x * 2"), "((-x) * 2)");
    assert_eq!(shape_of("1 - -x"), "(1 - (-x))");
    assert_eq!(shape_of("-a.b"), "(-a.b)");
    assert_eq!(shape_of("+x"), "(+x)");
    assert_eq!(shape_of("- -x"), "(-(-x))");
    assert_eq!(shape_of("--x"), "(-(-x))");
    assert_eq!(shape_of("1 - -1"), "(1 - (-1))");
    assert_eq!(shape_of("1--1"), "(1 - (-1))");
    assert_eq!(shape_of("- (a + b)"), "(-[(a + b)])");
}

#[test]
fn member_and_index_chains() {
    let e = rt_expr("a.b[0]['c']");
    let ExprKind::Index { target, index } = &e.kind else {
        panic!("expected an index at the root, got {:?}", e.kind);
    };
    assert!(matches!(
        &index.kind,
        ExprKind::Literal(Literal::String { value, .. }) if value == "c"
    ));
    let ExprKind::Index { target, index } = &target.kind else {
        panic!("expected `a.b[0]`, got {:?}", target.kind);
    };
    assert!(matches!(
        index.kind,
        ExprKind::Literal(Literal::Long(Some(0)))
    ));
    let ExprKind::Member { target, name } = &target.kind else {
        panic!("expected `a.b`, got {:?}", target.kind);
    };
    assert_eq!(name.name, "b");
    assert!(matches!(&target.kind, ExprKind::Name(n) if n.name == "a"));

    // Calls and members mix: `parse_json(x).a[-1]`.
    let e = rt_expr("parse_json(x).a[-1]");
    let ExprKind::Index { target, .. } = &e.kind else {
        panic!("expected an index");
    };
    assert!(matches!(target.kind, ExprKind::Member { .. }));
}

#[test]
fn call_arguments() {
    let e = rt_expr("series_decompose_anomalies(y, threshold=1.5, seasonality=-1)");
    let ExprKind::Call { func, args } = &e.kind else {
        panic!("expected a call");
    };
    assert_eq!(func.to_string(), "series_decompose_anomalies");
    let names: Vec<Option<&str>> = args
        .iter()
        .map(|a| a.name.as_ref().map(|n| n.name.as_str()))
        .collect();
    assert_eq!(names, [None, Some("threshold"), Some("seasonality")]);
    assert_eq!(args[1].value.to_string(), "1.5");

    for src in ["count(*)", "arg_max(Timestamp, *)", "pack_all()", "now()"] {
        rt_expr(src);
    }
    let e = rt_expr("arg_max(Timestamp, *)");
    let ExprKind::Call { args, .. } = &e.kind else {
        panic!("expected a call");
    };
    assert_eq!(args.len(), 2);
    assert!(matches!(args[1].value.kind, ExprKind::Star));
    let ExprKind::Call { args, .. } = rt_expr("f()").kind else {
        panic!("expected a call");
    };
    assert!(args.is_empty());
}

// ----------------------------------------------------------------------------- literals

#[test]
fn timespan_literals() {
    assert_eq!(ticks("1.5h"), 54_000_000_000);
    assert_eq!(ticks("2d"), 2 * TICKS_PER_DAY);
    assert_eq!(ticks("30min"), 30 * TICKS_PER_MINUTE);
    assert_eq!(ticks("30m"), 30 * TICKS_PER_MINUTE);
    assert_eq!(ticks("10s"), 10 * TICKS_PER_SECOND);
    assert_eq!(ticks("10sec"), 10 * TICKS_PER_SECOND);
    assert_eq!(ticks("100ms"), 1_000_000);
    assert_eq!(ticks("10microsecond"), 100);
    assert_eq!(ticks("1tick"), 1);
    assert_eq!(ticks("3hours"), 3 * TICKS_PER_HOUR);
    // 1 day + 2 h + 3 min + 4.5 s, by hand:
    // 864_000_000_000 + 72_000_000_000 + 1_800_000_000 + 45_000_000
    assert_eq!(ticks("time(1.02:03:04.5)"), 937_845_000_000);
    assert_eq!(ticks("timespan(15 seconds)"), 150_000_000);
    assert_eq!(
        ticks("timespan(2)"),
        2 * TICKS_PER_DAY,
        "a bare number is days"
    );
    assert_eq!(ticks("time(00:30:00)"), 30 * TICKS_PER_MINUTE);
    assert_eq!(lit("timespan(null)"), Literal::Timespan(None));
    assert_eq!(lit("time(null)"), Literal::Timespan(None));
}

#[test]
fn numeric_literals() {
    assert_eq!(lit("0x1F"), Literal::Long(Some(31)));
    assert_eq!(lit("42"), Literal::Long(Some(42)));
    assert_eq!(lit("long(5)"), Literal::Long(Some(5)));
    assert_eq!(lit("int(5)"), Literal::Int(Some(5)));
    assert_eq!(lit("long(null)"), Literal::Long(None));
    assert_eq!(lit("int(null)"), Literal::Int(None));
    assert_eq!(lit("1e3"), Literal::Real(Some(Real(1000.0))));
    assert_eq!(real("1.5"), 1.5);
    assert_eq!(real("real(1)"), 1.0);
    assert_eq!(real("2.5e-3"), 0.0025);
    assert!(real("real(nan)").is_nan());
    assert_eq!(real("real(+inf)"), f64::INFINITY);
    assert_eq!(real("real(-inf)"), f64::NEG_INFINITY);
    assert_eq!(lit("real(null)"), Literal::Real(None));
    assert_eq!(lit("decimal(1.25)"), Literal::Decimal(Some("1.25".into())));
    assert_eq!(lit("bool(true)"), Literal::Bool(Some(true)));
    assert_eq!(lit("true"), Literal::Bool(Some(true)));
    assert_eq!(lit("False"), Literal::Bool(Some(false)));
    assert_eq!(lit("bool(null)"), Literal::Bool(None));
}

#[test]
fn long_min_and_max_literals() {
    assert_eq!(
        lit("long(9223372036854775807)"),
        Literal::Long(Some(i64::MAX))
    );
    assert_eq!(
        lit("long(-9223372036854775808)"),
        Literal::Long(Some(i64::MIN))
    );
    assert_eq!(lit("int(-2147483648)"), Literal::Int(Some(i32::MIN)));
}

#[test]
fn string_literals() {
    assert_eq!(string(r#"@"c:\x""#), (r"c:\x".to_string(), false));
    assert_eq!(string(r#"@"c:\\x""#), (r"c:\\x".to_string(), false));
    assert_eq!(string(r"@'a''b'"), ("a'b".to_string(), false));
    assert_eq!(string(r#"h"secret""#), ("secret".to_string(), true));
    assert_eq!(string(r#"h@"c:\s""#), (r"c:\s".to_string(), true));
    assert_eq!(string(r#""a" 'b'"#), ("ab".to_string(), false));
    assert_eq!(
        string("```multi\nline```"),
        ("multi\nline".to_string(), false)
    );
    assert_eq!(string("~~~x\ny~~~"), ("x\ny".to_string(), false));
    assert_eq!(
        string(r#""\n \t \u00e9 \\ \"""#),
        ("\n \t \u{e9} \\ \"".to_string(), false)
    );
    assert_eq!(string(r"'it\'s'"), ("it's".to_string(), false));
    assert_eq!(string("\"\""), (String::new(), false));
}

#[test]
fn guid_literals() {
    let g = "74be27de-1e4e-49d9-b579-fe0b331d3642";
    assert_eq!(lit(&format!("guid({g})")), Literal::Guid(Some(g.into())));
    assert_eq!(lit(g), Literal::Guid(Some(g.into())), "bare guid");
    assert_eq!(lit("guid(null)"), Literal::Guid(None));
}

#[test]
fn datetime_literals() {
    assert_eq!(
        lit("datetime(2015-12-31 23:59:59.9)"),
        Literal::Datetime(Some("2015-12-31 23:59:59.9".into()))
    );
    assert_eq!(lit("datetime(null)"), Literal::Datetime(None));
}

#[test]
fn dynamic_literals() {
    let Literal::Dynamic(d) = lit(r#"dynamic([1, "a", {"k": datetime(2020-01-01)}])"#) else {
        panic!("expected dynamic");
    };
    assert_eq!(
        d,
        Dynamic::Array(vec![
            Dynamic::Long(1),
            Dynamic::String("a".into()),
            Dynamic::Object(vec![(
                "k".into(),
                Dynamic::Typed(Box::new(Literal::Datetime(Some("2020-01-01".into()))))
            )]),
        ])
    );
    assert_eq!(lit("dynamic(null)"), Literal::Dynamic(Dynamic::Null));
    let Literal::Dynamic(d) = lit(r#"dynamic({"a": [true, null, 1.5, -2], "b": {}})"#) else {
        panic!("expected dynamic");
    };
    assert_eq!(
        d,
        Dynamic::Object(vec![
            (
                "a".into(),
                Dynamic::Array(vec![
                    Dynamic::Bool(true),
                    Dynamic::Null,
                    Dynamic::Real(Real(1.5)),
                    Dynamic::Long(-2),
                ])
            ),
            ("b".into(), Dynamic::Object(vec![])),
        ])
    );
}

// ----------------------------------------------------------------------------- recursion limit

/// Runs `f` on a thread with a 2 MiB stack, the size cargo gives test threads.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the parser overflowed or panicked on deep nesting");
}

fn assert_depth_error(src: &str) {
    let out = parse_script(src);
    assert!(
        out.diagnostics.iter().any(|d| d.code == "KQL0103"),
        "expected KQL0103, got {:?}",
        out.diagnostics
            .iter()
            .map(|d| (d.code, d.message.as_str()))
            .collect::<Vec<_>>()
    );
    let err = parse_expr(src).expect_err("deep nesting must be rejected");
    assert_eq!(err.code, "KQL0103", "{}", err.message);
}

#[test]
fn deeply_nested_parentheses_are_a_diagnostic() {
    on_small_stack(|| {
        let n = 10_000;
        let src = format!("print {}1{}", "(".repeat(n), ")".repeat(n));
        assert_depth_error(&src);
        let src = format!("{}1{}", "(".repeat(n), ")".repeat(n));
        let err = parse_expr(&src).expect_err("deep nesting must be rejected");
        assert_eq!(err.code, "KQL0103");
    });
}

#[test]
fn deeply_nested_dynamic_is_a_diagnostic() {
    on_small_stack(|| {
        let n = 10_000;
        let src = format!("print dynamic({}{})", "[".repeat(n), "]".repeat(n));
        assert_depth_error(&src);
    });
}

#[test]
fn deeply_nested_other_forms_are_diagnostics() {
    on_small_stack(|| {
        let n = 10_000;
        // unary minus, calls, subqueries, index chains
        assert_depth_error(&format!("print {}1", "- ".repeat(n)));
        assert_depth_error(&format!("print {}1", "-".repeat(n)));
        assert_depth_error(&format!("print {}1{}", "f(".repeat(n), ")".repeat(n)));
        assert_depth_error(&format!("T{}", " | where x in (T".repeat(n)));
        assert_depth_error(&format!("print x{}", "[x".repeat(n)));
    });
}

#[test]
fn moderate_nesting_is_fine() {
    on_small_stack(|| {
        let n = 40;
        let src = format!("print {}1{}", "(".repeat(n), ")".repeat(n));
        script(&src);
        let src = format!("print dynamic({}{})", "[".repeat(n), "]".repeat(n));
        script(&src);
    });
}

// ----------------------------------------------------------------------------- statements

#[test]
fn let_scalar_and_tabular() {
    let s = script("let n = 5;\nlet T = datatable(a:long, b:string)[1, \"x\"];\nT | take n");
    assert_eq!(s.statements.len(), 3);
    let StatementKind::Let(l) = &s.statements[0].kind else {
        panic!("expected let");
    };
    assert_eq!(l.name.name, "n");
    assert!(matches!(
        &l.value,
        LetValue::Expr(e) if matches!(e.kind, ExprKind::Literal(Literal::Long(Some(5))))
    ));
    let StatementKind::Let(l) = &s.statements[1].kind else {
        panic!("expected let");
    };
    let LetValue::Expr(e) = &l.value else {
        panic!("expected a value");
    };
    let ExprKind::Source(op) = &e.kind else {
        panic!("expected datatable, got {:?}", e.kind);
    };
    let OperatorKind::Datatable {
        columns, values, ..
    } = &op.kind
    else {
        panic!("expected datatable");
    };
    assert_eq!(columns.len(), 2);
    assert_eq!(columns[0].ty, TypeName::Long);
    assert_eq!(values.len(), 2);
    assert!(matches!(s.statements[2].kind, StatementKind::Query(_)));

    // bracketed names
    let StatementKind::Let(l) = only_statement("let ['my table'] = T | take 1") else {
        panic!("expected let");
    };
    assert_eq!(l.name.name, "my table");
}

#[test]
fn let_function_with_defaults_and_tabular_params() {
    let src = "let f = (T:(*), x:long, y:string = \"a\", S:(k:string, v:long)) { T | where x > 0 | extend y };";
    let StatementKind::Let(l) = only_statement(src) else {
        panic!("expected let");
    };
    let LetValue::Function(def) = &l.value else {
        panic!("expected a function, got {:?}", l.value);
    };
    assert_eq!(def.params.len(), 4);
    match &def.params[0] {
        FnParam::Tabular(t) => {
            assert_eq!(t.name.name, "T");
            assert!(t.open);
            assert!(t.columns.is_empty());
        }
        other => panic!("expected a tabular parameter, got {other:?}"),
    }
    match &def.params[1] {
        FnParam::Scalar(p) => {
            assert_eq!(p.name.name, "x");
            assert_eq!(p.ty, TypeName::Long);
            assert!(p.default.is_none());
        }
        other => panic!("expected a scalar parameter, got {other:?}"),
    }
    match &def.params[2] {
        FnParam::Scalar(p) => {
            assert_eq!(p.ty, TypeName::String);
            assert_eq!(
                p.default.as_ref().map(ToString::to_string).as_deref(),
                Some("\"a\"")
            );
        }
        other => panic!("expected a scalar parameter, got {other:?}"),
    }
    match &def.params[3] {
        FnParam::Tabular(t) => {
            assert!(!t.open);
            assert_eq!(t.columns.len(), 2);
            assert_eq!(t.columns[1].ty, TypeName::Long);
        }
        other => panic!("expected a tabular parameter, got {other:?}"),
    }
    assert!(def.body.result.is_some());

    // A body with its own let statements.
    let StatementKind::Let(l) =
        only_statement("let g = (a:long) { let b = a * 2; let c = b + 1; c };")
    else {
        panic!("expected let");
    };
    let LetValue::Function(def) = &l.value else {
        panic!("expected a function");
    };
    assert_eq!(def.body.statements.len(), 2);
    assert_eq!(
        def.body.result.as_ref().map(ToString::to_string).as_deref(),
        Some("c")
    );

    // No parameters.
    let StatementKind::Let(l) = only_statement("let h = () { now() };") else {
        panic!("expected let");
    };
    assert!(matches!(&l.value, LetValue::Function(d) if d.params.is_empty()));
}

#[test]
fn let_view_and_materialize() {
    let StatementKind::Let(l) = only_statement("let V = view () { T | take 10 };") else {
        panic!("expected let");
    };
    assert!(matches!(l.value, LetValue::View(_)), "{:?}", l.value);

    let s = script("let M = materialize(T | summarize count() by k);\nM | union M");
    let StatementKind::Let(l) = &s.statements[0].kind else {
        panic!("expected let");
    };
    let LetValue::Expr(e) = &l.value else {
        panic!("expected an expression");
    };
    let ExprKind::Call { func, args } = &e.kind else {
        panic!("expected materialize(...), got {:?}", e.kind);
    };
    assert_eq!(func.to_string(), "materialize");
    assert_eq!(args.len(), 1);
    assert!(matches!(args[0].value.kind, ExprKind::Pipe { .. }));
}

#[test]
fn set_statement() {
    let StatementKind::Set { name, value } = only_statement("set x = 1;\n") else {
        panic!("expected set");
    };
    assert_eq!(name.name, "x");
    assert_eq!(value.map(|v| v.to_string()).as_deref(), Some("1"));

    let s = script("set querytrace;\nset truncationmaxrecords = 100;\nT | take 1");
    assert_eq!(s.statements.len(), 3);
    assert!(matches!(
        &s.statements[0].kind,
        StatementKind::Set { value: None, .. }
    ));
}

#[test]
fn declare_query_parameters() {
    let src = "declare query_parameters(n:long = 10, name:string, since:datetime = datetime(2020-01-01));\nT | take n";
    let s = script(src);
    assert_eq!(s.statements.len(), 2);
    let StatementKind::DeclareQueryParameters(params) = &s.statements[0].kind else {
        panic!("expected declare query_parameters");
    };
    let names: Vec<&str> = params.iter().map(|p| p.name.name.as_str()).collect();
    assert_eq!(names, ["n", "name", "since"]);
    assert_eq!(params[0].ty, TypeName::Long);
    assert!(params[1].default.is_none());
    assert_eq!(params[2].ty, TypeName::Datetime);
}

#[test]
fn alias_and_restrict() {
    let StatementKind::AliasDatabase { name, value } = only_statement(
        "alias database db = cluster(\"https://help.kusto.windows.net\").database(\"Samples\");",
    ) else {
        panic!("expected alias database");
    };
    assert_eq!(name.name, "db");
    assert!(
        matches!(value.kind, ExprKind::Call { .. }),
        "{:?}",
        value.kind
    );

    let s = script("let V = T | take 1;\nrestrict access to (V, database(\"db\").Table);\nV");
    let StatementKind::RestrictAccess(entities) = &s.statements[1].kind else {
        panic!("expected restrict access, got {:?}", s.statements[1].kind);
    };
    assert_eq!(entities.len(), 2);
}

#[test]
fn trailing_semicolon_and_comments() {
    let s = script("// leading comment\nT // trailing comment\n| take 1; // after\n");
    assert_eq!(s.statements.len(), 1);
    let s = script("print 1;\nprint 2;");
    assert_eq!(s.statements.len(), 2);
}

// ----------------------------------------------------------------------------- round trips

#[test]
fn expressions_round_trip() {
    for src in [
        "a + b * c",
        "(a + b) * c",
        "x has \"a\" and y",
        "1 + x has \"y\"",
        "x between (1 .. 10)",
        "x !between (datetime(2020-01-01) .. 1d)",
        "x in~ (\"a\", \"b\")",
        "x !in (T | project y)",
        "x !has_cs \"A\"",
        "x matches regex \"[0-9]+\"",
        "-x",
        "- -x",
        "a.b[0]['c']",
        "d[\"key with space\"].inner",
        "f(x, threshold=1.5)",
        "count(*)",
        "iff(a > 1, \"big\", \"small\")",
        "case(a == 1, \"one\", a == 2, \"two\", \"many\")",
        "toscalar(T | summarize max(x))",
        "1.5h",
        "time(1.02:03:04.5)",
        "timespan(15 seconds)",
        "timespan(2)",
        "0x1F",
        "1e3",
        "real(nan)",
        "real(+inf)",
        "real(-inf)",
        "long(null)",
        "int(null)",
        "@\"c:\\x\"",
        "h\"secret\"",
        "\"a\" 'b'",
        "```multi\nline```",
        "\"\\n \\t \\u00e9 \\\\ \\\"\"",
        "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)",
        "74be27de-1e4e-49d9-b579-fe0b331d3642",
        "dynamic([1, \"a\", {\"k\": datetime(2020-01-01)}])",
        "['a b'] + ['where']",
        "T | where x > 1 | take 5",
    ] {
        rt_expr(src);
    }
}

#[test]
fn statements_round_trip() {
    for src in [
        "let n = 5;\nprint n",
        "let T = datatable(a:long)[1, 2];\nT",
        "let f = (T:(*), x:long = 1) { T | where a > x };\nf(datatable(a:long)[1], 0)",
        "let v = view () { print 1 };\nv",
        "let m = materialize(print x = 1);\nm",
        "set x = 1;\nprint 1",
        "declare query_parameters(a:long = 1, b:string);\nprint a, b",
        "alias database d = cluster(\"c\").database(\"d\");\nprint 1",
        "restrict access to (T);\nT",
    ] {
        script(src);
    }
}
