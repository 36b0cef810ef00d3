//! `T | evaluate pivot(pivotColumn [, aggregationFunction] [, column1 [, column2 ...]])
//! [: (OutputSchema)]` (pivot-plugin.md): one output row per distinct combination of the
//! by-columns, one output column per distinct value of the pivot column, each cell the
//! aggregation over the rows of that combination and value.
//!
//! # Argument contract with the planner
//!
//! Kusto writes the aggregation as a call (`sum(DeathsDirect)`, `count()`), which is neither a
//! column nor a constant, so the planner rewrites it. The plugin receives positional arguments:
//!
//! | position | argument |
//! |---|---|
//! | 0 | the pivot column: `PluginArg::Column` |
//! | 1 (optional) | the aggregation's name as a string constant, `PluginArg::Value(Utf8("sum"))`, present whenever the call has an aggregation (also an explicit `count()`) |
//! | next | the aggregation's column argument, `PluginArg::Column` — for every aggregation except `count`, which takes none |
//! | next (optional) | `dcount`'s accuracy, a numeric constant (accepted and ignored: `dcount` is exact here) |
//! | rest | the by-columns (`column1, column2, ...`), each a `PluginArg::Column` |
//!
//! So `pivot(State, sum(DeathsDirect), EventType)` arrives as `[Column State, Value "sum",
//! Column DeathsDirect, Column EventType]` and `pivot(State)` as `[Column State]`. The planner
//! rejects an aggregation argument that is not a bare column name of the input (Kusto's doc
//! only shows column arguments), and an arity other than the one above (`count(x)` would
//! otherwise read `x` as a by-column). Aggregation names: `count`, `dcount`, `sum`, `avg`,
//! `min`, `max`, `take_any` (and its alias `any`), `stdev`, `variance`, `make_list`, `make_set`,
//! `make_bag` — the doc's list; anything else is an error naming it.
//!
//! # Output
//!
//! The by-columns (as given; by default every input column except the pivot column and the
//! aggregation's column, in input order), then one column per pivot value, named by the value's
//! `tostring()` text. A (row, value) combination with no input rows holds the aggregation's
//! default (summarize-operator.md "Default values of aggregations": 0 for `count`, `dcount`,
//! `sum`, `stdev`, `variance`; `[]` for `make_list`, `make_set`, `make_bag`; null otherwise —
//! pairwise-dist-fl.md's `pivot(entity, max(dist), entity1)` output shows such `max` cells
//! empty).
//! Null values are ignored by every aggregation but `count()`.
//!
//! INFER (the doc does not say):
//! - rows come in the order their by-column combination first appears; pivot columns in the
//!   order their value first appears (the doc's example lists ARKANSAS before ARIZONA, so the
//!   columns are not sorted);
//! - an empty pivot value (empty string or null) makes a column named `Column1` (Kusto's name
//!   for an unnamed column), and a value equal to an earlier column's name gets a numeric
//!   suffix (`x1`, `x2`, ...), as `join` does with clashing names;
//! - with an output schema, a declared name that is a by-column takes that column; any other
//!   declared name is the pivot value of that text (its cells the default when the value never
//!   occurs; values not declared are dropped); cells are cast to the declared type. A schema
//!   starting with `*` is rejected.

use super::bag_unpack::{gather, make_batch};
use super::narrow::column_text;
use super::{PluginArg, PluginArgs, PluginDef, PluginError, TablePlugin};
use crate::types::KqlType;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{
    DataType, DurationNanosecondType, Field, FieldRef, Float64Type, Int64Type, Schema, SchemaRef,
    TimeUnit,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{Result, ScalarValue, exec_err};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "pivot",
    signature: "pivot(pivotColumn [, aggregationFunction(column)] [, column1 [, column2 ...]]) [: (OutputSchema)]",
    description: "Turns the distinct values of a column into columns, aggregating the other \
                  rows per by-column combination (default aggregation: count()).",
    params: &[
        (
            "pivotColumn",
            "the column whose distinct values become output columns",
        ),
        (
            "aggregationFunction",
            "count() (default), dcount(c), sum(c), avg(c), min(c), max(c), take_any(c), \
             stdev(c), variance(c), make_list(c), make_set(c) or make_bag(c)",
        ),
        (
            "column1, ...",
            "the by-columns (default: every column but the pivot and aggregated ones)",
        ),
    ],
    example: "datatable(k:string, p:string, v:long) ['a', 'x', 1, 'a', 'y', 2, 'a', 'x', 3, \
              'b', 'y', 4] | evaluate pivot(p, sum(v))",
    // by hand: k is the only other column, so the by-column; a has x = 1 + 3 and y = 2; b has
    // only y = 4, its x cell is sum()'s default 0
    expected: "k,x,y\na,4,2\nb,0,4\n",
    plan,
};

