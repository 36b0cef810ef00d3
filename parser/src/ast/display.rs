//! Canonical KQL printing for the AST. The printed text parses back to an equal tree.
//!
//! Top-level query statements print one operator per line (`T\n| where x\n| count`); pipes
//! nested anywhere else print on one line with ` | ` separators.

use std::fmt::{self, Display, Formatter, Write};

use super::*;

const DAY: i64 = 864_000_000_000;
const HOUR: i64 = 36_000_000_000;
const MINUTE: i64 = 600_000_000;
const SECOND: i64 = 10_000_000;
const TIMESPAN_UNITS: [(i64, &str); 6] = [
    (DAY, "d"),
    (HOUR, "h"),
    (MINUTE, "m"),
    (SECOND, "s"),
    (10_000, "ms"),
    (10, "microsecond"),
];

/// Words that cannot stand as bare identifiers.
const KEYWORDS: &str = "and or by on with of to step from in between asc desc nulls true false \
    let set declare alias restrict print range datatable union find search evaluate externaldata \
    external_data typeof kind not";

// ----------------------------------------------------------------------------- helpers

/// Writes `items` separated by `sep`.
fn join<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn comma<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    join(f, items, ", ")
}

/// `keyword p1=v1 p2=v2` (operator keyword followed by its generic parameters).
fn keyword(f: &mut Formatter<'_>, kw: &str, params: &[OpParam]) -> fmt::Result {
    f.write_str(kw)?;
    for p in params {
        write!(f, " {p}")?;
    }
    Ok(())
}

/// `(a:long, b:string)`.
fn schema(f: &mut Formatter<'_>, cols: &[ColumnDecl]) -> fmt::Result {
    f.write_char('(')?;
    comma(f, cols)?;
    f.write_char(')')
}

/// ` with (p1=v1, p2=v2)` when `params` is non-empty.
fn with_params(f: &mut Formatter<'_>, params: &[OpParam]) -> fmt::Result {
    if params.is_empty() {
        return Ok(());
    }
    f.write_str(" with (")?;
    comma(f, params)?;
    f.write_char(')')
}

