//! Parquet files.
//!
//! A table of plain `.parquet` files is a streaming DataFusion `ListingTable` (row-group
//! pruning, projection pushdown, parallel scans), in two settings (`parquet_table.rs`). Its
//! schema is the files' schemas unified by column name (`unify::unify_arrow`), with every
//! timestamp or date column exposed as `Timestamp(Nanosecond, "UTC")` (a zone-less timestamp
//! is taken as UTC); DataFusion's default physical-expression adapter casts each file's
//! columns to it and fills columns a file lacks with nulls. Nested columns (lists, structs)
//! keep their Arrow types for now.
//!
//! Gzipped Parquet files, and Parquet files in a table that also has text files, are read with
//! the `parquet` crate's synchronous reader and cast to the table schema: eagerly, or batch by
//! batch inside a streamed text table's partition (`stream.rs`).

use super::infer::Inferred;
use super::parquet_table::{ParquetTable, RowGroupStarts};
use super::unify::{ColumnSet, normalize_arrow_type, unify_arrow};
use super::{DataFile, read_error};
use crate::error::{KqlError, Result};
use datafusion::arrow::array::{ArrayRef, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::config::TableParquetOptions;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::file::metadata::ParquetMetaData;
use kql_functions::types::KqlType;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Either the file itself or its gunzipped bytes, for the synchronous reader.
enum Source {
    File(std::fs::File),
    Bytes(bytes::Bytes),
}

fn open(file: &DataFile) -> Result<Source> {
    let f = std::fs::File::open(&file.path).map_err(|e| KqlError::Io {
        path: file.path.clone(),
        message: e.to_string(),
    })?;
    if !file.gzip {
        return Ok(Source::File(f));
    }
    let mut data = Vec::new();
    flate2::read::MultiGzDecoder::new(std::io::BufReader::new(f))
        .read_to_end(&mut data)
        .map_err(|e| read_error(&file.path, None, &e))?;
    Ok(Source::Bytes(bytes::Bytes::from(data)))
}

fn parquet_error(file: &DataFile, e: impl std::fmt::Display) -> KqlError {
    KqlError::data(&file.path, None, format!("invalid Parquet file: {e}"))
}

/// The Arrow schema stored in a Parquet file's footer (after [`check_metadata`]).
pub fn file_schema(file: &DataFile) -> Result<SchemaRef> {
    file_footer(file).map(|(schema, _)| schema)
}

/// The Arrow schema and the metadata of a Parquet file's footer (after [`check_metadata`]).
fn file_footer(file: &DataFile) -> Result<(SchemaRef, Arc<ParquetMetaData>)> {
    guard(&file.path, || {
        let (schema, metadata) = match open(file)? {
            Source::File(f) => ParquetRecordBatchReaderBuilder::try_new(f)
                .map(|b| (b.schema().clone(), Arc::clone(b.metadata()))),
            Source::Bytes(b) => ParquetRecordBatchReaderBuilder::try_new(b)
                .map(|b| (b.schema().clone(), Arc::clone(b.metadata()))),
        }
        .map_err(|e| parquet_error(file, e))?;
        check_metadata(file, &metadata)?;
        Ok((schema, metadata))
    })
}

/// Adds each top-level column's uncompressed bytes in `metadata` to `bytes`, and its rows to
/// `rows`.
fn add_column_bytes(metadata: &ParquetMetaData, bytes: &mut HashMap<String, f64>, rows: &mut f64) {
    for group in metadata.row_groups() {
        *rows += group.num_rows() as f64;
        for chunk in group.columns() {
            if let Some(name) = chunk.column_descr().path().parts().first() {
                *bytes.entry(name.clone()).or_insert(0.0) += chunk.uncompressed_size() as f64;
            }
        }
    }
}

/// The largest row or byte count a footer may claim: far beyond any real file, and small
/// enough that DataFusion's statistics (row count × value width, sums of sizes) cannot
/// overflow.
const MAX_FOOTER_COUNT: i64 = 1 << 48;

/// Rejects footers the `parquet` and DataFusion crates panic on when they read or plan the
/// file (fuzz inputs under engine/fuzz/regressions/read_parquet/): a column chunk with a
/// negative offset or size; row counts or sizes that are negative or so large that
/// DataFusion's statistics overflow (`compute_arrow_column_size`).
fn check_metadata(
    file: &DataFile,
    metadata: &datafusion::parquet::file::metadata::ParquetMetaData,
) -> Result<()> {
    let in_range = |n: i64| (0..=MAX_FOOTER_COUNT).contains(&n);
    if !in_range(metadata.file_metadata().num_rows()) {
        return Err(parquet_error(
            file,
            format!(
                "the footer gives an impossible row count ({})",
                metadata.file_metadata().num_rows()
            ),
        ));
    }
    let mut rows = 0i64;
    let mut sizes = vec![0i64; metadata.file_metadata().schema_descr().num_columns()];
    for (g, group) in metadata.row_groups().iter().enumerate() {
        rows = rows.saturating_add(group.num_rows());
        if !in_range(group.num_rows()) || !in_range(rows) {
            return Err(parquet_error(
                file,
                format!(
                    "row group {g} has an impossible row count ({})",
                    group.num_rows()
                ),
            ));
        }
        for (c, chunk) in group.columns().iter().enumerate() {
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            if start < 0 || chunk.compressed_size() < 0 {
                return Err(parquet_error(
                    file,
                    format!("column {c} of row group {g} has a negative offset or size"),
                ));
            }
            let total = sizes.get_mut(c).map_or(0, |t| {
                *t = t.saturating_add(chunk.uncompressed_size());
                *t
            });
            if !in_range(chunk.uncompressed_size()) || !in_range(total) {
                return Err(parquet_error(
                    file,
                    format!("column {c} of row group {g} has an impossible size"),
                ));
            }
        }
    }
    Ok(())
}

/// The message of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Runs `f`, which reads Parquet data with the `parquet` crate, turning a panic inside that
/// crate (on a damaged file) into an error naming the file.
fn guard<T>(file: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        Err(KqlError::data(
            file,
            None,
            format!(
                "invalid Parquet file: the Parquet reader failed on it ({})",
                panic_message(panic.as_ref())
            ),
        ))
    })
}

