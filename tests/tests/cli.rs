//! Golden tests of the `kql` binary (DESIGN.md §7): exit statuses, diagnostics on stderr,
//! script files, standard input.
//!
//! Expected renderings are written by hand from the diagnostic format, with the caret
//! columns worked out from the query text, not pasted from the binary's output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

#[path = "cli/anomaly_demo.rs"]
mod anomaly_demo;
#[path = "cli/charts.rs"]
mod charts;
#[path = "cli/differential.rs"]
mod differential;
#[path = "cli/fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "cli/limits.rs"]
mod limits;
#[path = "cli/malformed.rs"]
mod malformed;
#[path = "cli/plugins.rs"]
mod plugins;
#[path = "cli/render.rs"]
mod render;
#[path = "cli/repl.rs"]
mod repl;
#[path = "cli/scripts.rs"]
mod scripts;

/// The workspace root (this package lives in `<root>/tests`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The `kql` binary. Cargo only sets `CARGO_BIN_EXE_<name>` for binaries of the package
/// under test, and `kql` belongs to `kql-cli`, so the binary is built here with the same
/// cargo and profile that built this test (a no-op when it is up to date) and found next to
/// the `deps/` folder holding this test. `KQL_BIN` overrides it, to test an installed binary.
fn kql() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("KQL_BIN") {
            return PathBuf::from(bin);
        }
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>/deps/<test>");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(root())
            .args(["build", "--quiet", "-p", "kql-cli", "--bin", "kql"]);
        match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => {}
            Some("release") => {
                build.arg("--release");
            }
            Some(profile) => {
                build.args(["--profile", profile]);
            }
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build -p kql-cli failed: {status}");
        let bin = profile_dir.join(format!("kql{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "no kql binary at {}", bin.display());
        bin
    })
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A run whose standard output is kept as bytes (Parquet, Arrow).
struct RawRun {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn run_raw(args: &[&str], stdin: &[u8]) -> RawRun {
    let mut child = Command::new(kql())
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kql");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait for kql");
    RawRun {
        code: status.code().expect("exit status (not a signal)"),
        stdout,
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let r = run_raw(args, stdin);
    Run {
        code: r.code,
        stdout: String::from_utf8(r.stdout).expect("stdout is UTF-8"),
        stderr: r.stderr,
    }
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, b"")
}

/// A scratch file for one test, in cargo's per-target temporary folder.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kql-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// The ` --> origin:line:col` lines of a rendering, in order.
fn locations(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .collect()
}