/// True for names that may be written without brackets (ignoring keywords).
fn is_plain_ident(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn needs_quotes(name: &str) -> bool {
    !is_plain_ident(name)
        || (!name.starts_with('$') && KEYWORDS.split_whitespace().any(|k| k == name))
}

/// `['name']` with `'` and `\` escaped.
fn write_bracketed(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    f.write_str("['")?;
    for c in name.chars() {
        match c {
            '\'' | '\\' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            // a line break would end the literal (fuzz regression crash-58d89d8c…)
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_str("']")
}

fn write_ident(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if needs_quotes(name) {
        write_bracketed(f, name)
    } else {
        f.write_str(name)
    }
}

/// A double-quoted string literal with escapes.
fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '"' => f.write_str("\\\"")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// The shortest round-trip form of a finite real, always containing `.` or `e`.
fn write_real_bare(f: &mut Formatter<'_>, x: f64) -> fmt::Result {
    let s = format!("{x:?}");
    f.write_str(&s)?;
    if !s.contains(['.', 'e', 'E']) {
        f.write_str(".0")?;
    }
    Ok(())
}

/// A real literal: bare when finite and non-negative, otherwise `real(...)`.
fn write_real(f: &mut Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("real(nan)")
    } else if x.is_infinite() {
        f.write_str(if x > 0.0 { "real(+inf)" } else { "real(-inf)" })
    } else if x.is_sign_negative() {
        f.write_str("real(")?;
        write_real_bare(f, x)?;
        f.write_char(')')
    } else {
        write_real_bare(f, x)
    }
}

/// `Nd`/`Nh`/`Nm`/`Ns`/`Nms`/`Nmicrosecond`/`Ntick`, or `time(-[d.]hh:mm:ss[.fffffff])`.
fn write_timespan(f: &mut Formatter<'_>, ticks: i64) -> fmt::Result {
    if ticks >= 0 {
        for (unit, suffix) in TIMESPAN_UNITS {
            if ticks % unit == 0 {
                return write!(f, "{}{suffix}", ticks / unit);
            }
        }
        return write!(f, "{ticks}tick");
    }
    let abs = ticks.unsigned_abs();
    let (day, hour, minute, second) = (DAY as u64, HOUR as u64, MINUTE as u64, SECOND as u64);
    let days = abs / day;
    let rem = abs % day;
    f.write_str("time(-")?;
    if days > 0 {
        write!(f, "{days}.")?;
    }
    write!(
        f,
        "{:02}:{:02}:{:02}",
        rem / hour,
        rem % hour / minute,
        rem % minute / second
    )?;
    let frac = rem % second;
    if frac > 0 {
        write!(f, ".{frac:07}")?;
    }
    f.write_char(')')
}

/// `typed(value)` or `typed(null)`.
fn write_typed<T: Display>(f: &mut Formatter<'_>, ty: &str, v: Option<T>) -> fmt::Result {
    match v {
        Some(v) => write!(f, "{ty}({v})"),
        None => write!(f, "{ty}(null)"),
    }
}

/// A pipeline: the source, then each operator on a new line (`multiline`) or after ` | `.
fn fmt_pipe(
    f: &mut Formatter<'_>,
    source: &Expr,
    ops: &[Operator],
    multiline: bool,
) -> fmt::Result {
    write!(f, "{source}")?;
    let sep = if multiline { "\n| " } else { " | " };
    for op in ops {
        write!(f, "{sep}{op}")?;
    }
    Ok(())
}

/// A statement; `top` prints query pipelines one operator per line.
fn fmt_statement(f: &mut Formatter<'_>, kind: &StatementKind, top: bool) -> fmt::Result {
    match kind {
        StatementKind::Query(e) => match &e.kind {
            ExprKind::Pipe { source, ops } => fmt_pipe(f, source, ops, top),
            _ => write!(f, "{e}"),
        },
        StatementKind::Let(l) => write!(f, "{l}"),
        StatementKind::Set { name, value } => {
            write!(f, "set {name}")?;
            match value {
                Some(v) => write!(f, " = {v}"),
                None => Ok(()),
            }
        }
        StatementKind::DeclareQueryParameters(params) => {
            f.write_str("declare query_parameters(")?;
            comma(f, params)?;
            f.write_char(')')
        }
        StatementKind::DeclarePattern { name, definition } => {
            write!(f, "declare pattern {name}")?;
            match definition {
                Some(text) => write!(f, " = {text}"),
                None => Ok(()),
            }
        }
        StatementKind::AliasDatabase { name, value } => {
            write!(f, "alias database {name} = {value}")
        }
        StatementKind::RestrictAccess(entities) => {
            f.write_str("restrict access to (")?;
            comma(f, entities)?;
            f.write_char(')')
        }
    }
}

fn fmt_parse(f: &mut Formatter<'_>, kw: &str, p: &Parse) -> fmt::Result {
    f.write_str(kw)?;
    if let Some(kind) = p.kind {
        write!(f, " kind={kind}")?;
    }
    if let Some(flags) = &p.flags {
        write!(f, " flags={flags}")?;
    }
    write!(f, " {} with", p.expr)?;
    for item in &p.pattern {
        write!(f, " {item}")?;
    }
    Ok(())
}

/// `name` or `name:type`.
fn name_type(f: &mut Formatter<'_>, name: &Ident, ty: Option<TypeName>) -> fmt::Result {
    write!(f, "{name}")?;
    match ty {
        Some(t) => write!(f, ":{t}"),
        None => Ok(()),
    }
}

/// `Display` for enums that print as a fixed word.
macro_rules! display_words {
    ($($ty:ident { $($variant:ident => $text:literal),* $(,)? })*) => {$(
        impl Display for $ty {
            fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
                f.write_str(match self { $($ty::$variant => $text),* })
            }
        }
    )*};
}

display_words! {
    UnaryOp { Neg => "-", Plus => "+" }
    SortOrder { Asc => "asc", Desc => "desc" }
    NullsOrder { First => "nulls first", Last => "nulls last" }
    ReorderOrder { Asc => "asc", Desc => "desc", GrannyAsc => "granny-asc", GrannyDesc => "granny-desc" }
    ParseKind { Simple => "simple", Regex => "regex", Relaxed => "relaxed" }
    ScanOutput { All => "all", Last => "last", None => "none" }
}

/// `Display` for types with a canonical `as_str()` spelling.
macro_rules! display_as_str {
    ($($ty:ident),*) => {$(
        impl Display for $ty {
            fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

display_as_str!(TypeName, BinaryOp, ListOp);

// ----------------------------------------------------------------------------- statements

impl Display for Script {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str(";\n")?;
            }
            fmt_statement(f, &s.kind, true)?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        fmt_statement(f, &self.kind, true)
    }
}

impl Display for StatementKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        fmt_statement(f, self, true)
    }
}

impl Display for LetStmt {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "let {} = {}", self.name, self.value)
    }
}

