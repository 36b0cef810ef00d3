//! The data-reader harness: bytes written to a data file, loaded eagerly and streamed, strictly
//! and leniently, then queried.

use kql_engine::KqlContext;
use kql_engine::sources::{LoadMode, SourceOptions, open_table_with_report};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Which reader a case feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderKind {
    Csv,
    /// JSON: the bytes as a `.jsonl` file and as a `.json` file.
    Json,
    Parquet,
}

const QUERY_TIMEOUT: Duration = Duration::from_secs(8);

fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RT: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// A fresh scratch folder for one case (removed when dropped).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kql-fuzz-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("scratch folder: {e}"))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The file names a case writes for `kind` and `bytes`.
fn file_names(kind: ReaderKind, bytes: &[u8]) -> Vec<&'static str> {
    let gz = bytes.starts_with(&[0x1f, 0x8b]);
    match (kind, gz) {
        (ReaderKind::Csv, false) => vec!["fuzzinput.csv"],
        (ReaderKind::Csv, true) => vec!["fuzzinput.csv", "fuzzinput.csv.gz"],
        (ReaderKind::Json, false) => vec!["fuzzinput.jsonl", "fuzzinput.json"],
        (ReaderKind::Json, true) => vec!["fuzzinput.jsonl", "fuzzinput.json", "fuzzinput.jsonl.gz"],
        (ReaderKind::Parquet, _) => vec!["fuzzinput.parquet"],
    }
}

/// A KQL column reference for any column name.
fn column_ref(name: &str) -> String {
    let mut s = String::from("[\"");
    for c in name.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            _ => s.push(c),
        }
    }
    s.push_str("\"]");
    s
}

/// Writes `bytes` as a data file of `kind` and loads and queries it every way: the load must
/// not panic, a failed load or a failed data-reading query must name the file, an eager load
/// and a streamed one must read the same rows, and the file must be unchanged afterwards.
pub fn run_reader_case(kind: ReaderKind, bytes: &[u8]) -> Result<(), String> {
    let rt = runtime()?;
    for name in file_names(kind, bytes) {
        let scratch = Scratch::new()?;
        let path = scratch.0.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("writing {name}: {e}"))?;
        for mode in [LoadMode::Eager, LoadMode::Streaming] {
            for lenient in [false, true] {
                check_one(rt, &path, name, mode, lenient)
                    .map_err(|e| format!("{name}, {mode:?}, lenient={lenient}: {e}"))?;
            }
        }
        compare_modes(rt, &path).map_err(|e| format!("{name}: {e}"))?;
        let after = std::fs::read(&path).map_err(|e| format!("reading {name} back: {e}"))?;
        if after != bytes {
            return Err(format!("{name} changed on disk"));
        }
    }
    Ok(())
}

/// The rows of `T`, of its first column and of its last column (the streamed JSON reader stops
/// reading a line after the last column it needs, see `json_fast::read_checked_line`), as
/// text; `None` when the file does not load.
fn mode_rows(
    rt: &tokio::runtime::Runtime,
    path: &str,
    mode: LoadMode,
) -> Result<Option<Vec<String>>, String> {
    let options = SourceOptions {
        lenient: false,
        mode,
    };
    let Ok(opened) = open_table_with_report(path, &options) else {
        return Ok(None);
    };
    let schema = opened.provider.schema();
    let fields = schema.fields();
    let mut queries = vec!["T".to_string()];
    for f in [fields.first(), fields.last()].into_iter().flatten() {
        queries.push(format!("T | project {}", column_ref(f.name())));
    }
    let ctx = KqlContext::new();
    ctx.register_table("T", opened.provider)
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for q in queries {
        let r = rt.block_on(async { tokio::time::timeout(QUERY_TIMEOUT, ctx.run(&q)).await });
        out.push(match r {
            Err(_) => return Ok(None),
            Ok(Err(e)) => format!("{q}: error {e}"),
            Ok(Ok(results)) => {
                let batches: Vec<_> = results.into_iter().flat_map(|r| r.batches).collect();
                let table =
                    kql_engine::datafusion::arrow::util::pretty::pretty_format_batches(&batches)
                        .map_err(|e| e.to_string())?;
                format!("{q}:\n{table}")
            }
        });
    }
    Ok(Some(out))
}

/// An eager load and a streamed one of the file at `path` give the same rows.
fn compare_modes(rt: &tokio::runtime::Runtime, path: &Path) -> Result<(), String> {
    let path = path.to_str().ok_or("scratch path is not UTF-8")?;
    let eager = mode_rows(rt, path, LoadMode::Eager)?;
    let streamed = mode_rows(rt, path, LoadMode::Streaming)?;
    if let (Some(a), Some(b)) = (eager, streamed) {
        for (x, y) in a.iter().zip(&b) {
            if x != y {
                return Err(format!("eager and streamed loads differ:\n{x}\n---\n{y}"));
            }
        }
    }
    Ok(())
}

fn check_one(
    rt: &tokio::runtime::Runtime,
    path: &Path,
    name: &str,
    mode: LoadMode,
    lenient: bool,
) -> Result<(), String> {
    let path_text = path.to_str().ok_or("scratch path is not UTF-8")?;
    let options = SourceOptions { lenient, mode };
    let opened = match open_table_with_report(path_text, &options) {
        Ok(o) => o,
        Err(e) => {
            let text = e.to_string();
            if !text.contains(name) {
                return Err(format!("the load error does not name the file: {text}"));
            }
            return Ok(());
        }
    };
    let first = opened
        .provider
        .schema()
        .fields()
        .first()
        .map(|f| f.name().clone());
    let ctx = KqlContext::new();
    ctx.register_table("T", opened.provider)
        .map_err(|e| e.to_string())?;
    let mut queries = vec![("T | count".to_string(), true), ("T | take 5".into(), true)];
    if let Some(c) = first {
        queries.push((
            format!("T | summarize count() by {}", column_ref(&c)),
            false,
        ));
    }
    for (q, reads_only) in queries {
        let r = rt.block_on(async { tokio::time::timeout(QUERY_TIMEOUT, ctx.run(&q)).await });
        let Ok(r) = r else {
            continue;
        };
        if let Err(e) = r {
            let text = e.to_string();
            if text.contains("panic") {
                return Err(format!("{q}: a panic became an error: {text}"));
            }
            if reads_only && !text.contains(name) {
                return Err(format!("{q}: the error does not name the file: {text}"));
            }
        }
    }
    Ok(())
}
