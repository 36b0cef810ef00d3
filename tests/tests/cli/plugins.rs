//! `evaluate` plugins through the `kql` command: the catalog's examples, argument errors with
//! carets, unknown and unsupported plugins.

use super::run;

/// Every plugin's documented example prints its expected output.
#[test]
fn plugin_catalog_examples() {
    let mut problems = Vec::new();
    for p in kql_functions::plugins::PLUGINS {
        if p.example.trim().is_empty() || p.expected.is_empty() {
            problems.push(format!("`{}` has no example", p.name));
            continue;
        }
        let r = run(&["--format", "csv", p.example]);
        if r.code != 0 || r.stdout != p.expected {
            problems.push(format!(
                "`{}`: {}\n  expected: {:?}\n  got:      {:?} (exit {}) {}",
                p.name,
                p.example,
                p.expected,
                r.stdout,
                r.code,
                r.stderr.trim_end()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} plugin problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn an_unknown_plugin_is_an_error_with_a_caret() {
    let r = run(&["print x = 1 | evaluate no_such_plugin(1)"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("unknown plugin 'no_such_plugin'"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("1:24"), "{}", r.stderr);
    assert!(r.stderr.contains('^'), "{}", r.stderr);
}

#[test]
fn a_service_plugin_is_reported_as_unsupported() {
    let r = run(&["print x = 1 | evaluate python(typeof(*), 'result = df')"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("the plugin 'python' is not supported"),
        "{}",
        r.stderr
    );
}

/// An input column named like a column the plugin adds is a query error at the plugin, not an
/// internal "duplicate field" error (fuzz finding).
#[test]
fn an_input_column_named_like_a_plugin_output_column_is_an_error() {
    for (query, column) in [
        (
            "range x from 1 to 5 step 1 | count | evaluate autocluster()",
            "Count",
        ),
        (
            "range x from 1 to 5 step 1 | count | evaluate basket()",
            "Count",
        ),
        (
            "range x from 1 to 5 step 1 | extend SegmentId = x % 2 | evaluate autocluster()",
            "SegmentId",
        ),
    ] {
        let r = run(&[query]);
        assert_eq!(r.code, 1, "{query}: {}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("would have two columns named `{column}`")),
            "{query}: {}",
            r.stderr
        );
        assert!(r.stderr.contains('^'), "{}", r.stderr);
    }
}
