//! Unit tests of the chart model and writers. Inputs are small hand-made results; expected
//! values are worked out from the queries by hand.

use super::model::{Body, ChartKind, Plot, Stacking, Style, XAxis};
use super::*;
use kql_engine::datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, ListArray, StringArray, TimestampNanosecondArray,
};
use kql_engine::datafusion::arrow::datatypes::{Float64Type, Int64Type, TimestampNanosecondType};
use kql_engine::datafusion::arrow::record_batch::RecordBatch;
use std::sync::Arc;

const HOUR: i64 = 3_600_000_000_000;
const T0: i64 = 1_710_417_600_000_000_000; // 2024-03-14T12:00:00Z

fn result(cols: Vec<(&str, ArrayRef)>, chart: &str, props: &[(&str, &[&str])]) -> QueryResult {
    let batch = RecordBatch::try_from_iter(cols).expect("batch");
    QueryResult {
        schema: batch.schema(),
        batches: vec![batch],
        render: Some(RenderSpec {
            chart: chart.to_string(),
            properties: props
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }),
    }
}

fn times(v: &[i64]) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from(v.to_vec()).with_timezone("UTC"))
}
fn strs(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}
fn longs(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}
fn reals(v: &[f64]) -> ArrayRef {
    Arc::new(Float64Array::from(v.to_vec()))
}

fn chart_of(r: &QueryResult) -> Result<Chart, ChartError> {
    build(r, r.render.as_ref().expect("render spec"))
}

fn plot_of(c: &Chart) -> &Plot {
    match &c.body {
        Body::Plot(p) => p,
        other => panic!("not a plot: {other:?}"),
    }
}

/// `summarize n = count() by bin(t, 1h), Service | render timechart`, rows out of order.
fn by_service() -> QueryResult {
    result(
        vec![
            ("t", times(&[T0 + 2 * HOUR, T0, T0 + HOUR, T0, T0 + HOUR])),
            ("Service", strs(&["a", "a", "a", "b", "b"])),
            ("n", longs(&[30, 10, 20, 5, 6])),
        ],
        "timechart",
        &[("title", &["Requests"])],
    )
}

#[test]
fn default_roles_x_datetime_y_numeric_series_strings() {
    let c = chart_of(&by_service()).expect("chart");
    assert_eq!(c.kind, ChartKind::Timechart);
    assert_eq!(c.title.as_deref(), Some("Requests"));
    assert_eq!((c.xtitle.as_str(), c.ytitle.as_str()), ("t", "n"));
    let p = plot_of(&c);
    assert_eq!(p.x, XAxis::Time);
    assert_eq!(p.style, Style::Line);
    let s = &p.panels[0].series;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].name, "a");
    // sorted by x
    let a: Vec<(f64, f64)> = s[0].points.clone();
    assert_eq!(
        a,
        vec![
            (T0 as f64, 10.0),
            ((T0 + HOUR) as f64, 20.0),
            ((T0 + 2 * HOUR) as f64, 30.0)
        ]
    );
    assert_eq!(s[1].name, "b");
    assert_eq!(s[1].points.len(), 2);
}

#[test]
fn explicit_columns_and_several_y_columns() {
    let r = result(
        vec![
            ("x", longs(&[3, 1, 2])),
            ("a", reals(&[1.0, 2.0, 3.0])),
            ("b", reals(&[4.0, 5.0, 6.0])),
            ("tag", strs(&["k", "k", "k"])),
        ],
        "linechart",
        &[("ycolumns", &["b", "a"]), ("series", &[])],
    );
    let c = chart_of(&r).expect("chart");
    let p = plot_of(&c);
    assert_eq!(p.x, XAxis::Number);
    let names: Vec<&str> = p.panels[0].series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["b (k)", "a (k)"]);
    assert_eq!(
        p.panels[0].series[0].points,
        vec![(1.0, 5.0), (2.0, 6.0), (3.0, 4.0)]
    );
    // xcolumn naming a missing column
    let r = result(
        vec![("x", longs(&[1])), ("a", reals(&[1.0]))],
        "linechart",
        &[("xcolumn", &["nope"])],
    );
    let e = chart_of(&r).expect_err("missing column");
    assert!(e.0.contains("'nope'") && e.0.contains("x, a"), "{e}");
}

