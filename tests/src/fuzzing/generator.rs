//! A grammar-aware KQL generator: bytes (through `arbitrary::Unstructured`) in, a mostly valid
//! query over the fixed tables of [`super::table`] out.
//!
//! The generator tracks the columns (and their types) each operator leaves, so expressions use
//! columns that exist with the right types; now and then it uses a wrong type or a missing
//! argument on purpose. Scalar functions come from the function catalog the binder uses
//! (`kql_functions::catalog`), with their arity and parameter types read from the signatures.
//! It also records whether the rows are fully determined by the query (a `take` or a `top` with
//! ties picks arbitrary rows) and whether their order is (the last operator sorts by a unique
//! column), which the differential check needs.

use super::table::{T_COLUMNS, U_COLUMNS};
use arbitrary::Unstructured;
use kql_functions::catalog::{Kind, catalog};
use std::sync::LazyLock;

/// A KQL type as the generator sees it (`Any`: a value of an unknown type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    Long,
    Int,
    Real,
    Bool,
    Date,
    Span,
    Dyn,
    Guid,
    Any,
}

const TYPED: [Ty; 9] = [
    Ty::Str,
    Ty::Long,
    Ty::Int,
    Ty::Real,
    Ty::Bool,
    Ty::Date,
    Ty::Span,
    Ty::Dyn,
    Ty::Guid,
];

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Str => "string",
            Ty::Long => "long",
            Ty::Int => "int",
            Ty::Real => "real",
            Ty::Bool => "bool",
            Ty::Date => "datetime",
            Ty::Span => "timespan",
            Ty::Dyn | Ty::Any => "dynamic",
            Ty::Guid => "guid",
        }
    }
    fn from_word(w: &str) -> Option<Ty> {
        let w = w.trim();
        Some(match w {
            "string" => Ty::Str,
            "long" => Ty::Long,
            "int" => Ty::Int,
            "real" | "number" | "double" => Ty::Real,
            "bool" => Ty::Bool,
            "datetime" => Ty::Date,
            "timespan" => Ty::Span,
            "dynamic" => Ty::Dyn,
            "guid" => Ty::Guid,
            _ => return None,
        })
    }
}

/// A generated query.
#[derive(Clone, Debug)]
pub struct Generated {
    pub script: String,
    /// The rows (as a multiset) are determined by the query.
    pub rows_determined: bool,
    /// At least the row count is determined.
    pub count_determined: bool,
    /// The last operator sorts by a unique column: the order is part of the answer.
    pub ordered: bool,
}

/// A catalog function as the generator uses it.
#[derive(Debug)]
struct Func {
    name: &'static str,
    /// Parameter types (`None`: any type), the required ones first.
    params: Vec<Option<Ty>>,
    required: usize,
    variadic: bool,
    /// The result type (`None`: the first argument's type or unknown).
    ret: Option<Ty>,
    same_as_arg: bool,
}

/// Functions whose value differs between two runs of the same query, or that are too costly
/// to call on every row of a fuzzing run.
const SKIPPED: &[&str] = &["rand", "new_guid", "repeat", "range", "bin_auto"];

fn parse_signature(sig: &'static str, name: &'static str) -> Option<Func> {
    let open = sig.find('(')?;
    let arrow = sig.rfind("->")?;
    let close = sig[..arrow].rfind(')')?;
    let inner = &sig[open + 1..close];
    let ret_text = sig[arrow + 2..].trim();
    let mut params = Vec::new();
    let mut required = 0;
    let mut optional = false;
    let mut variadic = false;
    for part in inner.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part.contains("...") {
            variadic = true;
            continue;
        }
        if part.contains('[') {
            optional = true;
        }
        let p = part.trim_matches(|c| c == '[' || c == ']').trim();
        let ty = p.split_once(':').and_then(|(_, t)| {
            let t = t.trim_matches(|c: char| c == ']' || c.is_whitespace());
            Ty::from_word(t.split_whitespace().next().unwrap_or(""))
        });
        params.push(ty);
        if !optional {
            required += 1;
        }
    }
    let ret = Ty::from_word(ret_text);
    let same_as_arg = ret.is_none() && ret_text.starts_with("the ");
    Some(Func {
        name,
        params,
        required,
        variadic,
        ret,
        same_as_arg,
    })
}

static SCALARS: LazyLock<Vec<Func>> = LazyLock::new(|| {
    catalog()
        .iter()
        .filter(|e| e.kind == Kind::Scalar && !SKIPPED.contains(&e.name))
        .filter_map(|e| parse_signature(e.signature, e.name))
        .collect()
});

