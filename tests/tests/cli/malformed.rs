//! Malformed data through the `kql` command: each case either loads (when the format allows
//! it), or fails with an error naming the file (and the line, for text formats), or — under
//! `--lenient` — skips and counts the bad records. Never a panic, and the input files are byte
//! for byte unchanged afterwards.

use super::{Run, run, scratch_dir};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A checksum of every file under `dir` (path and contents), to prove inputs are untouched.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64)> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut h = DefaultHasher::new();
                std::fs::read(&p).unwrap().hash(&mut h);
                out.push((p, h.finish()));
            }
        }
    }
    out.sort();
    out
}

/// Runs `kql -t T=<path> [--lenient] QUERY` and checks the common promises.
fn run_on(dir: &Path, path: &Path, lenient: bool, query: &str) -> Run {
    let before = fingerprint(dir);
    let table = format!("T={}", path.display());
    let mut args = vec!["--format", "csv", "-t", table.as_str()];
    if lenient {
        args.push("--lenient");
    }
    args.push(query);
    let r = run(&args);
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    assert_eq!(fingerprint(dir), before, "the inputs changed");
    r
}

fn case(name: &str, file: &str, bytes: &[u8]) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(&format!("malformed_{name}"));
    let path = dir.join(file);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn a_broken_json_line_is_named_by_file_and_line_or_skipped() {
    let (dir, path) = case(
        "json",
        "events.jsonl",
        b"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,,}\n{\"a\": 4}\n",
    );
    let r = run_on(&dir, &path, false, "T | count");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("events.jsonl:3"), "{}", r.stderr);
    let r = run_on(&dir, &path, true, "T | count");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "Count\n3\n");
    assert!(r.stderr.contains("skipped 1 bad record"), "{}", r.stderr);
}

#[test]
fn a_truncated_gzip_file_is_an_error_naming_the_file() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..5000 {
        writeln!(enc, "{{\"i\": {i}, \"msg\": \"line number {i}\"}}").unwrap();
    }
    let full = enc.finish().unwrap();
    let (dir, path) = case("gzip", "big.jsonl.gz", &full[..full.len() / 2]);
    let r = run_on(&dir, &path, false, "T | count");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("big.jsonl.gz"), "{}", r.stderr);
}

#[test]
fn a_ragged_csv_row_is_named_by_line_or_skipped() {
    let (dir, path) = case("ragged", "t.csv", b"a,b\n1,x\n2,y,extra\n3,z\n");
    let r = run_on(&dir, &path, false, "T | count");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("t.csv:3"), "{}", r.stderr);
    let r = run_on(&dir, &path, true, "T | count");
    assert_eq!(r.stdout, "Count\n2\n");
}

#[test]
fn a_value_of_another_type_widens_the_column_instead_of_being_lost() {
    // the column looks like long for 1,000 rows, then holds text: it becomes a string column
    let mut text = String::from("n\n");
    for i in 0..1000 {
        text.push_str(&format!("{i}\n"));
    }
    text.push_str("not a number\n");
    let (dir, path) = case("types", "t.csv", text.as_bytes());
    let r = run_on(
        &dir,
        &path,
        false,
        "T | summarize rows = count(), texts = countif(n == 'not a number')",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "rows,texts\n1001,1\n");
}

#[test]
fn a_bom_and_crlf_line_ends_are_read_as_plain_csv() {
    let (dir, path) = case("bom", "t.csv", b"\xEF\xBB\xBFa,b\r\n1,x\r\n2,y\r\n");
    let r = run_on(&dir, &path, false, "T | project a, b");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "a,b\n1,x\n2,y\n");
}

#[test]
fn an_empty_file_is_an_empty_table_or_a_clear_error() {
    for file in ["empty.csv", "empty.jsonl"] {
        let (dir, path) = case("empty", file, b"");
        let r = run_on(&dir, &path, false, "T | count");
        if r.code == 0 {
            assert_eq!(r.stdout, "Count\n0\n", "{file}");
        } else {
            assert!(r.stderr.contains(file), "{file}: {}", r.stderr);
        }
    }
}

