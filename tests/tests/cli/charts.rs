//! `kql --chart PATH`: charts of `render` results written as SVG, HTML or PNG, over the bundled
//! sample export (corpus/samples/data). Expected counts come from the data itself, asked
//! through separate queries, not from the chart writer.

use super::{kql, root, run};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const DB: &str = "corpus/samples/data";
/// The colour of anomaly markers in the chart writers.
const ANOMALY: &str = "#dc143c";

fn out(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kql-chart-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn chart(name: &str, query: &str) -> (PathBuf, super::Run) {
    let path = out(name);
    let r = run(&[
        "-d",
        DB,
        "--format",
        "csv",
        "--chart",
        path.to_str().unwrap(),
        query,
    ]);
    (path, r)
}

/// One number from a one-row CSV result.
fn scalar(query: &str) -> usize {
    let r = run(&["-d", DB, "--format", "csv", query]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout.lines().nth(1).unwrap().trim().parse().unwrap()
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b.try_into().unwrap())
}

#[test]
fn timechart_png_is_written_and_results_still_print() {
    let (path, r) = chart(
        "requests.png",
        "AppLogs | summarize count() by bin(TimeGenerated, 1h), Service \
         | render timechart with (title='Requests per hour')",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("TimeGenerated,Service,count_\n"));
    let png = std::fs::read(&path).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!((be32(&png[16..20]), be32(&png[20..24])), (1920, 1080));
}

#[test]
fn anomalychart_of_make_series_marks_every_flagged_point() {
    let series = "AppLogs | make-series Errors = countif(Level == 'Error') default = 0 \
                  on TimeGenerated step 15m by Service \
                  | extend (Anomaly, Score, Baseline) = series_decompose_anomalies(Errors, 3.0, -1, 'linefit')";
    let (path, r) = chart(
        "anomalies.svg",
        &format!(
            "{series} | render anomalychart with (anomalycolumns=Anomaly, ycolumns=Errors, title='Errors')"
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(&path).unwrap();
    let services = scalar("AppLogs | summarize dcount(Service)");
    let flagged = scalar(&format!(
        "{series} | mv-expand Anomaly to typeof(long) | where Anomaly != 0 | count"
    ));
    assert!(flagged > 0, "the sample has anomalies");
    let lines = svg.lines().filter(|l| l.starts_with("<polyline")).count();
    assert_eq!(lines, services, "one line per service");
    let marks = svg
        .lines()
        .filter(|l| l.starts_with("<circle") && l.contains(ANOMALY))
        .count();
    assert_eq!(
        marks,
        flagged + 1,
        "a marker per anomaly, and one in the legend"
    );
    // 96 buckets of 15 minutes in the day of data
    let first = svg.lines().find(|l| l.starts_with("<polyline")).unwrap();
    let points = first
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(points.split(' ').count(), 96);
}

#[test]
fn columnchart_html_and_piechart_svg() {
    let (path, r) = chart(
        "levels.html",
        "AppLogs | summarize count() by Service, Level \
         | render columnchart with (kind=stacked, title='Levels <by> service')",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>Levels &lt;by&gt; service</title>"));
    assert!(html.contains("<svg"));
    let (path, r) = chart(
        "levels.svg",
        "AppLogs | summarize count() by Level | render piechart",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let svg = std::fs::read_to_string(&path).unwrap();
    let levels = scalar("AppLogs | summarize dcount(Level)");
    assert_eq!(
        svg.lines().filter(|l| l.starts_with("<polygon")).count(),
        levels
    );
}

#[test]
fn chart_errors_are_clear_and_leave_no_file() {
    // no render operator (the AIOps sample script ends without one)
    let path = out("none.png");
    let script = root().join("corpus/samples/anomalies.kql");
    let r = run(&[
        "-d",
        DB,
        "--format",
        "csv",
        "--chart",
        path.to_str().unwrap(),
        "-f",
        script.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no result has a render operator"),
        "{}",
        r.stderr
    );
    assert!(!path.exists());
    // a timechart needs a datetime x axis
    let (path, r) = chart(
        "bad.svg",
        "AppLogs | summarize count() by Service | render timechart",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("timechart needs a datetime"),
        "{}",
        r.stderr
    );
    assert!(!path.exists());
    // an unsupported visualization is named
    let (_, r) = chart("tree.svg", "AppLogs | count | render treemap");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("render treemap"), "{}", r.stderr);
    // the extension picks the format; anything else is a usage error before running
    let (_, r) = chart("chart.jpg", "AppLogs | count | render card");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".svg, .html or .png"), "{}", r.stderr);
}

/// The REPL (driven through a pipe) prints a terminal chart after a rendered table, drawn from
/// every row even when the table stops at the row limit, without colours on a pipe.
#[test]
fn repl_draws_the_terminal_chart_from_every_row() {
    let mut child = Command::new(kql())
        .current_dir(root())
        .env("KQL_HISTORY", "")
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"range x from 1 to 500 step 1 | extend y = x % 7 | render linechart\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("(400 more rows)"), "{stdout}{stderr}");
    assert!(
        stdout
            .chars()
            .any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
        "{stdout}"
    );
    // the y axis runs 0..6 and the x axis ends at the last row, 500
    assert!(stdout.lines().any(|l| l.starts_with("6 ┤")), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("1 ") && l.trim_end().ends_with(" 500"))
    );
    assert!(stdout.contains("■ y"));
    assert!(!stdout.contains('\x1b'));
}