/// The aggregations the doc lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Agg {
    Count,
    Dcount,
    Sum,
    Avg,
    Min,
    Max,
    TakeAny,
    Stdev,
    Variance,
    MakeList,
    MakeSet,
    MakeBag,
}

const AGG_NAMES: &str = "count, dcount, sum, avg, min, max, take_any, stdev, variance, \
                         make_list, make_set, make_bag";

impl Agg {
    fn parse(name: &str) -> Option<Agg> {
        Some(match name {
            "count" => Agg::Count,
            "dcount" => Agg::Dcount,
            "sum" => Agg::Sum,
            "avg" => Agg::Avg,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "take_any" | "any" => Agg::TakeAny,
            "stdev" => Agg::Stdev,
            "variance" => Agg::Variance,
            "make_list" => Agg::MakeList,
            "make_set" => Agg::MakeSet,
            "make_bag" => Agg::MakeBag,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Dcount => "dcount",
            Agg::Sum => "sum",
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::TakeAny => "take_any",
            Agg::Stdev => "stdev",
            Agg::Variance => "variance",
            Agg::MakeList => "make_list",
            Agg::MakeSet => "make_set",
            Agg::MakeBag => "make_bag",
        }
    }

    /// The result's KQL type for a value column of type `t` (`None` for count), or why not.
    fn result_type(self, t: Option<KqlType>) -> Result<KqlType, String> {
        let Some(t) = t else {
            return Ok(KqlType::Long);
        };
        let bad = |want: &str| {
            Err(format!(
                "{}() needs {want}, got a column of type {}",
                self.name(),
                t.name()
            ))
        };
        match self {
            Agg::Count | Agg::Dcount => {
                if t == KqlType::Dynamic {
                    return bad("a scalar column (not dynamic)");
                }
                Ok(KqlType::Long)
            }
            Agg::Sum => match t {
                KqlType::Int | KqlType::Long | KqlType::Bool => Ok(KqlType::Long),
                KqlType::Real | KqlType::Timespan => Ok(t),
                _ => bad("an int, long, real or timespan column"),
            },
            Agg::Avg => match t {
                KqlType::Int | KqlType::Long | KqlType::Real => Ok(KqlType::Real),
                KqlType::Datetime | KqlType::Timespan => Ok(t),
                _ => bad("a number, datetime or timespan column"),
            },
            Agg::Min | Agg::Max => {
                if t == KqlType::Dynamic {
                    return bad("an orderable column (not dynamic)");
                }
                Ok(t)
            }
            Agg::TakeAny => Ok(t),
            Agg::Stdev | Agg::Variance => match t {
                KqlType::Int | KqlType::Long | KqlType::Real => Ok(KqlType::Real),
                _ => bad("an int, long or real column"),
            },
            Agg::MakeList | Agg::MakeSet => Ok(KqlType::Dynamic),
            Agg::MakeBag => {
                if t != KqlType::Dynamic {
                    return bad("a dynamic column of property bags");
                }
                Ok(KqlType::Dynamic)
            }
        }
    }
}

#[derive(Debug)]
struct Pivot {
    input: SchemaRef,
    pivot: usize,
    agg: Agg,
    /// The aggregated column (none for count).
    value: Option<usize>,
    by: Vec<usize>,
    /// The type of the pivot columns.
    cell: Field,
    declared: Option<SchemaRef>,
}

fn plan(args: &PluginArgs, inputs: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    args.only_named("pivot", &[])?;
    let Some(input) = inputs.first() else {
        return Err(PluginError::call("pivot needs an input table"));
    };
    let (_, pivot) = args.required_column(0, "pivotColumn", input)?;
    let mut i = 1;
    let mut agg = Agg::Count;
    let mut value = None;
    if let Some(PluginArg::Value(v)) = args.positional.get(1) {
        let name = match v {
            ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) => s.as_str(),
            _ => {
                return Err(PluginError::at(
                    1,
                    "aggregationFunction must be an aggregation call such as sum(x) or count()",
                ));
            }
        };
        agg = Agg::parse(name).ok_or_else(|| {
            PluginError::at(
                1,
                format!("pivot does not support the aggregation '{name}' (supported: {AGG_NAMES})"),
            )
        })?;
        i = 2;
        if agg != Agg::Count {
            match args.positional.get(2) {
                Some(PluginArg::Column { index, .. }) => value = Some(*index),
                _ => {
                    return Err(PluginError::at(
                        1,
                        format!("{name}() needs one argument: the name of an input column"),
                    ));
                }
            }
            i = 3;
            if agg == Agg::Dcount
                && let Some(PluginArg::Value(acc)) = args.positional.get(3)
            {
                // dcount's accuracy level only trades memory for error in Kusto's estimate;
                // our count is exact
                if super::scalar_f64(acc).is_none() {
                    return Err(PluginError::at(
                        3,
                        "dcount()'s accuracy must be a number from 0 to 4",
                    ));
                }
                i = 4;
            }
        }
    }
    let mut by = Vec::new();
    for k in i..args.positional.len() {
        let (name, idx) = args.required_column(k, "a by-column", input)?;
        if idx == pivot {
            return Err(PluginError::at(
                k,
                format!("'{name}' is the pivot column; it cannot also be a by-column"),
            ));
        }
        if by.contains(&idx) {
            return Err(PluginError::at(k, format!("'{name}' is listed twice")));
        }
        by.push(idx);
    }
    if i == args.positional.len() {
        by = (0..input.fields().len())
            .filter(|&c| c != pivot && Some(c) != value)
            .collect();
    }
    let value_field = value.map(|v| input.field(v));
    let ty = agg
        .result_type(value_field.map(KqlType::of_field))
        .map_err(|m| PluginError::at(1, m))?;
    // min/max/take_any keep the column's own field (a guid stays a guid)
    let cell = match (agg, value_field) {
        (Agg::Min | Agg::Max | Agg::TakeAny, Some(f)) => f.as_ref().clone(),
        _ => ty.field(""),
    };
    let declared = match &args.declared_schema {
        Some(_) if args.declared_open => {
            return Err(PluginError::call(
                "pivot's output schema lists its columns; it cannot start with `*`",
            ));
        }
        d => d.clone(),
    };
    Ok(Arc::new(Pivot {
        input: Arc::clone(input),
        pivot,
        agg,
        value,
        by,
        cell,
        declared,
    }))
}

