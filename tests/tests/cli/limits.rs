//! Resource limits on the command line: `--memory-limit` (sorts and aggregations spill, a join
//! that cannot fails with a clear "memory limit" error) and `--timeout`.

use super::run;

#[test]
fn a_sort_of_ten_times_the_memory_limit_spills_and_completes() {
    // 2e6 strings (about 80 MB as Arrow arrays) sorted under an 8 MB limit;
    // expected value from tests/oracles/memory_limit_sort.py
    let r = run(&[
        "--format",
        "csv",
        "--memory-limit",
        "8MB",
        "range x from 1 to 2000000 step 1 | extend s = strcat('k', x) | order by s asc \
         | serialize rn = row_number() | where rn == 1000000 | project s",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "s\nk1899999\n");
}

#[test]
fn an_aggregation_with_many_groups_completes_under_a_small_limit() {
    let r = run(&[
        "--format",
        "csv",
        "--memory-limit",
        "4MiB",
        "range x from 1 to 1000000 step 1 | summarize c = count() by s = strcat('k', x % 400000) \
         | summarize groups = count(), rows = sum(c)",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "groups,rows\n400000,1000000\n");
}

#[test]
fn a_join_that_cannot_fit_fails_with_a_memory_limit_error() {
    let r = run(&[
        "--memory-limit",
        "1MB",
        "range x from 1 to 300000 step 1 | extend s = strcat('k', x) \
         | join kind=inner (range y from 1 to 300000 step 1 | extend s = strcat('k', y)) on s | count",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.starts_with("error: memory limit exceeded"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_query_past_its_timeout_stops_with_an_error() {
    let r = run(&[
        "--timeout",
        "300ms",
        "range x from 1 to 5000000 step 1 | summarize dcount(strcat('k', x))",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: the query did not finish within --timeout 300ms\n"
    );
}

#[test]
fn bad_sizes_and_durations_are_usage_errors() {
    let r = run(&["--memory-limit", "12 parsecs", "print 1"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown size unit 'parsecs'"),
        "{}",
        r.stderr
    );
    let r = run(&["--timeout", "soon", "print 1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected a duration"), "{}", r.stderr);
    let r = run(&["--timeout", "0s", "print 1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("must be positive"), "{}", r.stderr);
}
