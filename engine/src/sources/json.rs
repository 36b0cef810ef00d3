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
use super::json_fast::{self, InferScratch, Outcome, ReadScratch};
use super::unify::ColumnSet;
use super::{
    DataFile, FileInference, Kind, Segment, SourceOptions, SourceReport, Stamp, TIME_COLUMN,
    TimeSpan, open_reader, read_error,
};
use crate::error::{KqlError, Result};
use datafusion::arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

type Record = Map<String, Value>;

/// What a scan does with each record. `fast` sees a line's text first (see `json_fast.rs`);
/// when it returns [`Outcome::Fallback`], the line is parsed into a tree and its records go to
/// `record`.
trait Sink {
    /// Sees a line's bytes before anything else, for a path that needs no UTF-8 check.
    fn fast_bytes(&mut self, _line: &[u8], _line_no: usize) -> Result<Outcome> {
        Ok(Outcome::Fallback)
    }
    fn fast(&mut self, line: &str, line_no: usize) -> Result<Outcome>;
    fn record(&mut self, record: Record, line_no: Option<usize>) -> Result<()>;
    /// A bad line was skipped (`options.lenient`).
    fn skipped(&mut self) {}
}

/// JSON-lines files at least twice this size are split into segments of about this size, which
/// are inferred in parallel and become separate units of a streamed table's scans.
pub const SEGMENT_BYTES: u64 = 64 << 20;

