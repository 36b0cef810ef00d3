//! Building small KQL expressions for the planner's rewrites (`bin(min, step)`,
//! `bag_pack("c", c)`, `tolong(x)`, ...), which are then planned like user-written ones.

use kql_parser::Span;
use kql_parser::ast::{Arg, Expr, ExprKind, Ident, Literal};

/// A name reference.
pub(crate) fn name(n: &str, span: Span) -> Expr {
    Expr::new(ExprKind::Name(Ident::new(n, span)), span)
}

/// A string literal.
pub(crate) fn string(s: &str, span: Span) -> Expr {
    Expr::new(
        ExprKind::Literal(Literal::String {
            value: s.to_string(),
            obfuscated: false,
        }),
        span,
    )
}

/// A call of the function `f` with positional arguments.
pub(crate) fn call(f: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Call {
            func: Box::new(name(f, span)),
            args: args
                .into_iter()
                .map(|value| Arg { name: None, value })
                .collect(),
        },
        span,
    )
}
