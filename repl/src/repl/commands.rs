//! The REPL's dot-commands: `.help [topic|function]`, `.tables`, `.schema T`, `.load NAME PATH`,
//! `.format FMT`, `.timing on|off`, `.rows N`, `.now DATETIME`, `.quit`.

use crate::cli::OutputFormat;
use clap::ValueEnum;
use kql_engine::KqlContext;

/// Settings the commands change.
pub struct Settings {
    pub format: OutputFormat,
    pub timing: bool,
    /// How many rows a result shows before "N more rows".
    pub max_rows: usize,
}

/// What the loop does after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    Continue,
    Quit,
}

pub const HELP: &str = "\
Type a KQL query and press Enter. A line ending in `|`, or with an open bracket or string,
continues on the next line; a blank line or `;` runs what you typed. `let` statements on
their own are kept for the rest of the session. Ctrl-C cancels a running query; Ctrl-D quits.

  .help [NAME]        this help, or a function's, plugin's or operator's signature and example
  .tables             the registered tables
  .schema TABLE       a table's columns and types
  .load NAME PATH     register a file, folder or glob as table NAME
  .format FMT         table (default), csv, tsv, json or jsonl
  .timing on|off      show rows and elapsed time after each result (default on)
  .rows N             show at most N rows of a result (default 100)
  .now DATETIME       fix now() and ago(), e.g. .now 2024-01-01T00:00:00Z
  .quit               leave (also .exit)
";

/// Runs a dot-command line; output is returned as text for the caller to print.
pub fn run(line: &str, ctx: &KqlContext, settings: &mut Settings) -> (After, String) {
    let line = line.trim();
    let (cmd, rest) = match line.split_once(char::is_whitespace) {
        Some((c, r)) => (c, r.trim()),
        None => (line, ""),
    };
    let text = match cmd {
        ".quit" | ".exit" | ".q" => return (After::Quit, String::new()),
        ".help" | ".h" | ".?" => help(rest),
        ".tables" => tables(ctx),
        ".schema" => schema(ctx, rest),
        ".load" => load(ctx, rest),
        ".format" => match OutputFormat::from_str(rest, true) {
            Ok(f) if !f.is_binary() => {
                settings.format = f;
                String::new()
            }
            _ => "error: .format takes table, csv, tsv, json or jsonl\n".to_string(),
        },
        ".timing" => match rest {
            "on" => {
                settings.timing = true;
                String::new()
            }
            "off" => {
                settings.timing = false;
                String::new()
            }
            _ => "error: .timing takes on or off\n".to_string(),
        },
        ".rows" => match rest.parse::<usize>() {
            Ok(n) if n > 0 => {
                settings.max_rows = n;
                String::new()
            }
            _ => "error: .rows takes a positive number\n".to_string(),
        },
        ".now" => match crate::parse_now_text(rest) {
            Some(n) => {
                ctx.set_now(n);
                String::new()
            }
            None => {
                format!("error: .now takes a datetime such as 2024-01-01T00:00:00Z, got '{rest}'\n")
            }
        },
        other => format!("error: unknown command '{other}' (.help lists the commands)\n"),
    };
    (After::Continue, text)
}

fn help(topic: &str) -> String {
    if topic.is_empty() {
        return HELP.to_string();
    }
    if let Some(e) = kql_functions::catalog::lookup(topic) {
        let mut s = format!("{}\n\n{}\n", e.signature, e.summary);
        if !e.aliases.is_empty() {
            s.push_str(&format!("Aliases: {}\n", e.aliases.join(", ")));
        }
        s.push_str(&format!("\nExample:\n  {}\n\n{}", e.example, e.expected));
        return s;
    }
    if let Some(p) = kql_functions::plugins::lookup(topic) {
        let mut s = format!("evaluate {}\n\n{}\n", p.signature, p.description);
        for (name, meaning) in p.params {
            s.push_str(&format!("  {name}: {meaning}\n"));
        }
        s.push_str(&format!("\nExample:\n  {}\n\n{}", p.example, p.expected));
        return s;
    }
    if kql_parser::OPERATOR_NAMES.contains(&topic) {
        return format!(
            "`{topic}` is a tabular operator: T | {topic} ... \
             (see https://learn.microsoft.com/kusto/query/{}-operator)\n",
            topic.replace('-', "")
        );
    }
    let mut names: Vec<&str> = kql_functions::catalog::names()
        .chain(kql_functions::plugins::PLUGINS.iter().map(|p| p.name))
        .chain(kql_parser::OPERATOR_NAMES.iter().copied())
        .collect();
    names.sort_unstable();
    match kql_parser::did_you_mean(topic, &names) {
        Some(s) => format!("no help for '{topic}'; did you mean '{s}'?\n"),
        None => format!("no help for '{topic}' (.help lists the commands)\n"),
    }
}

