//! `evaluate` plugins: operators that consume their whole input table and return a table whose
//! schema depends on the input and the arguments (`T | evaluate basket(0.1)`).
//!
//! A plugin is a [`PluginDef`] in [`PLUGINS`]: its documented parameters and a `plan` function
//! that checks the arguments against the input schema and returns a [`TablePlugin`]. The engine
//! wraps that in a DataFusion extension node (`PluginNode` → `PluginExec`), which gathers every
//! input partition and calls [`TablePlugin::run`] once. A plugin whose output columns depend on
//! the data (`pivot`, `bag_unpack` without a declared schema) returns `None` from
//! [`TablePlugin::output_schema`]; the engine then runs it while planning, on the materialized
//! input.
//!
//! Arguments arrive already classified ([`PluginArg`]): a bare name of an input column is a
//! column; anything else is evaluated as a constant; a table expression (`ipv4_lookup`'s first
//! argument) is an extra input. The string `'~'` means "use the default" for optional
//! positional arguments, as Kusto documents for `autocluster`, `basket` and `diffpatterns`.

mod args;
mod autocluster;
mod bag_unpack;
mod basket;
mod diffpatterns;
mod ipv4_lookup;
mod itemsets;
mod narrow;
mod pivot;
pub mod reduce;
#[cfg(test)]
mod reduce_eval;
mod reduce_miner;
mod rolling_percentile;
mod session_count;
mod sliding_window_counts;
mod timeline;

pub use args::{ArgRef, PluginArg, PluginArgs, PluginError, scalar_f64};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use std::fmt::Debug;
use std::sync::Arc;

/// A planned plugin call: arguments checked, output schema known (or data-dependent).
pub trait TablePlugin: Send + Sync + Debug {
    /// The plugin's name, for EXPLAIN and messages.
    fn name(&self) -> &'static str;

    /// The output schema, or `None` when it depends on the input rows.
    fn output_schema(&self) -> Option<SchemaRef>;

    /// Runs over all rows: `inputs[0]` is the piped table, `inputs[k]` the k-th table argument.
    /// The result must have [`TablePlugin::output_schema`]'s schema when that is `Some`.
    fn run(&self, inputs: &[Vec<RecordBatch>]) -> datafusion::error::Result<RecordBatch>;

    /// One line for EXPLAIN (the arguments as the plugin understood them).
    fn describe(&self) -> String {
        self.name().to_string()
    }
}

/// Checks a call's arguments against the input schemas (`inputs[0]` is the piped table).
pub type PlanFn = fn(&PluginArgs, &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError>;

/// One plugin: its documentation and its planning function.
pub struct PluginDef {
    pub name: &'static str,
    /// `basket([Threshold [, WeightColumn [, MaxDimensions [, CustomWildcard ...]]]])`.
    pub signature: &'static str,
    pub description: &'static str,
    /// Parameter name and meaning, in order.
    pub params: &'static [(&'static str, &'static str)],
    /// A runnable example (a whole query, e.g. over a `datatable`).
    pub example: &'static str,
    /// The example's output as CSV, header row first, each line ending in `\n` — derived from
    /// the docs or by hand, never pasted from our output. The test `plugin_catalog_examples`
    /// runs every example and compares; `docs/functions.md` shows both.
    pub expected: &'static str,
    pub plan: PlanFn,
}

/// Every plugin, by name.
pub static PLUGINS: &[PluginDef] = &[
    ipv4_lookup::DEF,
    rolling_percentile::DEF,
    session_count::DEF,
    sliding_window_counts::DEF,
    bag_unpack::DEF,
    narrow::DEF,
    pivot::DEF,
    autocluster::DEF,
    basket::DEF,
    diffpatterns::DEF,
];

/// The plugin called `name` (plugin names are case-sensitive, as in Kusto).
pub fn lookup(name: &str) -> Option<&'static PluginDef> {
    PLUGINS.iter().find(|p| p.name == name)
}
