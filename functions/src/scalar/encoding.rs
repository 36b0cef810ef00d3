//! Encoding and parsing: `base64_encode_tostring`, `base64_decode_tostring`,
//! `base64_encode_fromguid`, `url_encode`, `url_encode_component`, `url_decode`, `parse_url`,
//! `parse_urlquery`, `parse_path`, `parse_csv`, `zlib_compress_to_base64_string`,
//! `zlib_decompress_from_base64_string`, `gzip_compress_to_base64_string`,
//! `gzip_decompress_from_base64_string`, `format_bytes`, `new_guid` (kernels in
//! `crate::udf::encoding`). Dynamic results are JSON text.
//!
//! `base64_decode_toguid` / `base64_decode_toarray` have kernels (`ExtOp::Base64ToGuid`,
//! `ExtOp::Base64ToArray`) but are not lowered until `crate::catalog` has entries for them.

use super::{arity, cast, lit, long_arg, ok, real_arg, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::ext::{self, ExtOp};
use datafusion::arrow::datatypes::DataType;
use datafusion::scalar::ScalarValue;

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let (op, ty) = match name {
        "base64_encode_tostring" | "base64_encodestring" => (ExtOp::Base64Encode, KqlType::String),
        "base64_decode_tostring" | "base64_decodestring" => (ExtOp::Base64Decode, KqlType::String),
        "base64_encode_fromguid" => {
            arity(name, args, 1, 1, "guid")?;
            if args[0].ty != KqlType::Guid {
                return Err(type_error(name, 0, "a guid", args[0].ty));
            }
            return ok(
                ext::call(ExtOp::Base64FromGuid, vec![args[0].expr.clone()]),
                KqlType::String,
            );
        }
        "url_encode" => (ExtOp::UrlEncode { component: false }, KqlType::String),
        "url_encode_component" => (ExtOp::UrlEncode { component: true }, KqlType::String),
        "url_decode" => (ExtOp::UrlDecode, KqlType::String),
        "parse_url" => (ExtOp::ParseUrl, KqlType::Dynamic),
        "parse_urlquery" => (ExtOp::ParseUrlQuery, KqlType::Dynamic),
        "parse_path" => (ExtOp::ParsePath, KqlType::Dynamic),
        "parse_csv" => (ExtOp::ParseCsv, KqlType::Dynamic),
        "zlib_compress_to_base64_string" => (ExtOp::Compress { gzip: false }, KqlType::String),
        "gzip_compress_to_base64_string" => (ExtOp::Compress { gzip: true }, KqlType::String),
        "zlib_decompress_from_base64_string" => {
            (ExtOp::Decompress { gzip: false }, KqlType::String)
        }
        "gzip_decompress_from_base64_string" => (ExtOp::Decompress { gzip: true }, KqlType::String),
        "format_bytes" => {
            arity(name, args, 1, 3, "size [, precision [, units]]")?;
            let mut v = vec![real_arg(name, args, 0)?];
            v.push(if args.len() > 1 {
                long_arg(name, args, 1)?
            } else {
                lit(ScalarValue::Int64(Some(0)))
            });
            if let Some(u) = args.get(2) {
                if u.ty != KqlType::String {
                    return Err(type_error(name, 2, "a string", u.ty));
                }
                v.push(string_arg(u));
            }
            return ok(ext::call(ExtOp::FormatBytes, v), KqlType::String);
        }
        "new_guid" => {
            arity(name, args, 0, 0, "")?;
            let e = datafusion::functions::string::uuid().call(vec![]);
            return ok(cast(e, DataType::Utf8), KqlType::Guid);
        }
        _ => return Ok(None),
    };
    arity(name, args, 1, 1, "string")?;
    ok(ext::call(op, vec![string_arg(&args[0])]), ty)
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::lower::Arg;
    use crate::scalar::test_util::*;
    use crate::udf::ext::{self, ExtOp};
    use datafusion::scalar::ScalarValue;

    fn guid(v: &str) -> Arg {
        Arg::lit(ScalarValue::Utf8(Some(v.to_string())), KqlType::Guid)
    }

    #[tokio::test]
    async fn base64_docs() {
        assert_eq!(
            kt("base64_encode_tostring", &[s("Kusto")]).await,
            "S3VzdG8="
        );
        assert_eq!(
            kt("base64_decode_tostring", &[s("S3VzdG8=")]).await,
            "Kusto"
        );
        assert_eq!(
            kt(
                "base64_decode_tostring",
                &[s("U3RyaW5n0KHR0tGA0L7Rh9C60LA=")]
            )
            .await,
            ""
        );
        // base64-encode-fromguid-function.md
        assert_eq!(
            kt(
                "base64_encode_fromguid",
                &[guid("ae3133f2-6e22-49ae-b06a-16e6a9b212eb")]
            )
            .await,
            "8jMxriJurkmwahbmqbIS6w=="
        );
        assert!(
            crate::lower::scalar_call("base64_encode_fromguid", &[s("abcd1231")], &cx()).is_err()
        );
    }

    #[tokio::test]
    async fn base64_kernels() {
        // base64-decode-toarray-function.md (kernel only: no catalog entry yet, so the name
        // is not lowered)
        let arr = ext::call(ExtOp::Base64ToArray, vec![s("S3VzdG8=").expr]);
        assert_eq!(eval_text(arr).await, "[75,117,115,116,111]");
        let g = ext::call(ExtOp::Base64ToGuid, vec![s("abcd1231").expr]);
        assert_eq!(eval_text(g).await, "NULL");
        let g = ext::call(
            ExtOp::Base64ToGuid,
            vec![s("8jMxriJurkmwahbmqbIS6w==").expr],
        );
        assert_eq!(eval_text(g).await, "ae3133f2-6e22-49ae-b06a-16e6a9b212eb");
    }

    #[tokio::test]
    async fn url_docs() {
        assert_eq!(
            kt("url_encode", &[s("https://www.bing.com/hello world")]).await,
            "https%3a%2f%2fwww.bing.com%2fhello+world"
        );
        assert_eq!(
            kt("url_decode", &[s("https%3a%2f%2fwww.bing.com%2f")]).await,
            "https://www.bing.com/"
        );
        let (v, ty) = kql(
            "parse_url",
            &[s(
                "scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment",
            )],
        )
        .await;
        assert_eq!(ty, KqlType::Dynamic);
        assert!(v.is_some_and(|v| v.contains(r#""Port":"1234""#)));
        // parse-url-query-function.md
        assert_eq!(
            kt("parse_urlquery", &[s("k1=v1&k2=v2&k3=v3")]).await,
            r#"{"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}}"#
        );
    }

    #[tokio::test]
    async fn misc_docs() {
        assert_eq!(
            kt("parse_csv", &[s("record1,a,b,c\nrecord2,x,y,z")]).await,
            r#"["record1","a","b","c"]"#
        );
        assert_eq!(kt("format_bytes", &[l(564)]).await, "564 Bytes");
        assert_eq!(kt("format_bytes", &[l(10332), l(1)]).await, "10.1 KB");
        assert_eq!(
            kt("format_bytes", &[l(20010332), l(0), s("KB")]).await,
            "19541 KB"
        );
        assert_eq!(
            kt(
                "gzip_decompress_from_base64_string",
                &[s(
                    "H4sIAAAAAAAA/wEUAOv/MTIzNDU2Nzg5MHF3ZXJ0eXVpb3A6m7f2FAAAAA=="
                )]
            )
            .await,
            "1234567890qwertyuiop"
        );
        let z = kt(
            "zlib_compress_to_base64_string",
            &[s("1234567890qwertyuiop")],
        )
        .await;
        assert_eq!(
            kt("zlib_decompress_from_base64_string", &[s(&z)]).await,
            "1234567890qwertyuiop"
        );
        let (g, ty) = kql("new_guid", &[]).await;
        assert_eq!(ty, KqlType::Guid);
        assert_eq!(g.map(|g| g.len()), Some(36));
    }
}