static AGGREGATES: LazyLock<Vec<Func>> = LazyLock::new(|| {
    catalog()
        .iter()
        .filter(|e| e.kind == Kind::Aggregate)
        .filter_map(|e| parse_signature(e.signature, e.name))
        .collect()
});

/// The number of scalar and aggregate functions the generator draws from the catalog.
pub fn catalog_sizes() -> (usize, usize) {
    (SCALARS.len(), AGGREGATES.len())
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    ty: Ty,
}

struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    cols: Vec<Col>,
    fresh: usize,
    /// A column known to hold distinct values.
    unique: Option<String>,
    rows_determined: bool,
    count_determined: bool,
    ordered: bool,
    /// Set when the schema is no longer known (after some plugins): the pipeline ends.
    opaque: bool,
    /// Tabular `let` names usable as sources, with their columns.
    tabular_lets: Vec<(String, Vec<Col>, Option<String>)>,
    scalar_lets: Vec<Col>,
}

/// String literals, written as KQL literals.
const STR_LITERALS: &[&str] = &[
    r#""""#,
    r#""a""#,
    r#""web""#,
    r#""web-01""#,
    r#""DB""#,
    r#""Error""#,
    r#""api""#,
    r#""1""#,
    r#""x=1""#,
    r#""[0-9]+""#,
    r#""(\\w+)-(\\d+)""#,
    r#"@"(\w+)=(\d+)""#,
    r#"".*""#,
    r#""%""#,
    r#""\\""#,
    r#""\"""#,
    r#""ünï""#,
    r#"" ""#,
    r#""2024-03-10""#,
    r#"'{"a":1}'"#,
    r#""[1,2]""#,
    r#""a,b""#,
    r#""(""#,
    r#""10.0.0.1""#,
    r#""192.168.1.0/24""#,
];

fn cols_of(spec: &[(&str, Ty)]) -> Vec<Col> {
    spec.iter()
        .map(|(n, t)| Col {
            name: (*n).to_string(),
            ty: *t,
        })
        .collect()
}

