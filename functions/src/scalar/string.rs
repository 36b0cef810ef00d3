//! String functions: `strlen`, `strcat`, `strcat_delim`, `substring`, `tolower`, `toupper`,
//! `trim`/`trim_start`/`trim_end`, `split`, `extract`, `replace_string`, `replace_regex`,
//! `indexof`, `countof`, `reverse`, `strcmp`.
//!
//! Arguments that are not strings are converted with `tostring` rules where Kusto does so
//! (`strcat`, `indexof`); a null string reads as "".

use super::{
    arity, cast, is_string_like, kernel_string_arg, lit, long_arg, ok, string_arg, type_error,
};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::{self, ConvTarget, Op, TrimKind};
use datafusion::arrow::datatypes::DataType;
use datafusion::functions::{regex, string, unicode};
use datafusion::logical_expr::{Expr, when};
use datafusion::scalar::ScalarValue;

fn str_lit(s: &str) -> Expr {
    lit(ScalarValue::Utf8(Some(s.to_string())))
}

fn long_lit(v: i64) -> Expr {
    lit(ScalarValue::Int64(Some(v)))
}

/// A string-typed argument (string, guid or dynamic), as a never-null Utf8 expression.
fn text_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    let a = &args[i];
    if is_string_like(a.ty) || a.ty == KqlType::Dynamic {
        Ok(string_arg(a))
    } else {
        Err(type_error(name, i, "a string", a.ty))
    }
}

fn lit_string(a: &Arg) -> Option<String> {
    match &a.literal {
        Some(ScalarValue::Utf8(Some(s)))
        | Some(ScalarValue::LargeUtf8(Some(s)))
        | Some(ScalarValue::Utf8View(Some(s))) => Some(s.clone()),
        _ => None,
    }
}