#[test]
fn errors_are_messages() {
    let no_time = result(
        vec![("x", longs(&[1, 2])), ("y", longs(&[3, 4]))],
        "timechart",
        &[],
    );
    let e = chart_of(&no_time).expect_err("timechart without datetime");
    assert!(e.0.contains("datetime"), "{e}");
    let no_number = result(
        vec![("t", times(&[T0])), ("s", strs(&["a"]))],
        "timechart",
        &[],
    );
    let e = chart_of(&no_number).expect_err("no numeric column");
    assert!(e.0.contains("numeric column"), "{e}");
    let r = result(
        vec![("t", times(&[T0])), ("y", longs(&[1]))],
        "treemap",
        &[],
    );
    assert!(chart_of(&r).expect_err("treemap").0.contains("treemap"));
    let r = result(
        vec![("t", times(&[T0])), ("y", longs(&[1]))],
        "scatterchart",
        &[("kind", &["map"])],
    );
    assert!(chart_of(&r).expect_err("map").0.contains("kind=map"));
    let r = result(
        vec![("t", times(&[T0])), ("y", longs(&[1]))],
        "linechart",
        &[("kind", &["stacked"])],
    );
    assert!(
        chart_of(&r)
            .expect_err("stacked line")
            .0
            .contains("kind=stacked")
    );
    let r = result(
        vec![("t", times(&[T0])), ("y", longs(&[1]))],
        "timechart",
        &[("legend", &["maybe"])],
    );
    assert!(chart_of(&r).expect_err("legend").0.contains("visible"));
    let r = result(
        vec![("t", times(&[T0])), ("y", longs(&[1]))],
        "anomalychart",
        &[],
    );
    assert!(
        chart_of(&r)
            .expect_err("anomalycolumns")
            .0
            .contains("anomalycolumns")
    );
}

/// `make-series v = ... on t step 1h by Service | extend (flags, score, baseline) =
/// series_decompose_anomalies(v) | render anomalychart with (anomalycolumns=flags)`.
fn make_series() -> QueryResult {
    let axis = |n: usize| {
        Some(
            (0..n as i64)
                .map(|i| Some(T0 + i * HOUR))
                .collect::<Vec<_>>(),
        )
    };
    let t = ListArray::from_iter_primitive::<TimestampNanosecondType, _, _>(vec![axis(4), axis(4)]);
    let v = ListArray::from_iter_primitive::<Float64Type, _, _>(vec![
        Some(vec![Some(1.0), Some(9.0), Some(1.0), Some(1.0)]),
        Some(vec![Some(2.0), Some(2.0), Some(0.0), None]),
    ]);
    let flags = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![
        Some(vec![Some(0), Some(1), Some(0), Some(0)]),
        Some(vec![Some(0), Some(0), Some(-1), Some(0)]),
    ]);
    result(
        vec![
            ("Service", strs(&["a", "b"])),
            ("v", Arc::new(v)),
            ("t", Arc::new(t)),
            ("flags", Arc::new(flags)),
        ],
        "anomalychart",
        &[("anomalycolumns", &["flags"])],
    )
}

#[test]
fn make_series_arrays_chart_directly_with_anomaly_points() {
    let c = chart_of(&make_series()).expect("chart");
    let p = plot_of(&c);
    assert_eq!(p.x, XAxis::Time);
    let s = &p.panels[0].series;
    assert_eq!(s.len(), 2, "one series per row");
    assert_eq!((s[0].name.as_str(), s[1].name.as_str()), ("a", "b"));
    assert_eq!(s[0].points.len(), 4);
    assert_eq!(s[1].points.len(), 3, "the null point is left out");
    assert_eq!(s[0].anomalies.len(), 1);
    assert_eq!(s[0].anomalies[0].x, (T0 + HOUR) as f64);
    assert_eq!(s[0].anomalies[0].y, 9.0);
    assert_eq!(s[1].anomalies[0].direction, -1.0);
    assert_eq!(c.ytitle, "v");
}

