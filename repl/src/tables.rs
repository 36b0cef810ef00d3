//! `-d DIR`: the tables a folder of exported data holds.

use std::fmt;
use std::path::{Path, PathBuf};

/// Extensions of data files (each optionally followed by `.gz`).
pub const DATA_EXTENSIONS: [&str; 6] = ["csv", "tsv", "json", "jsonl", "ndjson", "parquet"];

/// The prefix of Azure Monitor export container folders (`am-<Table>`).
pub const AZURE_MONITOR_PREFIX: &str = "am-";

/// A table found in a database folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundTable {
    pub name: String,
    pub path: PathBuf,
}

#[derive(Debug)]
pub enum DbError {
    /// The folder cannot be listed.
    Unreadable { dir: PathBuf, reason: String },
    /// Two entries map to the same table name.
    Duplicate {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Unreadable { dir, reason } => {
                write!(f, "cannot read folder '{}': {reason}", dir.display())
            }
            DbError::Duplicate {
                name,
                first,
                second,
            } => write!(
                f,
                "two tables named '{name}': '{}' and '{}' (register one with -t {name}=PATH)",
                first.display(),
                second.display()
            ),
        }
    }
}

/// The table name of a data file name: its stem without the data extension (and `.gz`);
/// `None` for files that are not data (README.md, hidden files).
pub fn table_name_of_file(file_name: &str) -> Option<String> {
    if file_name.starts_with('.') {
        return None;
    }
    let lower = file_name.to_ascii_lowercase();
    let (lower, name) = match lower.strip_suffix(".gz") {
        Some(l) => (l.to_string(), &file_name[..l.len()]),
        None => (lower.clone(), file_name),
    };
    let dot = lower.rfind('.')?;
    if !DATA_EXTENSIONS.contains(&&lower[dot + 1..]) || dot == 0 {
        return None;
    }
    Some(name[..dot].to_string())
}

/// The table name of a folder: `am-<Table>` → `<Table>`, else the folder name.
pub fn table_name_of_dir(dir_name: &str) -> Option<String> {
    if dir_name.starts_with('.') || dir_name.is_empty() {
        return None;
    }
    match dir_name.strip_prefix(AZURE_MONITOR_PREFIX) {
        Some(t) if !t.is_empty() => Some(t.to_string()),
        _ => Some(dir_name.to_string()),
    }
}

/// The tables in `dir`, sorted by name: every data file and every sub-folder.
pub fn scan(dir: &Path) -> Result<Vec<FoundTable>, DbError> {
    let unreadable = |e: std::io::Error| DbError::Unreadable {
        dir: dir.to_path_buf(),
        reason: crate::source::io_reason(&e),
    };
    let mut found: Vec<FoundTable> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let path = entry.path();
        // Follow symlinks: a linked folder or file counts like the real one.
        let name = if path.is_dir() {
            table_name_of_dir(file_name)
        } else {
            table_name_of_file(file_name)
        };
        if let Some(name) = name {
            found.push(FoundTable { name, path });
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
    if let Some(w) = found.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(DbError::Duplicate {
            name: w[0].name.clone(),
            first: w[0].path.clone(),
            second: w[1].path.clone(),
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(table_name_of_file("usage.csv").as_deref(), Some("usage"));
        assert_eq!(table_name_of_file("Usage.CSV.gz").as_deref(), Some("Usage"));
        assert_eq!(
            table_name_of_file("storm.events.jsonl").as_deref(),
            Some("storm.events")
        );
        assert_eq!(table_name_of_file("x.parquet").as_deref(), Some("x"));
        assert_eq!(table_name_of_file("README.md"), None);
        assert_eq!(table_name_of_file("notes.gz"), None);
        assert_eq!(table_name_of_file(".hidden.csv"), None);
        assert_eq!(table_name_of_file("csv"), None);
    }

    #[test]
    fn folder_names() {
        assert_eq!(
            table_name_of_dir("am-AppRequests").as_deref(),
            Some("AppRequests")
        );
        assert_eq!(table_name_of_dir("am-").as_deref(), Some("am-"));
        assert_eq!(table_name_of_dir("logs").as_deref(), Some("logs"));
        assert_eq!(table_name_of_dir(".git"), None);
    }

    #[test]
    fn scan_finds_files_and_folders_and_rejects_duplicates() {
        let dir = std::env::temp_dir().join(format!("kql-db-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("am-Heartbeat")).unwrap();
        std::fs::write(dir.join("usage.csv"), "a\n1\n").unwrap();
        std::fs::write(dir.join("README.md"), "x").unwrap();
        let found = scan(&dir).unwrap();
        assert_eq!(
            found,
            [
                FoundTable {
                    name: "Heartbeat".into(),
                    path: dir.join("am-Heartbeat")
                },
                FoundTable {
                    name: "usage".into(),
                    path: dir.join("usage.csv")
                },
            ]
        );
        std::fs::write(dir.join("usage.jsonl.gz"), "").unwrap();
        let err = scan(&dir).unwrap_err();
        assert!(
            err.to_string().starts_with("two tables named 'usage'"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(scan(&dir), Err(DbError::Unreadable { .. })));
    }
}
