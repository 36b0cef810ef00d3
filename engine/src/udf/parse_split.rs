//! `parse` without a regex, for the common patterns: `kind=simple` or `kind=relaxed` where
//! every column is matched by "any text up to the next delimiter" (string, and the types that
//! aren't numbers) and the text items are literal delimiters.
//!
//! The regex the planner builds for such a pattern is `(?s)\A L0 (.*?) L1 (.*?) L2 ... \z`
//! (`*` being an uncaptured `.*?`). Its leftmost-first match takes, for each capture in turn,
//! the shortest text after which the rest still matches. Taking the first occurrence of each
//! delimiter gives that match: a later occurrence only leaves less text for the rest, so when
//! the first occurrence fails the rest, every later one does too. The last delimiter is tied
//! to `\z`: the text must end with it (after the previous delimiter). So: check the leading
//! literal, cut at the first occurrence of each middle delimiter, and take the last capture up
//! to the trailing literal.
//!
//! Each column is its own expression (`kql_parse_part`), so the columns a query doesn't use
//! are pruned by the optimizer and never built; `parse-where` filters on `kql_parse_ok`.

use super::{ParseSpec, TypedBuilder, storage_type, text_converts};
use datafusion::arrow::array::{ArrayRef, BooleanBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use kql_functions::KqlType;
use kql_functions::udf::Text;
use std::sync::Arc;

/// A pattern item, as the planner reads it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// The column of this index (in [`ParseSpec::types`] order), or `None` for `*`.
    Capture(Option<usize>),
}

/// A pattern in split form: the leading literal, then each capture with the delimiter after
/// it (`None`: to the end of the text).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SplitSpec {
    lead: String,
    steps: Vec<(Option<usize>, Option<String>)>,
    types: Vec<KqlType>,
    relaxed: bool,
}

impl SplitSpec {
    /// The split form of `pieces` for the columns of `spec`, or `None` when the pattern needs
    /// the regex (a number column, `kind=regex`, two captures in a row).
    pub fn new(pieces: &[Piece], spec: &ParseSpec, regex_kind: bool) -> Option<SplitSpec> {
        if regex_kind
            || spec
                .types
                .iter()
                .any(|t| matches!(t, KqlType::Long | KqlType::Int | KqlType::Real))
        {
            return None;
        }
        let mut lead = String::new();
        let mut steps: Vec<(Option<usize>, Option<String>)> = Vec::new();
        for p in pieces {
            match p {
                Piece::Text(t) => match steps.last_mut() {
                    None => lead.push_str(t),
                    Some((_, d)) => d.get_or_insert_with(String::new).push_str(t),
                },
                Piece::Capture(c) => {
                    if let Some(c) = c
                        && *c >= spec.types.len()
                    {
                        return None;
                    }
                    // a capture right after a capture: the regex decides
                    if matches!(steps.last(), Some((_, None))) {
                        return None;
                    }
                    steps.push((*c, None));
                }
            }
        }
        Some(SplitSpec {
            lead,
            steps,
            types: spec.types.clone(),
            relaxed: spec.relaxed,
        })
    }

    /// The byte ranges of the columns' captures in `text` (into `out`, one per column), or
    /// `false` when the text doesn't match.
    fn split(&self, text: &str, out: &mut [(usize, usize)]) -> bool {
        // (an empty lead skips the call: this runs once per row)
        if !self.lead.is_empty() && !text.starts_with(self.lead.as_str()) {
            return false;
        }
        let mut pos = self.lead.len();
        let last = self.steps.len().saturating_sub(1);
        for (i, (column, delim)) in self.steps.iter().enumerate() {
            let (start, end) = match delim {
                None => (pos, text.len()),
                Some(d) if i == last => {
                    if text.len() < pos + d.len() || !text.ends_with(d.as_str()) {
                        return false;
                    }
                    (pos, text.len() - d.len())
                }
                Some(d) => {
                    let Some(rest) = text.get(pos..) else {
                        return false;
                    };
                    let at = match d.as_bytes() {
                        [b] if b.is_ascii() => rest.as_bytes().iter().position(|x| x == b),
                        _ => rest.find(d.as_str()),
                    };
                    let Some(at) = at else {
                        return false;
                    };
                    (pos, pos + at)
                }
            };
            if let Some(slot) = column.and_then(|c| out.get_mut(c)) {
                *slot = (start, end);
            }
            pos = match delim {
                Some(d) if i != last => end + d.len(),
                _ => text.len(),
            };
        }
        // no capture: the text is the literal
        !self.steps.is_empty() || pos == text.len()
    }

