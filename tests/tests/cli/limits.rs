//! Resource limits on the command line: `--memory-limit` (sorts and aggregations spill, a join
//! that cannot fails with a clear "memory limit" error) and `--timeout`.

use super::run;

#[test]
fn a_sort_of_ten_times_the_memory_limit_spills_or_stops_clearly() {
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
    // Either the sort spills and gives the oracle's answer, or — when unspillable buffers
    // (exchange channels, the window over the sorted rows) take the pool first, which depends on
    // scheduling — it stops with the clear error. Never a wrong answer or a crash.
    if r.code == 0 {
        assert_eq!(r.stdout, "s\nk1899999\n");
    } else {
        assert_eq!(r.code, 1);
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr.starts_with("error: memory limit exceeded"),
            "{}",
            r.stderr
        );
    }
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

/// Dropping a running query (what Ctrl-C, a timeout or an embedder's cancel does) stops its
/// work and gives its memory back to the pool promptly.
#[test]
fn a_cancelled_query_frees_its_memory() {
    use futures::StreamExt;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ctx = kql_engine::KqlContext::with_memory_limit(4 << 30).unwrap();
    let pool = std::sync::Arc::clone(&ctx.session().runtime_env().memory_pool);
    rt.block_on(async {
        let mut q = ctx
            .run_streaming(
                "range x from 1 to 200000000 step 1 | summarize n = count() by k = x % 5000011",
            )
            .await
            .unwrap()
            .remove(0);
        // the aggregation holds its groups until the input ends: poll until it holds memory
        let poll = tokio::spawn(async move {
            let _ = q.stream.next().await;
            q
        });
        let started = std::time::Instant::now();
        while pool.reserved() == 0 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the query never reserved memory"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(
            !poll.is_finished(),
            "the query ended before it could be cancelled"
        );
        poll.abort();
        let _ = poll.await;
        let cancelled = std::time::Instant::now();
        while pool.reserved() > 0 {
            assert!(
                cancelled.elapsed() < std::time::Duration::from_secs(1),
                "{} bytes still reserved 1 s after the cancel",
                pool.reserved()
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
}
