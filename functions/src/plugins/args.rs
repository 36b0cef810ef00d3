//! Plugin arguments as the engine hands them over, and typed accessors with KQL's `'~'` default.

use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::common::ScalarValue;
use std::fmt;

/// One argument of a plugin call.
#[derive(Clone, Debug, PartialEq)]
pub enum PluginArg {
    /// A bare name of a column of the piped input: its name and position.
    Column { name: String, index: usize },
    /// A constant (`'~'` arrives as the string `"~"`).
    Value(ScalarValue),
    /// A tabular argument: the index of the extra input (1 = the first table argument).
    Table(usize),
}

/// Which argument an error is about (the engine puts the caret there).
#[derive(Clone, Debug, PartialEq)]
pub enum ArgRef {
    Positional(usize),
    Named(String),
}

/// A plugin's complaint about its arguments or input.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginError {
    pub arg: Option<ArgRef>,
    pub message: String,
}

impl PluginError {
    /// An error about the call as a whole.
    pub fn call(message: impl Into<String>) -> Self {
        PluginError {
            arg: None,
            message: message.into(),
        }
    }

    /// An error about positional argument `i` (0-based).
    pub fn at(i: usize, message: impl Into<String>) -> Self {
        PluginError {
            arg: Some(ArgRef::Positional(i)),
            message: message.into(),
        }
    }

    /// An error about the named argument `name`.
    pub fn named(name: &str, message: impl Into<String>) -> Self {
        PluginError {
            arg: Some(ArgRef::Named(name.to_string())),
            message: message.into(),
        }
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

/// The arguments of one call: positional, then `name = value` ones, plus the output schema the
/// query declared with `evaluate plugin(...) : (col:type, ...)`, if any.
#[derive(Clone, Debug, Default)]
pub struct PluginArgs {
    pub positional: Vec<PluginArg>,
    pub named: Vec<(String, PluginArg)>,
    pub declared_schema: Option<SchemaRef>,
    /// The declared schema started with `*` (`: (*, x:long)`).
    pub declared_open: bool,
}

impl PluginArgs {
    pub fn len(&self) -> usize {
        self.positional.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positional.is_empty()
    }

    /// Positional argument `i`, or `None` when it is absent or `'~'`.
    pub fn get(&self, i: usize) -> Option<&PluginArg> {
        self.positional.get(i).filter(|a| !is_default(a))
    }

    /// A named argument, or `None` when it is absent or `'~'`.
    pub fn get_named(&self, name: &str) -> Option<&PluginArg> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
            .filter(|a| !is_default(a))
    }

    /// Fails when there are more than `max` positional arguments.
    pub fn at_most(&self, plugin: &str, max: usize) -> Result<(), PluginError> {
        if self.positional.len() > max {
            return Err(PluginError::at(
                max,
                format!(
                    "{plugin}() takes at most {max} arguments, got {}",
                    self.positional.len()
                ),
            ));
        }
        Ok(())
    }

    /// Fails when a named argument is not one of `allowed`.
    pub fn only_named(&self, plugin: &str, allowed: &[&str]) -> Result<(), PluginError> {
        for (n, _) in &self.named {
            if !allowed.contains(&n.as_str()) {
                let known = if allowed.is_empty() {
                    "it takes none".to_string()
                } else {
                    format!("expected one of: {}", allowed.join(", "))
                };
                return Err(PluginError::named(
                    n,
                    format!("{plugin}() has no parameter named '{n}' ({known})"),
                ));
            }
        }
        Ok(())
    }

    /// Positional argument `i` as a column of the piped input (name, position); `None` when
    /// absent or `'~'`. A string constant naming a column is accepted too.
    pub fn column(
        &self,
        i: usize,
        what: &str,
        input: &SchemaRef,
    ) -> Result<Option<(String, usize)>, PluginError> {
        match self.get(i) {
            None => Ok(None),
            Some(PluginArg::Column { name, index }) => Ok(Some((name.clone(), *index))),
            Some(PluginArg::Value(ScalarValue::Utf8(Some(s)))) => match input.index_of(s) {
                Ok(idx) => Ok(Some((s.clone(), idx))),
                Err(_) => Err(PluginError::at(
                    i,
                    format!("{what}: the input has no column named '{s}'"),
                )),
            },
            Some(_) => Err(PluginError::at(
                i,
                format!("{what} must be the name of an input column"),
            )),
        }
    }

    /// Like [`PluginArgs::column`] but required.
    pub fn required_column(
        &self,
        i: usize,
        what: &str,
        input: &SchemaRef,
    ) -> Result<(String, usize), PluginError> {
        self.column(i, what, input)?.ok_or_else(|| {
            PluginError::at(
                i,
                format!("{what} is required: the name of an input column"),
            )
        })
    }

    /// Positional argument `i` as a constant value (`None` when absent, `'~'` or null).
    pub fn value(&self, i: usize, what: &str) -> Result<Option<&ScalarValue>, PluginError> {
        match self.get(i) {
            None => Ok(None),
            Some(PluginArg::Value(v)) if v.is_null() => Ok(None),
            Some(PluginArg::Value(v)) => Ok(Some(v)),
            Some(PluginArg::Column { name, .. }) => Err(PluginError::at(
                i,
                format!("{what} must be a constant, not the column '{name}'"),
            )),
            Some(PluginArg::Table(_)) => Err(PluginError::at(
                i,
                format!("{what} must be a constant, not a table"),
            )),
        }
    }

    /// Positional argument `i` as a real number (any numeric constant).
    pub fn f64(&self, i: usize, what: &str) -> Result<Option<f64>, PluginError> {
        match self.value(i, what)? {
            None => Ok(None),
            Some(v) => scalar_f64(v)
                .map(Some)
                .ok_or_else(|| PluginError::at(i, format!("{what} must be a number, got {v}"))),
        }
    }

    /// Positional argument `i` as a whole number (an integer constant, or a real with no
    /// fraction).
    pub fn i64(&self, i: usize, what: &str) -> Result<Option<i64>, PluginError> {
        match self.value(i, what)? {
            None => Ok(None),
            Some(v) => match scalar_f64(v) {
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(x as i64)),
                _ => Err(PluginError::at(
                    i,
                    format!("{what} must be a whole number, got {v}"),
                )),
            },
        }
    }

