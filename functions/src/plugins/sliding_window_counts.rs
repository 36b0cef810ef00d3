//! `T | evaluate sliding_window_counts(IdColumn, TimelineColumn, Start, End, LookbackWindow,
//! Bin [, dim1, ...])` (sliding-window-counts-plugin.md): for each bin of the analysis period,
//! the number of rows (`Count`) and of distinct ids (`Dcount`) in the lookback window ending at
//! that bin.
//!
//! The docs describe it as the "aggregations over a sliding window" technique of
//! tutorials/use-aggregation-functions.md: each row is binned relative to *Start*, counted in
//! its own bin and in the following bins that still have it in their lookback window, and the
//! result is summarized per bin. So:
//!
//! - bins are `bin_at(Timeline, Bin, Start)`; the lookback window of bin `b` is the last
//!   `floor(LookbackWindow / Bin)` bins up to and including `b` (the docs: a lookback that is
//!   not a multiple of *Bin* is rounded down); rows before *Start* that are in the window of
//!   the first bins count there;
//! - one row per bin from *Start* to *End* (inclusive) and per dimension combination, and only
//!   where the window holds rows (the summarize of the technique makes no empty groups);
//! - a string *Bin* (`week`, `month`, `year`) bins by `startofweek`/`startofmonth`/
//!   `startofyear`; the window of a bin is then the bins that start no earlier than
//!   `end of the bin - LookbackWindow` (for fixed bins this is the same rounding down).
//!
//! Output columns: the timeline column (its type), the dimensions, `Count` and `Dcount` (long).
//! The docs' schema table spells them `count`/`dcount` and its example `Count`/`dcount`;
//! Kusto.Language's plugin table (PlugIns.cs) gives `Count` and `Dcount`, which we follow.
//!
//! This file also holds the timeline helpers that `session_count` and `rolling_percentile`
//! share: reading a numeric/datetime/timespan column, constants in the column's domain, bin
//! grids, grouping rows by dimension columns, and building the output columns.

use super::timeline::{
    Axis, Col, Grid, Groups, Num, axis_array, axis_const, dimension_args, one_batch, output_schema,
    timeline_axis,
};
use super::{PluginArg, PluginArgs, PluginDef, PluginError, TablePlugin};
use crate::types::KqlType;
use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, ScalarValue};
use std::collections::HashMap;
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "sliding_window_counts",
    signature: "sliding_window_counts(IdColumn, TimelineColumn, Start, End, LookbackWindow, Bin \
                [, dim1, dim2, ...])",
    description: "Counts rows and distinct ids in a lookback window ending at each bin of the \
                  analysis period, per dimension combination.",
    params: &[
        ("IdColumn", "the column whose distinct values are counted"),
        (
            "TimelineColumn",
            "the time (or number) column that places rows in bins",
        ),
        ("Start", "the first bin of the analysis period"),
        ("End", "the last bin of the analysis period (inclusive)"),
        (
            "LookbackWindow",
            "the window length, rounded down to a multiple of Bin",
        ),
        (
            "Bin",
            "the step: a constant of the timeline's kind, or 'week', 'month', 'year'",
        ),
        ("dim1, dim2, ...", "columns that slice the counts"),
    ],
    example: "datatable(UserId:string, Timestamp:datetime) ['Bob', datetime(2017-08-01), \
              'John', datetime(2017-08-02), 'Bob', datetime(2017-08-03)] \
              | evaluate sliding_window_counts(UserId, Timestamp, datetime(2017-08-01), \
              datetime(2017-08-04), 2d, 1d)",
    // by hand: a 2-day window ending at each day; 08-02 and 08-03 see Bob and John
    expected: "Timestamp,Count,Dcount\n2017-08-01T00:00:00Z,1,1\n2017-08-02T00:00:00Z,2,2\n\
               2017-08-03T00:00:00Z,2,2\n2017-08-04T00:00:00Z,1,1\n",
    plan,
};

