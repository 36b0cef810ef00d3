//! Tests of the data sources over small fixtures written to temporary folders, and over the
//! real exports in `../shared/data` (skipped when that folder is absent).

use super::testutil::{temp_dir, write_gz};
use super::*;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{
    DataType, Float64Type, Int64Type, SchemaRef, TimeUnit, TimestampNanosecondType,
};
use datafusion::prelude::SessionContext;
use kql_functions::types::{KqlType, datetime_type};
use std::path::Path;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// A loaded table, collected into one batch.
struct Loaded {
    schema: SchemaRef,
    batch: RecordBatch,
    report: SourceReport,
}

impl Loaded {
    fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn kql_type(&self, name: &str) -> Option<KqlType> {
        self.schema
            .field_with_name(name)
            .ok()
            .map(KqlType::of_field)
    }

    fn column(&self, name: &str) -> std::result::Result<&dyn Array, String> {
        self.batch
            .column_by_name(name)
            .map(|c| c.as_ref())
            .ok_or_else(|| format!("no column {name}"))
    }

    fn strings(&self, name: &str) -> std::result::Result<Vec<Option<String>>, String> {
        let c = self.column(name)?;
        if let Some(v) = c.as_string_view_opt() {
            return Ok(v.iter().map(|v| v.map(str::to_string)).collect());
        }
        let s = c
            .as_string_opt::<i32>()
            .ok_or_else(|| format!("{name} is not Utf8"))?;
        Ok(s.iter().map(|v| v.map(str::to_string)).collect())
    }

    fn longs(&self, name: &str) -> std::result::Result<Vec<Option<i64>>, String> {
        let c = self.column(name)?;
        let a = c
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| format!("{name} is not Int64"))?;
        Ok(a.iter().collect())
    }

    fn reals(&self, name: &str) -> std::result::Result<Vec<Option<f64>>, String> {
        let c = self.column(name)?;
        let a = c
            .as_primitive_opt::<Float64Type>()
            .ok_or_else(|| format!("{name} is not Float64"))?;
        Ok(a.iter().collect())
    }

    fn times(&self, name: &str) -> std::result::Result<Vec<Option<i64>>, String> {
        let c = self.column(name)?;
        let a = c
            .as_primitive_opt::<TimestampNanosecondType>()
            .ok_or_else(|| format!("{name} is not Timestamp(ns)"))?;
        Ok(a.iter().collect())
    }
}

async fn load_with(
    path: &str,
    options: &SourceOptions,
) -> std::result::Result<Loaded, Box<dyn std::error::Error>> {
    let opened = open_table_with_report(path, options)?;
    let schema = opened.provider.schema();
    let ctx = SessionContext::new();
    let batches = ctx.read_table(opened.provider)?.collect().await?;
    let batch = concat_batches(&schema, &batches)?;
    Ok(Loaded {
        schema,
        batch,
        report: opened.report,
    })
}

async fn load(path: &Path) -> std::result::Result<Loaded, Box<dyn std::error::Error>> {
    load_with(&path.to_string_lossy(), &SourceOptions::default()).await
}

fn lenient() -> SourceOptions {
    SourceOptions {
        lenient: true,
        ..SourceOptions::default()
    }
}

fn ts(s: &str) -> Option<i64> {
    parse_datetime(s)
}

// ---------------------------------------------------------------- CSV

#[tokio::test]
async fn csv_types_header_bom_crlf_and_empty_cells() -> TestResult {
    let dir = temp_dir("csv-types")?;
    let path = dir.join("t.csv");
    let text = "\u{feff}TimeGenerated [UTC],n,x,ok,name,props,,n\r\n\
                \"11/12/2020, 10:58:36.523 AM\",1,1.5,True,a,\"{\"\"k\"\": [1, 2]}\",0,7\r\n\
                2020-11-12T10:58:37Z,,2,false,,\"[\r\n  1\r\n]\",1,8\r\n\
                ,3,,,\"c,d\",,2,9\r\n";
    std::fs::write(&path, text)?;
    let t = load(&path).await?;
    assert_eq!(
        t.names(),
        [
            "TimeGenerated",
            "n",
            "x",
            "ok",
            "name",
            "props",
            "Column7",
            "n1"
        ]
    );
    assert_eq!(t.rows(), 3);
    assert_eq!(t.kql_type("TimeGenerated"), Some(KqlType::Datetime));
    assert_eq!(t.schema.field(0).data_type(), &datetime_type());
    assert_eq!(t.kql_type("n"), Some(KqlType::Long));
    assert_eq!(t.kql_type("x"), Some(KqlType::Real));
    assert_eq!(t.kql_type("ok"), Some(KqlType::Bool));
    assert_eq!(t.kql_type("name"), Some(KqlType::String));
    assert_eq!(t.kql_type("props"), Some(KqlType::Dynamic));
    assert_eq!(
        t.times("TimeGenerated")?,
        [
            ts("2020-11-12T10:58:36.523Z"),
            ts("2020-11-12T10:58:37Z"),
            None
        ]
    );
    assert_eq!(t.longs("n")?, [Some(1), None, Some(3)]);
    assert_eq!(t.reals("x")?, [Some(1.5), Some(2.0), None]);
    let ok = t.column("ok")?.as_boolean();
    assert_eq!(
        ok.iter().collect::<Vec<_>>(),
        [Some(true), Some(false), None]
    );
    // Empty string cells are "" (KQL strings are never null).
    assert_eq!(
        t.strings("name")?,
        [Some("a".into()), Some(String::new()), Some("c,d".into())]
    );
    assert_eq!(
        t.strings("props")?,
        [Some("{\"k\":[1,2]}".into()), Some("[1]".into()), None]
    );
    assert_eq!(t.longs("n1")?, [Some(7), Some(8), Some(9)]);
    Ok(())
}