/// The `error[CODE]` headers of a rendering, in order.
fn codes(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error[")?.split_once(']').map(|(c, _)| c))
        .collect()
}

#[test]
fn valid_inline_query_is_silent() {
    let r = run(&[
        "--parse-only",
        "StormEvents | where State == 'TEXAS' | count",
    ]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
}

#[test]
fn missing_predicate_at_end_of_input() {
    // `T | where` is 9 characters; the predicate should start in column 10, right after
    // `where`, where the input ends. The caret line is "  | " followed by 9 spaces and `^`.
    let r = run(&["--parse-only", "T | where"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let expected = "\
error[KQL0101]: expected a predicate after `where`, found end of input
 --> <query>:1:10
  |
1 | T | where
  |          ^
";
    assert_eq!(r.stderr, expected);
}

#[test]
fn missing_operand_points_at_the_next_token() {
    // `StormEvents | where State == | take 5`: "StormEvents" is columns 1-11, `|` 13,
    // `where` 15-19, `State` 21-25, `==` 27-28, and the `|` found instead of an operand 30.
    let r = run(&["--parse-only", "StormEvents | where State == | take 5"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{}", r.stderr);
    assert!(
        lines[0].starts_with("error[KQL0101]: ") && lines[0].contains("`==`"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], " --> <query>:1:30");
    assert_eq!(lines[2], "  |");
    assert_eq!(lines[3], "1 | StormEvents | where State == | take 5");
    assert_eq!(lines[4], format!("  | {}^", " ".repeat(29)));
}

#[test]
fn unknown_operator_is_underlined_whole() {
    // `T | wher x`: `wher` occupies columns 5-8, so four carets after four spaces.
    let r = run(&["--parse-only", "T | wher x"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("error[KQL0106]: "), "{}", r.stderr);
    assert!(r.stderr.contains("`wher`"), "{}", r.stderr);
    assert_eq!(locations(&r.stderr), ["<query>:1:5"]);
    assert!(
        r.stderr.contains("\n1 | T | wher x\n  |     ^^^^"),
        "{}",
        r.stderr
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    // `é` is two bytes but one column: `and` ends in column 22 and the `|` is column 24.
    let r = run(&["--parse-only", "T | where x == \"é\" and | take 1"]);
    assert_eq!(r.code, 1);
    assert_eq!(locations(&r.stderr), ["<query>:1:24"]);
    assert!(
        r.stderr.contains(&format!("\n  | {}^", " ".repeat(23))),
        "{}",
        r.stderr
    );
}

#[test]
fn sample_scripts_parse() {
    for sample in [
        "corpus/samples/aiops.kql",
        "corpus/samples/triage.kql",
        "corpus/samples/anomalies.kql",
    ] {
        let r = run(&["--parse-only", "-f", sample]);
        assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{sample}");
        assert_eq!(r.stderr, "", "{sample}");
    }
    let r = run(&[
        "--parse-only",
        "-f",
        "corpus/samples/aiops.kql",
        "-f",
        "corpus/samples/triage.kql",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn sample_scripts_are_real_scripts() {
    // Guard against the samples shrinking into something trivial.
    let aiops = std::fs::read_to_string(root().join("corpus/samples/aiops.kql")).unwrap();
    for needle in [
        "make-series",
        "series_decompose_anomalies",
        "mv-expand",
        "to typeof(",
        "render anomalychart",
    ] {
        assert!(aiops.contains(needle), "aiops.kql lacks {needle}");
    }
    let triage = std::fs::read_to_string(root().join("corpus/samples/triage.kql")).unwrap();
    for needle in [" has ", "summarize", "bin(", "| top ", "| join "] {
        assert!(triage.contains(needle), "triage.kql lacks {needle}");
    }
}

#[test]
fn missing_file_is_a_usage_error_naming_it() {
    let r = run(&["--parse-only", "-f", "no/such/script.kql"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: cannot read 'no/such/script.kql': No such file or directory\n"
    );
}

#[test]
fn non_utf8_file_is_an_error_naming_it() {
    let path = scratch("latin1.kql", b"T\n| where City == \"M\xfcnchen\"\n");
    let shown = path.display().to_string();
    let r = run(&["--parse-only", "-f", &shown]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("'{shown}'")), "{}", r.stderr);
    assert!(r.stderr.contains("UTF-8"), "{}", r.stderr);
    // The bad byte follows `| where City == "M`: line 2, byte column 19.
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn shebang_line_is_ignored_and_lines_keep_their_numbers() {
    let path = scratch(
        "shebang.kql",
        b"#!/usr/bin/env kql\nStormEvents\n| wher State == 'TEXAS'\n| take 5\n",
    );
    let shown = path.display().to_string();
    let r = run(&["--parse-only", "-f", &shown]);
    assert_eq!(r.code, 1);
    // `wher` is on line 3, after "| " in column 3.
    assert_eq!(locations(&r.stderr), [format!("{shown}:3:3")]);
    assert!(
        r.stderr
            .contains("\n3 | | wher State == 'TEXAS'\n  |   ^^^^"),
        "{}",
        r.stderr
    );

    let ok = scratch(
        "shebang-ok.kql",
        b"#!/usr/bin/env kql\nStormEvents | take 5\n",
    );
    let r = run(&["--parse-only", "-f", &ok.display().to_string()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn every_broken_statement_is_reported() {
    let path = scratch(
        "two-errors.kql",
        b"let limit = ;\nStormEvents | where State == ; StormEvents | take limit\n",
    );
    let shown = path.display().to_string();
    let r = run(&["--parse-only", "-f", &shown]);
    assert_eq!(r.code, 1);
    assert_eq!(codes(&r.stderr), ["KQL0101", "KQL0101"], "{}", r.stderr);
    // `let limit = ` is 12 characters, so the missing value is at 1:13; on line 2 the `;`
    // after `==` is column 30.
    assert_eq!(
        locations(&r.stderr),
        [format!("{shown}:1:13"), format!("{shown}:2:30")]
    );
    // Diagnostics are separated by one blank line.
    assert_eq!(r.stderr.matches("\n\nerror[").count(), 1, "{}", r.stderr);
}

#[test]
fn query_from_stdin() {
    let r = run_with_stdin(&["--parse-only", "-"], b"StormEvents\n| take 5\n");
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));

    let r = run_with_stdin(&["--parse-only", "-"], b"StormEvents\n| wher x\n");
    assert_eq!(r.code, 1);
    assert_eq!(locations(&r.stderr), ["<stdin>:2:3"]);

    let r = run_with_stdin(
        &["--parse-only", "-f", "-"],
        b"#!/usr/bin/env kql\nT | wher x\n",
    );
    assert_eq!(r.code, 1);
    assert_eq!(locations(&r.stderr), ["<stdin>:2:5"]);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--no-such-flag"][..],
        &["--parse-only", "--check", "print 1"],
        &["-t", "no-equals-sign", "print 1"],
        &["--format", "xml", "print 1"],
        &["--parse-only", "-f", "a.kql", "print 1"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    }
    let r = run(&["--parse-only"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--parse-only needs a query"),
        "{}",
        r.stderr
    );
}

#[test]
fn help_and_version() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    for flag in [
        "--parse-only",
        "--check",
        "--table <NAME=PATH>",
        "--db <DIR>",
        "--file <PATH>",
        "--format <FMT>",
        "--output <PATH>",
        "--now <DATETIME>",
        "--lenient",
        "[QUERY]",
    ] {
        assert!(
            r.stdout.contains(flag),
            "--help lacks {flag}:\n{}",
            r.stdout
        );
    }
    let r = run(&["--version"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, format!("kql {}\n", env!("CARGO_PKG_VERSION")));
}

// ---- running queries -------------------------------------------------------------------
//
// Expected outputs are derived by hand from DESIGN.md §7 and the value formats in
// `engine/src/display.rs`: datetimes `2017-01-01T00:00:00Z` (7-digit fraction only when
// non-zero), timespans `[d.]hh:mm:ss[.fffffff]`, reals shortest round-trip, NaN as `NaN`.

/// A fresh, empty folder for one test.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("kql-cli-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// One row with a value of every kind the output formats treat differently.
const KINDS: &str = "print a = 1, b = \"x,y\", c = 2.5, d = datetime(2017-01-01), \
e = time(1.02:03:04.5), f = true, g = dynamic({\"k\":[1,2]}), h = real(nan), i = real(null)";

#[test]
fn csv_is_the_default_when_not_on_a_terminal() {
    let r = run(&[KINDS]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "a,b,c,d,e,f,g,h,i\n\
1,\"x,y\",2.5,2017-01-01T00:00:00Z,1.02:03:04.5000000,true,\"{\"\"k\"\":[1,2]}\",NaN,\n"
    );
    let explicit = run(&["--format", "csv", KINDS]);
    assert_eq!(explicit.stdout, r.stdout);
}

#[test]
fn jsonl_and_json_follow_the_value_encoding() {
    let query = "print a = 1, b = \"x,y\", c = 2.5, d = datetime(2017-01-01), \
e = time(1.02:03:04.5), f = true, h = real(nan), i = real(null), j = real(-inf), \
k = datetime(2015-12-31 23:59:59.9)";
    let row = r#"{"a":1,"b":"x,y","c":2.5,"d":"2017-01-01T00:00:00Z","e":"1.02:03:04.5000000","f":true,"h":"NaN","i":null,"j":"-Infinity","k":"2015-12-31T23:59:59.9000000Z"}"#;
    let r = run(&["--format", "jsonl", query]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, format!("{row}\n"));
    let r = run(&["--format", "json", query]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, format!("[\n{row}\n]\n"));
}

#[test]
fn dynamic_is_the_json_value_itself_in_jsonl() {
    let r = run(&[
        "--format",
        "jsonl",
        "print g = dynamic({\"k\":[1,2]}), s = dynamic(\"str\"), n = dynamic(null)",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "{\"g\":{\"k\":[1,2]},\"s\":\"str\",\"n\":null}\n");
}

#[test]
fn tsv_output() {
    let r = run(&["--format", "tsv", KINDS]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "a\tb\tc\td\te\tf\tg\th\ti\n\
1\tx,y\t2.5\t2017-01-01T00:00:00Z\t1.02:03:04.5000000\ttrue\t{\"k\":[1,2]}\tNaN\t\n"
    );
}

#[test]
fn table_output_is_aligned() {
    // `n` is a long, so it is right-aligned in a column 2 wide ("42"); `s` is 5 wide
    // ("hello"); `r` is a real, right-aligned in 3 ("0.5"). Columns are 2 spaces apart.
    let r = run(&["--format", "table", "print n = 42, s = \"hello\", r = 0.5"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, " n  s        r\n--  -----  ---\n42  hello  0.5\n");
}

#[test]
fn each_result_is_printed_in_order() {
    let script = "print x = 1; print y = 2";
    let r = run(&["--format", "csv", script]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "x\n1\n\ny\n2\n");
    let r = run(&["--format", "table", script]);
    assert_eq!(r.stdout, "x\n-\n1\n\ny\n-\n2\n");
    let r = run(&["--format", "jsonl", script]);
    assert_eq!(r.stdout, "{\"x\":1}\n{\"y\":2}\n");

    // Several script files run in the order given.
    let one = scratch("first.kql", b"print first = 'a'\n");
    let two = scratch("second.kql", b"let v = 2;\nprint second = v\n");
    let r = run(&[
        "-f",
        &one.display().to_string(),
        "-f",
        &two.display().to_string(),
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "first\na\n\nsecond\n2\n");
}

#[test]
fn now_makes_now_and_ago_reproducible() {
    let args = [
        "--now",
        "2024-01-01T00:00:00Z",
        "print now(), ago(1d), now() + 90m",
    ];
    let r = run(&args);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "print_0,print_1,print_2\n\
2024-01-01T00:00:00Z,2023-12-31T00:00:00Z,2024-01-01T01:30:00Z\n"
    );
    assert_eq!(run(&args).stdout, r.stdout);
    // Other documented datetime forms are accepted; a fraction shows with 7 digits.
    let r = run(&["--now", "2024-02-29 12:00:00.25", "print now()"]);
    assert_eq!(r.stdout, "print_0\n2024-02-29T12:00:00.2500000Z\n");
}

#[test]
fn bad_now_is_a_usage_error() {
    for bad in ["yesterday", "2024-13-01", ""] {
        let r = run(&["--now", bad, "print 1"]);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr
                .starts_with(&format!("error: invalid --now '{bad}'")),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn output_file_is_written_atomically() {
    let dir = scratch_dir("output-atomic");
    let out = dir.join("result.csv");
    std::fs::write(&out, "old contents\n").unwrap();
    let shown = out.display().to_string();
    let r = run(&["-o", &shown, "print x = 1, s = 'a'"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "x,s\n1,a\n");
    // The temporary file was renamed into place: nothing else is left in the folder.
    assert_eq!(listing(&dir), ["result.csv"]);

    // The format follows the extension unless --format says otherwise.
    let jl = dir.join("result.jsonl");
    let r = run(&["-o", &jl.display().to_string(), "print x = 1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&jl).unwrap(), "{\"x\":1}\n");
    let r = run(&[
        "--format",
        "tsv",
        "-o",
        &jl.display().to_string(),
        "print x = 1, y = 2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&jl).unwrap(), "x\ty\n1\t2\n");
}

#[test]
fn failed_query_leaves_the_output_file_untouched() {
    let dir = scratch_dir("output-untouched");
    let out = dir.join("keep.csv");
    std::fs::write(&out, "previous\n").unwrap();
    let r = run(&["-o", &out.display().to_string(), "T | wher x"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(codes(&r.stderr), ["KQL0106"], "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
    assert_eq!(listing(&dir), ["keep.csv"]);
}

#[test]
fn output_into_a_missing_folder_is_a_usage_error() {
    let r = run(&["-o", "no/such/folder/out.csv", "print 1"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("no/such/folder"), "{}", r.stderr);
}

#[test]
fn parquet_and_arrow_output() {
    // Not a terminal: binary output may go to standard output.
    let r = run_raw(&["--format", "parquet", "print x = 1, s = 'a'"], b"");
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout.starts_with(b"PAR1") && r.stdout.ends_with(b"PAR1"),
        "not a Parquet file"
    );
    let r = run_raw(&["--format", "arrow", "print x = 1"], b"");
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout.starts_with(b"ARROW1") && r.stdout.ends_with(b"ARROW1"),
        "not an Arrow IPC file"
    );

    let dir = scratch_dir("output-parquet");
    let out = dir.join("r.parquet");
    let r = run(&["-o", &out.display().to_string(), "print x = 1"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));

    // One Parquet file holds one result.
    let r = run_raw(&["--format", "parquet", "print x = 1; print y = 2"], b"");
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("exactly one result"), "{}", r.stderr);
}

#[test]
fn parse_errors_in_a_run_exit_1() {
    // Run mode (no --parse-only) renders the same diagnostic: `wher` is columns 5-8.
    let r = run(&["T | wher x"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(codes(&r.stderr), ["KQL0106"], "{}", r.stderr);
    assert_eq!(locations(&r.stderr), ["<query>:1:5"]);

    let path = scratch("run-error.kql", b"print 1;\nT | wher x\n");
    let shown = path.display().to_string();
    let r = run(&["-f", &shown]);
    assert_eq!(r.code, 1);
    assert_eq!(locations(&r.stderr), [format!("{shown}:2:5")]);
}

#[test]
fn binding_errors_in_a_run_exit_1() {
    let r = run(&["print x = 1 | project y"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let c = codes(&r.stderr);
    assert!(c.len() == 1 && c[0].starts_with("KQL02"), "{}", r.stderr);
    // `print x = 1 | project y`: `y` is column 23.
    assert_eq!(locations(&r.stderr), ["<query>:1:23"]);
}

#[test]
fn check_reports_parse_errors() {
    let r = run(&["--check", "T | wher x"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(codes(&r.stderr), ["KQL0106"], "{}", r.stderr);
    assert_eq!(locations(&r.stderr), ["<query>:1:5"]);
}

#[test]
fn check_binds_without_executing() {
    let r = run(&["--check", "print x = 1 | extend y = x * 2"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));

    let r = run(&["--check", "NoSuchTable | take 1"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let c = codes(&r.stderr);
    assert!(c.len() == 1 && c[0].starts_with("KQL02"), "{}", r.stderr);
    assert_eq!(locations(&r.stderr), ["<query>:1:1"]);

    let r = run(&["--check", "print x = 1 | project y"]);
    assert_eq!(r.code, 1);
    assert_eq!(locations(&r.stderr), ["<query>:1:23"]);
}

#[test]
fn missing_table_file_is_a_data_error_naming_it() {
    let r = run(&["-t", "T=no/such/table.csv", "T | take 1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("error"), "{}", r.stderr);
    assert!(r.stderr.contains("no/such/table.csv"), "{}", r.stderr);

    // --check loads the tables too (it binds against their schemas).
    let r = run(&["--check", "-t", "T=no/such/table.csv", "T | take 1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no/such/table.csv"), "{}", r.stderr);

    let r = run(&["-d", "no/such/db", "print 1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("error: cannot read folder 'no/such/db'"),
        "{}",
        r.stderr
    );
}

#[test]
fn db_folder_with_two_tables_of_one_name_is_a_usage_error() {
    let dir = scratch_dir("db-duplicate");
    std::fs::write(dir.join("usage.csv"), "a\n1\n").unwrap();
    std::fs::write(dir.join("usage.jsonl"), "{\"a\":1}\n").unwrap();
    let r = run(&["-d", &dir.display().to_string(), "print 1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: two tables named 'usage'"),
        "{}",
        r.stderr
    );
}

/// A small database folder: `usage.csv`, an Azure Monitor export folder `am-Events/`, and a
/// file that is not data.
fn csv_fixture(name: &str) -> PathBuf {
    let dir = scratch_dir(name);
    std::fs::write(
        dir.join("usage.csv"),
        "Name,Count,Seen\nalpha,3,2024-01-01T00:00:00Z\nbeta,4,2024-01-02T06:30:00Z\ngamma,10,2024-01-03T00:00:00Z\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("am-Events")).unwrap();
    std::fs::write(
        dir.join("am-Events").join("part-0.csv"),
        "Id,Kind\n1,start\n2,stop\n",
    )
    .unwrap();
    std::fs::write(dir.join("README.md"), "not a table\n").unwrap();
    dir
}

#[test]
fn table_from_a_csv_file() {
    let dir = csv_fixture("csv-table");
    let usage = format!("Usage={}", dir.join("usage.csv").display());
    // 3 + 4 + 10 = 17.
    let r = run(&["-t", &usage, "Usage | summarize Total = sum(Count)"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "Total\n17\n");
    let r = run(&[
        "-t",
        &usage,
        "--format",
        "jsonl",
        "Usage | where Count > 3 | project Name, Count",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "{\"Name\":\"beta\",\"Count\":4}\n{\"Name\":\"gamma\",\"Count\":10}\n"
    );
}

#[test]
fn tables_from_a_db_folder() {
    let dir = csv_fixture("csv-db");
    let db = dir.display().to_string();
    let r = run(&[
        "-d",
        &db,
        "usage | where Name == 'beta' | project Name, Seen",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "Name,Seen\nbeta,2024-01-02T06:30:00Z\n");
    // `am-Events` is the table `Events`.
    let r = run(&["-d", &db, "Events | count"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "Count\n2\n");
    // -t replaces a table the folder provides.
    let other = scratch("other-usage.csv", b"Name,Count\nzeta,1\n");
    let r = run(&[
        "-d",
        &db,
        "-t",
        &format!("usage={}", other.display()),
        "usage | project Name",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "Name\nzeta\n");
}

#[test]
fn bad_record_is_a_data_error_naming_file_and_line() {
    let dir = scratch_dir("bad-records");
    let csv = dir.join("ragged.csv");
    std::fs::write(&csv, "a,b\n1,2\n3\n").unwrap();
    let jsonl = dir.join("broken.jsonl");
    std::fs::write(&jsonl, "{\"a\":1}\n{oops\n{\"a\":3}\n").unwrap();

    // The short row is line 3 of the CSV file; the broken object line 2 of the JSON lines.
    let r = run(&["-t", &format!("T={}", csv.display()), "T | count"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with(&format!("error: {}:3: ", csv.display())),
        "{}",
        r.stderr
    );
    let r = run(&["-t", &format!("T={}", jsonl.display()), "T | count"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with(&format!("error: {}:2: ", jsonl.display())),
        "{}",
        r.stderr
    );

    // --lenient skips the bad record: two good objects remain.
    let r = run(&[
        "--lenient",
        "-t",
        &format!("T={}", jsonl.display()),
        "T | summarize n = count(), total = sum(a)",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "n,total\n2,4\n");
    // ... and says so on stderr, naming the file and line
    assert!(
        r.stderr
            .starts_with("warning: table 'T': skipped 1 bad record(s)")
            && r.stderr.contains(&format!("{}:2: ", jsonl.display())),
        "{}",
        r.stderr
    );
}

/// The `.kqlt` conformance corpus (DESIGN §8): every record passes except those counted in
/// `corpus/kqlt/KNOWN_FAILURES.txt`.
#[test]
fn kqlt_conformance_corpus() {
    let dir = root().join("corpus").join("kqlt");
    let known_text = std::fs::read_to_string(dir.join("KNOWN_FAILURES.txt")).unwrap_or_default();
    let known: std::collections::HashMap<String, usize> = known_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut parts = l.split('\t');
            Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let summary = rt.block_on(kql_tests::kqlt::run_corpus(&dir));
    println!(
        "kqlt corpus: {} passed, {} failed",
        summary.passed(),
        summary.failed()
    );
    let mut problems = Vec::new();
    for f in &summary.files {
        let name = f
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let allowed = known.get(&name).copied().unwrap_or(0);
        if f.failed > allowed {
            problems.push(format!(
                "{name}: {} failed, {allowed} allowed\n{}",
                f.failed,
                f.failures.join("\n")
            ));
        }
    }
    assert!(summary.passed() >= 350, "too few kqlt records ran");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The README's main command: the bundled incident triage script over the sample export.
/// Expected values come from the pandas oracle `tests/oracles/incident_sample.py`.
#[test]
fn incident_sample_matches_the_pandas_oracle() {
    let r = run(&[
        "-d",
        root().join("corpus/samples/data").to_str().unwrap(),
        "-f",
        root().join("corpus/samples/incident.kql").to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let sets: Vec<&str> = r.stdout.split("\n\n").collect();
    assert_eq!(sets.len(), 3, "three result sets expected:\n{}", r.stdout);
    assert_eq!(
        sets[0].trim_end(),
        "Service,Bucket,Errors,Hosts\n\
         checkout,2024-03-15T10:30:00Z,9,5\n\
         checkout,2024-03-15T09:30:00Z,7,5\n\
         checkout,2024-03-15T10:00:00Z,7,4\n\
         checkout,2024-03-15T11:00:00Z,5,3"
    );
    let sigs: Vec<String> = sets[1]
        .lines()
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        sigs,
        vec![
            "Signature,Count",
            "NullReferenceException,26",
            "SqlException,14",
            "TimeoutException,12"
        ]
    );
}

/// The README's main command: make-series + series_decompose_anomalies over the sample export.
/// The generator (`corpus/samples/gen_sample_data.py`) injects one incident: checkout errors from
/// 09:40 to 11:10 on 2024-03-15 after deployment 2.4.1 at 09:40:05. Every checkout anomaly must
/// fall in that window, at least one must be found, and the deployment found before it must be
/// 2.4.1; error counts of the flagged buckets are checked against a direct count.
#[test]
fn anomalies_sample_finds_the_injected_incident() {
    let r = run(&[
        "-d",
        root().join("corpus/samples/data").to_str().unwrap(),
        "-f",
        root()
            .join("corpus/samples/anomalies.kql")
            .to_str()
            .unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let sets: Vec<&str> = r.stdout.split("\n\n").collect();
    assert_eq!(sets.len(), 3, "three result sets expected:\n{}", r.stdout);
    let checkout: Vec<Vec<&str>> = sets[0]
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[1] == "checkout")
        .collect();
    assert!(!checkout.is_empty(), "no checkout anomaly:\n{}", r.stdout);
    for f in &checkout {
        assert!(
            ("2024-03-15T09:30:00Z"..="2024-03-15T11:10:00Z").contains(&f[0]),
            "checkout anomaly outside the incident: {f:?}"
        );
        // the bucket's error count, counted directly
        let q = format!(
            "AppLogs | where Service == 'checkout' and Level == 'Error' and bin(TimeGenerated, 15m) == datetime({}) | count",
            f[0]
        );
        let c = run(&[
            "-d",
            root().join("corpus/samples/data").to_str().unwrap(),
            &q,
        ]);
        assert_eq!(c.stdout.lines().nth(1), Some(f[2]), "{q}");
    }
    let line = sets[1]
        .lines()
        .find(|l| l.starts_with("checkout,"))
        .unwrap_or_else(|| panic!("no checkout summary:\n{}", sets[1]));
    assert!(line.contains(",2024-03-15T09:40:05Z,2.4.1,sam"), "{line}");
    // 3. diffpatterns: the incident's error signature leads, and its counts recount directly
    let since = checkout.iter().map(|f| f[0]).min().unwrap_or_default();
    let top: Vec<&str> = sets[2]
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split(',')
        .collect();
    assert_eq!(top.get(9), Some(&"NullReferenceException"), "{}", sets[2]);
    let count = |window: &str| {
        let q = format!(
            "AppLogs | where Service == 'checkout' and Level == 'Error' and TimeGenerated {window} datetime({since}) \
             and Message startswith 'NullReferenceException' | count"
        );
        let c = run(&[
            "-d",
            root().join("corpus/samples/data").to_str().unwrap(),
            &q,
        ]);
        c.stdout.lines().nth(1).unwrap_or_default().to_string()
    };
    assert_eq!(top[1], count(">="), "CountA");
    assert_eq!(top[2], count("<"), "CountB");
}

/// Queries over the real exports in ../shared/data (read-only), checked against the pandas
/// oracle `tests/oracles/real_exports.py`. Skipped when ../shared is not beside the checkout.
#[test]
fn real_exports_match_the_pandas_oracle() {
    let shared = root().join("../shared/data");
    if !shared.exists() {
        println!("skipped: {} not found", shared.display());
        return;
    }
    let storm = format!(
        "Storm={}",
        shared
            .join("stormevents-noaa/StormEvents_2019Q1.csv.gz")
            .display()
    );
    let r = run(&[
        "-t",
        &storm,
        "--format",
        "csv",
        "Storm | summarize Events = count(), Deaths = sum(DeathsDirect) by State | sort by Events desc, State asc | take 3",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(
        r.stdout.trim_end(),
        "State,Events,Deaths\nCALIFORNIA,1380,12\nMINNESOTA,658,2\nNEW YORK,644,1"
    );
    let r = run(&[
        "-t",
        &storm,
        "--format",
        "csv",
        "Storm | where EventType has \"wind\" | count",
    ]);
    assert_eq!(r.stdout.trim_end(), "Count\n4811", "stderr: {}", r.stderr);

    let logons = format!("L={}", shared.join("msticpy/host_logons.csv").display());
    let r = run(&[
        "-t",
        &logons,
        "--format",
        "csv",
        "L | summarize n = count() by LogonType | sort by LogonType asc",
    ]);
    assert_eq!(
        r.stdout.trim_end(),
        "LogonType,n\n3,1\n4,2\n5,11",
        "stderr: {}",
        r.stderr
    );

    let win = format!(
        "W={}",
        shared.join("otrf-la-exports/WindowsEvents.json").display()
    );
    let r = run(&[
        "-t",
        &win,
        "--format",
        "csv",
        "W | summarize n = count() by EventID | sort by n desc, EventID asc | take 3",
    ]);
    assert_eq!(
        r.stdout.trim_end(),
        "EventID,n\n4624,28\n4662,5\n18,1",
        "stderr: {}",
        r.stderr
    );
}

/// Every function catalog entry's example prints its expected CSV (DESIGN.md §5); names and
/// aliases are unique and every entry has an example. Entries in `KNOWN_WRONG` (engine bugs,
/// the expectation follows the Kusto docs) may differ, but must be removed from that list
/// once they pass.
#[test]
fn function_catalog_examples() {
    use kql_functions::catalog::{KNOWN_WRONG, catalog, names};
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in names() {
        if !seen.insert(n) {
            problems.push(format!("duplicate name or alias `{n}`"));
        }
    }
    for e in catalog() {
        if e.example.trim().is_empty() || e.expected.is_empty() {
            problems.push(format!("`{}` has no example", e.name));
            continue;
        }
        let r = run(&["--format", "csv", e.example]);
        let ok = r.code == 0 && r.stdout == e.expected;
        if KNOWN_WRONG.contains(&e.name) {
            if ok {
                problems.push(format!(
                    "`{}` now prints its expected output: remove it from KNOWN_WRONG",
                    e.name
                ));
            }
            continue;
        }
        if !ok {
            problems.push(format!(
                "`{}`: {}\n  expected: {:?}\n  got:      {:?} (exit {}) {}",
                e.name,
                e.example,
                e.expected,
                r.stdout,
                r.code,
                r.stderr.trim_end()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} catalog problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// `docs/functions.md` is generated from the catalog; `KQL_UPDATE_DOCS=1` rewrites it.
#[test]
fn functions_md_is_current() {
    let path = root().join("docs/functions.md");
    let want = kql_functions::catalog::render_markdown();
    if std::env::var_os("KQL_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(root().join("docs")).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/functions.md is out of date; regenerate with \
         KQL_UPDATE_DOCS=1 cargo test -p kql-tests --test cli functions_md_is_current"
    );
}
