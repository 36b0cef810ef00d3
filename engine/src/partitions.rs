//! How many partitions a query's scans are split into.
//!
//! DataFusion's default is one partition per core. Our contexts use two per core: a partition
//! that waits for a read (the local file system reads on a blocking thread) leaves its core to
//! another partition. On the benchmark's 2 cores, scans, filters and aggregations over Parquet
//! ran 2–20% faster with 4 partitions than with 2 (issue #9, BENCHMARKS.md "Phase 6").
//!
//! A top-k (a sort with a fetch: `top`, `sort | take`) of a scan's rows plans with one
//! partition per core instead. DataFusion prunes its row groups by the running k-th value, which exists only after
//! the first row groups are read; every partition reads its first row group before that, so
//! twice the partitions read about twice the rows (`sort | take 20` took 1.5× as long).
//!
//! The choice applies only while the session's `target_partitions` is still the value our
//! context set: a session given its own value (`KqlContext::from_session`, or a `SET` on the
//! session) plans with that value as it is.

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::execution::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionConfig;
use std::sync::Arc;

/// The partition counts a context of ours set (a `SessionConfig` extension).
#[derive(Debug)]
struct Partitions {
    /// The session's `target_partitions` as set: two per core.
    default: usize,
    /// For a plan with a top-k: one per core.
    top_k: usize,
}

/// `config` with two partitions per core, and the marker that lets [`for_plan`] choose.
pub(crate) fn configure(config: SessionConfig) -> SessionConfig {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let default = cores.saturating_mul(2);
    config
        .with_target_partitions(default)
        .with_extension(Arc::new(Partitions {
            default,
            top_k: cores,
        }))
}

/// Does `plan` (optimized) hold, anywhere (subqueries included), a sort with a fetch over a
/// table scan's rows: reached through projections, filters, limits and aliases only, so that
/// DataFusion can prune the scan's row groups by the running k-th value? (A top-k over an
/// aggregate's output sorts a few groups; its scan does not prune.)
fn has_top_k(plan: &LogicalPlan) -> bool {
    fn over_scan(plan: &LogicalPlan) -> bool {
        match plan {
            LogicalPlan::TableScan(_) => true,
            LogicalPlan::Projection(_)
            | LogicalPlan::Filter(_)
            | LogicalPlan::Limit(_)
            | LogicalPlan::SubqueryAlias(_)
            | LogicalPlan::Sort(_) => plan.inputs().into_iter().any(over_scan),
            _ => false,
        }
    }
    let mut found = false;
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::Sort(s) = node
            && s.fetch.is_some()
            && over_scan(&s.input)
        {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// `state` set up to plan `optimized`: one partition per core for a top-k (see the module
/// docs), the session's own setting otherwise.
pub(crate) fn for_plan(mut state: SessionState, optimized: &LogicalPlan) -> SessionState {
    let Some(p) = state.config().get_extension::<Partitions>() else {
        return state;
    };
    let top_k = has_top_k(optimized);
    if state.config().target_partitions() == p.default && top_k {
        state.config_mut().options_mut().execution.target_partitions = p.top_k;
    }
    state
        .config_mut()
        .set_extension(Arc::new(Planned { top_k }));
    state
}

/// Marks a session state that [`for_plan`] set up, and whether its plan has a top-k over a
/// scan's rows.
#[derive(Debug)]
struct Planned {
    top_k: bool,
}

/// May the Parquet scans of the plan `config` plans deal their row groups out to the
/// partitions (`ParquetTable`)? Only for a plan of ours (planned through [`for_plan`]; a
/// DataFusion SQL query on the same session keeps DataFusion's byte ranges) without a top-k
/// over a scan's rows, which prunes row groups by its running k-th value, best in file order.
pub(crate) fn deal_row_groups(config: &SessionConfig) -> bool {
    config.get_extension::<Planned>().is_some_and(|p| !p.top_k)
}

#[cfg(test)]
mod tests {
    use crate::KqlContext;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// The number of partitions the scan of the plan of `query` is split into.
    async fn partitions(
        ctx: &KqlContext,
        query: &str,
    ) -> Result<usize, Box<dyn std::error::Error>> {
        let plan = ctx.explain(query).await?;
        // (one partition needs no repartition)
        let Some(line) = plan
            .lines()
            .find(|l| l.contains("RepartitionExec: partitioning=RoundRobinBatch("))
        else {
            return Ok(1);
        };
        let n = line
            .split("RoundRobinBatch(")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .ok_or("no count")?;
        Ok(n.parse()?)
    }

    #[tokio::test]
    async fn scans_use_two_partitions_per_core_and_top_k_one() -> TestResult {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let ctx = KqlContext::new();
        let t = "range x from 1 to 100000 step 1 | extend y = x % 7";
        let q = format!("{t} | where y > 2 | summarize count() by y");
        assert_eq!(partitions(&ctx, &q).await?, 2 * cores);
        for q in [
            format!("{t} | top 5 by x desc"),
            format!("{t} | where y > 2 | sort by x | take 5"),
        ] {
            assert_eq!(partitions(&ctx, &q).await?, cores, "{q}");
        }
        // a top-k of an aggregate's groups: the scan does not prune, two per core
        let q = format!("{t} | summarize n = count() by y | top 3 by n");
        assert_eq!(partitions(&ctx, &q).await?, 2 * cores, "{q}");
        // the answers do not depend on it
        let r = ctx
            .run(&format!("{t} | top 3 by x desc | summarize s = sum(x)"))
            .await?;
        let sum = r.last().and_then(|r| r.batches.first()).and_then(|b| {
            b.column(0)
                .as_any()
                .downcast_ref::<datafusion::arrow::array::Int64Array>()
                .map(|a| a.value(0))
        });
        assert_eq!(sum, Some(100_000 + 99_999 + 99_998));
        Ok(())
    }
}