#[tokio::test]
async fn csv_ragged_row_is_an_error_naming_file_and_line_or_skipped_when_lenient() -> TestResult {
    let dir = temp_dir("csv-ragged")?;
    let path = dir.join("r.csv");
    std::fs::write(&path, "a,b\n1,2\n3\n\"multi\nline\",4\n5,6,7\n8,9\n")?;
    let err = open_table(&path.to_string_lossy(), &SourceOptions::default())
        .err()
        .ok_or("expected an error")?;
    match &err {
        KqlError::Data {
            file,
            line,
            message,
        } => {
            assert_eq!((file.as_path(), *line), (path.as_path(), Some(3)));
            assert!(message.contains("expected 2 fields"), "{message}");
        }
        other => return Err(format!("unexpected error {other:?}").into()),
    }
    let t = load_with(&path.to_string_lossy(), &lenient()).await?;
    assert_eq!(t.rows(), 3);
    assert_eq!(t.report.skipped_records, 2);
    let lines: Vec<_> = t.report.skipped_examples.iter().map(|s| s.line).collect();
    assert_eq!(lines, [Some(3), Some(6)]);
    assert_eq!(t.report.rows, Some(3));
    assert_eq!(t.kql_type("a"), Some(KqlType::String));
    assert_eq!(t.longs("b")?, [Some(2), Some(4), Some(9)]);
    Ok(())
}

#[tokio::test]
async fn csv_value_after_the_sample_that_does_not_fit_reinfers() -> TestResult {
    let dir = temp_dir("csv-sample")?;
    let path = dir.join("s.csv");
    let mut text = String::from("id,v,w\n");
    for i in 0..(csv::SAMPLE_ROWS + 100) {
        let v = if i == csv::SAMPLE_ROWS + 50 {
            "oops".to_string()
        } else {
            i.to_string()
        };
        let w = if i == csv::SAMPLE_ROWS + 60 {
            "0.5".to_string()
        } else {
            i.to_string()
        };
        text.push_str(&format!("{i},{v},{w}\n"));
    }
    std::fs::write(&path, text)?;
    let t = load(&path).await?;
    assert_eq!(t.rows(), csv::SAMPLE_ROWS + 100);
    assert_eq!(t.kql_type("id"), Some(KqlType::Long));
    assert_eq!(t.kql_type("v"), Some(KqlType::String));
    assert_eq!(t.kql_type("w"), Some(KqlType::Real));
    let v = t.strings("v")?;
    assert_eq!(
        v.get(csv::SAMPLE_ROWS + 50),
        Some(&Some("oops".to_string()))
    );
    assert_eq!(v.get(3), Some(&Some("3".to_string())));
    Ok(())
}

#[tokio::test]
async fn tsv_and_gzip() -> TestResult {
    let dir = temp_dir("tsv")?;
    let path = dir.join("t.tsv.gz");
    write_gz(&path, b"a\tb\n1\thello, world\n2\tx\n")?;
    let t = load(&path).await?;
    assert_eq!(t.names(), ["a", "b"]);
    assert_eq!(t.longs("a")?, [Some(1), Some(2)]);
    assert_eq!(
        t.strings("b")?,
        [Some("hello, world".into()), Some("x".into())]
    );
    Ok(())
}

#[tokio::test]
async fn csv_header_only_gives_an_empty_table() -> TestResult {
    let dir = temp_dir("csv-empty")?;
    let path = dir.join("e.csv");
    std::fs::write(&path, "a,b\n")?;
    let t = load(&path).await?;
    assert_eq!(
        (t.names(), t.rows()),
        (vec!["a".to_string(), "b".to_string()], 0)
    );
    Ok(())
}

// ---------------------------------------------------------------- JSON