#[derive(Debug)]
struct SlidingWindowCounts {
    input: SchemaRef,
    id: usize,
    timeline: usize,
    dims: Vec<usize>,
    /// Bin grid, and the indexes of the first and last bins of the analysis period.
    grid: Grid,
    first: i64,
    last: i64,
    /// Fixed bins: the window length in bins; calendar bins: the lookback in nanoseconds.
    window: Window,
    schema: SchemaRef,
}

#[derive(Clone, Copy, Debug)]
enum Window {
    Bins(i64),
    Span(i64),
}

fn plan(args: &PluginArgs, schemas: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    let name = DEF.name;
    args.only_named(name, &[])?;
    let input = schemas
        .first()
        .ok_or_else(|| PluginError::call(format!("{name}() needs an input table")))?;
    if args.len() < 6 {
        return Err(PluginError::call(format!(
            "{name}() needs at least 6 arguments: {}",
            DEF.signature
        )));
    }
    let (_, id) = args.required_column(0, "IdColumn", input)?;
    if KqlType::of_field(input.field(id)) == KqlType::Dynamic {
        return Err(PluginError::at(0, "IdColumn must not be dynamic"));
    }
    let (_, timeline) = args.required_column(1, "TimelineColumn", input)?;
    let axis = timeline_axis(input, timeline, 1, "TimelineColumn")?;
    let start = axis_const(args, 2, "Start", axis, true)?;
    let end = axis_const(args, 3, "End", axis, true)?;
    let lookback = axis_const(args, 4, "LookbackWindow", axis, false)?;
    let calendar = match args.get(5) {
        Some(PluginArg::Value(ScalarValue::Utf8(Some(s)))) => Some(s.to_ascii_lowercase()),
        _ => None,
    };
    let (grid, window) = match calendar {
        Some(unit) => {
            if axis != Axis::Datetime {
                return Err(PluginError::at(
                    5,
                    format!("Bin '{unit}' needs a datetime timeline column"),
                ));
            }
            let Num::I(span) = lookback else {
                return Err(PluginError::at(4, "LookbackWindow must be a timespan"));
            };
            let grid = match unit.as_str() {
                // startofweek: weeks start on Sunday; 1970-01-04 was a Sunday
                "week" => Grid::Int {
                    origin: 3 * 86_400 * 1_000_000_000,
                    size: 7 * 86_400 * 1_000_000_000,
                },
                "month" => Grid::Months(1),
                "year" => Grid::Months(12),
                _ => {
                    return Err(PluginError::at(
                        5,
                        format!(
                            "Bin must be a constant of the timeline's kind or one of 'week', \
                             'month', 'year', got '{unit}'"
                        ),
                    ));
                }
            };
            (grid, Window::Span(span))
        }
        None => {
            let bin = axis_const(args, 5, "Bin", axis, false)?;
            let grid = Grid::fixed(start, bin)
                .ok_or_else(|| PluginError::at(5, "Bin must be greater than zero"))?;
            if lookback.as_f64() < 0.0 {
                return Err(PluginError::at(4, "LookbackWindow must not be negative"));
            }
            // INFER: a lookback shorter than one bin still counts the bin itself
            let bins = (lookback.as_f64() / bin.as_f64()).floor().max(1.0);
            let bins = if axis.is_int() {
                match (lookback, bin) {
                    (Num::I(l), Num::I(b)) => (l / b).max(1),
                    _ => bins as i64,
                }
            } else {
                bins.min(1.0e9) as i64
            };
            (grid, Window::Bins(bins))
        }
    };
    let first = grid
        .index(start)
        .ok_or_else(|| PluginError::at(2, "Start is out of range"))?;
    let last = grid
        .index(end)
        .ok_or_else(|| PluginError::at(3, "End is out of range"))?;
    let dims = dimension_args(args, 6, input, timeline)?;
    let schema = output_schema(
        input,
        timeline,
        &dims,
        vec![
            Field::new("Count", DataType::Int64, false),
            Field::new("Dcount", DataType::Int64, false),
        ],
    );
    Ok(Arc::new(SlidingWindowCounts {
        input: Arc::clone(input),
        id,
        timeline,
        dims,
        grid,
        first,
        last,
        window,
        schema,
    }))
}

