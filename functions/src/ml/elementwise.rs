//! Element-wise series arithmetic, comparisons and math (series-add-function.md,
//! series-greater-function.md, series-abs-function.md, … one page per function).
//!
//! The docs describe every element-wise function the same way: the result is a dynamic
//! array, and "any non-numeric element or non-existing element (arrays of different sizes)
//! yields a `null` element value". So a binary operation's result is as long as the longer
//! input, and positions past the end of the shorter one are null; a scalar operand is
//! broadcast to the series' length (the docs' "series ∘ scalar" form, as the
//! series_dot_product page spells out).
//!
//! Element types follow the docs' examples: `series_add`/`series_subtract`/`series_multiply`
//! of long elements stay long (`[1,2,4] + [4,2,1]` shows `[5,4,5]`), `series_abs` and
//! `series_sign` keep long elements long (`[-6,0,8]` → `[-1,0,1]`; abs of `[-6.5,0,8.2]` shows
//! the `0` unchanged), while `series_divide` ("the result series is of double type, even if
//! the inputs are integers"), `series_pow` (`[1.0,4.0,27.0,2.0]`), `series_floor`/`ceiling`
//! (`[-2.0,1.0,2.0]` from `[-1.5,1,2.5]`) and the exponential, logarithm and trigonometric
//! functions give reals. Real arithmetic follows IEEE 754 (`2/0` is `+inf`, the docs say so
//! for divide), so NaN propagates (ml-operators.md §1).
//!
//! Choice where the docs are silent: long arithmetic that overflows wraps around, as Kusto's
//! scalar long arithmetic does (C# unchecked arithmetic); comparisons of two longs compare
//! exactly, anything else compares as reals (NaN compares unequal to everything).

/// One element of a series: null (missing or not a number), a long or a real.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Null,
    Int(i64),
    Real(f64),
}

impl Num {
    /// The element as a real (`None` for null).
    #[inline]
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Num::Null => None,
            Num::Int(i) => Some(i as f64),
            Num::Real(r) => Some(r),
        }
    }

    #[inline]
    pub fn is_null(self) -> bool {
        matches!(self, Num::Null)
    }

    /// A real element, or null for `None`.
    #[inline]
    pub fn real(v: Option<f64>) -> Num {
        v.map_or(Num::Null, Num::Real)
    }
}

/// Element-wise arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arith {
    Add,
    Subtract,
    Multiply,
    Divide,
    Pow,
}

impl Arith {
    /// Whether two long operands give a long (add, subtract, multiply).
    pub fn keeps_long(self) -> bool {
        matches!(self, Arith::Add | Arith::Subtract | Arith::Multiply)
    }

    #[inline]
    pub fn reals(self, a: f64, b: f64) -> f64 {
        match self {
            Arith::Add => a + b,
            Arith::Subtract => a - b,
            Arith::Multiply => a * b,
            Arith::Divide => a / b,
            Arith::Pow => a.powf(b),
        }
    }

    /// The operation on two elements (null when either is null).
    #[inline]
    pub fn apply(self, a: Num, b: Num) -> Num {
        match (self, a, b) {
            (_, Num::Null, _) | (_, _, Num::Null) => Num::Null,
            (Arith::Add, Num::Int(x), Num::Int(y)) => Num::Int(x.wrapping_add(y)),
            (Arith::Subtract, Num::Int(x), Num::Int(y)) => Num::Int(x.wrapping_sub(y)),
            (Arith::Multiply, Num::Int(x), Num::Int(y)) => Num::Int(x.wrapping_mul(y)),
            (op, a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => Num::Real(op.reals(x, y)),
                _ => Num::Null,
            },
        }
    }
}

/// Element-wise comparison (a bool per element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compare {
    Greater,
    GreaterEquals,
    Less,
    LessEquals,
    Equals,
    NotEquals,
}

