//! Expressions, following the precedence ladder of Kusto's grammar (loosest first):
//! `or` < `and` < equality (`==`, `!=`, `in`, `has_any`, `between`, …) < relational <
//! additive < multiplicative < string operators < unary `+`/`-` < postfix (call, `.name`,
//! `[index]`). String operators bind tighter than arithmetic, as in `Kql.g4`.

use super::lexical::*;
use super::literal::{number, raw_guid, string_lit, typed_literal};
use super::operators::{pipe_operator, source_operator};
use crate::ast::*;
use nom::Err;

fn bin(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    Expr::new(
        ExprKind::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    )
}

/// Operands allowed in one chain of binary operators (`a or b or c ...`). The tree of a chain
/// is as deep as the chain is long, and dropping or printing it recurses, so very long chains
/// are a diagnostic rather than a stack overflow on small thread stacks.
pub const MAX_CHAIN: usize = 1000;

fn chain_limit(r: &str, terms: usize) -> Result<(), nom::Err<PErr>> {
    if terms >= MAX_CHAIN {
        return Err(nom::Err::Failure(PErr::msg(
            pos(r),
            "KQL0103",
            format!(
                "the expression chains more than {MAX_CHAIN} operators; split it or use `in (...)`"
            ),
        )));
    }
    Ok(())
}

/// A full expression that may be a pipeline: `source | op | op`.
pub fn pipe_expr(i: &str) -> PResult<'_, Expr> {
    enter(i)?;
    let r = pipe_expr_inner(i);
    leave();
    r
}

fn pipe_expr_inner(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    let (mut r, source) = match source_operator(i)? {
        (r, Some(op)) => {
            let span = op.span;
            (r, Expr::new(ExprKind::Source(Box::new(op)), span))
        }
        (_, None) => expr(i)?,
    };
    let mut ops = Vec::new();
    while let Ok((r2, _)) = sym("|")(r) {
        let (r3, op) = pipe_operator(r2)?;
        ops.push(op);
        r = r3;
    }
    if ops.is_empty() {
        return Ok((r, source));
    }
    Ok((
        r,
        Expr::new(
            ExprKind::Pipe {
                source: Box::new(source),
                ops,
            },
            span_from(start),
        ),
    ))
}

/// A scalar expression (no top-level pipe).
pub fn expr(i: &str) -> PResult<'_, Expr> {
    enter(i)?;
    let r = or_expr(i);
    leave();
    r
}

fn or_expr(i: &str) -> PResult<'_, Expr> {
    let (mut r, mut left) = and_expr(i)?;
    let mut terms = 0usize;
    while let Ok((r2, _)) = kw("or")(r) {
        let (r3, right) = require(r2, "an expression after `or`", and_expr)?;
        terms += 1;
        chain_limit(r, terms)?;
        left = bin(BinaryOp::Or, left, right);
        r = r3;
    }
    Ok((r, left))
}

fn and_expr(i: &str) -> PResult<'_, Expr> {
    let (mut r, mut left) = equality_expr(i)?;
    let mut terms = 0usize;
    while let Ok((r2, _)) = kw("and")(r) {
        let (r3, right) = require(r2, "an expression after `and`", equality_expr)?;
        terms += 1;
        chain_limit(r, terms)?;
        left = bin(BinaryOp::And, left, right);
        r = r3;
    }
    Ok((r, left))
}

const LIST_OPS: &[(&str, ListOp)] = &[
    ("!in~", ListOp::NotInCi),
    ("!in", ListOp::NotIn),
    ("in~", ListOp::InCi),
    ("in", ListOp::In),
    ("has_any", ListOp::HasAny),
    ("has_all", ListOp::HasAll),
];

/// Matches a word-like operator token (which may start with `!` and end with `~`).
fn op_word<'a>(i: &'a str, word: &'static str) -> Option<&'a str> {
    let rest = i.strip_prefix(word)?;
    if word.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && rest.starts_with(is_ident_char)
    {
        return None;
    }
    if word.ends_with(|c: char| c.is_ascii_alphabetic()) && rest.starts_with('~') {
        return None;
    }
    Some(finish_token(rest))
}

