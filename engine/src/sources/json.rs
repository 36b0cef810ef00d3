//! JSON sources, read with `serde_json` (DataFusion's JSON reader cannot keep `dynamic`
//! values as JSON, see datafusion-notes §4).
//!
//! Layouts:
//! - JSON lines (`.jsonl`, `.ndjson`, and `.json` files whose first line is a whole JSON
//!   value — the Azure Monitor `PT1H.json` blobs): one object per line, blank lines ignored;
//! - a `.json` document: a top-level array of objects, or an object `{"records": [...]}` (the
//!   Azure Storage export layout), or one or more pretty-printed objects.
//!
//! A line or value that is an array of objects, or an object whose only key is `records`
//! holding an array, yields those objects. Types are inferred over all rows (`infer.rs`):
//! bool, long, real (ints mixed with reals), datetime (ISO 8601 / portal strings), dynamic
//! (objects/arrays, or strings holding JSON objects/arrays), else string. Keys missing in a
//! row are null (`""` for strings); column order is the order of first appearance.

use super::columns::BatchBuilder;
use super::infer::{Inferred, classify_json, parse_datetime};
use super::unify::ColumnSet;
use super::{
    DataFile, FileInference, Kind, SourceOptions, SourceReport, TIME_COLUMN, TimeSpan, open_reader,
    read_error,
};
use crate::error::{KqlError, Result};
use datafusion::arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Cursor, Read};

type Record = Map<String, Value>;

/// Calls `on(record, line)` for each record of `file`. Invalid JSON is an error naming the
/// file and line; with `options.lenient`, a bad line of a JSON-lines file is skipped instead
/// (and counted in `report` when given). A syntax error inside a multi-line document cannot
/// be skipped and is always an error.
fn scan<F>(
    file: &DataFile,
    options: &SourceOptions,
    mut report: Option<&mut SourceReport>,
    mut on: F,
) -> Result<()>
where
    F: FnMut(Record, Option<usize>) -> Result<()>,
{
    let path = &file.path;
    let mut reader = open_reader(file)?;
    let mut line_no = 0usize;
    let mut buf: Vec<u8> = Vec::new();

    // For `.json`, look at the first non-blank line: a complete value means JSON lines;
    // otherwise the file is one multi-line document (or several).
    let mut first: Option<(Vec<u8>, usize)> = None;
    if file.kind == Kind::Json {
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| read_error(path, Some(line_no + 1), &e))?;
            if n == 0 {
                return Ok(());
            }
            line_no += 1;
            if !buf.trim_ascii().is_empty() {
                break;
            }
        }
        let trimmed = buf.trim_ascii();
        let whole_line = match serde_json::from_slice::<Value>(trimmed) {
            Ok(_) => true,
            // An unfinished value continues on the next lines.
            Err(e) => !e.is_eof(),
        };
        if !whole_line {
            let start_line = line_no;
            let doc = BufReader::new(Cursor::new(std::mem::take(&mut buf)).chain(reader));
            return scan_document(file, doc, start_line - 1, on);
        }
        first = Some((std::mem::take(&mut buf), line_no));
    }

    let mut handle_line =
        |bytes: &[u8], line: usize, report: &mut Option<&mut SourceReport>| -> Result<()> {
            let t = bytes.trim_ascii();
            if t.is_empty() {
                return Ok(());
            }
            let bad = match serde_json::from_slice::<Value>(t) {
                Ok(v) => match records_of(v) {
                    Ok(records) => {
                        for r in records {
                            on(r, Some(line))?;
                        }
                        return Ok(());
                    }
                    Err(msg) => msg,
                },
                Err(e) => format!("invalid JSON: {e}"),
            };
            if !options.lenient {
                return Err(KqlError::data(path, Some(line), bad));
            }
            if let Some(r) = report.as_deref_mut() {
                r.skip(path, Some(line), bad);
            }
            Ok(())
        };
    if let Some((bytes, line)) = first {
        handle_line(&bytes, line, &mut report)?;
    }
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| read_error(path, Some(line_no + 1), &e))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        handle_line(&buf, line_no, &mut report)?;
    }
}

