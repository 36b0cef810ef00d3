//! CSV and TSV files with a header row.
//!
//! Types are inferred over the first [`SAMPLE_ROWS`] rows of each file: long, real, bool
//! (`true`/`false`, any of three capitalisations), datetime (ISO 8601, `M/D/YYYY[,] h:mm[:ss[.f]] [AM|PM]`
//! as the Log Analytics portal exports), dynamic (every non-empty cell a JSON object or
//! array), else string. Empty cells are null (`""` in string columns). When a later value does
//! not fit, the caller infers again over all rows.
//!
//! Header names are trimmed, lose a trailing ` [UTC]`-style bracket (the portal writes
//! `TimeGenerated [UTC]`); an empty name (pandas' index column) becomes `Column<n>` (its
//! 1-based position) and duplicates get a numeric suffix (`x`, `x1`, `x2`).

use super::columns::BatchBuilder;
use super::infer::classify_text;
use super::unify::ColumnSet;
use super::{DataFile, Kind, SourceOptions, SourceReport, open_reader};
use crate::error::{KqlError, Result};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use kql_functions::types::KqlType;
use std::collections::HashSet;

/// Rows per file used to infer column types.
pub const SAMPLE_ROWS: usize = 1000;

/// Why reading a file failed.
#[derive(Debug)]
pub enum ReadFailure {
    /// A value does not fit the type inferred from a sample (re-inferring may fix it).
    Mismatch(KqlError),
    /// Any other error.
    Fatal(KqlError),
}

/// The cleaned column names of a header row.
pub fn clean_headers<'a>(raw: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (i, h) in raw.enumerate() {
        let mut name = h.trim();
        if name.ends_with(']')
            && let Some(pos) = name.rfind(" [")
            && !name[..pos].trim().is_empty()
        {
            name = name[..pos].trim_end();
        }
        let base = if name.is_empty() {
            format!("Column{}", i + 1)
        } else {
            name.to_string()
        };
        let mut unique = base.clone();
        let mut n = 1;
        while seen.contains(&unique) {
            unique = format!("{base}{n}");
            n += 1;
        }
        seen.insert(unique.clone());
        out.push(unique);
    }
    out
}

/// What [`scan`] hands its callback: the cleaned header names, then each data row with its
/// 1-based line number.
enum Event<'a> {
    Header(Vec<String>),
    Row(&'a csv::StringRecord, usize),
}

/// Calls `on` with the header and each data row of `file`, up to `limit` rows; returns
/// `true` when rows were left unread. Ragged and undecodable rows are errors naming the file
/// and line, or are skipped (and counted in `report` when given) if lenient.
fn scan<F>(
    file: &DataFile,
    options: &SourceOptions,
    limit: Option<usize>,
    mut report: Option<&mut SourceReport>,
    mut on: F,
) -> std::result::Result<bool, ReadFailure>
where
    F: FnMut(Event<'_>) -> std::result::Result<(), ReadFailure>,
{
    let fatal = ReadFailure::Fatal;
    let reader = open_reader(file).map_err(fatal)?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(if file.kind == Kind::Tsv { b'\t' } else { b',' })
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let path = &file.path;
    let header_len = match rdr.read_record(&mut record) {
        Ok(true) => {
            let names = clean_headers(record.iter());
            let n = names.len();
            on(Event::Header(names))?;
            n
        }
        Ok(false) => return Ok(false),
        Err(e) => return Err(fatal(csv_error(file, &e))),
    };
    let mut rows = 0usize;
    loop {
        if limit.is_some_and(|l| rows >= l) {
            return Ok(true);
        }
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(false),
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                if record.len() != header_len {
                    let msg = format!(
                        "expected {header_len} fields (as in the header), found {}",
                        record.len()
                    );
                    if !options.lenient {
                        return Err(fatal(KqlError::data(path, Some(line), msg)));
                    }
                    if let Some(r) = report.as_deref_mut() {
                        r.skip(path, Some(line), msg);
                    }
                    continue;
                }
                on(Event::Row(&record, line))?;
                rows += 1;
            }
            Err(e) => {
                let is_utf8 = matches!(e.kind(), csv::ErrorKind::Utf8 { .. });
                if !(is_utf8 && options.lenient) {
                    return Err(fatal(csv_error(file, &e)));
                }
                if let Some(r) = report.as_deref_mut() {
                    let line = e.position().and_then(|p| usize::try_from(p.line()).ok());
                    r.skip(path, line, "invalid UTF-8");
                }
            }
        }
    }
}

