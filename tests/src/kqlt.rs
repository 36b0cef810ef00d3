//! The `.kqlt` conformance runner (DESIGN.md §8).
//!
//! A `.kqlt` file holds sqllogictest records whose query text is a KQL script:
//!
//! ```text
//! # source: where-operator.md
//! query IT rowsort
//! datatable(a:long, b:string) [1, "x", 2, "y"] | where a > 1
//! ----
//! 2 y
//!
//! query error KQL02\d\d
//! datatable(a:long) [1] | project nosuch
//! ```
//!
//! Records are parsed and run by the `sqllogictest` crate through [`KqlDb`], an
//! [`AsyncDB`] adapter over [`KqlContext`]. Each value is rendered the way Kusto displays it
//! ([`display_value`]); the column type letters are `I` (int, long), `R` (real) and `T`
//! (everything else). Column types are checked strictly (count and letters).
//!
//! `rowsort` compares rows as a multiset: the runner sorts the engine's rows, and
//! [`run_file`] sorts the expected lines of a `rowsort` record before comparing, so the
//! expected rows may be written in any order. Without `rowsort` the order is compared, so
//! use it unless the query sorts.
//!
//! A script that returns several result sets is checked against the last one; a script that
//! returns none (only `let` statements) completes like a `statement ok` record.

use async_trait::async_trait;
use kql_engine::KqlContext;
use kql_engine::KqlError;
use kql_engine::datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Decimal128Array,
};
use kql_engine::datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, DurationMicrosecondType, DurationMillisecondType,
    DurationNanosecondType, DurationSecondType, Field, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use kql_engine::datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use kql_engine::types::KqlType;
use sqllogictest::{
    AsyncDB, DBOutput, DefaultColumnType, QueryExpect, Record, SortMode, default_normalizer,
};
use std::path::{Path, PathBuf};

/// The sqllogictest adapter: every record's query text runs as one KQL script.
pub struct KqlDb {
    ctx: KqlContext,
}

impl KqlDb {
    pub fn new() -> Self {
        KqlDb {
            ctx: KqlContext::new(),
        }
    }
}

impl Default for KqlDb {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl AsyncDB for KqlDb {
    type Error = KqlError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, KqlError> {
        let results = self.ctx.run(sql).await?;
        let Some(last) = results.last() else {
            return Ok(DBOutput::StatementComplete(0));
        };
        let types = last
            .schema
            .fields()
            .iter()
            .map(|f| column_type(f))
            .collect();
        let mut rows = Vec::with_capacity(last.num_rows());
        for batch in &last.batches {
            let columns: Vec<(KqlType, &ArrayRef)> = batch
                .schema()
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| (KqlType::of_field(f), c))
                .collect();
            for row in 0..batch.num_rows() {
                rows.push(
                    columns
                        .iter()
                        .map(|(t, c)| display_value(*t, c.as_ref(), row))
                        .collect(),
                );
            }
        }
        Ok(DBOutput::Rows { types, rows })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "kql"
    }
}

/// The sqllogictest column letter of a result column: `I` int/long, `R` real, `T` other.
pub fn column_type(field: &Field) -> DefaultColumnType {
    match KqlType::of_field(field) {
        KqlType::Int | KqlType::Long => DefaultColumnType::Integer,
        KqlType::Real => DefaultColumnType::FloatingPoint,
        _ => DefaultColumnType::Text,
    }
}

// ---------------------------------------------------------------------------------------------
// Value display
// ---------------------------------------------------------------------------------------------