impl Gen<'_, '_> {
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.int(0, 99) < percent
    }
    fn pick<'s>(&mut self, xs: &[&'s str]) -> &'s str {
        let i = self.int(0, xs.len().saturating_sub(1) as u32) as usize;
        xs.get(i).copied().unwrap_or("")
    }
    fn fresh(&mut self) -> String {
        self.fresh += 1;
        format!("c{}", self.fresh)
    }
    fn col_of(&mut self, ty: Ty) -> Option<String> {
        let names: Vec<String> = self
            .cols
            .iter()
            .chain(self.scalar_lets.iter())
            .filter(|c| c.ty == ty)
            .map(|c| c.name.clone())
            .collect();
        if names.is_empty() {
            return None;
        }
        let i = self.int(0, names.len() as u32 - 1) as usize;
        names.get(i).cloned()
    }
    fn any_col(&mut self) -> Option<Col> {
        if self.cols.is_empty() {
            return None;
        }
        let i = self.int(0, self.cols.len() as u32 - 1) as usize;
        self.cols.get(i).cloned()
    }
    fn typed(&mut self) -> Ty {
        TYPED[self.int(0, TYPED.len() as u32 - 1) as usize]
    }

    fn literal(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Str => self.pick(STR_LITERALS).to_string(),
            Ty::Long => match self.int(0, 12) {
                0 => "long(null)".into(),
                1 => "9223372036854775807".into(),
                2 => "-1".into(),
                3 => "0".into(),
                _ => self.int(0, 120).to_string(),
            },
            Ty::Int => match self.int(0, 8) {
                0 => "int(null)".into(),
                1 => "int(2147483647)".into(),
                _ => format!("int({})", self.int(0, 20) as i32 - 5),
            },
            Ty::Real => self
                .pick(&[
                    "0.5",
                    "-1.25",
                    "1e10",
                    "real(nan)",
                    "real(+inf)",
                    "real(null)",
                    "0.0",
                    "3.0",
                    "100.75",
                    "-0.0",
                ])
                .into(),
            Ty::Bool => self.pick(&["true", "false", "bool(null)"]).into(),
            Ty::Date => self
                .pick(&[
                    "datetime(2024-03-10)",
                    "datetime(2024-03-05 12:30:00)",
                    "datetime(null)",
                    "datetime(1970-01-01)",
                    "datetime(2024-02-29T23:59:59.9999999Z)",
                    "datetime(2262-01-01)",
                ])
                .into(),
            Ty::Span => self
                .pick(&[
                    "1d",
                    "1h",
                    "30m",
                    "0s",
                    "-2h",
                    "1.5s",
                    "7d",
                    "timespan(null)",
                    "1tick",
                    "1ms",
                ])
                .into(),
            Ty::Dyn => self
                .pick(&[
                    "dynamic([1, 2, 3])",
                    "dynamic({\"a\": 1, \"b\": \"x\"})",
                    "dynamic(null)",
                    "dynamic([])",
                    "dynamic([\"a\", \"b\"])",
                    "dynamic(5)",
                    "dynamic([1.5, null, -2])",
                ])
                .into(),
            Ty::Guid => self
                .pick(&[
                    "guid(00000000-0000-0000-0000-000000000003)",
                    "guid(null)",
                    "guid(12345678-1234-1234-1234-123456789abc)",
                ])
                .into(),
            Ty::Any => {
                let t = self.typed();
                self.literal(t)
            }
        }
    }

    /// An expression of type `ty` (or, rarely, of a wrong one on purpose).
    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        if self.chance(1) {
            let t = self.typed();
            return self.leaf(t);
        }
        if depth == 0 || self.u.is_empty() || self.chance(35) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match self.int(0, 9) {
            0..=3 => self.call(ty, d),
            4 => {
                let c = self.expr(Ty::Bool, d);
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                format!("iff({c}, {a}, {b})")
            }
            5 if ty == Ty::Any || ty == Ty::Dyn => {
                // dynamic access
                let Some(c) = self.col_of(Ty::Dyn) else {
                    return self.leaf(ty);
                };
                match self.int(0, 2) {
                    0 => format!("{c}[{}]", self.int(0, 3) as i32 - 1),
                    1 => format!("{c}.a"),
                    _ => format!("{c}[\"b\"]"),
                }
            }
            _ => self.operator(ty, d),
        }
    }

    fn leaf(&mut self, ty: Ty) -> String {
        if self.chance(70)
            && let Some(c) = self.col_of(ty)
        {
            return c;
        }
        self.literal(ty)
    }

    fn operator(&mut self, ty: Ty, d: u32) -> String {
        match ty {
            Ty::Long | Ty::Int | Ty::Real => {
                let a = self.expr(ty, d);
                let b = self.expr(ty, d);
                let op = self.pick(&["+", "-", "*", "/", "%"]);
                format!("({a} {op} {b})")
            }
            Ty::Bool => match self.int(0, 7) {
                0 => {
                    let a = self.expr(Ty::Bool, d);
                    let b = self.expr(Ty::Bool, d);
                    let op = self.pick(&["and", "or"]);
                    format!("({a} {op} {b})")
                }
                1 => format!("not({})", self.expr(Ty::Bool, d)),
                2 | 3 => {
                    let a = self.expr(Ty::Str, d);
                    let b = self.literal(Ty::Str);
                    let op = self.pick(&[
                        "==",
                        "!=",
                        "=~",
                        "!~",
                        "has",
                        "!has",
                        "contains",
                        "!contains",
                        "startswith",
                        "endswith",
                        "hasprefix",
                        "has_cs",
                        "matches regex",
                        "in",
                        "!in",
                        "in~",
                        "has_any",
                    ]);
                    if op.contains("in") || op == "has_any" {
                        let c = self.literal(Ty::Str);
                        format!("({a} {op} ({b}, {c}))")
                    } else {
                        format!("({a} {op} {b})")
                    }
                }
                4 => {
                    let t = self.typed();
                    let a = self.expr(t, d);
                    let op = self.pick(&["isnull", "isnotnull", "isempty", "isnotempty"]);
                    format!("{op}({a})")
                }
                5 => {
                    let t = *[Ty::Long, Ty::Real, Ty::Date, Ty::Span]
                        .get(self.int(0, 3) as usize)
                        .unwrap_or(&Ty::Long);
                    let a = self.expr(t, d);
                    let lo = self.literal(t);
                    let hi = self.literal(t);
                    format!("({a} between ({lo} .. {hi}))")
                }
                _ => {
                    let t = *[Ty::Long, Ty::Real, Ty::Date, Ty::Span, Ty::Str, Ty::Int]
                        .get(self.int(0, 5) as usize)
                        .unwrap_or(&Ty::Long);
                    let a = self.expr(t, d);
                    let b = self.expr(t, d);
                    let op = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
                    format!("({a} {op} {b})")
                }
            },
            Ty::Date => {
                let a = self.expr(Ty::Date, d);
                let b = self.expr(Ty::Span, d);
                let op = self.pick(&["+", "-"]);
                format!("({a} {op} {b})")
            }
            Ty::Span => {
                if self.chance(50) {
                    let a = self.expr(Ty::Date, d);
                    let b = self.expr(Ty::Date, d);
                    format!("({a} - {b})")
                } else {
                    let a = self.expr(Ty::Span, d);
                    let b = self.expr(Ty::Long, d);
                    let op = self.pick(&["*", "/"]);
                    format!("({a} {op} {b})")
                }
            }
            _ => self.call(ty, d),
        }
    }

    /// A call of a catalog function returning `ty`.
    fn call(&mut self, ty: Ty, d: u32) -> String {
        let candidates: Vec<usize> = SCALARS
            .iter()
            .enumerate()
            .filter(|(_, f)| match f.ret {
                Some(r) => r == ty || ty == Ty::Any || (ty == Ty::Long && r == Ty::Int),
                None => ty == Ty::Any || (f.same_as_arg && !f.params.is_empty()),
            })
            .map(|(i, _)| i)
            .collect();
        if candidates.is_empty() {
            return self.leaf(ty);
        }
        let k = self.int(0, candidates.len() as u32 - 1) as usize;
        let Some(f) = candidates.get(k).and_then(|i| SCALARS.get(*i)) else {
            return self.leaf(ty);
        };
        let mut n = f.required + self.int(0, (f.params.len() - f.required) as u32) as usize;
        if f.variadic {
            n += self.int(0, 2) as usize;
            n = n.max(1);
        }
        // a wrong arity now and then
        if self.chance(3) {
            n = if n > 0 && self.chance(50) {
                n - 1
            } else {
                n + 1
            };
        }
        let mut args = Vec::new();
        for i in 0..n {
            let pty = match f.params.get(i).copied().flatten() {
                Some(t) => t,
                None if f.same_as_arg && ty != Ty::Any => ty,
                None => Ty::Any,
            };
            let pty = if pty == Ty::Any { self.typed() } else { pty };
            args.push(self.expr(pty, d));
        }
        format!("{}({})", f.name, args.join(", "))
    }

    fn numeric_col(&mut self) -> String {
        let t = *[Ty::Long, Ty::Real, Ty::Int]
            .get(self.int(0, 2) as usize)
            .unwrap_or(&Ty::Long);
        self.col_of(t).unwrap_or_else(|| self.literal(t))
    }

    /// One aggregate call and its result type.
    fn aggregate(&mut self) -> (String, Ty, bool) {
        let x = self.any_col();
        let xn = x.as_ref().map_or("1".to_string(), |c| c.name.clone());
        let xt = x.as_ref().map_or(Ty::Long, |c| c.ty);
        // (text, type, value determined by the group's rows)
        match self.int(0, 18) {
            0 => ("count()".into(), Ty::Long, true),
            1 => (
                format!("countif({})", self.expr(Ty::Bool, 1)),
                Ty::Long,
                true,
            ),
            2 => (format!("sum({})", self.numeric_col()), Ty::Any, true),
            3 => (format!("avg({})", self.numeric_col()), Ty::Real, true),
            4 => (format!("min({xn})"), xt, true),
            5 => (format!("max({xn})"), xt, true),
            6 => (format!("dcount({xn})"), Ty::Long, true),
            7 => (
                format!(
                    "percentile({}, {})",
                    self.numeric_col(),
                    self.pick(&["50", "0", "100", "95.5"])
                ),
                Ty::Any,
                true,
            ),
            8 => (format!("make_set({xn})"), Ty::Dyn, false),
            9 => (format!("make_list({xn})"), Ty::Dyn, false),
            10 => (format!("stdev({})", self.numeric_col()), Ty::Real, true),
            11 => (format!("variance({})", self.numeric_col()), Ty::Real, true),
            12 => (
                format!("sumif({}, {})", self.numeric_col(), self.expr(Ty::Bool, 1)),
                Ty::Any,
                true,
            ),
            13 => (format!("take_any({xn})"), xt, false),
            14 => (
                format!("dcountif({xn}, {})", self.expr(Ty::Bool, 1)),
                Ty::Long,
                true,
            ),
            15 => {
                let d = self
                    .col_of(Ty::Dyn)
                    .unwrap_or_else(|| self.literal(Ty::Dyn));
                (format!("make_bag({d})"), Ty::Dyn, false)
            }
            16 => (format!("count_distinct({xn})"), Ty::Long, true),
            _ => {
                // any aggregate of the catalog, with arguments of its parameter types
                let k = self.int(0, AGGREGATES.len().saturating_sub(1) as u32) as usize;
                let Some(f) = AGGREGATES.get(k) else {
                    return ("count()".into(), Ty::Long, true);
                };
                let mut args = Vec::new();
                for i in 0..f.required.max(usize::from(f.variadic)) {
                    let t = f.params.get(i).copied().flatten().unwrap_or(Ty::Any);
                    let t = if t == Ty::Any { self.typed() } else { t };
                    args.push(self.leaf(t));
                }
                (format!("{}({})", f.name, args.join(", ")), Ty::Any, false)
            }
        }
    }

    fn source(&mut self) -> String {
        self.cols = cols_of(T_COLUMNS);
        self.unique = Some("Id".into());
        match self.int(0, 11) {
            0 => {
                self.cols = cols_of(U_COLUMNS);
                self.unique = None;
                "U".into()
            }
            1 => {
                let a = self.expr(Ty::Bool, 2);
                let b = self.expr(Ty::Bool, 2);
                self.unique = None;
                format!("union (T | where {a}), (T | where {b})")
            }
            2 => {
                let n = self.int(0, 30);
                let step = self.int(1, 7);
                self.cols = vec![Col {
                    name: "x".into(),
                    ty: Ty::Long,
                }];
                self.unique = Some("x".into());
                format!("range x from {} to {n} step {step}", self.int(0, 3))
            }
            3 if !self.tabular_lets.is_empty() => {
                let k = self.int(0, self.tabular_lets.len() as u32 - 1) as usize;
                match self.tabular_lets.get(k).cloned() {
                    Some((name, cols, unique)) => {
                        self.cols = cols;
                        self.unique = unique;
                        name
                    }
                    None => "T".into(),
                }
            }
            4 => {
                self.cols.clear();
                let a = self.expr(Ty::Long, 2);
                let b = self.expr(Ty::Str, 2);
                self.cols = vec![
                    Col {
                        name: "p".into(),
                        ty: Ty::Long,
                    },
                    Col {
                        name: "q".into(),
                        ty: Ty::Str,
                    },
                ];
                self.unique = Some("p".into());
                format!("print p = {a}, q = {b}")
            }
            _ => "T".into(),
        }
    }

    /// One `| operator`, updating the tracked columns.
    fn operator_step(&mut self, q: &mut String) {
        let was_rows = self.rows_determined;
        self.ordered = false;
        match self.int(0, 24) {
            0..=3 => {
                let p = self.expr(Ty::Bool, 3);
                q.push_str(&format!(" | where {p}"));
                if !was_rows {
                    self.count_determined = false;
                }
            }
            4..=6 => {
                let n = self.int(1, 3);
                let mut parts = Vec::new();
                for _ in 0..n {
                    let t = self.typed();
                    let t = if self.chance(15) { Ty::Any } else { t };
                    let e = self.expr(t, 3);
                    let name = if self.chance(15) {
                        // overwrite an existing column
                        self.any_col().map_or_else(|| self.fresh(), |c| c.name)
                    } else {
                        self.fresh()
                    };
                    self.cols.retain(|c| c.name != name);
                    if self.unique.as_deref() == Some(name.as_str()) {
                        self.unique = None;
                    }
                    self.cols.push(Col {
                        name: name.clone(),
                        ty: t,
                    });
                    parts.push(format!("{name} = {e}"));
                }
                q.push_str(&format!(" | extend {}", parts.join(", ")));
            }
            7 => {
                // project a subset, maybe with a computed column
                let mut keep = Vec::new();
                for c in self.cols.clone() {
                    if self.chance(60) {
                        keep.push(c);
                    }
                }
                if keep.is_empty()
                    && let Some(c) = self.cols.first().cloned()
                {
                    keep.push(c);
                }
                let mut parts: Vec<String> = keep.iter().map(|c| c.name.clone()).collect();
                if self.chance(40) {
                    let t = self.typed();
                    let e = self.expr(t, 2);
                    let name = self.fresh();
                    parts.push(format!("{name} = {e}"));
                    keep.push(Col { name, ty: t });
                }
                if let Some(u) = &self.unique
                    && !keep.iter().any(|c| &c.name == u)
                {
                    self.unique = None;
                }
                self.cols = keep;
                q.push_str(&format!(" | project {}", parts.join(", ")));
            }
            8 => {
                if self.cols.len() > 1
                    && let Some(c) = self.any_col()
                {
                    self.cols.retain(|x| x.name != c.name);
                    if self.unique.as_deref() == Some(c.name.as_str()) {
                        self.unique = None;
                    }
                    q.push_str(&format!(" | project-away {}", c.name));
                }
            }
            9 | 10 => self.summarize(q),
            11 => {
                let Some(c) = self.any_col() else { return };
                let dir = self.pick(&["asc", "desc", ""]);
                let nulls = self.pick(&["", " nulls first", " nulls last"]);
                let op = self.pick(&["sort", "order"]);
                q.push_str(&format!(" | {op} by {} {dir}{nulls}", c.name));
                self.ordered =
                    self.unique.as_deref() == Some(c.name.as_str()) && self.rows_determined;
            }
            12 => {
                let Some(c) = self.any_col() else { return };
                let n = self.int(0, 12);
                let dir = self.pick(&["asc", "desc", ""]);
                q.push_str(&format!(" | top {n} by {} {dir}", c.name));
                if self.unique.as_deref() == Some(c.name.as_str()) {
                    self.ordered = self.rows_determined;
                } else {
                    self.rows_determined = false;
                }
            }
            13 => {
                let n = self.int(0, 60);
                q.push_str(&format!(" | {} {n}", self.pick(&["take", "limit"])));
                self.rows_determined = false;
            }
            14 => {
                let mut names = Vec::new();
                let mut keep = Vec::new();
                for c in self.cols.clone() {
                    if self.chance(40) {
                        names.push(c.name.clone());
                        keep.push(c);
                    }
                }
                if names.is_empty() {
                    q.push_str(" | distinct *");
                    return;
                }
                self.unique = (names.len() == 1).then(|| names[0].clone());
                self.cols = keep;
                q.push_str(&format!(" | distinct {}", names.join(", ")));
                if !was_rows {
                    self.count_determined = false;
                }
            }
            15 => {
                q.push_str(" | count");
                self.cols = vec![Col {
                    name: "Count".into(),
                    ty: Ty::Long,
                }];
                self.unique = Some("Count".into());
                if !was_rows {
                    self.rows_determined = self.count_determined;
                }
            }
            16 => {
                let Some(c) = self.col_of(Ty::Dyn) else {
                    return;
                };
                let to = self.pick(&["", " to typeof(long)", " to typeof(string)"]);
                let limit = if self.chance(20) {
                    format!(" limit {}", self.int(0, 3))
                } else {
                    String::new()
                };
                let with_index = if self.chance(20) {
                    let n = self.fresh();
                    self.cols.push(Col {
                        name: n.clone(),
                        ty: Ty::Long,
                    });
                    format!(" with_itemindex={n}")
                } else {
                    String::new()
                };
                q.push_str(&format!(" | mv-expand{with_index} {c}{to}{limit}"));
                let ty = match to {
                    " to typeof(long)" => Ty::Long,
                    " to typeof(string)" => Ty::Str,
                    _ => Ty::Dyn,
                };
                for col in &mut self.cols {
                    if col.name == c {
                        col.ty = ty;
                    }
                }
                self.unique = None;
                if !was_rows {
                    self.count_determined = false;
                }
            }
            17 => self.make_series(q),
            18 => self.join(q),
            19 => {
                let Some(s) = self.col_of(Ty::Str) else {
                    return;
                };
                let a = self.fresh();
                let b = self.fresh();
                let (sep, bt) = match self.int(0, 3) {
                    0 => ("\"-\"", Ty::Long),
                    1 => ("\" \"", Ty::Str),
                    2 => ("\"=\"", Ty::Long),
                    _ => ("\",\"", Ty::Str),
                };
                let kind = self.pick(&["", "kind=regex ", "kind=relaxed "]);
                let star = if bt == Ty::Str { "" } else { " *" };
                q.push_str(&format!(
                    " | parse {kind}{s} with {a}:string {sep} {b}:{}{star}",
                    bt.name()
                ));
                self.cols.retain(|c| c.name != a && c.name != b);
                self.cols.push(Col {
                    name: a,
                    ty: Ty::Str,
                });
                self.cols.push(Col { name: b, ty: bt });
            }
            20 => self.evaluate(q),
            21 => {
                // window functions over a serialized (sorted by a unique column) row set
                let Some(u) = self.unique.clone() else { return };
                let n = self.fresh();
                let f = match self.int(0, 3) {
                    0 => "row_number()".to_string(),
                    1 => format!("prev({u})"),
                    2 => format!("next({u}, 2)"),
                    _ => format!("row_cumsum({})", self.numeric_col()),
                };
                q.push_str(&format!(" | sort by {u} asc | extend {n} = {f}"));
                self.cols.push(Col {
                    name: n,
                    ty: Ty::Any,
                });
            }
            22 => {
                // top-nested
                let Some(c) = self.any_col() else { return };
                let n = self.int(1, 3);
                let a = self.fresh();
                q.push_str(&format!(" | top-nested {n} of {} by {a} = count()", c.name));
                self.cols = vec![
                    c,
                    Col {
                        name: a,
                        ty: Ty::Long,
                    },
                ];
                self.unique = None;
                self.rows_determined = false;
            }
            23 => {
                let Some(c) = self.any_col() else { return };
                let n = self.fresh();
                q.push_str(&format!(" | project-rename {n} = {}", c.name));
                for col in &mut self.cols {
                    if col.name == c.name {
                        col.name = n.clone();
                    }
                }
                if self.unique.as_deref() == Some(c.name.as_str()) {
                    self.unique = Some(n);
                }
            }
            _ => {
                if self.cols.iter().any(|c| c.name == "Id") && self.chance(50) {
                    let a = self.fresh();
                    q.push_str(&format!(" | as {a}"));
                } else {
                    q.push_str(" | getschema");
                    self.opaque = true;
                }
            }
        }
    }

    fn summarize(&mut self, q: &mut String) {
        let n = self.int(1, 3);
        let mut parts = Vec::new();
        let mut cols = Vec::new();
        for _ in 0..n {
            let (a, t, det) = self.aggregate();
            if !det {
                self.rows_determined = false;
            }
            let name = self.fresh();
            parts.push(format!("{name} = {a}"));
            cols.push(Col { name, ty: t });
        }
        let mut by = Vec::new();
        let keys = self.int(0, 2);
        for _ in 0..keys {
            if self.chance(30) {
                let Some(d) = self.col_of(Ty::Date) else {
                    continue;
                };
                let name = self.fresh();
                let span = self.pick(&["1d", "1h", "7d", "0s"]);
                by.push(format!("{name} = bin({d}, {span})"));
                cols.insert(0, Col { name, ty: Ty::Date });
            } else if let Some(c) = self.any_col() {
                if by.iter().any(|b| b == &c.name) {
                    continue;
                }
                by.push(c.name.clone());
                cols.insert(0, c);
            }
        }
        let was_rows = self.rows_determined;
        self.unique = (by.len() == 1).then(|| cols[0].name.clone()).filter(|_| {
            // a key of a dynamic or unknown type may group by its text
            cols.first()
                .is_some_and(|c| c.ty != Ty::Dyn && c.ty != Ty::Any)
        });
        if by.is_empty() {
            self.unique = None;
            q.push_str(&format!(" | summarize {}", parts.join(", ")));
        } else {
            q.push_str(&format!(
                " | summarize {} by {}",
                parts.join(", "),
                by.join(", ")
            ));
            if !was_rows {
                self.count_determined = false;
            }
        }
        self.cols = cols;
    }

    fn make_series(&mut self, q: &mut String) {
        let Some(d) = self.col_of(Ty::Date) else {
            return;
        };
        let v = self.fresh();
        let agg = match self.int(0, 3) {
            0 => "count()".to_string(),
            1 => format!("sum({})", self.numeric_col()),
            2 => format!("avg({})", self.numeric_col()),
            _ => format!("max({})", self.numeric_col()),
        };
        let step = self.pick(&["1d", "12h", "7d", "1h"]);
        let range = if self.chance(70) {
            " from datetime(2024-03-01) to datetime(2024-03-29)"
        } else {
            ""
        };
        let key = self.col_of(Ty::Str);
        let by = key.as_ref().map_or(String::new(), |k| format!(" by {k}"));
        q.push_str(&format!(
            " | make-series {v} = {agg} default = 0 on {d}{range} step {step}{by}"
        ));
        let mut cols = Vec::new();
        if let Some(k) = key.clone() {
            cols.push(Col {
                name: k,
                ty: Ty::Str,
            });
        }
        cols.push(Col {
            name: v,
            ty: Ty::Dyn,
        });
        cols.push(Col {
            name: d,
            ty: Ty::Dyn,
        });
        self.unique = key;
        self.cols = cols;
        if self.chance(40) {
            let name = self.fresh();
            let f = self.pick(&[
                "series_stats_dynamic",
                "series_fir",
                "series_outliers",
                "series_fill_linear",
                "series_decompose_anomalies",
            ]);
            let extra = if f == "series_fir" {
                ", dynamic([1, 1])"
            } else {
                ""
            };
            let arg = self.cols.iter().rev().nth(1).map(|c| c.name.clone());
            if let Some(a) = arg {
                q.push_str(&format!(" | extend {name} = {f}({a}{extra})"));
                self.cols.push(Col { name, ty: Ty::Dyn });
            }
        }
    }

    fn join(&mut self, q: &mut String) {
        if !self.cols.iter().any(|c| c.name == "Id" && c.ty == Ty::Long)
            || self
                .cols
                .iter()
                .any(|c| ["Name", "W", "Id1"].contains(&c.name.as_str()))
        {
            return;
        }
        let right = if self.chance(50) {
            "U".to_string()
        } else {
            format!("(U | where {})", {
                let saved = std::mem::replace(&mut self.cols, cols_of(U_COLUMNS));
                let p = self.expr(Ty::Bool, 2);
                self.cols = saved;
                p
            })
        };
        let u_rest = || {
            vec![
                Col {
                    name: "Name".into(),
                    ty: Ty::Str,
                },
                Col {
                    name: "W".into(),
                    ty: Ty::Real,
                },
            ]
        };
        if self.chance(30) {
            q.push_str(&format!(
                " | lookup {}{right} on Id",
                self.pick(&["", "kind=leftouter ", "kind=inner "])
            ));
            self.cols.extend(u_rest());
            self.unique = None;
            return;
        }
        let kind = self.pick(&[
            "inner",
            "innerunique",
            "leftouter",
            "rightouter",
            "fullouter",
            "leftsemi",
            "leftanti",
            "rightsemi",
            "rightanti",
        ]);
        let on = if self.chance(70) {
            "Id".to_string()
        } else {
            "$left.Id == $right.Id".to_string()
        };
        q.push_str(&format!(" | join kind={kind} {right} on {on}"));
        match kind {
            "leftsemi" | "leftanti" => {}
            "rightsemi" | "rightanti" => {
                self.cols = cols_of(U_COLUMNS);
                self.unique = None;
            }
            _ => {
                self.cols.push(Col {
                    name: "Id1".into(),
                    ty: Ty::Long,
                });
                self.cols.extend(u_rest());
                self.unique = None;
            }
        }
        if kind == "innerunique" {
            // which duplicate left key survives is not defined
            self.rows_determined = false;
        }
    }

    fn evaluate(&mut self, q: &mut String) {
        match self.int(0, 5) {
            0 => {
                let Some(c) = self.col_of(Ty::Dyn) else {
                    return;
                };
                q.push_str(&format!(" | evaluate bag_unpack({c})"));
                self.opaque = true;
                // the new columns come in the order the keys are met
                self.rows_determined = false;
            }
            1 => {
                q.push_str(" | evaluate narrow()");
                self.cols = vec![
                    Col {
                        name: "Row".into(),
                        ty: Ty::Long,
                    },
                    Col {
                        name: "Column".into(),
                        ty: Ty::Str,
                    },
                    Col {
                        name: "Value".into(),
                        ty: Ty::Str,
                    },
                ];
                self.unique = None;
                self.rows_determined = false;
            }
            2 => {
                let Some(c) = self.col_of(Ty::Str) else {
                    return;
                };
                q.push_str(&format!(" | evaluate pivot({c})"));
                self.opaque = true;
                // the new columns come in the order the values are met
                self.rows_determined = false;
            }
            3 => {
                q.push_str(" | evaluate autocluster()");
                self.opaque = true;
                self.rows_determined = false;
            }
            4 => {
                q.push_str(&format!(
                    " | evaluate basket({})",
                    self.pick(&["", "0.1", "0.5"])
                ));
                self.opaque = true;
                self.rows_determined = false;
            }
            _ => {
                let Some(d) = self.col_of(Ty::Date) else {
                    return;
                };
                let Some(k) = self.any_col() else { return };
                q.push_str(&format!(
                    " | evaluate sliding_window_counts({}, {d}, datetime(2024-03-01), datetime(2024-03-20), 3d, 1d)",
                    k.name
                ));
                self.opaque = true;
            }
        }
    }

    fn pipeline(&mut self, max_ops: u32) -> String {
        let mut q = self.source();
        let n = self.int(0, max_ops);
        for _ in 0..n {
            if self.opaque {
                break;
            }
            self.operator_step(&mut q);
        }
        q
    }
}

