//! The whole-table operator node: `evaluate <plugin>(...)` and `reduce` as a DataFusion
//! extension (logical [`PluginNode`] → physical [`PluginExec`] → one output stream).
//!
//! The node gathers every partition of each input, then calls the plugin once
//! ([`TablePlugin::run`]). Optimizer rules see an opaque node: projections and filters above it
//! are not pushed into its inputs, which is what a whole-table operator needs (its output depends
//! on all input columns and rows).

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::Session;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DFSchema, DFSchemaRef, DataFusionError, Result};
use datafusion::execution::context::QueryPlanner;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{
    Expr, Extension, LogicalPlan, UserDefinedLogicalNode, UserDefinedLogicalNodeCore,
};
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, PlanProperties,
};
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};
use kql_functions::plugins::TablePlugin;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The logical node: a planned plugin over its inputs (`inputs[0]` is the piped table).
#[derive(Debug, Clone)]
pub struct PluginNode {
    id: u64,
    plugin: Arc<dyn TablePlugin>,
    inputs: Vec<LogicalPlan>,
    schema: DFSchemaRef,
}

impl PluginNode {
    /// Wraps `plugin` (whose output schema must be known) over `inputs` as a logical plan.
    pub fn plan(plugin: Arc<dyn TablePlugin>, inputs: Vec<LogicalPlan>) -> Result<LogicalPlan> {
        let Some(arrow) = plugin.output_schema() else {
            return Err(DataFusionError::Internal(format!(
                "plugin {} has a data-dependent schema and cannot be a lazy node",
                plugin.name()
            )));
        };
        let schema = Arc::new(DFSchema::try_from(arrow.as_ref().clone())?);
        Ok(LogicalPlan::Extension(Extension {
            node: Arc::new(PluginNode {
                id: NEXT_ID.fetch_add(1, AtomicOrdering::Relaxed),
                plugin,
                inputs,
                schema,
            }),
        }))
    }
}

impl PartialEq for PluginNode {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.inputs == other.inputs
    }
}

impl Eq for PluginNode {}

impl Hash for PluginNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
        self.inputs.hash(state);
    }
}

impl PartialOrd for PluginNode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.id.cmp(&other.id) {
            Ordering::Equal if self.inputs != other.inputs => None,
            o => Some(o),
        }
    }
}

impl UserDefinedLogicalNodeCore for PluginNode {
    fn name(&self) -> &str {
        "KqlPlugin"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        self.inputs.iter().collect()
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        Vec::new()
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "KqlPlugin: {}", self.plugin.describe())
    }

    fn with_exprs_and_inputs(&self, _exprs: Vec<Expr>, inputs: Vec<LogicalPlan>) -> Result<Self> {
        Ok(PluginNode {
            id: self.id,
            plugin: Arc::clone(&self.plugin),
            inputs,
            schema: Arc::clone(&self.schema),
        })
    }

    fn supports_limit_pushdown(&self) -> bool {
        false
    }
}

/// The physical node: collects each input completely, runs the plugin, emits one batch.
#[derive(Debug)]
pub struct PluginExec {
    plugin: Arc<dyn TablePlugin>,
    children: Vec<Arc<dyn ExecutionPlan>>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl PluginExec {
    fn new(
        plugin: Arc<dyn TablePlugin>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        schema: SchemaRef,
    ) -> Self {
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        PluginExec {
            plugin,
            children,
            schema,
            properties,
        }
    }
}

impl DisplayAs for PluginExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "KqlPluginExec: {}", self.plugin.describe())
    }
}

impl ExecutionPlan for PluginExec {
    fn name(&self) -> &str {
        "KqlPluginExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        vec![Distribution::SinglePartition; self.children.len()]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![false; self.children.len()]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false; self.children.len()]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        self.children.iter().collect()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(PluginExec::new(
            Arc::clone(&self.plugin),
            children,
            Arc::clone(&self.schema),
        )))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "KqlPluginExec has one partition, asked for {partition}"
            )));
        }
        let plugin = Arc::clone(&self.plugin);
        let children = self.children.clone();
        let schema = Arc::clone(&self.schema);
        let out_schema = Arc::clone(&schema);
        let fut = async move {
            let mut inputs = Vec::with_capacity(children.len());
            for child in children {
                inputs.push(datafusion::physical_plan::collect(child, Arc::clone(&context)).await?);
            }
            run_plugin(plugin.as_ref(), &inputs, &out_schema)
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            schema,
            futures::stream::once(fut),
        )))
    }
}

