//! `T | evaluate bag_unpack(Column [, OutputColumnPrefix [, columnsConflict
//! [, ignoredProperties]]]) [: (OutputSchema)]` (bag-unpack-plugin.md): each top-level slot of
//! the property bags in the dynamic column `Column` becomes a column.
//!
//! Without an output schema the columns depend on the data: the input columns except `Column`,
//! in input order, then one column per distinct slot name (prefixed), sorted by name (the doc's
//! examples list `Age, Height, Name` for bags written `Name, Height, Age`). A slot's column has
//! the slot's type when all its non-null values share one (`long`, `real`, `string`, `bool`,
//! `dynamic` for arrays and bags), else `dynamic`.
//!
//! With an output schema the columns are exactly the declared ones (after the input columns
//! when it starts with `*`), and slot values are converted to the declared types the way
//! `tolong(d.x)`, `tostring(d.x)`, ... convert a dynamic value.
//!
//! Also home of small helpers shared by the reshaping plugins (`narrow`, `pivot`).

use super::{PluginArg, PluginArgs, PluginDef, PluginError, TablePlugin};
use crate::types::KqlType;
use crate::udf::{self, ConvTarget, Op};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::config::ConfigOptions;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "bag_unpack",
    signature: "bag_unpack(Column [, OutputColumnPrefix [, columnsConflict [, ignoredProperties]]]) [: (OutputSchema)]",
    description: "Unpacks a dynamic column of property bags: each top-level slot becomes a column \
                  (the input column is removed).",
    params: &[
        ("Column", "the dynamic column to unpack"),
        (
            "OutputColumnPrefix",
            "a prefix for the names of the new columns (default none)",
        ),
        (
            "columnsConflict",
            "when a new column has an input column's name: 'error' (default), \
             'replace_source' or 'keep_source'",
        ),
        (
            "ignoredProperties",
            "a dynamic array of slot names not to unpack",
        ),
    ],
    example: "datatable(d:dynamic) [dynamic({\"Name\":\"John\",\"Age\":20}), \
              dynamic({\"Name\":\"Dave\",\"Age\":40})] | evaluate bag_unpack(d)",
    // bag-unpack-plugin.md's first example, two rows: Age is long, Name string
    expected: "Age,Name\n20,John\n40,Dave\n",
    plan,
};

/// What to do when a new column has the name of a kept input column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conflict {
    Error,
    ReplaceSource,
    KeepSource,
}

/// Where an output column comes from.
#[derive(Clone, Debug)]
enum Source {
    /// An input column (by position).
    Input(usize),
    /// A bag slot (by key, without the prefix; `None` for a declared name that lacks the
    /// prefix, which no slot can fill).
    Slot(Option<String>),
}

#[derive(Debug)]
struct BagUnpack {
    input: SchemaRef,
    column: usize,
    prefix: String,
    conflict: Conflict,
    ignored: HashSet<String>,
    /// With a declared schema: the output schema and each column's source.
    declared: Option<(SchemaRef, Vec<Source>)>,
}

const POS_PREFIX: usize = 1;
const POS_CONFLICT: usize = 2;
const POS_IGNORED: usize = 3;

/// A parameter given positionally or by name (not both), with the error maker for it.
fn param<'a>(
    args: &'a PluginArgs,
    pos: usize,
    name: &str,
) -> Result<Option<(&'a PluginArg, PluginError)>, PluginError> {
    let named = args.get_named(name);
    let positional = args.get(pos);
    match (positional, named) {
        (Some(_), Some(_)) => Err(PluginError::named(
            name,
            format!("{name} is given both by position and by name"),
        )),
        (Some(a), None) => Ok(Some((a, PluginError::at(pos, "")))),
        (None, Some(a)) => Ok(Some((a, PluginError::named(name, "")))),
        (None, None) => Ok(None),
    }
}

fn with_message(mut e: PluginError, msg: String) -> PluginError {
    e.message = msg;
    e
}

fn string_param(args: &PluginArgs, pos: usize, name: &str) -> Result<Option<String>, PluginError> {
    match param(args, pos, name)? {
        None => Ok(None),
        Some((
            PluginArg::Value(ScalarValue::Utf8(Some(s)))
            | PluginArg::Value(ScalarValue::LargeUtf8(Some(s))),
            _,
        )) => Ok(Some(s.clone())),
        Some((PluginArg::Value(v), _)) if v.is_null() => Ok(None),
        Some((_, e)) => Err(with_message(e, format!("{name} must be a string constant"))),
    }
}

