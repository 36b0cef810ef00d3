//! More string functions: `extract_all` (`extractall`), `strrep`, `string_size`, `translate`,
//! `replace_strings`, `indexof_regex`, `regex_quote`, `has_any_index`,
//! `unicode_codepoints_from_string` (`to_utf8`), `unicode_codepoints_to_string`
//! (`make_string`), `parse_command_line`, `isascii`, `isutf8`, `array_strcat` (kernels in
//! `crate::udf::misc_ops`).
//!
//! Arguments documented as strings accept string, guid and dynamic values (read as their text);
//! `strrep` converts any value with `tostring` rules, as its docs say.

use super::{arity, cast, is_string_like, lit, long_arg, ok, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::misc_ops::{self as k, MiscOp};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;

fn text_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    let a = &args[i];
    if is_string_like(a.ty) || a.ty == KqlType::Dynamic {
        Ok(string_arg(a))
    } else {
        Err(type_error(name, i, "a string", a.ty))
    }
}

fn dynamic_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    if args[i].ty == KqlType::Dynamic {
        Ok(args[i].expr.clone())
    } else {
        Err(type_error(name, i, "a dynamic array", args[i].ty))
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

/// A literal pattern compiled now, so a bad one is a query error.
fn literal_regex(name: &str, a: &Arg) -> Result<Option<regex::Regex>, CallError> {
    match lit_string(a) {
        None => Ok(None),
        Some(p) => regex::Regex::new(&p)
            .map(Some)
            .map_err(|e| CallError::types(format!("`{name}`: invalid regular expression: {e}"))),
    }
}

fn long_lit(v: i64) -> Expr {
    lit(ScalarValue::Int64(Some(v)))
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "extract_all" | "extractall" => {
            arity(name, args, 2, 3, "regex, [captureGroups,] source")?;
            let re = literal_regex(name, &args[0])?;
            let (groups, src) = if args.len() == 3 {
                (dynamic_arg(name, args, 1)?, 2)
            } else {
                (lit(ScalarValue::Utf8(None)), 1)
            };
            if let Some(r) = &re {
                if !k::extract_all_group_count_ok(r) {
                    return Err(CallError::types(format!(
                        "`{name}`: the regular expression must have 1 to 16 capture groups"
                    )));
                }
                if args.len() == 3
                    && let Some(sel) = lit_string(&args[1])
                {
                    let v = serde_json::from_str::<serde_json::Value>(&sel)
                        .unwrap_or(serde_json::Value::Null);
                    if k::extract_all_groups(r, Some(&v)).is_none() {
                        return Err(CallError::types(format!(
                            "`{name}`: captureGroups must be a non-empty array of group numbers (1 to {}) or group names of the regular expression",
                            r.captures_len() - 1
                        )));
                    }
                }
            }
            let v = vec![text_arg(name, args, 0)?, groups, text_arg(name, args, src)?];
            ok(k::call(MiscOp::ExtractAll, v), KqlType::Dynamic)
        }
        "strrep" => {
            arity(name, args, 2, 3, "value, multiplier [, delimiter]")?;
            let d = match args.get(2) {
                Some(a) => string_arg(a),
                None => lit(ScalarValue::Utf8(Some(String::new()))),
            };
            let v = vec![string_arg(&args[0]), long_arg(name, args, 1)?, d];
            ok(k::call(MiscOp::StrRep, v), KqlType::String)
        }
        "string_size" => {
            arity(name, args, 1, 1, "source")?;
            let e =
                datafusion::functions::string::octet_length().call(vec![text_arg(name, args, 0)?]);
            ok(cast(e, DataType::Int64), KqlType::Long)
        }
        "translate" => {
            arity(name, args, 3, 3, "searchList, replacementList, source")?;
            let v = (0..3)
                .map(|i| text_arg(name, args, i))
                .collect::<Result<Vec<_>, _>>()?;
            ok(k::call(MiscOp::Translate, v), KqlType::String)
        }
        "replace_strings" => {
            arity(name, args, 3, 3, "text, lookups, rewrites")?;
            let v = vec![
                text_arg(name, args, 0)?,
                dynamic_arg(name, args, 1)?,
                dynamic_arg(name, args, 2)?,
            ];
            ok(k::call(MiscOp::ReplaceStrings, v), KqlType::String)
        }
        "indexof_regex" => {
            arity(
                name,
                args,
                2,
                5,
                "string, match [, start [, length [, occurrence]]]",
            )?;
            literal_regex(name, &args[1])?;
            let mut v = vec![text_arg(name, args, 0)?, text_arg(name, args, 1)?];
            for (i, default) in [(2, 0), (3, -1), (4, 1)] {
                v.push(if args.len() > i {
                    long_arg(name, args, i)?
                } else {
                    long_lit(default)
                });
            }
            ok(k::call(MiscOp::IndexOfRegex, v), KqlType::Long)
        }
        "regex_quote" => {
            arity(name, args, 1, 1, "string")?;
            ok(
                k::call(MiscOp::RegexQuote, vec![text_arg(name, args, 0)?]),
                KqlType::String,
            )
        }
        "has_any_index" => {
            arity(name, args, 2, 2, "source, values")?;
            let v = vec![text_arg(name, args, 0)?, dynamic_arg(name, args, 1)?];
            ok(k::call(MiscOp::HasAnyIndex, v), KqlType::Long)
        }
        "unicode_codepoints_from_string" | "to_utf8" => {
            arity(name, args, 1, 1, "value")?;
            ok(
                k::call(MiscOp::CodepointsFromString, vec![text_arg(name, args, 0)?]),
                KqlType::Dynamic,
            )
        }
        "unicode_codepoints_to_string" | "make_string" => {
            arity(name, args, 1, 64, "values, ...")?;
            let mut v = Vec::with_capacity(args.len());
            for (i, a) in args.iter().enumerate() {
                v.push(match a.ty {
                    // the number's text is its JSON
                    KqlType::Int | KqlType::Long => cast(a.expr.clone(), DataType::Utf8),
                    KqlType::Dynamic => a.expr.clone(),
                    t => return Err(type_error(name, i, "an int, long or dynamic value", t)),
                });
            }
            ok(k::call(MiscOp::CodepointsToString, v), KqlType::String)
        }
        "parse_command_line" => {
            arity(name, args, 2, 2, "command_line, parser_type")?;
            if let Some(t) = lit_string(&args[1])
                && !t.eq_ignore_ascii_case("windows")
            {
                return Err(CallError::types(format!(
                    "`{name}`: unsupported parser type \"{t}\" (the only supported value is \"windows\")"
                )));
            }
            let v = vec![text_arg(name, args, 0)?, text_arg(name, args, 1)?];
            ok(k::call(MiscOp::ParseCommandLine, v), KqlType::Dynamic)
        }
        "isascii" => {
            arity(name, args, 1, 1, "value")?;
            ok(
                k::call(MiscOp::IsAscii, vec![text_arg(name, args, 0)?]),
                KqlType::Bool,
            )
        }
        "isutf8" => {
            arity(name, args, 1, 1, "value")?;
            text_arg(name, args, 0)?;
            // Strings here are Arrow Utf8, which is always valid UTF-8 (sources decode text as
            // UTF-8 when loading it), so every string value is a valid UTF-8 string.
            let e = lit(ScalarValue::Boolean(Some(true)));
            ok(e, KqlType::Bool)
        }
        // Undocumented; the docs' functions library calls it as
        // `array_strcat(make_list(step), '')`, i.e. `strcat_array(array, delimiter)`.
        "array_strcat" => {
            arity(name, args, 2, 2, "array, delimiter")?;
            super::dynamic_ops::lower("strcat_array", args, _cx)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn extract_all_docs() {
        // extract-all-function.md
        let id = "82b8be2d-dfa7-4bd1-8f63-24ad26d31449";
        assert_eq!(
            kql(
                "extract_all",
                &[s(r"(\d+)"), s("a set of numbers: 123, 567 and 789")]
            )
            .await,
            (Some(r#"["123","567","789"]"#.into()), KqlType::Dynamic)
        );
        assert_eq!(
            kt("extract_all", &[s(r"([\da-f]{2})"), s(id)]).await,
            r#"["82","b8","be","2d","df","a7","4b","d1","8f","63","24","ad","26","d3","14","49"]"#
        );
        let all = r#"[["8","2b8be2","d"],["d","fa","7"],["4","bd","1"],["8","f6","3"],["2","4ad26d3144","9"]]"#;
        assert_eq!(kt("extract_all", &[s(r"(\w)(\w+)(\w)"), s(id)]).await, all);
        assert_eq!(
            kt(
                "extractall",
                &[s(r"(\w)(\w+)(\w)"), dynamic("[1,3]"), s(id)]
            )
            .await,
            r#"[["8","d"],["d","7"],["4","1"],["8","3"],["2","9"]]"#
        );
        assert_eq!(
            kt(
                "extract_all",
                &[
                    s(r"(?P<first>\w)(?P<middle>\w+)(?P<last>\w)"),
                    dynamic(r#"["first",2,"last"]"#),
                    s(id)
                ]
            )
            .await,
            all
        );
        // no match: null
        assert_eq!(kt("extract_all", &[s(r"(\d+)"), s("none")]).await, "NULL");
        // no capture group, or a group the regex lacks: errors
        let cx = cx();
        assert!(crate::lower::scalar_call("extract_all", &[s(r"\d+"), s("1")], &cx).is_err());
        assert!(
            crate::lower::scalar_call("extract_all", &[s(r"(\d)"), dynamic("[2]"), s("1")], &cx)
                .is_err()
        );
    }

    #[tokio::test]
    async fn strrep_size_translate() {
        // strrep-function.md
        assert_eq!(kt("strrep", &[s("ABC"), l(2)]).await, "ABCABC");
        assert_eq!(kt("strrep", &[l(123), l(3), s(".")]).await, "123.123.123");
        assert_eq!(
            kt("strrep", &[ts(30_000_000), i(2), s(" ")]).await,
            "00:00:03 00:00:03"
        );
        assert_eq!(kt("strrep", &[s("a"), l(0)]).await, "");
        assert_eq!(kt("strrep", &[s("a"), l(5000)]).await.len(), 1024);
        // string-size-function.md
        assert_eq!(
            kql("string_size", &[s("hello")]).await,
            (Some("5".into()), KqlType::Long)
        );
        assert_eq!(kt("string_size", &[s("⒦⒰⒮⒯⒪")]).await, "15");
        assert_eq!(
            kt("translate", &[s("krasp"), s("otsku"), s("spark")]).await,
            "kusto"
        );
        assert_eq!(
            kt(
                "replace_strings",
                &[
                    s("cat dog"),
                    dynamic(r#"["cat","dog"]"#),
                    dynamic(r#"["dog","pig"]"#)
                ]
            )
            .await,
            "dog pig"
        );
    }

    #[tokio::test]
    async fn regex_index_and_codepoints() {
        assert_eq!(
            kt(
                "indexof_regex",
                &[s("abcabcdefg"), s("a.c"), l(0), l(9), l(2)]
            )
            .await,
            "3"
        );
        assert_eq!(kt("indexof_regex", &[s("abcabc"), s("a.c")]).await, "0");
        assert_eq!(
            kt("indexof_regex", &[s("abcabc"), s("a|ab"), l(-1)]).await,
            "NULL"
        );
        assert_eq!(
            kt("regex_quote", &[s("(so$me.Te^xt)")]).await,
            r"\(so\$me\.Te\^xt\)"
        );
        assert_eq!(
            kt(
                "has_any_index",
                &[s("this is an example"), dynamic(r#"["not","example"]"#)]
            )
            .await,
            "1"
        );
        // unicode-codepoints-*-function.md
        assert_eq!(
            kt("unicode_codepoints_from_string", &[s("⒦⒰⒮⒯⒪")]).await,
            "[9382,9392,9390,9391,9386]"
        );
        assert_eq!(
            kt("to_utf8", &[s("קוסטו - Kusto")]).await,
            "[1511,1493,1505,1496,1493,32,45,32,75,117,115,116,111]"
        );
        assert_eq!(
            kt(
                "unicode_codepoints_to_string",
                &[l(75), l(117), l(115), l(116), l(111)]
            )
            .await,
            "Kusto"
        );
        assert_eq!(
            kt("make_string", &[dynamic("[75,117,115]"), i(116), l(111)]).await,
            "Kusto"
        );
        assert_eq!(
            kt("unicode_codepoints_to_string", &[l(75), l(10), l(117)]).await,
            "K\nu"
        );
        assert_eq!(kt("unicode_codepoints_to_string", &[l(-1)]).await, "NULL");
        assert_eq!(
            kt("unicode_codepoints_to_string", &[l(0xD800)]).await,
            "NULL"
        );
    }

    #[tokio::test]
    async fn misc_strings() {
        assert_eq!(
            kt(
                "parse_command_line",
                &[s("echo \"hello world!\""), s("windows")]
            )
            .await,
            r#"["echo","hello world!"]"#
        );
        assert!(
            crate::lower::scalar_call("parse_command_line", &[s("a"), s("unix")], &cx()).is_err()
        );
        assert_eq!(kt("isascii", &[s("some string")]).await, "true");
        assert_eq!(kt("isascii", &[s("é")]).await, "false");
        assert_eq!(kt("isutf8", &[s("some string")]).await, "true");
        assert_eq!(kt("isutf8", &[s("é")]).await, "true");
        assert_eq!(
            kt("array_strcat", &[dynamic("[1,2,3]"), s("->")]).await,
            "1->2->3"
        );
    }
}
