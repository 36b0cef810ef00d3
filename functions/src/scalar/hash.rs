//! Hashes: `hash`, `hash_xxhash64`, `hash_combine`, `hash_many`, `hash_md5`, `hash_sha1`,
//! `hash_sha256`, `hash_sha512` (kernels in `crate::udf::hash`).
//!
//! `hash` is xxhash64 of the value's bytes (hash-function.md; the docs' values for strings and
//! datetimes are reproduced exactly). `hash_md5`/`hash_sha*` hash the UTF-8 bytes of the
//! value's `tostring` text (hash-md5-function.md: `hash_md5(datetime(2020-01-01))` is the MD5
//! of "2020-01-01T00:00:00.0000000Z"). `hash_combine` uses a boost-style 64-bit mix, which
//! does **not** reproduce the docs' example value (Kusto's combiner is undocumented).

use super::{arity, long_arg, ok, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::ext::{self, DigestAlgo, ExtOp};
use datafusion::logical_expr::Expr;

/// `hash(a)` without modulo.
fn hash_of(a: &Arg) -> Expr {
    match a.ty {
        KqlType::Decimal => ext::call(ExtOp::Hash { guid: false }, vec![string_arg(a)]),
        KqlType::Guid => ext::call(ExtOp::Hash { guid: true }, vec![a.expr.clone()]),
        _ => ext::call(ExtOp::Hash { guid: false }, vec![a.expr.clone()]),
    }
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "hash" | "hash_xxhash64" => {
            arity(name, args, 1, 2, "value [, mod]")?;
            if args.len() == 1 {
                return ok(hash_of(&args[0]), KqlType::Long);
            }
            let m = long_arg(name, args, 1)?;
            let guid = args[0].ty == KqlType::Guid;
            let v = if args[0].ty == KqlType::Decimal {
                string_arg(&args[0])
            } else {
                args[0].expr.clone()
            };
            ok(ext::call(ExtOp::Hash { guid }, vec![v, m]), KqlType::Long)
        }
        // Kusto does not document how hash_combine mixes values, and every formula we tried
        // misses the documented example, so these are errors rather than wrong values.
        "hash_combine" | "hash_many" => Err(CallError::not_implemented(name)),
        "hash_md5" | "hash_sha1" | "hash_sha256" | "hash_sha512" => {
            arity(name, args, 1, 1, "value")?;
            let algo = match name {
                "hash_md5" => DigestAlgo::Md5,
                "hash_sha1" => DigestAlgo::Sha1,
                "hash_sha256" => DigestAlgo::Sha256,
                _ => DigestAlgo::Sha512,
            };
            ok(
                ext::call(ExtOp::Digest(algo), vec![string_arg(&args[0])]),
                KqlType::String,
            )
        }
        "bitset_count_ones" => {
            arity(name, args, 1, 1, "long")?;
            match args[0].ty {
                KqlType::Int | KqlType::Long => ok(
                    ext::call(ExtOp::PopCount, vec![long_arg(name, args, 0)?]),
                    KqlType::Long,
                ),
                t => Err(type_error(name, 0, "an integer", t)),
            }
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn hash_docs() {
        // hash-function.md / hash-xxhash64-function.md
        assert_eq!(kt("hash", &[s("World")]).await, "1846988464401551951");
        assert_eq!(kt("hash", &[s("World"), l(100)]).await, "51");
        assert_eq!(kt("hash_xxhash64", &[s("World"), i(100)]).await, "51");
        assert_eq!(kt("hash", &[dt("2015-01-01")]).await, "1380966698541616202");
        assert_eq!(
            kt("hash_xxhash64", &[dt("2015-01-01")]).await,
            "1380966698541616202"
        );
        // hash-combine-function.md: hash("Hello")
        assert_eq!(kt("hash", &[s("Hello")]).await, "753694413698530628");
        assert_eq!(kql("hash", &[l(1)]).await.1, KqlType::Long);
        assert_eq!(kt("hash", &[null(KqlType::Long)]).await, "NULL");
        assert_eq!(kt("hash", &[s("World"), l(0)]).await, "NULL");
    }

    #[tokio::test]
    async fn digest_docs() {
        // hash-md5-function.md
        assert_eq!(
            kt("hash_md5", &[s("World")]).await,
            "f5a7924e621e84c9280a9a27e1bcb7f6"
        );
        assert_eq!(
            kt("hash_md5", &[dt("2020-01-01")]).await,
            "786c530672d1f8db31fee25ea8a9390b"
        );
        assert_eq!(
            kt("hash_md5", &[s("TEXAS")]).await,
            "3b00dbe6e07e7485a1c12d36c8e9910a"
        );
        // hash-sha256-function.md
        assert_eq!(
            kt("hash_sha256", &[s("World")]).await,
            "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524"
        );
        assert_eq!(
            kt("hash_sha256", &[dt("2020-01-01")]).await,
            "ba666752dc1a20eb750b0eb64e780cc4c968bc9fb8813461c1d7e750f302d71d"
        );
        assert_eq!(
            kt("hash_sha1", &[s("abc")]).await,
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[tokio::test]
    async fn popcount() {
        // bitset-count-ones-function.md: 42 has 3 bits set
        assert_eq!(kt("bitset_count_ones", &[l(42)]).await, "3");
        assert_eq!(kt("bitset_count_ones", &[l(-1)]).await, "64");
    }
}
