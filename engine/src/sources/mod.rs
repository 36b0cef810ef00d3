//! Data sources: CSV/TSV, JSON lines, JSON arrays, `{"records": [...]}` JSON, Parquet — plain
//! or gzip — from a file, a folder (recursively) or a glob, with schemas unified across files.
//!
//! - CSV/TSV and JSON are read with our own streaming parsers (`csv` crate, `serde_json`), the
//!   column types inferred (`infer.rs`, pass 1) and unified across files (`unify.rs`). Pass 2
//!   builds the rows into Arrow batches, either
//!   - eagerly into a `MemTable` (small inputs: at most [`EAGER_MAX_BYTES`], gzip counted at
//!     [`GZIP_RATIO`] times its size, and no Azure Monitor export layout), or
//!   - at query time through a streaming [`TextTable`] (`stream.rs`): memory stays bounded
//!     whatever the input size, and filters on `TimeGenerated` skip files whose time range
//!     cannot match. [`SourceOptions::mode`] forces either path.
//! - A table made only of plain `.parquet` files is a streaming DataFusion `ListingTable`
//!   (two, in `parquet_table.rs`, which differ in where a scan applies its filters)
//!   whose schema is the unified file schema with datetimes normalised to
//!   `Timestamp(Nanosecond, "UTC")`; DataFusion casts each file's columns on the fly.
//!   Gzipped Parquet, or Parquet mixed with text files in one table, is part of an eager or a
//!   streamed text table like the text files (in a streamed one it is read batch by batch).
//!
//! Inputs are only ever opened for reading.

mod columns;
mod csv;
mod infer;
mod json;
mod json_fast;
mod json_plain;
mod parquet;
pub(crate) mod parquet_table;
pub(crate) mod range;
mod stream;
mod unify;

use crate::error::{KqlError, Result};
use columns::BatchBuilder;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unify::ColumnSet;

pub use infer::parse_datetime;
pub(crate) use parquet::{diagnose as diagnose_parquet, panic_message};
pub use stream::{TextTable, hour_range};

/// Text inputs up to this many bytes are loaded eagerly by [`LoadMode::Auto`].
pub const EAGER_MAX_BYTES: u64 = 4 << 20;

/// A gzipped file counts this many times its size against [`EAGER_MAX_BYTES`] (its
/// uncompressed size is unknown without reading it; log text compresses about this much).
pub const GZIP_RATIO: u64 = 8;

/// The column whose filters prune the files of a streamed table.
pub const TIME_COLUMN: &str = "TimeGenerated";

/// How CSV/TSV/JSON tables are served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadMode {
    /// Eager for small inputs without the Azure Monitor export layout, streaming otherwise.
    #[default]
    Auto,
    /// Always into memory (a `MemTable`).
    Eager,
    /// Always streamed from the files at query time (a [`TextTable`]).
    Streaming,
}

/// Options for loading a table.
#[derive(Clone, Debug, Default)]
pub struct SourceOptions {
    /// Skip bad records instead of failing (and count them in [`SourceReport`]).
    pub lenient: bool,
    /// Eager or streaming text tables (Parquet-only tables always stream).
    pub mode: LoadMode,
}

/// A record skipped by a lenient load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRecord {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

/// What loading a table did.
#[derive(Clone, Debug, Default)]
pub struct SourceReport {
    /// The data files read, in order.
    pub files: Vec<PathBuf>,
    /// Rows in the table: loaded (eager tables) or counted while inferring the types (streamed
    /// text tables); `None` for Parquet tables, whose rows are only read at query time.
    pub rows: Option<usize>,
    /// Bad records skipped because of [`SourceOptions::lenient`] (for streamed text tables,
    /// counted over all files while inferring the types; queries skip them again).
    pub skipped_records: usize,
    /// The first few skipped records (at most [`SourceReport::MAX_EXAMPLES`]).
    pub skipped_examples: Vec<SkippedRecord>,
    /// `true` when the table streams from the files at query time (Parquet, large text inputs,
    /// Azure Monitor exports).
    pub streaming: bool,
    /// The size of the data files on disk (all of them were read once to infer text types; a
    /// streamed table's queries may read fewer: see [`TextTable::bytes_scanned`]).
    pub bytes: u64,
}

impl SourceReport {
    pub const MAX_EXAMPLES: usize = 10;

    pub(crate) fn skip(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.skipped_records += 1;
        if self.skipped_examples.len() < Self::MAX_EXAMPLES {
            self.skipped_examples.push(SkippedRecord {
                file: file.to_path_buf(),
                line,
                message: message.into(),
            });
        }
    }
}