fn equality_expr(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    // `* == expr` (all-columns comparison)
    let (mut r, mut left) = relational_expr(i)?;
    let mut terms = 0usize;
    loop {
        if let Ok((r2, op)) = eq_op(r) {
            let (r3, right) = require(
                r2,
                &format!("an expression after `{}`", op.as_str()),
                relational_expr,
            )?;
            terms += 1;
            chain_limit(r, terms)?;
            left = bin(op, left, right);
            r = r3;
            continue;
        }
        let mut matched = None;
        for (w, op) in LIST_OPS {
            if let Some(r2) = op_word(r, w)
                && r2.starts_with('(')
            {
                matched = Some((r2, *op));
                break;
            }
        }
        if matched.is_none() {
            for (w, _) in LIST_OPS {
                if let Some(r2) = op_word(r, w)
                    && !(*w == "in" && at_kw(r2, "range"))
                {
                    return expected(r2, &format!("`(` and a list of values after `{w}`"));
                }
            }
        }
        if let Some((r2, op)) = matched {
            let (r3, items) = paren_list(r2, op.as_str())?;
            terms += 1;
            chain_limit(r, terms)?;
            left = Expr::new(
                ExprKind::List {
                    op,
                    expr: Box::new(left),
                    items,
                },
                span_from(start),
            );
            r = r3;
            continue;
        }
        let negated = if let Some(r2) = op_word(r, "between") {
            Some((r2, false))
        } else {
            op_word(r, "!between").map(|r2| (r2, true))
        };
        if let Some((r2, negated)) = negated {
            let kwd = if negated { "!between" } else { "between" };
            let (r3, _) = require(r2, &format!("`(` after `{kwd}`"), sym("("))?;
            let (r3, low) = require(
                r3,
                &format!("the lower bound after `{kwd} (`"),
                additive_expr,
            )?;
            let (r3, _) = require(
                r3,
                &format!("`..` between the bounds of `{kwd}`"),
                sym(".."),
            )?;
            let (r3, high) = require(
                r3,
                &format!("the upper bound after `..` in `{kwd}`"),
                additive_expr,
            )?;
            let (r3, _) = require(r3, &format!("`)` to close `{kwd} (...)`"), sym(")"))?;
            terms += 1;
            chain_limit(r, terms)?;
            left = Expr::new(
                ExprKind::Between {
                    expr: Box::new(left),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                },
                span_from(start),
            );
            r = r3;
            continue;
        }
        return Ok((r, left));
    }
}

fn eq_op(i: &str) -> PResult<'_, BinaryOp> {
    for (s, op) in [
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::NotEq),
        ("<>", BinaryOp::NotEq),
    ] {
        if let Some(rest) = i.strip_prefix(s) {
            return Ok((finish_token(rest), op));
        }
    }
    backtrack(i)
}

/// `( item, item, ... )` after `in`-like operators. A single tabular subquery is allowed.
fn paren_list<'a>(i: &'a str, op: &str) -> PResult<'a, Vec<Expr>> {
    let (r, _) = require(i, &format!("`(` after `{op}`"), sym("("))?;
    if let Ok((r2, _)) = sym(")")(r) {
        return Ok((r2, Vec::new()));
    }
    let (r, items) = sep1(r, ",", &format!("a value in the `{op}` list"), pipe_expr)?;
    let (r, _) = require(r, &format!("`,` or `)` in the `{op}` list"), sym(")"))?;
    Ok((r, items))
}

