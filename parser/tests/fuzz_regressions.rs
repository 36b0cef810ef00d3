#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Replays every input in `parser/fuzz/regressions/`: `parse_script` must not panic, and when
//! an input parses without diagnostics its canonical printing must parse without diagnostics too.

use std::path::Path;

#[test]
fn fuzz_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("read parser/fuzz/regressions")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let bytes = std::fs::read(path).expect("read regression input");
        // The same conversion as the fuzz target.
        let text = String::from_utf8_lossy(&bytes);
        let out = match std::panic::catch_unwind(|| kql_parser::parse_script(&text)) {
            Ok(out) => out,
            Err(_) => {
                failures.push(format!("{name}: parse_script panicked on {text:?}"));
                continue;
            }
        };
        if !out.is_ok() {
            continue;
        }
        let Some(script) = out.script else { continue };
        let printed = script.to_string();
        let again = kql_parser::parse_script(&printed);
        if !again.is_ok() {
            failures.push(format!(
                "{name}: canonical printing does not re-parse\n--- input:\n{text}\n--- printed:\n{printed}\n--- diagnostics:\n{:#?}",
                again.diagnostics
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fuzz regressions fail:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}