#[test]
fn stacking_and_panels() {
    let r = result(
        vec![
            ("k", strs(&["x", "x", "y"])),
            ("s", strs(&["p", "q", "p"])),
            ("n", longs(&[1, 3, 2])),
        ],
        "columnchart",
        &[("kind", &["stacked100"])],
    );
    let c = chart_of(&r).expect("chart");
    let p = plot_of(&c);
    assert_eq!(p.stacking, Stacking::Stacked100);
    assert_eq!(p.x, XAxis::Category(vec!["x".into(), "y".into()]));
    let s = &p.panels[0].series;
    // category x: p=1 of 4 (25%), q=3 (75%) on top; category y: p=100%, q=0
    assert_eq!(s[0].points, vec![(0.0, 25.0), (1.0, 100.0)]);
    assert_eq!(s[1].base, vec![25.0, 100.0]);
    assert_eq!(s[1].points, vec![(0.0, 100.0), (1.0, 100.0)]);

    let r = result(
        vec![
            ("t", times(&[T0, T0 + HOUR])),
            ("a", longs(&[1, 2])),
            ("b", longs(&[3, 4])),
        ],
        "timechart",
        &[("ysplit", &["panels"])],
    );
    let c = chart_of(&r).expect("chart");
    let p = plot_of(&c);
    assert_eq!(p.panels.len(), 2);
    assert_eq!(p.panels[1].name.as_deref(), Some("b"));
    assert_eq!(p.panels[1].series[0].points[1], ((T0 + HOUR) as f64, 4.0));
}

#[test]
fn pie_sums_equal_labels_and_card_takes_the_first_row() {
    let r = result(
        vec![("Level", strs(&["E", "W", "E"])), ("n", longs(&[2, 3, 5]))],
        "piechart",
        &[],
    );
    let c = chart_of(&r).expect("pie");
    assert_eq!(
        c.body,
        Body::Pie(vec![("E".into(), 7.0), ("W".into(), 3.0)])
    );
    let r = result(vec![("total", longs(&[42, 7]))], "card", &[]);
    let c = chart_of(&r).expect("card");
    assert_eq!(c.body, Body::Card(vec![("total".into(), "42".into())]));
}

#[test]
fn svg_has_one_polyline_per_series_with_every_point() {
    let c = chart_of(&by_service()).expect("chart");
    let svg = String::from_utf8(encode(&c, ChartFormat::Svg).expect("svg")).expect("utf8");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<title>Requests</title>"));
    let lines: Vec<&str> = svg.lines().filter(|l| l.starts_with("<polyline")).collect();
    assert_eq!(lines.len(), 2);
    let count = |l: &str| {
        let pts = l
            .split("points=\"")
            .nth(1)
            .and_then(|r| r.split('"').next());
        pts.map_or(0, |p| p.split(' ').count())
    };
    assert!(lines[0].contains("data-series=\"a\""));
    assert_eq!(count(lines[0]), 3);
    assert_eq!(count(lines[1]), 2);
    let html = String::from_utf8(encode(&c, ChartFormat::Html).expect("html")).expect("utf8");
    assert!(html.contains("<title>Requests</title>") && html.contains("<svg"));
    // anomaly markers are circles in the anomaly colour
    let c = chart_of(&make_series()).expect("chart");
    let svg = String::from_utf8(encode(&c, ChartFormat::Svg).expect("svg")).expect("utf8");
    let marks = svg
        .lines()
        .filter(|l| l.starts_with("<circle") && l.contains(&scene::ANOMALY.hex()))
        .count();
    assert_eq!(marks, 2 + 1, "two anomalies and the legend marker");
}

/// Decodes a PNG written by [`png::render`]: (width, height, RGB bytes).
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let mut pos = 8;
    let (mut w, mut h) = (0, 0);
    let mut idat = Vec::new();
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().expect("len")) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = &bytes[pos + 8..pos + 8 + len];
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        let stored = u32::from_be_bytes(
            bytes[pos + 8 + len..pos + 12 + len]
                .try_into()
                .expect("crc"),
        );
        assert_eq!(crc.sum(), stored, "chunk CRC");
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data[0..4].try_into().expect("w"));
                h = u32::from_be_bytes(data[4..8].try_into().expect("h"));
                assert_eq!(&data[8..10], &[8, 2], "8-bit RGB");
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("zlib");
    assert_eq!(raw.len(), (h * (1 + 3 * w)) as usize);
    (w, h, raw)
}