/// Reads a (possibly multi-line) JSON document: a sequence of top-level values.
fn scan_document<R, F>(file: &DataFile, reader: R, line_offset: usize, mut on: F) -> Result<()>
where
    R: Read,
    F: FnMut(Record, Option<usize>) -> Result<()>,
{
    let stream = serde_json::Deserializer::from_reader(reader).into_iter::<Value>();
    for item in stream {
        match item {
            Ok(v) => {
                let records = records_of(v).map_err(|m| KqlError::data(&file.path, None, m))?;
                for r in records {
                    on(r, None)?;
                }
            }
            Err(e) => {
                let line = (e.line() > 0).then(|| e.line() + line_offset);
                if let Some(io) = e.io_error_kind() {
                    return Err(KqlError::data(
                        &file.path,
                        line,
                        format!("read error ({io:?}): {e}"),
                    ));
                }
                return Err(KqlError::data(
                    &file.path,
                    line,
                    format!("invalid JSON: {e}"),
                ));
            }
        }
    }
    Ok(())
}

/// The records a top-level JSON value holds: an object; an array of objects; an object whose
/// only key is `records`, an array of objects.
fn records_of(v: Value) -> std::result::Result<Vec<Record>, String> {
    match v {
        Value::Object(mut m) => {
            if m.len() == 1
                && let Some(Value::Array(_)) = m.get("records")
                && let Some(Value::Array(items)) = m.remove("records")
            {
                return objects(items);
            }
            Ok(vec![m])
        }
        Value::Array(items) => objects(items),
        other => Err(format!(
            "expected a JSON object, found {}",
            json_kind(&other)
        )),
    }
}

fn objects(items: Vec<Value>) -> std::result::Result<Vec<Record>, String> {
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(m) => Ok(m),
            other => Err(format!(
                "expected an array of JSON objects, found {} in it",
                json_kind(&other)
            )),
        })
        .collect()
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Infers the columns of `file` over all its records, counting the records and the range of
/// the [`TIME_COLUMN`] values; skipped bad lines are counted in `report` when given.
pub fn infer(
    file: &DataFile,
    options: &SourceOptions,
    report: Option<&mut SourceReport>,
) -> Result<FileInference> {
    let mut set = ColumnSet::default();
    let mut rows = 0usize;
    let mut time = TimeSpan::Empty;
    scan(file, options, report, |record, _| {
        rows += 1;
        for (k, v) in &record {
            let kind = classify_json(v);
            if kind == Inferred::Datetime
                && k == TIME_COLUMN
                && let Value::String(s) = v
                && let Some(t) = parse_datetime(s)
            {
                time.observe(t);
            }
            set.observe(k, kind);
        }
        Ok(())
    })?;
    Ok(FileInference {
        columns: set,
        truncated: false,
        rows,
        time,
    })
}

/// Reads `file` into `builder` (the table's columns, or a projection of them), handing each
/// completed batch to `emit`. Skipped records are counted in `report` when given.
pub fn read(
    file: &DataFile,
    options: &SourceOptions,
    columns: &ColumnSet,
    builder: &mut BatchBuilder,
    report: Option<&mut SourceReport>,
    emit: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let mut slots: Vec<Option<Value>> = vec![None; builder.columns_mut().len()];
    let path = &file.path;
    scan(file, options, report, |record, line| {
        for (k, v) in record {
            if let Some(slot) = columns
                .position(&k)
                .and_then(|i| builder.slot(i))
                .and_then(|j| slots.get_mut(j))
            {
                *slot = Some(v);
            }
        }
        for (col, slot) in builder.columns_mut().iter_mut().zip(slots.iter_mut()) {
            match slot.take() {
                Some(v) => col
                    .append_json(&v)
                    .map_err(|m| KqlError::data(path, line, m))?,
                None => col.append_missing(),
            }
        }
        builder.end_row()?;
        for b in builder.take_batches() {
            emit(b)?;
        }
        Ok(())
    })
}