/// The rows of each by-key combination and pivot value.
struct Groups {
    /// The first row of each combination, in order of appearance.
    first_rows: Vec<u32>,
    /// Pivot column texts in order of appearance.
    values: Vec<String>,
    /// (combination, value) → rows.
    cells: HashMap<(usize, usize), Vec<usize>>,
}

impl Pivot {
    fn group(&self, batch: &RecordBatch) -> Result<Groups> {
        let schema = batch.schema();
        let pivot_text = column_text(batch.column(self.pivot), schema.field(self.pivot))?;
        let mut first_rows = Vec::new();
        let mut cells: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        let mut values = Vec::new();
        let mut value_ids: HashMap<&str, usize> = HashMap::new();
        let by_cols: Vec<ArrayRef> = self.by.iter().map(|&c| batch.column(c).clone()).collect();
        let keys = if by_cols.is_empty() {
            None
        } else {
            let conv = RowConverter::new(
                by_cols
                    .iter()
                    .map(|c| SortField::new(c.data_type().clone()))
                    .collect(),
            )?;
            Some(conv.convert_columns(&by_cols)?)
        };
        let mut key_ids: HashMap<&[u8], usize> = HashMap::new();
        for r in 0..batch.num_rows() {
            let g = match &keys {
                None => {
                    if first_rows.is_empty() {
                        first_rows.push(r as u32);
                    }
                    0
                }
                Some(rows) => {
                    let n = key_ids.len();
                    let id = *key_ids.entry(rows.row(r).data()).or_insert(n);
                    if id == n {
                        first_rows.push(r as u32);
                    }
                    id
                }
            };
            let n = value_ids.len();
            let v = *value_ids.entry(pivot_text.value(r)).or_insert(n);
            if v == n {
                values.push(pivot_text.value(r).to_string());
            }
            cells.entry((g, v)).or_default().push(r);
        }
        Ok(Groups {
            first_rows,
            values,
            cells,
        })
    }

