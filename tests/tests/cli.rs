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

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
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
    Run {
        code: status.code().expect("exit status (not a signal)"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
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
    for sample in ["corpus/samples/aiops.kql", "corpus/samples/triage.kql"] {
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
fn execution_is_refused_plainly() {
    let msg = "error: query execution is not available yet in this build (the engine lands with \
issue #3); use --parse-only to check syntax\n";
    for args in [
        &["StormEvents | take 5"][..],
        &["-f", "corpus/samples/triage.kql"],
        &["--check", "-t", "Usage=usage.csv", "Usage | count"],
        &[
            "--format",
            "jsonl",
            "--now",
            "2024-01-01T00:00:00Z",
            "print 1",
        ],
        &[],
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(r.stderr, msg, "{args:?}");
    }
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
