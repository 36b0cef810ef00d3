//! `kql-functions`: KQL types and their Arrow mapping, and the lowering of KQL function calls
//! and string operators to DataFusion expressions (built-in functions or our own UDFs).
//!
//! - [`lower`]: the planner's API ([`lower::scalar_call`], [`lower::aggregate_call`],
//!   [`lower::is_aggregate`]);
//! - [`scalar`]: scalar functions by family; [`aggregate`]: aggregation functions;
//! - [`string_ops`]: string operators (`has`, `contains`, `=~`, …);
//! - [`udf`]: our own scalar UDFs and UDAFs; [`format`]: KQL text forms of values.

pub mod aggregate;
pub mod aggregate_sketch;
pub mod catalog;
pub mod format;
pub mod hashing;
pub mod lower;
pub mod ml;
pub mod plugins;
pub mod rng;
pub mod scalar;
pub mod series;
pub mod sketch;
pub mod string_ops;
pub mod types;
pub mod udf;

pub use types::KqlType;