    /// The values of the aggregated column, in the type the aggregation works on.
    fn working_values(&self, batch: &RecordBatch) -> Result<Option<ArrayRef>> {
        let Some(v) = self.value else {
            return Ok(None);
        };
        let c = batch.column(v);
        let t = KqlType::of_field(batch.schema().field(v));
        let to = match (self.agg, t) {
            (Agg::Sum, KqlType::Int | KqlType::Long | KqlType::Bool) => Some(DataType::Int64),
            (Agg::Sum, KqlType::Timespan) => Some(DataType::Duration(TimeUnit::Nanosecond)),
            (Agg::Avg, KqlType::Datetime | KqlType::Timespan) => Some(DataType::Int64),
            (Agg::Sum | Agg::Avg | Agg::Stdev | Agg::Variance, _) => Some(DataType::Float64),
            _ => None,
        };
        Ok(Some(match to {
            Some(dt) if c.data_type() != &dt => match (c.data_type(), &dt) {
                // Timestamp/Duration → Int64 go through their own Int64 view
                (DataType::Timestamp(..), DataType::Int64) => cast(
                    &cast(c, &DataType::Timestamp(TimeUnit::Nanosecond, None))?,
                    &dt,
                )?,
                _ => cast(c, &dt)?,
            },
            _ => Arc::clone(c),
        }))
    }

