//! Tabular operators: one struct per operator with typed parameters. Generic
//! `name=value` parameters (`kind=`, `hint.*`, `withsource=`, …) are kept in `params`
//! in source order.

use super::{ColumnDecl, Expr, Ident, ScalarParam, TypeName};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    pub span: Span,
}

/// A `name=value` operator parameter (`kind=inner`, `hint.strategy=shuffle`,
/// `withsource=TableName`, `with_itemindex=i`). The value is a literal or a name.
#[derive(Clone, Debug, PartialEq)]
pub struct OpParam {
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

/// `[name =] expr` or `(a, b) = expr` in project, extend, summarize, ...
#[derive(Clone, Debug, PartialEq)]
pub struct NamedExpr {
    pub names: Vec<Ident>,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

/// `expr [asc|desc] [nulls first|last]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: NamedExpr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
    pub span: Span,
}

/// A pipeline without a source, as in `mv-apply ... on (subquery)`, `fork (...)`,
/// `facet ... with (...)`, `partition ... (subquery)`.
#[derive(Clone, Debug, PartialEq)]
pub struct SubPipeline {
    pub ops: Vec<Operator>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OperatorKind {
    // --- filtering and projection
    /// `where` / `filter`.
    Where {
        params: Vec<OpParam>,
        predicate: Expr,
    },
    Project(Vec<NamedExpr>),
    /// `project-away` with names or wildcard patterns (`a*`).
    ProjectAway(Vec<NamePattern>),
    ProjectKeep(Vec<NamePattern>),
    /// `project-rename new = old, ...`.
    ProjectRename(Vec<NamedExpr>),
    ProjectReorder(Vec<ReorderItem>),
    /// `project-by-names "a", "b*"` (column names given as strings).
    ProjectByNames(Vec<Expr>),
    Extend(Vec<NamedExpr>),
    /// `take` / `limit`.
    Take {
        params: Vec<OpParam>,
        count: Expr,
    },
    Count {
        params: Vec<OpParam>,
    },
    /// `distinct *` is an empty list with `star`.
    Distinct {
        params: Vec<OpParam>,
        star: bool,
        columns: Vec<NamedExpr>,
    },
    Sample {
        params: Vec<OpParam>,
        count: Expr,
    },
    SampleDistinct {
        params: Vec<OpParam>,
        count: Expr,
        of: Expr,
    },
    Serialize {
        params: Vec<OpParam>,
        columns: Vec<NamedExpr>,
    },
    GetSchema,
    Consume {
        params: Vec<OpParam>,
    },
    // --- aggregation and ordering
    Summarize {
        params: Vec<OpParam>,
        aggs: Vec<NamedExpr>,
        by: Vec<NamedExpr>,
    },
    MakeSeries(Box<MakeSeries>),
    /// `sort by` / `order by`.
    Sort {
        params: Vec<OpParam>,
        keys: Vec<SortKey>,
    },
    Top {
        params: Vec<OpParam>,
        count: Expr,
        by: SortKey,
    },
    TopNested(Vec<TopNestedClause>),
    TopHitters {
        count: Expr,
        of: Expr,
        by: Option<SortKey>,
    },
    /// `reduce [params] by expr [with threshold=..., characters=...]`.
    Reduce {
        params: Vec<OpParam>,
        by: NamedExpr,
        with: Vec<NamedExpr>,
    },
    Facet {
        by: Vec<Ident>,
        with: Option<SubPipeline>,
    },
    // --- joins and set operations
    Join {
        params: Vec<OpParam>,
        right: Expr,
        on: Vec<Expr>,
        /// `join ... where predicate` (legacy form).
        where_: Option<Expr>,
    },
    Lookup {
        params: Vec<OpParam>,
        right: Expr,
        on: Vec<Expr>,
    },
    Union {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
    },
    // --- dynamic reshaping
    MvExpand {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
    },
    MvApply {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
        on: SubPipeline,
    },
    // --- text parsing
    Parse(Box<Parse>),
    /// `parse-where`: like parse but drops rows that do not match.
    ParseWhere(Box<Parse>),
    ParseKv {
        expr: Expr,
        columns: Vec<ColumnDecl>,
        with: Vec<OpParam>,
    },
    // --- plugins, output, misc
    Evaluate {
        params: Vec<OpParam>,
        call: Expr,
        schema: Option<Vec<ColumnDecl>>,
        /// True when the output schema starts with `*` (`: (*, x:long)`).
        schema_open: bool,
    },
    Render(Box<Render>),
    As {
        params: Vec<OpParam>,
        name: Ident,
    },
    Invoke(Expr),
    Fork(Vec<ForkBranch>),
    Partition(Box<Partition>),
    Scan(Box<Scan>),
    ExecuteAndCache,
    AssertSchema(Vec<ColumnDecl>),
    // --- sources (may start a pipeline)
    Print(Vec<NamedExpr>),
    Range {
        column: Ident,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    Datatable {
        params: Vec<OpParam>,
        columns: Vec<ColumnDecl>,
        values: Vec<Expr>,
    },
    ExternalData {
        params: Vec<OpParam>,
        columns: Vec<ColumnDecl>,
        uris: Vec<Expr>,
        with: Vec<OpParam>,
    },
    Find(Box<Find>),
    /// `inline_external_table [(schema)] kind=... dataformat=... (uris) [with (...)]`.
    InlineExternalTable {
        columns: Option<Vec<ColumnDecl>>,
        params: Vec<OpParam>,
        uris: Vec<Expr>,
        with: Vec<OpParam>,
    },
    /// `macro-expand [params] group as Scope ( statements )`.
    MacroExpand {
        params: Vec<OpParam>,
        group: Expr,
        scope: Ident,
        body: Vec<super::Statement>,
    },
    Search(Box<Search>),
}

/// A column name or wildcard pattern (`Col`, `Col*`, `*Time`, `['a b']`).
#[derive(Clone, Debug, PartialEq)]
pub struct NamePattern {
    pub pattern: String,
    /// True when written in brackets (`['a b']`).
    pub quoted: bool,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReorderOrder {
    Asc,
    Desc,
    GrannyAsc,
    GrannyDesc,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReorderItem {
    pub pattern: NamePattern,
    pub order: Option<ReorderOrder>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeries {
    pub params: Vec<OpParam>,
    pub aggs: Vec<MakeSeriesAgg>,
    pub on: NamedExpr,
    pub range: MakeSeriesRange,
    pub by: Vec<NamedExpr>,
}

/// `[name =] agg(...) [default = value]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeriesAgg {
    pub agg: NamedExpr,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MakeSeriesRange {
    /// `[from start] [to end] step s`.
    FromToStep {
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
    },
    /// Legacy `in range(start, stop, step)`.
    InRange { start: Expr, stop: Expr, step: Expr },
}

/// `top-nested [N] of expr [with others = v] by agg [asc|desc]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNestedClause {
    pub count: Option<Expr>,
    pub of: NamedExpr,
    pub others: Option<Expr>,
    pub by: SortKey,
    pub span: Span,
}

/// An `mv-expand` / `mv-apply` item: `[name =] expr [to typeof(type)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MvItem {
    pub expr: NamedExpr,
    pub to_type: Option<TypeName>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseKind {
    Simple,
    Regex,
    Relaxed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Parse {
    pub kind: Option<ParseKind>,
    /// `flags=Ui` for `kind=regex`.
    pub flags: Option<String>,
    pub expr: Expr,
    pub pattern: Vec<ParsePatternItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParsePatternItem {
    Star,
    /// A string literal (or a `let`-bound string name) to match.
    Text(Expr),
    Column {
        name: Ident,
        ty: Option<TypeName>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Render {
    pub chart: Ident,
    /// `with (name = value, ...)`; values are names, literals or name lists.
    pub props: Vec<RenderProp>,
    /// True when properties were written in the legacy form (`render timechart by x`).
    pub legacy: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RenderProp {
    pub name: String,
    pub values: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForkBranch {
    pub name: Option<Ident>,
    pub body: SubPipeline,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub params: Vec<OpParam>,
    pub by: Expr,
    pub body: PartitionBody,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PartitionBody {
    /// `( operators )` applied to each partition.
    Sub(SubPipeline),
    /// `{ full expression }` using `as` to refer to the partition.
    Full(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub params: Vec<OpParam>,
    pub order_by: Vec<SortKey>,
    pub partition_by: Vec<Expr>,
    pub declare: Vec<ScalarParam>,
    pub steps: Vec<ScanStep>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanOutput {
    All,
    Last,
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScanStep {
    pub name: Ident,
    pub optional: bool,
    pub output: Option<ScanOutput>,
    pub condition: Expr,
    pub assignments: Vec<(Ident, Expr)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Find {
    pub params: Vec<OpParam>,
    pub tables: Option<Vec<Expr>>,
    pub predicate: Expr,
    pub project: FindProject,
    pub project_away: Option<Vec<FindColumn>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FindProject {
    Default,
    Smart,
    Columns(Vec<FindColumn>),
}

/// `name[:type]` or `pack(*)` in `find ... project`. `project-away *` is a single `Star`.
#[derive(Clone, Debug, PartialEq)]
pub enum FindColumn {
    Column { name: Ident, ty: Option<TypeName> },
    PackAll,
    Star,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    pub params: Vec<OpParam>,
    pub tables: Option<Vec<Expr>>,
    pub predicate: Expr,
}
