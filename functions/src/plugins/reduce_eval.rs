//! Evaluation of the `reduce` miner on the Loghub 2k samples (issue #7).
//!
//! For each of the 16 systems in `/work/shared/data/loghub/<Sys>/<Sys>_2k.log_structured.csv`
//! the `Content` column is reduced with the DEFAULT parameters (threshold 0.1, default
//! separators) and compared with the human-labelled `EventId`. The metric is grouping accuracy
//! (GA) as defined by the Loghub / Drain papers: a line is correct when the set of lines in its
//! predicted group equals the set of lines with its true EventId; GA = correct lines / lines.
//! The test prints the per-system table and asserts an average GA of at least 0.85. It is
//! skipped (with a note) when the data is absent; the data is research-only licensed and is
//! never copied into the repository.
//!
//! Run: `cargo test -q -p kql-functions reduce_eval -- --nocapture`.

use super::reduce_miner::{Separators, mine};
use std::collections::HashMap;
use std::path::Path;

const LOGHUB: &str = "/work/shared/data/loghub";

/// A small RFC 4180 reader: `,` separated, `"` quoted fields with `""` escapes, quoted fields
/// may hold commas and line breaks, `\r\n` or `\n` line ends.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        started = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                started = false;
            }
            _ => field.push(c),
        }
    }
    if started {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Grouping accuracy of `predicted` (group per line) against `truth` (label per line).
fn grouping_accuracy(predicted: &[usize], truth: &[&str]) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    let mut truth_size: HashMap<&str, usize> = HashMap::new();
    for t in truth {
        *truth_size.entry(t).or_default() += 1;
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (line, g) in predicted.iter().enumerate() {
        groups.entry(*g).or_default().push(line);
    }
    let mut correct = 0usize;
    for lines in groups.values() {
        let t0 = truth[lines[0]];
        if lines.iter().all(|&l| truth[l] == t0) && truth_size[t0] == lines.len() {
            correct += lines.len();
        }
    }
    correct as f64 / truth.len() as f64
}

/// (system, GA, predicted groups, true groups) for every system found, with `threshold`.
fn evaluate(threshold: f64) -> Vec<(String, f64, usize, usize)> {
    let mut systems: Vec<String> = match std::fs::read_dir(LOGHUB) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => return Vec::new(),
    };
    systems.sort();
    let mut out = Vec::new();
    for sys in systems {
        let path = format!("{LOGHUB}/{sys}/{sys}_2k.log_structured.csv");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let rows = parse_csv(&text);
        let header = &rows[0];
        let content = header.iter().position(|h| h == "Content").unwrap();
        let event = header.iter().position(|h| h == "EventId").unwrap();
        let data = &rows[1..];
        let values: Vec<Option<&str>> = data.iter().map(|r| Some(r[content].as_str())).collect();
        let truth: Vec<&str> = data.iter().map(|r| r[event].as_str()).collect();
        let m = mine(&values, threshold, &Separators::Default);
        let ga = grouping_accuracy(&m.row_group, &truth);
        let true_groups = truth.iter().collect::<std::collections::HashSet<_>>().len();
        out.push((sys, ga, m.groups.len(), true_groups));
    }
    out
}

#[test]
fn csv_reader_handles_quotes() {
    let rows = parse_csv("a,b,c\r\n1,\"x, \"\"y\"\"\",\n2,\"multi\nline\",z");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], vec!["1", "x, \"y\"", ""]);
    assert_eq!(rows[2], vec!["2", "multi\nline", "z"]);
}

#[test]
fn grouping_accuracy_definition() {
    // truth: {0,1} A, {2} B, {3,4} C. Predicted: {0,1} ok, {2,3} mixes B and C, {4} is only
    // part of C → only lines 0 and 1 are correct.
    let ga = grouping_accuracy(&[7, 7, 8, 8, 9], &["A", "A", "B", "C", "C"]);
    assert!((ga - 0.4).abs() < 1e-12);
    assert_eq!(grouping_accuracy(&[1, 1, 2], &["A", "A", "B"]), 1.0);
}

#[test]
fn reduce_eval_loghub_grouping_accuracy() {
    if !Path::new(LOGHUB).is_dir() {
        println!("reduce_eval: {LOGHUB} is absent; skipping the Loghub evaluation");
        return;
    }
    let results = evaluate(super::reduce::DEFAULT_THRESHOLD);
    assert_eq!(results.len(), 16, "expected the 16 Loghub systems");
    println!("reduce (threshold 0.1, default separators) on Loghub 2k samples:");
    println!(
        "{:<12} {:>6} {:>8} {:>8}",
        "system", "GA", "groups", "events"
    );
    for (sys, ga, groups, events) in &results {
        println!("{sys:<12} {ga:>6.3} {groups:>8} {events:>8}");
    }
    let avg = results.iter().map(|r| r.1).sum::<f64>() / results.len() as f64;
    println!("{:<12} {avg:>6.3}", "average");
    assert!(avg >= 0.85, "average grouping accuracy {avg:.4} < 0.85");
}
