//! The table of plain `.parquet` files: DataFusion's `ListingTable`, in two settings that
//! differ only in how a scan applies the query's filters.
//!
//! - **After decoding** (DataFusion's default): every projected column is decoded for every
//!   row of the row groups that survive pruning, and a filter above the scan drops rows.
//! - **While decoding** (Parquet "late materialisation", `pushdown_filters`): the filter
//!   columns are decoded first, and the other columns only for the rows that pass.
//!
//! The second wins when a scan reads many columns besides its filter columns, some of them
//! expensive to decode (message text, JSON), as `where … | take n` and `where … | top n by …`
//! do on a wide log table: `where SeverityLevel == 4 | top 100 by TimeGenerated` (all eight
//! columns, 1% of the rows pass) over the bench's 10 M rows took 890 ms one way and 320 ms the
//! other. It loses otherwise: the filter columns are decoded twice, the rows are selected
//! piecemeal, and every page of a column is still decompressed when the passing rows are
//! spread over all of them. `where CounterName == "…" | summarize avg(CounterValue) by
//! Computer` (two cheap columns besides the filter's) took 110 ms and 147 ms, and
//! `where SeverityLevel >= 2 | parse Message …` (one wide column, 20% of the rows pass) 333–389
//! ms and 398–407 ms.
//!
//! So each scan picks one: filters are applied while decoding when the scan has filters and
//! the projected columns that no filter reads are at least [`LATE_COLUMNS`] columns averaging
//! at least [`LATE_BYTES_PER_ROW`] uncompressed bytes per row together, according to the
//! files' footers. Both settings give the same rows.

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{ScanArgs, ScanResult, Session, TableProvider};
use datafusion::common::config::ConfigOptions;
use datafusion::common::{Constraints, Result};
use datafusion::datasource::TableType;
use datafusion::datasource::listing::{FileRange, PartitionedFile};
use datafusion::datasource::listing::{ListingTable, ListingTableUrl};
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfig, FileScanConfigBuilder};
use datafusion::datasource::source::DataSourceExec;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

/// The uncompressed bytes per row of the projected non-filter columns from which a scan
/// applies its filters while decoding (see the module docs).
pub const LATE_BYTES_PER_ROW: f64 = 16.0;

/// The number of projected non-filter columns from which a scan applies its filters while
/// decoding (see the module docs).
pub const LATE_COLUMNS: usize = 4;

/// Where the row groups of one file start, and the file's size and modification time when
/// its footer was read: a file changed since is scanned in DataFusion's byte ranges, which
/// need no footer knowledge (dealt ranges from an old footer would miss or repeat row groups).
#[derive(Debug)]
pub struct RowGroupStarts {
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// Distinct, ascending: a range `[s, s + 1)` reads every row group starting at `s`.
    pub starts: Vec<i64>,
}

impl RowGroupStarts {
    /// `starts` sorted and made distinct.
    pub fn new(size: u64, modified: Option<SystemTime>, mut starts: Vec<i64>) -> Self {
        starts.sort_unstable();
        starts.dedup();
        RowGroupStarts {
            size,
            modified,
            starts,
        }
    }

    /// Is the file (its size and modification time as DataFusion lists it at scan time)
    /// as it was?
    fn current(&self, size: u64, modified: SystemTime) -> bool {
        size == self.size && self.modified == Some(modified)
    }
}

/// A table of plain Parquet files (see the module docs).
#[derive(Debug)]
pub struct ParquetTable {
    /// Filters applied after decoding.
    plain: ListingTable,
    /// Filters applied while decoding.
    late: ListingTable,
    /// Per column name: uncompressed bytes per row over all the files.
    bytes_per_row: HashMap<String, f64>,
    /// Per file (its object-store path): where each row group starts.
    row_groups: HashMap<String, RowGroupStarts>,
}

impl ParquetTable {
    pub fn new(
        plain: ListingTable,
        late: ListingTable,
        bytes_per_row: HashMap<String, f64>,
        row_groups: HashMap<String, RowGroupStarts>,
    ) -> Self {
        ParquetTable {
            plain,
            late,
            bytes_per_row,
            row_groups,
        }
    }