fn tables(ctx: &KqlContext) -> String {
    let names = ctx.table_names();
    if names.is_empty() {
        return "no tables (start kql with -d DIR or -t NAME=PATH, or use .load NAME PATH)\n"
            .to_string();
    }
    let mut s = String::new();
    for n in names {
        let cols = ctx.table_schema(&n).map_or(0, |s| s.fields().len());
        s.push_str(&format!("{n}  ({cols} columns)\n"));
    }
    s
}

fn schema(ctx: &KqlContext, name: &str) -> String {
    if name.is_empty() {
        return "error: .schema needs a table name\n".to_string();
    }
    match ctx.table_schema(name) {
        Some(schema) => {
            let width = schema
                .fields()
                .iter()
                .map(|f| f.name().chars().count())
                .max()
                .unwrap_or(0);
            let mut s = String::new();
            for f in schema.fields() {
                let ty = kql_engine::KqlType::of_field(f);
                s.push_str(&format!("{:width$}  {}\n", f.name(), ty.name()));
            }
            s
        }
        None => format!("error: no table named '{name}' (.tables lists them)\n"),
    }
}

fn load(ctx: &KqlContext, rest: &str) -> String {
    let Some((name, path)) = rest.split_once(char::is_whitespace) else {
        return "error: .load needs a table name and a path: .load NAME PATH\n".to_string();
    };
    let path = path.trim();
    match ctx.register_path_with_report(name, path) {
        Ok(report) => {
            let cols = ctx.table_schema(name).map_or(0, |s| s.fields().len());
            let mut s = format!("loaded {name} from {path} ({cols} columns)\n");
            if report.skipped_records > 0 {
                s.push_str(&format!(
                    "warning: skipped {} bad record(s)\n",
                    report.skipped_records
                ));
            }
            s
        }
        Err(e) => e.render(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            format: OutputFormat::Table,
            timing: true,
            max_rows: 100,
        }
    }

    #[test]
    fn help_shows_a_function_from_the_catalog() {
        let ctx = KqlContext::new();
        let (_, s) = run(".help strlen", &ctx, &mut settings());
        assert!(s.starts_with("strlen("), "{s}");
        assert!(s.contains("Example:"), "{s}");
    }

    #[test]
    fn help_suggests_a_near_name() {
        let ctx = KqlContext::new();
        let (_, s) = run(".help strlne", &ctx, &mut settings());
        assert!(s.contains("did you mean 'strlen'"), "{s}");
    }

    #[test]
    fn settings_change_and_bad_values_are_errors() {
        let ctx = KqlContext::new();
        let mut st = settings();
        assert_eq!(run(".format csv", &ctx, &mut st).0, After::Continue);
        assert_eq!(st.format, OutputFormat::Csv);
        assert!(run(".format parquet", &ctx, &mut st).1.starts_with("error"));
        run(".timing off", &ctx, &mut st);
        assert!(!st.timing);
        run(".rows 5", &ctx, &mut st);
        assert_eq!(st.max_rows, 5);
        assert!(run(".rows 0", &ctx, &mut st).1.starts_with("error"));
        assert!(
            run(".bogus", &ctx, &mut st)
                .1
                .contains("unknown command '.bogus'")
        );
        assert_eq!(run(".quit", &ctx, &mut st).0, After::Quit);
    }

    #[test]
    fn schema_and_load_report_missing_things() {
        let ctx = KqlContext::new();
        let mut st = settings();
        assert!(
            run(".schema Nope", &ctx, &mut st)
                .1
                .contains("no table named 'Nope'")
        );
        let (_, s) = run(".load T /no/such/file.csv", &ctx, &mut st);
        assert!(s.contains("error"), "{s}");
    }
}