#[tokio::test]
async fn json_lines_inference_missing_keys_and_key_order() -> TestResult {
    let dir = temp_dir("jsonl")?;
    let path = dir.join("e.jsonl");
    let text = concat!(
        r#"{"t":"2024-01-01T00:10:00Z","n":1,"x":1,"b":true,"s":"a","d":{"k":[1,2]},"m":1,"j":"[1, 2]","e":""}"#,
        "\n\n",
        r#"{"n":2,"x":2.5,"s":"b","d":[1],"m":"two","extra":null,"j":"[3]","e":""}"#,
        "\n",
        r#"{"t":"2020-11-12 10:58:36","n":null,"x":3,"b":false,"d":"text","m":true,"j":"","e":null}"#,
        "\n"
    );
    std::fs::write(&path, text)?;
    let t = load(&path).await?;
    assert_eq!(
        t.names(),
        ["t", "n", "x", "b", "s", "d", "m", "j", "e", "extra"]
    );
    let types: Vec<_> = t.names().iter().map(|n| t.kql_type(n)).collect();
    use KqlType::*;
    assert_eq!(
        types,
        [
            Datetime, Long, Real, Bool, String, Dynamic, String, Dynamic, String, String
        ]
        .map(Some)
    );
    assert_eq!(
        t.times("t")?,
        [ts("2024-01-01T00:10:00Z"), None, ts("2020-11-12T10:58:36Z")]
    );
    assert_eq!(t.longs("n")?, [Some(1), Some(2), None]);
    assert_eq!(t.reals("x")?, [Some(1.0), Some(2.5), Some(3.0)]);
    assert_eq!(
        t.strings("s")?,
        [
            Some("a".into()),
            Some("b".into()),
            Some(std::string::String::new())
        ]
    );
    assert_eq!(
        t.strings("d")?,
        [
            Some(r#"{"k":[1,2]}"#.into()),
            Some("[1]".into()),
            Some(r#""text""#.into())
        ]
    );
    assert_eq!(
        t.strings("m")?,
        [Some("1".into()), Some("two".into()), Some("true".into())]
    );
    assert_eq!(
        t.strings("j")?,
        [Some("[1,2]".into()), Some("[3]".into()), None]
    );
    assert_eq!(t.strings("e")?, vec![Some(std::string::String::new()); 3]);
    let meta = t.schema.field_with_name("d")?.metadata();
    assert_eq!(
        meta.get("kql.type").map(std::string::String::as_str),
        Some("dynamic")
    );
    Ok(())
}

#[tokio::test]
async fn invalid_json_line_is_an_error_or_skipped_when_lenient() -> TestResult {
    let dir = temp_dir("json-bad")?;
    let path = dir.join("bad.json");
    std::fs::write(&path, "{\"a\":1}\n{\"a\":2\n{\"a\":3}\n42\n")?;
    let err = open_table(&path.to_string_lossy(), &SourceOptions::default())
        .err()
        .ok_or("expected an error")?;
    match &err {
        KqlError::Data {
            file,
            line,
            message,
        } => {
            assert_eq!((file.as_path(), *line), (path.as_path(), Some(2)));
            assert!(message.starts_with("invalid JSON"), "{message}");
        }
        other => return Err(format!("unexpected error {other:?}").into()),
    }
    let t = load_with(&path.to_string_lossy(), &lenient()).await?;
    assert_eq!(t.longs("a")?, [Some(1), Some(3)]);
    assert_eq!(t.report.skipped_records, 2);
    assert_eq!(
        t.report.skipped_examples.get(1).map(|s| s.line),
        Some(Some(4))
    );
    Ok(())
}

#[tokio::test]
async fn json_array_records_and_pretty_documents() -> TestResult {
    let dir = temp_dir("json-docs")?;
    let array = dir.join("array.json");
    std::fs::write(&array, "[\n  {\"a\": 1},\n  {\"a\": 2, \"b\": \"x\"}\n]\n")?;
    let t = load(&array).await?;
    assert_eq!(
        (t.rows(), t.names()),
        (2, vec!["a".to_string(), "b".to_string()])
    );

    let records = dir.join("records.json.gz");
    write_gz(&records, br#"{"records": [{"time": "2024-01-01T00:00:00Z", "v": 1}, {"time": "2024-01-01T01:00:00Z", "v": 2.5}]}"#)?;
    let t = load(&records).await?;
    assert_eq!(t.rows(), 2);
    assert_eq!(t.kql_type("time"), Some(KqlType::Datetime));
    assert_eq!(t.reals("v")?, [Some(1.0), Some(2.5)]);

    let pretty = dir.join("pretty.json");
    std::fs::write(&pretty, "\n{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n")?;
    let t = load(&pretty).await?;
    assert_eq!(t.longs("a")?, [Some(1), Some(2)]);

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "[\n  {\"a\": 1},\n  {\"a\": }\n]\n")?;
    match open_table(&broken.to_string_lossy(), &lenient()) {
        Err(KqlError::Data { line, .. }) => assert_eq!(line, Some(3)),
        other => return Err(format!("unexpected {other:?}").into()),
    }
    Ok(())
}

// ---------------------------------------------------------------- folders, globs, errors

#[tokio::test]
async fn folder_with_azure_monitor_export_layout_unifies_schemas() -> TestResult {
    let dir = temp_dir("am-folder")?;
    let h0 = dir.join("resourceId=/X/y=2024/m=01/d=01/h=00/m=00");
    let h1 = dir.join("resourceId=/X/y=2024/m=01/d=01/h=01/m=00");
    std::fs::create_dir_all(&h0)?;
    std::fs::create_dir_all(&h1)?;
    std::fs::write(
        h0.join("PT1H.json"),
        "{\"time\":\"2024-01-01T00:10:00Z\",\"n\":1,\"cat\":\"a\"}\n{\"time\":\"2024-01-01T00:20:00Z\",\"n\":2,\"cat\":\"b\"}\n",
    )?;
    std::fs::write(
        h1.join("PT1H.json"),
        "{\"time\":\"2024-01-01T01:10:00Z\",\"n\":2.5,\"props\":{\"x\":1}}\n",
    )?;
    std::fs::write(dir.join("README.md"), "not data")?;
    std::fs::write(dir.join(".hidden.json"), "not json")?;
    let t = load(&dir).await?;
    assert_eq!(t.report.files.len(), 2);
    assert_eq!(t.names(), ["time", "n", "cat", "props"]);
    assert_eq!(t.rows(), 3);
    assert_eq!(t.kql_type("n"), Some(KqlType::Real));
    assert_eq!(t.reals("n")?, [Some(1.0), Some(2.0), Some(2.5)]);
    assert_eq!(
        t.strings("cat")?,
        [Some("a".into()), Some("b".into()), Some(String::new())]
    );
    assert_eq!(t.strings("props")?, [None, None, Some("{\"x\":1}".into())]);
    Ok(())
}

#[tokio::test]
async fn glob_over_csv_and_json_with_conflicting_types() -> TestResult {
    let dir = temp_dir("glob")?;
    std::fs::write(dir.join("a.csv"), "k,v\n1,x\n")?;
    std::fs::write(dir.join("b.jsonl"), "{\"k\":2,\"v\":{\"y\":1}}\n")?;
    std::fs::write(dir.join("c.txt"), "ignored")?;
    let pattern = format!("{}/*.*", dir.to_string_lossy());
    let t = load_with(&pattern, &SourceOptions::default()).await?;
    assert_eq!(t.report.files.len(), 2);
    assert_eq!(t.longs("k")?, [Some(1), Some(2)]);
    assert_eq!(t.kql_type("v"), Some(KqlType::Dynamic));
    assert_eq!(
        t.strings("v")?,
        [Some("\"x\"".into()), Some("{\"y\":1}".into())]
    );
    Ok(())
}

#[test]
fn path_errors() -> TestResult {
    let dir = temp_dir("errors")?;
    let missing = dir.join("missing.csv");
    assert!(matches!(
        open_table(&missing.to_string_lossy(), &SourceOptions::default()),
        Err(KqlError::Io { .. })
    ));
    let txt = dir.join("notes.txt");
    std::fs::write(&txt, "x")?;
    assert!(matches!(
        open_table(&txt.to_string_lossy(), &SourceOptions::default()),
        Err(KqlError::Data { .. })
    ));
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty)?;
    assert!(matches!(
        open_table(&empty.to_string_lossy(), &SourceOptions::default()),
        Err(KqlError::Io { .. })
    ));
    let no_match = format!("{}/*.parquet", dir.to_string_lossy());
    assert!(matches!(
        open_table(&no_match, &SourceOptions::default()),
        Err(KqlError::Io { .. })
    ));
    let bad_gz = dir.join("bad.csv.gz");
    std::fs::write(&bad_gz, "not gzip")?;
    assert!(matches!(
        open_table(&bad_gz.to_string_lossy(), &SourceOptions::default()),
        Err(KqlError::Data { .. })
    ));
    Ok(())
}

#[test]
fn formats_by_extension() {
    let f = |p: &str| detect_format(Path::new(p));
    assert_eq!(f("a/b.CSV"), Some((Kind::Csv, false)));
    assert_eq!(f("x.tsv.gz"), Some((Kind::Tsv, true)));
    assert_eq!(f("PT1H.json"), Some((Kind::Json, false)));
    assert_eq!(f("x.ndjson"), Some((Kind::JsonLines, false)));
    assert_eq!(f("x.jsonl.gz"), Some((Kind::JsonLines, true)));
    assert_eq!(f("x.parquet"), Some((Kind::Parquet, false)));
    assert_eq!(f("x.gz"), None);
    assert_eq!(f("csv"), None);
    assert_eq!(f("x.txt"), None);
}

// ---------------------------------------------------------------- Parquet

fn write_parquet(path: &Path, batch: &RecordBatch) -> TestResult {
    Ok(testutil::write_parquet(path, batch, None)?)
}

fn parquet_batches() -> std::result::Result<(RecordBatch, RecordBatch), Box<dyn std::error::Error>>
{
    use datafusion::arrow::array::{
        Float64Array, Int32Array, StringArray, TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{Field, Schema};
    let s1 = Arc::new(Schema::new(vec![
        Field::new("t", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        Field::new("n", DataType::Int32, true),
        Field::new("s", DataType::Utf8, true),
    ]));
    let b1 = RecordBatch::try_new(
        s1,
        vec![
            Arc::new(TimestampMicrosecondArray::from(vec![Some(1_000_000), None])),
            Arc::new(Int32Array::from(vec![1, 2])),
            Arc::new(StringArray::from(vec!["a", "b"])),
        ],
    )?;
    let s2 = Arc::new(Schema::new(vec![
        Field::new("n", DataType::Float64, true),
        Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Millisecond, Some("+01:00".into())),
            true,
        ),
    ]));
    let b2 = RecordBatch::try_new(
        s2,
        vec![
            Arc::new(Float64Array::from(vec![2.5])),
            Arc::new(
                datafusion::arrow::array::TimestampMillisecondArray::from(vec![2_000])
                    .with_timezone("+01:00"),
            ),
        ],
    )?;
    Ok((b1, b2))
}

#[tokio::test]
async fn parquet_folder_streams_with_unified_schema() -> TestResult {
    let dir = temp_dir("parquet")?;
    let (b1, b2) = parquet_batches()?;
    write_parquet(&dir.join("1.parquet"), &b1)?;
    write_parquet(&dir.join("2.parquet"), &b2)?;
    let t = load(&dir).await?;
    assert!(t.report.streaming);
    assert_eq!(t.names(), ["t", "n", "s"]);
    assert_eq!(t.schema.field(0).data_type(), &datetime_type());
    assert_eq!(t.schema.field(1).data_type(), &DataType::Float64);
    assert_eq!(t.rows(), 3);
    // Partitions may come back in any order: compare sorted.
    let mut times = t.times("t")?;
    times.sort();
    assert_eq!(times, [None, Some(1_000_000_000), Some(2_000_000_000)]);
    let mut n: Vec<_> = t
        .reals("n")?
        .into_iter()
        .map(|v| v.map(|x| (x * 10.0) as i64))
        .collect();
    n.sort();
    assert_eq!(n, [Some(10), Some(20), Some(25)]);
    // Strings are read as views (queries see them as Utf8: the planner casts them above
    // the scan); the file without `s` gives nulls.
    assert_eq!(t.schema.field(2).data_type(), &DataType::Utf8View);
    let mut s = t.strings("s")?;
    s.sort();
    assert_eq!(s, [None, Some("a".into()), Some("b".into())]);
    Ok(())
}

#[tokio::test]
async fn gzipped_parquet_and_parquet_mixed_with_csv_load_eagerly() -> TestResult {
    let dir = temp_dir("parquet-mixed")?;
    let (b1, _) = parquet_batches()?;
    let plain = dir.join("1.parquet");
    write_parquet(&plain, &b1)?;
    let gz = dir.join("g.parquet.gz");
    write_gz(&gz, &std::fs::read(&plain)?)?;
    let t = load(&gz).await?;
    assert!(!t.report.streaming);
    assert_eq!(t.schema.field(0).data_type(), &datetime_type());
    assert_eq!(t.times("t")?, [Some(1_000_000_000), None]);
    std::fs::remove_file(&gz)?;
    std::fs::write(dir.join("2.csv"), "n,s,t\n0.5,c,2024-01-01T00:00:00Z\n")?;
    let t = load(&dir).await?;
    assert_eq!(t.names(), ["t", "n", "s"]);
    assert_eq!(t.kql_type("n"), Some(KqlType::Real));
    assert_eq!(t.reals("n")?, [Some(1.0), Some(2.0), Some(0.5)]);
    assert_eq!(
        t.times("t")?,
        [Some(1_000_000_000), None, ts("2024-01-01T00:00:00Z")]
    );
    Ok(())
}

// ---------------------------------------------------------------- real exports (read-only)

fn shared_data() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

/// Row and column counts computed independently with Python 3's `csv` module
/// (`len(list(csv.reader(open(f, newline='', encoding='utf-8-sig')))) - 1`, and the header
/// length) and `json` module (non-blank lines, `json.loads` each; distinct keys).
const REAL_FILES: &[(&str, usize, usize)] = &[
    ("msticpy/TimeSeriesDemo.csv", 840, 5),
    ("msticpy/alertlist.csv", 189, 25),
    ("msticpy/az_net_flows.csv", 460, 25),
    ("msticpy/demo_exchange_data.csv", 1334, 5),
    ("msticpy/host_hb.csv", 1, 31),
    ("msticpy/host_logons.csv", 14, 20),
    ("msticpy/linux_events.csv", 100, 6),
    ("msticpy/process_tree.csv", 117, 23),
    ("msticpy/processes_on_host.csv", 363, 19),
    ("msticpy/sudo_session_test.csv", 78, 21),
    ("msticpy/syslog_data.csv", 100, 16),
    ("derived/HostLogons_portal.csv", 14, 19),
    ("derived/alerts.jsonl", 189, 4),
    ("derived/netflows.jsonl", 460, 5),
    ("derived/procs4688.jsonl", 363, 4),
    ("derived/timeseriesdemo.jsonl", 840, 5),
    ("otrf-la-exports/AADAuditEvents.json", 4, 38),
    ("otrf-la-exports/Microsoft365DefenderEvents.json", 9, 98),
    ("otrf-la-exports/OfficeActivityEvents.json", 1, 35),
    ("otrf-la-exports/Syslog_auoms_log4shell.json", 50, 16),
    ("otrf-la-exports/Syslog_sysmon_log4shell.json", 93, 14),
    ("otrf-la-exports/VMConnection_log4shell.json", 5, 26),
    ("otrf-la-exports/WindowsEvents.json", 38, 99),
    ("stormevents-noaa/StormEvents_2019Q1.csv.gz", 15447, 22),
];

#[tokio::test]
async fn real_exports_row_counts() -> TestResult {
    let Some(data) = shared_data() else {
        return Ok(());
    };
    for (file, rows, cols) in REAL_FILES {
        let t = load(&data.join(file))
            .await
            .map_err(|e| format!("{file}: {e}"))?;
        assert_eq!(
            (t.rows(), t.schema.fields().len()),
            (*rows, *cols),
            "{file}"
        );
        assert_eq!(t.report.skipped_records, 0, "{file}");
    }
    Ok(())
}

#[tokio::test]
async fn real_exports_inferred_types() -> TestResult {
    let Some(data) = shared_data() else {
        return Ok(());
    };
    use KqlType::*;
    let expect: &[(&str, &[(&str, KqlType)])] = &[
        (
            "msticpy/TimeSeriesDemo.csv",
            &[
                ("TimeGenerated", Datetime),
                ("TotalBytesSent", Long),
                ("score", Real),
                ("anomalies", Long),
            ],
        ),
        (
            "msticpy/alertlist.csv",
            &[
                ("Column1", Long),
                ("StartTimeUtc", Datetime),
                ("IsIncident", Bool),
                ("ExtendedProperties", Dynamic),
                ("Entities", Dynamic),
            ],
        ),
        (
            "msticpy/demo_exchange_data.csv",
            &[("TimeGenerated", Datetime), ("Parameters", Dynamic)],
        ),
        // Python list text (`['1.2.3.4']`) is not JSON.
        (
            "msticpy/az_net_flows.csv",
            &[
                ("PublicIPs", String),
                ("DestPort", Real),
                ("FlowStartTime", Datetime),
            ],
        ),
        (
            "msticpy/host_logons.csv",
            &[
                ("EventID", Long),
                ("TimeGenerated", Datetime),
                ("TargetLogonId", String),
            ],
        ),
        (
            "msticpy/syslog_data.csv",
            &[("TimeGenerated", Datetime), ("ProcessID", String)],
        ),
        (
            "msticpy/host_hb.csv",
            &[("RemoteIPLatitude", Real), ("IsGatewayInstalled", String)],
        ),
        (
            "derived/HostLogons_portal.csv",
            &[("TimeGenerated", Datetime), ("LogonType", Long)],
        ),
        (
            "otrf-la-exports/AADAuditEvents.json",
            &[
                ("TimeGenerated", Datetime),
                ("AdditionalDetails", Dynamic),
                ("Level", String),
            ],
        ),
        (
            "otrf-la-exports/Microsoft365DefenderEvents.json",
            &[
                ("Timestamp", Datetime),
                ("AdditionalFields", Dynamic),
                ("ActivityObjects", Dynamic),
                ("FileSize", String),
            ],
        ),
        (
            "otrf-la-exports/VMConnection_log4shell.json",
            &[("BytesSent", Long), ("DestinationPort", Long)],
        ),
        (
            "otrf-la-exports/WindowsEvents.json",
            &[("EventID", Long), ("EventData_dynamic", Dynamic)],
        ),
        (
            "stormevents-noaa/StormEvents_2019Q1.csv.gz",
            &[
                ("StartTime", Datetime),
                ("EpisodeId", Long),
                ("BeginLat", Real),
                ("State", String),
                ("StormSummary", Dynamic),
            ],
        ),
    ];
    for (file, cols) in expect {
        let t = load(&data.join(file))
            .await
            .map_err(|e| format!("{file}: {e}"))?;
        for (name, ty) in *cols {
            assert_eq!(t.kql_type(name), Some(*ty), "{file}: column {name}");
        }
    }
    // Spot values: the portal export's US-locale datetimes equal the ISO ones of the source.
    let portal = load(&data.join("derived/HostLogons_portal.csv")).await?;
    let source = load(&data.join("msticpy/host_logons.csv")).await?;
    assert_eq!(
        portal.times("TimeGenerated")?,
        source.times("TimeGenerated")?
    );
    assert_eq!(
        portal.times("TimeGenerated")?.first(),
        Some(&ts("2019-01-15T05:15:02.980Z"))
    );
    Ok(())
}

#[tokio::test]
async fn real_exports_folder_unifies_all_otrf_tables() -> TestResult {
    let Some(data) = shared_data() else {
        return Ok(());
    };
    let t = load(&data.join("otrf-la-exports")).await?;
    // 4 + 9 + 1 + 50 + 93 + 5 + 38 rows (see REAL_FILES).
    assert_eq!(t.rows(), 200);
    assert_eq!(t.report.files.len(), 7);
    assert_eq!(t.kql_type("TimeGenerated"), Some(KqlType::Datetime));
    Ok(())
}

// ---------------------------------------------------------------- streaming

/// Writes `rows` JSON lines (about 120 bytes each) with a per-file sequence number.
fn write_jsonl(path: &Path, file_id: usize, rows: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in 0..rows {
        writeln!(
            w,
            r#"{{"TimeGenerated":"2024-01-01T{:02}:{:02}:{:02}.{:03}Z","Computer":"host-{}","file":{file_id},"seq":{i},"v":{}.5,"props":{{"k":{}}}}}"#,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60,
            i % 1000,
            i % 37,
            i % 1000,
            i % 7
        )?;
    }
    w.flush()
}

fn streaming() -> SourceOptions {
    SourceOptions {
        mode: LoadMode::Streaming,
        ..SourceOptions::default()
    }
}

fn eager() -> SourceOptions {
    SourceOptions {
        mode: LoadMode::Eager,
        ..SourceOptions::default()
    }
}

fn text_table(provider: &Arc<dyn TableProvider>) -> std::result::Result<&TextTable, String> {
    provider
        .downcast_ref::<TextTable>()
        .ok_or_else(|| "not a streamed TextTable".to_string())
}

/// The message of an error from a query over a streamed table (through DataFusion's wrappers).
async fn query_error(provider: Arc<dyn TableProvider>) -> std::result::Result<String, String> {
    let ctx = SessionContext::new();
    let df = ctx.read_table(provider).map_err(|e| e.to_string())?;
    match df.collect().await {
        Ok(_) => Err("expected the query to fail".into()),
        Err(e) => Ok(e.to_string()),
    }
}

#[tokio::test]
async fn large_json_lines_stream_with_the_same_rows_as_an_eager_load() -> TestResult {
    let dir = temp_dir("stream-json")?;
    let path = dir.join("big.jsonl");
    let rows = 45_000;
    write_jsonl(&path, 0, rows)?;
    let size = std::fs::metadata(&path)?.len();
    assert!(size > EAGER_MAX_BYTES, "fixture too small: {size} bytes");
    let p = path.to_string_lossy();

    let opened = open_table_with_report(&p, &SourceOptions::default())?;
    assert!(opened.report.streaming);
    assert_eq!(opened.report.rows, Some(rows));
    assert_eq!(opened.report.bytes, size);
    let table = text_table(&opened.provider)?;
    // One partition: the rows come in file order (with more, the file's segments are read in
    // parallel; `json_segments` tests that).
    let ctx = SessionContext::new_with_config(
        datafusion::prelude::SessionConfig::new().with_target_partitions(1),
    );
    let counted = ctx.read_table(opened.provider.clone())?.count().await?;
    assert_eq!(counted, rows);
    assert_eq!((table.files_scanned(), table.bytes_scanned()), (1, size));

    // Same schema and rows, in the same order, as the eager load.
    let schema = opened.provider.schema();
    let streamed = ctx.read_table(opened.provider.clone())?.collect().await?;
    let streamed = concat_batches(&schema, &streamed)?;
    let loaded = load_with(&p, &eager()).await?;
    assert!(!loaded.report.streaming);
    assert_eq!(schema, loaded.schema);
    assert_eq!(streamed, loaded.batch);
    assert_eq!(loaded.kql_type("TimeGenerated"), Some(KqlType::Datetime));
    assert_eq!(loaded.kql_type("props"), Some(KqlType::Dynamic));

    // Projection and an early stop (`take`) work; the readers stop.
    let df = ctx
        .read_table(opened.provider.clone())?
        .select_columns(&["seq"])?
        .limit(0, Some(5))?;
    let batches = df.collect().await?;
    let first = concat_batches(&batches[0].schema(), &batches)?;
    let seq = first.column(0).as_primitive::<Int64Type>();
    assert_eq!(seq.values().to_vec(), [0, 1, 2, 3, 4]);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn many_large_files_stream_in_parallel_keeping_the_order_within_each_file() -> TestResult {
    let dir = temp_dir("stream-many")?;
    let per_file = 12_000;
    for id in 0..5 {
        write_jsonl(&dir.join(format!("part-{id}.json")), id, per_file)?;
    }
    let opened = open_table_with_report(&dir.to_string_lossy(), &SourceOptions::default())?;
    assert!(opened.report.streaming);
    let plan = SessionContext::new()
        .read_table(opened.provider.clone())?
        .create_physical_plan()
        .await?;
    use datafusion::physical_plan::ExecutionPlanProperties;
    assert_eq!(plan.output_partitioning().partition_count(), 2);
    let t = load_with(&dir.to_string_lossy(), &SourceOptions::default()).await?;
    assert_eq!(t.rows(), 5 * per_file);
    let files = t.longs("file")?;
    let seqs = t.longs("seq")?;
    let mut next = [0i64; 5];
    for (f, s) in files.iter().zip(&seqs) {
        let (Some(f), Some(s)) = (f, s) else {
            return Err("null file or seq".into());
        };
        let slot = next
            .get_mut(usize::try_from(*f)?)
            .ok_or("unexpected file id")?;
        assert_eq!(*s, *slot, "rows of file {f} out of order");
        *slot += 1;
    }
    assert_eq!(next, [per_file as i64; 5]);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn large_csv_is_inferred_over_all_rows_when_streamed() -> TestResult {
    let dir = temp_dir("stream-csv")?;
    let path = dir.join("big.csv");
    let rows = 120_000;
    let mut text = String::from("TimeGenerated [UTC],id,v,late\n");
    for i in 0..rows {
        // `late` is empty in the sample rows, a long further on: a sampled inference would
        // make it a string.
        let late = if i > 50_000 {
            i.to_string()
        } else {
            String::new()
        };
        let v = if i == rows - 10 {
            "n/a".to_string()
        } else {
            i.to_string()
        };
        text.push_str(&format!("2024-01-01T00:00:{:02}Z,{i},{v},{late}\n", i % 60));
    }
    std::fs::write(&path, text)?;
    assert!(std::fs::metadata(&path)?.len() > EAGER_MAX_BYTES);
    let t = load(&path).await?;
    assert!(t.report.streaming);
    assert_eq!(t.rows(), rows);
    assert_eq!(t.kql_type("TimeGenerated"), Some(KqlType::Datetime));
    assert_eq!(t.kql_type("id"), Some(KqlType::Long));
    assert_eq!(t.kql_type("v"), Some(KqlType::String));
    assert_eq!(t.kql_type("late"), Some(KqlType::Long));
    assert_eq!(t.longs("late")?.get(60_000), Some(&Some(60_000)));
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn streamed_bad_records_are_errors_naming_file_and_line_or_skipped_and_counted() -> TestResult
{
    // Small files forced to stream: the behaviour does not depend on the size.
    let dir = temp_dir("stream-bad")?;
    let path = dir.join("bad.jsonl");
    write_jsonl(&path, 0, 2_000)?;
    let p = path.to_string_lossy().to_string();
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&path)?;
        writeln!(f, "{{\"seq\": 1")?;
        writeln!(f, "[1]")?;
    }
    // Opening reads every line (pass 1): the error names the file and line...
    match open_table(&p, &streaming()) {
        Err(e @ KqlError::Data { .. }) => assert!(
            e.to_string()
                .starts_with(&format!("{p}:2001: invalid JSON")),
            "{e}"
        ),
        other => return Err(format!("unexpected {other:?}").into()),
    }
    // ... and a lenient open counts the skipped lines, which queries skip too.
    let options = SourceOptions {
        lenient: true,
        mode: LoadMode::Streaming,
    };
    let opened = open_table_with_report(&p, &options)?;
    assert!(opened.report.streaming);
    assert_eq!(opened.report.skipped_records, 2);
    assert_eq!(opened.report.rows, Some(2_000));
    let lines: Vec<_> = opened
        .report
        .skipped_examples
        .iter()
        .map(|s| s.line)
        .collect();
    assert_eq!(lines, [Some(2_001), Some(2_002)]);
    let n = SessionContext::new()
        .read_table(opened.provider)?
        .count()
        .await?;
    assert_eq!(n, 2_000);

    // A file that turns bad after the table was opened fails the query, naming file and line.
    write_jsonl(&path, 0, 2_000)?;
    let opened = open_table_with_report(&p, &streaming())?;
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&path)?;
        writeln!(f, "{{\"seq\": oops}}")?;
    }
    let msg = query_error(opened.provider).await?;
    println!("{msg}");
    assert!(msg.contains(&format!("{p}:2001: invalid JSON: ")), "{msg}");

    // Same for a CSV row that becomes ragged.
    let csv_path = dir.join("bad.csv");
    let mut text = String::from("a,b\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i},{i}\n"));
    }
    std::fs::write(&csv_path, &text)?;
    let c = csv_path.to_string_lossy().to_string();
    let opened = open_table_with_report(&c, &streaming())?;
    assert!(opened.report.streaming);
    text.push_str("1,2,3\n");
    std::fs::write(&csv_path, &text)?;
    let msg = query_error(opened.provider).await?;
    assert!(
        msg.contains(&format!(
            "{c}:20002: expected 2 fields (as in the header), found 3"
        )),
        "{msg}"
    );
    Ok(())
}

