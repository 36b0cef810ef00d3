//! parse, parse-where (parse-operator.md, parse-where-operator.md).
//!
//! The pattern becomes one regex, built here at plan time, with one capture group per column:
//! - `kind=simple` (default) and `kind=relaxed`: text is literal, `*` and string columns are
//!   lazy (`.*?`, "up to the next delimiter"), the regex is anchored at both ends and `.`
//!   matches newlines;
//! - `kind=regex`: text segments are regexes (their own groups made non-capturing), `*` and
//!   string columns are greedy `.*` (the docs' examples: without `flags=U` a capture runs to
//!   the last delimiter), `flags=...` are the regex's inline flags.
//!
//! `long`/`int` columns match `-?\d+` and `real` columns a number; in relaxed mode they fall
//! back to any text when no number fits, and a capture that doesn't convert is null. In simple
//! and regex modes a capture that doesn't convert fails the whole match: string columns are
//! then "" and the others null, and parse-where drops the row.

use super::{col, typed_alias};
use crate::error::Result;
use crate::planner::Planner;
use crate::udf::{
    PARSE_OK_FIELD, ParseSpec, Piece, SplitSpec, check_regex, mv_field_name, parse_ok, parse_part,
    parse_text,
};
use datafusion::common::Column;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
use kql_functions::lower::Arg;
use kql_parser::ast::{Parse, ParseKind, ParsePatternItem, TypeName};
use kql_parser::span::Span;

/// The hidden column holding the parse result struct.
const PARSED: &str = "__kql_parse";

/// The regex for a literal text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '.'
                | '+'
                | '*'
                | '?'
                | '('
                | ')'
                | '|'
                | '['
                | ']'
                | '{'
                | '}'
                | '^'
                | '$'
                | '#'
                | '&'
                | '-'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A user regex with its capturing groups (`(x)`, `(?P<n>x)`, `(?<n>x)`) made non-capturing,
/// so the only groups are the columns'.
fn without_captures(re: &str) -> String {
    let chars: Vec<char> = re.chars().collect();
    let mut out = String::with_capacity(re.len() + 8);
    let mut i = 0;
    let mut class_depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(n) = chars.get(i + 1) {
                out.push(*n);
            }
            i += 2;
            continue;
        }
        if class_depth > 0 {
            match c {
                '[' => class_depth += 1,
                ']' => class_depth -= 1,
                _ => {}
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                class_depth = 1;
                out.push(c);
                i += 1;
                // `[^]...]` / `[]...]`: a leading `]` is a literal
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push(']');
                    i += 1;
                }
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                let named = match (chars.get(i + 2), chars.get(i + 3)) {
                    (Some('P'), Some('<')) => Some(i + 4),
                    (Some('<'), Some(n)) if *n != '=' && *n != '!' => Some(i + 3),
                    _ => None,
                };
                match named.and_then(|start| {
                    chars[start..]
                        .iter()
                        .position(|ch| *ch == '>')
                        .map(|p| start + p)
                }) {
                    Some(close) => {
                        out.push_str("(?:");
                        i = close + 1;
                    }
                    None => {
                        out.push('(');
                        i += 1;
                    }
                }
            }
            '(' => {
                out.push_str("(?:");
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Where a pattern item is, for messages (`*` has no span of its own: `fallback`).
fn span_of(item: &ParsePatternItem, fallback: Span) -> Span {
    match item {
        ParsePatternItem::Text(e) => e.span,
        ParsePatternItem::Column { name, .. } => name.span,
        ParsePatternItem::Star => fallback,
    }
}

/// The capture regex of a column of type `t`.
fn column_regex(kind: ParseKind, t: KqlType) -> &'static str {
    const REAL: &str = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?";
    match (kind, t) {
        // a number when one is there, else any text (which then converts to null)
        (ParseKind::Relaxed, KqlType::Long | KqlType::Int) => r"-?\d+|.*?",
        (ParseKind::Relaxed, KqlType::Real) => r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|.*?",
        (ParseKind::Relaxed, _) => ".*?",
        (_, KqlType::Long | KqlType::Int) => r"-?\d+",
        (_, KqlType::Real) => REAL,
        (ParseKind::Regex, _) => ".*",
        (ParseKind::Simple, _) => ".*?",
    }
}