/// A loaded table and its load report.
pub struct OpenedTable {
    pub provider: Arc<dyn TableProvider>,
    pub report: SourceReport,
}

impl std::fmt::Debug for OpenedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedTable")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

/// Opens `path` (a file, folder or glob) as a table.
pub fn open_table(path: &str, options: &SourceOptions) -> Result<Arc<dyn TableProvider>> {
    open_table_with_report(path, options).map(|t| t.provider)
}

/// Opens `path` (a file, folder or glob) as a table and reports what was read and skipped.
pub fn open_table_with_report(path: &str, options: &SourceOptions) -> Result<OpenedTable> {
    let files = resolve_files(path)?;
    let mut report = SourceReport {
        files: files.iter().map(|f| f.path.clone()).collect(),
        ..SourceReport::default()
    };
    report.bytes = files.iter().map(|f| f.size).sum();
    if files.iter().all(|f| f.kind == Kind::Parquet && !f.gzip)
        && let Some(provider) = parquet::listing_table(&files)?
    {
        report.streaming = true;
        return Ok(OpenedTable { provider, report });
    }
    let streaming = match options.mode {
        LoadMode::Eager => false,
        LoadMode::Streaming => true,
        LoadMode::Auto => {
            load_weight(&files) > EAGER_MAX_BYTES
                || files.iter().any(|f| hour_range(&f.path).is_some())
        }
    };
    if streaming {
        let table = TextTable::open(files, options, &mut report)?;
        report.streaming = true;
        return Ok(OpenedTable {
            provider: Arc::new(table),
            report,
        });
    }
    let (schema, batches) = load_eager(&files, options, &mut report)?;
    report.rows = Some(batches.iter().map(RecordBatch::num_rows).sum());
    let table = MemTable::try_new(schema, vec![batches])?;
    Ok(OpenedTable {
        provider: Arc::new(table),
        report,
    })
}

/// The estimated in-memory size of `files`: their sizes, gzipped files [`GZIP_RATIO`] times.
pub(crate) fn load_weight(files: &[DataFile]) -> u64 {
    files
        .iter()
        .map(|f| {
            if f.gzip {
                f.size.saturating_mul(GZIP_RATIO)
            } else {
                f.size
            }
        })
        .fold(0, u64::saturating_add)
}

/// The format of a data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Csv,
    Tsv,
    /// `.json`: JSON lines, a top-level array, or `{"records": [...]}`.
    Json,
    /// `.jsonl` / `.ndjson`.
    JsonLines,
    Parquet,
}

/// One data file of a table.
#[derive(Clone, Debug)]
pub(crate) struct DataFile {
    pub path: PathBuf,
    pub kind: Kind,
    pub gzip: bool,
    /// The size on disk, in bytes.
    pub size: u64,
    /// For a part of a large JSON-lines file read as a unit of its own: which part.
    pub segment: Option<Segment>,
    /// For a JSON file whose every line the inference pass parsed in full as one plain object
    /// (see `json_fast::read_checked_line`): the file's state then. Queries read such a file
    /// without validating it again while it keeps this state.
    pub checked: Option<Stamp>,
}

/// A file's length and modification time, to tell whether it changed since it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: std::time::SystemTime,
}

impl Stamp {
    /// The current state of the file at `path` (`None` when it cannot be known).
    pub fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok()?,
        })
    }
}

impl DataFile {
    /// The bytes a read of this file (or of its segment) covers.
    pub fn bytes(&self) -> u64 {
        match self.segment {
            Some(s) => s.end.min(self.size).saturating_sub(s.start),
            None => self.size,
        }
    }
}

/// A byte range of a large JSON-lines file, starting at a line start (see `json::infer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    pub start: u64,
    /// Exclusive; `u64::MAX` for the file's last segment (read to the end of the file).
    pub end: u64,
    /// The number of lines before `start`, for line numbers in messages.
    pub lines_before: usize,
}

/// The range of a file's [`TIME_COLUMN`] values, as known before reading it for a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeSpan {
    /// Not known: the file must always be read.
    Unknown,
    /// The file holds no non-null values (all rows fail any comparison).
    Empty,
    /// All non-null values lie in `[min, max]` (Unix nanoseconds, inclusive).
    Range(i64, i64),
}

impl TimeSpan {
    pub fn observe(&mut self, t: i64) {
        *self = match *self {
            TimeSpan::Unknown => TimeSpan::Unknown,
            TimeSpan::Empty => TimeSpan::Range(t, t),
            TimeSpan::Range(a, b) => TimeSpan::Range(a.min(t), b.max(t)),
        };
    }