impl Display for LetValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            LetValue::Expr(e) => write!(f, "{e}"),
            LetValue::Function(def) => write!(f, "{def}"),
            LetValue::View(def) => write!(f, "view {def}"),
        }
    }
}

impl Display for FunctionDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        comma(f, &self.params)?;
        write!(f, ") {}", self.body)
    }
}

impl Display for FunctionBody {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('{')?;
        for s in &self.statements {
            f.write_char(' ')?;
            fmt_statement(f, &s.kind, false)?;
            f.write_char(';')?;
        }
        if let Some(r) = &self.result {
            write!(f, " {r}")?;
        }
        f.write_str(" }")
    }
}

impl Display for FnParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FnParam::Scalar(p) => write!(f, "{p}"),
            FnParam::Tabular(p) => write!(f, "{p}"),
        }
    }
}

impl Display for ScalarParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.ty)?;
        match &self.default {
            Some(d) => write!(f, " = {d}"),
            None => Ok(()),
        }
    }
}

impl Display for TabularParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:(", self.name)?;
        comma(f, &self.columns)?;
        if self.open {
            f.write_str(if self.columns.is_empty() { "*" } else { ", *" })?;
        }
        f.write_char(')')
    }
}

impl Display for ColumnDecl {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.ty)
    }
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_ident(f, &self.name)
    }
}

// ----------------------------------------------------------------------------- expressions

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)
    }
}

impl Display for ExprKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Name(n) => write!(f, "{n}"),
            ExprKind::Star => f.write_char('*'),
            ExprKind::Binary { op, left, right } => write!(f, "{left} {op} {right}"),
            ExprKind::Unary { op, operand } => write!(f, "{op}{operand}"),
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let kw = if *negated { "!between" } else { "between" };
                write!(f, "{expr} {kw} ({low} .. {high})")
            }
            ExprKind::List { op, expr, items } => {
                write!(f, "{expr} {op} (")?;
                comma(f, items)?;
                f.write_char(')')
            }
            ExprKind::Call { func, args } => {
                // A function name is followed by `(`, so keywords such as `not` stay bare.
                match &func.kind {
                    ExprKind::Name(n) if is_plain_ident(&n.name) => f.write_str(&n.name)?,
                    _ => write!(f, "{func}")?,
                }
                f.write_char('(')?;
                comma(f, args)?;
                f.write_char(')')
            }
            ExprKind::Member { target, name } => {
                write!(f, "{target}")?;
                if needs_quotes(&name.name) {
                    f.write_char('.')?;
                    write_bracketed(f, &name.name)
                } else {
                    write!(f, ".{}", name.name)
                }
            }
            ExprKind::Index { target, index } => write!(f, "{target}[{index}]"),
            ExprKind::Paren(e) => write!(f, "({e})"),
            ExprKind::Pipe { source, ops } => fmt_pipe(f, source, ops, false),
            ExprKind::Source(op) => write!(f, "{op}"),
            ExprKind::EntityGroup(items) => {
                f.write_str("entity_group [")?;
                comma(f, items)?;
                f.write_char(']')
            }
        }
    }
}