/// One value as Kusto displays it: `NULL` for a null of a typed column, `(empty)` for an
/// empty (or null) string, `true`/`false`, reals in shortest round-trip form (`1E+15`,
/// `NaN`, `Infinity`), datetimes as `2017-01-01T00:00:00Z` with a 7-digit fraction only when
/// it is non-zero, timespans as `[-][d.]hh:mm:ss[.fffffff]`, dynamic values as compact JSON
/// (a dynamic string unquoted, as Kusto shows it).
pub fn display_value(kql: KqlType, array: &dyn Array, row: usize) -> String {
    if array.is_null(row) {
        return match kql {
            KqlType::String => "(empty)".to_string(),
            _ => "NULL".to_string(),
        };
    }
    match kql {
        KqlType::String | KqlType::Guid => {
            let s = string_at(array, row).unwrap_or_else(|| format_with_arrow(array, row));
            if s.is_empty() {
                "(empty)".to_string()
            } else {
                s
            }
        }
        // Kusto shows a dynamic string without quotes (`mv-expand` of `["a"]` shows `a`);
        // other dynamic values as compact JSON.
        KqlType::Dynamic => match json_value(array, row) {
            serde_json::Value::Null => "NULL".to_string(),
            serde_json::Value::String(s) if s.is_empty() => "(empty)".to_string(),
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        },
        KqlType::Bool => match array.as_boolean_opt() {
            Some(b) => b.value(row).to_string(),
            None => format_with_arrow(array, row),
        },
        KqlType::Real => match float_at(array, row) {
            Some(v) => format_real(v),
            None => format_with_arrow(array, row),
        },
        KqlType::Datetime => match datetime_nanos_at(array, row) {
            Some(n) => format_datetime(n),
            None => format_with_arrow(array, row),
        },
        KqlType::Timespan => match duration_nanos_at(array, row) {
            Some(n) => format_timespan(n),
            None => format_with_arrow(array, row),
        },
        KqlType::Decimal => match array.as_any().downcast_ref::<Decimal128Array>() {
            Some(d) => trim_decimal(&d.value_as_string(row)),
            None => format_with_arrow(array, row),
        },
        KqlType::Int | KqlType::Long => match int_at(array, row) {
            Some(v) => v.to_string(),
            None => format_with_arrow(array, row),
        },
    }
}

fn format_with_arrow(array: &dyn Array, row: usize) -> String {
    let options = FormatOptions::default().with_null("NULL");
    match ArrayFormatter::try_new(array, &options) {
        Ok(f) => f.value(row).to_string(),
        Err(e) => format!("<unprintable {}: {e}>", array.data_type()),
    }
}

fn string_at(array: &dyn Array, row: usize) -> Option<String> {
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row).to_string()),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row).to_string()),
        DataType::Utf8View => Some(array.as_string_view().value(row).to_string()),
        DataType::Dictionary(..) => {
            let dict = array.as_any_dictionary_opt()?;
            let key = dict.normalized_keys().get(row).copied()?;
            string_at(dict.values().as_ref(), key)
        }
        _ => None,
    }
}

fn int_at(array: &dyn Array, row: usize) -> Option<i128> {
    Some(match array.data_type() {
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).into(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).into(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).into(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).into(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).into(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).into(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).into(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).into(),
        _ => return None,
    })
}

fn float_at(array: &dyn Array, row: usize) -> Option<f64> {
    Some(match array.data_type() {
        DataType::Float16 => array.as_primitive::<Float16Type>().value(row).to_f64(),
        DataType::Float32 => array.as_primitive::<Float32Type>().value(row).into(),
        DataType::Float64 => array.as_primitive::<Float64Type>().value(row),
        _ => return None,
    })
}

fn datetime_nanos_at(array: &dyn Array, row: usize) -> Option<i64> {
    Some(match array.data_type() {
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            array.as_primitive::<TimestampNanosecondType>().value(row)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => array
            .as_primitive::<TimestampMicrosecondType>()
            .value(row)
            .checked_mul(1_000)?,
        DataType::Timestamp(TimeUnit::Millisecond, _) => array
            .as_primitive::<TimestampMillisecondType>()
            .value(row)
            .checked_mul(1_000_000)?,
        DataType::Timestamp(TimeUnit::Second, _) => array
            .as_primitive::<TimestampSecondType>()
            .value(row)
            .checked_mul(1_000_000_000)?,
        DataType::Date32 => i64::from(array.as_primitive::<Date32Type>().value(row))
            .checked_mul(86_400 * 1_000_000_000)?,
        DataType::Date64 => array
            .as_primitive::<Date64Type>()
            .value(row)
            .checked_mul(1_000_000)?,
        _ => return None,
    })
}

