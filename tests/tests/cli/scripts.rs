//! Script files: `#!` scripts, several statements and result sets, `declare query_parameters`
//! bound from `--param`, `set query_now`.

use super::{run, scratch};

#[test]
fn a_shebang_script_with_parameters_prints_each_result() {
    let script = scratch(
        "params.kql",
        b"#!/usr/bin/env -S kql -f\n\
          declare query_parameters(since:datetime, who:string, n:long = 10);\n\
          range t from datetime(2024-01-01) to datetime(2024-01-05) step 1d\n\
          | where t >= since | take n | extend who;\n\
          print v = n\n",
    );
    let r = run(&[
        "--format",
        "csv",
        "--param",
        "since=2024-01-03",
        "--param",
        "who=o'hara, jr",
        "-f",
        script.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "t,who\n2024-01-03T00:00:00Z,\"o'hara, jr\"\n2024-01-04T00:00:00Z,\"o'hara, jr\"\n\
         2024-01-05T00:00:00Z,\"o'hara, jr\"\n\nv\n10\n"
    );
}

#[test]
fn a_parameter_value_that_is_not_of_the_declared_type_is_an_error() {
    let r = run(&[
        "--param",
        "n=abc",
        "declare query_parameters(n:long); print n",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("query parameter `n` is declared long, but its value 'abc'"),
        "{}",
        r.stderr
    );
    let r = run(&["--param", "=1", "print 1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected NAME=VALUE"), "{}", r.stderr);
}

#[test]
fn timespan_and_dynamic_parameters_read_as_kql_literals() {
    let r = run(&[
        "--format",
        "csv",
        "--param",
        "w=1h",
        "--param",
        "xs=[1, 2, 3]",
        "declare query_parameters(w:timespan, xs:dynamic); print a = w / 1m, b = array_length(xs)",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "a,b\n60,3\n");
}

#[test]
fn set_query_now_fixes_now_for_the_rest_of_the_script() {
    let r = run(&[
        "--format",
        "csv",
        "set query_now = datetime(2024-02-29 12:00); print n = now(), a = ago(1d)",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "n,a\n2024-02-29T12:00:00Z,2024-02-28T12:00:00Z\n");
}
