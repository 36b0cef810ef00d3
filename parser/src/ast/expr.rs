//! Scalar and tabular expressions. A pipeline (`T | where ...`) is itself an expression,
//! because KQL allows tabular subqueries wherever an expression may stand
//! (`x in (T | project y)`, `toscalar(...)`, `join (T | ...)`).

use super::{Ident, Operator, TypeName};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A column, table, `let` or parameter name (incl. `['quoted name']`, `$left`, `$right`).
    Name(Ident),
    /// `*` as an argument (`arg_max(x, *)`, `count(*)`) or `* has "x"`.
    Star,
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `x between (low .. high)` / `x !between (low .. high)`.
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    /// `x in (a, b)`, `x !in~ (T | project y)`, `x has_any ("a", "b")`.
    List {
        op: ListOp,
        expr: Box<Expr>,
        items: Vec<Expr>,
    },
    /// `f(args)`; `func` is a name or a dotted path (`cluster("x").database("y")`).
    Call {
        func: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `target.name`.
    Member {
        target: Box<Expr>,
        name: Ident,
    },
    /// `target[index]`.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `( expr )`.
    Paren(Box<Expr>),
    /// `source | op | op ...`.
    Pipe {
        source: Box<Expr>,
        ops: Vec<Operator>,
    },
    /// `entity_group [a, b, ...]`.
    EntityGroup(Vec<Expr>),
    /// An operator that starts a pipeline on its own: `datatable`, `range`, `print`, `union`,
    /// `find`, `search`, `evaluate`, `externaldata`.
    Source(Box<Operator>),
}

/// A call argument, optionally named (`f(x, threshold=1.5)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Plus,
}

/// `in`-like operators that take a parenthesised list (or a tabular subquery).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListOp {
    In,
    NotIn,
    InCi,
    NotInCi,
    HasAny,
    HasAll,
}

impl ListOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            ListOp::In => "in",
            ListOp::NotIn => "!in",
            ListOp::InCi => "in~",
            ListOp::NotInCi => "!in~",
            ListOp::HasAny => "has_any",
            ListOp::HasAll => "has_all",
        }
    }
}

/// Binary operators, grouped by precedence level (loosest first):
/// `or` < `and` < equality < relational < additive < multiplicative < string operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    // equality
    Eq,
    NotEq,
    // relational
    Lt,
    Le,
    Gt,
    Ge,
    // additive
    Add,
    Sub,
    // multiplicative
    Mul,
    Div,
    Mod,
    // string operators
    EqCi,
    NotEqCi,
    Has,
    NotHas,
    HasCs,
    NotHasCs,
    HasPrefix,
    NotHasPrefix,
    HasPrefixCs,
    NotHasPrefixCs,
    HasSuffix,
    NotHasSuffix,
    HasSuffixCs,
    NotHasSuffixCs,
    Contains,
    NotContains,
    ContainsCs,
    NotContainsCs,
    StartsWith,
    NotStartsWith,
    StartsWithCs,
    NotStartsWithCs,
    EndsWith,
    NotEndsWith,
    EndsWithCs,
    NotEndsWithCs,
    MatchesRegex,
    Like,
    NotLike,
    LikeCs,
    NotLikeCs,
}

/// Precedence levels; higher binds tighter.
pub const PREC_OR: u8 = 1;
pub const PREC_AND: u8 = 2;
pub const PREC_EQUALITY: u8 = 3;
pub const PREC_RELATIONAL: u8 = 4;
pub const PREC_ADDITIVE: u8 = 5;
pub const PREC_MULTIPLICATIVE: u8 = 6;
pub const PREC_STRING: u8 = 7;

