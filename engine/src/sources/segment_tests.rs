//! Large JSON-lines files read in segments (`json::infer`; these tests make segments 4 KiB):
//! the same table, errors and skipped lines as one pass over the file, parallel scans, and time
//! pruning per segment.

use super::json::TEST_SEGMENT_BYTES;
use super::testutil::temp_dir;
use super::*;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::physical_plan::ExecutionPlanProperties;
use datafusion::prelude::{SessionConfig, SessionContext, col, ident, lit};
use std::io::Write;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// `rows` records, one per line, a minute apart from 2024-01-01; `extra(i)` may replace line
/// `i` (0-based). Starts with a byte order mark and uses CRLF line ends, which must not matter.
fn write_lines(path: &Path, rows: usize, extra: impl Fn(usize) -> Option<String>) -> TestResult {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(&[0xEF, 0xBB, 0xBF])?;
    for i in 0..rows {
        let line = extra(i).unwrap_or_else(|| normal_line(i));
        write!(w, "{line}\r\n")?;
    }
    w.flush()?;
    Ok(())
}

fn normal_line(i: usize) -> String {
    format!(
        r#"{{"TimeGenerated":"2024-01-01T{:02}:{:02}:00Z","seq":{i},"host":"h{}","v":{}}}"#,
        i / 60 % 24,
        i % 60,
        i % 7,
        if i.is_multiple_of(2) {
            "1".into()
        } else {
            format!("{i}.5")
        }
    )
}

fn ctx(partitions: usize) -> SessionContext {
    SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions))
}

fn seqs(batches: &[datafusion::arrow::record_batch::RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_primitive::<Int64Type>()
                .iter()
                .flatten()
                .collect::<Vec<_>>()
        })
        .collect()
}

const SEGMENT_BYTES: u64 = 4 << 10;

/// Opening tables on this thread splits JSON-lines files of 8 KiB and more into segments.
fn small_segments() {
    TEST_SEGMENT_BYTES.with(|c| c.set(Some(SEGMENT_BYTES)));
}

fn streaming(lenient: bool) -> SourceOptions {
    SourceOptions {
        lenient,
        mode: LoadMode::Streaming,
    }
}

#[tokio::test]
async fn segments_give_the_table_of_one_pass_and_scan_in_parallel() -> TestResult {
    small_segments();
    let dir = temp_dir("segments")?;
    // `.json` detected as JSON lines is split too.
    let path = dir.join("big.json");
    // Above EAGER_MAX_BYTES, so that scans use more than one partition.
    let rows = 60_000;
    write_lines(&path, rows, |_| None)?;
    let size = std::fs::metadata(&path)?.len();
    assert!(size > EAGER_MAX_BYTES, "fixture too small: {size}");
    let p = path.to_string_lossy();

    let opened = open_table_with_report(&p, &streaming(false))?;
    assert_eq!(opened.report.rows, Some(rows));
    let table = opened
        .provider
        .downcast_ref::<TextTable>()
        .ok_or("not a TextTable")?;
    assert_eq!(table.file_count(), 1);
    let schema = opened.provider.schema();
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}:{}", f.name(), f.data_type()))
        .collect();
    assert_eq!(
        types,
        [
            "TimeGenerated:Timestamp(ns, \"UTC\")",
            "seq:Int64",
            "host:Utf8",
            "v:Float64"
        ]
    );

    // One partition: every row in file order, the same as an eager load.
    let one = ctx(1)
        .read_table(opened.provider.clone())?
        .collect()
        .await?;
    let eager = open_table(
        &p,
        &SourceOptions {
            lenient: false,
            mode: LoadMode::Eager,
        },
    )?;
    let eager = ctx(1).read_table(eager)?.collect().await?;
    assert_eq!(
        concat_batches(&schema, &one)?,
        concat_batches(&schema, &eager)?
    );

    // Two partitions read the segments in parallel: the same rows; the file counts once.
    let before = table.files_scanned();
    let df = ctx(2)
        .read_table(opened.provider.clone())?
        .select(vec![col("seq")])?;
    let plan = df.clone().create_physical_plan().await?;
    assert_eq!(plan.output_partitioning().partition_count(), 2);
    let mut got = seqs(&df.collect().await?);
    got.sort_unstable();
    assert_eq!(got, (0..rows as i64).collect::<Vec<_>>());
    assert_eq!(table.files_scanned() - before, 1);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn errors_and_skipped_lines_in_later_segments_name_the_file_line() -> TestResult {
    small_segments();
    let dir = temp_dir("segments-bad")?;
    let path = dir.join("bad.jsonl");
    let rows = 3_000;
    // Lines 1,501 and 2,702 (1-based) are broken; line 2,000 is blank.
    write_lines(&path, rows, |i| match i {
        1_500 => Some("{\"seq\": ".into()),
        1_999 => Some(String::new()),
        2_701 => Some("[1, 2]".into()),
        _ => None,
    })?;
    let p = path.to_string_lossy().to_string();
    match open_table(&p, &streaming(false)) {
        Err(e @ KqlError::Data { .. }) => assert!(
            e.to_string()
                .starts_with(&format!("{p}:1501: invalid JSON")),
            "{e}"
        ),
        other => return Err(format!("unexpected {other:?}").into()),
    }
    let opened = open_table_with_report(&p, &streaming(true))?;
    assert_eq!(opened.report.skipped_records, 2);
    assert_eq!(opened.report.rows, Some(rows - 3));
    let lines: Vec<_> = opened
        .report
        .skipped_examples
        .iter()
        .map(|s| s.line)
        .collect();
    assert_eq!(lines, [Some(1_501), Some(2_702)]);
    let n = ctx(2).read_table(opened.provider.clone())?.count().await?;
    assert_eq!(n, rows - 3);

    // A segment that turns bad after opening fails the query with the absolute line.
    let opened = {
        write_lines(&path, rows, |_| None)?;
        open_table_with_report(&p, &streaming(false))?
    };
    // The same length, so the segments still start at line starts.
    write_lines(&path, rows, |i| {
        (i == 2_500).then(|| normal_line(i).replace("\"seq\":2500", "\"seq\":\"xy\""))
    })?;
    let err = ctx(2)
        .read_table(opened.provider)?
        .collect()
        .await
        .err()
        .ok_or("expected the query to fail")?;
    assert!(
        err.to_string()
            .contains(&format!("{p}:2501: value '\"xy\"' is not a long")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn a_time_filter_skips_segments_outside_it() -> TestResult {
    small_segments();
    let dir = temp_dir("segments-time")?;
    let path = dir.join("t.jsonl");
    let rows = 1_440; // one day, a row a minute, in time order
    write_lines(&path, rows, |_| None)?;
    let size = std::fs::metadata(&path)?.len();
    let opened = open_table_with_report(&path.to_string_lossy(), &streaming(false))?;
    let table = opened
        .provider
        .downcast_ref::<TextTable>()
        .ok_or("not a TextTable")?;
    let since = parse_datetime("2024-01-01T23:00:00Z").ok_or("datetime")?;
    let n = ctx(2)
        .read_table(opened.provider.clone())?
        .filter(ident("TimeGenerated").gt_eq(lit(
            datafusion::common::ScalarValue::TimestampNanosecond(Some(since), Some("UTC".into())),
        )))?
        .count()
        .await?;
    assert_eq!(n, 60);
    let read = table.bytes_scanned();
    assert!(read > 0 && read < size / 4, "read {read} of {size} bytes");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
