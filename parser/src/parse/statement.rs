//! Statements (`let`, `set`, `declare`, `alias`, `restrict`, queries), `;`-separated
//! scripts, and statement-level error recovery.

use super::expr::pipe_expr;
use super::lexical::*;
use super::literal::type_name;
use super::operators::param_value;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use nom::Err;

pub fn statement(i: &str) -> PResult<'_, Statement> {
    let start = pos(i);
    let (r, kind) = if let Ok((r, _)) = kw("let")(i) {
        let (r, l) = let_stmt(r)?;
        (r, StatementKind::Let(l))
    } else if let Ok((r, _)) = kw("set")(i)
        && r.starts_with(|c: char| is_ident_start(c))
        && !at_sym(r, "|")
    {
        set_stmt(r)?
    } else if let Ok((r, _)) = kw("declare")(i) {
        declare_stmt(r)?
    } else if let Ok((r, _)) = kw("alias")(i)
        && at_kw(r, "database")
    {
        let (r, _) = kw("database")(r)?;
        let (r, name) = require(r, "a name after `alias database`", ident_any)?;
        let (r, _) = require(r, "`=` after the alias name", sym("="))?;
        let (r, value) = require(r, "a database reference after `=`", pipe_expr)?;
        (r, StatementKind::AliasDatabase { name, value })
    } else if let Ok((r, _)) = kw("restrict")(i)
        && at_kw(r, "access")
    {
        let (r, _) = kw("access")(r)?;
        let (r, _) = require(r, "`to` after `restrict access`", kw("to"))?;
        let (r, _) = require(r, "`(` after `restrict access to`", sym("("))?;
        let (r, items) = sep1(
            r,
            ",",
            "a table or database name",
            super::operators::table_ref,
        )?;
        let (r, _) = require(r, "`,` or `)` in `restrict access to (...)`", sym(")"))?;
        (r, StatementKind::RestrictAccess(items))
    } else {
        let (r, e) = require(i, "a query or statement", pipe_expr)?;
        (r, StatementKind::Query(e))
    };
    Ok((
        r,
        Statement {
            kind,
            span: span_from(start),
        },
    ))
}

fn set_stmt(i: &str) -> PResult<'_, StatementKind> {
    let start = pos(i);
    let (mut r, (w, _)) = raw_word(i)?;
    let mut name = w.to_string();
    while let Some(rest) = r.strip_prefix('.') {
        let (r2, (w2, _)) = require(rest, "a name after `.`", raw_word)?;
        name.push('.');
        name.push_str(w2);
        r = r2;
    }
    let name = Ident::new(name, span_from(start));
    let (r, value) = match sym("=")(r) {
        Ok((r2, _)) => {
            let (r3, v) = require(r2, "a value after `=`", param_value)?;
            (r3, Some(v))
        }
        Err(_) => (r, None),
    };
    Ok((r, StatementKind::Set { name, value }))
}

fn declare_stmt(i: &str) -> PResult<'_, StatementKind> {
    if let Ok((r, _)) = kw("query_parameters")(i) {
        let (r, _) = require(r, "`(` after `declare query_parameters`", sym("("))?;
        let (r, params) = sep1(r, ",", "a parameter `name: type [= default]`", scalar_param)?;
        let (r, _) = require(r, "`,` or `)` in `declare query_parameters(...)`", sym(")"))?;
        return Ok((r, StatementKind::DeclareQueryParameters(params)));
    }
    if let Ok((r, _)) = kw("pattern")(i) {
        let (r, name) = require(r, "a pattern name after `declare pattern`", ident_any)?;
        if let Ok((r2, _)) = sym("=")(r) {
            // keep the definition verbatim up to the end of the statement
            let end = statement_end(r2);
            let text = r2[..end].trim_end().to_string();
            let rest = finish_token(&r2[end..]);
            return Ok((
                rest,
                StatementKind::DeclarePattern {
                    name,
                    definition: Some(text),
                },
            ));
        }
        return Ok((
            r,
            StatementKind::DeclarePattern {
                name,
                definition: None,
            },
        ));
    }
    expected(i, "`query_parameters` or `pattern` after `declare`")
}

/// Byte length of `i` up to (not including) the first `;` outside brackets and strings.
pub fn statement_end(i: &str) -> usize {
    let bytes = i.as_bytes();
    let mut depth: i32 = 0;
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        match b {
            b'"' | b'\'' => {
                let q = b;
                k += 1;
                while k < bytes.len() && bytes[k] != q && bytes[k] != b'\n' {
                    if bytes[k] == b'\\' {
                        k += 1;
                    }
                    k += 1;
                }
            }
            b'`' if i[k..].starts_with("```") => {
                k = i[k + 3..]
                    .find("```")
                    .map(|e| k + 3 + e + 2)
                    .unwrap_or(bytes.len());
            }
            b'/' if i[k..].starts_with("//") => {
                k = i[k..].find('\n').map(|e| k + e).unwrap_or(bytes.len());
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b';' if depth <= 0 => return k,
            _ => {}
        }
        k += 1;
    }
    bytes.len().min(i.len())
}