#[test]
fn png_decodes_with_the_scene_size_and_drawn_pixels() {
    let c = chart_of(&by_service()).expect("chart");
    let bytes = encode(&c, ChartFormat::Png).expect("png");
    let (w, h, raw) = decode_png(&bytes);
    assert_eq!((w, h), (1920, 1080));
    let bg = scene::BACKGROUND;
    let row = 1 + 3 * w as usize;
    let mut drawn = 0usize;
    let mut series_blue = 0usize;
    for y in 0..h as usize {
        assert_eq!(raw[y * row], 0, "filter byte");
        for px in raw[y * row + 1..(y + 1) * row].chunks(3) {
            if px != [bg.0, bg.1, bg.2] {
                drawn += 1;
            }
            let c0 = scene::palette(0);
            if px == [c0.0, c0.1, c0.2] {
                series_blue += 1;
            }
        }
    }
    assert!(drawn > 10_000, "only {drawn} pixels drawn");
    assert!(series_blue > 100, "the first series' colour is missing");
}

#[test]
fn terminal_chart_has_braille_a_legend_and_anomaly_marks() {
    let c = chart_of(&make_series()).expect("chart");
    let text = terminal::render(&c, 80, false).expect("text");
    assert!(
        text.chars()
            .any(|ch| ('\u{2801}'..='\u{28ff}').contains(&ch))
    );
    assert!(text.contains("■ a") && text.contains("■ anomalies"));
    assert!(text.contains('●'));
    assert!(!text.contains('\x1b'), "no colours when not asked");
    let coloured = terminal::render(&c, 80, true).expect("text");
    assert!(coloured.contains("\x1b[38;2;"));
    // a table needs no chart
    let r = result(vec![("x", longs(&[1]))], "table", &[]);
    assert!(terminal::render(&chart_of(&r).expect("table"), 80, false).is_none());
}

#[test]
fn bar_and_area_charts_lay_out() {
    let r = result(
        vec![("k", strs(&["x", "y"])), ("n", longs(&[1, 3]))],
        "barchart",
        &[("legend", &["hidden"]), ("yaxis", &["log"])],
    );
    let c = chart_of(&r).expect("bar");
    assert!(!c.legend);
    let s = layout::scene(&c);
    let bars = s
        .shapes
        .iter()
        .filter(|sh| matches!(sh, scene::Shape::Rect { fill, .. } if *fill == scene::palette(0)))
        .count();
    assert_eq!(bars, 2);
    let r = result(
        vec![
            ("t", times(&[T0, T0 + HOUR])),
            ("s", strs(&["p", "p"])),
            ("n", longs(&[1, 3])),
        ],
        "stackedareachart",
        &[("accumulate", &["true"])],
    );
    let c = chart_of(&r).expect("area");
    assert_eq!(plot_of(&c).panels[0].series[0].points[1].1, 4.0);
    let s = layout::scene(&c);
    assert!(
        s.shapes
            .iter()
            .any(|sh| matches!(sh, scene::Shape::Polygon { .. }))
    );
}

#[test]
fn dynamic_json_arrays_chart_like_lists_and_empty_results_are_errors() {
    use kql_engine::datafusion::arrow::datatypes::{DataType, Field, Schema};
    let dynamic = |name: &str| {
        Field::new(name, DataType::Utf8, true).with_metadata(
            [("kql.type".to_string(), "dynamic".to_string())]
                .into_iter()
                .collect(),
        )
    };
    let schema = Arc::new(Schema::new(vec![dynamic("t"), dynamic("y")]));
    let t: ArrayRef = strs(&[r#"["2024-03-14T12:00:00Z","2024-03-14T13:00:00Z"]"#]);
    let y: ArrayRef = strs(&["[1.5, null]"]);
    let batch = RecordBatch::try_new(schema.clone(), vec![t, y]).expect("batch");
    let r = QueryResult {
        schema,
        batches: vec![batch],
        render: Some(RenderSpec {
            chart: "timechart".into(),
            properties: Vec::new(),
        }),
    };
    let c = chart_of(&r).expect("chart");
    assert_eq!(
        plot_of(&c).panels[0].series[0].points,
        vec![(T0 as f64, 1.5)]
    );

    let r = result(vec![("t", times(&[])), ("y", longs(&[]))], "timechart", &[]);
    assert!(chart_of(&r).expect_err("no rows").0.contains("no rows"));
}