    /// `plan` (a scan of this table) with each file split into one byte range per row group,
    /// dealt round-robin to `target_partitions` partitions. DataFusion splits a file into equal byte
    /// ranges; when the row groups that survive pruning lie together (time-ordered logs and a
    /// time filter), they all fall in one partition's range and one core reads them. Dealt
    /// one by one, they spread over every partition (and an idle partition takes unopened
    /// ranges from the others). The plan is returned unchanged when it is not a plain file
    /// scan, it reads as many files as there are partitions or more, DataFusion would read it
    /// whole (file repartitioning off, or the files together smaller than
    /// `repartition_file_min_size`), or a file's row groups are not known or the file changed
    /// since its footer was read.
    ///
    /// (At this point DataFusion has grouped whole files only; it splits them into byte ranges
    /// later, in its physical optimizer, where 1-byte ranges fall below the minimum size and
    /// are left as they are.)
    fn split_row_groups(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        options: &ConfigOptions,
    ) -> Arc<dyn ExecutionPlan> {
        let Some(config) = plan
            .downcast_ref::<DataSourceExec>()
            .and_then(|e| e.data_source().downcast_ref::<FileScanConfig>())
        else {
            return plan;
        };
        // a file DataFusion reads whole stays whole, and its rows in file order
        let size: u64 = config
            .file_groups
            .iter()
            .flat_map(|g| g.iter())
            .map(|f| f.effective_size())
            .sum();
        if !options.optimizer.repartition_file_scans
            || size < options.optimizer.repartition_file_min_size as u64
        {
            return plan;
        }
        // As many files as partitions or more: DataFusion's ranges hold whole files or long
        // runs of them, and an idle partition takes the unopened files of another; dealing
        // row groups out only adds opens (a 30-file folder: 8–16% slower dealt)
        let partitions = options.execution.target_partitions;
        let mut seen = HashSet::new();
        let mut files: Vec<&PartitionedFile> = Vec::new();
        for f in config.file_groups.iter().flat_map(|g| g.iter()) {
            if seen.insert(&f.object_meta.location) {
                files.push(f);
                if files.len() >= partitions {
                    break;
                }
            }
        }
        if files.len() >= partitions {
            return plan;
        }
        let mut ranges = Vec::new();
        for f in files {
            let Some(known) = self
                .row_groups
                .get(f.object_meta.location.as_ref())
                .filter(|k| {
                    k.current(
                        f.object_meta.size,
                        SystemTime::from(f.object_meta.last_modified),
                    )
                })
            else {
                return plan;
            };
            for &start in &known.starts {
                // a fresh part, not a clone: the file's statistics would count once per range
                let mut part =
                    PartitionedFile::new(f.object_meta.location.clone(), f.object_meta.size);
                part.object_meta = f.object_meta.clone();
                part.partition_values = f.partition_values.clone();
                part.range = Some(FileRange {
                    start,
                    end: start.saturating_add(1),
                });
                ranges.push(part);
            }
        }
        if ranges.len() <= 1 {
            return plan;
        }
        let mut groups: Vec<Vec<PartitionedFile>> = (0..partitions.min(ranges.len()))
            .map(|_| Vec::new())
            .collect();
        let n = groups.len();
        for (i, r) in ranges.into_iter().enumerate() {
            if let Some(g) = groups.get_mut(i % n) {
                g.push(r);
            }
        }
        let config = FileScanConfigBuilder::from(config.clone())
            .with_file_groups(groups.into_iter().map(FileGroup::new).collect())
            .build();
        DataSourceExec::from_data_source(config)
    }

    /// The files' URLs.
    pub fn table_paths(&self) -> &Vec<ListingTableUrl> {
        self.plain.table_paths()
    }

    /// Whether a scan reading the columns `projection` (all when `None`) with `filters`
    /// applies them while decoding.
    pub fn late_materialize(&self, projection: Option<&[usize]>, filters: &[Expr]) -> bool {
        if filters.is_empty() {
            return false;
        }
        let filtered: HashSet<&str> = filters
            .iter()
            .flat_map(|f| f.column_refs())
            .map(|c| c.name.as_str())
            .collect();
        let schema = self.plain.schema();
        let all: Vec<usize> = (0..schema.fields().len()).collect();
        let others: Vec<&str> = projection
            .unwrap_or(&all)
            .iter()
            .filter_map(|i| schema.fields().get(*i))
            .map(|f| f.name().as_str())
            .filter(|name| !filtered.contains(name))
            .collect();
        let bytes: f64 = others
            .iter()
            .map(|name| self.bytes_per_row.get(*name).copied().unwrap_or(0.0))
            .sum();
        others.len() >= LATE_COLUMNS && bytes >= LATE_BYTES_PER_ROW
    }
}