    /// The smallest span covering both.
    pub fn union(self, other: TimeSpan) -> TimeSpan {
        match (self, other) {
            (TimeSpan::Unknown, _) | (_, TimeSpan::Unknown) => TimeSpan::Unknown,
            (TimeSpan::Empty, x) | (x, TimeSpan::Empty) => x,
            (TimeSpan::Range(a, b), TimeSpan::Range(c, d)) => TimeSpan::Range(a.min(c), b.max(d)),
        }
    }
}

/// What inferring one text file found.
pub(crate) struct FileInference {
    pub columns: ColumnSet,
    /// `true` when only a sample of the rows was read.
    pub truncated: bool,
    /// The rows read (not counting skipped bad records).
    pub rows: usize,
    /// The range of the [`TIME_COLUMN`] values read (meaningful when not `truncated`).
    pub time: TimeSpan,
    /// A large JSON-lines file's segments, each with the range of its time values (empty when
    /// the file is read as a whole).
    pub segments: Vec<(Segment, TimeSpan)>,
    /// See [`DataFile::checked`].
    pub checked: Option<Stamp>,
}

/// The format of `path` from its extension (`.csv`, `.tsv`, `.json`, `.jsonl`, `.ndjson`,
/// `.parquet`, each optionally followed by `.gz`), case-insensitively.
pub(crate) fn detect_format(path: &Path) -> Option<(Kind, bool)> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (name, gzip) = match name.strip_suffix(".gz") {
        Some(n) => (n, true),
        None => (name.as_str(), false),
    };
    let ext = name.rsplit_once('.')?.1;
    let kind = match ext {
        "csv" => Kind::Csv,
        "tsv" => Kind::Tsv,
        "json" => Kind::Json,
        "jsonl" | "ndjson" => Kind::JsonLines,
        "parquet" => Kind::Parquet,
        _ => return None,
    };
    Some((kind, gzip))
}

const SUPPORTED: &str = ".csv, .tsv, .json, .jsonl, .ndjson or .parquet (optionally .gz)";