fn relational_expr(i: &str) -> PResult<'_, Expr> {
    let (mut r, mut left) = additive_expr(i)?;
    let mut terms = 0usize;
    loop {
        let op = if let Some(rest) = r.strip_prefix("<=") {
            Some((rest, BinaryOp::Le))
        } else if let Some(rest) = r.strip_prefix(">=") {
            Some((rest, BinaryOp::Ge))
        } else if r.starts_with("<>") {
            None
        } else if let Some(rest) = r.strip_prefix('<') {
            Some((rest, BinaryOp::Lt))
        } else {
            r.strip_prefix('>').map(|rest| (rest, BinaryOp::Gt))
        };
        let Some((rest, op)) = op else {
            return Ok((r, left));
        };
        let r2 = finish_token(rest);
        let (r3, right) = require(
            r2,
            &format!("an expression after `{}`", op.as_str()),
            additive_expr,
        )?;
        terms += 1;
        chain_limit(r, terms)?;
        left = bin(op, left, right);
        r = r3;
    }
}

fn additive_expr(i: &str) -> PResult<'_, Expr> {
    let (mut r, mut left) = multiplicative_expr(i)?;
    let mut terms = 0usize;
    loop {
        let op = if r.starts_with('+') {
            BinaryOp::Add
        } else if r.starts_with('-') {
            BinaryOp::Sub
        } else {
            return Ok((r, left));
        };
        let r2 = finish_token(&r[1..]);
        let (r3, right) = require(
            r2,
            &format!("an expression after `{}`", op.as_str()),
            multiplicative_expr,
        )?;
        terms += 1;
        chain_limit(r, terms)?;
        left = bin(op, left, right);
        r = r3;
    }
}

fn multiplicative_expr(i: &str) -> PResult<'_, Expr> {
    let (mut r, mut left) = string_op_expr(i)?;
    let mut terms = 0usize;
    loop {
        let op = match r.chars().next() {
            Some('*')
                if !trivia(&r[1..]).starts_with([')', ',', '|', ';', ']'])
                    && !trivia(&r[1..]).is_empty() =>
            {
                BinaryOp::Mul
            }
            Some('/') if !r.starts_with("//") => BinaryOp::Div,
            Some('%') => BinaryOp::Mod,
            _ => return Ok((r, left)),
        };
        let r2 = finish_token(&r[1..]);
        let (r3, right) = require(
            r2,
            &format!("an expression after `{}`", op.as_str()),
            string_op_expr,
        )?;
        terms += 1;
        chain_limit(r, terms)?;
        left = bin(op, left, right);
        r = r3;
    }
}

fn string_op(i: &str) -> Option<(&str, BinaryOp)> {
    if let Some(rest) = i.strip_prefix("=~") {
        return Some((finish_token(rest), BinaryOp::EqCi));
    }
    if let Some(rest) = i.strip_prefix("!~") {
        return Some((finish_token(rest), BinaryOp::NotEqCi));
    }
    if !(i.starts_with(|c: char| c.is_ascii_alphabetic()) || i.starts_with('!')) {
        return None;
    }
    for (w, op) in BinaryOp::STRING_OPS {
        if let Some(r) = op_word(i, w) {
            return Some((r, *op));
        }
    }
    if let Some(r) = op_word(i, "matches") {
        return op_word(r, "regex").map(|r2| (r2, BinaryOp::MatchesRegex));
    }
    None
}

fn string_op_expr(i: &str) -> PResult<'_, Expr> {
    let (mut r, mut left) = unary_expr(i)?;
    let mut terms = 0usize;
    loop {
        if let Some((r2, op)) = string_op(r) {
            let (r3, right) = require(
                r2,
                &format!("an expression after `{}`", op.as_str()),
                unary_expr,
            )?;
            terms += 1;
            chain_limit(r, terms)?;
            left = bin(op, left, right);
            r = r3;
            continue;
        }
        // `Column:"term"` is shorthand for `has` (search syntax).
        if let Some(rest) = r.strip_prefix(':')
            && !rest.starts_with(':')
            && matches!(left.kind, ExprKind::Name(_))
        {
            let r2 = finish_token(rest);
            if let Ok((r3, right)) = unary_expr(r2)
                && matches!(right.kind, ExprKind::Literal(_))
            {
                terms += 1;
                chain_limit(r, terms)?;
                left = bin(BinaryOp::Has, left, right);
                r = r3;
                continue;
            }
        }
        return Ok((r, left));
    }
}