impl Display for Arg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "{n}=")?;
        }
        write!(f, "{}", self.value)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(Some(b)) => write!(f, "{b}"),
            Literal::Bool(None) => f.write_str("bool(null)"),
            Literal::Int(v) => write_typed(f, "int", *v),
            Literal::Long(Some(v)) if *v >= 0 => write!(f, "{v}"),
            Literal::Long(v) => write_typed(f, "long", *v),
            Literal::Real(Some(r)) => write_real(f, r.0),
            Literal::Real(None) => f.write_str("real(null)"),
            Literal::Decimal(v) => write_typed(f, "decimal", v.as_deref()),
            Literal::Datetime(v) => write_typed(f, "datetime", v.as_deref()),
            Literal::Timespan(Some(t)) => write_timespan(f, *t),
            Literal::Timespan(None) => f.write_str("timespan(null)"),
            Literal::Guid(v) => write_typed(f, "guid", v.as_deref()),
            Literal::String { value, obfuscated } => {
                if *obfuscated {
                    f.write_char('h')?;
                }
                write_string(f, value)
            }
            Literal::Dynamic(d) => write!(f, "dynamic({d})"),
            Literal::TypeOf(items) => {
                f.write_str("typeof(")?;
                comma(f, items)?;
                f.write_char(')')
            }
        }
    }
}

impl Display for TypeOfItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "{n}:")?;
        }
        match self.ty {
            Some(t) => write!(f, "{t}"),
            None => f.write_char('*'),
        }
    }
}

impl Display for Real {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_real(f, self.0)
    }
}

impl Display for Dynamic {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Dynamic::Null => f.write_str("null"),
            Dynamic::Bool(b) => write!(f, "{b}"),
            Dynamic::Long(v) => write!(f, "{v}"),
            Dynamic::Real(r) if r.0.is_finite() => write_real_bare(f, r.0),
            Dynamic::Real(r) => write_real(f, r.0),
            Dynamic::String(s) => write_string(f, s),
            Dynamic::Array(items) => {
                f.write_char('[')?;
                comma(f, items)?;
                f.write_char(']')
            }
            Dynamic::Object(entries) => {
                f.write_char('{')?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_string(f, k)?;
                    write!(f, ": {v}")?;
                }
                f.write_char('}')
            }
            Dynamic::Typed(l) => write!(f, "{l}"),
        }
    }
}

// ----------------------------------------------------------------------------- operator parts

impl Display for OpParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

impl Display for NamedExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.names.as_slice() {
            [] => {}
            [one] => write!(f, "{one} = ")?,
            many => {
                f.write_char('(')?;
                comma(f, many)?;
                f.write_str(") = ")?;
            }
        }
        write!(f, "{}", self.expr)
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(o) = self.order {
            write!(f, " {o}")?;
        }
        if let Some(n) = self.nulls {
            write!(f, " {n}")?;
        }
        Ok(())
    }
}

/// Operators joined by ` | ` (the caller adds any parentheses).
impl Display for SubPipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        join(f, &self.ops, " | ")
    }
}

impl Display for NamePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.quoted {
            write_bracketed(f, &self.pattern)
        } else {
            f.write_str(&self.pattern)
        }
    }
}

impl Display for ReorderItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.pattern)?;
        match self.order {
            Some(o) => write!(f, " {o}"),
            None => Ok(()),
        }
    }
}

impl Display for MakeSeriesAgg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.agg)?;
        match &self.default {
            Some(d) => write!(f, " default = {d}"),
            None => Ok(()),
        }
    }
}

impl Display for MakeSeriesRange {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MakeSeriesRange::FromToStep { from, to, step } => {
                if let Some(a) = from {
                    write!(f, "from {a} ")?;
                }
                if let Some(b) = to {
                    write!(f, "to {b} ")?;
                }
                write!(f, "step {step}")
            }
            MakeSeriesRange::InRange { start, stop, step } => {
                write!(f, "in range({start}, {stop}, {step})")
            }
        }
    }
}

/// The whole `make-series ...` operator.
impl Display for MakeSeries {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        keyword(f, "make-series", &self.params)?;
        f.write_char(' ')?;
        comma(f, &self.aggs)?;
        write!(f, " on {} {}", self.on, self.range)?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            comma(f, &self.by)?;
        }
        Ok(())
    }
}

