//! A physical optimizer rule, `kql_low_card_aggregate`: the partial stage of a `summarize`
//! grouped by string columns (with up to four group columns of strings, integers, datetimes
//! or timespans) runs in [`LowCardAggregateExec`], which finds each row's group through the
//! string views themselves (see [`ids`]) instead of hashing and comparing the strings' bytes.
//!
//! Log analytics mostly groups by a few hundred computers, levels or counter names read from
//! dictionary-encoded Parquet; there DataFusion's own partial aggregation spent about half of
//! its time hashing and comparing the same strings (`summarize percentile(…) by CounterName`).
//!
//! The node computes exactly what the `AggregateExec` it replaces computes, with the same
//! accumulators, and its output (group values and accumulator states) has the same schema,
//! for the final stage to merge (order-sensitive aggregates such as `arg_max`'s ordered
//! `first_value` get their ordering columns, as DataFusion passes them). Three cases hand the
//! rest of the partition's input to a DataFusion partial `AggregateExec` built from the same
//! parts, after emitting the states gathered so far (a partial aggregate may emit any time):
//! - after [`PROBE_ROWS`] rows, more than one group per [`PROBE_RATIO`] rows (high
//!   cardinality: DataFusion's stage can then skip partial aggregation);
//! - the memory pool refuses the state's growth (DataFusion's stage emits early or spills);
//! - the group count nears the 32-bit ids' range.

mod ids;

use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode, TreeNodeRecursion};
use datafusion::common::{Result, exec_err, internal_err};
use datafusion::config::ConfigOptions;
use datafusion::execution::memory_pool::MemoryConsumer;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{EmitTo, GroupsAccumulator};
use datafusion::physical_expr::{
    EquivalenceProperties, GroupsAccumulatorAdapter, OrderingRequirements, Partitioning,
    PhysicalExpr,
};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::{
    AggregateExec, AggregateMode, aggregate_expressions, evaluate_many,
};
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::udaf::AggregateFunctionExpr;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, InputDistributionRequirements, InputOrderMode,
    PlanProperties,
};
use futures::{StreamExt, TryStreamExt};
use ids::GroupIds;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Rows a partition reads before its group count is judged.
const PROBE_ROWS: usize = 100_000;
/// More than one group per this many rows counts as high cardinality.
const PROBE_RATIO: usize = 4;

/// The rule (see the module docs).
#[derive(Debug, Default)]
pub struct LowCardAggregate;

impl PhysicalOptimizerRule for LowCardAggregate {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(agg) = node.downcast_ref::<AggregateExec>() else {
                return Ok(Transformed::no(node));
            };
            let Some(types) = eligible(agg)? else {
                return Ok(Transformed::no(node));
            };
            let agg = Arc::new(agg.clone());
            Ok(Transformed::yes(
                Arc::new(LowCardAggregateExec { agg, types }) as Arc<dyn ExecutionPlan>,
            ))
        })
        .data()
    }

    fn name(&self) -> &str {
        "kql_low_card_aggregate"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// The group columns' types, when `agg` is a partial stage this node can run.
fn eligible(agg: &AggregateExec) -> Result<Option<Vec<DataType>>> {
    let group_by = agg.group_expr();
    let plain = *agg.mode() == AggregateMode::Partial
        && group_by.is_single()
        && group_by.null_expr().is_empty()
        && (1..=4).contains(&group_by.expr().len())
        && agg.limit_options().is_none()
        && agg.dynamic_expressions_produced().is_empty()
        && *agg.input_order_mode() == InputOrderMode::Linear;
    if !plain {
        return Ok(None);
    }
    let input = agg.input_schema();
    let mut types = Vec::with_capacity(group_by.expr().len());
    for (e, _) in group_by.expr() {
        types.push(e.data_type(&input)?);
    }
    let useful = types.contains(&DataType::Utf8View) && types.iter().all(ids::supported);
    Ok(useful.then_some(types))
}

/// The partial stage of an aggregation, grouping through [`GroupIds`] (see the module docs).
#[derive(Debug)]
pub struct LowCardAggregateExec {
    /// The stage this node replaces: its parts, schema and properties.
    agg: Arc<AggregateExec>,
    types: Vec<DataType>,
}

impl DisplayAs for LowCardAggregateExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "KqlLowCardAggregateExec, as ")?;
        self.agg.fmt_as(t, f)
    }
}