/// Reads every column of every row group of a plain Parquet file, to find out whether it is
/// damaged: the error naming the file, or `None` when it reads cleanly. Used when a query over
/// several Parquet files fails with a Parquet decoding error that does not say which file.
pub fn diagnose(path: &Path) -> Option<KqlError> {
    let file = DataFile {
        path: path.to_path_buf(),
        kind: super::Kind::Parquet,
        gzip: false,
        size: 0,
        segment: None,
        checked: None,
    };
    file_schema(&file)
        .and_then(|schema| read_each(&file, &schema, &mut |_| Ok(())))
        .err()
}

/// The file's columns as inference kinds (to unify with text files).
pub fn infer(file: &DataFile) -> Result<ColumnSet> {
    let schema = file_schema(file)?;
    let mut set = ColumnSet::default();
    for f in schema.fields() {
        let t = KqlType::of_arrow(&normalize_arrow_type(f.data_type()));
        let t = if KqlType::of_field(f) == KqlType::Dynamic {
            KqlType::Dynamic
        } else {
            t
        };
        set.observe(f.name(), Inferred::of_kql_type(t));
    }
    Ok(set)
}

/// A streaming `ListingTable` over plain Parquet files; `None` when a path cannot be given
/// to DataFusion literally (it holds glob characters), and the caller reads eagerly instead.
pub fn listing_table(files: &[DataFile]) -> Result<Option<Arc<dyn TableProvider>>> {
    let mut schemas = Vec::with_capacity(files.len());
    let mut urls = Vec::with_capacity(files.len());
    let (mut bytes, mut rows) = (HashMap::new(), 0.0);
    let mut row_groups = Vec::with_capacity(files.len());
    for f in files {
        // (before the footer: a change in between shows as a changed file at scan time)
        let stat = std::fs::metadata(&f.path).ok();
        let (schema, metadata) = file_footer(f)?;
        schemas.push(schema);
        add_column_bytes(&metadata, &mut bytes, &mut rows);
        row_groups.push(RowGroupStarts::new(
            stat.as_ref().map_or(u64::MAX, |m| m.len()),
            stat.and_then(|m| m.modified().ok()),
            row_group_starts(&metadata),
        ));
        let abs = std::path::absolute(&f.path).map_err(|e| KqlError::Io {
            path: f.path.clone(),
            message: e.to_string(),
        })?;
        let Some(text) = abs
            .to_str()
            .filter(|s| !s.contains(['*', '?', '[', ']', '{', '}']))
        else {
            return Ok(None);
        };
        urls.push(ListingTableUrl::parse(text)?);
    }
    let row_groups: HashMap<String, RowGroupStarts> = urls
        .iter()
        .zip(row_groups)
        .map(|(u, starts)| (u.prefix().to_string(), starts))
        .collect();
    // Strings are read as views: decoding a dictionary page into views copies 16-byte views,
    // not every string (about 2× faster scans of low-cardinality columns); the planner casts
    // them to plain strings above the scan's filters (`planner::tabular::scan_unqualified`).
    let schema = Arc::new(Schema::new(
        unify_arrow(&schemas)
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 => {
                    Arc::new(f.as_ref().clone().with_data_type(DataType::Utf8View))
                }
                _ => Arc::clone(f),
            })
            .collect::<Vec<_>>(),
    ));
    // The files are named explicitly, so no extension filter is needed. The second table
    // applies the scan's filters while decoding (`parquet_table.rs`).
    let table = |format: ParquetFormat| -> Result<ListingTable> {
        let options = ListingOptions::new(Arc::new(format)).with_file_extension("");
        let config = ListingTableConfig::new_with_multi_paths(urls.clone())
            .with_listing_options(options)
            .with_schema(Arc::clone(&schema));
        Ok(ListingTable::try_new(config)?)
    };
    let mut late = TableParquetOptions::default();
    late.global.pushdown_filters = true;
    late.global.reorder_filters = true;
    let bytes_per_row = bytes
        .into_iter()
        .map(|(name, b)| (name, if rows > 0.0 { b / rows } else { 0.0 }))
        .collect();
    Ok(Some(Arc::new(ParquetTable::new(
        table(ParquetFormat::default())?,
        table(ParquetFormat::default().with_options(late))?,
        bytes_per_row,
        row_groups,
    ))))
}