/// `name: type [= default]`.
pub fn scalar_param(i: &str) -> PResult<'_, ScalarParam> {
    let start = pos(i);
    let (r, name) = ident_any(i)?;
    let (r, _) = require(
        r,
        &format!("`:` and a type after parameter `{}`", name.name),
        sym(":"),
    )?;
    let (r, ty) = type_name(r)?;
    let (r, default) = match sym("=")(r) {
        Ok((r2, _)) => {
            let (r3, v) = require(r2, "a default value after `=`", super::expr::expr)?;
            (r3, Some(v))
        }
        Err(_) => (r, None),
    };
    Ok((
        r,
        ScalarParam {
            name,
            ty,
            default,
            span: span_from(start),
        },
    ))
}

fn fn_param(i: &str) -> PResult<'_, FnParam> {
    let start = pos(i);
    let (r, name) = ident_any(i)?;
    let (r2, _) = require(
        r,
        &format!("`:` and a type after parameter `{}`", name.name),
        sym(":"),
    )?;
    if r2.starts_with('(') {
        let (mut r3, _) = sym("(")(r2)?;
        let mut columns = Vec::new();
        let mut open = false;
        loop {
            if let Ok((r4, _)) = sym("*")(r3) {
                open = true;
                r3 = r4;
            } else {
                let cstart = pos(r3);
                let (r4, cname) = require(r3, "a column `name: type` or `*`", ident_any)?;
                let (r4, _) = require(r4, "`:` after the column name", sym(":"))?;
                let (r4, ty) = type_name(r4)?;
                columns.push(ColumnDecl {
                    name: cname,
                    ty,
                    span: span_from(cstart),
                });
                r3 = r4;
            }
            if let Ok((r4, _)) = sym(",")(r3) {
                r3 = r4;
                continue;
            }
            let (r4, _) = require(r3, "`,` or `)` in the tabular parameter schema", sym(")"))?;
            return Ok((
                r4,
                FnParam::Tabular(TabularParam {
                    name,
                    columns,
                    open,
                    span: span_from(start),
                }),
            ));
        }
    }
    let (r, p) = scalar_param(i)?;
    Ok((r, FnParam::Scalar(p)))
}

/// True when `i` (at `(`) starts a function definition: `()` or `(name:` followed by ... `{`.
fn is_function_def(i: &str) -> bool {
    let Ok((r, _)) = sym("(")(i) else {
        return false;
    };
    if let Ok((r2, _)) = sym(")")(r) {
        return r2.starts_with('{');
    }
    match ident_any(r) {
        Ok((r2, _)) if at_sym(r2, ":") => true,
        // `(x) {` or `(x, y) {`: a function whose parameters lack types (reported there)
        Ok(_) => {
            let end = i.find(')').unwrap_or(i.len());
            let inside = i.get(1..end).unwrap_or("");
            inside
                .chars()
                .all(|c| is_ident_char(c) || c == ',' || c.is_whitespace())
                && trivia(i.get(end + 1..).unwrap_or("")).starts_with('{')
        }
        Err(_) => false,
    }
}

fn function_def(i: &str) -> PResult<'_, FunctionDef> {
    let start = pos(i);
    let (r, _) = sym("(")(i)?;
    let (r, params) = if let Ok((r2, _)) = sym(")")(r) {
        (r2, Vec::new())
    } else {
        let (r2, ps) = sep1(r, ",", "a parameter `name: type`", fn_param)?;
        let (r2, _) = require(r2, "`,` or `)` in the parameter list", sym(")"))?;
        (r2, ps)
    };
    let (r, body) = function_body(r)?;
    Ok((
        r,
        FunctionDef {
            params,
            body,
            span: span_from(start),
        },
    ))
}

fn function_body(i: &str) -> PResult<'_, FunctionBody> {
    let start = pos(i);
    let (mut r, _) = require(i, "`{` and the function body", sym("{"))?;
    enter(r)?;
    let mut statements = Vec::new();
    let mut result = None;
    loop {
        if let Ok((r2, _)) = sym(";")(r) {
            r = r2;
            continue;
        }
        if let Ok((r2, _)) = sym("}")(r) {
            leave();
            return Ok((
                r2,
                FunctionBody {
                    statements,
                    result,
                    span: span_from(start),
                },
            ));
        }
        if result.is_some() {
            leave();
            return expected(r, "`}` to close the function body");
        }
        let s = pos(r);
        let stmt_res = if at_kw(r, "let") || at_kw(r, "declare") {
            statement(r)
        } else {
            match pipe_expr(r) {
                Ok((r2, e)) => {
                    result = Some(e);
                    r = r2;
                    continue;
                }
                Err(Err::Error(_)) => {
                    leave();
                    return expected(r, "a statement or `}` in the function body");
                }
                Err(e) => Err(e),
            }
        };
        let (r2, st) = match stmt_res {
            Ok(v) => v,
            Err(e) => {
                leave();
                return Err(e);
            }
        };
        let _ = s;
        statements.push(st);
        r = r2;
        if !at_sym(r, ";") && !at_sym(r, "}") {
            leave();
            return expected(r, "`;` after the statement in the function body");
        }
    }
}

