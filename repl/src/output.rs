//! Writing query results: aligned text tables, CSV, TSV, JSON, JSON lines, Parquet and Arrow
//! IPC, to standard output or atomically to a file.
//!
//! Text values come from `kql_engine::display` so every output agrees with the REPL and the
//! test runner on how a KQL value looks.

use crate::cli::OutputFormat;
use kql_engine::QueryResult;
use kql_engine::datafusion::arrow::array::ArrayRef;
use kql_engine::datafusion::arrow::datatypes::Field;
use kql_engine::datafusion::arrow::ipc::writer::FileWriter;
use kql_engine::datafusion::parquet::arrow::ArrowWriter;
use kql_engine::display::{format_value, json_value};
use kql_engine::types::KqlType;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why results could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// Writing failed (a full disk, a closed pipe, a folder that cannot be written).
    Io(io::Error),
    /// The Parquet or Arrow encoder failed.
    Encode(String),
    /// The format cannot hold what the script produced (e.g. two results in one Parquet file).
    Shape(String),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Io(e) => write!(f, "{e}"),
            OutputError::Encode(m) | OutputError::Shape(m) => f.write_str(m),
        }
    }
}

impl From<io::Error> for OutputError {
    fn from(e: io::Error) -> Self {
        OutputError::Io(e)
    }
}

/// A writer the Parquet encoder accepts.
pub type Sink<'a> = dyn Write + Send + 'a;

/// Writes every result in `format`. Text formats separate results with a blank line (JSON
/// lines simply continues with the next result's rows); Parquet and Arrow hold one result.
pub fn write_results(
    out: &mut Sink<'_>,
    format: OutputFormat,
    results: &[QueryResult],
) -> Result<(), OutputError> {
    match format {
        OutputFormat::Parquet | OutputFormat::Arrow => {
            let [result] = results else {
                return Err(OutputError::Shape(format!(
                    "{} output holds exactly one result, but the query produced {}; \
                     write each query separately or use a text format",
                    name(format),
                    results.len()
                )));
            };
            if format == OutputFormat::Parquet {
                write_parquet(out, result)
            } else {
                write_arrow(out, result)
            }
        }
        _ => {
            for (i, result) in results.iter().enumerate() {
                if i > 0 && format != OutputFormat::Jsonl {
                    out.write_all(b"\n")?;
                }
                match format {
                    OutputFormat::Table => write_table(out, result)?,
                    OutputFormat::Csv => write_delimited(out, result, b',', csv_field)?,
                    OutputFormat::Tsv => write_delimited(out, result, b'\t', tsv_field)?,
                    OutputFormat::Json => write_json(out, result)?,
                    _ => write_jsonl(out, result)?,
                }
            }
            Ok(())
        }
    }
}

fn name(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Table => "table",
        OutputFormat::Csv => "csv",
        OutputFormat::Tsv => "tsv",
        OutputFormat::Json => "json",
        OutputFormat::Jsonl => "jsonl",
        OutputFormat::Parquet => "parquet",
        OutputFormat::Arrow => "arrow",
    }
}

/// Calls `f(column, row-in-batch, field)` for every row of `result`, in order.
fn for_each_row(
    result: &QueryResult,
    mut f: impl FnMut(&[ArrayRef], usize, &[&Field]) -> io::Result<()>,
) -> io::Result<()> {
    let fields: Vec<&Field> = result.schema.fields().iter().map(AsRef::as_ref).collect();
    for batch in &result.batches {
        let columns = batch.columns();
        for row in 0..batch.num_rows() {
            f(columns, row, &fields)?;
        }
    }
    Ok(())
}

/// An aligned text table: a header, a line of dashes under each column, then the rows.
/// Numbers are right-aligned; line breaks and tabs inside values are shown as `\n`, `\t`.
pub fn write_table(out: &mut Sink<'_>, result: &QueryResult) -> io::Result<()> {
    let fields = result.schema.fields();
    let right: Vec<bool> = fields
        .iter()
        .map(|f| KqlType::of_field(f).is_numeric())
        .collect();
    let mut rows: Vec<Vec<String>> = vec![fields.iter().map(|f| table_cell(f.name())).collect()];
    for_each_row(result, |columns, row, fields| {
        rows.push(
            columns
                .iter()
                .zip(fields)
                .map(|(c, f)| table_cell(&format_value(c, row, f)))
                .collect(),
        );
        Ok(())
    })?;
    let mut widths: Vec<usize> = vec![0; fields.len()];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat((*w).max(1))).collect();
    let mut emit = |cells: &[String]| -> io::Result<()> {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.chars().count());
            if right[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.write_all(line.trim_end().as_bytes())?;
        out.write_all(b"\n")
    };
    let mut rows = rows.into_iter();
    if let Some(header) = rows.next() {
        emit(&header)?;
    }
    emit(&dashes)?;
    for r in rows {
        emit(&r)?;
    }
    Ok(())
}

