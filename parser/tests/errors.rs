#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Error corpus: every query in `corpus/parse-errors/` is malformed. Each must produce at
//! least one diagnostic, and the rendered diagnostics are snapshotted (one snapshot per file,
//! in `tests/snapshots/errors__<file>.snap`) so that any change to a message or a caret
//! position shows up in review.
//!
//! Also checks that `parse_script` never panics on any prefix of those queries and of a
//! sample of the documentation corpus.

use kql_parser::diagnostic::render_all;
use kql_parser::parse_script;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn corpus(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(sub)
}

/// The `.kql` files of a corpus folder, sorted by name.
fn kql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "kql"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("UTF-8 file name")
        .to_string()
}

#[test]
fn error_corpus_diagnostics() {
    let files = kql_files(&corpus("parse-errors"));
    assert!(
        files.len() >= 70,
        "expected at least 70 error queries, found {}",
        files.len()
    );

    // First the hard requirement: every query must be rejected.
    let mut accepted = Vec::new();
    let mut rendered = Vec::new();
    for path in &files {
        let name = file_name(path);
        let text = std::fs::read_to_string(path).expect("read error query");
        let out = parse_script(&text);
        if out.diagnostics.is_empty() {
            accepted.push(name);
            continue;
        }
        let shown = render_all(&out.diagnostics, &text, &name);
        rendered.push((name, text, shown));
    }
    assert!(
        accepted.is_empty(),
        "these malformed queries parsed without any diagnostic: {accepted:?}"
    );

    // Then the messages and caret positions, one snapshot per file.
    for (name, text, shown) in rendered {
        let stem = name.trim_end_matches(".kql").to_string();
        let mut settings = insta::Settings::clone_current();
        settings.set_description(text);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(stem, shown));
    }
}

/// Runs `parse_script` on every prefix (at char boundaries) of `text`, returning the
/// length of the first prefix that panicked.
fn first_panicking_prefix(text: &str) -> Option<usize> {
    let mut ends: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    ends.push(text.len());
    ends.into_iter().find(|&end| {
        let prefix = &text[..end];
        catch_unwind(AssertUnwindSafe(|| {
            let out = parse_script(prefix);
            // Rendering must not panic either (spans must be on char boundaries).
            let _ = render_all(&out.diagnostics, prefix, "prefix.kql");
        }))
        .is_err()
    })
}

#[test]
fn parse_script_never_panics_on_prefixes() {
    let mut files = kql_files(&corpus("parse-errors"));
    let docs = kql_files(&corpus("parse/docs"));
    assert!(docs.len() >= 50, "docs corpus too small: {}", docs.len());
    // 50 documentation queries spread evenly over the (sorted) corpus.
    let stride = docs.len() / 50;
    files.extend(docs.iter().step_by(stride).take(50).cloned());

    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read query");
        if let Some(end) = first_panicking_prefix(&text) {
            failures.push(format!(
                "{}: panics on the first {end} bytes: {:?}",
                file_name(path),
                &text[..end]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "parse_script panicked:\n{}",
        failures.join("\n")
    );
}
