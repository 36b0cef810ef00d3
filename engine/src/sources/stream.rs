//! Streamed CSV/TSV/JSON tables: [`TextTable`], a DataFusion `TableProvider` that reads the
//! files at query time, so memory stays bounded whatever the input size.
//!
//! **Opening** (pass 1) infers the column types over *every* row of every file — JSON always
//! did; CSV/TSV, which an eager load infers over a sample of [`super::csv::SAMPLE_ROWS`] rows,
//! are inferred over all rows too. So a streamed read never meets a value that does not fit its
//! column's type: with sampling, such a value could only become an error in the middle of a
//! query, after some rows were already returned. It costs one extra parse of CSV inputs.
//! Pass 1 also sees every bad record, so invalid JSON lines and ragged CSV rows are errors when
//! the table is opened (as for eager tables), and with [`SourceOptions::lenient`] the skipped
//! records are counted in the [`SourceReport`] there; the query-time read skips them again
//! without counting. It also records each file's row count and the range of its
//! [`TIME_COLUMN`] values. A JSON file whose every line pass 1 parsed as one plain object
//! (no `records` wrapper, no repeated key) is not validated again while its length and
//! modification time stay as they were: pass 2 steps over the members it does not read and
//! stops after the last one it needs (`json_fast::read_checked_line`).
//!
//! **Querying** (pass 2): `scan` keeps the files whose time range can match the filters on
//! `TimeGenerated` (see below), splits them into at most `target_partitions` partitions of
//! consecutive files (one partition when the input is small, so small tables keep the file
//! order of eager tables), and serves each partition through a `StreamingTableExec`. A
//! partition reads its files in order on a blocking thread (`tokio::task::spawn_blocking`),
//! building batches of [`super::columns::BATCH_ROWS`] rows of only the projected columns, and
//! sends them through a bounded channel of [`CHANNEL_BATCHES`] batches: at most
//! `target_partitions × (CHANNEL_BATCHES + 2)` batches are in memory at once. (Not one
//! partition per file: an hourly export holds 8,760 files per year, and DataFusion polls all
//! partitions of a scan at once, so each would hold a reader, a thread and its buffered
//! batches.) The units split are files, or the 64 MB segments of a JSON-lines file of 128 MB
//! or more (`json::infer`), which scans therefore read in parallel. Row order within a unit,
//! and across the units of a partition, is kept (so a large JSON-lines file read by several
//! partitions comes out in segment runs, not in file order). A file that
//! became unreadable or invalid after opening is a DataFusion execution error wrapping a
//! [`KqlError::Data`], displayed as `path:line: message`. Dropping the stream (e.g. `take 10`)
//! stops the readers.
//!
//! **Pruning**: a file under the Azure Monitor export layout `…/y=YYYY/m=MM/d=DD/h=HH/…`
//! ([`hour_range`]) gets the time range `[hour, hour + 1h)`, widened to cover any of its
//! `TimeGenerated` values seen in pass 1 outside that hour (the export folder is not
//! guaranteed to match `TimeGenerated`, e.g. for late-arriving records, so pruning never relies
//! on it alone). Files outside the layout get the range of the values seen in pass 1; Parquet
//! files inside a text table get none (always read). Comparisons of the `TimeGenerated` column
//! with timestamp literals (`<`, `<=`, `>`, `>=`, `==`, and `between`, which DataFusion may
//! also split into two comparisons) are accepted as `Inexact` filters: `scan` skips the files
//! whose range cannot satisfy them all, and DataFusion still applies the filters to the rows
//! read, so results are exact. [`TextTable::bytes_scanned`] tells how much was read.

use super::columns::BatchBuilder;
use super::infer::days_from_civil;
use super::unify::ColumnSet;
use super::{
    DataFile, EAGER_MAX_BYTES, Kind, SourceOptions, SourceReport, TIME_COLUMN, TimeSpan, csv, json,
    load_weight, parquet,
};
use crate::error::{KqlError, Result};
use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{DataFusionError, ScalarValue};
use datafusion::datasource::TableType;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_expr::LexOrdering;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::{PartitionStream, StreamingTableExec};
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream};
use kql_functions::types::{KqlType, datetime_type};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Batches buffered per partition between its reader thread and the query.
pub const CHANNEL_BATCHES: usize = 2;

const HOUR_NANOS: i64 = 3_600_000_000_000;

type BatchResult = datafusion::error::Result<RecordBatch>;