impl SlidingWindowCounts {
    /// The first bin in the window of bin `k`.
    fn window_start(&self, k: i64) -> i64 {
        match self.window {
            Window::Bins(n) => k.saturating_sub(n - 1),
            Window::Span(span) => {
                // the earliest bin starting at or after (end of bin k) - span
                let (Some(Num::I(end)), true) = (self.grid.start(k.saturating_add(1)), span > 0)
                else {
                    return k;
                };
                let from = end.saturating_sub(span);
                match self.grid.index(Num::I(from)) {
                    Some(j) => {
                        let starts_before =
                            matches!(self.grid.start(j), Some(Num::I(s)) if s < from);
                        let j = if starts_before { j + 1 } else { j };
                        j.min(k)
                    }
                    None => k,
                }
            }
        }
    }
}

impl TablePlugin for SlidingWindowCounts {
    fn name(&self) -> &'static str {
        DEF.name
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(Arc::clone(&self.schema))
    }

    fn describe(&self) -> String {
        format!(
            "sliding_window_counts(id={}, timeline={}, bins {}..={}, window {:?})",
            self.input.field(self.id).name(),
            self.input.field(self.timeline).name(),
            self.first,
            self.last,
            self.window
        )
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let batch = one_batch(inputs, 0, &self.input)?;
        let times = Col::read(batch.column(self.timeline))?;
        let groups = Groups::new(&batch, &self.dims)?;
        // ids as small integers (null ids count as rows but not as distinct ids)
        let id_col = Arc::clone(batch.column(self.id));
        let conv = RowConverter::new(vec![SortField::new(id_col.data_type().clone())])?;
        let id_rows = conv.convert_columns(&[Arc::clone(&id_col)])?;
        let mut id_num: HashMap<&[u8], u32> = HashMap::new();
        let lo = self.window_start(self.first);
        // per group: bin → (rows, ids)
        let mut bins: Vec<HashMap<i64, (i64, Vec<u32>)>> = vec![HashMap::new(); groups.len()];
        for i in 0..times.len() {
            let Some(k) = times.get(i).and_then(|t| self.grid.index(t)) else {
                continue;
            };
            if k < lo || k > self.last {
                continue;
            }
            let e = bins[groups.of_row[i]].entry(k).or_default();
            e.0 += 1;
            if id_col.is_valid(i) {
                let next = u32::try_from(id_num.len()).unwrap_or(u32::MAX);
                e.1.push(*id_num.entry(id_rows.row(i).data()).or_insert(next));
            }
        }
        let mut out_groups = Vec::new();
        let mut out_bins = Vec::new();
        let mut counts = Vec::new();
        let mut dcounts = Vec::new();
        for (g, per_bin) in bins.iter().enumerate() {
            let mut keys: Vec<i64> = per_bin.keys().copied().collect();
            keys.sort_unstable();
            // slide over the bins: add bins up to k, drop bins before the window start (which
            // never decreases); jump over stretches where the window is empty
            let mut live: HashMap<u32, i64> = HashMap::new();
            let (mut rows, mut added, mut dropped) = (0_i64, 0_usize, 0_usize);
            let mut k = self.first;
            while k <= self.last {
                let from = self.window_start(k);
                while added < keys.len() && keys[added] <= k {
                    if let Some((n, ids)) = per_bin.get(&keys[added]) {
                        rows += n;
                        for id in ids {
                            *live.entry(*id).or_insert(0) += 1;
                        }
                    }
                    added += 1;
                }
                while dropped < added && keys[dropped] < from {
                    if let Some((n, ids)) = per_bin.get(&keys[dropped]) {
                        rows -= n;
                        for id in ids {
                            if let Some(c) = live.get_mut(id) {
                                *c -= 1;
                                if *c == 0 {
                                    live.remove(id);
                                }
                            }
                        }
                    }
                    dropped += 1;
                }
                if rows > 0 {
                    out_groups.push(g);
                    out_bins.push(self.grid.start(k));
                    counts.push(rows);
                    dcounts.push(live.len() as i64);
                } else if dropped == added {
                    // nothing in the window: go to the next bin that has rows
                    match keys.get(added) {
                        Some(&next) if next > k => {
                            k = next;
                            continue;
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
                match k.checked_add(1) {
                    Some(n) => k = n,
                    None => break,
                }
            }
        }
        let mut columns = vec![axis_array(
            self.input.field(self.timeline).data_type(),
            &out_bins,
        )?];
        columns.extend(groups.dims(&batch, &self.dims, &out_groups)?);
        columns.push(Arc::new(Int64Array::from(counts)));
        columns.push(Arc::new(Int64Array::from(dcounts)));
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), columns)?)
    }
}

