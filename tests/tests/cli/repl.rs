//! The interactive REPL driven through a pipe (rustyline reads plain lines when standard input
//! is not a terminal): multi-line input, `let` kept across inputs, dot-commands, the row limit,
//! errors shown against what was typed, and the history file.

use super::{Run, kql, root, scratch};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `kql ARGS` with `input` on stdin and history in `history` ("" = no history file).
fn repl(args: &[&str], input: &str, history: &str) -> Run {
    let mut child = Command::new(kql())
        .args(args)
        .current_dir(root())
        .env("KQL_HISTORY", history)
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kql");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("wait for kql");
    Run {
        code: out.status.code().expect("exit status"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

#[test]
fn a_query_continues_after_a_trailing_pipe_and_runs_at_the_end_of_the_line() {
    let r = repl(&[], "range x from 1 to 3 step 1 |\n  where x > 1\n", "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "x\n-\n2\n3\n");
    assert!(r.stderr.contains("(2 rows, "), "{}", r.stderr);
}

#[test]
fn a_let_on_its_own_is_kept_for_later_inputs() {
    let r = repl(&[], "let t = 5;\nprint v = t * 2\n", "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, " v\n--\n10\n");
}

#[test]
fn errors_point_into_what_was_typed_not_into_the_session() {
    let r = repl(&[], "let t = 5;\nprint v = t + nosuch\n", "");
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("<input>:1:15"), "{}", r.stderr);
    assert!(r.stderr.contains('^'), "{}", r.stderr);
    // the session goes on after an error
    let r = repl(&[], "print 1 +\nprint ok = 1\n", "");
    assert!(r.stdout.contains("ok\n--\n 1\n"), "{}", r.stdout);
}

#[test]
fn the_row_limit_counts_what_is_not_shown() {
    let r = repl(&[], ".rows 2\nrange x from 1 to 10 step 1\n", "");
    assert_eq!(r.stdout, "x\n-\n1\n2\n(8 more rows)\n");
    assert!(r.stderr.contains("(10 rows, "), "{}", r.stderr);
}

#[test]
fn dot_commands_change_the_format_and_describe_tables() {
    let input = ".format csv\n.timing off\nprint a = 1, b = 'x'\n.tables\n.schema AppLogs\n.quit\nprint never = 1\n";
    let r = repl(&["-d", "corpus/samples/data"], input, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("a,b\n1,x\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("never"), "{}", r.stdout);
    assert!(!r.stderr.contains("rows,"), "timing is off: {}", r.stderr);
    let r = repl(&[], ".help\n.help strlen\n.load\n", "");
    assert!(r.stdout.contains(".schema TABLE"), "{}", r.stdout);
    assert!(r.stdout.contains("strlen("), "{}", r.stdout);
    assert!(
        r.stdout.contains(".load needs a table name"),
        "{}",
        r.stdout
    );
}

#[test]
fn history_is_kept_in_the_history_file() {
    let path = scratch("repl_history", b"");
    std::fs::remove_file(&path).unwrap();
    let h = path.to_str().unwrap();
    let r = repl(&[], "print first = 1\nprint second = 2\n", h);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("print first = 1"), "{text}");
    assert!(text.contains("print second = 2"), "{text}");
}

#[test]
fn without_a_query_flags_that_need_one_are_usage_errors() {
    let r = repl(&["-o", "out.csv"], "", "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--output needs a query"), "{}", r.stderr);
    let r = repl(&["--check"], "", "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--check needs a query"), "{}", r.stderr);
}

/// Ctrl-C (SIGINT) while a query runs cancels that query; the session goes on.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_running_query_and_keeps_the_session() {
    let mut child = Command::new(kql())
        .current_dir(root())
        .env("KQL_HISTORY", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kql");
    let mut stdin = child.stdin.take().expect("stdin");
    // 10^7 rows through a string function and dcount: far longer than the test waits in a
    // debug build
    stdin
        .write_all(b"range x from 1 to 10000000 step 1 | summarize dcount(strcat('k', x))\n")
        .expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    stdin.write_all(b"print after = 1\n").expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("query cancelled"), "{stderr}");
    assert!(stdout.contains("after"), "{stdout}");
    assert!(!stdout.contains("dcount_"), "{stdout}");
}