/// What the partitions of a table share.
#[derive(Debug)]
struct Shared {
    schema: SchemaRef,
    columns: ColumnSet,
    types: Vec<KqlType>,
    options: SourceOptions,
    bytes_scanned: AtomicU64,
    files_scanned: AtomicU64,
}

/// A CSV/TSV/JSON table streamed from its files at query time (see the module docs).
#[derive(Debug)]
pub struct TextTable {
    shared: Arc<Shared>,
    /// The files in path order, each with the range of its `TimeGenerated` values.
    pub(super) files: Vec<(DataFile, TimeSpan)>,
    /// Read all files in one partition (small inputs keep the order of eager tables).
    single_partition: bool,
    /// `TimeGenerated` exists and is a datetime column: its filters can prune files.
    prunable: bool,
}

impl TextTable {
    /// Infers the table's columns over all rows of `files` (pass 1), counting skipped records
    /// and rows in `report`.
    pub(crate) fn open(
        files: Vec<DataFile>,
        options: &SourceOptions,
        report: &mut SourceReport,
    ) -> Result<TextTable> {
        let mut columns = ColumnSet::default();
        // The units scans read: whole files, or the segments of large JSON-lines files.
        let mut units: Vec<(DataFile, TimeSpan)> = Vec::with_capacity(files.len());
        let mut rows = Some(0usize);
        for f in &files {
            let (set, span, n, segments, checked) = match f.kind {
                Kind::Csv | Kind::Tsv => {
                    let i = csv::infer(f, options, None, Some(report))?;
                    (i.columns, i.time, Some(i.rows), i.segments, i.checked)
                }
                Kind::Json | Kind::JsonLines => {
                    let i = json::infer(f, options, Some(report))?;
                    (i.columns, i.time, Some(i.rows), i.segments, i.checked)
                }
                Kind::Parquet => (
                    parquet::infer(f)?,
                    TimeSpan::Unknown,
                    None,
                    Vec::new(),
                    None,
                ),
            };
            let mut f = f.clone();
            f.checked = checked;
            columns.merge(&set);
            let hour = |span: TimeSpan| match hour_range(&f.path) {
                Some((start, end)) => span.union(TimeSpan::Range(start, end - 1)),
                None => span,
            };
            if segments.is_empty() {
                units.push((f.clone(), hour(span)));
            } else {
                for (segment, span) in segments {
                    let mut part = f.clone();
                    part.segment = Some(segment);
                    units.push((part, hour(span)));
                }
            }
            rows = rows.zip(n).map(|(a, b)| a + b);
        }
        report.rows = rows;
        let schema = columns.schema();
        let prunable = schema
            .field_with_name(TIME_COLUMN)
            .is_ok_and(|f| f.data_type() == &datetime_type());
        let single_partition = load_weight(&files) <= EAGER_MAX_BYTES;
        Ok(TextTable {
            shared: Arc::new(Shared {
                types: columns.types(),
                schema,
                columns,
                options: options.clone(),
                bytes_scanned: AtomicU64::new(0),
                files_scanned: AtomicU64::new(0),
            }),
            files: units,
            single_partition,
            prunable,
        })
    }

    /// The total size on disk of the files read by this table's queries so far (each file is
    /// counted once per query that opens it; pruned files are not counted).
    pub fn bytes_scanned(&self) -> u64 {
        self.shared.bytes_scanned.load(Ordering::Relaxed)
    }

    /// The number of files read by this table's queries so far (once per query, also when a
    /// large JSON-lines file is read in segments).
    pub fn files_scanned(&self) -> u64 {
        self.shared.files_scanned.load(Ordering::Relaxed)
    }

    /// The number of files of the table.
    pub fn file_count(&self) -> usize {
        self.files
            .iter()
            .filter(|(f, _)| f.segment.is_none_or(|s| s.start == 0))
            .count()
    }

    /// The files a scan with `filters` reads, in path order.
    fn select(&self, filters: &[Expr]) -> Vec<DataFile> {
        let mut bounds: Option<Bounds> = None;
        if self.prunable {
            for b in filters.iter().filter_map(time_bounds) {
                bounds = Some(bounds.map_or(b, |a| a.intersect(b)));
            }
        }
        self.files
            .iter()
            .filter(|(_, span)| bounds.is_none_or(|b| b.may_match(*span)))
            .map(|(f, _)| f.clone())
            .collect()
    }
}