fn unary_expr(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    let op = if i.starts_with('-') {
        Some(UnaryOp::Neg)
    } else if i.starts_with('+') {
        Some(UnaryOp::Plus)
    } else {
        None
    };
    if let Some(op) = op {
        let r = finish_token(&i[1..]);
        enter(r)?;
        let res = require(r, "an expression after the sign", unary_expr);
        leave();
        let (r, operand) = res?;
        return Ok((
            r,
            Expr::new(
                ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                span_from(start),
            ),
        ));
    }
    postfix_expr(i)
}

fn postfix_expr(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    let (mut r, mut e) = primary(i)?;
    loop {
        // call: only on names and member paths
        if r.starts_with('(') && matches!(e.kind, ExprKind::Name(_) | ExprKind::Member { .. }) {
            let (r2, args) = call_args(r)?;
            e = Expr::new(
                ExprKind::Call {
                    func: Box::new(e),
                    args,
                },
                span_from(start),
            );
            r = r2;
            continue;
        }
        if let Ok((r2, _)) = sym(".")(r) {
            // legacy `.[expr]`
            if r2.starts_with('[') && !is_bracketed_name(r2) {
                let (r3, index) = index_suffix(r2)?;
                e = Expr::new(
                    ExprKind::Index {
                        target: Box::new(e),
                        index: Box::new(index),
                    },
                    span_from(start),
                );
                r = r3;
                continue;
            }
            let (r3, name) = require(r2, "a name after `.`", member_name)?;
            e = Expr::new(
                ExprKind::Member {
                    target: Box::new(e),
                    name,
                },
                span_from(start),
            );
            r = r3;
            continue;
        }
        if r.starts_with('[') {
            let (r2, index) = index_suffix(r)?;
            e = Expr::new(
                ExprKind::Index {
                    target: Box::new(e),
                    index: Box::new(index),
                },
                span_from(start),
            );
            r = r2;
            continue;
        }
        return Ok((r, e));
    }
}

fn is_bracketed_name(i: &str) -> bool {
    let t = trivia(&i[1..]);
    (t.starts_with('\'') || t.starts_with('"')) && {
        // `['name']` followed by `]` right after the string
        match super::literal::string_token(t) {
            Ok((r, _)) => trivia(r).starts_with(']'),
            Err(_) => false,
        }
    }
}

fn member_name(i: &str) -> PResult<'_, Ident> {
    if i.starts_with('[') {
        return bracketed_name(i);
    }
    if i.starts_with('*') {
        let start = pos(i);
        let end = i
            .find(|c: char| !(is_ident_char(c) || c == '*'))
            .unwrap_or(i.len());
        let r = finish_token(&i[end..]);
        return Ok((r, Ident::new(&i[..end], span_from(start))));
    }
    if let Some(r) = i.strip_prefix('@') {
        let start = pos(i);
        let r = finish_token(r);
        return Ok((r, Ident::new("@", span_from(start))));
    }
    ident_any(i)
}

fn index_suffix(i: &str) -> PResult<'_, Expr> {
    let (r, _) = sym("[")(i)?;
    let (r, index) = require(r, "an index expression after `[`", pipe_expr)?;
    let (r, _) = require(r, "`]` to close the index", sym("]"))?;
    Ok((r, index))
}

/// `( [name =] arg, ... )`; arguments may be `*` or tabular expressions.
pub fn call_args(i: &str) -> PResult<'_, Vec<Arg>> {
    let (mut r, _) = sym("(")(i)?;
    let mut args = Vec::new();
    if let Ok((r2, _)) = sym(")")(r) {
        return Ok((r2, args));
    }
    loop {
        let (r2, arg) = require(r, "a function argument", call_arg)?;
        args.push(arg);
        r = r2;
        if let Ok((r3, _)) = sym(",")(r) {
            r = r3;
            continue;
        }
        let (r3, _) = require(r, "`,` or `)` in the argument list", sym(")"))?;
        return Ok((r3, args));
    }
}

