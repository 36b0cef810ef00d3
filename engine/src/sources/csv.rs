//! CSV and TSV files with a header row.
//!
//! Types are inferred over the first [`SAMPLE_ROWS`] rows of each file: long, real, bool
//! (`true`/`false`, any of three capitalisations), datetime (ISO 8601, `M/D/YYYY[,] h:mm[:ss[.f]] [AM|PM]`
//! as the Log Analytics portal exports), dynamic (every non-empty cell a JSON object or
//! array), else string. Empty cells are null (`""` in string columns). When a later value does
//! not fit, the caller infers again over all rows. Streamed tables (`stream.rs`) are inferred
//! over all rows from the start, so a streamed read never meets a value that does not fit.
//!
//! Header names are trimmed, lose a trailing ` [UTC]`-style bracket (the portal writes
//! `TimeGenerated [UTC]`); an empty name (pandas' index column) becomes `Column<n>` (its
//! 1-based position) and duplicates get a numeric suffix (`x`, `x1`, `x2`).

use super::columns::BatchBuilder;
use super::infer::{Inferred, classify_text, parse_datetime};
use super::unify::ColumnSet;
use super::{
    DataFile, FileInference, Kind, SourceOptions, SourceReport, TIME_COLUMN, TimeSpan, open_reader,
};
use crate::error::{KqlError, Result};
use datafusion::arrow::record_batch::RecordBatch;
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

/// Infers the columns of `file` over its first `sample` rows (all rows if `None`), counting
/// the rows read and the range of the [`TIME_COLUMN`] values (`truncated` is `true` when rows
/// were left unread). Skipped bad rows are counted in `report` when given.
pub fn infer(
    file: &DataFile,
    options: &SourceOptions,
    sample: Option<usize>,
    report: Option<&mut SourceReport>,
) -> Result<FileInference> {
    let mut set = ColumnSet::default();
    let mut indexes: Vec<usize> = Vec::new();
    let mut time_field: Option<usize> = None;
    let mut time = TimeSpan::Empty;
    let mut rows = 0usize;
    let truncated = scan(file, options, sample, report, |ev| {
        match ev {
            Event::Header(h) => {
                indexes = h.iter().map(|n| set.index_of(n)).collect();
                time_field = h.iter().position(|n| n == TIME_COLUMN);
            }
            Event::Row(rec, _) => {
                rows += 1;
                for (field, (i, cell)) in indexes.iter().zip(rec.iter()).enumerate() {
                    let kind = classify_text(cell);
                    if kind == Inferred::Datetime
                        && time_field == Some(field)
                        && let Some(t) = parse_datetime(cell)
                    {
                        time.observe(t);
                    }
                    set.observe_at(*i, kind);
                }
            }
        }
        Ok(())
    })
    .map_err(failure_error)?;
    Ok(FileInference {
        columns: set,
        truncated,
        rows,
        time,
        segments: Vec::new(),
        checked: None,
    })
}

fn failure_error(f: ReadFailure) -> KqlError {
    match f {
        ReadFailure::Mismatch(e) | ReadFailure::Fatal(e) => e,
    }
}

/// Reads `file` into `builder` (the table's columns, or a projection of them; the table's
/// columns are a superset of the file's), handing each completed batch to `emit`. Skipped
/// records are counted in `report` when given.
pub fn read(
    file: &DataFile,
    options: &SourceOptions,
    columns: &ColumnSet,
    builder: &mut BatchBuilder,
    report: Option<&mut SourceReport>,
    emit: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> std::result::Result<(), ReadFailure> {
    // For each builder column, the field index in this file's rows (None: absent here).
    let mut mapping: Vec<Option<usize>> = Vec::new();
    let path = file.path.clone();
    scan(file, options, None, report, |ev| match ev {
        Event::Header(h) => {
            mapping = vec![None; builder.columns_mut().len()];
            for (field, name) in h.iter().enumerate() {
                if let Some(slot) = columns
                    .position(name)
                    .and_then(|c| builder.slot(c))
                    .and_then(|j| mapping.get_mut(j))
                {
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
            builder
                .end_row()
                .map_err(|e| ReadFailure::Fatal(e.into()))?;
            for b in builder.take_batches() {
                emit(b).map_err(ReadFailure::Fatal)?;
            }
            Ok(())
        }
    })?;
    Ok(())
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