#[async_trait]
impl TableProvider for TextTable {
    fn schema(&self) -> SchemaRef {
        self.shared.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| {
                if self.prunable && time_bounds(f).is_some() {
                    TableProviderFilterPushDown::Inexact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let schema = match projection {
            Some(p) => Arc::new(self.shared.schema.project(p)?),
            None => self.shared.schema.clone(),
        };
        let selected = self.select(filters);
        if selected.is_empty() {
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        let n = if self.single_partition {
            1
        } else {
            selected
                .len()
                .min(state.config().target_partitions().max(1))
        };
        let opened = Arc::new(Mutex::new(HashSet::new()));
        let partitions: Vec<Arc<dyn PartitionStream>> = split(selected, n)
            .into_iter()
            .map(|files| {
                Arc::new(FilePartition {
                    shared: self.shared.clone(),
                    opened: opened.clone(),
                    files,
                    projection: projection.cloned(),
                    schema: schema.clone(),
                }) as Arc<dyn PartitionStream>
            })
            .collect();
        let exec = StreamingTableExec::try_new(
            schema,
            partitions,
            None,
            Vec::<LexOrdering>::new(),
            false,
            limit,
        )?;
        Ok(Arc::new(exec))
    }
}

/// Splits `files` (files or segments) into at most `n` runs of consecutive units of about equal
/// size.
fn split(files: Vec<DataFile>, n: usize) -> Vec<Vec<DataFile>> {
    let total: u128 = files
        .iter()
        .map(|f| u128::from(f.bytes()))
        .sum::<u128>()
        .max(1);
    let n = n.max(1) as u128;
    let mut out: Vec<Vec<DataFile>> = vec![Vec::new()];
    let mut done: u128 = 0;
    for f in files {
        let k = out.len() as u128;
        if k < n
            && done * n >= total * k
            && let Some(last) = out.last()
            && !last.is_empty()
        {
            out.push(Vec::new());
        }
        done += u128::from(f.bytes());
        if let Some(last) = out.last_mut() {
            last.push(f);
        }
    }
    out
}

/// One partition: consecutive files read in order on a blocking thread.
#[derive(Debug)]
struct FilePartition {
    shared: Arc<Shared>,
    /// The files the partitions of this scan opened so far (for [`TextTable::files_scanned`]).
    opened: Arc<Mutex<HashSet<PathBuf>>>,
    files: Vec<DataFile>,
    projection: Option<Vec<usize>>,
    /// The projected schema.
    schema: SchemaRef,
}

impl PartitionStream for FilePartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let (tx, rx) = mpsc::channel::<BatchResult>(CHANNEL_BATCHES);
        let job = match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let shared = self.shared.clone();
                let opened = self.opened.clone();
                let files = self.files.clone();
                let projection = self.projection.clone();
                Some(handle.spawn_blocking(move || {
                    read_partition(&shared, &opened, &files, projection.as_deref(), &tx);
                }))
            }
            Err(e) => {
                let _ = tx.try_send(Err(DataFusionError::Execution(format!(
                    "cannot read the files outside a Tokio runtime: {e}"
                ))));
                None
            }
        };
        let stream = futures::stream::unfold((rx, job), |(mut rx, job)| async move {
            if let Some(item) = rx.recv().await {
                return Some((item, (rx, job)));
            }
            // The reader finished or died: report a died reader rather than end quietly.
            match job?.await {
                Ok(()) => None,
                Err(e) => Some((
                    Err(DataFusionError::Execution(format!(
                        "file reader failed: {e}"
                    ))),
                    (rx, None),
                )),
            }
        });
        Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), stream))
    }
}

/// Reads `files` into batches sent through `tx`; a failure is sent as the last item (unless
/// the query stopped listening).
fn read_partition(
    shared: &Shared,
    opened: &Mutex<HashSet<PathBuf>>,
    files: &[DataFile],
    projection: Option<&[usize]>,
    tx: &mpsc::Sender<BatchResult>,
) {
    if let Err(e) = read_files(shared, opened, files, projection, tx)
        && !tx.is_closed()
    {
        let e = match e {
            KqlError::Engine(e) => e,
            other => DataFusionError::External(Box::new(other)),
        };
        let _ = tx.blocking_send(Err(e));
    }
}