impl Compare {
    #[inline]
    fn ordered<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Compare::Greater => a > b,
            Compare::GreaterEquals => a >= b,
            Compare::Less => a < b,
            Compare::LessEquals => a <= b,
            Compare::Equals => a == b,
            Compare::NotEquals => a != b,
        }
    }

    /// The comparison of two elements (null when either is null).
    #[inline]
    pub fn apply(self, a: Num, b: Num) -> Option<bool> {
        match (a, b) {
            (Num::Int(x), Num::Int(y)) => Some(self.ordered(x, y)),
            _ => Some(self.ordered(a.as_f64()?, b.as_f64()?)),
        }
    }
}

/// Element-wise math on one series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unary {
    Abs,
    Sign,
    Exp,
    Log,
    Floor,
    Ceiling,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
}

impl Unary {
    /// Whether a long element stays long (abs, sign).
    pub fn keeps_long(self) -> bool {
        matches!(self, Unary::Abs | Unary::Sign)
    }

    #[inline]
    pub fn real(self, x: f64) -> f64 {
        match self {
            Unary::Abs => x.abs(),
            // -1, 0 or 1 (series-sign-function.md); NaN stays NaN and -0.0 gives 0
            Unary::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else if x == 0.0 {
                    0.0
                } else {
                    x
                }
            }
            Unary::Exp => x.exp(),
            // ln of 0 is -inf and of a negative number NaN (IEEE; log() does the same)
            Unary::Log => x.ln(),
            Unary::Floor => x.floor(),
            Unary::Ceiling => x.ceil(),
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
            Unary::Asin => x.asin(),
            Unary::Acos => x.acos(),
            Unary::Atan => x.atan(),
        }
    }

    #[inline]
    pub fn apply(self, a: Num) -> Num {
        match (self, a) {
            (_, Num::Null) => Num::Null,
            (Unary::Abs, Num::Int(i)) => Num::Int(i.wrapping_abs()),
            (Unary::Sign, Num::Int(i)) => Num::Int(i.signum()),
            (op, Num::Int(i)) => Num::Real(op.real(i as f64)),
            (op, Num::Real(r)) => Num::Real(op.real(r)),
        }
    }
}

