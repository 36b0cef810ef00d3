//! `kql-engine`: run Kusto Query Language scripts over local data with DataFusion.
//!
//! A [`KqlContext`] holds registered tables (files, folders, globs, Arrow batches, any
//! DataFusion `TableProvider`). [`KqlContext::run`] parses a script, binds names and types,
//! plans each query into a DataFusion `LogicalPlan` (never SQL text), executes it and returns
//! one [`QueryResult`] per result-producing statement.
//!
//! # Embedding kql
//!
//! Register data, run a query, read Arrow batches:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use kql_engine::KqlContext;
//! use kql_engine::datafusion::arrow::array::{Float64Array, StringArray};
//! use kql_engine::datafusion::arrow::datatypes::{DataType, Field, Schema};
//! use kql_engine::datafusion::arrow::record_batch::RecordBatch;
//! use std::sync::Arc;
//!
//! let ctx = KqlContext::new();
//! // Arrow batches you already have
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("Computer", DataType::Utf8, false),
//!     Field::new("CounterValue", DataType::Float64, false),
//! ]));
//! let batch = RecordBatch::try_new(
//!     schema.clone(),
//!     vec![
//!         Arc::new(StringArray::from(vec!["web1", "web2", "web1"])),
//!         Arc::new(Float64Array::from(vec![40.0, 95.0, 60.0])),
//!     ],
//! )?;
//! ctx.register_batches("Perf", schema, vec![batch])?;
//! // files, folders and globs: CSV, TSV, JSON lines, Parquet (optionally gzip-compressed)
//! let dir = std::env::temp_dir().join(format!("kql-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let csv = dir.join("heartbeat.csv");
//! std::fs::write(&csv, "Computer,Seen\nweb1,2024-01-01T00:00:00Z\nweb2,2024-01-01T00:05:00Z\n")?;
//! ctx.register_path("Heartbeat", csv.to_str().unwrap())?;
//!
//! let results = ctx
//!     .run("Perf | summarize avg(CounterValue) by Computer | join kind=inner Heartbeat on Computer \
//!           | project Computer, avg_CounterValue, Seen | order by Computer asc")
//!     .await?;
//! let text = kql_engine::datafusion::arrow::util::pretty::pretty_format_batches(&results[0].batches)?;
//! assert_eq!(
//!     text.to_string(),
//!     "+----------+------------------+----------------------+\n\
//!      | Computer | avg_CounterValue | Seen                 |\n\
//!      +----------+------------------+----------------------+\n\
//!      | web1     | 50.0             | 2024-01-01T00:00:00Z |\n\
//!      | web2     | 95.0             | 2024-01-01T00:05:00Z |\n\
//!      +----------+------------------+----------------------+"
//! );
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! Any DataFusion `TableProvider` registers with [`KqlContext::register_table`]; an existing
//! DataFusion `SessionContext` (its tables, UDFs and object stores) becomes queryable with
//! [`KqlContext::from_session`]; [`KqlContext::dataframe`] hands a KQL query back to
//! DataFusion as a lazy `DataFrame`.
//!
//! Check a query without running it; diagnostics carry spans and render with line:column and a
//! caret:
//!
//! ```
//! let ctx = kql_engine::KqlContext::new();
//! let diags = ctx.check("print x = 1 | where y > 1");
//! assert_eq!(diags.len(), 1);
//! let text = kql_parser::diagnostic::render_all(&diags, "print x = 1 | where y > 1", "<query>");
//! assert!(text.contains("<query>:1:21"), "{text}");
//! ```
//!
//! Stream large results, and cancel: dropping a result stream stops the query's work and frees
//! its memory, so a timeout or a cancel signal is a `select!` or `timeout` around the loop:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use futures::StreamExt;
//! let ctx = kql_engine::KqlContext::new();
//! ctx.set_parameter("n", "1000000");
//! let mut q = ctx
//!     .run_streaming("declare query_parameters(n:long); range x from 1 to n step 1")
//!     .await?
//!     .remove(0);
//! let mut rows = 0;
//! let outcome = tokio::time::timeout(std::time::Duration::from_secs(60), async {
//!     while let Some(batch) = q.stream.next().await {
//!         rows += batch?.num_rows();
//!         if rows >= 10_000 {
//!             break; // enough: leaving the loop and dropping `q` cancels the rest
//!         }
//!     }
//!     Ok::<(), kql_engine::datafusion::error::DataFusionError>(())
//! })
//! .await;
//! assert!(outcome.is_ok());
//! assert!(rows >= 10_000 && rows < 1_000_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! `engine/examples/embed.rs` is a complete program: it loads exported logs, finds anomalies
//! with `make-series` and `series_decompose_anomalies`, and prints them.

pub mod context;
pub mod display;
mod eager_and;
pub mod error;
mod guard;
mod low_card_agg;
mod partitions;
pub mod planner;
pub mod plugin_node;
pub mod sources;
pub mod udf;
mod view_casts;
mod view_eq;

pub use context::{KqlContext, QueryResult, QueryStream, RenderSpec};
pub use error::KqlError;
pub use kql_functions::types::{self, KqlType};
pub use kql_parser::{Diagnostic, ast};

/// Re-exported so embedders use the exact DataFusion/Arrow versions the engine was built with.
pub use datafusion;