#[test]
fn a_100_mb_single_line_loads_or_fails_clearly() {
    let mut line = String::with_capacity(100 * 1024 * 1024 + 64);
    line.push_str("{\"msg\": \"");
    line.extend(std::iter::repeat_n('x', 100 * 1024 * 1024));
    line.push_str("\"}\n");
    let (dir, path) = case("longline", "long.jsonl", line.as_bytes());
    drop(line);
    let r = run_on(&dir, &path, false, "T | project n = strlen(msg)");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "n\n104857600\n");
}

#[test]
fn non_utf8_bytes_are_named_by_line_or_skipped() {
    let (dir, path) = case("utf8", "t.csv", b"a,b\n1,ok\n2,caf\xE9\n3,fine\n");
    let r = run_on(&dir, &path, false, "T | count");
    if r.code == 1 {
        assert!(r.stderr.contains("t.csv:3"), "{}", r.stderr);
        let r = run_on(&dir, &path, true, "T | count");
        assert_eq!(r.stdout, "Count\n2\n", "{}", r.stderr);
    } else {
        // read with the bad byte replaced: the row is kept, never silently dropped
        assert_eq!(r.stdout, "Count\n3\n");
    }
}

#[test]
fn a_binary_file_named_csv_is_an_error_naming_it() {
    let mut bytes = vec![0u8, 159, 146, 150, 0, 0, 255, 254];
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let (dir, path) = case("binary", "image.csv", &bytes);
    let r = run_on(&dir, &path, false, "T | count");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("image.csv"), "{}", r.stderr);
}

#[test]
fn a_folder_with_mixed_formats_unifies_or_names_the_bad_file() {
    let dir = scratch_dir("malformed_mixed");
    std::fs::write(dir.join("a.csv"), "Computer,Value\nweb1,1\n").unwrap();
    std::fs::write(
        dir.join("b.jsonl"),
        "{\"Computer\": \"web2\", \"Value\": 2}\n",
    )
    .unwrap();
    let r = run_on(&dir, &dir, false, "T | summarize sum(Value)");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "sum_Value\n3\n");
    std::fs::write(
        dir.join("c.jsonl"),
        "{\"Computer\": \"web3\", \"Value\": \n",
    )
    .unwrap();
    let r = run_on(&dir, &dir, false, "T | summarize sum(Value)");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("c.jsonl:1"), "{}", r.stderr);
}

/// A Parquet file whose footer is sound but whose first data page header is damaged: the
/// error shows up only when the page is decoded, inside DataFusion's scan, and still names the
/// file — alone, and among good files (the engine re-reads each to find it). (Fuzz finding.)
#[test]
fn a_damaged_parquet_data_page_is_named_by_file() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/fuzz/corpus/read_parquet");
    let good = std::fs::read(seeds.join("basic.parquet")).unwrap();
    let mut bad = good.clone();
    // byte 7 lies in the first page header (right after the "PAR1" magic): zeroing it drops
    // a required field of the header
    bad[7] = 0;
    let (dir, path) = case("parquet_page", "b_damaged.parquet", &bad);
    for query in [
        "T | take 1000",
        "T | summarize count() by bin(TimeGenerated, 1d)",
    ] {
        let r = run_on(&dir, &path, false, query);
        assert_eq!(r.code, 1, "{query}: {}", r.stdout);
        assert!(
            r.stderr.contains("b_damaged.parquet"),
            "{query}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("invalid Parquet file"), "{}", r.stderr);
    }
    std::fs::write(dir.join("a_good.parquet"), &good).unwrap();
    std::fs::write(dir.join("c_good.parquet"), &good).unwrap();
    let r = run_on(&dir, &dir, false, "T | take 1000");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("b_damaged.parquet"), "{}", r.stderr);
    assert!(!r.stderr.contains("_good.parquet"), "{}", r.stderr);
}
