//! The KQL abstract syntax tree. Every node carries a [`Span`]; spans never take part in
//! equality. `Display` (in `display.rs`) prints canonical KQL that parses back to an equal tree.

mod display;
mod expr;
mod operator;

pub use expr::*;
pub use operator::*;

use crate::span::Span;

/// A whole script: `;`-separated statements.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// A tabular (or scalar) expression whose result is returned.
    Query(Expr),
    Let(LetStmt),
    /// `set name [= value]`.
    Set {
        name: Ident,
        value: Option<Expr>,
    },
    /// `declare query_parameters(name:type [= default], ...)`.
    DeclareQueryParameters(Vec<ScalarParam>),
    /// `declare pattern name [= (params) [path] { rules }]`: kept as raw text after the name.
    DeclarePattern {
        name: Ident,
        definition: Option<String>,
    },
    /// `alias database name = expr`.
    AliasDatabase {
        name: Ident,
        value: Expr,
    },
    /// `restrict access to (entities)`.
    RestrictAccess(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetStmt {
    pub name: Ident,
    pub value: LetValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    /// `let x = <expression>` — scalar or tabular, including `materialize(...)`.
    Expr(Expr),
    /// `let f = (params) { body }`.
    Function(FunctionDef),
    /// `let v = view (params) { body }`.
    View(FunctionDef),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    pub params: Vec<FnParam>,
    pub body: FunctionBody,
    pub span: Span,
}

/// `{ let ...; declare query_parameters(...); expr }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionBody {
    pub statements: Vec<Statement>,
    pub result: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FnParam {
    Scalar(ScalarParam),
    Tabular(TabularParam),
}

/// `name: type [= default]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarParam {
    pub name: Ident,
    pub ty: TypeName,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `T: (*)`, `T: (a:long, b:string)` or `T: (a:long, *)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TabularParam {
    pub name: Ident,
    pub columns: Vec<ColumnDecl>,
    /// True when the schema admits other columns (`*`).
    pub open: bool,
    pub span: Span,
}

/// `name: type` in a row schema (`datatable`, `parse-kv ... as (...)`, tabular parameters).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: TypeName,
    pub span: Span,
}

/// An identifier; `quoted` when written as `['name']` / `["name"]` (needed for names that are
/// keywords or contain spaces).
#[derive(Clone, Debug)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Ident {
            name: name.into(),
            span,
        }
    }
}

/// Scalar type names (with their aliases resolved) as written in type positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeName {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    Datetime,
    Timespan,
    Guid,
    String,
    Dynamic,
}

impl TypeName {
    /// Resolves a type name or alias (`boolean`, `int32`, `int64`, `double`, `date`, `time`,
    /// `uuid`, `uniqueid`).
    pub fn from_name(name: &str) -> Option<TypeName> {
        Some(match name {
            "bool" | "boolean" => TypeName::Bool,
            "int" | "int32" => TypeName::Int,
            "long" | "int64" => TypeName::Long,
            "real" | "double" => TypeName::Real,
            "decimal" => TypeName::Decimal,
            "datetime" | "date" => TypeName::Datetime,
            "timespan" | "time" => TypeName::Timespan,
            "guid" | "uuid" | "uniqueid" => TypeName::Guid,
            "string" => TypeName::String,
            "dynamic" => TypeName::Dynamic,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            TypeName::Bool => "bool",
            TypeName::Int => "int",
            TypeName::Long => "long",
            TypeName::Real => "real",
            TypeName::Decimal => "decimal",
            TypeName::Datetime => "datetime",
            TypeName::Timespan => "timespan",
            TypeName::Guid => "guid",
            TypeName::String => "string",
            TypeName::Dynamic => "dynamic",
        }
    }
}