fn duration_nanos_at(array: &dyn Array, row: usize) -> Option<i64> {
    Some(match array.data_type() {
        DataType::Duration(TimeUnit::Nanosecond) => {
            array.as_primitive::<DurationNanosecondType>().value(row)
        }
        DataType::Duration(TimeUnit::Microsecond) => array
            .as_primitive::<DurationMicrosecondType>()
            .value(row)
            .checked_mul(1_000)?,
        DataType::Duration(TimeUnit::Millisecond) => array
            .as_primitive::<DurationMillisecondType>()
            .value(row)
            .checked_mul(1_000_000)?,
        DataType::Duration(TimeUnit::Second) => array
            .as_primitive::<DurationSecondType>()
            .value(row)
            .checked_mul(1_000_000_000)?,
        _ => return None,
    })
}

/// A real as Kusto prints it (shared with the CLI: [`kql_engine::display::format_real`]).
pub fn format_real(v: f64) -> String {
    kql_engine::display::format_real(v)
}

/// `2017-01-01T00:00:00Z`, with `.fffffff` only when the fraction is non-zero.
pub fn format_datetime(unix_nanos: i64) -> String {
    kql_engine::display::format_datetime_nanos(unix_nanos)
}

/// `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(nanos: i64) -> String {
    kql_engine::display::format_timespan_nanos(nanos)
}