fn ignored_param(args: &PluginArgs) -> Result<HashSet<String>, PluginError> {
    let name = "ignoredProperties";
    let Some((arg, e)) = param(args, POS_IGNORED, name)? else {
        return Ok(HashSet::new());
    };
    let bad = |e: PluginError| {
        with_message(
            e,
            format!("{name} must be a dynamic array of property names, e.g. dynamic(['a', 'b'])"),
        )
    };
    let values: Vec<Value> = match arg {
        PluginArg::Value(v) if v.is_null() => return Ok(HashSet::new()),
        PluginArg::Value(ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s))) => {
            match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(a)) => a,
                _ => return Err(bad(e)),
            }
        }
        PluginArg::Value(ScalarValue::List(l)) if l.len() == 1 => {
            let items = l.value(0);
            let Ok(text) = cast(&items, &DataType::Utf8) else {
                return Err(bad(e));
            };
            let text = text.as_string::<i32>();
            (0..text.len())
                .filter(|&i| !text.is_null(i))
                .map(|i| Value::String(text.value(i).to_string()))
                .collect()
        }
        _ => return Err(bad(e)),
    };
    let mut out = HashSet::new();
    for v in values {
        match v {
            Value::String(s) => {
                out.insert(s);
            }
            _ => return Err(bad(e)),
        }
    }
    Ok(out)
}

fn plan(args: &PluginArgs, inputs: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    args.at_most("bag_unpack", 4)?;
    args.only_named(
        "bag_unpack",
        &["OutputColumnPrefix", "columnsConflict", "ignoredProperties"],
    )?;
    let Some(input) = inputs.first() else {
        return Err(PluginError::call("bag_unpack needs an input table"));
    };
    let (name, column) = args.required_column(0, "Column", input)?;
    let field = input.field(column);
    if KqlType::of_field(field) != KqlType::Dynamic || field.data_type() != &DataType::Utf8 {
        return Err(PluginError::at(
            0,
            format!(
                "Column: '{name}' is of type {}, expected a dynamic column of property bags",
                KqlType::of_field(field).name()
            ),
        ));
    }
    let prefix = string_param(args, POS_PREFIX, "OutputColumnPrefix")?.unwrap_or_default();
    let conflict = match param(args, POS_CONFLICT, "columnsConflict")? {
        None => Conflict::Error,
        Some((_, e)) => match string_param(args, POS_CONFLICT, "columnsConflict")?.as_deref() {
            None | Some("error") => Conflict::Error,
            Some("replace_source") => Conflict::ReplaceSource,
            Some("keep_source") => Conflict::KeepSource,
            Some(other) => {
                return Err(with_message(
                    e,
                    format!(
                        "columnsConflict must be 'error', 'replace_source' or 'keep_source', \
                         got '{other}'"
                    ),
                ));
            }
        },
    };
    let ignored = ignored_param(args)?;
    let mut p = BagUnpack {
        input: Arc::clone(input),
        column,
        prefix,
        conflict,
        ignored,
        declared: None,
    };
    if let Some(decl) = &args.declared_schema {
        p.declared = Some(p.declared_layout(decl, args.declared_open)?);
    }
    Ok(Arc::new(p))
}

impl BagUnpack {
    /// The kept input columns: (position, field).
    fn kept(&self) -> impl Iterator<Item = (usize, &FieldRef)> {
        self.input
            .fields()
            .iter()
            .enumerate()
            .filter(move |(i, _)| *i != self.column)
    }

    fn kept_index(&self, name: &str) -> Option<usize> {
        self.kept().find(|(_, f)| f.name() == name).map(|(i, _)| i)
    }

    /// The slot key a column name stands for (`None` when it lacks the prefix).
    fn key_of(&self, column_name: &str) -> Option<String> {
        column_name.strip_prefix(&self.prefix).map(str::to_string)
    }