/// `out[i] = op(a[i], b[i])` over two null-free real slices of the same length (the fast path
/// of the list wrappers).
pub fn arith_reals(op: Arith, a: &[f64], b: &[f64], out: &mut Vec<f64>) {
    match op {
        Arith::Add => out.extend(a.iter().zip(b).map(|(x, y)| x + y)),
        Arith::Subtract => out.extend(a.iter().zip(b).map(|(x, y)| x - y)),
        Arith::Multiply => out.extend(a.iter().zip(b).map(|(x, y)| x * y)),
        Arith::Divide => out.extend(a.iter().zip(b).map(|(x, y)| x / y)),
        Arith::Pow => out.extend(a.iter().zip(b).map(|(x, y)| x.powf(*y))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_keeps_longs_where_the_docs_do() {
        assert_eq!(Arith::Add.apply(Num::Int(1), Num::Int(4)), Num::Int(5));
        assert_eq!(
            Arith::Subtract.apply(Num::Int(1), Num::Int(4)),
            Num::Int(-3)
        );
        assert_eq!(
            Arith::Multiply.apply(Num::Int(3), Num::Int(12)),
            Num::Int(36)
        );
        // series-divide-function.md: [1,2,4] / [4,2,1] = [0.25,1.0,4.0]
        assert_eq!(
            Arith::Divide.apply(Num::Int(1), Num::Int(4)),
            Num::Real(0.25)
        );
        assert_eq!(
            Arith::Divide.apply(Num::Int(4), Num::Int(1)),
            Num::Real(4.0)
        );
        assert_eq!(
            Arith::Divide.apply(Num::Int(2), Num::Int(0)),
            Num::Real(f64::INFINITY)
        );
        // series-pow-function.md: [1,2,3,4] ^ [1,2,3,0.5] = [1.0,4.0,27.0,2.0]
        assert_eq!(Arith::Pow.apply(Num::Int(3), Num::Int(3)), Num::Real(27.0));
        assert_eq!(
            Arith::Pow.apply(Num::Int(4), Num::Real(0.5)),
            Num::Real(2.0)
        );
        assert_eq!(
            Arith::Add.apply(Num::Int(1), Num::Real(0.5)),
            Num::Real(1.5)
        );
        assert_eq!(Arith::Add.apply(Num::Null, Num::Int(1)), Num::Null);
        assert_eq!(
            Arith::Add.apply(Num::Int(i64::MAX), Num::Int(1)),
            Num::Int(i64::MIN)
        );
        match Arith::Add.apply(Num::Real(f64::NAN), Num::Int(1)) {
            Num::Real(r) => assert!(r.is_nan()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn comparisons_match_the_docs() {
        let a = [1, 2, 4].map(Num::Int);
        let b = [4, 2, 1].map(Num::Int);
        let cmp = |op: Compare| -> Vec<Option<bool>> {
            a.iter().zip(&b).map(|(x, y)| op.apply(*x, *y)).collect()
        };
        let t = Some(true);
        let f = Some(false);
        assert_eq!(cmp(Compare::Greater), vec![f, f, t]);
        assert_eq!(cmp(Compare::GreaterEquals), vec![f, t, t]);
        assert_eq!(cmp(Compare::Less), vec![t, f, f]);
        assert_eq!(cmp(Compare::LessEquals), vec![t, t, f]);
        assert_eq!(cmp(Compare::Equals), vec![f, t, f]);
        assert_eq!(cmp(Compare::NotEquals), vec![t, f, t]);
        assert_eq!(Compare::Equals.apply(Num::Null, Num::Int(1)), None);
        assert_eq!(
            Compare::Equals.apply(Num::Real(f64::NAN), Num::Real(f64::NAN)),
            Some(false)
        );
        assert_eq!(
            Compare::Equals.apply(Num::Int(2), Num::Real(2.0)),
            Some(true)
        );
        // exact for longs beyond 2^53
        let big = 1_i64 << 60;
        assert_eq!(
            Compare::Less.apply(Num::Int(big), Num::Int(big + 1)),
            Some(true)
        );
    }

    #[test]
    fn unary_functions() {
        assert_eq!(Unary::Abs.apply(Num::Real(-6.5)), Num::Real(6.5));
        assert_eq!(Unary::Abs.apply(Num::Int(0)), Num::Int(0));
        assert_eq!(Unary::Sign.apply(Num::Int(-6)), Num::Int(-1));
        assert_eq!(Unary::Sign.apply(Num::Int(0)), Num::Int(0));
        assert_eq!(Unary::Sign.apply(Num::Int(8)), Num::Int(1));
        assert_eq!(Unary::Sign.apply(Num::Real(-0.5)), Num::Real(-1.0));
        assert_eq!(Unary::Floor.apply(Num::Real(-1.5)), Num::Real(-2.0));
        assert_eq!(Unary::Floor.apply(Num::Int(1)), Num::Real(1.0));
        assert_eq!(Unary::Ceiling.apply(Num::Real(-1.5)), Num::Real(-1.0));
        assert_eq!(Unary::Ceiling.apply(Num::Real(2.5)), Num::Real(3.0));
        assert_eq!(
            Unary::Exp.apply(Num::Int(1)),
            Num::Real(std::f64::consts::E)
        );
        assert_eq!(Unary::Log.apply(Num::Int(1)), Num::Real(0.0));
        assert_eq!(Unary::Log.apply(Num::Int(0)), Num::Real(f64::NEG_INFINITY));
        assert_eq!(
            Unary::Asin.apply(Num::Int(-1)),
            Num::Real(-std::f64::consts::FRAC_PI_2)
        );
        assert_eq!(
            Unary::Acos.apply(Num::Int(-1)),
            Num::Real(std::f64::consts::PI)
        );
        assert_eq!(
            Unary::Atan.apply(Num::Int(1)),
            Num::Real(std::f64::consts::FRAC_PI_4)
        );
        assert_eq!(Unary::Sin.apply(Num::Null), Num::Null);
        match Unary::Sign.apply(Num::Real(f64::NAN)) {
            Num::Real(r) => assert!(r.is_nan()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn slice_kernel() {
        let mut out = Vec::new();
        arith_reals(Arith::Add, &[1.0, 2.0], &[0.5, 0.25], &mut out);
        assert_eq!(out, vec![1.5, 2.25]);
    }
}
