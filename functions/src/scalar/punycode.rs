//! Punycode: `punycode_from_string`, `punycode_to_string`, `punycode_domain_from_string`,
//! `punycode_domain_to_string` (their pages, punycode-*-function.md).
//!
//! Our own implementation of RFC 3492's Bootstring algorithm with the Punycode parameters
//! (base 36, tmin 1, tmax 26, skew 38, damp 700, initial bias 72, initial n 128, delimiter
//! `-`). As the docs' examples show, no IDNA normalisation happens: case and spaces are kept
//! (`punycode_domain_to_string('Lê Lợi。…')` gives `xn--L Li-gpa4517b.…`).
//!
//! - `punycode_from_string(s)`: the encoding of the whole string, without `xn--`; an all-ASCII
//!   string gets the RFC's trailing delimiter (`"abc"` → `"abc-"`), the docs being silent.
//! - `punycode_to_string(s)`: the decoding; the input "must contain only ASCII characters".
//! - `punycode_domain_to_string(d)`: the domain split into labels at `.` and the ideographic
//!   and fullwidth full stops (U+3002, U+FF0E, U+FF61, as IDNA does and the docs' example
//!   shows); labels with a non-ASCII character become `xn--` + their encoding, the others stay
//!   as they are; the labels are joined with `.`.
//! - `punycode_domain_from_string(d)`: labels starting with `xn--` (any case) are decoded, the
//!   others stay as they are.
//!
//! "Returns an empty result if encoding/decoding failed" (all four pages): an empty string,
//! since KQL strings are never null; a null input gives the empty string too. Decoding fails
//! on a non-ASCII input, a character that is not a base-36 digit after the last delimiter, a
//! truncated digit sequence, arithmetic overflow, or a decoded value that is a surrogate or
//! beyond U+10FFFF (RFC 3492 §6.2).

use super::{arity, is_string_like, ok, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::{map_str_to_str, str_at, strings};
use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

const BASE: u32 = 36;
const TMIN: u32 = 1;
const TMAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;
const DELIMITER: char = '-';
const ACE_PREFIX: &str = "xn--";

/// Bias adaptation (RFC 3492 §6.1).
fn adapt(delta: u32, num_points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - TMIN) * TMAX) / 2 {
        delta /= BASE - TMIN;
        k += BASE;
    }
    k + (BASE - TMIN + 1) * delta / (delta + SKEW)
}

/// The threshold for digit position `k` under `bias`.
fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        TMIN
    } else if k >= bias + TMAX {
        TMAX
    } else {
        k - bias
    }
}

/// 0..25 → a..z, 26..35 → 0..9.
fn digit_char(d: u32) -> char {
    let b = if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    };
    char::from(b)
}

/// A base-36 digit (letters in either case).
fn digit_value(c: u8) -> Option<u32> {
    match c {
        b'a'..=b'z' => Some(u32::from(c - b'a')),
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 26),
        _ => None,
    }
}