    /// One cell: the aggregation over `rows`.
    fn aggregate(&self, values: Option<&ArrayRef>, rows: &[usize]) -> Result<ScalarValue> {
        let Some(values) = values else {
            return Ok(ScalarValue::Int64(Some(rows.len() as i64)));
        };
        let live = || rows.iter().copied().filter(|&r| !values.is_null(r));
        let dt = self.cell.data_type();
        Ok(match self.agg {
            Agg::Count => ScalarValue::Int64(Some(rows.len() as i64)),
            Agg::Dcount => {
                let mut seen = HashSet::new();
                for r in live() {
                    seen.insert(ScalarValue::try_from_array(values, r)?);
                }
                ScalarValue::Int64(Some(seen.len() as i64))
            }
            Agg::Sum => match values.data_type() {
                DataType::Int64 => {
                    let a = values.as_primitive::<Int64Type>();
                    ScalarValue::Int64(Some(live().fold(0i64, |s, r| s.wrapping_add(a.value(r)))))
                }
                DataType::Duration(_) => {
                    let a = values.as_primitive::<DurationNanosecondType>();
                    ScalarValue::DurationNanosecond(Some(
                        live().fold(0i64, |s, r| s.wrapping_add(a.value(r))),
                    ))
                }
                _ => {
                    let a = values.as_primitive::<Float64Type>();
                    ScalarValue::Float64(Some(live().map(|r| a.value(r)).sum()))
                }
            },
            Agg::Avg => match values.data_type() {
                DataType::Int64 => {
                    // datetime or timespan nanoseconds: the mean, truncated toward zero
                    let a = values.as_primitive::<Int64Type>();
                    let (n, s) = live().fold((0i128, 0i128), |(n, s), r| {
                        (n + 1, s + i128::from(a.value(r)))
                    });
                    let mean = (n > 0).then(|| (s / n.max(1)) as i64);
                    match dt {
                        DataType::Timestamp(..) => {
                            ScalarValue::TimestampNanosecond(mean, Some("UTC".into()))
                        }
                        _ => ScalarValue::DurationNanosecond(mean),
                    }
                }
                _ => {
                    let a = values.as_primitive::<Float64Type>();
                    let (n, s) = live().fold((0usize, 0.0), |(n, s), r| (n + 1, s + a.value(r)));
                    ScalarValue::Float64((n > 0).then(|| s / n as f64))
                }
            },
            Agg::Stdev | Agg::Variance => {
                let a = values.as_primitive::<Float64Type>();
                let xs: Vec<f64> = live().map(|r| a.value(r)).collect();
                let var = sample_variance(&xs);
                ScalarValue::Float64(Some(if self.agg == Agg::Stdev {
                    var.sqrt()
                } else {
                    var
                }))
            }
            Agg::Min | Agg::Max => {
                let mut best: Option<ScalarValue> = None;
                for r in live() {
                    let v = ScalarValue::try_from_array(values, r)?;
                    let better = match &best {
                        None => true,
                        Some(b) => match v.partial_cmp(b) {
                            Some(o) => {
                                (self.agg == Agg::Min && o.is_lt())
                                    || (self.agg == Agg::Max && o.is_gt())
                            }
                            None => false,
                        },
                    };
                    if better {
                        best = Some(v);
                    }
                }
                match best {
                    Some(b) => b,
                    None => ScalarValue::try_from(dt)?,
                }
            }
            Agg::TakeAny => {
                // like summarize's take_any: a non-empty string when there is one
                let stringy = matches!(values.data_type(), DataType::Utf8);
                let pick =
                    live().find(|&r| !stringy || !values.as_string::<i32>().value(r).is_empty());
                match pick.or_else(|| live().next()) {
                    Some(r) => ScalarValue::try_from_array(values, r)?,
                    None => ScalarValue::try_from(dt)?,
                }
            }
            Agg::MakeList | Agg::MakeSet | Agg::MakeBag => {
                let json = json_values(values, self.value_field())?;
                let items = live().filter_map(|r| json[r].clone());
                let out = match self.agg {
                    Agg::MakeList => Value::Array(items.collect()),
                    Agg::MakeSet => {
                        let mut set: Vec<Value> = Vec::new();
                        for v in items {
                            if !set.contains(&v) {
                                set.push(v);
                            }
                        }
                        Value::Array(set)
                    }
                    _ => {
                        // INFER: a key in several bags keeps its first value (the doc says
                        // "arbitrary")
                        let mut bag = serde_json::Map::new();
                        for v in items {
                            if let Value::Object(m) = v {
                                for (k, x) in m {
                                    bag.entry(k).or_insert(x);
                                }
                            }
                        }
                        Value::Object(bag)
                    }
                };
                ScalarValue::Utf8(Some(out.to_string()))
            }
        })
    }

    fn value_field(&self) -> &Field {
        match self.value {
            Some(v) => self.input.field(v),
            None => &self.cell,
        }
    }

    /// The value of a cell with no rows.
    fn default_cell(&self) -> Result<ScalarValue> {
        let dt = self.cell.data_type();
        Ok(match self.agg {
            Agg::Count | Agg::Dcount | Agg::Sum | Agg::Stdev | Agg::Variance => {
                ScalarValue::new_zero(dt)?
            }
            // the doc's table gives `[]` for make_bag too
            Agg::MakeList | Agg::MakeSet | Agg::MakeBag => ScalarValue::Utf8(Some("[]".into())),
            _ => ScalarValue::try_from(dt)?,
        })
    }
}

/// Sample variance (n − 1); 0 for fewer than two values, as Kusto's `variance()`.
fn sample_variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
}