impl BinaryOp {
    /// The canonical spelling.
    pub fn as_str(&self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            EqCi => "=~",
            NotEqCi => "!~",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            MatchesRegex => "matches regex",
            Like => "like",
            NotLike => "notlike",
            LikeCs => "likecs",
            NotLikeCs => "notlikecs",
        }
    }

    pub fn precedence(&self) -> u8 {
        use BinaryOp::*;
        match self {
            Or => PREC_OR,
            And => PREC_AND,
            Eq | NotEq => PREC_EQUALITY,
            Lt | Le | Gt | Ge => PREC_RELATIONAL,
            Add | Sub => PREC_ADDITIVE,
            Mul | Div | Mod => PREC_MULTIPLICATIVE,
            _ => PREC_STRING,
        }
    }

    /// Word-like string operators, longest spellings first so that prefixes do not shadow them.
    pub const STRING_OPS: &'static [(&'static str, BinaryOp)] = &[
        ("!hasprefix_cs", BinaryOp::NotHasPrefixCs),
        ("!hassuffix_cs", BinaryOp::NotHasSuffixCs),
        ("!startswith_cs", BinaryOp::NotStartsWithCs),
        ("!endswith_cs", BinaryOp::NotEndsWithCs),
        ("!contains_cs", BinaryOp::NotContainsCs),
        ("!has_cs", BinaryOp::NotHasCs),
        ("!hasprefix", BinaryOp::NotHasPrefix),
        ("!hassuffix", BinaryOp::NotHasSuffix),
        ("!startswith", BinaryOp::NotStartsWith),
        ("!endswith", BinaryOp::NotEndsWith),
        ("!contains", BinaryOp::NotContains),
        ("!has", BinaryOp::NotHas),
        ("hasprefix_cs", BinaryOp::HasPrefixCs),
        ("hassuffix_cs", BinaryOp::HasSuffixCs),
        ("startswith_cs", BinaryOp::StartsWithCs),
        ("endswith_cs", BinaryOp::EndsWithCs),
        ("contains_cs", BinaryOp::ContainsCs),
        ("containscs", BinaryOp::ContainsCs),
        ("notcontainscs", BinaryOp::NotContainsCs),
        ("notcontains", BinaryOp::NotContains),
        ("has_cs", BinaryOp::HasCs),
        ("hasprefix", BinaryOp::HasPrefix),
        ("hassuffix", BinaryOp::HasSuffix),
        ("startswith", BinaryOp::StartsWith),
        ("endswith", BinaryOp::EndsWith),
        ("contains", BinaryOp::Contains),
        ("has", BinaryOp::Has),
        ("notlikecs", BinaryOp::NotLikeCs),
        ("notlike", BinaryOp::NotLike),
        ("likecs", BinaryOp::LikeCs),
        ("like", BinaryOp::Like),
    ];
}

/// A literal value. Typed literals keep `None` for their null form (`long(null)`).
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Bool(Option<bool>),
    /// `int(5)`.
    Int(Option<i32>),
    /// `5`, `0x1F`, `long(5)`.
    Long(Option<i64>),
    /// `1.5`, `1e3`, `real(nan)`, `real(+inf)`.
    Real(Option<Real>),
    /// `decimal(1.25)`: the digits as written.
    Decimal(Option<String>),
    /// `datetime(...)`: the text between the parentheses, trimmed.
    Datetime(Option<String>),
    /// A timespan in ticks of 100 ns (`1.5h`, `time(1.02:03:04)`, `timespan(null)`).
    Timespan(Option<i64>),
    /// `guid(...)` or a bare GUID: the text as written.
    Guid(Option<String>),
    /// A string value after escape processing; `obfuscated` for `h"..."`.
    String {
        value: String,
        obfuscated: bool,
    },
    /// `dynamic(...)`.
    Dynamic(Dynamic),
    /// `typeof(long)` / `typeof(a:long, b:string)` in type positions.
    TypeOf(Vec<TypeOfItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeOfItem {
    pub name: Option<Ident>,
    /// `None` for `*` (all input columns, as in `typeof(*, fx:double)`).
    pub ty: Option<TypeName>,
}

/// A real number that compares bit-for-bit (so `real(nan) == real(nan)` in tests).
#[derive(Clone, Copy, Debug)]
pub struct Real(pub f64);

impl PartialEq for Real {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits() || (self.0.is_nan() && other.0.is_nan())
    }
}

/// The value inside `dynamic(...)`: JSON extended with Kusto's typed literals.
#[derive(Clone, Debug, PartialEq)]
pub enum Dynamic {
    Null,
    Bool(bool),
    Long(i64),
    Real(Real),
    String(String),
    Array(Vec<Dynamic>),
    Object(Vec<(String, Dynamic)>),
    /// A typed Kusto literal inside the dynamic value (`datetime(...)`, `1h`, `guid(...)`, `int(5)`).
    Typed(Box<Literal>),
}