fn trim_decimal(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// A value of a dynamic column as JSON: Utf8 columns hold JSON text; nested Arrow types
/// (lists, structs, maps) are converted element by element.
fn json_value(array: &dyn Array, row: usize) -> serde_json::Value {
    use serde_json::Value;
    if array.is_null(row) {
        return Value::Null;
    }
    if let Some(text) = string_at(array, row) {
        return serde_json::from_str(&text).unwrap_or(Value::String(text));
    }
    match array.data_type() {
        DataType::Boolean => match array.as_any().downcast_ref::<BooleanArray>() {
            Some(b) => Value::Bool(b.value(row)),
            None => Value::Null,
        },
        // nested values as the engine prints them (datetimes inside take the 7-digit form)
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Struct(_)
        | DataType::Map(..) => kql_engine::display::nested_json(array, row),
        DataType::Dictionary(..) => match array.as_any_dictionary_opt() {
            Some(dict) => match dict.normalized_keys().get(row) {
                Some(&k) => json_value(dict.values().as_ref(), k),
                None => Value::Null,
            },
            None => Value::String(format_with_arrow(array, row)),
        },
        _ => {
            if let Some(i) = int_at(array, row) {
                if let Ok(v) = i64::try_from(i) {
                    return Value::from(v);
                }
                return Value::from(i as f64);
            }
            if let Some(f) = float_at(array, row) {
                return serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(format_real(f)));
            }
            if let Some(n) = datetime_nanos_at(array, row) {
                return Value::String(format_datetime(n));
            }
            if let Some(n) = duration_nanos_at(array, row) {
                return Value::String(format_timespan(n));
            }
            Value::String(format_with_arrow(array, row))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Corpus runner
// ---------------------------------------------------------------------------------------------

/// Results of one `.kqlt` file.
#[derive(Clone, Debug, Default)]
pub struct FileSummary {
    pub path: PathBuf,
    pub passed: usize,
    pub failed: usize,
    /// One rendered failure per failed record (location, query, expected vs actual).
    pub failures: Vec<String>,
}

/// Results of a corpus run.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub files: Vec<FileSummary>,
}

impl Summary {
    pub fn passed(&self) -> usize {
        self.files.iter().map(|f| f.passed).sum()
    }

    pub fn failed(&self) -> usize {
        self.files.iter().map(|f| f.failed).sum()
    }
}

/// All `*.kqlt` files under `dir` (recursively), sorted by path.
pub fn corpus_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "kqlt") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Parses `path` into records; a parse failure is reported as one failed record.
fn parse_records(path: &Path) -> Result<Vec<Record<DefaultColumnType>>, String> {
    sqllogictest::parse_file::<DefaultColumnType>(path).map_err(|e| format!("{e}"))
}

/// Runs every record of one file, each through the sqllogictest runner, and counts query and
/// statement records. `rowsort` expectations are sorted the way the runner sorts actual rows.
pub async fn run_file(path: &Path) -> FileSummary {
    let mut summary = FileSummary {
        path: path.to_path_buf(),
        ..FileSummary::default()
    };
    let records = match parse_records(path) {
        Ok(r) => r,
        Err(e) => {
            summary.failed += 1;
            summary
                .failures
                .push(format!("cannot parse {}: {e}", path.display()));
            return summary;
        }
    };
    let mut runner = sqllogictest::Runner::new(|| async { Ok(KqlDb::new()) });
    runner.with_column_validator(sqllogictest::strict_column_validator);
    for record in records {
        let counted = matches!(record, Record::Query { .. } | Record::Statement { .. });
        let record = sort_expected(record);
        match runner.run_async(record).await {
            Ok(_) if counted => summary.passed += 1,
            Ok(_) => {}
            Err(e) => {
                summary.failed += 1;
                summary.failures.push(format!("{e}"));
            }
        }
    }
    summary
}

/// For a `rowsort` query, puts the expected lines in the order of the sorted actual rows
/// (normalised text order), so files may list rows in any order.
fn sort_expected(mut record: Record<DefaultColumnType>) -> Record<DefaultColumnType> {
    if let Record::Query {
        expected:
            QueryExpect::Results {
                sort_mode: Some(SortMode::RowSort),
                results,
                ..
            },
        ..
    } = &mut record
    {
        let mut lines: Vec<String> = results.iter().map(default_normalizer).collect();
        lines.sort_unstable();
        *results = lines;
    }
    record
}

/// Runs every `.kqlt` file under `dir`, printing `<file>: N passed, M failed` per file (and
/// the failures when `verbose`), then the total as `N passed, M failed`.
pub async fn run_corpus_with(dir: &Path, verbose: bool) -> Summary {
    let mut summary = Summary::default();
    let files = match corpus_files(dir) {
        Ok(f) => f,
        Err(e) => {
            summary.files.push(FileSummary {
                path: dir.to_path_buf(),
                passed: 0,
                failed: 1,
                failures: vec![format!("cannot list {}: {e}", dir.display())],
            });
            return summary;
        }
    };
    for file in files {
        let fs = run_file(&file).await;
        let name = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        println!("{name}: {} passed, {} failed", fs.passed, fs.failed);
        if verbose {
            for f in &fs.failures {
                println!("  {}", f.replace('\n', "\n  "));
            }
        }
        summary.files.push(fs);
    }
    println!("{} passed, {} failed", summary.passed(), summary.failed());
    summary
}

/// [`run_corpus_with`] without printing the failures.
pub async fn run_corpus(dir: impl AsRef<Path>) -> Summary {
    run_corpus_with(dir.as_ref(), false).await
}

/// Checks that every query and statement in the `.kqlt` files under `dir` parses as KQL
/// (no engine needed). Returns `(records checked, failures)`.
pub fn parse_check(dir: &Path) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    let files = match corpus_files(dir) {
        Ok(f) => f,
        Err(e) => return (0, vec![format!("cannot list {}: {e}", dir.display())]),
    };
    for file in files {
        let records = match parse_records(&file) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("cannot parse {}: {e}", file.display()));
                continue;
            }
        };
        for record in records {
            let (sql, loc, expect_error) = match &record {
                Record::Query {
                    sql, loc, expected, ..
                } => (sql, loc, matches!(expected, QueryExpect::Error(_))),
                Record::Statement { sql, loc, .. } => (sql, loc, false),
                _ => continue,
            };
            checked += 1;
            let out = kql_parser::parse_script(sql);
            if !out.diagnostics.is_empty() && !expect_error {
                let msgs: Vec<String> = out
                    .diagnostics
                    .iter()
                    .map(|d| format!("{}: {}", d.code, d.message))
                    .collect();
                failures.push(format!(
                    "{loc}: {}\n    {}",
                    msgs.join("; "),
                    sql.replace('\n', "\n    ")
                ));
            }
        }
    }
    (checked, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_use_dotnet_round_trip_form() {
        assert_eq!(format_real(1.0), "1");
        assert_eq!(format_real(2.5), "2.5");
        assert_eq!(format_real(-0.1), "-0.1");
        assert_eq!(format_real(0.0001), "0.0001");
        assert_eq!(format_real(0.00001), "1E-05");
        assert_eq!(format_real(1e14), "100000000000000");
        assert_eq!(format_real(1e15), "1E+15");
        assert_eq!(format_real(1.5e300), "1.5E+300");
        assert_eq!(format_real(f64::NAN), "NaN");
        assert_eq!(format_real(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(format_real(1.0 / 3.0), "0.3333333333333333");
    }

    #[test]
    fn datetimes_print_fraction_only_when_non_zero() {
        // 2017-01-01T00:00:00Z is 1483228800 s after the Unix epoch.
        let base = 1_483_228_800_i64 * 1_000_000_000;
        assert_eq!(format_datetime(base), "2017-01-01T00:00:00Z");
        assert_eq!(
            format_datetime(base + 500_000_000),
            "2017-01-01T00:00:00.5000000Z"
        );
        assert_eq!(format_datetime(0), "1970-01-01T00:00:00Z");
        // 1969-12-31T23:59:59.9: negative nanos floor towards the past.
        assert_eq!(
            format_datetime(-100_000_000),
            "1969-12-31T23:59:59.9000000Z"
        );
        // 1900-01-01 is 25567 days before 1970-01-01.
        assert_eq!(
            format_datetime(-25_567 * 86_400 * 1_000_000_000),
            "1900-01-01T00:00:00Z"
        );
        assert_eq!(
            format_datetime(951_782_400 * 1_000_000_000),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn timespans_print_days_and_ticks() {
        let s = 1_000_000_000_i64;
        assert_eq!(format_timespan(0), "00:00:00");
        assert_eq!(format_timespan(90 * s), "00:01:30");
        assert_eq!(format_timespan(-90 * s), "-00:01:30");
        assert_eq!(
            format_timespan(((24 + 2) * 3600 + 3 * 60 + 4) * s + s / 2),
            "1.02:03:04.5000000"
        );
        assert_eq!(format_timespan(100), "00:00:00.0000001");
        assert_eq!(format_timespan(30 * 86_400 * s), "30.00:00:00");
    }

    #[test]
    fn column_letters() {
        assert_eq!(
            column_type(&KqlType::Long.field("a")),
            DefaultColumnType::Integer
        );
        assert_eq!(
            column_type(&KqlType::Int.field("a")),
            DefaultColumnType::Integer
        );
        assert_eq!(
            column_type(&KqlType::Real.field("a")),
            DefaultColumnType::FloatingPoint
        );
        assert_eq!(
            column_type(&KqlType::Datetime.field("a")),
            DefaultColumnType::Text
        );
        assert_eq!(
            column_type(&KqlType::Dynamic.field("a")),
            DefaultColumnType::Text
        );
    }

    #[test]
    fn strings_and_dynamic_values() {
        use kql_engine::datafusion::arrow::array::StringArray;
        let a = StringArray::from(vec![Some("x y"), Some(""), None]);
        assert_eq!(display_value(KqlType::String, &a, 0), "x y");
        assert_eq!(display_value(KqlType::String, &a, 1), "(empty)");
        assert_eq!(display_value(KqlType::String, &a, 2), "(empty)");
        let d = StringArray::from(vec![Some("{ \"a\" : [1, 2] }"), None]);
        assert_eq!(display_value(KqlType::Dynamic, &d, 0), "{\"a\":[1,2]}");
        assert_eq!(display_value(KqlType::Dynamic, &d, 1), "NULL");
        let e = StringArray::from(vec![Some("\"a\""), Some("10")]);
        assert_eq!(display_value(KqlType::Dynamic, &e, 0), "a");
        assert_eq!(display_value(KqlType::Dynamic, &e, 1), "10");
    }
}
