//! KQL scalar types and their Arrow representation (DESIGN.md §3).
//!
//! | KQL | Arrow |
//! |---|---|
//! | bool | Boolean |
//! | int | Int32 |
//! | long | Int64 |
//! | real | Float64 |
//! | decimal | Decimal128(38, 18) |
//! | datetime | Timestamp(Nanosecond, "UTC") |
//! | timespan | Duration(Nanosecond) |
//! | guid | Utf8 with field metadata `kql.type = guid` |
//! | string | Utf8 |
//! | dynamic | Utf8 JSON text with field metadata `kql.type = dynamic` |
//!
//! `string`, `guid` and `dynamic` share Arrow's Utf8, so the KQL type of a column is kept in
//! its field metadata under [`KQL_TYPE_KEY`]; a Utf8 field without it is a `string`.

use datafusion::arrow::datatypes::{DataType, Field, TimeUnit};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use kql_parser::ast::TypeName;

/// Field metadata key holding the KQL type where Arrow's type is ambiguous.
pub const KQL_TYPE_KEY: &str = "kql.type";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KqlType {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    Datetime,
    Timespan,
    Guid,
    String,
    Dynamic,
}

impl KqlType {
    pub fn name(&self) -> &'static str {
        match self {
            KqlType::Bool => "bool",
            KqlType::Int => "int",
            KqlType::Long => "long",
            KqlType::Real => "real",
            KqlType::Decimal => "decimal",
            KqlType::Datetime => "datetime",
            KqlType::Timespan => "timespan",
            KqlType::Guid => "guid",
            KqlType::String => "string",
            KqlType::Dynamic => "dynamic",
        }
    }

    pub fn from_type_name(t: TypeName) -> KqlType {
        match t {
            TypeName::Bool => KqlType::Bool,
            TypeName::Int => KqlType::Int,
            TypeName::Long => KqlType::Long,
            TypeName::Real => KqlType::Real,
            TypeName::Decimal => KqlType::Decimal,
            TypeName::Datetime => KqlType::Datetime,
            TypeName::Timespan => KqlType::Timespan,
            TypeName::Guid => KqlType::Guid,
            TypeName::String => KqlType::String,
            TypeName::Dynamic => KqlType::Dynamic,
        }
    }

    /// The Arrow type that stores values of this KQL type.
    pub fn arrow_type(&self) -> DataType {
        match self {
            KqlType::Bool => DataType::Boolean,
            KqlType::Int => DataType::Int32,
            KqlType::Long => DataType::Int64,
            KqlType::Real => DataType::Float64,
            KqlType::Decimal => DataType::Decimal128(38, 18),
            KqlType::Datetime => datetime_type(),
            KqlType::Timespan => DataType::Duration(TimeUnit::Nanosecond),
            KqlType::Guid | KqlType::String | KqlType::Dynamic => DataType::Utf8,
        }
    }

    /// An Arrow field of this KQL type (nullable; with metadata for guid and dynamic).
    pub fn field(&self, name: &str) -> Field {
        let f = Field::new(name, self.arrow_type(), true);
        match self {
            KqlType::Guid | KqlType::Dynamic => f.with_metadata(HashMap::from([(
                KQL_TYPE_KEY.to_string(),
                self.name().to_string(),
            )])),
            _ => f,
        }
    }

    /// The KQL type of an Arrow field (metadata first, then the Arrow type).
    pub fn of_field(field: &Field) -> KqlType {
        match field.metadata().get(KQL_TYPE_KEY).map(String::as_str) {
            Some("dynamic") => return KqlType::Dynamic,
            Some("guid") => return KqlType::Guid,
            _ => {}
        }
        KqlType::of_arrow(field.data_type())
    }

    /// The KQL type for an Arrow type (Utf8 → string; nested types → dynamic).
    pub fn of_arrow(dt: &DataType) -> KqlType {
        match dt {
            DataType::Boolean => KqlType::Bool,
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::UInt8
            | DataType::UInt16 => KqlType::Int,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => KqlType::Long,
            DataType::Float16 | DataType::Float32 | DataType::Float64 => KqlType::Real,
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..) => KqlType::Decimal,
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => KqlType::Datetime,
            DataType::Duration(_)
            | DataType::Interval(_)
            | DataType::Time32(_)
            | DataType::Time64(_) => KqlType::Timespan,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => KqlType::String,
            DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
            | DataType::Struct(_)
            | DataType::Map(..) => KqlType::Dynamic,
            DataType::Null => KqlType::Dynamic,
            _ => KqlType::String,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal
        )
    }
}

impl fmt::Display for KqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// KQL datetime: nanoseconds since the Unix epoch, UTC.
pub fn datetime_type() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some(Arc::from("UTC")))
}

/// Ticks (100 ns since 0001-01-01) to Unix nanoseconds; `None` outside Arrow's ns range
/// (1677-09-21 .. 2262-04-11).
pub fn ticks_to_unix_nanos(ticks: i64) -> Option<i64> {
    const EPOCH_TICKS: i64 = 621_355_968_000_000_000;
    ticks.checked_sub(EPOCH_TICKS)?.checked_mul(100)
}
