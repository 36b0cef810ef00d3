//! `render` metadata returned by the engine: the chart kind and its properties, including
//! `anomalycolumns` of `anomalychart` (render-operator.md: "Comma-delimited list of columns,
//! which are considered as anomaly series and displayed as points on the chart").
//! Expected values are written from the queries by hand.

use kql_engine::{KqlContext, QueryResult, RenderSpec};

fn run(script: &str) -> Vec<QueryResult> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let ctx = KqlContext::new();
    rt.block_on(ctx.run(script))
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

fn spec(chart: &str, props: &[(&str, &[&str])]) -> RenderSpec {
    RenderSpec {
        chart: chart.to_string(),
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect(),
    }
}

/// The Azure Monitor anomaly tutorial's shape: make-series, the tuple form of
/// series_decompose_anomalies, and an anomalychart naming the anomaly column.
#[test]
fn anomalychart_carries_anomaly_columns() {
    let q = "range t from datetime(2024-01-01) to datetime(2024-01-03) step 1h \
             | extend v = iff(t == datetime(2024-01-02 05:00), 100.0, 1.0 * hourofday(t)) \
             | make-series Usage = avg(v) on t step 1h \
             | extend (Anomalies, AnomalyScore, ExpectedUsage) = series_decompose_anomalies(Usage) \
             | render anomalychart with (anomalycolumns = Anomalies, xcolumn = t, \
                 ycolumns = Usage, ExpectedUsage, title = 'Usage anomalies')";
    let results = run(q);
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(
        r.render,
        Some(spec(
            "anomalychart",
            &[
                ("anomalycolumns", &["Anomalies"]),
                ("xcolumn", &["t"]),
                ("ycolumns", &["Usage", "ExpectedUsage"]),
                ("title", &["Usage anomalies"]),
            ],
        ))
    );
    // The named columns exist in the result.
    let names: Vec<&str> = r
        .schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    for c in ["t", "Usage", "Anomalies", "AnomalyScore", "ExpectedUsage"] {
        assert!(names.contains(&c), "{c} missing from {names:?}");
    }
    assert_eq!(r.num_rows(), 1);
}

#[test]
fn several_anomaly_columns_and_series() {
    let q = "print k = 'a', x = dynamic([1, 2]), a1 = dynamic([0, 1]), a2 = dynamic([1, 0]) \
             | render anomalychart with (anomalycolumns = a1, a2, series = k, ysplit = panels)";
    let r = run(q);
    assert_eq!(
        r[0].render,
        Some(spec(
            "anomalychart",
            &[
                ("anomalycolumns", &["a1", "a2"]),
                ("series", &["k"]),
                ("ysplit", &["panels"]),
            ],
        ))
    );
}

#[test]
fn timechart_without_properties_and_legacy_form() {
    let r = run("print x = 1 | render timechart");
    assert_eq!(r[0].render, Some(spec("timechart", &[])));
    let r = run("print x = 1, k = 'a' | render timechart by k");
    assert_eq!(r[0].render, Some(spec("timechart", &[("by", &["k"])])));
    let r = run("print x = 1 | render timechart with (title = \"T\", kind = default)");
    assert_eq!(
        r[0].render,
        Some(spec(
            "timechart",
            &[("title", &["T"]), ("kind", &["default"])]
        ))
    );
}

/// Each query statement of a script has its own render metadata; a query without `render`
/// has none.
#[test]
fn render_is_per_query() {
    let r = run(
        "print x = 1 | render anomalychart with (anomalycolumns = x);\n\
                 print y = 2",
    );
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0].render,
        Some(spec("anomalychart", &[("anomalycolumns", &["x"])]))
    );
    assert_eq!(r[1].render, None);
}
