//! The line editor's helper: completion (operators after `|`, plugins after `evaluate`,
//! functions, tables, `let` names and the columns in scope at the cursor), syntax highlighting
//! and the multi-line rule of [`super::input::readiness`].

use super::input::{Readiness, Tok, lex, readiness};
use kql_engine::KqlContext;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// Words highlighted as keywords besides the operator names.
const KEYWORDS: &[&str] = &[
    "let", "set", "declare", "by", "on", "with", "and", "or", "not", "in", "kind", "to", "from",
    "step", "asc", "desc", "nulls", "first", "last", "true", "false", "typeof", "of", "view",
];

/// Shared with the REPL loop: the session and the `let` statements typed so far.
pub struct KqlHelper {
    pub ctx: Arc<KqlContext>,
    pub prelude: Rc<RefCell<String>>,
    pub color: bool,
}

impl KqlHelper {
    /// Completion candidates for the word `prefix`, where `before` is the text before it.
    pub fn candidates(&self, before: &str, prefix: &str) -> Vec<String> {
        let (toks, _) = lex(before);
        let prev: Option<&str> = toks
            .iter()
            .rev()
            .find(|(t, _)| !matches!(t, Tok::Space | Tok::Comment))
            .map(|(_, r)| &before[r.clone()]);
        let mut out: Vec<String> = Vec::new();
        match prev {
            Some("|") => out.extend(kql_parser::OPERATOR_NAMES.iter().map(|s| s.to_string())),
            Some("evaluate") => out.extend(
                kql_functions::plugins::PLUGINS
                    .iter()
                    .map(|p| p.name.to_string()),
            ),
            _ => {
                if let Some(pipe) = last_top_level_pipe(before) {
                    let script = format!("{}{}", self.prelude.borrow(), &before[..pipe]);
                    if let Some(cols) = self.ctx.output_columns(&script) {
                        out.extend(cols.into_iter().map(|(n, _)| n));
                    }
                } else {
                    out.extend(self.ctx.table_names());
                    out.extend(let_names(&self.prelude.borrow()));
                    out.extend(
                        ["let", "print", "range", "datatable", "union", "set"].map(String::from),
                    );
                }
                out.extend(kql_functions::catalog::names().map(String::from));
            }
        }
        out.retain(|c| c.starts_with(prefix) && c != prefix);
        out.sort();
        out.dedup();
        out
    }
}

/// The byte offset of the last `|` outside brackets, strings and comments.
fn last_top_level_pipe(text: &str) -> Option<usize> {
    let (toks, _) = lex(text);
    let mut depth = 0i64;
    let mut last = None;
    for (t, r) in toks {
        if t != Tok::Punct {
            continue;
        }
        match &text[r.clone()] {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            "|" if depth == 0 => last = Some(r.start),
            _ => {}
        }
    }
    last
}

/// Names bound by `let` in `text`.
fn let_names(text: &str) -> Vec<String> {
    let (toks, _) = lex(text);
    let words: Vec<&str> = toks
        .iter()
        .filter(|(t, _)| *t == Tok::Word)
        .map(|(_, r)| &text[r.clone()])
        .collect();
    words
        .windows(2)
        .filter(|w| w[0] == "let")
        .map(|w| w[1].to_string())
        .collect()
}

impl Completer for KqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '-' | '$'))
            .last()
            .map_or(pos, |(i, _)| i);
        let prefix = &line[start..pos];
        let found = self
            .candidates(&line[..start], prefix)
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, found))
    }
}

impl Hinter for KqlHelper {
    type Hint = String;
}

impl Highlighter for KqlHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// `line` with ANSI colours: keywords and operators bold blue, functions cyan, strings green,
/// numbers yellow, comments dim.
pub fn highlight(line: &str) -> String {
    let (toks, _) = lex(line);
    let mut out = String::with_capacity(line.len() + 16);
    for (i, (t, r)) in toks.iter().enumerate() {
        let text = &line[r.clone()];
        let next_is_paren = toks
            .get(i + 1)
            .is_some_and(|(_, r2)| line[r2.clone()].starts_with('('));
        let code = match t {
            Tok::Word if kql_parser::OPERATOR_NAMES.contains(&text) || KEYWORDS.contains(&text) => {
                Some("1;34")
            }
            Tok::Word if next_is_paren => Some("36"),
            Tok::Str => Some("32"),
            Tok::Number => Some("33"),
            Tok::Comment => Some("2"),
            _ => None,
        };
        match code {
            Some(c) => out.push_str(&format!("\x1b[{c}m{text}\x1b[0m")),
            None => out.push_str(text),
        }
    }
    out
}

impl Validator for KqlHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match readiness(ctx.input()) {
            Readiness::Run => ValidationResult::Valid(None),
            Readiness::Continue => ValidationResult::Incomplete,
        })
    }
}

impl Helper for KqlHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> KqlHelper {
        let ctx = KqlContext::new();
        let schema = Arc::new(kql_engine::datafusion::arrow::datatypes::Schema::new(vec![
            kql_engine::datafusion::arrow::datatypes::Field::new(
                "Computer",
                kql_engine::datafusion::arrow::datatypes::DataType::Utf8,
                true,
            ),
            kql_engine::datafusion::arrow::datatypes::Field::new(
                "CounterValue",
                kql_engine::datafusion::arrow::datatypes::DataType::Float64,
                true,
            ),
        ]));
        ctx.register_batches("Perf", schema, vec![]).unwrap();
        KqlHelper {
            ctx: Arc::new(ctx),
            prelude: Rc::new(RefCell::new("let threshold = 90;\n".to_string())),
            color: false,
        }
    }

    #[test]
    fn after_a_pipe_operators_complete() {
        let h = helper();
        assert_eq!(h.candidates("Perf | ", "su"), ["summarize"]);
        assert!(
            h.candidates("Perf | ", "project")
                .contains(&"project-away".to_string())
        );
    }

    #[test]
    fn columns_in_scope_complete_from_the_plan() {
        let h = helper();
        assert_eq!(h.candidates("Perf | where ", "Coun"), ["CounterValue"]);
        // after a summarize only its output columns are in scope
        let c = h.candidates(
            "Perf | summarize avg_v = avg(CounterValue) by Computer | where ",
            "",
        );
        assert!(c.contains(&"avg_v".to_string()), "{c:?}");
        assert!(!c.contains(&"CounterValue".to_string()), "{c:?}");
    }

    #[test]
    fn tables_lets_and_functions_complete_at_the_start() {
        let h = helper();
        assert_eq!(h.candidates("", "Pe"), ["Perf"]);
        assert_eq!(h.candidates("", "thresh"), ["threshold"]);
        assert!(
            h.candidates("print ", "strl")
                .contains(&"strlen".to_string())
        );
    }

    #[test]
    fn plugins_complete_after_evaluate() {
        let h = helper();
        let mut names: Vec<String> = kql_functions::plugins::PLUGINS
            .iter()
            .map(|p| p.name.to_string())
            .collect();
        names.sort();
        assert_eq!(h.candidates("Perf | evaluate ", ""), names);
    }

    #[test]
    fn highlighting_colours_keywords_strings_and_numbers() {
        let s = highlight("T | where x == 'a' and y > 1 // note");
        assert!(s.contains("\x1b[1;34mwhere\x1b[0m"), "{s:?}");
        assert!(s.contains("\x1b[32m'a'\x1b[0m"), "{s:?}");
        assert!(s.contains("\x1b[33m1\x1b[0m"), "{s:?}");
        assert!(s.contains("\x1b[2m// note\x1b[0m"), "{s:?}");
    }
}
