//! Diagnostics: a stable code, a message, a primary span, extra labels and help,
//! rendered as `error[KQL0101]: …` with `file:line:col` and a caret line.

use crate::span::{LineIndex, Span};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary label pointing at another part of the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code: `KQL01xx` parse, `02xx` names, `03xx` types, `04xx` operator semantics,
    /// `05xx` runtime and data.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Text shown under the caret of the primary span.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column of the primary span's start.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        LineIndex::new(source).line_col(self.span.start())
    }

    /// Renders the diagnostic against its source text, without colours:
    ///
    /// ```text
    /// error[KQL0101]: expected an expression after `where`, found end of input
    ///  --> query.kql:1:14
    ///   |
    /// 1 | T | where x ==
    ///   |              ^ expected an expression
    /// ```
    pub fn render(&self, source: &str, origin: &str) -> String {
        let index = LineIndex::new(source);
        let (line, col) = index.line_col(self.span.start());
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = String::new();
        let _ = writeln!(out, "{severity}[{}]: {}", self.code, self.message);
        let width = line.max(1).to_string().len();
        let pad = " ".repeat(width);
        let _ = writeln!(out, "{pad}--> {origin}:{line}:{col}");
        let _ = writeln!(out, "{pad} |");
        render_snippet(&mut out, &index, self.span, self.label.as_deref(), width);
        for label in &self.labels {
            render_snippet(&mut out, &index, label.span, Some(&label.message), width);
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out
    }
}

fn render_snippet(
    out: &mut String,
    index: &LineIndex<'_>,
    span: Span,
    label: Option<&str>,
    width: usize,
) {
    let (line, col) = index.line_col(span.start());
    let (end_line, end_col) = index.line_col(span.end());
    let text = index.line_text(line);
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let mut carets = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        (chars.len() + 1).saturating_sub(col).max(1)
    };
    // very long lines are shown as a window around the caret
    const WINDOW: usize = 100;
    let (shown, col) = if chars.len() > 2 * WINDOW {
        let from = col.saturating_sub(WINDOW / 2 + 1);
        let to = (from + 2 * WINDOW).min(chars.len());
        let mut s: String = chars[from..to].iter().collect();
        let mut c = col - from;
        if from > 0 {
            s.insert(0, '…');
            c += 1;
        }
        if to < chars.len() {
            s.push('…');
        }
        carets = carets.min((to + 1).saturating_sub(col).max(1));
        (s, c)
    } else {
        (chars.iter().collect::<String>(), col)
    };
    let _ = writeln!(out, "{line:>width$} | {shown}");
    let mut caret_line = format!(
        "{} | {}{}",
        " ".repeat(width),
        " ".repeat(col - 1),
        "^".repeat(carets)
    );
    if let Some(label) = label {
        caret_line.push(' ');
        caret_line.push_str(label);
    }
    let _ = writeln!(out, "{}", caret_line.trim_end());
}

/// Renders several diagnostics, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], source: &str, origin: &str) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(source, origin))
        .collect::<Vec<_>>()
        .join("\n")
}