/// Each value of a column as a JSON value, as `make_list` stores it (None for nulls).
fn json_values(values: &ArrayRef, field: &Field) -> Result<Vec<Option<Value>>> {
    let t = KqlType::of_field(field);
    let n = values.len();
    let text = || column_text(values, field);
    Ok(match t {
        KqlType::Dynamic => {
            let s = cast(values, &DataType::Utf8)?;
            let s = s.as_string::<i32>();
            (0..n)
                .map(|i| {
                    (!s.is_null(i))
                        .then(|| {
                            serde_json::from_str::<Value>(s.value(i))
                                .unwrap_or_else(|_| Value::String(s.value(i).to_string()))
                        })
                        .filter(|v| !v.is_null())
                })
                .collect()
        }
        KqlType::Long | KqlType::Int | KqlType::Bool | KqlType::Real => (0..n)
            .map(|i| -> Result<Option<Value>> {
                Ok(match ScalarValue::try_from_array(values, i)? {
                    v if v.is_null() => None,
                    ScalarValue::Boolean(Some(b)) => Some(Value::from(b)),
                    ScalarValue::Float64(Some(x)) => {
                        Some(serde_json::Number::from_f64(x).map_or_else(
                            || Value::String(crate::format::format_real(x)),
                            Value::Number,
                        ))
                    }
                    v => match v.cast_to(&DataType::Int64)? {
                        ScalarValue::Int64(Some(x)) => Some(Value::from(x)),
                        _ => None,
                    },
                })
            })
            .collect::<Result<_>>()?,
        _ => {
            // strings, guids, datetimes, timespans, decimals: their text
            let s = text()?;
            (0..n)
                .map(|i| (!values.is_null(i)).then(|| Value::String(s.value(i).to_string())))
                .collect()
        }
    })
}

/// Column names for the pivot values (INFER rules in the module doc).
fn value_names(values: &[String], by_names: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = by_names.iter().cloned().collect();
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let base = if v.is_empty() { "Column1" } else { v.as_str() };
        let mut name = base.to_string();
        let mut k = 1;
        while taken.contains(&name) {
            name = format!("{base}{k}");
            k += 1;
        }
        taken.insert(name.clone());
        out.push(name);
    }
    out
}

impl TablePlugin for Pivot {
    fn name(&self) -> &'static str {
        "pivot"
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        self.declared.clone()
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let batch = gather(inputs, &self.input)?;
        let schema = batch.schema();
        let groups = self.group(&batch)?;
        let values = self.working_values(&batch)?;
        let idx = UInt32Array::from(groups.first_rows.clone());
        let ngroups = groups.first_rows.len();