// ---------------------------------------------------------------- export pruning

const HOUR: i64 = 3_600_000_000_000;

/// An Azure Monitor export: `hours` hourly `PT1H.json` files from 2024-01-01T00:00Z, each with
/// 20 records inside its hour.
fn write_export(root: &Path, hours: i64) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let start = ts("2024-01-01T00:00:00Z").ok_or("bad start")?;
    for h in 0..hours {
        let t0 = start + h * HOUR;
        let day = 1 + h / 24;
        let dir = root.join(format!(
            "WorkspaceResourceId=/subscriptions/x/workspaces/w/y=2024/m=01/d={day:02}/h={:02}/m=00",
            h % 24
        ));
        std::fs::create_dir_all(&dir)?;
        let mut text = String::new();
        for i in 0..20i64 {
            let t = t0 + i * 3 * 60 * 1_000_000_000;
            text.push_str(&format!(
                "{{\"TimeGenerated\":\"{}\",\"Computer\":\"vm{}\",\"Hour\":{h},\"CounterValue\":{}}}\n",
                format_nanos(t),
                i % 3,
                i * 10
            ));
        }
        std::fs::write(dir.join("PT1H.json"), text)?;
    }
    Ok(())
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix nanoseconds (January 2024 only, for the fixtures).
fn format_nanos(t: i64) -> String {
    let secs = t / 1_000_000_000 - 1_704_067_200;
    format!(
        "2024-01-{:02}T{:02}:{:02}:{:02}Z",
        1 + secs / 86_400,
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
}

async fn run_sorted(
    ctx: &crate::KqlContext,
    query: &str,
) -> std::result::Result<RecordBatch, Box<dyn std::error::Error>> {
    let results = ctx.run(query).await?;
    let r = results.first().ok_or("no result")?;
    Ok(concat_batches(&r.schema, &r.batches)?)
}

#[tokio::test]
async fn export_folders_outside_a_time_filter_are_not_read() -> TestResult {
    let dir = temp_dir("export")?;
    write_export(&dir, 48)?;
    let root = dir.to_string_lossy().to_string();
    let start = ts("2024-01-01T00:00:00Z").ok_or("bad start")?;
    assert_eq!(
        hour_range(&dir.join("y=2024/m=01/d=02/h=10/m=00/PT1H.json")),
        Some((start + 34 * HOUR, start + 35 * HOUR))
    );

    let ctx = crate::KqlContext::new();
    ctx.register_path("T", &root)?;
    // The reference: the same files loaded eagerly (no pushdown, no pruning).
    ctx.register_table("Eager", open_table(&root, &eager())?)?;
    let provider = ctx.table("T").ok_or("no table T")?;
    let table = text_table(&provider)?;
    assert_eq!(table.file_count(), 48);

    let body = "| where TimeGenerated between (datetime(2024-01-02T10:00:00Z) .. datetime(2024-01-02T12:59:59Z)) | sort by TimeGenerated asc, Computer asc";
    let pruned = run_sorted(&ctx, &format!("T {body}")).await?;
    let (files, bytes) = (table.files_scanned(), table.bytes_scanned());
    let reference = run_sorted(&ctx, &format!("Eager {body}")).await?;
    assert_eq!(pruned.num_rows(), 60);
    assert_eq!(pruned, reference);
    assert_eq!(files, 3, "files read");

    // Without the filter every file is read.
    let all = run_sorted(&ctx, "T | count").await?;
    assert_eq!(all.column(0).as_primitive::<Int64Type>().value(0), 48 * 20);
    let all_bytes = table.bytes_scanned() - bytes;
    assert_eq!(table.files_scanned() - files, 48);
    let total: u64 = walk_sizes(&dir)?;
    assert_eq!(all_bytes, total);
    println!("bytes read: {bytes} with the 3-hour filter, {all_bytes} without (48 files)");

    // A range whose end touches the next hour reads that hour's file too; one-sided filters
    // and filters combined with others prune as well.
    let before = table.files_scanned();
    let q = "| where TimeGenerated >= datetime(2024-01-02T10:00:00Z) and TimeGenerated <= datetime(2024-01-02T13:00:00Z) and Computer == 'vm1' | sort by TimeGenerated asc";
    let pruned = run_sorted(&ctx, &format!("T {q}")).await?;
    assert_eq!(pruned, run_sorted(&ctx, &format!("Eager {q}")).await?);
    assert_eq!(table.files_scanned() - before, 4);
    let before = table.files_scanned();
    let q = "| where TimeGenerated > datetime(2024-01-02T21:00:00Z) | summarize n = count()";
    let pruned = run_sorted(&ctx, &format!("T {q}")).await?;
    assert_eq!(pruned, run_sorted(&ctx, &format!("Eager {q}")).await?);
    assert_eq!(table.files_scanned() - before, 3);
    Ok(())
}

fn walk_sizes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        total += if e.file_type()?.is_dir() {
            walk_sizes(&e.path())?
        } else {
            e.metadata()?.len()
        };
    }
    Ok(total)
}