    fn declared_layout(
        &self,
        decl: &SchemaRef,
        open: bool,
    ) -> Result<(SchemaRef, Vec<Source>), PluginError> {
        let mut seen = HashSet::new();
        for f in decl.fields() {
            if !seen.insert(f.name().as_str()) {
                return Err(PluginError::call(format!(
                    "the output schema declares the column '{}' twice",
                    f.name()
                )));
            }
        }
        let mut fields: Vec<FieldRef> = Vec::new();
        let mut sources = Vec::new();
        if open {
            for (i, f) in self.kept() {
                fields.push(Arc::clone(f));
                sources.push(Source::Input(i));
            }
        }
        for f in decl.fields() {
            let slot = || Source::Slot(self.key_of(f.name()));
            match self.kept_index(f.name()) {
                Some(i) if open => {
                    // `(*, x:long)` where the input already has `x`
                    let at = sources
                        .iter()
                        .position(|s| matches!(s, Source::Input(j) if *j == i));
                    match (self.conflict, at) {
                        (Conflict::KeepSource, _) => {}
                        (Conflict::ReplaceSource, Some(at)) => {
                            fields[at] = Arc::clone(f);
                            sources[at] = slot();
                        }
                        _ => {
                            return Err(PluginError::call(format!(
                                "the declared column '{}' is already an input column; use \
                                 columnsConflict='replace_source' or 'keep_source'",
                                f.name()
                            )));
                        }
                    }
                }
                // INFER: a closed schema naming an input column takes that column (converted
                // to the declared type) unless the source is to be replaced; in 'error' mode
                // `run` fails when a bag has a slot of that name, as without a schema.
                Some(i) if self.conflict != Conflict::ReplaceSource => {
                    fields.push(Arc::clone(f));
                    sources.push(Source::Input(i));
                }
                _ => {
                    fields.push(Arc::clone(f));
                    sources.push(slot());
                }
            }
        }
        Ok((Arc::new(Schema::new(fields)), sources))
    }

    /// The slots of the rows' bags (rows that are null or not property bags, which Kusto
    /// ignores, add nothing; nor do the ignored properties). With `only`, just those keys.
    fn slots(
        &self,
        batch: &RecordBatch,
        only: Option<&HashSet<String>>,
    ) -> Result<BTreeMap<String, Slot>> {
        let col = batch.column(self.column).as_string_opt::<i32>().cloned();
        let Some(col) = col else {
            return exec_err!("bag_unpack: the column to unpack is not dynamic text");
        };
        let mut slots: BTreeMap<String, Slot> = BTreeMap::new();
        for row in 0..col.len() {
            if col.is_null(row) {
                continue;
            }
            let Ok(Value::Object(bag)) = serde_json::from_str::<Value>(col.value(row)) else {
                continue;
            };
            for (k, v) in bag {
                if self.ignored.contains(&k) || only.is_some_and(|o| !o.contains(&k)) {
                    continue;
                }
                let slot = slots.entry(k).or_default();
                let t = json_type(&v);
                slot.ty = match (slot.ty, t) {
                    (prev, None) => prev,
                    (None, Some(t)) => Some(t),
                    (Some(a), Some(b)) if a == b => Some(a),
                    _ => Some(KqlType::Dynamic),
                };
                if t.is_some() {
                    slot.cells.push((row, v.to_string()));
                }
            }
        }
        Ok(slots)
    }

    fn run_declared(
        &self,
        batch: &RecordBatch,
        schema: &SchemaRef,
        sources: &[Source],
    ) -> Result<RecordBatch> {
        // the declared slots, and (in 'error' mode) the slots that would clash with the input
        // columns the schema takes
        let mut wanted = HashSet::new();
        let mut watched = Vec::new();
        for (f, s) in schema.fields().iter().zip(sources) {
            match s {
                Source::Slot(Some(key)) => {
                    wanted.insert(key.clone());
                }
                Source::Slot(None) => {}
                Source::Input(_) if self.conflict == Conflict::Error => {
                    if let Some(key) = self.key_of(f.name()) {
                        wanted.insert(key.clone());
                        watched.push((key, f.name()));
                    }
                }
                Source::Input(_) => {}
            }
        }
        let slots = self.slots(batch, Some(&wanted))?;
        if let Some((_, name)) = watched.iter().find(|(k, _)| slots.contains_key(k)) {
            return conflict_error(name);
        }
        let rows = batch.num_rows();
        let mut cols = Vec::with_capacity(sources.len());
        for (f, s) in schema.fields().iter().zip(sources) {
            cols.push(match s {
                Source::Input(i) => {
                    let c = batch.column(*i);
                    if c.data_type() == f.data_type() {
                        Arc::clone(c)
                    } else {
                        cast(c, f.data_type())?
                    }
                }
                Source::Slot(key) => {
                    let cells = key
                        .as_ref()
                        .and_then(|k| slots.get(k))
                        .map(|s| s.cells.as_slice())
                        .unwrap_or_default();
                    slot_array(cells, rows, KqlType::of_field(f))?
                }
            });
        }
        make_batch(Arc::clone(schema), cols, rows)
    }