        let mut fields: Vec<FieldRef> = Vec::new();
        let mut cols: Vec<ArrayRef> = Vec::new();
        for &b in &self.by {
            fields.push(Arc::new(schema.field(b).clone()));
            cols.push(take(batch.column(b), &idx, None)?);
        }
        let by_names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
        let names = value_names(&groups.values, &by_names);
        let default = self.default_cell()?;
        for (v, name) in names.iter().enumerate() {
            let mut cells = Vec::with_capacity(ngroups);
            for g in 0..ngroups {
                cells.push(match groups.cells.get(&(g, v)) {
                    Some(rows) => self.aggregate(values.as_ref(), rows)?,
                    None => default.clone(),
                });
            }
            let array = if cells.is_empty() {
                datafusion::arrow::array::new_empty_array(self.cell.data_type())
            } else {
                ScalarValue::iter_to_array(cells)?
            };
            fields.push(Arc::new(self.cell.clone().with_name(name)));
            cols.push(array);
        }
        match &self.declared {
            None => make_batch(Arc::new(Schema::new(fields)), cols, ngroups),
            Some(decl) => {
                let mut out = Vec::with_capacity(decl.fields().len());
                for f in decl.fields() {
                    let c = match fields.iter().position(|g| g.name() == f.name()) {
                        Some(at) => Arc::clone(&cols[at]),
                        None => {
                            if ngroups == 0 {
                                datafusion::arrow::array::new_empty_array(self.cell.data_type())
                            } else {
                                default.to_array_of_size(ngroups)?
                            }
                        }
                    };
                    out.push(if c.data_type() == f.data_type() {
                        c
                    } else {
                        match cast(&c, f.data_type()) {
                            Ok(x) => x,
                            Err(e) => {
                                return exec_err!(
                                    "pivot: the column '{}' cannot be converted to the declared \
                                     type: {e}",
                                    f.name()
                                );
                            }
                        }
                    });
                }
                make_batch(Arc::clone(decl), out, ngroups)
            }
        }
    }

    fn describe(&self) -> String {
        let f = |i: usize| self.input.field(i).name().clone();
        let agg = match self.value {
            Some(v) => format!("{}({})", self.agg.name(), f(v)),
            None => "count()".to_string(),
        };
        let by: Vec<String> = self.by.iter().map(|&b| f(b)).collect();
        format!("pivot({}, {agg}, by: {})", f(self.pivot), by.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int64Array, StringArray};

    /// StormEvents-like rows (State, EventType, DeathsDirect), written by hand.
    fn storms() -> (SchemaRef, RecordBatch) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("State", DataType::Utf8, true),
            Field::new("EventType", DataType::Utf8, true),
            Field::new("DeathsDirect", DataType::Int64, true),
        ]));
        let rows = [
            ("ARKANSAS", "Heat", 1),
            ("ARIZONA", "Flash Flood", 2),
            ("ARKANSAS", "Heat", 2),
            ("ARIZONA", "Lightning", 1),
            ("ARIZONA", "Flash Flood", 4),
            ("ARKANSAS", "Strong Wind", 1),
        ];
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.2))),
            ],
        )
        .unwrap();
        (schema, batch)
    }

    fn col(name: &str, schema: &SchemaRef) -> PluginArg {
        PluginArg::Column {
            name: name.to_string(),
            index: schema.index_of(name).unwrap(),
        }
    }

    fn s(v: &str) -> PluginArg {
        PluginArg::Value(ScalarValue::Utf8(Some(v.to_string())))
    }

    fn run(positional: Vec<PluginArg>, schema: &SchemaRef, batch: &RecordBatch) -> RecordBatch {
        let args = PluginArgs {
            positional,
            ..Default::default()
        };
        let p = plan(&args, &[Arc::clone(schema)]).unwrap();
        assert!(p.output_schema().is_none());
        p.run(&[vec![batch.clone()]]).unwrap()
    }

    fn names(b: &RecordBatch) -> Vec<String> {
        b.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn longs(b: &RecordBatch, name: &str) -> Vec<i64> {
        b.column_by_name(name)
            .unwrap()
            .as_primitive::<Int64Type>()
            .values()
            .to_vec()
    }

    fn texts(b: &RecordBatch, name: &str) -> Vec<String> {
        let c = b.column_by_name(name).unwrap().as_string::<i32>();
        (0..c.len()).map(|i| c.value(i).to_string()).collect()
    }

    #[test]
    fn counts_by_default() {
        let (schema, batch) = storms();
        // pivot(State): by-columns default to EventType and DeathsDirect
        let out = run(vec![col("State", &schema)], &schema, &batch);
        assert_eq!(
            names(&out),
            ["EventType", "DeathsDirect", "ARKANSAS", "ARIZONA"]
        );
        // (Heat,1) (Flash Flood,2) (Heat,2) (Lightning,1) (Flash Flood,4) (Strong Wind,1)
        assert_eq!(longs(&out, "ARKANSAS"), [1, 0, 1, 0, 0, 1]);
        assert_eq!(longs(&out, "ARIZONA"), [0, 1, 0, 1, 1, 0]);
        // an explicit count() is the same
        let out2 = run(
            vec![col("State", &schema), s("count"), col("EventType", &schema)],
            &schema,
            &batch,
        );
        assert_eq!(names(&out2), ["EventType", "ARKANSAS", "ARIZONA"]);
        assert_eq!(
            texts(&out2, "EventType"),
            ["Heat", "Flash Flood", "Lightning", "Strong Wind"]
        );
        assert_eq!(longs(&out2, "ARKANSAS"), [2, 0, 0, 1]);
        assert_eq!(longs(&out2, "ARIZONA"), [0, 2, 1, 0]);
    }

    #[test]
    fn sum_with_and_without_by_columns() {
        let (schema, batch) = storms();
        let out = run(
            vec![
                col("State", &schema),
                s("sum"),
                col("DeathsDirect", &schema),
            ],
            &schema,
            &batch,
        );
        assert_eq!(names(&out), ["EventType", "ARKANSAS", "ARIZONA"]);
        assert_eq!(longs(&out, "ARKANSAS"), [3, 0, 0, 1]);
        assert_eq!(longs(&out, "ARIZONA"), [0, 6, 1, 0]);
        let explicit = run(
            vec![
                col("State", &schema),
                s("sum"),
                col("DeathsDirect", &schema),
                col("EventType", &schema),
            ],
            &schema,
            &batch,
        );
        assert_eq!(explicit, out);
    }

    #[test]
    fn other_aggregations() {
        let (schema, batch) = storms();
        let agg = |name: &str| {
            run(
                vec![
                    col("State", &schema),
                    s(name),
                    col("DeathsDirect", &schema),
                    col("EventType", &schema),
                ],
                &schema,
                &batch,
            )
        };
        let out = agg("avg");
        let a = out.column(2).as_primitive::<Float64Type>();
        // ARIZONA: Heat none (null), Flash Flood (2+4)/2, Lightning 1, Strong Wind none
        assert!(a.is_null(0) && a.is_null(3));
        assert_eq!((a.value(1), a.value(2)), (3.0, 1.0));
        let out = agg("stdev");
        let a = out.column(1).as_primitive::<Float64Type>();
        // ARKANSAS Heat: sample stdev of {1, 2} = sqrt(0.5); one value → 0; none → 0
        assert_eq!(a.values().to_vec(), [0.5f64.sqrt(), 0.0, 0.0, 0.0]);
        let out = agg("max");
        let a = out.column(2).as_primitive::<Int64Type>();
        assert_eq!(a.iter().collect::<Vec<_>>(), [None, Some(4), Some(1), None]);
        let out = agg("make_list");
        assert_eq!(texts(&out, "ARIZONA"), ["[]", "[2,4]", "[1]", "[]"]);
        assert_eq!(KqlType::of_field(out.schema().field(2)), KqlType::Dynamic);
        let out = agg("dcount");
        assert_eq!(longs(&out, "ARKANSAS"), [2, 0, 0, 1]);
    }

    #[test]
    fn declared_schema() {
        let (schema, batch) = storms();
        let decl = Arc::new(Schema::new(vec![
            KqlType::String.field("EventType"),
            KqlType::Long.field("ARIZONA"),
            KqlType::Real.field("ALABAMA"),
        ]));
        let args = PluginArgs {
            positional: vec![
                col("State", &schema),
                s("sum"),
                col("DeathsDirect", &schema),
            ],
            declared_schema: Some(Arc::clone(&decl)),
            ..Default::default()
        };
        let p = plan(&args, &[Arc::clone(&schema)]).unwrap();
        assert_eq!(p.output_schema(), Some(Arc::clone(&decl)));
        let out = p.run(&[vec![batch]]).unwrap();
        assert_eq!(out.schema(), decl);
        assert_eq!(longs(&out, "ARIZONA"), [0, 6, 1, 0]);
        let al = out
            .column(2)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!(al.values().to_vec(), [0.0; 4]);
    }

    #[test]
    fn names_of_values() {
        assert_eq!(
            value_names(
                &["a".into(), "".into(), "k".into(), "k1".into()],
                &["k".into()]
            ),
            ["a", "Column1", "k1", "k11"]
        );
    }

    #[test]
    fn bad_arguments() {
        let (schema, _) = storms();
        let plan_err = |positional: Vec<PluginArg>| {
            let args = PluginArgs {
                positional,
                ..Default::default()
            };
            plan(&args, &[Arc::clone(&schema)]).unwrap_err()
        };
        let e = plan_err(vec![
            col("State", &schema),
            s("percentile"),
            col("DeathsDirect", &schema),
        ]);
        assert!(e.message.contains("'percentile'"), "{}", e.message);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(1)));
        let e = plan_err(vec![
            col("State", &schema),
            s("sum"),
            col("EventType", &schema),
        ]);
        assert!(e.message.contains("sum()"), "{}", e.message);
        let e = plan_err(vec![col("State", &schema), s("sum")]);
        assert!(e.message.contains("needs one argument"), "{}", e.message);
        let e = plan_err(vec![col("State", &schema), col("State", &schema)]);
        assert!(e.message.contains("pivot column"), "{}", e.message);
        let e = plan_err(vec![PluginArg::Value(ScalarValue::Int64(Some(1)))]);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(0)));
    }
}
