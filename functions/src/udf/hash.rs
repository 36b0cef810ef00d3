//! Hash kernels: `hash` (xxhash64), `hash_combine`, the hex digests (`hash_md5`, `hash_sha1`,
//! `hash_sha256`, `hash_sha512`) and `bitset_count_ones`.
//!
//! `hash` hashes the value's bytes with xxhash64 (seed 0), as hash-function.md describes:
//! strings as UTF-8 (`hash("World")` = 1846988464401551951), datetimes as the little-endian
//! 8 bytes of their ticks (`hash(datetime(2015-01-01))` = 1380966698541616202); longs,
//! timespans (ticks) and reals (IEEE bits) as 8 little-endian bytes, ints as 4, bools as 1,
//! guids as their 16 bytes in .NET order.

use super::ext::DigestAlgo;
use super::{longs, strings};
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampNanosecondArray,
};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, exec_err};
use std::sync::Arc;
use twox_hash::XxHash64;

const EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// xxhash64 (seed 0) of `bytes`, as a signed long.
pub(crate) fn xxh64(bytes: &[u8]) -> i64 {
    XxHash64::oneshot(0, bytes) as i64
}

/// Combines two hashes (boost's `hash_combine` widened to 64 bits).
pub(crate) fn combine2(a: i64, b: i64) -> i64 {
    let (a, b) = (a as u64, b as u64);
    (a ^ b
        .wrapping_add(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(a << 6)
        .wrapping_add(a >> 2)) as i64
}

/// The 16 bytes of a guid in .NET `Guid.ToByteArray` order (first three groups little-endian).
pub(crate) fn guid_bytes(text: &str) -> Option<[u8; 16]> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    let hex: String = t.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let mut raw = [0u8; 16];
    for (i, b) in raw.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    let mut out = raw;
    out[0..4].copy_from_slice(&[raw[3], raw[2], raw[1], raw[0]]);
    out[4..6].copy_from_slice(&[raw[5], raw[4]]);
    out[6..8].copy_from_slice(&[raw[7], raw[6]]);
    Some(out)
}

fn downcast<T: 'static>(a: &ArrayRef) -> Result<&T> {
    match a.as_any().downcast_ref::<T>() {
        Some(v) => Ok(v),
        None => exec_err!("kql_hash: unexpected array type {}", a.data_type()),
    }
}

/// The hash of each value (null for null non-strings; a null string hashes as "").
pub(crate) fn hash_values(a: &ArrayRef, guid: bool) -> Result<Vec<Option<i64>>> {
    let n = a.len();
    let each = |f: &dyn Fn(usize) -> i64| -> Vec<Option<i64>> {
        (0..n)
            .map(|i| if a.is_null(i) { None } else { Some(f(i)) })
            .collect()
    };
    Ok(match a.data_type() {
        DataType::Int32 => {
            let v = downcast::<Int32Array>(a)?;
            each(&|i| xxh64(&v.value(i).to_le_bytes()))
        }
        DataType::Int64 => {
            let v = downcast::<Int64Array>(a)?;
            each(&|i| xxh64(&v.value(i).to_le_bytes()))
        }
        DataType::Float64 => {
            let v = downcast::<Float64Array>(a)?;
            each(&|i| xxh64(&v.value(i).to_bits().to_le_bytes()))
        }
        DataType::Boolean => {
            let v = downcast::<BooleanArray>(a)?;
            each(&|i| xxh64(&[u8::from(v.value(i))]))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            let v = downcast::<TimestampNanosecondArray>(a)?;
            each(&|i| {
                let ticks = v.value(i).div_euclid(100) + EPOCH_TICKS;
                xxh64(&ticks.to_le_bytes())
            })
        }
        DataType::Duration(TimeUnit::Nanosecond) => {
            let v = downcast::<DurationNanosecondArray>(a)?;
            each(&|i| xxh64(&(v.value(i) / 100).to_le_bytes()))
        }
        DataType::Null => vec![None; n],
        _ => {
            let s = strings(a)?;
            (0..n)
                .map(|i| {
                    if s.is_null(i) {
                        return if guid { None } else { Some(xxh64(b"")) };
                    }
                    let text = s.value(i);
                    match guid.then(|| guid_bytes(text)).flatten() {
                        Some(g) => Some(xxh64(&g)),
                        None => Some(xxh64(text.as_bytes())),
                    }
                })
                .collect()
        }
    })
}

