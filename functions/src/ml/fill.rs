//! Filling missing values in a series (series-fill-forward-function.md,
//! series-fill-backward-function.md, series-fill-const-function.md,
//! series-fill-linear-function.md; ml-operators.md §3).
//!
//! Every kernel works in place on one row's elements and takes a predicate telling which
//! elements are missing (the placeholder: null by default, or any value the caller matches).
//! The element type is generic so a long series stays long (the docs: the fill functions
//! "preserve the original type of the array elements").
//!
//! - forward: a missing element takes the nearest non-missing element to its left; leading
//!   missing elements stay.
//! - backward: the nearest non-missing element to its right; trailing missing elements stay.
//! - const: every missing element becomes the constant.
//! - linear: missing elements between two known ones are interpolated at equal index spacing;
//!   with `fill_edges` (the default) leading and trailing runs copy the nearest known element,
//!   otherwise they stay missing; when every element is missing the whole array becomes the
//!   constant (also when `fill_edges` is false, as the docs' all-null row shows), and a null
//!   constant keeps it as it is. Long series interpolate in reals and truncate toward zero:
//!   the docs call the values "rounded" but show 73.5 → 73, 32.667 → 32, 24.333 → 24
//!   (ml-operators.md §3); truncation also for negative values is our choice.

/// An element type the linear fill can interpolate.
pub trait Lerp: Copy {
    /// The value `k/n` of the way from `a` to `b` (`0 < k < n`).
    fn lerp(a: Self, b: Self, k: usize, n: usize) -> Self;
}

/// Interpolates as numpy's `interp` does (slope times distance plus the left value), so the
/// oracle comparison is exact.
#[inline]
fn lerp_f64(a: f64, b: f64, k: usize, n: usize) -> f64 {
    let slope = (b - a) / n as f64;
    slope * k as f64 + a
}

impl Lerp for f64 {
    #[inline]
    fn lerp(a: f64, b: f64, k: usize, n: usize) -> f64 {
        lerp_f64(a, b, k, n)
    }
}

impl Lerp for Option<f64> {
    #[inline]
    fn lerp(a: Self, b: Self, k: usize, n: usize) -> Self {
        Some(lerp_f64(a?, b?, k, n))
    }
}

impl Lerp for Option<i64> {
    #[inline]
    fn lerp(a: Self, b: Self, k: usize, n: usize) -> Self {
        let v = lerp_f64(a? as f64, b? as f64, k, n).trunc();
        // the value lies between two longs, so the cast is in range
        Some(v as i64)
    }
}

/// Forward fill in place.
pub fn fill_forward<T: Copy>(v: &mut [T], missing: impl Fn(&T) -> bool) {
    let mut last: Option<T> = None;
    for x in v.iter_mut() {
        if missing(x) {
            if let Some(l) = last {
                *x = l;
            }
        } else {
            last = Some(*x);
        }
    }
}

/// Backward fill in place.
pub fn fill_backward<T: Copy>(v: &mut [T], missing: impl Fn(&T) -> bool) {
    let mut next: Option<T> = None;
    for x in v.iter_mut().rev() {
        if missing(x) {
            if let Some(n) = next {
                *x = n;
            }
        } else {
            next = Some(*x);
        }
    }
}

/// Constant fill in place.
pub fn fill_const<T: Copy>(v: &mut [T], missing: impl Fn(&T) -> bool, constant: T) {
    for x in v.iter_mut() {
        if missing(x) {
            *x = constant;
        }
    }
}

/// Linear fill in place (see the module comment). `constant` is `None` when it is null.
pub fn fill_linear<T: Lerp>(
    v: &mut [T],
    missing: impl Fn(&T) -> bool,
    fill_edges: bool,
    constant: Option<T>,
) {
    let Some(first) = v.iter().position(|x| !missing(x)) else {
        if let Some(c) = constant {
            v.iter_mut().for_each(|x| *x = c);
        }
        return;
    };
    let mut left = first;
    let mut i = first + 1;
    while i < v.len() {
        if missing(&v[i]) {
            i += 1;
            continue;
        }
        let gap = i - left;
        if gap > 1 {
            let (a, b) = (v[left], v[i]);
            for k in 1..gap {
                v[left + k] = T::lerp(a, b, k, gap);
            }
        }
        left = i;
        i += 1;
    }
    if fill_edges {
        let (head, last) = (v[first], v[left]);
        v[..first].iter_mut().for_each(|x| *x = head);
        v[left + 1..].iter_mut().for_each(|x| *x = last);
    }
}