#[tokio::test]
async fn a_record_filed_under_a_later_hour_is_still_found() -> TestResult {
    let dir = temp_dir("export-late")?;
    write_export(&dir, 24)?;
    // A late-arriving record: TimeGenerated 05:30, exported in the 20:00 folder.
    let late = dir.join(
        "WorkspaceResourceId=/subscriptions/x/workspaces/w/y=2024/m=01/d=01/h=20/m=00/PT1H.json",
    );
    let mut text = std::fs::read_to_string(&late)?;
    text.push_str(
        "{\"TimeGenerated\":\"2024-01-01T05:30:00Z\",\"Computer\":\"late\",\"Hour\":20,\"CounterValue\":1}\n",
    );
    std::fs::write(&late, text)?;
    let root = dir.to_string_lossy().to_string();
    let ctx = crate::KqlContext::new();
    ctx.register_path("T", &root)?;
    ctx.register_table("Eager", open_table(&root, &eager())?)?;
    let q = "| where TimeGenerated between (datetime(2024-01-01T05:00:00Z) .. 1h) | sort by TimeGenerated asc, Computer asc";
    let pruned = run_sorted(&ctx, &format!("T {q}")).await?;
    assert_eq!(pruned, run_sorted(&ctx, &format!("Eager {q}")).await?);
    // 20 records of the 05:00 hour, the late one, and 06:00:00 (`between` is inclusive).
    assert_eq!(pruned.num_rows(), 22);
    let provider = ctx.table("T").ok_or("no table T")?;
    // The 05:00 and 06:00 folders (the range ends at 06:00:00) and the 20:00 one.
    assert_eq!(text_table(&provider)?.files_scanned(), 3);
    Ok(())
}