/// Helpers for the window plugins' tests.
#[cfg(test)]
pub(super) mod testing {
    use super::super::{PluginArg, PluginArgs, TablePlugin};
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::arrow::util::display::array_value_to_string;
    use datafusion::common::ScalarValue;
    use std::sync::Arc;

    pub fn col(schema: &SchemaRef, name: &str) -> PluginArg {
        PluginArg::Column {
            name: name.to_string(),
            index: schema.index_of(name).unwrap(),
        }
    }

    pub fn val(v: ScalarValue) -> PluginArg {
        PluginArg::Value(v)
    }

    pub fn long(v: i64) -> PluginArg {
        PluginArg::Value(ScalarValue::Int64(Some(v)))
    }

    pub fn args(positional: Vec<PluginArg>) -> PluginArgs {
        PluginArgs {
            positional,
            ..Default::default()
        }
    }

    pub fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        let fields: Vec<Field> = columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect();
        RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            columns.into_iter().map(|(_, a)| a).collect(),
        )
        .unwrap()
    }

    /// Plans and runs a plugin over one input batch (plus table arguments).
    pub fn run(
        plan: super::super::PlanFn,
        a: &PluginArgs,
        inputs: Vec<RecordBatch>,
    ) -> RecordBatch {
        let schemas: Vec<SchemaRef> = inputs.iter().map(|b| b.schema()).collect();
        let p: Arc<dyn TablePlugin> = plan(a, &schemas).unwrap();
        let out = p
            .run(&inputs.into_iter().map(|b| vec![b]).collect::<Vec<_>>())
            .unwrap();
        assert_eq!(Some(out.schema()), p.output_schema());
        out
    }

    /// The rows as `a,b,c` joined by `;`, with the columns in the order given.
    pub fn render(b: &RecordBatch, cols: &[usize]) -> String {
        (0..b.num_rows())
            .map(|r| {
                cols.iter()
                    .map(|&c| array_value_to_string(b.column(c), r).unwrap())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The generated rows of tests/oracles/plugins_windows.py (data G): id, t, v, dim.
    pub fn lcg_rows() -> RecordBatch {
        let mut s: u64 = 7;
        let mut draw = || {
            s = (1_103_515_245 * s + 12_345) % (1 << 31);
            s >> 16
        };
        let (mut id, mut t, mut v, mut dim) = (vec![], vec![], vec![], vec![]);
        for _ in 0..120 {
            let (r1, r2, r3, r4) = (draw(), draw(), draw(), draw());
            id.push(format!("u{}", r1 % 9));
            t.push((r2 % 200) as i64);
            v.push((r3 % 1000) as i64);
            dim.push(if r4 % 2 == 0 { "A" } else { "B" });
        }
        batch(vec![
            ("id", Arc::new(StringArray::from(id))),
            ("t", Arc::new(Int64Array::from(t))),
            ("v", Arc::new(Int64Array::from(v))),
            ("dim", Arc::new(StringArray::from(dim))),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use datafusion::arrow::array::StringArray;
    use datafusion::arrow::array::TimestampNanosecondArray;
    use datafusion::arrow::datatypes::TimeUnit;

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
    }

    fn dt(s: &str) -> PluginArg {
        val(ScalarValue::TimestampNanosecond(
            Some(ts(s)),
            Some("UTC".into()),
        ))
    }

    fn span_days(d: i64) -> PluginArg {
        val(ScalarValue::DurationNanosecond(Some(
            d * 86_400_000_000_000,
        )))
    }

    fn events(rows: &[(&str, &str)]) -> RecordBatch {
        batch(vec![
            (
                "UserId",
                Arc::new(StringArray::from(
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                )),
            ),
            (
                "Timestamp",
                Arc::new(
                    TimestampNanosecondArray::from(
                        rows.iter().map(|r| ts(r.1)).collect::<Vec<_>>(),
                    )
                    .with_timezone("UTC"),
                ),
            ),
        ])
    }

    /// sliding-window-counts-plugin.md's example (query MIT); the expected rows re-derived by
    /// hand: per day 5 rows {Bob, David, John}, 3 {Ananda, Atul, John}, 5 {Ananda, Atul,
    /// John, Bob}, 1 {Betsy}, 1 {Bob}; a 3-day window sums the day and the two before it.
    #[test]
    fn docs_example() {
        let d1 = "2017-08-01T00:00:00Z";
        let d2 = "2017-08-02T00:00:00Z";
        let d3 = "2017-08-03T00:00:00Z";
        let b = events(&[
            ("Bob", d1),
            ("David", d1),
            ("David", d1),
            ("John", d1),
            ("Bob", d1),
            ("Ananda", d2),
            ("Atul", d2),
            ("John", d2),
            ("Ananda", d3),
            ("Atul", d3),
            ("Atul", d3),
            ("John", d3),
            ("Bob", d3),
            ("Betsy", "2017-08-04T00:00:00Z"),
            ("Bob", "2017-08-05T00:00:00Z"),
        ]);
        let s = b.schema();
        let a = args(vec![
            col(&s, "UserId"),
            col(&s, "Timestamp"),
            dt(d1),
            dt("2017-08-07T00:00:00Z"),
            span_days(3),
            span_days(1),
        ]);
        let out = run(plan, &a, vec![b]);
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["Timestamp", "Count", "Dcount"]);
        assert_eq!(
            out.schema().field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
        );
        let expected = [(5, 3), (8, 5), (13, 5), (9, 5), (7, 5), (2, 2), (1, 1)]
            .iter()
            .enumerate()
            .map(|(i, (c, d))| format!("2017-08-0{}T00:00:00Z,{c},{d}", i + 1))
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(render(&out, &[0, 1, 2]), expected);
    }

    /// Generated data against tests/oracles/plugins_windows.py (pandas).
    #[test]
    fn oracle_generated() {
        let b = lcg_rows();
        let s = b.schema();
        let a = args(vec![
            col(&s, "id"),
            col(&s, "t"),
            long(20),
            long(180),
            long(30),
            long(10),
            col(&s, "dim"),
        ]);
        let out = run(plan, &a, vec![b]);
        let expected = "A,20,10,6;A,30,9,6;A,40,9,8;A,50,8,5;A,60,8,5;A,70,9,6;A,80,7,6;\
                        A,90,9,5;A,100,9,5;A,110,9,6;A,120,7,4;A,130,6,3;A,140,8,6;A,150,7,7;\
                        A,160,12,9;A,170,10,7;A,180,11,7;B,20,9,6;B,30,5,4;B,40,6,6;B,50,6,5;\
                        B,60,6,6;B,70,7,5;B,80,10,5;B,90,13,6;B,100,11,6;B,110,8,5;B,120,7,5;\
                        B,130,8,6;B,140,9,6;B,150,8,4;B,160,9,6;B,170,8,6;B,180,14,8";
        assert_eq!(render(&out, &[1, 0, 2, 3]), expected);
    }

    /// Calendar bins, by hand. Weeks start on Sunday: 2024-01-01 (Mon) and 01-06 (Sat) are in
    /// the week of 2023-12-31, 01-07 (Sun) starts the next, 01-15 is in the week of 01-14. A
    /// 14-day lookback holds two weeks.
    #[test]
    fn week_bins() {
        let b = events(&[
            ("a", "2024-01-01T10:00:00Z"),
            ("b", "2024-01-06T00:00:00Z"),
            ("a", "2024-01-07T00:00:00Z"),
            ("c", "2024-01-15T00:00:00Z"),
        ]);
        let s = b.schema();
        let a = args(vec![
            col(&s, "UserId"),
            col(&s, "Timestamp"),
            dt("2024-01-01T00:00:00Z"),
            dt("2024-01-20T00:00:00Z"),
            span_days(14),
            val(ScalarValue::Utf8(Some("week".into()))),
        ]);
        let out = run(plan, &a, vec![b]);
        assert_eq!(
            render(&out, &[0, 1, 2]),
            "2023-12-31T00:00:00Z,2,2;2024-01-07T00:00:00Z,3,2;2024-01-14T00:00:00Z,2,2"
        );
    }

    /// Month bins with a 60-day lookback (2024 is a leap year): March's window starts at
    /// 04-01 − 60d = 02-01 (February and March), February's at 03-01 − 60d = 01-01 (January
    /// and February), January's at 12-03 (January only, as December starts before it).
    #[test]
    fn month_bins() {
        let b = events(&[
            ("a", "2024-01-15T00:00:00Z"),
            ("b", "2024-02-03T00:00:00Z"),
            ("a", "2024-03-31T23:00:00Z"),
        ]);
        let s = b.schema();
        let a = args(vec![
            col(&s, "UserId"),
            col(&s, "Timestamp"),
            dt("2024-01-01T00:00:00Z"),
            dt("2024-03-01T00:00:00Z"),
            span_days(60),
            val(ScalarValue::Utf8(Some("month".into()))),
        ]);
        let out = run(plan, &a, vec![b]);
        assert_eq!(
            render(&out, &[0, 1, 2]),
            "2024-01-01T00:00:00Z,1,1;2024-02-01T00:00:00Z,2,2;2024-03-01T00:00:00Z,2,2"
        );
    }

    /// An empty stretch is skipped (no rows for windows without rows), and null ids count as
    /// rows but not as distinct ids.
    #[test]
    fn gaps_and_nulls() {
        let b = batch(vec![
            (
                "id",
                Arc::new(StringArray::from(vec![Some("x"), None, Some("x")])),
            ),
            ("t", Arc::new(Int64Array::from(vec![0, 1, 1_000_000_000]))),
        ]);
        let s = b.schema();
        let a = args(vec![
            col(&s, "id"),
            col(&s, "t"),
            long(0),
            long(2_000_000_000),
            long(2),
            long(1),
        ]);
        let out = run(plan, &a, vec![b]);
        assert_eq!(
            render(&out, &[0, 1, 2]),
            "0,1,1;1,2,1;2,1,0;1000000000,1,1;1000000001,1,1"
        );
    }

    #[test]
    fn bad_arguments() {
        let b = lcg_rows();
        let s = b.schema();
        let call = |pos: Vec<PluginArg>| plan(&args(pos), &[Arc::clone(&s)]).unwrap_err();
        let e = call(vec![
            col(&s, "id"),
            col(&s, "t"),
            long(0),
            long(10),
            long(3),
            long(0),
        ]);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(5)));
        assert!(e.message.contains("greater than zero"), "{}", e.message);
        let e = call(vec![
            col(&s, "id"),
            col(&s, "dim"),
            long(0),
            long(10),
            long(3),
            long(1),
        ]);
        assert!(e.message.contains("TimelineColumn 'dim'"), "{}", e.message);
        let e = call(vec![
            col(&s, "id"),
            col(&s, "t"),
            dt("2024-01-01T00:00:00Z"),
            long(10),
            long(3),
            long(1),
        ]);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(2)));
        let e = call(vec![col(&s, "id"), col(&s, "t"), long(0)]);
        assert!(e.message.contains("at least 6"), "{}", e.message);
        let e = call(vec![
            col(&s, "id"),
            col(&s, "t"),
            long(0),
            long(10),
            long(3),
            val(ScalarValue::Utf8(Some("week".into()))),
        ]);
        assert!(e.message.contains("datetime"), "{}", e.message);
    }
}