pub(crate) fn table_cell(s: &str) -> String {
    if !s.contains(['\n', '\r', '\t']) {
        return s.to_string();
    }
    s.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// CSV (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// TSV: backslash, tab, line feed and carriage return escaped as `\\`, `\t`, `\n`, `\r`.
pub fn tsv_field(s: &str) -> String {
    if !s.contains(['\\', '\t', '\n', '\r']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn write_delimited(
    out: &mut Sink<'_>,
    result: &QueryResult,
    sep: u8,
    quote: fn(&str) -> String,
) -> io::Result<()> {
    let header: Vec<String> = result
        .schema
        .fields()
        .iter()
        .map(|f| quote(f.name()))
        .collect();
    out.write_all(header.join(&char::from(sep).to_string()).as_bytes())?;
    out.write_all(b"\n")?;
    for_each_row(result, |columns, row, fields| {
        for (i, (c, f)) in columns.iter().zip(fields).enumerate() {
            if i > 0 {
                out.write_all(&[sep])?;
            }
            out.write_all(quote(&format_value(c, row, f)).as_bytes())?;
        }
        out.write_all(b"\n")
    })
}

fn row_object(columns: &[ArrayRef], row: usize, fields: &[&Field]) -> serde_json::Value {
    serde_json::Value::Object(
        columns
            .iter()
            .zip(fields)
            .map(|(c, f)| (f.name().clone(), json_value(c, row, f)))
            .collect(),
    )
}

fn write_jsonl(out: &mut Sink<'_>, result: &QueryResult) -> io::Result<()> {
    for_each_row(result, |columns, row, fields| {
        serde_json::to_writer(&mut *out, &row_object(columns, row, fields))?;
        out.write_all(b"\n")
    })
}

/// One JSON array per result, one row object per line.
fn write_json(out: &mut Sink<'_>, result: &QueryResult) -> io::Result<()> {
    if result.num_rows() == 0 {
        return out.write_all(b"[]\n");
    }
    let mut first = true;
    for_each_row(result, |columns, row, fields| {
        out.write_all(if first { b"[\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &row_object(columns, row, fields))?;
        Ok(())
    })?;
    out.write_all(b"\n]\n")
}

fn write_parquet(out: &mut Sink<'_>, result: &QueryResult) -> Result<(), OutputError> {
    let encode = |e: kql_engine::datafusion::parquet::errors::ParquetError| {
        OutputError::Encode(format!("parquet: {e}"))
    };
    let mut writer = ArrowWriter::try_new(out, result.schema.clone(), None).map_err(encode)?;
    for batch in &result.batches {
        writer.write(batch).map_err(encode)?;
    }
    writer.close().map_err(encode)?;
    Ok(())
}

fn write_arrow(out: &mut Sink<'_>, result: &QueryResult) -> Result<(), OutputError> {
    let encode = |e: kql_engine::datafusion::arrow::error::ArrowError| {
        OutputError::Encode(format!("arrow: {e}"))
    };
    let mut writer = FileWriter::try_new(out, &result.schema).map_err(encode)?;
    for batch in &result.batches {
        writer.write(batch).map_err(encode)?;
    }
    writer.finish().map_err(encode)?;
    Ok(())
}

/// The folder a file at `path` lands in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `path` atomically: `write` fills a temporary file in the same folder, which is
/// flushed to disk and renamed over `path` only if everything succeeded; on failure the
/// temporary file is removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut Sink<'_>) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let Some(file_name) = path.file_name() else {
        return Err(OutputError::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        )));
    };
    let tmp = parent_dir(path).join(format!(
        ".{}.{}.kql-tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut buffered = BufWriter::new(file);
        write(&mut buffered)?;
        let file = buffered
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use kql_engine::datafusion::arrow::array::{Float64Array, Int64Array, StringArray};
    use kql_engine::datafusion::arrow::datatypes::{DataType, Schema};
    use kql_engine::datafusion::arrow::record_batch::RecordBatch;
    use std::sync::Arc;

    fn sample() -> QueryResult {
        let schema = Arc::new(Schema::new(vec![
            Field::new("Name", DataType::Utf8, true),
            Field::new("Count", DataType::Int64, true),
            Field::new("Ratio", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![
                    Some("a,b"),
                    Some("say \"hi\""),
                    Some("x\ty"),
                ])),
                Arc::new(Int64Array::from(vec![Some(1), Some(200), None])),
                Arc::new(Float64Array::from(vec![
                    Some(0.5),
                    Some(f64::NAN),
                    Some(1e15),
                ])),
            ],
        )
        .unwrap();
        QueryResult {
            schema,
            batches: vec![batch],
            render: None,
        }
    }

    fn render(format: OutputFormat, results: &[QueryResult]) -> String {
        let mut buf: Vec<u8> = Vec::new();
        write_results(&mut buf, format, results).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            render(OutputFormat::Csv, &[sample()]),
            "Name,Count,Ratio\n\"a,b\",1,0.5\n\"say \"\"hi\"\"\",200,NaN\nx\ty,,1E+15\n"
        );
    }

    #[test]
    fn tsv_escapes_tabs() {
        assert_eq!(
            render(OutputFormat::Tsv, &[sample()]),
            "Name\tCount\tRatio\na,b\t1\t0.5\nsay \"hi\"\t200\tNaN\nx\\ty\t\t1E+15\n"
        );
    }

    #[test]
    fn table_aligns_and_right_aligns_numbers() {
        // Widths: Name = max(4, 3, 8, 4 for `x\ty`) = 8; Count = 5; Ratio = 5 (`1E+15`).
        let expected = "\
Name      Count  Ratio
--------  -----  -----
a,b           1    0.5
say \"hi\"    200    NaN
x\\ty             1E+15
";
        assert_eq!(render(OutputFormat::Table, &[sample()]), expected);
    }

    #[test]
    fn json_and_jsonl() {
        let rows = [
            r#"{"Name":"a,b","Count":1,"Ratio":0.5}"#,
            r#"{"Name":"say \"hi\"","Count":200,"Ratio":"NaN"}"#,
            // serde_json writes 1e15 in full: any JSON reader parses it back to the same f64.
            r#"{"Name":"x\ty","Count":null,"Ratio":1000000000000000.0}"#,
        ];
        assert_eq!(
            render(OutputFormat::Jsonl, &[sample()]),
            format!("{}\n", rows.join("\n"))
        );
        assert_eq!(
            render(OutputFormat::Jsonl, &[sample(), sample()]),
            format!("{}\n{}\n", rows.join("\n"), rows.join("\n"))
        );
        assert_eq!(
            render(OutputFormat::Json, &[sample()]),
            format!("[\n{}\n]\n", rows.join(",\n"))
        );
    }

    #[test]
    fn results_are_separated_by_a_blank_line() {
        let one = render(OutputFormat::Csv, &[sample()]);
        assert_eq!(
            render(OutputFormat::Csv, &[sample(), sample()]),
            format!("{one}\n{one}")
        );
        let t = render(OutputFormat::Table, &[sample()]);
        assert_eq!(
            render(OutputFormat::Table, &[sample(), sample()]),
            format!("{t}\n{t}")
        );
    }

    #[test]
    fn empty_result_keeps_its_header() {
        let mut r = sample();
        r.batches.clear();
        assert_eq!(
            render(OutputFormat::Csv, &[r.clone()]),
            "Name,Count,Ratio\n"
        );
        assert_eq!(
            render(OutputFormat::Table, &[r.clone()]),
            "Name  Count  Ratio\n----  -----  -----\n"
        );
        assert_eq!(render(OutputFormat::Json, &[r.clone()]), "[]\n");
        assert_eq!(render(OutputFormat::Jsonl, &[r]), "");
    }

    #[test]
    fn binary_formats_hold_one_result() {
        let mut buf: Vec<u8> = Vec::new();
        let err = write_results(&mut buf, OutputFormat::Parquet, &[sample(), sample()]);
        assert!(matches!(err, Err(OutputError::Shape(_))));
        let pq = {
            let mut b: Vec<u8> = Vec::new();
            write_results(&mut b, OutputFormat::Parquet, &[sample()]).unwrap();
            b
        };
        assert!(pq.starts_with(b"PAR1") && pq.ends_with(b"PAR1"));
        let ipc = {
            let mut b: Vec<u8> = Vec::new();
            write_results(&mut b, OutputFormat::Arrow, &[sample()]).unwrap();
            b
        };
        assert!(ipc.starts_with(b"ARROW1") && ipc.ends_with(b"ARROW1"));
    }

    #[test]
    fn atomic_write_replaces_or_leaves_untouched() {
        let dir = std::env::temp_dir().join(format!("kql-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomically(&path, |w| {
            w.write_all(b"partial")?;
            Err(OutputError::Encode("boom".into()))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        write_atomically(&path, |w| Ok(w.write_all(b"new")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