fn csv_error(file: &DataFile, e: &csv::Error) -> KqlError {
    let line = e.position().and_then(|p| usize::try_from(p.line()).ok());
    match e.kind() {
        csv::ErrorKind::Io(io) => super::read_error(&file.path, line, io),
        csv::ErrorKind::Utf8 { err, .. } => {
            KqlError::data(&file.path, line, format!("invalid UTF-8: {err}"))
        }
        _ => KqlError::data(&file.path, line, format!("invalid CSV: {e}")),
    }
}

/// Infers the columns of `file` over its first `sample` rows (all rows if `None`); the flag
/// is `true` when rows were left unread.
pub fn infer(
    file: &DataFile,
    options: &SourceOptions,
    sample: Option<usize>,
) -> Result<(ColumnSet, bool)> {
    let mut set = ColumnSet::default();
    let mut indexes: Vec<usize> = Vec::new();
    let truncated = scan(file, options, sample, None, |ev| {
        match ev {
            Event::Header(h) => indexes = h.iter().map(|n| set.index_of(n)).collect(),
            Event::Row(rec, _) => {
                for (i, cell) in indexes.iter().zip(rec.iter()) {
                    set.observe_at(*i, classify_text(cell));
                }
            }
        }
        Ok(())
    })
    .map_err(failure_error)?;
    Ok((set, truncated))
}

fn failure_error(f: ReadFailure) -> KqlError {
    match f {
        ReadFailure::Mismatch(e) | ReadFailure::Fatal(e) => e,
    }
}

/// Reads `file` into batches of the table schema (`columns`/`schema`/`types`, a superset of
/// the file's columns). Skipped records are counted in `report`.
pub fn read(
    file: &DataFile,
    options: &SourceOptions,
    columns: &ColumnSet,
    schema: &SchemaRef,
    types: &[KqlType],
    report: &mut SourceReport,
) -> std::result::Result<Vec<RecordBatch>, ReadFailure> {
    let mut builder = BatchBuilder::new(schema.clone(), types);
    // For each table column, the field index in this file's rows (None: absent here).
    let mut mapping: Vec<Option<usize>> = Vec::new();
    let path = file.path.clone();
    scan(file, options, None, Some(report), |ev| match ev {
        Event::Header(h) => {
            mapping = vec![None; columns.len()];
            for (field, name) in h.iter().enumerate() {
                if let Some(slot) = columns.position(name).and_then(|c| mapping.get_mut(c)) {
                    *slot = Some(field);
                }
            }
            Ok(())
        }
        Event::Row(rec, line) => {
            for (col, src) in builder.columns_mut().iter_mut().zip(&mapping) {
                match src.and_then(|i| rec.get(i)) {
                    Some(cell) => col
                        .append_text(cell)
                        .map_err(|m| ReadFailure::Mismatch(KqlError::data(&path, Some(line), m)))?,
                    None => col.append_missing(),
                }
            }
            builder.end_row().map_err(|e| ReadFailure::Fatal(e.into()))
        }
    })?;
    builder.finish().map_err(|e| ReadFailure::Fatal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_cleaned() {
        let raw = [
            "",
            "TimeGenerated [UTC]",
            " Name ",
            "x",
            "x",
            "[weird]",
            "a [b] [Local Time]",
        ];
        assert_eq!(
            clean_headers(raw.into_iter()),
            [
                "Column1",
                "TimeGenerated",
                "Name",
                "x",
                "x1",
                "[weird]",
                "a [b]"
            ]
        );
    }
}