/// Validates a literal regular expression now, so a bad pattern is a query error.
fn check_regex(name: &str, a: &Arg) -> Result<(), CallError> {
    if let Some(p) = lit_string(a)
        && let Err(e) = ::regex::Regex::new(&p)
    {
        return Err(CallError::types(format!(
            "`{name}`: invalid regular expression: {e}"
        )));
    }
    Ok(())
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "strlen" => {
            arity(name, args, 1, 1, "string")?;
            let e = unicode::character_length().call(vec![text_arg(name, args, 0)?]);
            ok(cast(e, DataType::Int64), KqlType::Long)
        }
        "strcat" => {
            arity(name, args, 1, 64, "arg1, arg2, ...")?;
            let parts = args.iter().map(string_arg).collect();
            ok(string::concat().call(parts), KqlType::String)
        }
        "strcat_delim" => {
            arity(name, args, 3, 65, "delimiter, arg1, arg2, ...")?;
            let mut parts = vec![string_arg(&args[0])];
            parts.extend(args[1..].iter().map(string_arg));
            ok(string::concat_ws().call(parts), KqlType::String)
        }
        "substring" => {
            arity(name, args, 2, 3, "source, startingIndex [, length]")?;
            let mut v = vec![string_arg(&args[0]), long_arg(name, args, 1)?];
            if args.len() == 3 {
                v.push(long_arg(name, args, 2)?);
            }
            ok(udf::call(Op::Substring, v), KqlType::String)
        }
        "tolower" | "toupper" => {
            arity(name, args, 1, 1, "string")?;
            let f = if name == "tolower" {
                string::lower()
            } else {
                string::upper()
            };
            ok(f.call(vec![text_arg(name, args, 0)?]), KqlType::String)
        }
        "trim" | "trim_start" | "trim_end" => {
            arity(name, args, 2, 2, "regex, source")?;
            check_regex(name, &args[0])?;
            let kind = match name {
                "trim" => TrimKind::Both,
                "trim_start" => TrimKind::Start,
                _ => TrimKind::End,
            };
            let v = vec![text_arg(name, args, 0)?, string_arg(&args[1])];
            ok(udf::call(Op::Trim(kind), v), KqlType::String)
        }
        "split" => {
            arity(name, args, 2, 3, "source, delimiter [, requestedIndex]")?;
            let mut v = vec![string_arg(&args[0]), text_arg(name, args, 1)?];
            if args.len() == 3 {
                v.push(long_arg(name, args, 2)?);
            }
            ok(udf::call(Op::Split, v), KqlType::Dynamic)
        }
        "extract" => {
            arity(
                name,
                args,
                3,
                4,
                "regex, captureGroup, source [, typeLiteral]",
            )?;
            check_regex(name, &args[0])?;
            let e = udf::call(
                Op::Extract,
                vec![
                    text_arg(name, args, 0)?,
                    long_arg(name, args, 1)?,
                    kernel_string_arg(&args[2]),
                ],
            );
            if args.len() == 3 {
                return ok(e, KqlType::String);
            }
            // typeLiteral: passed by the planner as a string literal naming the type
            let target = match lit_string(&args[3]).as_deref() {
                Some("string") => return ok(e, KqlType::String),
                Some("int") => (ConvTarget::Int, KqlType::Int),
                Some("long") => (ConvTarget::Long, KqlType::Long),
                Some("real") | Some("double") => (ConvTarget::Real, KqlType::Real),
                Some("bool") => (ConvTarget::Bool, KqlType::Bool),
                Some("datetime") => (ConvTarget::Datetime, KqlType::Datetime),
                Some("timespan") => (ConvTarget::Timespan, KqlType::Timespan),
                _ => {
                    return Err(CallError::types(format!(
                        "`{name}` expects a type literal such as typeof(long) as argument 4"
                    )));
                }
            };
            let conv = udf::call(
                Op::Convert {
                    target: target.0,
                    dynamic: false,
                },
                vec![e],
            );
            ok(conv, target.1)
        }
        "replace_string" => {
            arity(name, args, 3, 3, "text, lookup, rewrite")?;
            let v = vec![
                string_arg(&args[0]),
                text_arg(name, args, 1)?,
                text_arg(name, args, 2)?,
            ];
            ok(string::replace().call(v), KqlType::String)
        }
        "replace_regex" | "replace" => {
            arity(name, args, 3, 3, "source, lookup_regex, rewrite_pattern")?;
            check_regex(name, &args[1])?;
            let v = vec![
                string_arg(&args[0]),
                text_arg(name, args, 1)?,
                text_arg(name, args, 2)?,
                str_lit("g"),
            ];
            ok(regex::regexp_replace().call(v), KqlType::String)
        }
        "indexof" => {
            arity(
                name,
                args,
                2,
                5,
                "string, match [, start [, length [, occurrence]]]",
            )?;
            let mut v = vec![string_arg(&args[0]), string_arg(&args[1])];
            for (i, default) in [(2, 0), (3, -1), (4, 1)] {
                v.push(if args.len() > i {
                    long_arg(name, args, i)?
                } else {
                    long_lit(default)
                });
            }
            ok(udf::call(Op::IndexOf, v), KqlType::Long)
        }
        "countof" => {
            arity(name, args, 2, 3, "source, search [, kind]")?;
            let regex = if args.len() == 2 {
                false
            } else {
                match lit_string(&args[2]).as_deref() {
                    Some("normal") => false,
                    Some("regex") => true,
                    _ => {
                        return Err(CallError::types(format!(
                            "`{name}` expects \"normal\" or \"regex\" as argument 3"
                        )));
                    }
                }
            };
            if regex {
                check_regex(name, &args[1])?;
            }
            let v = vec![string_arg(&args[0]), text_arg(name, args, 1)?];
            ok(udf::call(Op::CountOf { regex }, v), KqlType::Long)
        }
        "reverse" => {
            arity(name, args, 1, 1, "value")?;
            ok(
                unicode::reverse().call(vec![string_arg(&args[0])]),
                KqlType::String,
            )
        }
        "strcmp" => {
            arity(name, args, 2, 2, "string1, string2")?;
            let (a, b) = (text_arg(name, args, 0)?, text_arg(name, args, 1)?);
            let e = when(a.clone().lt(b.clone()), long_lit(-1))
                .when(a.gt(b), long_lit(1))
                .otherwise(long_lit(0))
                .map_err(|e| CallError::types(e.to_string()))?;
            ok(e, KqlType::Long)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn strlen_and_strcat() {
        // docs: strlen("hello") = 5, strlen("⒦⒰⒮⒯⒪") = 5 (code points), 'Çedilla' with a
        // combining cedilla = 8
        assert_eq!(
            kql("strlen", &[s("hello")]).await,
            (Some("5".into()), KqlType::Long)
        );
        assert_eq!(kt("strlen", &[s("⒦⒰⒮⒯⒪")]).await, "5");
        assert_eq!(kt("strlen", &[s("C\u{327}edilla")]).await, "8");
        assert_eq!(kt("strlen", &[null(KqlType::String)]).await, "0");
        assert!(crate::lower::scalar_call("strlen", &[l(1)], &cx()).is_err());
        assert_eq!(
            kt("strcat", &[s("hello"), s(" "), s("world")]).await,
            "hello world"
        );
        assert_eq!(
            kt("strcat", &[s("a"), l(1), r(1.5), b(true)]).await,
            "a11.5true"
        );
        assert_eq!(
            kt("strcat", &[s("a"), null(KqlType::Long), s("b")]).await,
            "ab"
        );
        assert_eq!(kt("strcat_delim", &[s("-"), s("a"), l(2)]).await, "a-2");
    }

    #[tokio::test]
    async fn substring_cases() {
        // docs: substring("123456", 1) = "23456", (2, 2) = "34", ("ABCD", 0, 2) = "AB",
        // ("123456", -2, 2) = "56"
        assert_eq!(kt("substring", &[s("123456"), l(1)]).await, "23456");
        assert_eq!(kt("substring", &[s("123456"), l(2), l(2)]).await, "34");
        assert_eq!(kt("substring", &[s("ABCD"), l(0), l(2)]).await, "AB");
        assert_eq!(kt("substring", &[s("123456"), l(-2), l(2)]).await, "56");
        assert_eq!(kt("substring", &[s("abc"), l(10)]).await, "");
        assert_eq!(kt("tolower", &[s("AbC")]).await, "abc");
        assert_eq!(kt("toupper", &[s("AbC")]).await, "ABC");
    }

    #[tokio::test]
    async fn split_cases() {
        // docs: split("aa_bb","_") = ["aa","bb"]; ("aaa_bbb_ccc","_",1) = ["bbb"];
        // ("","_") = [""]; ("a__b","_") = ["a","","b"]; ("aabbcc","bb") = ["aa","cc"]
        assert_eq!(
            kql("split", &[s("aa_bb"), s("_")]).await,
            (Some(r#"["aa","bb"]"#.into()), KqlType::Dynamic)
        );
        assert_eq!(
            kt("split", &[s("aaa_bbb_ccc"), s("_"), l(1)]).await,
            r#"["bbb"]"#
        );
        assert_eq!(kt("split", &[s(""), s("_")]).await, r#"[""]"#);
        assert_eq!(kt("split", &[s("a__b"), s("_")]).await, r#"["a","","b"]"#);
        assert_eq!(kt("split", &[s("aabbcc"), s("bb")]).await, r#"["aa","cc"]"#);
        assert_eq!(kt("split", &[s("a_b"), s("_"), l(5)]).await, "[]");
    }

    #[tokio::test]
    async fn extract_cases() {
        let text = "User: James, Email: James@example.com, Age: 29";
        assert_eq!(
            kt("extract", &[s("User: ([^,]+)"), l(1), s(text)]).await,
            "James"
        );
        assert_eq!(
            kt("extract", &[s(r"Email: (\S+),"), l(1), s(text)]).await,
            "James@example.com"
        );
        assert_eq!(kt("extract", &[s(r"\d+"), l(0), s(text)]).await, "29");
        assert_eq!(
            kt(
                "extract",
                &[s(r"Email: (\S+),"), l(1), s("User: David, Age: 35")]
            )
            .await,
            ""
        );
        assert_eq!(
            kql(
                "extract",
                &[s(r"-(\d{2})-"), l(1), s("21-07-2023"), s("int")]
            )
            .await,
            (Some("7".into()), KqlType::Int)
        );
        assert!(crate::lower::scalar_call("extract", &[s("("), l(1), s("x")], &cx()).is_err());
    }

    #[tokio::test]
    async fn indexof_cases() {
        // docs examples: idx1..idx9 = 2, 2, -1, -1, 2, 4, 2, 9, -1
        let g = || s("abcdefg");
        assert_eq!(kt("indexof", &[g(), s("cde")]).await, "2");
        assert_eq!(kt("indexof", &[g(), s("cde"), l(1), l(4)]).await, "2");
        assert_eq!(kt("indexof", &[g(), s("cde"), l(1), l(2)]).await, "-1");
        assert_eq!(kt("indexof", &[g(), s("cde"), l(3), l(4)]).await, "-1");
        assert_eq!(kt("indexof", &[g(), s("cde"), l(-5)]).await, "2");
        assert_eq!(kt("indexof", &[l(1_234_567), l(5), l(1), l(4)]).await, "4");
        assert_eq!(kt("indexof", &[g(), s("cde"), l(2), l(-1)]).await, "2");
        let g2 = || s("abcdefgabcdefg");
        assert_eq!(
            kt("indexof", &[g2(), s("cde"), l(1), l(10), l(2)]).await,
            "9"
        );
        assert_eq!(
            kt("indexof", &[g2(), s("cde"), l(1), l(-1), l(3)]).await,
            "-1"
        );
    }

    #[tokio::test]
    async fn countof_trim_replace() {
        // docs: countof("aaa","a")=3, ("aaaa","aa")=3, ("ababa","ab","normal")=2,
        // ("ababa","aba")=2, ("ababa","aba","regex")=1, ("abcabc","a.c","regex")=2
        assert_eq!(kt("countof", &[s("aaa"), s("a")]).await, "3");
        assert_eq!(kt("countof", &[s("aaaa"), s("aa")]).await, "3");
        assert_eq!(
            kt("countof", &[s("ababa"), s("ab"), s("normal")]).await,
            "2"
        );
        assert_eq!(kt("countof", &[s("ababa"), s("aba")]).await, "2");
        assert_eq!(
            kt("countof", &[s("ababa"), s("aba"), s("regex")]).await,
            "1"
        );
        assert_eq!(
            kt("countof", &[s("abcabc"), s("a.c"), s("regex")]).await,
            "2"
        );
        assert_eq!(
            kt("trim", &[s("--"), s("--https://bing.com--")]).await,
            "https://bing.com"
        );
        assert_eq!(kt("trim_start", &[s(r"[^\w]+"), s("- ab -")]).await, "ab -");
        assert_eq!(kt("trim_end", &[s(r"[^\w]+"), s("- ab -")]).await, "- ab");
        assert_eq!(
            kt(
                "replace_string",
                &[s("A magic trick"), s("magic"), s("cool")]
            )
            .await,
            "A cool trick"
        );
        assert_eq!(
            kt(
                "replace_regex",
                &[s("Number was: 5"), s(r"was: (\d+)"), s(r"is: \1")]
            )
            .await,
            "Number is: 5"
        );
        assert_eq!(kt("reverse", &[s("abc")]).await, "cba");
        assert_eq!(kt("strcmp", &[s("a"), s("b")]).await, "-1");
    }
}