    fn run_inferred(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let slots = self.slots(batch, None)?;
        let rows = batch.num_rows();
        let mut fields: Vec<FieldRef> = Vec::new();
        let mut cols: Vec<ArrayRef> = Vec::new();
        for (i, f) in self.kept() {
            fields.push(Arc::clone(f));
            cols.push(Arc::clone(batch.column(i)));
        }
        for (key, slot) in slots {
            // INFER: a slot whose values are all null still makes a (dynamic, all-null) column
            let ty = slot.ty.unwrap_or(KqlType::Dynamic);
            let name = format!("{}{key}", self.prefix);
            let field = Arc::new(ty.field(&name));
            let at = fields.iter().position(|f| f.name() == &name);
            if at.is_some() && self.conflict == Conflict::KeepSource {
                continue;
            }
            let array = slot_array(&slot.cells, rows, ty)?;
            match at {
                None => {
                    fields.push(field);
                    cols.push(array);
                }
                // the doc's replace_source example lists the replaced column where the source
                // column was (`Name, Age`)
                Some(at) if self.conflict == Conflict::ReplaceSource => {
                    fields[at] = field;
                    cols[at] = array;
                }
                Some(_) => return conflict_error(&name),
            }
        }
        make_batch(Arc::new(Schema::new(fields)), cols, rows)
    }
}

/// One slot's non-null values as (row, JSON text), in row order, and the one type of its
/// values (`None` while only nulls were seen; `dynamic` once two types met).
#[derive(Debug, Default)]
struct Slot {
    cells: Vec<(usize, String)>,
    ty: Option<KqlType>,
}

fn conflict_error<T>(name: &str) -> Result<T> {
    exec_err!(
        "bag_unpack: the new column '{name}' has the name of an input column; use \
         columnsConflict='replace_source' or 'keep_source' (or an OutputColumnPrefix)"
    )
}

/// The KQL type of a JSON value (`None` for null).
fn json_type(v: &Value) -> Option<KqlType> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(_) => KqlType::Bool,
        Value::Number(n) if n.is_i64() => KqlType::Long,
        Value::Number(_) => KqlType::Real,
        Value::String(_) => KqlType::String,
        Value::Array(_) | Value::Object(_) => KqlType::Dynamic,
    })
}

/// A slot's cells as a column of `rows` rows of type `ty`.
fn slot_array(cells: &[(usize, String)], rows: usize, ty: KqlType) -> Result<ArrayRef> {
    let mut text = StringBuilder::with_capacity(rows, cells.iter().map(|c| c.1.len()).sum());
    let mut next = cells.iter().peekable();
    for row in 0..rows {
        match next.next_if(|c| c.0 == row) {
            Some((_, v)) => text.append_value(v),
            None => text.append_null(),
        }
    }
    dynamic_to(Arc::new(text.finish()), ty)
}

/// Dynamic JSON text → a column of KQL type `ty`, converting as `tolong()`, `tostring()`, ...
/// do (a failed conversion gives null; `tostring` of a missing value gives "").
pub(super) fn dynamic_to(text: ArrayRef, ty: KqlType) -> Result<ArrayRef> {
    let conv = |target| Op::Convert {
        target,
        dynamic: true,
    };
    match ty {
        KqlType::Dynamic => Ok(text),
        KqlType::String | KqlType::Guid => run_udf(Op::DynamicToString, text, DataType::Utf8),
        KqlType::Long => run_udf(conv(ConvTarget::Long), text, DataType::Int64),
        KqlType::Int => run_udf(conv(ConvTarget::Int), text, DataType::Int32),
        KqlType::Real => run_udf(conv(ConvTarget::Real), text, DataType::Float64),
        KqlType::Bool => run_udf(conv(ConvTarget::Bool), text, DataType::Boolean),
        KqlType::Datetime => run_udf(conv(ConvTarget::Datetime), text, ty.arrow_type()),
        KqlType::Timespan => run_udf(conv(ConvTarget::Timespan), text, ty.arrow_type()),
        KqlType::Decimal => {
            let r = run_udf(conv(ConvTarget::Real), text, DataType::Float64)?;
            Ok(cast(&r, &ty.arrow_type())?)
        }
    }
}

