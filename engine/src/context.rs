//! The public entry point: [`KqlContext`] registers tables and runs KQL scripts.

use crate::error::{KqlError, Result};
use crate::planner::{Planner, StatementOutcome};
use crate::sources::{SourceOptions, open_table};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use kql_parser::parse_script;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// `render` metadata: the chart kind and its `with (...)` properties, values as text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RenderSpec {
    pub chart: String,
    pub properties: Vec<(String, Vec<String>)>,
}

/// One result set of a script.
#[derive(Clone, Debug)]
pub struct QueryResult {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub render: Option<RenderSpec>,
}

impl QueryResult {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// One result set of a script as a stream of record batches.
pub struct QueryStream {
    pub schema: SchemaRef,
    pub stream: datafusion::physical_plan::SendableRecordBatchStream,
    pub render: Option<RenderSpec>,
}

/// The settings every KQL session plans with: times in UTC; DataFusion's leaf-expression
/// push-down off, since its rule `push_down_leaf_projections` fails to plan valid queries
/// ("Schema contains qualified field name t.B and unqualified field name B", apache/datafusion
/// issues 25446 and 24241, open): `T | top 1 by L | parse S with a "=" b:long *` reads the
/// parse result's struct fields above a renaming projection (fuzz finding,
/// engine/fuzz/regressions/plan/parse-after-top.kql). The rule only moves struct-field reads
/// toward the scan, which KQL's JSON-text `dynamic` columns do not use.
fn kql_config(config: SessionConfig) -> SessionConfig {
    config
        .set_str("datafusion.execution.time_zone", "UTC")
        .set_bool(
            "datafusion.optimizer.enable_leaf_expression_pushdown",
            false,
        )
}

/// A KQL session: registered tables and settings.
pub struct KqlContext {
    df: SessionContext,
    tables: RwLock<BTreeMap<String, Arc<dyn TableProvider>>>,
    now_nanos: RwLock<Option<i64>>,
    options: SourceOptions,
    /// Query parameter values as text (`--param name=value`), bound by
    /// `declare query_parameters(name:type)`.
    parameters: RwLock<BTreeMap<String, String>>,
    /// Tables of the DataFusion session's default schema (see [`KqlContext::from_session`]),
    /// refreshed before each script runs.
    session_tables: RwLock<BTreeMap<String, Arc<dyn TableProvider>>>,
}

impl Default for KqlContext {
    fn default() -> Self {
        Self::new()
    }
}

impl KqlContext {
    pub fn new() -> Self {
        Self::with_runtime(None)
    }

