#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Parses every query of `corpus/parse/` (outside `corpus/parse/EXCLUDED.txt`), checks that
//! it parses without diagnostics, and that printing the tree and parsing it again gives an
//! equal tree (`parse(print(ast)) == ast`).

use kql_parser::parse_script;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/parse")
}

fn excluded() -> BTreeMap<String, String> {
    listing("EXCLUDED.txt")
}

fn listing(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(corpus_dir().join(file)).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.splitn(2, '\t');
            Some((
                parts.next()?.to_string(),
                parts.next().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "kql") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_parses_and_round_trips() {
    let excluded = excluded();
    let known = listing("KNOWN_FAILURES.txt");
    let mut known_failed = 0;
    let mut all = Vec::new();
    files(&corpus_dir(), &mut all);
    all.sort();
    let mut parsed = 0;
    let mut skipped = 0;
    let mut failures = Vec::new();
    for path in &all {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if excluded.contains_key(&name) {
            skipped += 1;
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read corpus file");
        let out = parse_script(&text);
        if known.contains_key(&name) {
            assert!(
                !out.diagnostics.is_empty(),
                "{name} is listed in KNOWN_FAILURES.txt but now parses: remove it from the list"
            );
            known_failed += 1;
            continue;
        }
        if !out.diagnostics.is_empty() {
            let shown = kql_parser::diagnostic::render_all(&out.diagnostics, &text, &name);
            failures.push(format!("{name}: parse failed\n{shown}"));
            continue;
        }
        let script = out.script.expect("script");
        let printed = script.to_string();
        let again = parse_script(&printed);
        if !again.diagnostics.is_empty() {
            let shown = kql_parser::diagnostic::render_all(&again.diagnostics, &printed, "printed");
            failures.push(format!(
                "{name}: printed form does not parse\n{printed}\n{shown}"
            ));
            continue;
        }
        if again.script.as_ref() != Some(&script) {
            failures.push(format!(
                "{name}: round trip changed the tree\n--- printed:\n{printed}"
            ));
            continue;
        }
        parsed += 1;
    }
    let total = parsed + failures.len() + known_failed;
    println!(
        "parse corpus: {parsed}/{total} queries parse and round-trip ({:.2}%; {known_failed} known failures, {skipped} excluded, {} files)",
        100.0 * parsed as f64 / total.max(1) as f64,
        all.len()
    );
    assert!(
        parsed as f64 >= 0.99 * total as f64,
        "fewer than 99% of the corpus queries parse"
    );
    if !failures.is_empty() {
        let n = failures.len();
        let shown: Vec<_> = failures.into_iter().take(200).collect();
        panic!("{n} corpus queries failed:\n\n{}", shown.join("\n\n"));
    }
}