#[cfg(test)]
thread_local! {
    /// A smaller segment size for the unit tests on this thread (`segment_tests.rs`).
    pub static TEST_SEGMENT_BYTES: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

fn segment_bytes() -> u64 {
    #[cfg(test)]
    if let Some(n) = TEST_SEGMENT_BYTES.with(std::cell::Cell::get) {
        return n;
    }
    SEGMENT_BYTES
}

/// Hands each record of `file` (or of its segment) to `sink`, and returns the number of lines
/// read. Invalid JSON is an error naming the file and line; with `options.lenient`, a bad line
/// of a JSON-lines file is skipped instead (and counted in `report` when given). A syntax error
/// inside a multi-line document cannot be skipped and is always an error.
fn scan(
    file: &DataFile,
    options: &SourceOptions,
    mut report: Option<&mut SourceReport>,
    sink: &mut dyn Sink,
) -> Result<usize> {
    let path = &file.path;
    let mut buf: Vec<u8> = Vec::new();
    let (mut reader, mut line_no) = match file.segment {
        Some(seg) => (open_segment(file, seg)?, seg.lines_before),
        None => (open_reader(file)?, 0),
    };
    let first_line = line_no;

    // For `.json`, look at the first non-blank line: a complete value means JSON lines;
    // otherwise the file is one multi-line document (or several).
    let mut first: Option<(Vec<u8>, usize)> = None;
    if file.kind == Kind::Json && file.segment.is_none() {
        if !first_nonblank_line(&mut reader, path, &mut buf, &mut line_no)? {
            return Ok(line_no - first_line);
        }
        let whole_line = is_whole_value(buf.trim_ascii());
        if !whole_line {
            let start_line = line_no;
            let doc = BufReader::new(Cursor::new(std::mem::take(&mut buf)).chain(reader));
            scan_document(file, doc, start_line - 1, sink)?;
            return Ok(0);
        }
        first = Some((std::mem::take(&mut buf), line_no));
    }

    let mut handle_line =
        |bytes: &[u8], line: usize, report: &mut Option<&mut SourceReport>| -> Result<()> {
            let t = bytes.trim_ascii();
            if t.is_empty() || sink.fast_bytes(t, line)? == Outcome::Done {
                return Ok(());
            }
            if let Ok(text) = std::str::from_utf8(t)
                && sink.fast(text, line)? == Outcome::Done
            {
                return Ok(());
            }
            let bad = match serde_json::from_slice::<Value>(t) {
                Ok(v) => match records_of(v) {
                    Ok(records) => {
                        for r in records {
                            sink.record(r, Some(line))?;
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
            sink.skipped();
            if let Some(r) = report.as_deref_mut() {
                r.skip(path, Some(line), bad);
            }
            Ok(())
        };
    if let Some((bytes, line)) = first {
        handle_line(&bytes, line, &mut report)?;
    }
    // Lines are handled where they lie in the reader's buffer; only a line that crosses the
    // buffer's end is copied (into `buf`).
    buf.clear();
    loop {
        let avail = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(path, Some(line_no + 1), &e)),
        };
        if avail.is_empty() {
            if !buf.is_empty() {
                line_no += 1;
                handle_line(&buf, line_no, &mut report)?;
            }
            return Ok(line_no - first_line);
        }
        let mut used = 0;
        while let Some(k) = avail
            .get(used..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        {
            let end = used + k + 1;
            line_no += 1;
            if buf.is_empty() {
                handle_line(&avail[used..end], line_no, &mut report)?;
            } else {
                buf.extend_from_slice(&avail[used..end]);
                handle_line(&buf, line_no, &mut report)?;
                buf.clear();
            }
            used = end;
        }
        buf.extend_from_slice(&avail[used..]);
        let n = avail.len();
        reader.consume(n);
    }
}

/// Opens the byte range `seg` of `file` (never gzipped) for buffered reading, skipping a UTF-8
/// byte order mark at the start of the file.
fn open_segment(file: &DataFile, seg: Segment) -> Result<Box<dyn BufRead>> {
    let path = &file.path;
    let mut f = std::fs::File::open(path).map_err(|e| read_error(path, None, &e))?;
    f.seek(SeekFrom::Start(seg.start))
        .map_err(|e| read_error(path, None, &e))?;
    let mut r = BufReader::with_capacity(1 << 20, f.take(seg.end.saturating_sub(seg.start)));
    if seg.start == 0 {
        let head = r.fill_buf().map_err(|e| read_error(path, Some(1), &e))?;
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            r.consume(3);
        }
    }
    Ok(Box::new(r))
}

/// Reads a (possibly multi-line) JSON document: a sequence of top-level values.
fn scan_document<R: Read>(
    file: &DataFile,
    reader: R,
    line_offset: usize,
    sink: &mut dyn Sink,
) -> Result<()> {
    let stream = serde_json::Deserializer::from_reader(reader).into_iter::<Value>();
    for item in stream {
        match item {
            Ok(v) => {
                let records = records_of(v).map_err(|m| KqlError::data(&file.path, None, m))?;
                for r in records {
                    sink.record(r, None)?;
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

/// Inference: the columns, rows and time range of the records seen.
struct InferSink {
    set: ColumnSet,
    rows: usize,
    time: TimeSpan,
    scratch: InferScratch,
    /// Every line so far was one object a fast path handled.
    plain: bool,
}

impl InferSink {
    /// Counts a row the fast path handled.
    fn counted(&mut self, outcome: Outcome) -> Result<Outcome> {
        if outcome == Outcome::Done {
            self.rows += 1;
        }
        Ok(outcome)
    }
}

impl Sink for InferSink {
    fn fast_bytes(&mut self, line: &[u8], _line_no: usize) -> Result<Outcome> {
        let (set, time, scratch) = (&mut self.set, &mut self.time, &mut self.scratch);
        let outcome = json_fast::infer_plain_line(line, set, TIME_COLUMN, time, scratch);
        self.counted(outcome)
    }

    fn fast(&mut self, line: &str, _line_no: usize) -> Result<Outcome> {
        let (set, time, scratch) = (&mut self.set, &mut self.time, &mut self.scratch);
        let outcome = json_fast::infer_line(line, set, TIME_COLUMN, time, scratch);
        self.counted(outcome)
    }

    fn skipped(&mut self) {
        self.plain = false;
    }

    fn record(&mut self, record: Record, _line_no: Option<usize>) -> Result<()> {
        self.plain = false;
        self.rows += 1;
        for (k, v) in &record {
            let kind = classify_json(v);
            if kind == Inferred::Datetime
                && k == TIME_COLUMN
                && let Value::String(s) = v
                && let Some(t) = parse_datetime(s)
            {
                self.time.observe(t);
            }
            self.set.observe(k, kind);
        }
        Ok(())
    }
}

/// Infers the columns of `file` over all its records, counting the records and the range of
/// the [`TIME_COLUMN`] values; skipped bad lines are counted in `report` when given.
///
/// A large JSON-lines file (at least twice [`SEGMENT_BYTES`], not gzipped) is split into
/// segments at line starts, inferred in parallel and merged in file order: the result, errors
/// and skipped-record examples included, is the same as one pass over the file. The segments,
/// each with the range of its own time values, are returned for the table's scans.
///
/// When every line was one object that a fast path (`json_plain.rs`, `json_fast::infer_line`)
/// handled, the result is
/// [`FileInference::checked`] with the file's state before the pass.
pub fn infer(
    file: &DataFile,
    options: &SourceOptions,
    report: Option<&mut SourceReport>,
) -> Result<FileInference> {
    let stamp = Stamp::of(&file.path);
    if file.segment.is_none()
        && !file.gzip
        && file.size >= 2 * segment_bytes()
        && (file.kind == Kind::JsonLines || is_json_lines(file)?)
    {
        return infer_segmented(file, options, report, stamp);
    }
    infer_range(file, options, report, stamp).map(|(inference, _lines)| inference)
}

/// Infers `file` (or its segment) in one pass; also returns the number of lines read.
fn infer_range(
    file: &DataFile,
    options: &SourceOptions,
    report: Option<&mut SourceReport>,
    stamp: Option<Stamp>,
) -> Result<(FileInference, usize)> {
    let mut sink = InferSink {
        set: ColumnSet::default(),
        rows: 0,
        time: TimeSpan::Empty,
        scratch: InferScratch::default(),
        plain: true,
    };
    let lines = scan(file, options, report, &mut sink)?;
    let inference = FileInference {
        columns: sink.set,
        truncated: false,
        rows: sink.rows,
        time: sink.time,
        segments: Vec::new(),
        checked: stamp.filter(|_| sink.plain),
    };
    Ok((inference, lines))
}

/// Reads lines into `buf` up to the first non-blank one (counting them in `line_no`); `false`
/// at the end of the input.
fn first_nonblank_line(
    reader: &mut dyn BufRead,
    path: &std::path::Path,
    buf: &mut Vec<u8>,
    line_no: &mut usize,
) -> Result<bool> {
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', buf)
            .map_err(|e| read_error(path, Some(*line_no + 1), &e))?;
        if n == 0 {
            return Ok(false);
        }
        *line_no += 1;
        if !buf.trim_ascii().is_empty() {
            return Ok(true);
        }
    }
}

/// Whether `line` is a whole JSON value (or invalid JSON): a `.json` file whose first
/// non-blank line is one holds JSON lines; an unfinished value continues on the next lines
/// (a multi-line document).
fn is_whole_value(line: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(line) {
        Ok(_) => true,
        Err(e) => !e.is_eof(),
    }
}

/// Whether a `.json` file holds JSON lines (the test [`scan`] makes).
fn is_json_lines(file: &DataFile) -> Result<bool> {
    let mut reader = open_reader(file)?;
    let (mut buf, mut line_no) = (Vec::new(), 0usize);
    Ok(
        first_nonblank_line(&mut reader, &file.path, &mut buf, &mut line_no)?
            && is_whole_value(buf.trim_ascii()),
    )
}

/// Splits `file` into byte ranges of about [`SEGMENT_BYTES`], each starting at a line start.
fn segment_ranges(file: &DataFile) -> Result<Vec<(u64, u64)>> {
    let path = &file.path;
    let size = file.size;
    let n = size.div_ceil(segment_bytes()).max(1);
    let mut f = std::fs::File::open(path).map_err(|e| read_error(path, None, &e))?;
    let mut starts = vec![0u64];
    let mut chunk = vec![0u8; 1 << 16];
    for k in 1..n {
        let target = size / n * k;
        if starts.last().is_some_and(|&s| target <= s) {
            continue;
        }
        f.seek(SeekFrom::Start(target))
            .map_err(|e| read_error(path, None, &e))?;
        // The segment starts after the first newline at or after `target`.
        let mut pos = target;
        let start = loop {
            let got = f.read(&mut chunk).map_err(|e| read_error(path, None, &e))?;
            if got == 0 {
                break None;
            }
            if let Some(i) = chunk
                .get(..got)
                .and_then(|c| c.iter().position(|&b| b == b'\n'))
            {
                break Some(pos + i as u64 + 1);
            }
            pos += got as u64;
        };
        match start {
            Some(s) if s < size && starts.last().is_some_and(|&l| s > l) => starts.push(s),
            Some(_) => {}
            None => break,
        }
    }
    // The last segment reads to the end of the file, also when the file grew since.
    let mut ranges = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(u64::MAX);
        ranges.push((s, end));
    }
    Ok(ranges)
}

/// One segment's inference, with line numbers relative to the segment.
type SegmentOutcome = (Result<(FileInference, usize)>, SourceReport);

/// See [`infer`]: the segments are inferred on up to one thread per core.
fn infer_segmented(
    file: &DataFile,
    options: &SourceOptions,
    mut report: Option<&mut SourceReport>,
    stamp: Option<Stamp>,
) -> Result<FileInference> {
    let ranges = segment_ranges(file)?;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(ranges.len())
        .max(1);
    let counting = report.is_some();
    let next = AtomicUsize::new(0);
    // Segments after the first failed one need not be read.
    let first_failure = AtomicUsize::new(usize::MAX);
    let outcomes: Vec<Mutex<Option<SegmentOutcome>>> =
        ranges.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(start, end)) = ranges.get(i) else {
                        break;
                    };
                    if i > first_failure.load(Ordering::Relaxed) {
                        break;
                    }
                    let mut part = file.clone();
                    part.segment = Some(Segment {
                        start,
                        end,
                        lines_before: 0,
                    });
                    let mut local = SourceReport::default();
                    let result = infer_range(&part, options, counting.then_some(&mut local), stamp);
                    if result.is_err() {
                        first_failure.fetch_min(i, Ordering::Relaxed);
                    }
                    if let Some(slot) = outcomes.get(i)
                        && let Ok(mut slot) = slot.lock()
                    {
                        *slot = Some((result, local));
                    }
                }
            });
        }
    });

    let mut merged = FileInference {
        columns: ColumnSet::default(),
        truncated: false,
        rows: 0,
        time: TimeSpan::Empty,
        segments: Vec::with_capacity(ranges.len()),
        checked: stamp,
    };
    let mut lines_before = 0usize;
    for (slot, &(start, end)) in outcomes.into_iter().zip(&ranges) {
        let outcome = slot.into_inner().ok().flatten();
        let Some((result, local)) = outcome else {
            return Err(KqlError::data(
                &file.path,
                None,
                "internal error: a segment of the file was not read",
            ));
        };
        let (inference, lines) = result.map_err(|e| shift_line(e, lines_before))?;
        if let Some(r) = report.as_deref_mut() {
            r.skipped_records += local.skipped_records;
            for mut example in local.skipped_examples {
                if r.skipped_examples.len() < SourceReport::MAX_EXAMPLES {
                    example.line = example.line.map(|l| l + lines_before);
                    r.skipped_examples.push(example);
                }
            }
        }
        merged.columns.merge(&inference.columns);
        if inference.checked.is_none() {
            merged.checked = None;
        }
        merged.rows += inference.rows;
        merged.time = merged.time.union(inference.time);
        merged.segments.push((
            Segment {
                start,
                end,
                lines_before,
            },
            inference.time,
        ));
        lines_before += lines;
    }
    Ok(merged)
}

