//! String operators (docs `datatypes-string-operators.md`): `=~`, `!~`, `has`, `hasprefix`,
//! `hassuffix`, `contains`, `startswith`, `endswith` (each with `!` and `_cs` forms) and
//! `matches regex`.
//!
//! Operands are read as KQL strings (non-strings with `tostring` rules; null as "" — KQL
//! strings are never null), so these operators never yield null. Case-insensitive forms
//! compare Unicode-lowercased text. The `has` family matches terms (see [`crate::udf::has_match`]).
//! `like`/`notlike`/`likecs`/`notlikecs` (undocumented) are rejected.

use crate::lower::{Arg, CallError, Lowered};
use crate::scalar::string_arg;
use crate::types::KqlType;
use crate::udf::{self, HasKind, Op};
use datafusion::functions::{regex, string};
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;
use kql_parser::ast::BinaryOp;

fn lower(e: Expr) -> Expr {
    string::lower().call(vec![e])
}

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

/// Lowers `left <op> right` for a string operator.
pub fn string_op(op: BinaryOp, left: &Arg, right: &Arg) -> Result<Lowered, CallError> {
    use BinaryOp::*;
    let (l, r) = (string_arg(left), string_arg(right));
    // the has kernels read a null string as "" themselves: no coalesce copy of the column
    let raw_left = crate::scalar::kernel_string_arg(left);
    let has = |kind: HasKind, case_sensitive: bool| {
        udf::call(
            Op::Has {
                kind,
                case_sensitive,
            },
            vec![raw_left.clone(), r.clone()],
        )
    };
    // a constant needle: DataFusion's LIKE '%needle%' (a memmem search) beats `contains`
    let literal_needle = match &right.literal {
        Some(ScalarValue::Utf8(Some(n))) if right.ty == KqlType::String => Some(n.clone()),
        _ => None,
    };
    let contains = |cs: bool| {
        if cs && let Some(n) = &literal_needle {
            let escaped: String = n
                .chars()
                .flat_map(|c| match c {
                    '\\' | '%' | '_' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            Expr::Like(datafusion::logical_expr::expr::Like::new(
                false,
                Box::new(l.clone()),
                Box::new(datafusion::logical_expr::lit(format!("%{escaped}%"))),
                Some('\\'),
                false,
            ))
        } else if cs {
            string::contains().call(vec![l.clone(), r.clone()])
        } else {
            string::contains().call(vec![lower(l.clone()), lower(r.clone())])
        }
    };
    let starts = |cs: bool| {
        if cs {
            string::starts_with().call(vec![l.clone(), r.clone()])
        } else {
            string::starts_with().call(vec![lower(l.clone()), lower(r.clone())])
        }
    };
    let ends = |cs: bool| {
        if cs {
            string::ends_with().call(vec![l.clone(), r.clone()])
        } else {
            string::ends_with().call(vec![lower(l.clone()), lower(r.clone())])
        }
    };
    let expr = match op {
        EqCi => lower(l.clone()).eq(lower(r.clone())),
        NotEqCi => lower(l.clone()).not_eq(lower(r.clone())),
        Has => has(HasKind::Term, false),
        NotHas => not(has(HasKind::Term, false)),
        HasCs => has(HasKind::Term, true),
        NotHasCs => not(has(HasKind::Term, true)),
        HasPrefix => has(HasKind::Prefix, false),
        NotHasPrefix => not(has(HasKind::Prefix, false)),
        HasPrefixCs => has(HasKind::Prefix, true),
        NotHasPrefixCs => not(has(HasKind::Prefix, true)),
        HasSuffix => has(HasKind::Suffix, false),
        NotHasSuffix => not(has(HasKind::Suffix, false)),
        HasSuffixCs => has(HasKind::Suffix, true),
        NotHasSuffixCs => not(has(HasKind::Suffix, true)),
        Contains => contains(false),
        NotContains => not(contains(false)),
        ContainsCs => contains(true),
        NotContainsCs => not(contains(true)),
        StartsWith => starts(false),
        NotStartsWith => not(starts(false)),
        StartsWithCs => starts(true),
        NotStartsWithCs => not(starts(true)),
        EndsWith => ends(false),
        NotEndsWith => not(ends(false)),
        EndsWithCs => ends(true),
        NotEndsWithCs => not(ends(true)),
        MatchesRegex => {
            if let Some(ScalarValue::Utf8(Some(p))) = &right.literal
                && let Err(e) = ::regex::Regex::new(p)
            {
                return Err(CallError::types(format!(
                    "`matches regex`: invalid regular expression: {e}"
                )));
            }
            // regexp_like is null only for null inputs, which string_arg rules out
            regex::regexp_like().call(vec![l.clone(), r.clone()])
        }
        Like | NotLike | LikeCs | NotLikeCs => {
            return Err(CallError::types(format!(
                "the `{}` operator is not supported; use `matches regex`, `contains` or `has`",
                op.as_str()
            )));
        }
        other => {
            return Err(CallError::types(format!(
                "`{}` is not a string operator",
                other.as_str()
            )));
        }
    };
    Ok(Lowered {
        expr,
        ty: KqlType::Bool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::test_util::*;
    use BinaryOp::*;

    async fn op(o: BinaryOp, a: &str, b: &str) -> bool {
        let l = string_op(o, &s(a), &s(b)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.ty, KqlType::Bool);
        match eval_text(l.expr).await.as_str() {
            "true" => true,
            "false" => false,
            other => panic!("{o:?}: {other}"),
        }
    }

    #[tokio::test]
    async fn docs_table() {
        // the "Example (yields true)" column of datatypes-string-operators.md
        let cases: &[(BinaryOp, &str, &str)] = &[
            (EqCi, "abc", "ABC"),
            (NotEqCi, "aBc", "xyz"),
            (Contains, "FabriKam", "BRik"),
            (NotContains, "Fabrikam", "xyz"),
            (ContainsCs, "FabriKam", "Kam"),
            (NotContainsCs, "Fabrikam", "Kam"),
            (EndsWith, "Fabrikam", "Kam"),
            (NotEndsWith, "Fabrikam", "brik"),
            (EndsWithCs, "Fabrikam", "kam"),
            (NotEndsWithCs, "Fabrikam", "brik"),
            (Has, "North America", "america"),
            (NotHas, "North America", "amer"),
            (HasCs, "North America", "America"),
            (NotHasCs, "North America", "amer"),
            (HasPrefix, "North America", "ame"),
            (NotHasPrefix, "North America", "mer"),
            (HasPrefixCs, "North America", "Ame"),
            (NotHasPrefixCs, "North America", "CA"),
            (HasSuffix, "North America", "ica"),
            (NotHasSuffix, "North America", "americ"),
            (HasSuffixCs, "North America", "ica"),
            (NotHasSuffixCs, "North America", "icA"),
            (MatchesRegex, "Fabrikam", "b.*k"),
            (StartsWith, "Fabrikam", "fab"),
            (NotStartsWith, "Fabrikam", "kam"),
            (StartsWithCs, "Fabrikam", "Fab"),
            (NotStartsWithCs, "Fabrikam", "fab"),
        ];
        for (o, a, b) in cases {
            assert!(op(*o, a, b).await, "{a} {o:?} {b}");
        }
        assert!(!op(Has, "KustoExplorerQueryRun", "Explorer").await);
        assert!(op(Contains, "KustoExplorerQueryRun", "Explorer").await);
        assert!(!op(ContainsCs, "FabriKam", "kam").await);
        assert!(!op(StartsWithCs, "Fabrikam", "fab").await);
    }

    #[tokio::test]
    async fn nulls_and_non_strings() {
        let n = null(KqlType::String);
        let e = string_op(Contains, &n, &s("")).unwrap();
        assert_eq!(eval_text(e.expr).await, "true");
        let e = string_op(Has, &n, &s("a")).unwrap();
        assert_eq!(eval_text(e.expr).await, "false");
        let e = string_op(Has, &l(12345), &s("12345")).unwrap();
        assert_eq!(eval_text(e.expr).await, "true");
        let e = string_op(EqCi, &n, &s("")).unwrap();
        assert_eq!(eval_text(e.expr).await, "true");
        assert!(string_op(Like, &s("a"), &s("a")).is_err());
        assert!(string_op(Add, &s("a"), &s("a")).is_err());
        assert!(string_op(MatchesRegex, &s("a"), &s("(")).is_err());
    }
}