    /// A context whose queries may hold at most `bytes` of memory in operators that track it
    /// (sort, aggregate, join, window): they spill to temporary files when they can, and
    /// otherwise fail with a "memory limit" error instead of exhausting the machine.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let ctx = kql_engine::KqlContext::with_memory_limit(64 * 1024 * 1024)?;
    /// let r = ctx.run("range x from 1 to 100000 step 1 | order by x desc | take 1").await?;
    /// assert_eq!(r[0].num_rows(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn with_memory_limit(bytes: usize) -> Result<Self> {
        let runtime = datafusion::execution::runtime_env::RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(
                datafusion::execution::memory_pool::FairSpillPool::new(bytes),
            ))
            .build_arc()?;
        // a sort keeps this much back for merging its spilled runs (DataFusion's default,
        // 10 MB, would not fit a small limit)
        let merge_reserve = (bytes / 8).min(10 * 1024 * 1024);
        Ok(Self::with_runtime(Some((runtime, merge_reserve))))
    }

    /// A context whose plans skip DataFusion's optional logical rewrites (filter and limit
    /// push-down, projection pruning, common-subexpression elimination, the `eliminate_*` and
    /// empty-relation rules); the rules DataFusion needs to execute a plan at all (expression
    /// simplification, distinct → aggregate, decorrelation, equi-join extraction) stay. The
    /// same query must give the same rows either way; the differential tests compare the two.
    #[doc(hidden)]
    pub fn without_logical_optimizer() -> Self {
        const OPTIONAL: &[&str] = &[
            "push_down_filter",
            "push_down_limit",
            "optimize_projections",
            "common_sub_expression_eliminate",
            "eliminate_filter",
            "eliminate_limit",
            "eliminate_duplicated_expr",
            "eliminate_group_by_constant",
            "eliminate_outer_join",
            "eliminate_cross_join",
            "filter_null_join_keys",
            "propagate_empty_relation",
            "single_distinct_aggregation_to_group_by",
            "extract_leaf_expressions",
            "push_down_leaf_projections",
        ];
        let rules: Vec<_> = datafusion::optimizer::Optimizer::new()
            .rules
            .into_iter()
            .filter(|r| !OPTIONAL.contains(&r.name()))
            .collect();
        let state = SessionStateBuilder::new_from_existing(Self::new().df.state())
            .with_optimizer_rules(rules)
            .build();
        Self::over(state)
    }

    fn with_runtime(
        runtime: Option<(Arc<datafusion::execution::runtime_env::RuntimeEnv>, usize)>,
    ) -> Self {
        let mut config = crate::partitions::configure(kql_config(SessionConfig::new()));
        if let Some((_, reserve)) = &runtime {
            config = config.set_usize(
                "datafusion.execution.sort_spill_reservation_bytes",
                *reserve,
            );
        }
        let mut builder = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .with_query_planner(Arc::new(crate::plugin_node::KqlQueryPlanner))
            .with_optimizer_rule(Arc::new(crate::view_casts::LiftViewCasts))
            .with_physical_optimizer_rule(Arc::new(crate::eager_and::EagerAnd))
            .with_physical_optimizer_rule(Arc::new(crate::view_eq::ViewEq))
            .with_physical_optimizer_rule(Arc::new(crate::low_card_agg::LowCardAggregate));
        if let Some((rt, _)) = runtime {
            builder = builder.with_runtime_env(rt);
        }
        let state = builder.build();
        Self::over(state)
    }

    /// A context without the physical optimizer rule named `rule` (tests compare the answers).
    #[cfg(test)]
    pub(crate) fn without_physical_rule(rule: &str) -> Self {
        let state = Self::new().df.state();
        let rules = state
            .physical_optimizers()
            .iter()
            .filter(|r| r.name() != rule)
            .cloned()
            .collect();
        let state = SessionStateBuilder::new_from_existing(state)
            .with_physical_optimizer_rules(rules)
            .build();
        Self::over(state)
    }

    /// A context planning on `state`, with nothing registered yet.
    fn over(state: datafusion::execution::SessionState) -> Self {
        KqlContext {
            df: SessionContext::new_with_state(state),
            tables: RwLock::new(BTreeMap::new()),
            now_nanos: RwLock::new(None),
            options: SourceOptions::default(),
            parameters: RwLock::new(BTreeMap::new()),
            session_tables: RwLock::new(BTreeMap::new()),
        }
    }

    /// A KQL context over an existing DataFusion session: its registered tables (in the default
    /// catalog and schema, including ones registered later), UDFs, object stores and settings
    /// are visible to KQL queries. KQL's own registrations stay in the KQL context. The session
    /// itself is not changed: the context plans on a copy of its state (sharing its catalogs)
    /// with KQL's extension nodes and a UTC time zone added.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use kql_engine::datafusion::arrow::array::{Int64Array, StringArray};
    /// use kql_engine::datafusion::arrow::record_batch::RecordBatch;
    /// use kql_engine::datafusion::prelude::SessionContext;
    /// use std::sync::Arc;
    /// let session = SessionContext::new();
    /// let kql = kql_engine::KqlContext::from_session(&session);
    /// // registered on the DataFusion session, even after the KQL context was made (DataFusion
    /// // lower-cases names given as text; `TableReference::bare("Events")` keeps the case)
    /// let events = RecordBatch::try_from_iter(vec![
    ///     ("host", Arc::new(StringArray::from(vec!["web", "db", "web"])) as _),
    ///     ("n", Arc::new(Int64Array::from(vec![3, 5, 4])) as _),
    /// ])?;
    /// session.register_batch("events", events)?;
    /// let r = kql
    ///     .run("events | summarize total = sum(n) by host | order by host asc")
    ///     .await?;
    /// let text = kql_engine::datafusion::arrow::util::pretty::pretty_format_batches(&r[0].batches)?;
    /// assert!(text.to_string().contains("| web  | 7     |"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn from_session(session: &SessionContext) -> Self {
        // the session's catalogs are shared, not re-created (which would hide its tables)
        let config =
            kql_config(session.copied_config()).with_create_default_catalog_and_schema(false);
        let state = SessionStateBuilder::new_from_existing(session.state())
            .with_config(config)
            .with_query_planner(Arc::new(crate::plugin_node::KqlQueryPlanner))
            .with_optimizer_rule(Arc::new(crate::view_casts::LiftViewCasts))
            .with_physical_optimizer_rule(Arc::new(crate::eager_and::EagerAnd))
            .build();
        Self::over(state)
    }

    /// Looks up the session's default schema for tables the KQL context does not have (those an
    /// embedder registered on the DataFusion session), so the synchronous planner can use them.
    async fn import_session_tables(&self) {
        let state = self.df.state();
        let opts = &state.config_options().catalog;
        let Some(schema) = self
            .df
            .catalog(&opts.default_catalog)
            .and_then(|c| c.schema(&opts.default_schema))
        else {
            return;
        };
        let own = self.table_names();
        let mut found = BTreeMap::new();
        for name in schema.table_names() {
            if own.contains(&name) {
                continue;
            }
            if let Ok(Some(t)) = schema.table(&name).await {
                found.insert(name, t);
            }
        }
        if let Ok(mut s) = self.session_tables.write() {
            *s = found;
        }
    }

    /// Skip bad records in data files instead of failing.
    pub fn set_lenient(&mut self, lenient: bool) {
        self.options.lenient = lenient;
    }

    /// Fixes `now()`/`ago()` (Unix nanoseconds, UTC) for reproducible runs.
    pub fn set_now(&self, unix_nanos: i64) {
        if let Ok(mut n) = self.now_nanos.write() {
            *n = Some(unix_nanos);
        }
    }

    /// Gives query parameter `name` a value, as text. A script that declares it with
    /// `declare query_parameters(name:type [= default])` reads the text as a `type` literal
    /// (a string as is; otherwise what `type(text)` means in KQL, e.g. `datetime(2024-01-01)`).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let ctx = kql_engine::KqlContext::new();
    /// ctx.set_parameter("limit", "3");
    /// let r = ctx
    ///     .run("declare query_parameters(limit:long = 10); range x from 1 to 100 step 1 | take limit")
    ///     .await?;
    /// assert_eq!(r[0].num_rows(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn set_parameter(&self, name: &str, value: &str) {
        if let Ok(mut p) = self.parameters.write() {
            p.insert(name.to_string(), value.to_string());
        }
    }

    pub(crate) fn parameter(&self, name: &str) -> Option<String> {
        self.parameters.read().ok()?.get(name).cloned()
    }

    /// The underlying DataFusion session (to register UDFs, object stores, ...).
    pub fn session(&self) -> &SessionContext {
        &self.df
    }

    /// Registers a file, folder or glob as table `name`.
    pub fn register_path(&self, name: &str, path: &str) -> Result<()> {
        let provider = open_table(path, &self.options)?;
        self.register_table(name, provider)
    }

    /// Registers a file, folder or glob as table `name` and returns what loading it did (files,
    /// rows, bad records skipped under `set_lenient(true)`, whether it streams).
    pub fn register_path_with_report(
        &self,
        name: &str,
        path: &str,
    ) -> Result<crate::sources::SourceReport> {
        let opened = crate::sources::open_table_with_report(path, &self.options)?;
        self.register_table(name, opened.provider)?;
        Ok(opened.report)
    }

    /// Registers in-memory Arrow batches as table `name`.
    pub fn register_batches(
        &self,
        name: &str,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<()> {
        let table = MemTable::try_new(schema, vec![batches])?;
        self.register_table(name, Arc::new(table))
    }

    /// Registers any DataFusion table provider as table `name` (a `MemTable`, a `ListingTable`
    /// over an object store, your own provider); KQL reads it through DataFusion's scan, with
    /// projection and filter push-down where the provider supports them.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use kql_engine::datafusion::arrow::array::Int64Array;
    /// use kql_engine::datafusion::arrow::record_batch::RecordBatch;
    /// use kql_engine::datafusion::datasource::MemTable;
    /// use std::sync::Arc;
    /// let batch = RecordBatch::try_from_iter(vec![(
    ///     "Latency",
    ///     Arc::new(Int64Array::from(vec![120, 80, 4000])) as _,
    /// )])?;
    /// // two partitions: KQL sees one table
    /// let table = MemTable::try_new(batch.schema(), vec![vec![batch.clone()], vec![batch]])?;
    /// let ctx = kql_engine::KqlContext::new();
    /// ctx.register_table("Requests", Arc::new(table))?;
    /// let r = ctx.run("Requests | where Latency > 100 | count").await?;
    /// let text = kql_engine::datafusion::arrow::util::pretty::pretty_format_batches(&r[0].batches)?;
    /// assert!(text.to_string().contains("| 4     |"), "{text}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn register_table(&self, name: &str, provider: Arc<dyn TableProvider>) -> Result<()> {
        if let Ok(mut t) = self.tables.write() {
            t.insert(name.to_string(), provider);
        }
        Ok(())
    }

    /// The registered table names.
    pub fn table_names(&self) -> Vec<String> {
        self.tables
            .read()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The schema of registered table `name`.
    pub fn table_schema(&self, name: &str) -> Option<SchemaRef> {
        self.table(name).map(|t| t.schema())
    }

    /// The columns (name and KQL type) the last query of `script` would return, found by
    /// planning it without reading data; `None` when it does not plan (or when a plugin's
    /// output depends on its rows). Editors use it to complete column names.
    pub fn output_columns(&self, script: &str) -> Option<Vec<(String, crate::KqlType)>> {
        let parsed = parse_script(script).script?;
        let mut planner = Planner::new(self, script, self.now_for_query());
        let mut last = None;
        for st in &parsed.statements {
            if let StatementOutcome::Query { plan, .. } = planner.plan_statement(st).ok()? {
                last = Some(plan);
            }
        }
        let plan = last?;
        Some(
            plan.schema()
                .fields()
                .iter()
                .map(|f| (f.name().clone(), crate::KqlType::of_field(f)))
                .collect(),
        )
    }

    pub(crate) fn table(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        self.tables
            .read()
            .ok()
            .and_then(|t| t.get(name).cloned())
            .or_else(|| {
                self.session_tables
                    .read()
                    .ok()
                    .and_then(|t| t.get(name).cloned())
            })
    }

    fn now_for_query(&self) -> i64 {
        if let Ok(n) = self.now_nanos.read()
            && let Some(v) = *n
        {
            return v;
        }
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// Parses and binds `script` against the registered tables without executing it.
    pub fn check(&self, script: &str) -> Vec<kql_parser::Diagnostic> {
        let out = parse_script(script);
        if !out.diagnostics.is_empty() {
            return out.diagnostics;
        }
        let Some(parsed) = out.script else {
            return Vec::new();
        };
        let mut planner = Planner::new(self, script, self.now_for_query());
        let mut diags = Vec::new();
        for st in &parsed.statements {
            if let Err(e) = planner.plan_statement(st) {
                if planner.take_data_request().is_some() {
                    // a plugin whose output columns depend on the rows: checking stops here
                    break;
                }
                match e {
                    KqlError::Query { diagnostics, .. } => diags.extend(diagnostics),
                    other => diags.push(kql_parser::Diagnostic::error(
                        "KQL0400",
                        other.to_string(),
                        st.span,
                    )),
                }
                break;
            }
        }
        diags
    }

    /// Runs a script and returns one result per query statement, in order, with all rows
    /// collected. See [`KqlContext::run_streaming`] to consume large results incrementally.
    pub async fn run(&self, script: &str) -> Result<Vec<QueryResult>> {
        let mut results = Vec::new();
        for q in self.run_streaming(script).await? {
            let batches = datafusion::physical_plan::common::collect(q.stream).await?;
            results.push(QueryResult {
                schema: q.schema,
                batches,
                render: q.render,
            });
        }
        Ok(results)
    }

    /// Plans a script and returns, for each query statement in order, its schema, `render`
    /// metadata and a stream of record batches. Nothing is read until a stream is polled
    /// (except `materialize(...)` tables, which are computed once, here).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use futures::StreamExt;
    /// let ctx = kql_engine::KqlContext::new();
    /// let mut results = ctx.run_streaming("range x from 1 to 10 step 1 | where x % 2 == 0").await?;
    /// let mut rows = 0;
    /// while let Some(batch) = results[0].stream.next().await {
    ///     rows += batch?.num_rows();
    /// }
    /// assert_eq!(rows, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn run_streaming(&self, script: &str) -> Result<Vec<QueryStream>> {
        let mut results = Vec::new();
        for (df, render) in self.plan_queries(script, true).await? {
            let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
            let stream = crate::guard::execute(df).await?;
            results.push(QueryStream {
                schema,
                stream,
                render,
            });
        }
        Ok(results)
    }

    /// Plans every statement of `script` in order and returns each query as a DataFusion
    /// DataFrame with its `render` metadata. `materialize(...)` tables are computed here when
    /// `materialize` is set (otherwise their plans stay inline, as `check`/`explain` want);
    /// `set query_now` takes effect for the statements after it.
    async fn plan_queries(
        &self,
        script: &str,
        materialize: bool,
    ) -> Result<Vec<(datafusion::dataframe::DataFrame, Option<RenderSpec>)>> {
        let out = parse_script(script);
        if !out.diagnostics.is_empty() {
            return Err(KqlError::query(script, out.diagnostics));
        }
        let Some(parsed) = out.script else {
            return Ok(Vec::new());
        };
        self.import_session_tables().await;
        let mut planner = Planner::new(self, script, self.now_for_query());
        let mut queries = Vec::new();
        for st in &parsed.statements {
            match self.plan_with_data(&mut planner, st).await? {
                StatementOutcome::None => {}
                StatementOutcome::Materialize { name, plan } => {
                    if materialize {
                        let df = self.df.execute_logical_plan(*plan).await?;
                        let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
                        let batches = crate::guard::collect(df).await?;
                        let table = MemTable::try_new(schema, vec![batches])?;
                        planner.bind_materialized(&name, Arc::new(table))?;
                    }
                }
                StatementOutcome::Query { plan, render } => {
                    queries.push((self.df.execute_logical_plan(*plan).await?, render));
                }
            }
            if let Some(now) = planner.take_now_override() {
                self.set_now(now);
            }
        }
        Ok(queries)
    }

    /// Plans one statement; when a plugin's output columns depend on its input rows (`pivot`),
    /// runs that input and plans again.
    async fn plan_with_data(
        &self,
        planner: &mut Planner<'_>,
        st: &kql_parser::ast::Statement,
    ) -> Result<StatementOutcome> {
        let mut provided = std::collections::HashSet::new();
        loop {
            match planner.plan_statement(st) {
                Ok(outcome) => return Ok(outcome),
                Err(e) => {
                    let Some((key, plans)) = planner.take_data_request() else {
                        return Err(e);
                    };
                    if !provided.insert(key.clone()) {
                        return Err(e);
                    }
                    let mut data = Vec::with_capacity(plans.len());
                    for plan in plans {
                        let df = self.df.execute_logical_plan(plan).await?;
                        data.push(crate::guard::collect(df).await?);
                    }
                    planner.provide_plugin_data(key, data);
                }
            }
        }
    }

    /// The last query of `script` as a lazy DataFusion [`DataFrame`](datafusion::dataframe::DataFrame),
    /// to continue with DataFusion's API (more operators, `write_parquet`, `into_view` to
    /// register it as a table of a session). Statements before it (`let`, `set`,
    /// `materialize`) take effect as in [`KqlContext::run`].
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use kql_engine::datafusion::prelude::*;
    /// let ctx = kql_engine::KqlContext::new();
    /// let df = ctx.dataframe("range x from 1 to 10 step 1 | extend sq = x * x").await?;
    /// let big = df.filter(col("sq").gt(lit(50i64)))?.count().await?;
    /// assert_eq!(big, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn dataframe(&self, script: &str) -> Result<datafusion::dataframe::DataFrame> {
        match self.plan_queries(script, true).await?.pop() {
            Some((df, _)) => Ok(df),
            None => Err(KqlError::Unsupported {
                what: "the script has no query to turn into a DataFrame".to_string(),
            }),
        }
    }

    /// The DataFusion logical and physical plans of each query in `script`.
    pub async fn explain(&self, script: &str) -> Result<String> {
        let mut text = String::new();
        for (df, _) in self.plan_queries(script, false).await? {
            let optimized = df.clone().into_optimized_plan()?;
            text.push_str(&format!("{}\n", optimized.display_indent()));
            let (physical, _) = crate::guard::physical_plan(df).await?;
            text.push_str(&format!(
                "-- physical plan --\n{}",
                datafusion::physical_plan::displayable(physical.as_ref()).indent(true)
            ));
        }
        Ok(text)
    }
}