#[async_trait::async_trait]
impl TableProvider for ParquetTable {
    fn schema(&self) -> SchemaRef {
        self.plain.schema()
    }

    fn constraints(&self) -> Option<&Constraints> {
        self.plain.constraints()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        self.plain.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let args = ScanArgs::default()
            .with_projection(projection.map(|p| p.as_slice()))
            .with_filters(Some(filters))
            .with_limit(limit);
        Ok(self.scan_with_args(state, args).await?.into_inner())
    }

    async fn scan_with_args<'a>(
        &self,
        state: &dyn Session,
        args: ScanArgs<'a>,
    ) -> Result<ScanResult> {
        let filters = args.filters().unwrap_or(&[]);
        let scan = if self.late_materialize(args.projection(), filters) {
            self.late.scan_with_args(state, args).await?
        } else {
            self.plain.scan_with_args(state, args).await?
        };
        if !crate::partitions::deal_row_groups(state.config()) {
            return Ok(scan);
        }
        Ok(ScanResult::new(self.split_row_groups(
            scan.into_inner(),
            state.config_options(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KqlContext;
    use crate::sources::testutil::{temp_dir, write_parquet};
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::arrow::util::display::array_value_to_string;
    use datafusion::common::Column;
    use datafusion::logical_expr::lit;

    /// A column by its exact name (DataFusion's `col` lower-cases it).
    fn col(name: &str) -> Expr {
        Expr::Column(Column::new_unqualified(name))
    }

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// 3,000 rows: a level 0..=4, a short dictionary-friendly name, a long text, and three
    /// more small columns.
    fn write_table(path: &std::path::Path) -> TestResult {
        let n = 3000i64;
        let level = Int64Array::from_iter_values((0..n).map(|i| (i * 7) % 5));
        let name = StringArray::from_iter_values((0..n).map(|i| format!("h{}", i % 3)));
        let text = StringArray::from_iter_values(
            (0..n).map(|i| format!("{i:05} {}", "a long message body ".repeat(4))),
        );
        let small = |k: i64| Int64Array::from_iter_values((0..n).map(move |i| i % k));
        let batch = RecordBatch::try_from_iter(vec![
            ("Level", Arc::new(level) as _),
            ("Name", Arc::new(name) as _),
            ("Text", Arc::new(text) as _),
            ("A", Arc::new(small(2)) as _),
            ("B", Arc::new(small(3)) as _),
            ("C", Arc::new(small(4)) as _),
        ])?;
        write_parquet(path, &batch, None)?;
        Ok(())
    }

    #[tokio::test]
    async fn wide_unfiltered_columns_are_decoded_after_the_filter() -> TestResult {
        let dir = temp_dir("late")?;
        let path = dir.join("t.parquet");
        write_table(&path)?;
        let opened = crate::sources::open_table_with_report(
            path.to_str().ok_or("a path")?,
            &Default::default(),
        )?;
        let table = opened
            .provider
            .as_ref()
            .downcast_ref::<ParquetTable>()
            .ok_or("a Parquet table")?;
        let level = || vec![col("Level").eq(lit(4i64))];
        // the whole row (the text among four or more other columns): late
        assert!(table.late_materialize(None, &level()));
        assert!(table.late_materialize(Some(&[0, 1, 2, 3, 4]), &level()));
        // the text alone, few short columns, no filter, or the text is the filter's: not late
        assert!(!table.late_materialize(Some(&[0, 2]), &level()));
        assert!(!table.late_materialize(Some(&[0, 1, 3, 4, 5]), &level()));
        assert!(!table.late_materialize(None, &[]));
        let on_text = vec![col("Text").like(lit("%00042%"))];
        assert!(!table.late_materialize(None, &on_text));

        // the answers are those of the data, whichever way the scan filters
        let ctx = KqlContext::new();
        ctx.register_path("T", path.to_str().ok_or("a path")?)?;
        let cases = [
            // late: 3000 rows, level 4 for i ≡ 2 (mod 5): 600 rows
            (
                "T | where Level == 4 | summarize c = count(), t = max(Text)",
                "600",
            ),
            // late, two filters: level 4 and name h0 (i ≡ 0 mod 3): i ≡ 12 (mod 15)
            (
                "T | where Level == 4 and Name == 'h0' | summarize c = count(), t = max(Text)",
                "200",
            ),
            // not late: only the name besides the filter
            (
                "T | where Level == 4 | summarize c = count() by Name | summarize c = sum(c)",
                "600",
            ),
        ];
        for (q, want) in cases {
            let res = ctx.run(q).await?;
            let b = &res[0].batches[0];
            assert_eq!(array_value_to_string(b.column(0), 0)?, want, "{q}");
        }
        // whole rows, so late: the rows and values are the data's
        let res = ctx.run("T | where Level == 4 | take 1000").await?;
        let rows: usize = res[0].batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 600);
        let res = ctx
            .run("T | where Level == 4 and Name == 'h0' | top 1 by Text desc")
            .await?;
        let b = &res[0].batches[0];
        let text = array_value_to_string(b.column(2), 0)?;
        assert!(text.starts_with("02997 "), "{text}");
        // i = 2997: A = 1, B = 0, C = 1
        let small: Vec<String> = (3..6)
            .map(|c| array_value_to_string(b.column(c), 0))
            .collect::<std::result::Result<_, _>>()?;
        assert_eq!(small, ["1", "0", "1"]);
        std::fs::remove_dir_all(dir)?;
        Ok(())
    }

    #[test]
    fn row_group_starts_are_distinct_and_tied_to_the_file_version() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(1_700_000_000_123);
        // two row groups claiming one start are read by one range, once
        let k = RowGroupStarts::new(500, Some(t), vec![90, 4, 90, 40]);
        assert_eq!(k.starts, [4, 40, 90]);
        assert!(k.current(500, t));
        assert!(!k.current(501, t));
        assert!(!k.current(500, t + std::time::Duration::from_nanos(1)));
        // a file whose modification time was not known is never taken as current
        assert!(!RowGroupStarts::new(500, None, vec![4]).current(500, t));
    }

    /// Writes rows `T` = `rows`, `Name` = "h{T % 3}", in row groups of `group` rows.
    fn write_rows(path: &std::path::Path, rows: std::ops::Range<i64>, group: usize) -> TestResult {
        let batch = RecordBatch::try_from_iter(vec![
            (
                "T",
                Arc::new(Int64Array::from_iter_values(rows.clone())) as _,
            ),
            (
                "Name",
                Arc::new(StringArray::from_iter_values(
                    rows.map(|i| format!("h{}", i % 3)),
                )) as _,
            ),
        ])?;
        write_parquet(path, &batch, Some(group))?;
        Ok(())
    }

    /// The first row of `query`'s result, each column as text.
    async fn first_row(
        ctx: &KqlContext,
        query: &str,
    ) -> std::result::Result<Vec<String>, Box<dyn std::error::Error>> {
        let res = ctx.run(query).await?;
        let b = res
            .first()
            .and_then(|r| r.batches.first())
            .ok_or("no batch")?;
        Ok((0..b.num_columns())
            .map(|c| array_value_to_string(b.column(c), 0))
            .collect::<std::result::Result<_, _>>()?)
    }

    /// The byte ranges a plan's scan reads, as (start, end).
    fn ranges(plan: &str, suffix: &str) -> Vec<(u64, u64)> {
        plan.split(suffix)
            .skip(1)
            .filter_map(|s| {
                let s = s.strip_prefix(':')?;
                let end = s.find(|c: char| c != '.' && !c.is_ascii_digit())?;
                let (a, b) = s[..end].split_once("..")?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .collect()
    }

    /// A folder of fewer files than partitions has its row groups dealt; one of as many files
    /// as partitions keeps DataFusion's ranges (whole files here). Both read every row.
    #[tokio::test]
    async fn folders_are_dealt_only_with_fewer_files_than_partitions() -> TestResult {
        for (files, dealt) in [(2i64, true), (4, false)] {
            let dir = temp_dir(&format!("row-groups-{files}"))?;
            for f in 0..files {
                write_rows(
                    &dir.join(format!("p{f}.parquet")),
                    f * 3000..(f + 1) * 3000,
                    1000,
                )?;
            }
            let ctx = KqlContext::new();
            ctx.register_path("T", dir.to_str().ok_or("a path")?)?;
            {
                let state = ctx.session().state_ref();
                let mut state = state.write();
                let options = state.config_mut().options_mut();
                options.execution.target_partitions = 4;
                options.optimizer.repartition_file_min_size = 1000;
            }
            let q = "T | where T >= 1500 | summarize c = count(), s = sum(T)";
            let plan = ctx.explain(q).await?;
            let got = ranges(&plan, ".parquet");
            let one_byte = got.iter().filter(|(a, b)| *b == a + 1).count();
            if dealt {
                assert_eq!((got.len(), one_byte), (6, 6), "{plan}");
            } else {
                assert_eq!(one_byte, 0, "{plan}");
            }
            let n = files * 3000;
            let want = [
                (n - 1500).to_string(),
                ((1500 + n - 1) * (n - 1500) / 2).to_string(),
            ];
            assert_eq!(first_row(&ctx, q).await?, want);
            std::fs::remove_dir_all(dir)?;
        }
        Ok(())
    }

    /// A file of 7 row groups of 1,000 rows, ordered by `T`: a filter on the last 2,500
    /// rows keeps 3 row groups, which the scan deals to different partitions instead of the
    /// one whose byte range holds them; the answers are the data's.
    #[tokio::test]
    async fn row_groups_are_dealt_to_the_partitions() -> TestResult {
        let dir = temp_dir("row-groups")?;
        let path = dir.join("t.parquet");
        write_rows(&path, 0..7000, 1000)?;
        let ctx = KqlContext::new();
        ctx.register_path("T", path.to_str().ok_or("a path")?)?;
        // a small file is read whole, in file order
        let plan = ctx.explain("T | where T >= 4500 | count").await?;
        assert!(plan.contains("file_groups={1 group"), "{plan}");
        // as a large one would be: split. (The minimum lies between the file's size and the
        // 7 bytes of its 1-byte row-group ranges, which DataFusion then leaves as they are.)
        let size = std::fs::metadata(&path)?.len();
        assert!(size > 1000, "{size}");
        ctx.session()
            .state_ref()
            .write()
            .config_mut()
            .options_mut()
            .optimizer
            .repartition_file_min_size = 1000;
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let q = "T | where T >= 4500 | summarize c = count(), s = sum(T), n = dcount(Name)";
        let plan = ctx.explain(q).await?;
        // one byte range per row group (not DataFusion's equal byte ranges), dealt to
        // min(7, partitions) groups
        let groups = (2 * cores).min(7);
        assert!(
            plan.contains(&format!("file_groups={{{groups} group")),
            "{groups} groups: {plan}"
        );
        let ranges = ranges(&plan, "t.parquet");
        assert_eq!(ranges.len(), 7, "{plan}");
        assert!(ranges.iter().all(|(a, b)| b == &(a + 1)), "{plan}");
        let got = first_row(&ctx, q).await?;
        // rows 4500..7000: 2,500 rows, sum (4500 + 6999) · 2500 / 2, three names
        assert_eq!(got, ["2500", "14373750", "3"]);
        assert_eq!(
            first_row(&ctx, "T | summarize c = count(), s = sum(T)").await?,
            ["7000", "24496500"]
        );
        assert_eq!(
            first_row(&ctx, "T | top 3 by T desc | summarize s = sum(T)").await?,
            ["20994"]
        );
        // the file rewritten with more rows, in other row groups: the row groups known from
        // the old footer no longer apply, and DataFusion's byte ranges read every row
        write_rows(&path, 0..12_000, 700)?;
        let got = first_row(&ctx, q).await?;
        // rows 4500..12000: 7,500 rows, sum (4500 + 11999) · 7500 / 2, three names
        assert_eq!(got, ["7500", "61871250", "3"]);
        std::fs::remove_dir_all(dir)?;
        Ok(())
    }
}