fn let_stmt(i: &str) -> PResult<'_, LetStmt> {
    let (r, name) = require(i, "a name after `let`", ident_any)?;
    let (r, _) = require(r, &format!("`=` after `let {}`", name.name), sym("="))?;
    if let Ok((r2, _)) = kw("view")(r)
        && r2.starts_with('(')
    {
        let (r3, def) = function_def(r2)?;
        return Ok((
            r3,
            LetStmt {
                name,
                value: LetValue::View(def),
            },
        ));
    }
    if is_function_def(r) {
        let (r2, def) = function_def(r)?;
        return Ok((
            r2,
            LetStmt {
                name,
                value: LetValue::Function(def),
            },
        ));
    }
    let (r, e) = require(
        r,
        &format!("a value after `let {} =`", name.name),
        pipe_expr,
    )?;
    Ok((
        r,
        LetStmt {
            name,
            value: LetValue::Expr(e),
        },
    ))
}

/// Converts a parser error into a diagnostic.
pub fn to_diagnostic(src: &str, e: &PErr) -> Diagnostic {
    let mut at = e.pos.min(src.len());
    // at the end of the input (only whitespace or comments left): point just after the last token
    if trivia(src.get(at..).unwrap_or("")).is_empty() {
        at = at.min(src.trim_end().len());
    }
    let rest = src.get(at..).unwrap_or("");
    let len = token_len(rest);
    let span = Span::new(at, at + len);
    match &e.message {
        Some(m) => match m.split_once("; did you mean ") {
            Some((msg, s)) => {
                Diagnostic::error(e.code, msg, span).with_help(format!("did you mean {s}"))
            }
            None => Diagnostic::error(e.code, m.clone(), span),
        },
        None => {
            let found = describe_next(rest);
            let msg = match e.expected {
                Some(x) => format!("expected {x}, found {found}"),
                None => format!("unexpected {found}"),
            };
            Diagnostic::error("KQL0101", msg, span)
        }
    }
}

fn token_len(rest: &str) -> usize {
    let Some(c) = rest.chars().next() else {
        return 0;
    };
    if is_ident_start(c) || c.is_ascii_digit() {
        let b = rest.as_bytes();
        let mut n = 0;
        while n < b.len()
            && (b[n].is_ascii_alphanumeric()
                || b[n] == b'_'
                || b[n] == b'$'
                || (b[n] == b'-' && n + 1 < b.len() && b[n + 1].is_ascii_alphabetic()))
        {
            n += 1;
        }
        return n.max(1);
    }
    c.len_utf8()
}

/// Parses a whole script with recovery at `;`.
pub fn script(src: &str) -> (Script, Vec<Diagnostic>) {
    let mut statements = Vec::new();
    let mut diags = Vec::new();
    let mut i = trivia(src);
    while !i.is_empty() {
        if let Ok((r, _)) = sym(";")(i) {
            i = r;
            continue;
        }
        let stmt_start = pos(i);
        match statement(i) {
            Ok((r, st)) => {
                statements.push(st);
                if r.is_empty() {
                    i = r;
                } else if let Ok((r2, _)) = sym(";")(r) {
                    i = r2;
                } else {
                    let at = pos(r);
                    let found = describe_next(r);
                    let msg = if r.starts_with(')') {
                        "unexpected `)` with no matching `(`".to_string()
                    } else if r.starts_with('=') && !r.starts_with("==") {
                        "unexpected `=`; use `==` to compare values".to_string()
                    } else if r.starts_with("matches") {
                        "expected `regex` after `matches`".to_string()
                    } else {
                        format!(
                            "unexpected {found} after the end of the statement; expected `|`, `;` or end of input"
                        )
                    };
                    diags.push(Diagnostic::error(
                        "KQL0100",
                        msg,
                        Span::new(at, at + token_len(r)),
                    ));
                    i = skip_statement(src, at);
                }
            }
            Err(Err::Error(e)) | Err(Err::Failure(e)) => {
                diags.push(to_diagnostic(src, &e));
                let from = e.pos.max(stmt_start);
                i = skip_statement(src, from);
            }
            Err(Err::Incomplete(_)) => {
                diags.push(Diagnostic::error(
                    "KQL0101",
                    "unexpected end of input",
                    Span::new(src.len(), src.len()),
                ));
                i = "";
            }
        }
    }
    let span = Span::new(0, src.len());
    (Script { statements, span }, diags)
}

/// Skips from byte `from` to just after the next top-level `;`.
fn skip_statement(src: &str, from: usize) -> &str {
    let Some(rest) = src.get(from..) else {
        return "";
    };
    let end = statement_end(rest);
    match rest.get(end..) {
        Some(r) if r.starts_with(';') => trivia(&r[1..]),
        _ => "",
    }
}