/// Where each row group of a file starts: the offset of its first column's first page, the
/// offset by which DataFusion assigns a row group to a byte range of the file.
fn row_group_starts(metadata: &ParquetMetaData) -> Vec<i64> {
    metadata
        .row_groups()
        .iter()
        .filter_map(|g| {
            let c = g.columns().first()?;
            Some(
                c.dictionary_page_offset()
                    .unwrap_or_else(|| c.data_page_offset()),
            )
        })
        .collect()
}

/// Reads a Parquet file batch by batch, cast to `schema`, handing each batch to `emit`.
pub fn read_each(
    file: &DataFile,
    schema: &SchemaRef,
    emit: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let mut reader = guard(&file.path, || {
        match open(file)? {
            Source::File(f) => ParquetRecordBatchReaderBuilder::try_new(f).and_then(|b| b.build()),
            Source::Bytes(b) => ParquetRecordBatchReaderBuilder::try_new(b).and_then(|b| b.build()),
        }
        .map_err(|e| parquet_error(file, e))
    })?;
    while let Some(batch) = guard(&file.path, || Ok(reader.next()))? {
        let batch = batch.map_err(|e| parquet_error(file, e))?;
        emit(conform(file, &batch, schema)?)?;
    }
    Ok(())
}

/// Casts a batch's columns to `schema` by name, filling absent columns with nulls.
fn conform(file: &DataFile, batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let src: &Schema = batch.schema_ref();
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let array = match src.index_of(field.name()).ok().map(|i| batch.column(i)) {
            Some(col) if col.data_type() == field.data_type() => col.clone(),
            Some(col) => cast(col, field.data_type()).map_err(|e| {
                KqlError::data(
                    &file.path,
                    None,
                    format!(
                        "column '{}' ({}) cannot be read as {}: {e}",
                        field.name(),
                        col.data_type(),
                        field.data_type()
                    ),
                )
            })?,
            None => new_null_array(field.data_type(), batch.num_rows()),
        };
        arrays.push(array);
    }
    Ok(RecordBatch::try_new(schema.clone(), arrays)?)
}
