//! Engine errors: query diagnostics (with the source text, for rendering with line:column and
//! a caret), data errors naming the file and line, and execution errors.

use kql_parser::Diagnostic;
use kql_parser::diagnostic::render_all;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum KqlError {
    /// Parse, name or type errors in a query. `source` is the query text the spans refer to.
    Query {
        source: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// Bad input data: the file, the 1-based line (CSV, JSON lines) or row group (Parquet).
    Data {
        file: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A file or folder that cannot be read.
    Io { path: PathBuf, message: String },
    /// A query that is valid but uses something this engine does not implement yet.
    Unsupported { what: String },
    /// An error from DataFusion while planning or executing.
    Engine(datafusion::error::DataFusionError),
}

impl KqlError {
    pub fn query(source: &str, diagnostics: Vec<Diagnostic>) -> Self {
        KqlError::Query {
            source: source.to_string(),
            diagnostics,
        }
    }

    pub fn data(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        KqlError::Data {
            file: file.into(),
            line,
            message: message.into(),
        }
    }

    /// Renders the error for a terminal; `origin` names the query source (`<query>`, a file).
    pub fn render(&self, origin: &str) -> String {
        match self {
            KqlError::Query {
                source,
                diagnostics,
            } => render_all(diagnostics, source, origin),
            other => format!("error: {other}\n"),
        }
    }
}

impl fmt::Display for KqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KqlError::Query { diagnostics, .. } => {
                let msgs: Vec<String> = diagnostics
                    .iter()
                    .map(|d| format!("error[{}]: {}", d.code, d.message))
                    .collect();
                f.write_str(&msgs.join("\n"))
            }
            KqlError::Data {
                file,
                line,
                message,
            } => match line {
                Some(l) => write!(f, "{}:{l}: {message}", file.display()),
                None => write!(f, "{}: {message}", file.display()),
            },
            KqlError::Io { path, message } => {
                write!(f, "cannot read '{}': {message}", path.display())
            }
            KqlError::Unsupported { what } => write!(f, "not supported yet: {what}"),
            // data errors raised while streaming a source come wrapped by DataFusion; show the
            // original message ("path:line: ...") without the wrapper's prefix
            KqlError::Engine(e) => match e.find_root() {
                datafusion::error::DataFusionError::External(inner) => write!(f, "{inner}"),
                datafusion::error::DataFusionError::ResourcesExhausted(m) => {
                    write!(f, "memory limit exceeded: {m}")
                }
                _ => write!(f, "{e}"),
            },
        }
    }
}

impl std::error::Error for KqlError {}

impl From<datafusion::error::DataFusionError> for KqlError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        KqlError::Engine(e)
    }
}

impl From<datafusion::arrow::error::ArrowError> for KqlError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        KqlError::Engine(e.into())
    }
}

pub type Result<T, E = KqlError> = std::result::Result<T, E>;