impl Display for TopNestedClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("top-nested")?;
        if let Some(n) = &self.count {
            write!(f, " {n}")?;
        }
        write!(f, " of {}", self.of)?;
        if let Some(o) = &self.others {
            write!(f, " with others = {o}")?;
        }
        write!(f, " by {}", self.by)
    }
}

impl Display for MvItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        match self.to_type {
            Some(t) => write!(f, " to typeof({t})"),
            None => Ok(()),
        }
    }
}

/// The whole `parse ...` operator (`parse-where` prints through [`OperatorKind`]).
impl Display for Parse {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        fmt_parse(f, "parse", self)
    }
}

impl Display for ParsePatternItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ParsePatternItem::Star => f.write_char('*'),
            ParsePatternItem::Text(e) => write!(f, "{e}"),
            ParsePatternItem::Column { name, ty } => name_type(f, name, *ty),
        }
    }
}

impl Display for RenderProp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.name)?;
        comma(f, &self.values)
    }
}

/// The whole `render ...` operator.
impl Display for Render {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "render {}", self.chart)?;
        if self.legacy {
            for p in &self.props {
                match p.name.as_str() {
                    "by" | "with" => {
                        write!(f, " {} ", p.name)?;
                        comma(f, &p.values)?;
                    }
                    _ => write!(f, " {p}")?,
                }
            }
        } else if !self.props.is_empty() {
            f.write_str(" with (")?;
            comma(f, &self.props)?;
            f.write_char(')')?;
        }
        Ok(())
    }
}

impl Display for ForkBranch {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "{n}=")?;
        }
        write!(f, "({})", self.body)
    }
}

impl Display for PartitionBody {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PartitionBody::Sub(ops) => write!(f, "({ops})"),
            PartitionBody::Full(e) => write!(f, "{{ {e} }}"),
        }
    }
}

/// The whole `partition ...` operator.
impl Display for Partition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        keyword(f, "partition", &self.params)?;
        write!(f, " by {} {}", self.by, self.body)
    }
}

/// `step name [optional] [output=x]: condition [=> a = 1, b = 2];`.
impl Display for ScanStep {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "step {}", self.name)?;
        if self.optional {
            f.write_str(" optional")?;
        }
        if let Some(o) = self.output {
            write!(f, " output={o}")?;
        }
        write!(f, ": {}", self.condition)?;
        for (i, (name, value)) in self.assignments.iter().enumerate() {
            f.write_str(if i == 0 { " => " } else { ", " })?;
            write!(f, "{name} = {value}")?;
        }
        f.write_char(';')
    }
}

/// The whole `scan ...` operator.
impl Display for Scan {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        keyword(f, "scan", &self.params)?;
        if !self.order_by.is_empty() {
            f.write_str(" order by ")?;
            comma(f, &self.order_by)?;
        }
        if !self.partition_by.is_empty() {
            f.write_str(" partition by ")?;
            comma(f, &self.partition_by)?;
        }
        if !self.declare.is_empty() {
            f.write_str(" declare (")?;
            comma(f, &self.declare)?;
            f.write_char(')')?;
        }
        f.write_str(" with (")?;
        join(f, &self.steps, " ")?;
        f.write_char(')')
    }
}

impl Display for FindColumn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FindColumn::Column { name, ty } => name_type(f, name, *ty),
            FindColumn::PackAll => f.write_str("pack(*)"),
            FindColumn::Star => f.write_char('*'),
        }
    }
}

/// ` in (T1, T2)` when tables are given.
fn in_tables(f: &mut Formatter<'_>, tables: &Option<Vec<Expr>>) -> fmt::Result {
    if let Some(t) = tables {
        f.write_str(" in (")?;
        comma(f, t)?;
        f.write_char(')')?;
    }
    Ok(())
}

/// The whole `find ...` operator.
impl Display for Find {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        keyword(f, "find", &self.params)?;
        in_tables(f, &self.tables)?;
        write!(f, " where {}", self.predicate)?;
        match &self.project {
            FindProject::Default => {}
            FindProject::Smart => f.write_str(" project-smart")?,
            FindProject::Columns(cols) => {
                f.write_str(" project ")?;
                comma(f, cols)?;
            }
        }
        if let Some(cols) = &self.project_away {
            f.write_str(" project-away ")?;
            comma(f, cols)?;
        }
        Ok(())
    }
}