/// Runs `plugin` and checks its result against the schema it promised (keeping the promised
/// field metadata, which marks dynamic and guid columns).
pub(crate) fn run_plugin(
    plugin: &dyn TablePlugin,
    inputs: &[Vec<RecordBatch>],
    schema: &SchemaRef,
) -> Result<RecordBatch> {
    let batch = plugin.run(inputs)?;
    let got = batch.schema();
    let same_shape = got.fields().len() == schema.fields().len()
        && got
            .fields()
            .iter()
            .zip(schema.fields())
            .all(|(a, b)| a.data_type() == b.data_type());
    if !same_shape {
        return Err(DataFusionError::Internal(format!(
            "plugin {} returned columns ({}) but promised ({})",
            plugin.name(),
            describe_fields(&got),
            describe_fields(schema)
        )));
    }
    Ok(RecordBatch::try_new(
        Arc::clone(schema),
        batch.columns().to_vec(),
    )?)
}

fn describe_fields(s: &SchemaRef) -> String {
    s.fields()
        .iter()
        .map(|f| format!("{}:{}", f.name(), f.data_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Plans [`PluginNode`]s as [`PluginExec`]s.
#[derive(Debug, Default)]
struct PluginPlanner;

#[async_trait]
impl ExtensionPlanner for PluginPlanner {
    async fn plan_extension(
        &self,
        _planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        _logical_inputs: &[&LogicalPlan],
        physical_inputs: &[Arc<dyn ExecutionPlan>],
        _session: &dyn Session,
        _planning_ctx: &datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        let Some(n) = node.as_any().downcast_ref::<PluginNode>() else {
            return Ok(None);
        };
        let schema: SchemaRef = Arc::new(n.schema.as_arrow().clone());
        Ok(Some(Arc::new(PluginExec::new(
            Arc::clone(&n.plugin),
            physical_inputs.to_vec(),
            schema,
        ))))
    }
}

/// The session's query planner: DataFusion's, plus our extension nodes.
#[derive(Debug, Default)]
pub(crate) struct KqlQueryPlanner;

#[async_trait]
impl QueryPlanner for KqlQueryPlanner {
    async fn create_physical_plan(
        &self,
        logical_plan: &LogicalPlan,
        session: &dyn Session,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(PluginPlanner)])
            .create_physical_plan(logical_plan, session)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, Int64Array};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::{MemTable, provider_as_source};
    use datafusion::logical_expr::LogicalPlanBuilder;

    /// Counts the rows of each input: proves the node sees every partition of every input.
    #[derive(Debug)]
    struct RowCounts(SchemaRef);

    impl TablePlugin for RowCounts {
        fn name(&self) -> &'static str {
            "row_counts"
        }
        fn output_schema(&self) -> Option<SchemaRef> {
            Some(Arc::clone(&self.0))
        }
        fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
            let counts: Vec<i64> = inputs
                .iter()
                .map(|bs| bs.iter().map(|b| b.num_rows() as i64).sum())
                .collect();
            Ok(RecordBatch::try_new(
                Arc::clone(&self.0),
                vec![Arc::new(Int64Array::from(counts))],
            )?)
        }
    }

    fn table(partitions: usize, rows_each: i64) -> LogicalPlan {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        let parts: Vec<Vec<RecordBatch>> = (0..partitions)
            .map(|p| {
                let xs: Vec<i64> = (0..rows_each).map(|i| p as i64 * rows_each + i).collect();
                vec![
                    RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(Int64Array::from(xs))])
                        .unwrap(),
                ]
            })
            .collect();
        let mem = MemTable::try_new(schema, parts).unwrap();
        LogicalPlanBuilder::scan("t", provider_as_source(Arc::new(mem)), None)
            .unwrap()
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn the_node_reads_every_partition_of_every_input() {
        let ctx = crate::KqlContext::new();
        let out = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let plan =
            PluginNode::plan(Arc::new(RowCounts(out)), vec![table(4, 250), table(3, 7)]).unwrap();
        let df = ctx.session().execute_logical_plan(plan).await.unwrap();
        let batches = df.collect().await.unwrap();
        assert_eq!(batches.len(), 1);
        let n = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!((n.value(0), n.value(1)), (1000, 21));
    }

    #[tokio::test]
    async fn a_schema_mismatch_is_an_error_not_a_wrong_table() {
        let ctx = crate::KqlContext::new();
        let promised = Arc::new(Schema::new(vec![Field::new("n", DataType::Utf8, false)]));
        #[derive(Debug)]
        struct Liar(SchemaRef);
        impl TablePlugin for Liar {
            fn name(&self) -> &'static str {
                "liar"
            }
            fn output_schema(&self) -> Option<SchemaRef> {
                Some(Arc::clone(&self.0))
            }
            fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
                RowCounts(Arc::new(Schema::new(vec![Field::new(
                    "n",
                    DataType::Int64,
                    false,
                )])))
                .run(inputs)
            }
        }
        let plan = PluginNode::plan(Arc::new(Liar(promised)), vec![table(1, 3)]).unwrap();
        let df = ctx.session().execute_logical_plan(plan).await.unwrap();
        let err = df.collect().await.unwrap_err().to_string();
        assert!(
            err.contains("plugin liar returned columns (n:Int64)"),
            "{err}"
        );
    }
}