fn read_files(
    shared: &Shared,
    opened: &Mutex<HashSet<PathBuf>>,
    files: &[DataFile],
    projection: Option<&[usize]>,
    tx: &mpsc::Sender<BatchResult>,
) -> Result<()> {
    let mut builder = BatchBuilder::projected(&shared.schema, &shared.types, projection)?;
    let mut emit = |b: RecordBatch| -> Result<()> {
        tx.blocking_send(Ok(b)).map_err(|_| KqlError::Unsupported {
            what: "reading on after the query stopped".into(),
        })
    };
    let options = &shared.options;
    for f in files {
        // A file read in segments (possibly by several partitions) counts once per scan.
        if opened
            .lock()
            .is_ok_and(|mut seen| seen.insert(f.path.clone()))
        {
            shared.files_scanned.fetch_add(1, Ordering::Relaxed);
        }
        shared.bytes_scanned.fetch_add(f.bytes(), Ordering::Relaxed);
        match f.kind {
            Kind::Csv | Kind::Tsv => {
                csv::read(f, options, &shared.columns, &mut builder, None, &mut emit).map_err(
                    |e| match e {
                        csv::ReadFailure::Mismatch(e) | csv::ReadFailure::Fatal(e) => e,
                    },
                )?;
            }
            Kind::Json | Kind::JsonLines => {
                json::read(f, options, &shared.columns, &mut builder, None, &mut emit)?;
            }
            Kind::Parquet => {
                // Keep the row order: rows built so far go first.
                builder.flush()?;
                for b in builder.take_batches() {
                    emit(b)?;
                }
                parquet::read_each(f, &shared.schema, &mut |b| {
                    emit(match projection {
                        Some(p) => b.project(p)?,
                        None => b,
                    })
                })?;
            }
        }
    }
    builder.flush()?;
    for b in builder.take_batches() {
        emit(b)?;
    }
    Ok(())
}

/// The hour `[start, end)` (Unix nanoseconds) of a file under the Azure Monitor export layout:
/// its path has consecutive folders `y=YYYY`, `m=MM`, `d=DD`, `h=HH`.
pub fn hour_range(path: &Path) -> Option<(i64, i64)> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    parts.windows(4).rev().find_map(|w| {
        let num = |s: &str, key: &str, digits: usize| {
            s.strip_prefix(key)
                .filter(|d| d.len() == digits && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<i64>().ok())
        };
        let y = num(w.first()?, "y=", 4)?;
        let m = num(w.get(1)?, "m=", 2)?;
        let d = num(w.get(2)?, "d=", 2)?;
        let h = num(w.get(3)?, "h=", 2)?;
        if h > 23 {
            return None;
        }
        let start = days_from_civil(y, m, d)?
            .checked_mul(24)?
            .checked_add(h)?
            .checked_mul(HOUR_NANOS)?;
        Some((start, start.checked_add(HOUR_NANOS)?))
    })
}

/// Inclusive bounds on `TimeGenerated` (Unix nanoseconds) implied by filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bounds {
    lo: i64,
    hi: i64,
}

impl Bounds {
    fn intersect(self, other: Bounds) -> Bounds {
        Bounds {
            lo: self.lo.max(other.lo),
            hi: self.hi.min(other.hi),
        }
    }

    /// Whether a file whose values lie in `span` can hold a row within the bounds (the
    /// filters are comparisons, which null values never satisfy).
    fn may_match(self, span: TimeSpan) -> bool {
        match span {
            TimeSpan::Unknown => true,
            TimeSpan::Empty => false,
            TimeSpan::Range(min, max) => self.lo <= self.hi && min <= self.hi && max >= self.lo,
        }
    }
}

fn is_time_column(e: &Expr) -> bool {
    matches!(e, Expr::Column(c) if c.name == TIME_COLUMN)
}

/// A timestamp literal in Unix nanoseconds.
fn timestamp_nanos(e: &Expr) -> Option<i64> {
    let Expr::Literal(v, _) = e else {
        return None;
    };
    match v {
        ScalarValue::TimestampNanosecond(Some(n), _) => Some(*n),
        ScalarValue::TimestampMicrosecond(Some(n), _) => n.checked_mul(1_000),
        ScalarValue::TimestampMillisecond(Some(n), _) => n.checked_mul(1_000_000),
        ScalarValue::TimestampSecond(Some(n), _) => n.checked_mul(1_000_000_000),
        _ => None,
    }
}