/// Applies one of our scalar UDFs to a whole column.
pub(super) fn run_udf(op: Op, arg: ArrayRef, ret: DataType) -> Result<ArrayRef> {
    let rows = arg.len();
    let f = udf::udf(op);
    let out = f.invoke_with_args(ScalarFunctionArgs {
        arg_fields: vec![Arc::new(Field::new("arg", arg.data_type().clone(), true))],
        args: vec![ColumnarValue::Array(arg)],
        number_rows: rows,
        return_field: Arc::new(Field::new("result", ret, true)),
        config_options: Arc::new(ConfigOptions::default()),
    })?;
    out.into_array(rows)
}

/// A batch that may have no columns.
pub(super) fn make_batch(
    schema: SchemaRef,
    cols: Vec<ArrayRef>,
    rows: usize,
) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new_with_options(
        schema,
        cols,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )?)
}

/// All batches of the piped input as one.
pub(super) fn gather(inputs: &[Vec<RecordBatch>], schema: &SchemaRef) -> Result<RecordBatch> {
    let batches = inputs.first().map(Vec::as_slice).unwrap_or_default();
    let schema = batches
        .first()
        .map_or_else(|| Arc::clone(schema), |b| b.schema());
    Ok(concat_batches(&schema, batches)?)
}

impl TablePlugin for BagUnpack {
    fn name(&self) -> &'static str {
        "bag_unpack"
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        self.declared.as_ref().map(|(s, _)| Arc::clone(s))
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let batch = gather(inputs, &self.input)?;
        match &self.declared {
            Some((schema, sources)) => self.run_declared(&batch, schema, sources),
            None => self.run_inferred(&batch),
        }
    }

    fn describe(&self) -> String {
        format!(
            "bag_unpack({}{})",
            self.input.field(self.column).name(),
            if self.prefix.is_empty() {
                String::new()
            } else {
                format!(", prefix='{}'", self.prefix)
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};

    fn dyn_field(name: &str) -> Field {
        KqlType::Dynamic.field(name)
    }

    /// A table of (name, field, values) string-ish columns.
    fn table(cols: Vec<(Field, Vec<Option<&str>>)>) -> (SchemaRef, RecordBatch) {
        let schema = Arc::new(Schema::new(
            cols.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
        ));
        let arrays: Vec<ArrayRef> = cols
            .into_iter()
            .map(|(_, v)| Arc::new(StringArray::from(v)) as ArrayRef)
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&schema), arrays).unwrap();
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

    fn run(args: PluginArgs, schema: &SchemaRef, batch: RecordBatch) -> RecordBatch {
        let p = plan(&args, &[Arc::clone(schema)]).unwrap();
        let out = p.run(&[vec![batch]]).unwrap();
        if let Some(decl) = p.output_schema() {
            assert_eq!(decl, out.schema());
        }
        out
    }

    fn names(b: &RecordBatch) -> Vec<String> {
        b.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    fn strs(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
        let c = b.column_by_name(name).unwrap().as_string::<i32>();
        (0..c.len())
            .map(|i| (!c.is_null(i)).then(|| c.value(i).to_string()))
            .collect()
    }

    fn longs(b: &RecordBatch, name: &str) -> Vec<Option<i64>> {
        let c = b
            .column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        c.iter().collect()
    }

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|x| Some(x.to_string())).collect()
    }

    // bag-unpack-plugin.md, "Expand a bag" (MIT query text)
    fn people() -> (SchemaRef, RecordBatch) {
        table(vec![(
            dyn_field("d"),
            vec![
                Some(r#"{"Name": "John", "Age":20}"#),
                Some(r#"{"Name": "Dave", "Age":40}"#),
                Some(r#"{"Name": "Jasmine", "Age":30}"#),
            ],
        )])
    }

    #[test]
    fn expands_a_bag() {
        let (schema, batch) = people();
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            ..Default::default()
        };
        let out = run(args, &schema, batch);
        assert_eq!(names(&out), ["Age", "Name"]);
        assert_eq!(longs(&out, "Age"), [Some(20), Some(40), Some(30)]);
        assert_eq!(strs(&out, "Name"), some(&["John", "Dave", "Jasmine"]));
        assert_eq!(KqlType::of_field(out.schema().field(1)), KqlType::String);
    }

    #[test]
    fn prefix() {
        let (schema, batch) = people();
        let args = PluginArgs {
            positional: vec![col("d", &schema), s("Property_")],
            ..Default::default()
        };
        let out = run(args, &schema, batch);
        assert_eq!(names(&out), ["Property_Age", "Property_Name"]);
        assert_eq!(longs(&out, "Property_Age"), [Some(20), Some(40), Some(30)]);
    }

    fn named_people(second: &str) -> (SchemaRef, RecordBatch) {
        table(vec![
            (
                Field::new("Name", DataType::Utf8, true),
                vec![Some("James"), Some("David"), Some("Emily")],
            ),
            (
                dyn_field("d"),
                vec![
                    Some(r#"{"Name": "John", "Age":20}"#),
                    Some(second),
                    Some(r#"{"Name": "Jasmine", "Age":30}"#),
                ],
            ),
        ])
    }

    #[test]
    fn columns_conflict() {
        // bag-unpack-plugin.md, replace_source: David's bag has no Name
        let (schema, batch) = named_people(r#"{ "Age":40}"#);
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            named: vec![("columnsConflict".into(), s("replace_source"))],
            ..Default::default()
        };
        let out = run(args, &schema, batch.clone());
        assert_eq!(names(&out), ["Name", "Age"]);
        assert_eq!(strs(&out, "Name"), some(&["John", "", "Jasmine"]));
        assert_eq!(longs(&out, "Age"), [Some(20), Some(40), Some(30)]);

        // keep_source
        let (schema, batch) = named_people(r#"{"Name": "Dave", "Age":40}"#);
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            named: vec![("columnsConflict".into(), s("keep_source"))],
            ..Default::default()
        };
        let out = run(args, &schema, batch.clone());
        assert_eq!(names(&out), ["Name", "Age"]);
        assert_eq!(strs(&out, "Name"), some(&["James", "David", "Emily"]));

        // the default is an error naming the column
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            ..Default::default()
        };
        let p = plan(&args, &[Arc::clone(&schema)]).unwrap();
        let e = p.run(&[vec![batch]]).unwrap_err().to_string();
        assert!(e.contains("'Name'"), "{e}");

        // a bad mode names the argument
        let args = PluginArgs {
            positional: vec![col("d", &schema), s("~"), s("overwrite")],
            ..Default::default()
        };
        let e = plan(&args, &[Arc::clone(&schema)]).unwrap_err();
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(2)));
    }

    #[test]
    fn ignored_properties() {
        let (schema, batch) = table(vec![(
            dyn_field("d"),
            vec![
                Some(r#"{"Name": "John", "Age":20, "Address": "Address-1" }"#),
                Some(r#"{"Name": "Dave", "Age":40, "Address": "Address-2"}"#),
                Some(r#"{"Name": "Jasmine", "Age":30, "Address": "Address-3"}"#),
            ],
        )]);
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            named: vec![(
                "ignoredProperties".into(),
                PluginArg::Value(ScalarValue::Utf8(Some(r#"["Address","Age"]"#.into()))),
            )],
            ..Default::default()
        };
        let out = run(args, &schema, batch);
        assert_eq!(names(&out), ["Name"]);
        assert_eq!(strs(&out, "Name"), some(&["John", "Dave", "Jasmine"]));
    }

    #[test]
    fn missing_slots_and_mixed_types() {
        let (schema, batch) = table(vec![(
            dyn_field("d"),
            vec![
                Some(r#"{"Name": "John", "Age":20, "x": 1}"#),
                Some(r#"{ "Name": "Dave", "Height": 170, "Age":40, "x": "one"}"#),
                None,
                Some(r#"[1, 2]"#),
                Some(r#"{"Name": "Jasmine", "Age":30, "x": null, "n": null}"#),
            ],
        )]);
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            ..Default::default()
        };
        let out = run(args, &schema, batch);
        assert_eq!(names(&out), ["Age", "Height", "Name", "n", "x"]);
        assert_eq!(longs(&out, "Height"), [None, Some(170), None, None, None]);
        // null rows and non-bags are kept with empty cells; strings are never null in KQL
        assert_eq!(
            strs(&out, "Name"),
            some(&["John", "Dave", "", "", "Jasmine"])
        );
        // long and string values mix: dynamic
        assert_eq!(KqlType::of_field(out.schema().field(4)), KqlType::Dynamic);
        assert_eq!(
            strs(&out, "x"),
            [Some("1".into()), Some("\"one\"".into()), None, None, None]
        );
        assert_eq!(KqlType::of_field(out.schema().field(3)), KqlType::Dynamic);
    }

    #[test]
    fn declared_schema() {
        // bag-unpack-plugin.md, `: (*, Name:string, Age:long)`
        let (schema, batch) = table(vec![
            (
                dyn_field("d"),
                vec![
                    Some(r#"{"Name": "John", "Age":20, "height":180}"#),
                    Some(r#"{"Name": "Dave", "Age":40, "height":160}"#),
                    Some(r#"{"Name": "Jasmine", "Age":"30", "height":172}"#),
                ],
            ),
            (
                Field::new("Description", DataType::Utf8, true),
                vec![Some("Student"), Some("Teacher"), Some("Student")],
            ),
        ]);
        let decl = Arc::new(Schema::new(vec![
            KqlType::String.field("Name"),
            KqlType::Long.field("Age"),
        ]));
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            declared_schema: Some(Arc::clone(&decl)),
            declared_open: true,
            ..Default::default()
        };
        let out = run(args.clone(), &schema, batch.clone());
        assert_eq!(names(&out), ["Description", "Name", "Age"]);
        // "30" converts as tolong() would
        assert_eq!(longs(&out, "Age"), [Some(20), Some(40), Some(30)]);

        // closed: only the declared columns
        let args = PluginArgs {
            declared_open: false,
            ..args
        };
        let out = run(args.clone(), &schema, batch.clone());
        assert_eq!(names(&out), ["Name", "Age"]);
        assert_eq!(strs(&out, "Name"), some(&["John", "Dave", "Jasmine"]));

        // with a prefix, declared names carry it; a name without it matches no slot
        let decl = Arc::new(Schema::new(vec![
            KqlType::String.field("p_Name"),
            KqlType::Long.field("Age"),
        ]));
        let args = PluginArgs {
            positional: vec![col("d", &schema), s("p_")],
            declared_schema: Some(decl),
            ..args
        };
        let out = run(args, &schema, batch);
        assert_eq!(strs(&out, "p_Name"), some(&["John", "Dave", "Jasmine"]));
        assert_eq!(longs(&out, "Age"), [None, None, None]);

        // `(*, Description:string)` where the input has Description: an error by default,
        // the input column with keep_source, the slot (here missing: "") with replace_source
        let decl = Arc::new(Schema::new(vec![KqlType::String.field("Description")]));
        let mk = |mode: &str| PluginArgs {
            positional: vec![col("d", &schema), s("~"), s(mode)],
            declared_schema: Some(Arc::clone(&decl)),
            declared_open: true,
            ..Default::default()
        };
        assert!(plan(&mk("error"), &[Arc::clone(&schema)]).is_err());
        let (_, batch) = table(vec![
            (dyn_field("d"), vec![Some(r#"{"a":1}"#)]),
            (
                Field::new("Description", DataType::Utf8, true),
                vec![Some("Student")],
            ),
        ]);
        let out = run(mk("keep_source"), &schema, batch.clone());
        assert_eq!(names(&out), ["Description"]);
        assert_eq!(strs(&out, "Description"), some(&["Student"]));
        let out = run(mk("replace_source"), &schema, batch);
        assert_eq!(strs(&out, "Description"), some(&[""]));
    }

    #[test]
    fn bad_arguments() {
        let (schema, _) = table(vec![(
            Field::new("s", DataType::Utf8, true),
            vec![Some("x")],
        )]);
        let args = PluginArgs {
            positional: vec![col("s", &schema)],
            ..Default::default()
        };
        let e = plan(&args, &[Arc::clone(&schema)]).unwrap_err();
        assert!(e.message.contains("dynamic"), "{}", e.message);
        let args = PluginArgs {
            positional: vec![s("nope")],
            ..Default::default()
        };
        assert!(plan(&args, &[Arc::clone(&schema)]).is_err());
        let (schema, _) = people();
        let args = PluginArgs {
            positional: vec![col("d", &schema)],
            named: vec![(
                "ignoredProperties".into(),
                PluginArg::Value(ScalarValue::Int64(Some(1))),
            )],
            ..Default::default()
        };
        let e = plan(&args, &[Arc::clone(&schema)]).unwrap_err();
        assert_eq!(
            e.arg,
            Some(super::super::ArgRef::Named("ignoredProperties".into()))
        );
    }
}
