//! `kql-parser`: a nom 8 parser for the Kusto Query Language.
//!
//! [`parse_script`] turns query text into an [`ast::Script`] whose nodes all carry byte
//! [`Span`]s, plus [`Diagnostic`]s (several per script: parsing recovers at `;`). The AST's
//! `Display` prints canonical KQL that parses back to an equal tree.
//!
//! ```
//! let out = kql_parser::parse_script("StormEvents | where State == 'TEXAS' | count");
//! assert!(out.diagnostics.is_empty());
//! let script = out.script.expect("parsed");
//! assert_eq!(script.to_string(), "StormEvents\n| where State == \"TEXAS\"\n| count");
//! ```

pub mod ast;
pub mod datetime;
pub mod diagnostic;
pub mod span;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use span::{LineIndex, Span};
mod parse;

pub use parse::expr::MAX_CHAIN;
pub use parse::lexical::MAX_DEPTH;
pub use parse::operators::{OPERATOR_NAMES, did_you_mean};

/// The result of parsing a script: the tree (with recovered statements) and diagnostics.
#[derive(Debug)]
pub struct ParseOutput {
    pub script: Option<ast::Script>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseOutput {
    pub fn is_ok(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Parses a KQL script (`;`-separated statements). Never panics; bad input yields
/// diagnostics, and parsing resumes at the next `;` so several errors are reported at once.
pub fn parse_script(src: &str) -> ParseOutput {
    let (script, diagnostics) = parse::lexical::with_source(src, || parse::statement::script(src));
    ParseOutput {
        script: Some(script),
        diagnostics,
    }
}

/// Parses a single scalar or tabular expression; all input must be consumed.
// A diagnostic is large, but parse errors are rare and returned once per call.
#[allow(clippy::result_large_err)]
pub fn parse_expr(src: &str) -> Result<ast::Expr, Diagnostic> {
    parse::lexical::with_source(src, || {
        let i = parse::lexical::trivia(src);
        match parse::expr::pipe_expr(i) {
            Ok(("", e)) => Ok(e),
            Ok((rest, _)) => {
                let at = parse::lexical::pos(rest);
                Err(Diagnostic::error(
                    "KQL0100",
                    format!(
                        "unexpected {} after the expression",
                        parse::lexical::describe_next(rest)
                    ),
                    Span::new(at, at + 1),
                ))
            }
            Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => {
                Err(parse::statement::to_diagnostic(src, &e))
            }
            Err(nom::Err::Incomplete(_)) => Err(Diagnostic::error(
                "KQL0101",
                "unexpected end of input",
                Span::new(src.len(), src.len()),
            )),
        }
    })
}
