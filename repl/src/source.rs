//! Reading query text: inline, from standard input, or from script files.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Query text and the name diagnostics give it (`<query>`, `<stdin>` or the file path).
#[derive(Debug)]
pub struct Source {
    pub origin: String,
    pub text: String,
}

/// Why a source could not be read; each variant maps to an exit status.
#[derive(Debug)]
pub enum SourceError {
    /// The file or stream could not be read (exit 2: the command line named something unusable).
    Unreadable { origin: String, reason: String },
    /// The bytes are not UTF-8 (exit 1: a data error).
    NotUtf8 {
        origin: String,
        line: usize,
        column: usize,
    },
}

impl SourceError {
    pub fn exit_code(&self) -> u8 {
        match self {
            SourceError::Unreadable { .. } => 2,
            SourceError::NotUtf8 { .. } => 1,
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Unreadable { origin, reason } => {
                write!(f, "cannot read '{origin}': {reason}")
            }
            SourceError::NotUtf8 {
                origin,
                line,
                column,
            } => write!(
                f,
                "'{origin}' is not valid UTF-8 (first invalid byte at line {line}, byte column {column})"
            ),
        }
    }
}

pub const INLINE_ORIGIN: &str = "<query>";
pub const STDIN_ORIGIN: &str = "<stdin>";

/// An inline query, taken as written.
pub fn inline(text: &str) -> Source {
    Source {
        origin: INLINE_ORIGIN.to_string(),
        text: text.to_string(),
    }
}

/// A script from standard input.
pub fn stdin() -> Result<Source, SourceError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::Unreadable {
            origin: STDIN_ORIGIN.to_string(),
            reason: io_reason(&e),
        })?;
    script(STDIN_ORIGIN, bytes)
}

/// A script file; `-` means standard input.
pub fn file(path: &Path) -> Result<Source, SourceError> {
    if path.as_os_str() == "-" {
        return stdin();
    }
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SourceError::Unreadable {
        origin: origin.clone(),
        reason: io_reason(&e),
    })?;
    script(&origin, bytes)
}

/// Decodes a script: UTF-8 only, a leading byte-order mark dropped, and a `#!` first line
/// neutralised so that `#!/usr/bin/env -S kql -f` scripts parse with their line numbers intact.
fn script(origin: &str, bytes: Vec<u8>) -> Result<Source, SourceError> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..bad];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        SourceError::NotUtf8 {
            origin: origin.to_string(),
            line,
            column: bad - line_start + 1,
        }
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(Source {
        origin: origin.to_string(),
        text: strip_shebang(text),
    })
}

/// Turns a first line starting with `#!` into a `//` comment of the same length, so every
/// byte offset, line and column of the rest of the script stays where it was.
pub fn strip_shebang(mut text: String) -> String {
    if text.starts_with("#!") {
        text.replace_range(..2, "//");
    }
    text
}

/// An I/O error's description without Rust's ` (os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_becomes_a_comment_of_the_same_length() {
        let src = "#!/usr/bin/env kql\nT | take 1\n".to_string();
        let out = strip_shebang(src.clone());
        assert_eq!(out, "///usr/bin/env kql\nT | take 1\n");
        assert_eq!(out.len(), src.len());
        assert_eq!(strip_shebang("T // #!\n".into()), "T // #!\n");
    }

    #[test]
    fn invalid_utf8_reports_line_and_column() {
        let err = script("x.kql", b"T\n| where \xff".to_vec());
        match err {
            Err(SourceError::NotUtf8 { line, column, .. }) => assert_eq!((line, column), (2, 9)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn byte_order_mark_is_dropped() {
        let src = script("x.kql", b"\xef\xbb\xbfT".to_vec());
        assert_eq!(src.map(|s| s.text).ok().as_deref(), Some("T"));
    }

    #[test]
    fn os_error_suffix_is_dropped() {
        let e = std::io::Error::from_raw_os_error(2);
        assert!(!io_reason(&e).contains("os error"));
    }
}