    /// Positional argument `i` as a string constant.
    pub fn string(&self, i: usize, what: &str) -> Result<Option<String>, PluginError> {
        match self.value(i, what)? {
            None => Ok(None),
            Some(ScalarValue::Utf8(Some(s))) | Some(ScalarValue::LargeUtf8(Some(s))) => {
                Ok(Some(s.clone()))
            }
            Some(v) => Err(PluginError::at(
                i,
                format!("{what} must be a string, got {v}"),
            )),
        }
    }

    /// Positional argument `i` as a timespan in nanoseconds.
    pub fn timespan_nanos(&self, i: usize, what: &str) -> Result<Option<i64>, PluginError> {
        match self.value(i, what)? {
            None => Ok(None),
            Some(ScalarValue::DurationNanosecond(Some(n))) => Ok(Some(*n)),
            Some(v) => Err(PluginError::at(
                i,
                format!("{what} must be a timespan, got {v}"),
            )),
        }
    }

    /// Positional argument `i` as a datetime in Unix nanoseconds (UTC).
    pub fn datetime_nanos(&self, i: usize, what: &str) -> Result<Option<i64>, PluginError> {
        match self.value(i, what)? {
            None => Ok(None),
            Some(ScalarValue::TimestampNanosecond(Some(n), _)) => Ok(Some(*n)),
            Some(v) => Err(PluginError::at(
                i,
                format!("{what} must be a datetime, got {v}"),
            )),
        }
    }

    /// Positional argument `i` as a table argument (the index of the extra input).
    pub fn table(&self, i: usize, what: &str) -> Result<usize, PluginError> {
        match self.get(i) {
            Some(PluginArg::Table(k)) => Ok(*k),
            _ => Err(PluginError::at(
                i,
                format!("{what} must be a table (a table name or a `let` tabular expression)"),
            )),
        }
    }
}

/// True for the `'~'` placeholder.
fn is_default(a: &PluginArg) -> bool {
    matches!(a, PluginArg::Value(ScalarValue::Utf8(Some(s))) if s == "~")
}

/// A numeric constant as f64.
pub fn scalar_f64(v: &ScalarValue) -> Option<f64> {
    if !v.data_type().is_numeric() {
        return None;
    }
    match v.cast_to(&DataType::Float64).ok()? {
        ScalarValue::Float64(Some(x)) => Some(x),
        _ => None,
    }
}