impl Planner<'_> {
    /// The pattern arrangement rules of Kusto's binder (`ParseVisitCommon`): a column follows
    /// a string literal (or starts the pattern), a string literal follows `*`, and `*` doesn't
    /// follow a string column (KS101, KS102, KS103).
    fn check_pattern(&self, pattern: &[ParsePatternItem], span: Span) -> Result<()> {
        use ParsePatternItem as P;
        for (i, item) in pattern.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|j| pattern.get(j));
            match item {
                P::Star => {
                    if let Some(next) = pattern.get(i + 1)
                        && !matches!(next, P::Text(_))
                    {
                        return self.err(
                            "KQL0107",
                            "a string literal must follow a `*`",
                            span_of(next, span),
                        );
                    }
                    if let Some(P::Column { ty, name }) = prev
                        && matches!(ty, None | Some(TypeName::String))
                    {
                        return self.err(
                            "KQL0107",
                            format!("`*` after the string column '{}' is ambiguous", name.name),
                            name.span,
                        );
                    }
                }
                P::Column { name, .. } => {
                    if prev.is_some_and(|p| !matches!(p, P::Text(_))) {
                        return self.err(
                            "KQL0107",
                            format!(
                                "the column name '{}' must follow a string literal",
                                name.name
                            ),
                            name.span,
                        );
                    }
                }
                P::Text(_) => {}
            }
        }
        Ok(())
    }

    /// `parse` (`filter` = false) and `parse-where` (`filter` = true).
    pub(crate) fn plan_parse(
        &mut self,
        input: LogicalPlan,
        p: &Parse,
        filter: bool,
        span: Span,
    ) -> Result<LogicalPlan> {
        let schema = input.schema().clone();
        let (e, ty) = self.plan_scalar(&p.expr, &schema)?;
        // a non-string expression is converted to string first
        let text = if ty == KqlType::String {
            e
        } else {
            let cx = self.call_context();
            match kql_functions::lower::scalar_call("tostring", &[Arg::expr(e, ty)], &cx) {
                Ok(Some(l)) => l.expr,
                Ok(None) => {
                    return self.err("KQL0202", "`tostring` is not available", p.expr.span);
                }
                Err(err) => return self.err(err.code, err.message, p.expr.span),
            }
        };
        let kind = p.kind.unwrap_or(ParseKind::Simple);
        let mut regex = String::new();
        match (&p.flags, kind) {
            (Some(f), ParseKind::Regex) => {
                if let Some(bad) = f.chars().find(|c| !"imsUuxR".contains(*c)) {
                    return self.err(
                        "KQL0107",
                        format!("unknown regex flag `{bad}` (expected i, m, s, U, u, x or R)"),
                        span,
                    );
                }
                if !f.is_empty() {
                    regex.push_str(&format!("(?{f})"));
                }
            }
            (Some(_), _) => {
                return self.err("KQL0107", "`flags=` needs `kind=regex`", span);
            }
            (None, ParseKind::Regex) => {}
            (None, _) => regex.push_str("(?s)"),
        }
        self.check_pattern(&p.pattern, span)?;
        regex.push_str(r"\A");
        let mut columns: Vec<(String, KqlType)> = Vec::new();
        let mut pieces: Vec<Piece> = Vec::new();
        for item in &p.pattern {
            match item {
                ParsePatternItem::Star => {
                    pieces.push(Piece::Capture(None));
                    regex.push_str(match kind {
                        ParseKind::Regex => ".*",
                        _ => ".*?",
                    })
                }
                ParsePatternItem::Text(t) => {
                    let (v, _) = self.plan_scalar(t, &schema)?;
                    let s = match v {
                        Expr::Literal(
                            ScalarValue::Utf8(Some(s))
                            | ScalarValue::LargeUtf8(Some(s))
                            | ScalarValue::Utf8View(Some(s)),
                            _,
                        ) => s,
                        _ => {
                            return self.err(
                                "KQL0314",
                                "a `parse` pattern text must be a string constant",
                                t.span,
                            );
                        }
                    };
                    match kind {
                        ParseKind::Regex => {
                            if let Err(m) = check_regex(&s) {
                                return self.err(
                                    "KQL0301",
                                    format!("`parse`: invalid regular expression {s:?}: {m}"),
                                    t.span,
                                );
                            }
                            regex.push_str("(?:");
                            regex.push_str(&without_captures(&s));
                            regex.push(')');
                        }
                        _ => regex.push_str(&escape(&s)),
                    }
                    pieces.push(Piece::Text(s));
                }
                ParsePatternItem::Column { name, ty } => {
                    if columns.iter().any(|(n, _)| n == &name.name) {
                        return self.err(
                            "KQL0205",
                            format!(
                                "column '{}' appears more than once in the pattern",
                                name.name
                            ),
                            name.span,
                        );
                    }
                    let t = ty.map(KqlType::from_type_name).unwrap_or(KqlType::String);
                    regex.push('(');
                    regex.push_str(column_regex(kind, t));
                    regex.push(')');
                    pieces.push(Piece::Capture(Some(columns.len())));
                    columns.push((name.name.clone(), t));
                }
            }
        }
        regex.push_str(r"\z");
        if let Err(m) = check_regex(&regex) {
            return self.err(
                "KQL0301",
                format!("`parse`: invalid regular expression: {m}"),
                span,
            );
        }

        let spec = ParseSpec {
            regex,
            types: columns.iter().map(|(_, t)| *t).collect(),
            relaxed: kind == ParseKind::Relaxed,
        };
        let exprs = super::all_columns(&schema);
        let mut plan = LogicalPlanBuilder::from(input);
        // each column: a field of the regex's struct, or its own split expression (so unused
        // columns are pruned)
        let fields: Vec<Expr> = match SplitSpec::new(&pieces, &spec, kind == ParseKind::Regex) {
            Some(split) => {
                if filter {
                    plan = plan.filter(parse_ok(&split, text.clone()))?;
                }
                let mut exprs = exprs;
                for k in 0..columns.len() {
                    exprs.push(parse_part(&split, k, text.clone()).alias(part_name(k)));
                }
                plan = plan.project(exprs)?;
                (0..columns.len()).map(|k| col(&part_name(k))).collect()
            }
            None => {
                let mut exprs = exprs;
                exprs.push(parse_text(spec, text).alias(PARSED));
                plan = plan.project(exprs)?;
                if filter {
                    plan = plan.filter(get_field(col(PARSED), PARSE_OK_FIELD))?;
                }
                (0..columns.len())
                    .map(|k| get_field(col(PARSED), mv_field_name(k)))
                    .collect()
            }
        };
        let plan = plan.build()?;

        // input columns (a parsed column of the same name replaces it in place), then the new ones
        let hidden = |n: &str| n == PARSED || (0..columns.len()).any(|k| part_name(k) == n);
        let mut out: Vec<Expr> = Vec::new();
        for (q, f) in plan.schema().iter() {
            if hidden(f.name()) {
                continue;
            }
            match columns.iter().position(|(n, _)| n == f.name()) {
                Some(k) => out.push(typed_alias(fields[k].clone(), f.name(), columns[k].1)),
                None => out.push(Expr::Column(Column::new(q.cloned(), f.name()))),
            }
        }
        for (k, (n, t)) in columns.iter().enumerate() {
            if schema.field_with_unqualified_name(n).is_err() {
                out.push(typed_alias(fields[k].clone(), n.clone(), *t));
            }
        }
        Ok(LogicalPlanBuilder::from(plan).project(out)?.build()?)
    }
}

/// The hidden column of capture `k` on the split path.
fn part_name(k: usize) -> String {
    format!("{PARSED}_{k}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_metacharacters() {
        assert_eq!(escape("a.b(c)*"), r"a\.b\(c\)\*");
        assert_eq!(escape(", x=1"), r", x=1");
        assert_eq!(escape("[-]"), r"\[\-\]");
    }

    #[test]
    fn user_groups_become_non_capturing() {
        assert_eq!(without_captures("(.*?)[a-z]*="), "(?:.*?)[a-z]*=");
        assert_eq!(without_captures(r"\(x\)"), r"\(x\)");
        assert_eq!(without_captures("[(]a(?:b)"), "[(]a(?:b)");
        assert_eq!(without_captures("(?P<n>x)(?<m>y)"), "(?:x)(?:y)");
        assert_eq!(without_captures("(?i)a"), "(?i)a");
        assert_eq!(without_captures("[]()]"), "[]()]");
    }
}
