//! `kql-engine`: run Kusto Query Language scripts over local data with DataFusion.
//!
//! A [`KqlContext`] holds registered tables (files, folders, globs, Arrow batches, any
//! DataFusion `TableProvider`). [`KqlContext::run`] parses a script, binds names and types,
//! plans each query into a DataFusion `LogicalPlan` (never SQL text), executes it and returns
//! one [`QueryResult`] per result-producing statement.

pub mod context;
pub mod display;
pub mod error;
pub mod planner;
pub mod plugin_node;
pub mod sources;
pub mod udf;

pub use context::{KqlContext, QueryResult, QueryStream, RenderSpec};
pub use error::KqlError;
pub use kql_functions::types::{self, KqlType};
pub use kql_parser::{Diagnostic, ast};

/// Re-exported so embedders use the exact DataFusion/Arrow versions the engine was built with.
pub use datafusion;