fn call_arg(i: &str) -> PResult<'_, Arg> {
    // named argument `name = value` (not `==`)
    if let Ok((r, name)) = ident_any(i)
        && let Ok((r2, _)) = sym("=")(r)
    {
        let (r3, value) = require(
            r2,
            &format!("a value for argument `{}`", name.name),
            pipe_expr,
        )?;
        return Ok((
            r3,
            Arg {
                name: Some(name),
                value,
            },
        ));
    }
    if let Ok((r, sp)) = sym("*")(i)
        && (r.starts_with(',') || r.starts_with(')'))
    {
        return Ok((
            r,
            Arg {
                name: None,
                value: Expr::new(ExprKind::Star, sp),
            },
        ));
    }
    let (r, value) = pipe_expr(i)?;
    Ok((r, Arg { name: None, value }))
}

fn primary(i: &str) -> PResult<'_, Expr> {
    let start = pos(i);
    let Some(c) = i.chars().next() else {
        return backtrack_expected(i, "an expression");
    };
    if c == '(' {
        let (r, _) = sym("(")(i)?;
        let (r, inner) = require(r, "an expression after `(`", pipe_expr)?;
        let (r, _) = require(r, "`)` to close the parenthesis", sym(")"))?;
        return Ok((
            r,
            Expr::new(ExprKind::Paren(Box::new(inner)), span_from(start)),
        ));
    }
    if c == '*' {
        let (r, sp) = sym("*")(i)?;
        return Ok((r, Expr::new(ExprKind::Star, sp)));
    }
    if c.is_ascii_hexdigit()
        && let Ok(v) = raw_guid(i)
    {
        return Ok(v);
    }
    if c.is_ascii_digit() {
        return number(i);
    }
    if c == '.' && i[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return fail(
            i,
            "KQL0102",
            "a real literal needs a digit before the decimal point (write `0.5`)",
        );
    }
    match string_lit(i) {
        Ok(v) => return Ok(v),
        Err(Err::Error(_)) => {}
        Err(e) => return Err(e),
    }
    if c == '[' {
        if is_bracketed_name(i) {
            let (r, name) = bracketed_name(i)?;
            return Ok((r, Expr::new(ExprKind::Name(name), span_from(start))));
        }
        return backtrack_expected(i, "an expression");
    }
    if is_ident_start(c) {
        match typed_literal(i) {
            Ok(v) => return Ok(v),
            Err(Err::Error(_)) => {}
            Err(e) => return Err(e),
        }
        let (r, (word, span)) = raw_word(i)?;
        if word == "entity_group" && r.starts_with('[') {
            let (mut r2, _) = sym("[")(r)?;
            let mut items = Vec::new();
            loop {
                let (r3, e) = require(r2, "an entity in `entity_group [...]`", expr)?;
                items.push(e);
                if let Ok((r4, _)) = sym(",")(r3) {
                    r2 = r4;
                    continue;
                }
                let (r4, _) = require(r3, "`,` or `]` in `entity_group [...]`", sym("]"))?;
                return Ok((
                    r4,
                    Expr::new(ExprKind::EntityGroup(items), span_from(start)),
                ));
            }
        }
        match word {
            "true" | "TRUE" | "True" => {
                return Ok((
                    r,
                    Expr::new(ExprKind::Literal(Literal::Bool(Some(true))), span),
                ));
            }
            "false" | "FALSE" | "False" => {
                return Ok((
                    r,
                    Expr::new(ExprKind::Literal(Literal::Bool(Some(false))), span),
                ));
            }
            _ => {}
        }
        if RESERVED.contains(&word) {
            return backtrack_expected(i, "an expression");
        }
        return Ok((r, Expr::new(ExprKind::Name(Ident::new(word, span)), span)));
    }
    if c == '@' {
        let (r, _) = sym("@")(i)?;
        return Ok((
            r,
            Expr::new(
                ExprKind::Name(Ident::new("@", span_from(start))),
                span_from(start),
            ),
        ));
    }
    backtrack_expected(i, "an expression")
}