/// Generates one script from `u`: optional `let` statements, then one query.
pub fn generate(u: &mut Unstructured) -> Generated {
    let mut g = Gen {
        u,
        cols: Vec::new(),
        fresh: 0,
        unique: None,
        rows_determined: true,
        count_determined: true,
        ordered: false,
        opaque: false,
        tabular_lets: Vec::new(),
        scalar_lets: Vec::new(),
    };
    let mut script = String::new();
    let lets = g.int(0, 2);
    for _ in 0..lets {
        if g.chance(50) {
            let t = g.typed();
            let v = g.literal(t);
            let name = format!("v{}", g.scalar_lets.len());
            script.push_str(&format!("let {name} = {v};\n"));
            g.scalar_lets.push(Col { name, ty: t });
        } else {
            let body = g.pipeline(3);
            if g.opaque || !g.rows_determined {
                g.opaque = false;
                g.rows_determined = true;
                g.count_determined = true;
                continue;
            }
            let name = format!("Q{}", g.tabular_lets.len());
            script.push_str(&format!("let {name} = {body};\n"));
            let (cols, unique) = (g.cols.clone(), g.unique.clone());
            g.tabular_lets.push((name, cols, unique));
        }
    }
    g.ordered = false;
    let body = g.pipeline(6);
    script.push_str(&body);
    Generated {
        script,
        rows_determined: g.rows_determined,
        count_determined: g.count_determined,
        ordered: g.ordered,
    }
}