/// The bounds a filter puts on `TimeGenerated`, when it is a comparison of that column with a
/// timestamp literal (or a `between` of two).
fn time_bounds(e: &Expr) -> Option<Bounds> {
    let all = Bounds {
        lo: i64::MIN,
        hi: i64::MAX,
    };
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (op, v) = if is_time_column(left) {
                (*op, timestamp_nanos(right)?)
            } else if is_time_column(right) {
                (op.swap()?, timestamp_nanos(left)?)
            } else {
                return None;
            };
            match op {
                Operator::Gt => Some(Bounds {
                    lo: v.checked_add(1)?,
                    ..all
                }),
                Operator::GtEq => Some(Bounds { lo: v, ..all }),
                Operator::Lt => Some(Bounds {
                    hi: v.checked_sub(1)?,
                    ..all
                }),
                Operator::LtEq => Some(Bounds { hi: v, ..all }),
                Operator::Eq => Some(Bounds { lo: v, hi: v }),
                _ => None,
            }
        }
        Expr::Between(Between {
            expr,
            negated: false,
            low,
            high,
        }) if is_time_column(expr) => Some(Bounds {
            lo: timestamp_nanos(low)?,
            hi: timestamp_nanos(high)?,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::parse_datetime;
    use datafusion::prelude::{ident, lit};

    fn ts(s: &str) -> Result<i64, String> {
        parse_datetime(s).ok_or_else(|| format!("bad datetime {s}"))
    }

    #[test]
    fn hour_ranges_from_export_paths() -> Result<(), String> {
        let p = Path::new("/x/WorkspaceResourceId=/a/y=2024/m=02/d=29/h=23/m=00/PT1H.json");
        let start = ts("2024-02-29T23:00:00Z")?;
        assert_eq!(hour_range(p), Some((start, start + HOUR_NANOS)));
        for bad in [
            "/x/y=2024/m=02/d=30/h=23/PT1H.json",
            "/x/y=2024/m=02/d=28/h=24/PT1H.json",
            "/x/y=2024/m=2/d=28/h=01/PT1H.json",
            "/x/y=2024/d=28/m=02/h=01/PT1H.json",
            "/x/2024/02/28/01/PT1H.json",
        ] {
            assert_eq!(hour_range(Path::new(bad)), None, "{bad}");
        }
        Ok(())
    }

    #[test]
    fn filters_give_time_bounds() -> Result<(), String> {
        let t = ts("2024-01-01T05:00:00Z")?;
        let v = || {
            lit(ScalarValue::TimestampNanosecond(
                Some(t),
                Some("UTC".into()),
            ))
        };
        let c = || ident(TIME_COLUMN);
        let b = |e: Expr| time_bounds(&e).map(|b| (b.lo, b.hi));
        assert_eq!(b(c().gt_eq(v())), Some((t, i64::MAX)));
        assert_eq!(b(c().gt(v())), Some((t + 1, i64::MAX)));
        assert_eq!(b(v().gt(c())), Some((i64::MIN, t - 1)));
        assert_eq!(b(c().lt_eq(v())), Some((i64::MIN, t)));
        assert_eq!(b(c().eq(v())), Some((t, t)));
        assert_eq!(b(c().between(v(), v())), Some((t, t)));
        let micros = lit(ScalarValue::TimestampMicrosecond(Some(t / 1000), None));
        assert_eq!(b(c().lt(micros)), Some((i64::MIN, t - 1)));
        assert_eq!(b(c().not_eq(v())), None);
        assert_eq!(b(c().not_between(v(), v())), None);
        assert_eq!(b(ident("Other").gt(v())), None);
        assert_eq!(b(c().gt(lit(5i64))), None);
        let hour = Bounds { lo: t, hi: t + 10 };
        assert!(hour.may_match(TimeSpan::Range(t + 10, t + 20)));
        assert!(!hour.may_match(TimeSpan::Range(t + 11, t + 20)));
        assert!(hour.may_match(TimeSpan::Unknown));
        assert!(!hour.may_match(TimeSpan::Empty));
        Ok(())
    }

    #[test]
    fn files_split_into_consecutive_runs() {
        let f = |i: usize, size: u64| DataFile {
            path: format!("{i}").into(),
            kind: Kind::Json,
            gzip: false,
            size,
            segment: None,
            checked: None,
        };
        let names = |runs: Vec<Vec<DataFile>>| -> Vec<Vec<String>> {
            runs.into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|f| f.path.display().to_string())
                        .collect()
                })
                .collect()
        };
        let files: Vec<DataFile> = (0..5).map(|i| f(i, 10)).collect();
        assert_eq!(
            names(split(files.clone(), 2)),
            [vec!["0", "1", "2"], vec!["3", "4"]]
        );
        assert_eq!(names(split(files.clone(), 1)).len(), 1);
        assert_eq!(names(split(files, 9)).len(), 5);
        let uneven = vec![f(0, 100), f(1, 1), f(2, 1)];
        assert_eq!(names(split(uneven, 2)), [vec!["0"], vec!["1", "2"]]);
    }
}