impl ExecutionPlan for LowCardAggregateExec {
    fn name(&self) -> &str {
        "KqlLowCardAggregateExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.agg.properties()
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        self.agg.input_distribution_requirements()
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        self.agg.required_input_ordering()
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        self.agg.maintains_input_order()
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        self.agg.benefits_from_input_partitioning()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![self.agg.input()]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        self.agg.apply_expressions(f)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let agg = replace_children_if_necessary(Arc::clone(&self.agg) as _, children)?;
        let Some(agg) = agg.downcast_ref::<AggregateExec>() else {
            return internal_err!("AggregateExec rebuilt as {}", agg.name());
        };
        Ok(Arc::new(LowCardAggregateExec {
            agg: Arc::new(agg.clone()),
            types: self.types.clone(),
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.agg.input().execute(partition, Arc::clone(&context))?;
        let agg = Arc::clone(&self.agg);
        let types = self.types.clone();
        let schema = self.agg.schema();
        let stream = futures::stream::once(run(agg, types, input, partition, context))
            .map_ok(|(batches, rest)| {
                let head = futures::stream::iter(batches.into_iter().map(Ok));
                match rest {
                    Some(rest) => head.chain(rest).boxed(),
                    None => head.boxed(),
                }
            })
            .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

/// An accumulator for `agg`, as DataFusion's grouped aggregation makes one.
fn accumulator(agg: &Arc<AggregateFunctionExpr>) -> Result<Box<dyn GroupsAccumulator>> {
    if agg.groups_accumulator_supported() {
        agg.create_groups_accumulator()
    } else {
        let agg = Arc::clone(agg);
        Ok(Box::new(GroupsAccumulatorAdapter::new(move || {
            agg.create_accumulator()
        })))
    }
}

/// Aggregates one partition's input; returns the state batches, and the stream of a
/// DataFusion stage over the rest of the input when it took over.
async fn run(
    agg: Arc<AggregateExec>,
    types: Vec<DataType>,
    mut input: SendableRecordBatchStream,
    partition: usize,
    context: Arc<TaskContext>,
) -> Result<(Vec<RecordBatch>, Option<SendableRecordBatchStream>)> {
    let schema = agg.schema();
    let batch_size = context.session_config().batch_size();
    let group_exprs: Vec<_> = agg.group_expr().expr().iter().map(|(e, _)| e).collect();
    let args = aggregate_expressions(agg.aggr_expr(), agg.mode(), 0)?;
    let filters = agg.filter_expr();
    let mut accumulators = agg
        .aggr_expr()
        .iter()
        .map(accumulator)
        .collect::<Result<Vec<_>>>()?;
    let mut ids = GroupIds::new(&types)?;
    let reservation = MemoryConsumer::new(format!("KqlLowCardAggregate[{partition}]"))
        .register(context.memory_pool());
    let mut indices = Vec::new();
    let mut rows = 0usize;
    let mut probed = false;
    while let Some(batch) = input.next().await {
        let batch = batch?;
        let n = batch.num_rows();
        let keys = group_exprs
            .iter()
            .map(|e| e.evaluate(&batch)?.into_array(n))
            .collect::<Result<Vec<ArrayRef>>>()?;
        ids.intern(&keys, &mut indices)?;
        let groups = ids.len();
        let values = evaluate_many(&args, &batch)?;
        for ((acc, values), filter) in accumulators.iter_mut().zip(&values).zip(filters) {
            let filter = match filter {
                Some(f) => Some(f.evaluate(&batch)?.into_array(n)?),
                None => None,
            };
            let filter = match &filter {
                Some(f) => match f.as_boolean_opt() {
                    Some(b) => Some(b),
                    None => return exec_err!("aggregate filter is {}, not bool", f.data_type()),
                },
                None => None,
            };
            acc.update_batch(values, &indices, filter, groups)?;
        }
        rows += n;
        let size = ids.size() + accumulators.iter().map(|a| a.size()).sum::<usize>();
        let refused = reservation.try_resize(size).is_err();
        let mut high_cardinality = false;
        if !probed && rows >= PROBE_ROWS {
            probed = true;
            high_cardinality = groups * PROBE_RATIO > rows;
        }
        // ids are 32-bit
        let too_many = groups >= (u32::MAX / 2) as usize;
        if refused || high_cardinality || too_many {
            let out = emit(&schema, &ids, &mut accumulators, batch_size)?;
            drop(accumulators);
            drop(ids);
            reservation.free();
            return Ok((out, Some(hand_over(&agg, input, context)?)));
        }
    }
    emit(&schema, &ids, &mut accumulators, batch_size).map(|out| (out, None))
}

/// The groups and their states as batches of at most `batch_size` rows.
fn emit(
    schema: &SchemaRef,
    ids: &GroupIds,
    accumulators: &mut [Box<dyn GroupsAccumulator>],
    batch_size: usize,
) -> Result<Vec<RecordBatch>> {
    let groups = ids.len();
    if groups == 0 {
        return Ok(Vec::new());
    }
    let mut columns = ids.emit()?;
    for acc in accumulators {
        columns.extend(acc.state(EmitTo::All)?);
    }
    let batch = RecordBatch::try_new(Arc::clone(schema), columns)?;
    let step = batch_size.max(1);
    Ok((0..groups)
        .step_by(step)
        .map(|start| batch.slice(start, step.min(groups - start)))
        .collect())
}

/// A DataFusion partial stage like `agg`, over the rest of `input`.
fn hand_over(
    agg: &AggregateExec,
    input: SendableRecordBatchStream,
    context: Arc<TaskContext>,
) -> Result<SendableRecordBatchStream> {
    let source = Arc::new(StreamSource::new(input));
    let stage = AggregateExec::try_new(
        AggregateMode::Partial,
        agg.group_expr().clone(),
        agg.aggr_expr().to_vec(),
        agg.filter_expr().to_vec(),
        source,
        agg.input_schema(),
    )?;
    stage.execute(0, context)
}

/// A plan node that yields one stream it was given (the rest of a partition's input).
struct StreamSource {
    stream: Mutex<Option<SendableRecordBatchStream>>,
    properties: Arc<PlanProperties>,
}

impl StreamSource {
    fn new(stream: SendableRecordBatchStream) -> Self {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(stream.schema()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        StreamSource {
            stream: Mutex::new(Some(stream)),
            properties: Arc::new(properties),
        }
    }
}

impl fmt::Debug for StreamSource {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("KqlStreamSource")
    }
}

impl DisplayAs for StreamSource {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "KqlStreamSource")
    }
}

impl ExecutionPlan for StreamSource {
    fn name(&self) -> &str {
        "KqlStreamSource"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
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
        if children.is_empty() {
            Ok(self)
        } else {
            internal_err!("KqlStreamSource has no children")
        }
    }

    fn execute(
        &self,
        _partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let taken = match self.stream.lock() {
            Ok(mut slot) => slot.take(),
            Err(_) => None,
        };
        match taken {
            Some(stream) => Ok(stream),
            None => internal_err!("KqlStreamSource executed twice"),
        }
    }
}

#[cfg(test)]
mod tests;
