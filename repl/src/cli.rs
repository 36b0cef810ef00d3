//! The command-line definition (DESIGN.md §7), shared by the binary and its tests.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// Run Kusto Query Language (KQL) queries over local log exports.
///
/// With neither QUERY nor --file, `kql` starts the interactive REPL.
///
/// Exit status: 0 ok; 1 query or data error (diagnostics on stderr); 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "kql", version, max_term_width = 100)]
pub struct Cli {
    /// The query to run; `-` reads it from standard input.
    #[arg(value_name = "QUERY", conflicts_with = "file")]
    pub query: Option<String>,

    /// Register a table (repeatable): NAME=PATH, where PATH is a file, folder or glob of
    /// .csv .tsv .json .jsonl .ndjson .parquet files (optionally .gz).
    #[arg(short = 't', long = "table", value_name = "NAME=PATH", value_parser = parse_table)]
    pub tables: Vec<TableArg>,

    /// Register every data file or folder in DIR as a table named after its stem
    /// (repeatable); an Azure Monitor export container folder `am-<Table>` becomes <Table>.
    #[arg(short = 'd', long = "db", value_name = "DIR")]
    pub dbs: Vec<PathBuf>,

    /// Run a script file (repeatable); `-` reads the script from standard input.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: Vec<PathBuf>,

    /// Output format [default: from the extension of --output; else table on a terminal,
    /// csv otherwise].
    #[arg(long, value_name = "FMT", value_enum)]
    pub format: Option<OutputFormat>,

    /// Write the result to PATH (atomically: a temporary file renamed into place).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Also draw the chart of the last result that has a `render` operator, to PATH: .svg,
    /// .html (self-contained page) or .png, written atomically.
    #[arg(long, value_name = "PATH")]
    pub chart: Option<PathBuf>,

    /// Skip bad records in data files instead of failing.
    #[arg(long)]
    pub lenient: bool,

    /// Give a query parameter a value (repeatable): NAME=VALUE, read as the type the script
    /// declares with `declare query_parameters(NAME:type)`.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    /// Cap the memory queries may hold in sorts, aggregations and joins, e.g. 256MB or 2GiB;
    /// they spill to temporary files when they can, else fail with a "memory limit" error.
    #[arg(long = "memory-limit", value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<usize>,

    /// Stop a script that runs longer than DURATION (e.g. 30s, 5m, 1h, 500ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,

    /// Fix now() and ago() to DATETIME for reproducible runs, e.g. 2024-01-01T00:00:00Z.
    #[arg(long, value_name = "DATETIME")]
    pub now: Option<String>,

    /// Syntax check only: exit 0 silently, or 1 with the diagnostics on stderr.
    #[arg(long, conflicts_with_all = ["check", "format", "output", "chart"])]
    pub parse_only: bool,

    /// Parse and bind against the registered tables without executing.
    #[arg(long, conflicts_with_all = ["format", "output", "chart"])]
    pub check: bool,
}

/// `-t NAME=PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableArg {
    pub name: String,
    pub path: PathBuf,
}

fn parse_table(s: &str) -> Result<TableArg, String> {
    match s.split_once('=') {
        Some((name, path)) if !name.trim().is_empty() && !path.is_empty() => Ok(TableArg {
            name: name.trim().to_string(),
            path: PathBuf::from(path),
        }),
        _ => Err(format!("expected NAME=PATH, found '{s}'")),
    }
}

/// `--param NAME=VALUE`.
fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value))
            if !name.trim().is_empty()
                && name.trim().chars().all(|c| c.is_alphanumeric() || c == '_') =>
        {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, found '{s}'")),
    }
}

/// `--memory-limit SIZE`: a number of bytes with an optional unit (KB, MB, GB, TB are powers
/// of 1000; KiB, MiB, GiB, TiB powers of 1024).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("expected a size such as 256MB or 2GiB, found '{s}'"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit '{other}' in '{s}' (use KB, MB, GB, KiB, MiB, GiB)"
            ));
        }
    };
    let bytes = n * mult;
    if !(1.0..9.0e18).contains(&bytes) {
        return Err(format!("size '{s}' is out of range"));
    }
    Ok(bytes as usize)
}

/// `--timeout DURATION`: a number with a unit: ms, s, m, h or d.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("expected a duration such as 30s, 5m or 1h, found '{s}'"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        other => {
            return Err(format!(
                "unknown duration unit '{other}' in '{s}' (use ms, s, m, h, d)"
            ));
        }
    };
    if !(secs > 0.0 && secs < 1.0e9) {
        return Err(format!("duration '{s}' must be positive"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// A JSON array of row objects per result (one array per line-separated result).
    Json,
    /// One JSON object per row, keys in column order.
    Jsonl,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file (Feather v2).
    Arrow,
}

impl OutputFormat {
    /// The format an output file's extension asks for (`.csv`, `.parquet`, ...).
    pub fn from_extension(path: &std::path::Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" => OutputFormat::Table,
            "csv" => OutputFormat::Csv,
            "tsv" | "tab" => OutputFormat::Tsv,
            "json" => OutputFormat::Json,
            "jsonl" | "ndjson" => OutputFormat::Jsonl,
            "parquet" => OutputFormat::Parquet,
            "arrow" | "feather" | "ipc" => OutputFormat::Arrow,
            _ => return None,
        })
    }

    /// Binary formats are not written to a terminal.
    pub fn is_binary(self) -> bool {
        matches!(self, OutputFormat::Parquet | OutputFormat::Arrow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn output_format_from_extension() {
        use std::path::Path;
        assert_eq!(
            OutputFormat::from_extension(Path::new("a/b.CSV")),
            Some(OutputFormat::Csv)
        );
        assert_eq!(
            OutputFormat::from_extension(Path::new("x.parquet")),
            Some(OutputFormat::Parquet)
        );
        assert_eq!(
            OutputFormat::from_extension(Path::new("x.ndjson")),
            Some(OutputFormat::Jsonl)
        );
        assert_eq!(
            OutputFormat::from_extension(Path::new("x.arrow")),
            Some(OutputFormat::Arrow)
        );
        assert_eq!(OutputFormat::from_extension(Path::new("x.out")), None);
        assert_eq!(OutputFormat::from_extension(Path::new("noext")), None);
    }

    #[test]
    fn table_argument_needs_name_and_path() {
        assert_eq!(
            parse_table("Usage=data/usage.csv"),
            Ok(TableArg {
                name: "Usage".into(),
                path: PathBuf::from("data/usage.csv")
            })
        );
        assert!(parse_table("Usage").is_err());
        assert!(parse_table("=x.csv").is_err());
        assert!(parse_table("Usage=").is_err());
    }
}