/// A data error found in a segment read with `lines_before = 0`, with its line made absolute.
fn shift_line(e: KqlError, lines_before: usize) -> KqlError {
    match e {
        KqlError::Data {
            file,
            line,
            message,
        } => KqlError::Data {
            file,
            line: line.map(|l| l + lines_before),
            message,
        },
        other => other,
    }
}

/// Reading: each record becomes one row of `builder`.
struct ReadSink<'a> {
    file: &'a DataFile,
    columns: &'a ColumnSet,
    builder: &'a mut BatchBuilder,
    emit: &'a mut dyn FnMut(RecordBatch) -> Result<()>,
    /// The tree path's values of the projected columns in one record.
    slots: Vec<Option<Value>>,
    scratch: ReadScratch,
    /// The file is as the inference pass checked it (see [`DataFile::checked`]).
    checked: bool,
}

impl ReadSink<'_> {
    /// Ends the row a fast path read, or names the file and line of a value that did not fit.
    fn finish(
        &mut self,
        read: std::result::Result<Outcome, String>,
        line_no: usize,
    ) -> Result<Outcome> {
        match read {
            Ok(Outcome::Done) => {
                self.end_row()?;
                Ok(Outcome::Done)
            }
            Ok(Outcome::Fallback) => Ok(Outcome::Fallback),
            Err(m) => Err(KqlError::data(&self.file.path, Some(line_no), m)),
        }
    }

    fn end_row(&mut self) -> Result<()> {
        self.builder.end_row()?;
        for b in self.builder.take_batches() {
            (self.emit)(b)?;
        }
        Ok(())
    }
}