/// Rough timings at scale (`cargo test --release -p kql-functions -- --ignored window_plugin_timings
/// --nocapture`); prints, asserts nothing but row counts.
#[cfg(test)]
mod timings {
    use super::super::PluginArg;
    use super::testing::*;
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::common::ScalarValue;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    #[ignore]
    fn window_plugin_timings() {
        let n: i64 = 1_000_000;
        // 1M rows: 20k ids, t over 0..100k, values pseudo-random, 4 dimension values
        let b = batch(vec![
            (
                "id",
                Arc::new(Int64Array::from(
                    (0..n).map(|i| (i * 7919) % 20_000).collect::<Vec<_>>(),
                )),
            ),
            (
                "t",
                Arc::new(Int64Array::from((0..n).map(|i| i / 10).collect::<Vec<_>>())),
            ),
            (
                "v",
                Arc::new(Int64Array::from(
                    (0..n).map(|i| (i * 104_729) % 1_000).collect::<Vec<_>>(),
                )),
            ),
            (
                "dim",
                Arc::new(StringArray::from(
                    (0..n)
                        .map(|i| ["a", "b", "c", "d"][(i % 4) as usize])
                        .collect::<Vec<_>>(),
                )),
            ),
        ]);
        let s = b.schema();
        let time = |name: &str, plan: super::super::PlanFn, pos: Vec<PluginArg>, inputs: Vec<_>| {
            let t0 = Instant::now();
            let out = run(plan, &args(pos), inputs);
            println!("{name}: {} rows out in {:?}", out.num_rows(), t0.elapsed());
        };
        time(
            "sliding_window_counts(1M rows, 100 bins of 1000, lookback 7 bins, 4 dims)",
            super::plan,
            vec![
                col(&s, "id"),
                col(&s, "t"),
                long(0),
                long(100_000),
                long(7_000),
                long(1_000),
                col(&s, "dim"),
            ],
            vec![b.clone()],
        );
        time(
            "session_count(1M rows, 100 bins, lookback 500, 4 dims)",
            super::super::session_count::DEF.plan,
            vec![
                col(&s, "id"),
                col(&s, "t"),
                long(0),
                long(100_000),
                long(1_000),
                long(500),
                col(&s, "dim"),
            ],
            vec![b.clone()],
        );
        time(
            "rolling_percentile(1M rows, 100 bins, 7 bins per window, 4 dims)",
            super::super::rolling_percentile::DEF.plan,
            vec![
                col(&s, "v"),
                long(90),
                col(&s, "t"),
                long(1_000),
                long(7),
                col(&s, "dim"),
            ],
            vec![b.clone()],
        );
        // ipv4_lookup: 100k /24 ranges, 1M addresses (about half in a range)
        let nets: Vec<String> = (0..100_000_u32)
            .map(|i| {
                let a = i * 2;
                format!("{}.{}.{}.0/24", 10 + (a >> 16), (a >> 8) & 255, a & 255)
            })
            .collect();
        let lookup = batch(vec![
            ("net", Arc::new(StringArray::from(nets))),
            (
                "k",
                Arc::new(Int64Array::from((0..100_000).collect::<Vec<i64>>())),
            ),
        ]);
        let ips: Vec<String> = (0..n as u32)
            .map(|i| {
                let a = (i.wrapping_mul(2_654_435_761) >> 8) % 200_000;
                format!(
                    "{}.{}.{}.{}",
                    10 + (a >> 16),
                    (a >> 8) & 255,
                    a & 255,
                    i & 255
                )
            })
            .collect();
        let input = batch(vec![("ip", Arc::new(StringArray::from(ips)))]);
        let is = input.schema();
        time(
            "ipv4_lookup(1M addresses, 100k ranges)",
            super::super::ipv4_lookup::DEF.plan,
            vec![
                PluginArg::Table(1),
                col(&is, "ip"),
                val(ScalarValue::Utf8(Some("net".into()))),
            ],
            vec![input, lookup],
        );
    }
}