/// The whole `search ...` operator.
impl Display for Search {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        keyword(f, "search", &self.params)?;
        in_tables(f, &self.tables)?;
        write!(f, " {}", self.predicate)
    }
}

// ----------------------------------------------------------------------------- operators

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)
    }
}

impl Display for OperatorKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use OperatorKind as K;
        match self {
            K::Where { params, predicate } => {
                keyword(f, "where", params)?;
                write!(f, " {predicate}")
            }
            K::Project(items) => list_op(f, "project", items),
            K::ProjectAway(items) => list_op(f, "project-away", items),
            K::ProjectKeep(items) => list_op(f, "project-keep", items),
            K::ProjectRename(items) => list_op(f, "project-rename", items),
            K::ProjectReorder(items) => list_op(f, "project-reorder", items),
            K::ProjectByNames(items) => list_op(f, "project-by-names", items),
            K::Extend(items) => list_op(f, "extend", items),
            K::Take { params, count } => {
                keyword(f, "take", params)?;
                write!(f, " {count}")
            }
            K::Count { params } => keyword(f, "count", params),
            K::Distinct {
                params,
                star,
                columns,
            } => {
                keyword(f, "distinct", params)?;
                if *star {
                    f.write_str(" *")
                } else {
                    f.write_char(' ')?;
                    comma(f, columns)
                }
            }
            K::Sample { params, count } => {
                keyword(f, "sample", params)?;
                write!(f, " {count}")
            }
            K::SampleDistinct { params, count, of } => {
                keyword(f, "sample-distinct", params)?;
                write!(f, " {count} of {of}")
            }
            K::Serialize { params, columns } => {
                keyword(f, "serialize", params)?;
                list_tail(f, columns)
            }
            K::GetSchema => f.write_str("getschema"),
            K::Consume { params } => keyword(f, "consume", params),
            K::Summarize { params, aggs, by } => {
                keyword(f, "summarize", params)?;
                list_tail(f, aggs)?;
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    comma(f, by)?;
                }
                Ok(())
            }
            K::MakeSeries(ms) => write!(f, "{ms}"),
            K::Sort { params, keys } => {
                keyword(f, "sort", params)?;
                f.write_str(" by ")?;
                comma(f, keys)
            }
            K::Top { params, count, by } => {
                keyword(f, "top", params)?;
                write!(f, " {count} by {by}")
            }
            K::TopNested(clauses) => comma(f, clauses),
            K::TopHitters { count, of, by } => {
                write!(f, "top-hitters {count} of {of}")?;
                match by {
                    Some(k) => write!(f, " by {k}"),
                    None => Ok(()),
                }
            }
            K::Reduce { params, by, with } => {
                keyword(f, "reduce", params)?;
                write!(f, " by {by}")?;
                if !with.is_empty() {
                    f.write_str(" with ")?;
                    comma(f, with)?;
                }
                Ok(())
            }
            K::Facet { by, with } => {
                f.write_str("facet by ")?;
                comma(f, by)?;
                match with {
                    Some(sub) => write!(f, " with ({sub})"),
                    None => Ok(()),
                }
            }
            K::Join {
                params,
                right,
                on,
                where_,
            } => {
                keyword(f, "join", params)?;
                write!(f, " {right}")?;
                if !on.is_empty() {
                    f.write_str(" on ")?;
                    comma(f, on)?;
                }
                match where_ {
                    Some(w) => write!(f, " where {w}"),
                    None => Ok(()),
                }
            }
            K::Lookup { params, right, on } => {
                keyword(f, "lookup", params)?;
                write!(f, " {right}")?;
                if !on.is_empty() {
                    f.write_str(" on ")?;
                    comma(f, on)?;
                }
                Ok(())
            }
            K::Union { params, tables } => {
                keyword(f, "union", params)?;
                list_tail(f, tables)
            }
            K::MvExpand {
                params,
                items,
                limit,
            } => {
                keyword(f, "mv-expand", params)?;
                list_tail(f, items)?;
                match limit {
                    Some(l) => write!(f, " limit {l}"),
                    None => Ok(()),
                }
            }
            K::MvApply {
                params,
                items,
                limit,
                on,
            } => {
                keyword(f, "mv-apply", params)?;
                list_tail(f, items)?;
                if let Some(l) = limit {
                    write!(f, " limit {l}")?;
                }
                write!(f, " on ({on})")
            }
            K::Parse(p) => fmt_parse(f, "parse", p),
            K::ParseWhere(p) => fmt_parse(f, "parse-where", p),
            K::ParseKv {
                expr,
                columns,
                with,
            } => {
                write!(f, "parse-kv {expr} as ")?;
                schema(f, columns)?;
                with_params(f, with)
            }
            K::Evaluate {
                params,
                call,
                schema: out,
                schema_open,
            } => {
                keyword(f, "evaluate", params)?;
                write!(f, " {call}")?;
                match out {
                    Some(cols) if *schema_open => {
                        f.write_str(" : (*")?;
                        for c in cols {
                            write!(f, ", {c}")?;
                        }
                        f.write_char(')')
                    }
                    Some(cols) => {
                        f.write_str(" : ")?;
                        schema(f, cols)
                    }
                    None => Ok(()),
                }
            }
            K::Render(r) => write!(f, "{r}"),
            K::As { params, name } => {
                keyword(f, "as", params)?;
                write!(f, " {name}")
            }
            K::Invoke(e) => write!(f, "invoke {e}"),
            K::Fork(branches) => {
                f.write_str("fork")?;
                for b in branches {
                    write!(f, " {b}")?;
                }
                Ok(())
            }
            K::Partition(p) => write!(f, "{p}"),
            K::Scan(s) => write!(f, "{s}"),
            K::ExecuteAndCache => f.write_str("execute-and-cache"),
            K::AssertSchema(cols) => {
                f.write_str("assert-schema ")?;
                schema(f, cols)
            }
            K::Print(items) => list_op(f, "print", items),
            K::Range {
                column,
                from,
                to,
                step,
            } => write!(f, "range {column} from {from} to {to} step {step}"),
            K::Datatable {
                params,
                columns,
                values,
            } => {
                keyword(f, "datatable", params)?;
                f.write_char(' ')?;
                schema(f, columns)?;
                f.write_str(" [")?;
                comma(f, values)?;
                f.write_char(']')
            }
            K::ExternalData {
                params,
                columns,
                uris,
                with,
            } => {
                keyword(f, "externaldata", params)?;
                f.write_char(' ')?;
                schema(f, columns)?;
                f.write_str(" [")?;
                comma(f, uris)?;
                f.write_char(']')?;
                with_params(f, with)
            }
            K::Find(find) => write!(f, "{find}"),
            K::Search(s) => write!(f, "{s}"),
            K::InlineExternalTable {
                columns,
                params,
                uris,
                with,
            } => {
                f.write_str("inline_external_table")?;
                if let Some(cols) = columns {
                    f.write_char(' ')?;
                    schema(f, cols)?;
                }
                for p in params {
                    write!(f, " {p}")?;
                }
                f.write_str(" (")?;
                comma(f, uris)?;
                f.write_char(')')?;
                with_params(f, with)
            }
            K::MacroExpand {
                params,
                group,
                scope,
                body,
            } => {
                keyword(f, "macro-expand", params)?;
                write!(f, " {group} as ")?;
                write_ident(f, &scope.name)?;
                f.write_str(" (")?;
                for (n, st) in body.iter().enumerate() {
                    if n > 0 {
                        f.write_str("; ")?;
                    }
                    fmt_statement(f, &st.kind, false)?;
                }
                f.write_char(')')
            }
        }
    }
}

/// ` a, b` when `items` is non-empty.
fn list_tail<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    f.write_char(' ')?;
    comma(f, items)
}

/// `keyword a, b`.
fn list_op<T: Display>(f: &mut Formatter<'_>, kw: &str, items: &[T]) -> fmt::Result {
    f.write_str(kw)?;
    list_tail(f, items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