impl Sink for ReadSink<'_> {
    fn fast_bytes(&mut self, line: &[u8], line_no: usize) -> Result<Outcome> {
        if !self.checked {
            return Ok(Outcome::Fallback);
        }
        let read =
            json_fast::read_checked_line(line, self.columns, self.builder, &mut self.scratch);
        self.finish(read, line_no)
    }

    fn fast(&mut self, line: &str, line_no: usize) -> Result<Outcome> {
        let read = json_fast::read_line(line, self.columns, self.builder, &mut self.scratch);
        self.finish(read, line_no)
    }

    fn record(&mut self, record: Record, line: Option<usize>) -> Result<()> {
        for (k, v) in record {
            if let Some(slot) = self
                .columns
                .position(&k)
                .and_then(|i| self.builder.slot(i))
                .and_then(|j| self.slots.get_mut(j))
            {
                *slot = Some(v);
            }
        }
        for (col, slot) in self
            .builder
            .columns_mut()
            .iter_mut()
            .zip(self.slots.iter_mut())
        {
            match slot.take() {
                Some(v) => col
                    .append_json(&v)
                    .map_err(|m| KqlError::data(&self.file.path, line, m))?,
                None => col.append_missing(),
            }
        }
        self.end_row()
    }
}

/// Reads `file` (or its segment) into `builder` (the table's columns, or a projection of
/// them), handing each completed batch to `emit`. Skipped records are counted in `report` when
/// given.
pub fn read(
    file: &DataFile,
    options: &SourceOptions,
    columns: &ColumnSet,
    builder: &mut BatchBuilder,
    report: Option<&mut SourceReport>,
    emit: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let slots = vec![None; builder.columns_mut().len()];
    let mut sink = ReadSink {
        file,
        columns,
        builder,
        emit,
        slots,
        scratch: ReadScratch::default(),
        checked: file.checked.is_some() && file.checked == Stamp::of(&file.path),
    };
    scan(file, options, report, &mut sink).map(|_| ())
}