/// [`fill_linear`] for a real series held as values plus a validity mask (`known[i]` false
/// for a missing element), the form of an Arrow `Float64` slice: fills in place and marks the
/// filled elements known. The all-missing case is the caller's (the mask is left as it is).
pub fn fill_linear_masked(v: &mut [f64], known: &mut [bool], fill_edges: bool) {
    let n = v.len().min(known.len());
    let Some(first) = known[..n].iter().position(|k| *k) else {
        return;
    };
    let mut left = first;
    for i in first + 1..n {
        if !known[i] {
            continue;
        }
        let gap = i - left;
        if gap > 1 {
            let (a, b) = (v[left], v[i]);
            for k in 1..gap {
                v[left + k] = lerp_f64(a, b, k, gap);
            }
            known[left + 1..i].iter_mut().for_each(|x| *x = true);
        }
        left = i;
    }
    if fill_edges {
        let (head, last) = (v[first], v[left]);
        v[..first].iter_mut().for_each(|x| *x = head);
        v[left + 1..n].iter_mut().for_each(|x| *x = last);
        known[..n].iter_mut().for_each(|x| *x = true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| (!x.is_nan()).then_some(*x)).collect()
    }

    const N: f64 = f64::NAN;

    #[test]
    #[allow(clippy::approx_constant)] // the docs' constant 3.14159
    fn linear_matches_the_docs() {
        // series-fill-linear-function.md, the array of doubles
        let input = [N, 111.0, N, 36.0, 41.0, N, N, 16.0, 61.0, 33.0, N, N];
        let mut v = opt(&input);
        fill_linear(&mut v, Option::is_none, true, Some(Some(0.0)));
        let want = [
            111.0,
            111.0,
            73.5,
            36.0,
            41.0,
            41.0 - 25.0 / 3.0,
            41.0 - 50.0 / 3.0,
            16.0,
            61.0,
            33.0,
            33.0,
            33.0,
        ];
        for (g, w) in v.iter().zip(want) {
            let g = g.unwrap_or(f64::NAN);
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        // without the edges
        let mut v = opt(&input);
        fill_linear(&mut v, Option::is_none, false, Some(Some(0.0)));
        assert_eq!(v[0], None);
        assert_eq!(v[2], Some(73.5));
        assert_eq!(&v[9..], &[Some(33.0), None, None]);
        // the same array of longs truncates
        let mut l: Vec<Option<i64>> = input
            .iter()
            .map(|x| (!x.is_nan()).then_some(*x as i64))
            .collect();
        fill_linear(&mut l, Option::is_none, true, Some(Some(0)));
        let want: Vec<Option<i64>> = [111, 111, 73, 36, 41, 32, 24, 16, 61, 33, 33, 33]
            .into_iter()
            .map(Some)
            .collect();
        assert_eq!(l, want);
        // all missing: the constant, even without edges; a null constant keeps the nulls
        let mut a = vec![None::<f64>; 4];
        fill_linear(&mut a, Option::is_none, false, Some(Some(3.14159)));
        assert_eq!(a, vec![Some(3.14159); 4]);
        let mut a = vec![None::<f64>; 4];
        fill_linear(&mut a, Option::is_none, true, None);
        assert_eq!(a, vec![None; 4]);
        let mut e: Vec<Option<f64>> = vec![];
        fill_linear(&mut e, Option::is_none, true, Some(Some(1.0)));
        assert!(e.is_empty());
    }

    #[test]
    fn masked_linear_matches_the_generic_kernel() {
        // deterministic pseudo-random rows with runs of nulls at the edges and inside
        let mut seed = 12345_u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for len in [0usize, 1, 2, 5, 17, 64] {
            for edges in [true, false] {
                let vals: Vec<Option<f64>> = (0..len)
                    .map(|_| (next() % 3 != 0).then(|| (next() % 1000) as f64 / 7.0))
                    .collect();
                let mut want = vals.clone();
                fill_linear(&mut want, Option::is_none, edges, None);
                let mut v: Vec<f64> = vals.iter().map(|x| x.unwrap_or(-1.0)).collect();
                let mut known: Vec<bool> = vals.iter().map(Option::is_some).collect();
                fill_linear_masked(&mut v, &mut known, edges);
                let got: Vec<Option<f64>> =
                    v.iter().zip(&known).map(|(x, k)| k.then_some(*x)).collect();
                assert_eq!(got, want, "len {len} edges {edges}");
            }
        }
    }

    #[test]
    fn linear_truncates_negative_values_toward_zero() {
        let mut l = vec![Some(0_i64), None, Some(-3)];
        fill_linear(&mut l, Option::is_none, true, None);
        assert_eq!(l, vec![Some(0), Some(-1), Some(-3)]);
    }

    #[test]
    fn placeholder_values() {
        // a non-null placeholder: zeros are missing, nulls are ordinary values
        let mut v = vec![Some(1.0), Some(0.0), Some(3.0), Some(0.0), None, Some(0.0)];
        fill_linear(&mut v, |x| *x == Some(0.0), true, None);
        assert_eq!(v, vec![Some(1.0), Some(2.0), Some(3.0), None, None, None]);
    }

    #[test]
    fn forward_backward_const_match_the_docs() {
        // series-fill-forward-function.md
        let n = None;
        let s = Some;
        let mut v = vec![n, n, s(36), s(41), n, n, s(16), s(61), s(33), n, n];
        fill_forward(&mut v, Option::is_none);
        assert_eq!(
            v,
            vec![
                n,
                n,
                s(36),
                s(41),
                s(41),
                s(41),
                s(16),
                s(61),
                s(33),
                s(33),
                s(33)
            ]
        );
        // series-fill-backward-function.md
        let mut v = vec![s(111), n, s(36), s(41), n, n, s(16), s(61), s(33), n, n];
        fill_backward(&mut v, Option::is_none);
        assert_eq!(
            v,
            vec![
                s(111),
                s(36),
                s(36),
                s(41),
                s(16),
                s(16),
                s(16),
                s(61),
                s(33),
                n,
                n
            ]
        );
        // series-fill-const-function.md with -1
        let mut v = vec![s(111), n, s(36), s(41), s(23), n, s(16), s(61), s(33), n, n];
        fill_const(&mut v, Option::is_none, s(-1));
        assert_eq!(
            v,
            vec![
                s(111),
                s(-1),
                s(36),
                s(41),
                s(23),
                s(-1),
                s(16),
                s(61),
                s(33),
                s(-1),
                s(-1)
            ]
        );
    }
}