fn io_error(path: &Path, e: impl std::fmt::Display) -> KqlError {
    KqlError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The data files `path` names: the file itself, the supported files under a folder
/// (recursively, skipping hidden entries), or the files a glob matches; sorted by path.
pub(crate) fn resolve_files(path: &str) -> Result<Vec<DataFile>> {
    let p = Path::new(path);
    let mut found: Vec<PathBuf> = Vec::new();
    let explicit;
    if p.is_dir() {
        explicit = false;
        walk_dir(p, &mut found)?;
    } else if p.exists() {
        explicit = true;
        found.push(p.to_path_buf());
    } else if path.contains(['*', '?', '[']) {
        explicit = false;
        let entries =
            glob::glob(path).map_err(|e| io_error(p, format!("invalid glob pattern: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(e.path(), e.error()))?;
            if entry.is_dir() {
                walk_dir(&entry, &mut found)?;
            } else if detect_format(&entry).is_some() {
                found.push(entry);
            }
        }
        if found.is_empty() {
            return Err(io_error(
                p,
                format!("no {SUPPORTED} files match the pattern"),
            ));
        }
    } else {
        // Let the OS say why (missing, permission denied, ...).
        return Err(match std::fs::metadata(p) {
            Err(e) => io_error(p, e),
            Ok(_) => io_error(p, "not a file or folder"),
        });
    }
    found.sort();
    found.dedup();
    let mut files = Vec::with_capacity(found.len());
    for f in found {
        match detect_format(&f) {
            Some((kind, gzip)) => files.push(DataFile {
                size: std::fs::metadata(&f).map_err(|e| io_error(&f, e))?.len(),
                path: f,
                kind,
                gzip,
                segment: None,
                checked: None,
            }),
            None if explicit => {
                return Err(KqlError::data(
                    f,
                    None,
                    format!("unsupported file type; expected {SUPPORTED}"),
                ));
            }
            None => {}
        }
    }
    if files.is_empty() {
        return Err(io_error(p, format!("no {SUPPORTED} files in the folder")));
    }
    Ok(files)
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let ft = entry.file_type().map_err(|e| io_error(&path, e))?;
        if ft.is_dir() || (ft.is_symlink() && path.is_dir()) {
            walk_dir(&path, out)?;
        } else if detect_format(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

/// Opens a data file for buffered reading: gunzipped if needed, a UTF-8 BOM skipped.
pub(crate) fn open_reader(file: &DataFile) -> Result<Box<dyn BufRead>> {
    let f = File::open(&file.path).map_err(|e| io_error(&file.path, e))?;
    let mut inner: Box<dyn Read> = if file.gzip {
        Box::new(MultiGzDecoder::new(BufReader::new(f)))
    } else {
        Box::new(f)
    };
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < 3 {
        match inner.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(&file.path, None, &e)),
        }
    }
    let prefix = if n == 3 && head == [0xEF, 0xBB, 0xBF] {
        Vec::new()
    } else {
        head.get(..n).map(<[u8]>::to_vec).unwrap_or_default()
    };
    Ok(Box::new(BufReader::with_capacity(
        1 << 16,
        Cursor::new(prefix).chain(inner),
    )))
}

/// An I/O error while reading a data file (corrupt gzip data, invalid UTF-8, a vanished file).
pub(crate) fn read_error(path: &Path, line: Option<usize>, e: &std::io::Error) -> KqlError {
    KqlError::data(path, line, format!("read error: {e}"))
}

/// Loads text (and, when mixed with text, Parquet) files into memory with one unified schema.
fn load_eager(
    files: &[DataFile],
    options: &SourceOptions,
    report: &mut SourceReport,
) -> Result<(datafusion::arrow::datatypes::SchemaRef, Vec<RecordBatch>)> {
    let mut sample = Some(csv::SAMPLE_ROWS);
    loop {
        let mut columns = ColumnSet::default();
        let mut sampled = false;
        for f in files {
            let (set, truncated) = match f.kind {
                Kind::Csv | Kind::Tsv => {
                    let i = csv::infer(f, options, sample, None)?;
                    (i.columns, i.truncated)
                }
                Kind::Json | Kind::JsonLines => (json::infer(f, options, None)?.columns, false),
                Kind::Parquet => (parquet::infer(f)?, false),
            };
            sampled |= truncated;
            columns.merge(&set);
        }
        let schema = columns.schema();
        let types = columns.types();
        let mut attempt = report.clone();
        let mut batches = Vec::new();
        let mut mismatch = None;
        for f in files {
            let mut builder = BatchBuilder::new(schema.clone(), &types);
            let mut emit = |b: RecordBatch| -> Result<()> {
                batches.push(b);
                Ok(())
            };
            let result = match f.kind {
                Kind::Csv | Kind::Tsv => csv::read(
                    f,
                    options,
                    &columns,
                    &mut builder,
                    Some(&mut attempt),
                    &mut emit,
                ),
                Kind::Json | Kind::JsonLines => json::read(
                    f,
                    options,
                    &columns,
                    &mut builder,
                    Some(&mut attempt),
                    &mut emit,
                )
                .map_err(csv::ReadFailure::Fatal),
                Kind::Parquet => {
                    parquet::read_each(f, &schema, &mut emit).map_err(csv::ReadFailure::Fatal)
                }
            };
            match result {
                Ok(()) => batches.extend(builder.finish()?),
                Err(csv::ReadFailure::Fatal(e)) => return Err(e),
                Err(csv::ReadFailure::Mismatch(e)) => {
                    mismatch = Some(e);
                    break;
                }
            }
        }
        match mismatch {
            None => {
                *report = attempt;
                return Ok((schema, batches));
            }
            // A value later in a CSV file does not fit the type inferred from the first rows:
            // infer again over all rows.
            Some(_) if sampled => sample = None,
            Some(e) => return Err(e),
        }
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    /// A fresh, empty temporary folder for one test.
    pub fn temp_dir(tag: &str) -> std::io::Result<PathBuf> {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("kql-sources-{}-{tag}-{n}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// Writes `batch` as a Parquet file, in row groups of at most `group_rows` rows when given.
    pub fn write_parquet(
        path: &std::path::Path,
        batch: &datafusion::arrow::record_batch::RecordBatch,
        group_rows: Option<usize>,
    ) -> datafusion::parquet::errors::Result<()> {
        let props = group_rows.map(|n| {
            datafusion::parquet::file::properties::WriterProperties::builder()
                .set_max_row_group_row_count(Some(n))
                .build()
        });
        let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(path)?,
            batch.schema(),
            props,
        )?;
        w.write(batch)?;
        w.close()?;
        Ok(())
    }

    pub fn write_gz(path: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(path)?,
            flate2::Compression::fast(),
        );
        enc.write_all(data)?;
        enc.finish()?;
        Ok(())
    }
}

#[cfg(test)]
mod segment_tests;
#[cfg(test)]
mod tests;