#[tokio::test]
async fn checked_reads_need_an_unchanged_file_and_a_strict_open() -> TestResult {
    let dir = temp_dir("checked-changed")?;
    let path = dir.join("c.jsonl");
    write_jsonl(&path, 0, 2_000)?;
    let p = path.to_string_lossy().to_string();
    let opened = open_table_with_report(&p, &streaming())?;
    let table = text_table(&opened.provider)?;
    assert!(table.files.iter().all(|(f, _)| f.checked.is_some()));
    let seq_only = |provider: Arc<dyn TableProvider>| async move {
        let ctx = SessionContext::new();
        let df = ctx.read_table(provider)?.select_columns(&["seq"])?;
        df.count().await
    };
    assert_eq!(seq_only(opened.provider.clone()).await?, 2_000);

    // Break line 1500 after its `seq` member without changing the file's length: a read that
    // trusted the opening pass would stop after `seq` and never see it.
    let text = std::fs::read_to_string(&path)?;
    let mut lines: Vec<&str> = text.lines().collect();
    let broken = lines[1499].replacen("\"props\":{", "\"props\":[", 1);
    lines[1499] = &broken;
    std::fs::write(&path, lines.join("\n") + "\n")?;
    assert_eq!(std::fs::metadata(&path)?.len(), text.len() as u64);
    // (The clock may not have moved since the file was written: move its time explicitly.)
    std::fs::File::options()
        .write(true)
        .open(&path)?
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))?;
    match seq_only(opened.provider.clone()).await {
        Err(e) => assert!(
            e.to_string().contains(&format!("{p}:1500: invalid JSON")),
            "{e}"
        ),
        Ok(n) => return Err(format!("expected an error, counted {n} rows").into()),
    }

    // A lenient open that skipped a bad line does not trust the file: the queries skip the
    // line too, although it is bad only after `seq`.
    let lenient = SourceOptions {
        lenient: true,
        mode: LoadMode::Streaming,
    };
    let opened = open_table_with_report(&p, &lenient)?;
    assert_eq!(opened.report.skipped_records, 1);
    assert!(
        text_table(&opened.provider)?
            .files
            .iter()
            .all(|(f, _)| f.checked.is_none())
    );
    assert_eq!(seq_only(opened.provider.clone()).await?, 1_999);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