    /// Does the row match (and, unless relaxed, every capture convert)? Leaves the captures in
    /// `ranges`.
    fn row_ok(&self, text: &str, ranges: &mut [(usize, usize)]) -> bool {
        if !self.split(text, ranges) {
            return false;
        }
        self.relaxed
            || self.types.iter().zip(ranges.iter()).all(|(t, (a, b))| {
                *t == KqlType::String || text.get(*a..*b).is_some_and(|s| text_converts(*t, s))
            })
    }
}

/// What a split UDF returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Part {
    /// The column of this index, typed.
    Column(usize),
    /// Whether the row parsed (for `parse-where`).
    Ok,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SplitUdf {
    signature: Signature,
    spec: SplitSpec,
    part: Part,
}

impl ScalarUDFImpl for SplitUdf {
    fn name(&self) -> &str {
        match self.part {
            Part::Column(_) => "kql_parse_part",
            Part::Ok => "kql_parse_ok",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.part {
            Part::Column(k) => {
                storage_type(self.spec.types.get(k).copied().unwrap_or(KqlType::String))
            }
            Part::Ok => DataType::Boolean,
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let Some(text) = args.args.first() else {
            return datafusion::common::exec_err!("{} expects one argument", self.name());
        };
        let text = Text::new(&text.to_array(n)?)?;
        Ok(ColumnarValue::Array(split_array(
            &self.spec, self.part, &text,
        )?))
    }
}

fn split_array(spec: &SplitSpec, part: Part, text: &Text) -> Result<ArrayRef> {
    let mut ranges = vec![(0usize, 0usize); spec.types.len()];
    // KQL strings are never null: a null reads as ""
    let at = |i: usize| text.str_at(i);
    match part {
        Part::Ok => {
            let mut b = BooleanBuilder::with_capacity(text.len());
            for i in 0..text.len() {
                b.append_value(spec.row_ok(at(i), &mut ranges));
            }
            Ok(Arc::new(b.finish()))
        }
        Part::Column(k) => {
            let t = spec.types.get(k).copied().unwrap_or(KqlType::String);
            let mut b = TypedBuilder::with_capacity(t, text.len());
            for i in 0..text.len() {
                let s = at(i);
                if spec.row_ok(s, &mut ranges) {
                    let (a, z) = ranges.get(k).copied().unwrap_or_default();
                    b.append_text(s.get(a..z));
                } else {
                    b.append_missing();
                }
            }
            b.finish()
        }
    }
}

fn call(spec: &SplitSpec, part: Part, text: Expr) -> Expr {
    let udf = ScalarUDF::from(SplitUdf {
        signature: Signature::any(1, Volatility::Immutable),
        spec: spec.clone(),
        part,
    });
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![text]))
}

/// Column `k` of the parse of `text`: its typed capture, or "" (string) / null when the row
/// doesn't parse.
pub fn parse_part(spec: &SplitSpec, k: usize, text: Expr) -> Expr {
    call(spec, Part::Column(k), text)
}

/// Whether `text` parses (for `parse-where`).
pub fn parse_ok(spec: &SplitSpec, text: Expr) -> Expr {
    call(spec, Part::Ok, text)
}

#[cfg(test)]
#[path = "parse_split_tests.rs"]
mod tests;