/// Punycode encoding of `input` (RFC 3492 §6.3); `None` on overflow.
pub(crate) fn encode(input: &str) -> Option<String> {
    let cps: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(out.len()).ok()?;
    if basic > 0 {
        out.push(DELIMITER);
    }
    let total = u32::try_from(cps.len()).ok()?;
    let (mut n, mut delta, mut bias, mut handled) = (INITIAL_N, 0u32, INITIAL_BIAS, basic);
    while handled < total {
        let m = cps.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &cps {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    out.push(digit_char(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit_char(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

/// Punycode decoding of `input` (RFC 3492 §6.2); `None` when it is not valid Punycode.
pub(crate) fn decode(input: &str) -> Option<String> {
    if !input.is_ascii() {
        return None;
    }
    let (basic, extended) = match input.rfind(DELIMITER) {
        Some(p) => (&input[..p], &input.as_bytes()[p + 1..]),
        None => ("", input.as_bytes()),
    };
    let mut out: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    let mut pos = 0;
    while pos < extended.len() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let d = digit_value(*extended.get(pos)?)?;
            pos += 1;
            i = i.checked_add(d.checked_mul(w)?)?;
            let t = threshold(k, bias);
            if d < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = u32::try_from(out.len() + 1).ok()?;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        if n < INITIAL_N {
            return None;
        }
        let c = char::from_u32(n)?;
        out.insert(usize::try_from(i).ok()?, c);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// IDNA label separators: full stop, ideographic full stop, fullwidth full stop, halfwidth
/// ideographic full stop.
fn is_label_separator(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// `punycode_domain_to_string`: each non-ASCII label as `xn--` + its encoding.
pub(crate) fn domain_encode(domain: &str) -> Option<String> {
    let labels = domain
        .split(is_label_separator)
        .map(|label| {
            if label.is_ascii() {
                Some(label.to_string())
            } else {
                encode(label).map(|e| format!("{ACE_PREFIX}{e}"))
            }
        })
        .collect::<Option<Vec<_>>>()?;
    Some(labels.join("."))
}

/// `punycode_domain_from_string`: each `xn--` label decoded.
pub(crate) fn domain_decode(domain: &str) -> Option<String> {
    let labels = domain
        .split(is_label_separator)
        .map(|label| {
            let ace = label
                .get(..ACE_PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(ACE_PREFIX));
            if ace {
                decode(&label[ACE_PREFIX.len()..])
            } else {
                Some(label.to_string())
            }
        })
        .collect::<Option<Vec<_>>>()?;
    Some(labels.join("."))
}

/// The four operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PunyOp {
    Encode,
    Decode,
    DomainDecode,
    DomainEncode,
}

impl PunyOp {
    fn of(name: &str) -> Option<PunyOp> {
        Some(match name {
            "punycode_from_string" => PunyOp::Encode,
            "punycode_to_string" => PunyOp::Decode,
            "punycode_domain_from_string" => PunyOp::DomainDecode,
            "punycode_domain_to_string" => PunyOp::DomainEncode,
            _ => return None,
        })
    }

    fn udf_name(self) -> &'static str {
        match self {
            PunyOp::Encode => "kql_punycode_from_string",
            PunyOp::Decode => "kql_punycode_to_string",
            PunyOp::DomainDecode => "kql_punycode_domain_from_string",
            PunyOp::DomainEncode => "kql_punycode_domain_to_string",
        }
    }

    /// The result text, "" when the conversion fails.
    fn apply(self, s: &str) -> String {
        let r = match self {
            PunyOp::Encode => encode(s),
            PunyOp::Decode => decode(s),
            PunyOp::DomainDecode => domain_decode(s),
            PunyOp::DomainEncode => domain_encode(s),
        };
        r.unwrap_or_default()
    }
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let Some(op) = PunyOp::of(name) else {
        return Ok(None);
    };
    arity(name, args, 1, 1, "string")?;
    if !is_string_like(args[0].ty) {
        return Err(type_error(name, 0, "a string", args[0].ty));
    }
    let e = Arc::new(ScalarUDF::from(PunyUdf {
        op,
        signature: Signature::any(1, Volatility::Immutable),
    }))
    .call(vec![string_arg(&args[0])]);
    ok(e, KqlType::String)
}

/// The UDF: Utf8 → Utf8 (never null).
#[derive(Debug, PartialEq, Eq, Hash)]
struct PunyUdf {
    op: PunyOp,
    signature: Signature,
}

impl ScalarUDFImpl for PunyUdf {
    fn name(&self) -> &str {
        self.op.udf_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("{} expects 1 argument", self.name());
        };
        match arg {
            ColumnarValue::Scalar(v) => {
                let a = v.to_array_of_size(1)?;
                let s = strings(&a)?;
                let text = if s.len() == 1 { str_at(&s, 0) } else { "" };
                Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(
                    self.op.apply(text),
                ))))
            }
            ColumnarValue::Array(a) => {
                let s = strings(a)?;
                let out: ArrayRef = map_str_to_str(&s, |t| Some(self.op.apply(t)));
                Ok(ColumnarValue::Array(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn docs_examples() {
        // punycode-from-string-function.md
        assert_eq!(
            kt("punycode_from_string", &[s("académie-française")]).await,
            "acadmie-franaise-npb1a"
        );
        assert_eq!(kt("punycode_from_string", &[s("艺术")]).await, "cqv902d");
        // punycode-to-string-function.md
        assert_eq!(
            kt("punycode_to_string", &[s("acadmie-franaise-npb1a")]).await,
            "académie-française"
        );
        // punycode-domain-from-string-function.md
        for (enc, dec) in [
            ("xn--Ge-mia.Bulg.edu", "Gáe.Bulg.edu"),
            ("xn--Lin-8na.Celtchair.org", "Lúin.Celtchair.org"),
            (
                "xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com",
                "Rúyì.Jīngū.Bàng.com",
            ),
        ] {
            assert_eq!(kt("punycode_domain_from_string", &[s(enc)]).await, dec);
            // and back (ASCII labels stay, the others are re-encoded)
            assert_eq!(kt("punycode_domain_to_string", &[s(dec)]).await, enc);
        }
        // punycode-domain-to-string-function.md
        for (dom, enc) in [
            (
                "Lê Lợi。Thuận Thiên。com",
                "xn--L Li-gpa4517b.xn--Thun Thin-s4a7194f.com",
            ),
            (
                "Riðill｡Skáldskaparmál｡org",
                "xn--Riill-jta.xn--Skldskaparml-dbbj.org",
            ),
            (
                "Kaledvoulc'h.Artorījos.edu",
                "Kaledvoulc'h.xn--Artorjos-ejb.edu",
            ),
        ] {
            assert_eq!(kt("punycode_domain_to_string", &[s(dom)]).await, enc);
        }
    }

    #[test]
    fn rfc3492_samples() {
        // RFC 3492 §7.1 sample strings, given there as code points
        let cases: [(&[u32], &str); 4] = [
            // (A) Arabic (Egyptian)
            (
                &[
                    0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644, 0x0645,
                    0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A, 0x061F,
                ],
                "egbpdaj6bu4bxfgehfvwxn",
            ),
            // (B) Chinese (simplified)
            (
                &[
                    0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587,
                ],
                "ihqwcrb4cv8a8dqg056pqjye",
            ),
            // (L) 3<nen>B<gumi><kinpachi><sensei>
            (
                &[
                    0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F,
                ],
                "3B-ww4c5e180e575a65lsy2b",
            ),
            // (S) -> $1.00 <-
            (
                &[
                    0x002D, 0x003E, 0x0020, 0x0024, 0x0031, 0x002E, 0x0030, 0x0030, 0x0020, 0x003C,
                    0x002D,
                ],
                "-> $1.00 <--",
            ),
        ];
        for (cps, puny) in cases {
            let text: String = cps.iter().filter_map(|&c| char::from_u32(c)).collect();
            assert_eq!(encode(&text).as_deref(), Some(puny), "encode {text}");
            assert_eq!(
                decode(puny).as_deref(),
                Some(text.as_str()),
                "decode {puny}"
            );
        }
        // digits are case-insensitive when decoding
        assert_eq!(
            decode("EGBPDAJ6BU4BXFGEHFVWXN"),
            decode("egbpdaj6bu4bxfgehfvwxn")
        );
    }

    #[tokio::test]
    async fn edge_cases_and_failures() {
        assert_eq!(kt("punycode_from_string", &[s("")]).await, "");
        assert_eq!(kt("punycode_to_string", &[s("")]).await, "");
        assert_eq!(kt("punycode_from_string", &[s("abc")]).await, "abc-");
        assert_eq!(kt("punycode_to_string", &[s("abc-")]).await, "abc");
        assert_eq!(kt("punycode_from_string", &[s("ü")]).await, "tda");
        // failures give an empty string: non-ASCII input, a bad digit, a truncated number,
        // overflow, a code point beyond U+10FFFF
        for bad in ["ü", "abc-!", "abc-9", "a-99999999999", "-99999a"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(kt("punycode_to_string", &[s("académie")]).await, "");
        assert_eq!(
            kt("punycode_domain_from_string", &[s("xn--abc-!.com")]).await,
            ""
        );
        // labels without xn-- are left alone; the prefix matches in any case
        assert_eq!(
            kt("punycode_domain_from_string", &[s("XN--tda.example.com")]).await,
            "ü.example.com"
        );
        assert_eq!(
            kt("punycode_domain_to_string", &[s("example.com")]).await,
            "example.com"
        );
        assert_eq!(
            kt("punycode_domain_to_string", &[s("bücher.example")]).await,
            "xn--bcher-kva.example"
        );
        assert_eq!(
            kt("punycode_from_string", &[null(crate::KqlType::String)]).await,
            ""
        );
        assert!(crate::lower::scalar_call("punycode_from_string", &[l(1)], &cx()).is_err());
        assert!(crate::lower::scalar_call("punycode_to_string", &[], &cx()).is_err());
    }
}