/// `hash(value [, mod])`; the modulo result is in `0..mod` (null when `mod <= 0`).
pub(crate) fn hash(a: &ArrayRef, m: Option<&ArrayRef>, guid: bool) -> Result<ArrayRef> {
    let h = hash_values(a, guid)?;
    let m = m.map(longs).transpose()?;
    let out: Int64Array = h
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h?;
            match &m {
                None => Some(h),
                Some(m) if m.is_null(i) => None,
                Some(m) => {
                    let m = m.value(i);
                    (m > 0).then(|| h.rem_euclid(m))
                }
            }
        })
        .collect();
    Ok(Arc::new(out))
}

/// `hash_combine(h1, h2, …)`: null when any hash is null.
pub(crate) fn combine(a: &[ArrayRef]) -> Result<ArrayRef> {
    let cols = a.iter().map(longs).collect::<Result<Vec<_>>>()?;
    let n = cols.first().map_or(0, |c| c.len());
    let out: Int64Array = (0..n)
        .map(|i| {
            let mut acc: Option<i64> = None;
            for c in &cols {
                if c.is_null(i) {
                    return None;
                }
                let v = c.value(i);
                acc = Some(match acc {
                    None => v,
                    Some(h) => combine2(h, v),
                });
            }
            acc
        })
        .collect();
    Ok(Arc::new(out))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Hex digest of the UTF-8 bytes of `text`.
pub(crate) fn digest_hex(text: &str, algo: DigestAlgo) -> String {
    use md5::Digest as _;
    let b = text.as_bytes();
    match algo {
        DigestAlgo::Md5 => hex(&md5::Md5::digest(b)),
        DigestAlgo::Sha1 => hex(&sha1(b)),
        DigestAlgo::Sha256 => hex(&sha2::Sha256::digest(b)),
        DigestAlgo::Sha512 => hex(&sha2::Sha512::digest(b)),
    }
}

/// `hash_md5` & co. of a Utf8 array (null reads as "").
pub(crate) fn digest(a: &ArrayRef, algo: DigestAlgo) -> Result<ArrayRef> {
    let s = strings(a)?;
    let out: StringArray = (0..s.len())
        .map(|i| Some(digest_hex(super::str_at(&s, i), algo)))
        .collect();
    Ok(Arc::new(out))
}

/// `bitset_count_ones(long)`.
pub(crate) fn pop_count(a: &ArrayRef) -> Result<ArrayRef> {
    let v = longs(a)?;
    let out: Int64Array = v
        .iter()
        .map(|x| x.map(|x| i64::from(x.count_ones())))
        .collect();
    Ok(Arc::new(out))
}

/// SHA-1 (FIPS 180-4).
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxhash_matches_docs() {
        // hash-function.md: hash("World") = 1846988464401551951; hash-combine-function.md:
        // hash("Hello") = 753694413698530628
        assert_eq!(xxh64(b"World"), 1846988464401551951);
        assert_eq!(xxh64(b"Hello"), 753694413698530628);
    }

    #[test]
    fn digests() {
        // hash-md5-function.md / hash-sha256-function.md: "World"
        assert_eq!(
            digest_hex("World", DigestAlgo::Md5),
            "f5a7924e621e84c9280a9a27e1bcb7f6"
        );
        assert_eq!(
            digest_hex("World", DigestAlgo::Sha256),
            "78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524"
        );
        // FIPS 180 test vectors
        assert_eq!(
            digest_hex("abc", DigestAlgo::Sha1),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            digest_hex("", DigestAlgo::Sha1),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            digest_hex(
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                DigestAlgo::Sha1
            ),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert!(digest_hex("abc", DigestAlgo::Sha512).starts_with("ddaf35a193617aba"));
    }

    #[test]
    fn guid_byte_order() {
        let g = guid_bytes("ae3133f2-6e22-49ae-b06a-16e6a9b212eb");
        assert_eq!(
            g.map(|g| g[..4].to_vec()),
            Some(vec![0xf2, 0x33, 0x31, 0xae])
        );
        assert_eq!(guid_bytes("nope"), None);
    }
}
