//! Running a query's physical plan with two safety nets for damaged Parquet files, which
//! DataFusion reads itself (a table of plain `.parquet` files is a `ParquetTable` over
//! DataFusion `ListingTable`s):
//!
//! - a panic inside the `parquet` or DataFusion crates (a damaged data page: "Decoder for dict
//!   should have been set") becomes an error instead of ending the process;
//! - a Parquet decoding error, which does not say which file it came from ("Required field
//!   num_values is missing"), names the file: the query's only Parquet file, or the first of
//!   its files that fails a full re-read ([`crate::sources::diagnose_parquet`]).
//!
//! (Fuzz findings: engine/fuzz/regressions/read_parquet/.)

use crate::error::{KqlError, Result};
use crate::sources::parquet_table::ParquetTable;
use crate::sources::{diagnose_parquet, panic_message};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::default_table_source::DefaultTableSource;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::{
    ExecutionPlan, RecordBatchStream, SendableRecordBatchStream, execute_stream,
};
use futures::{FutureExt, Stream, StreamExt};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::task::JoinError;

/// Plans and starts `df` (as `DataFrame::execute_stream` does), with the safety nets.
pub(crate) async fn execute(df: DataFrame) -> Result<SendableRecordBatchStream> {
    let files = parquet_files(df.logical_plan());
    let started = AssertUnwindSafe(async move {
        let (plan, task_ctx) = physical_plan(df).await?;
        execute_stream(plan, task_ctx)
    })
    .catch_unwind()
    .await;
    match started {
        Ok(Ok(stream)) => Ok(Box::pin(Guarded {
            schema: stream.schema(),
            inner: Some(stream),
            files,
        })),
        Ok(Err(e)) => Err(name_file(e, &files).into()),
        Err(panic) => Err(panic_error(&panic_message(panic.as_ref()), &files).into()),
    }
}

/// The physical plan of `df` (partitioned as [`crate::partitions::for_plan`] chooses), and
/// the task context to run it in.
pub(crate) async fn physical_plan(
    df: DataFrame,
) -> datafusion::error::Result<(Arc<dyn ExecutionPlan>, Arc<TaskContext>)> {
    let (state, plan) = df.into_parts();
    let optimized = state.optimize(&plan)?;
    let state = crate::partitions::for_plan(state, &optimized);
    let physical = state
        .query_planner()
        .create_physical_plan(&optimized, &state)
        .await?;
    Ok((physical, Arc::new(TaskContext::from(&state))))
}

/// [`execute`], collecting every batch.
pub(crate) async fn collect(df: DataFrame) -> Result<Vec<RecordBatch>> {
    let stream = execute(df).await?;
    Ok(datafusion::physical_plan::common::collect(stream).await?)
}

/// The files of the plain-Parquet tables (DataFusion listing tables) that `plan` scans.
fn parquet_files(plan: &LogicalPlan) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && let Some(source) = scan.source.as_ref().downcast_ref::<DefaultTableSource>()
            && let Some(table) = source
                .table_provider
                .as_ref()
                .downcast_ref::<ParquetTable>()
        {
            for url in table.table_paths() {
                if let Ok(path) = url.get_url().to_file_path()
                    && !files.contains(&path)
                {
                    files.push(path);
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    files
}

/// The task that panicked, when `e` reports one (DataFusion's repartitioning passes a task's
/// panic on as an error wrapping the `JoinError`).
fn panicked_task(e: &DataFusionError) -> Option<&JoinError> {
    let join = match e.find_root() {
        DataFusionError::ExecutionJoin(j) => Some(j.as_ref()),
        DataFusionError::External(x) => x
            .downcast_ref::<Arc<JoinError>>()
            .map(|j| j.as_ref())
            .or_else(|| x.downcast_ref::<JoinError>()),
        _ => None,
    };
    join.filter(|j| j.is_panic())
}

/// Whether `e` is an error from decoding Parquet data.
fn is_parquet_error(e: &DataFusionError) -> bool {
    match e.find_root() {
        DataFusionError::ParquetError(_) => true,
        DataFusionError::ArrowError(a, _) => {
            matches!(
                a.as_ref(),
                datafusion::arrow::error::ArrowError::ParquetError(_)
            )
        }
        DataFusionError::External(x) => x
            .downcast_ref::<datafusion::parquet::errors::ParquetError>()
            .is_some(),
        _ => false,
    }
}

/// The error of the first of `files` that does not read cleanly.
fn damaged(files: &[PathBuf]) -> Option<KqlError> {
    files.iter().find_map(|f| diagnose_parquet(f))
}

/// `e`, naming the damaged file when it is a Parquet decoding error (the query's only Parquet
/// file, else the first that fails a re-read); a panic in one of DataFusion's tasks (which
/// DataFusion may report as an error) like [`panic_error`].
fn name_file(e: DataFusionError, files: &[PathBuf]) -> DataFusionError {
    if let Some(join) = panicked_task(&e) {
        // "task 7 panicked with message \"…\"": keep the message
        let text = join.to_string();
        let message = text
            .split_once(" with message ")
            .map_or(text.as_str(), |(_, m)| m.trim_matches('"'));
        return panic_error(message, files);
    }
    if !is_parquet_error(&e) {
        return e;
    }
    let found = match files {
        [one] => KqlError::data(
            one,
            None,
            format!("invalid Parquet file: {}", e.find_root()),
        ),
        many => match damaged(many) {
            Some(found) => found,
            None => return e,
        },
    };
    DataFusionError::External(Box::new(found))
}

/// A panic while planning or running the query, as an error: the error of a damaged Parquet
/// file among the query's files if one fails a re-read, else an internal error (a bug).
fn panic_error(message: &str, files: &[PathBuf]) -> DataFusionError {
    match damaged(files) {
        Some(found) => DataFusionError::External(Box::new(found)),
        None => DataFusionError::Internal(format!("the query failed with a panic: {message}")),
    }
}

/// A query's batches, with panics and Parquet errors turned into errors naming the file.
struct Guarded {
    schema: SchemaRef,
    /// `None` once the stream failed.
    inner: Option<SendableRecordBatchStream>,
    files: Vec<PathBuf>,
}

impl Stream for Guarded {
    type Item = datafusion::error::Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll_next_unpin(cx)));
        match polled {
            Ok(Poll::Ready(Some(Err(e)))) => {
                this.inner = None;
                Poll::Ready(Some(Err(name_file(e, &this.files))))
            }
            Ok(other) => other,
            Err(panic) => {
                this.inner = None;
                Poll::Ready(Some(Err(panic_error(
                    &panic_message(panic.as_ref()),
                    &this.files,
                ))))
            }
        }
    }
}

impl RecordBatchStream for Guarded {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
