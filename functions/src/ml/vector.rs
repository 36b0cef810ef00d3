//! Whole-series reductions to one real (series-pearson-correlation-function.md,
//! series-dot-product-function.md, series-magnitude-function.md,
//! series-cosine-similarity-function.md, series-sum-function.md, series-product-function.md).
//!
//! Elements are `Option<f64>`: `None` is a null or non-numeric element.
//!
//! - Pearson correlation: null when the series differ in length or either holds a
//!   non-numeric element (the docs). Choices: an empty pair of series is null; when either
//!   series is constant the coefficient is 0/0 = NaN, as the formula gives.
//! - Dot product and cosine similarity: "the longer series will be truncated to the length of
//!   the shorter one", "any non-numeric element of the input series will be ignored", and an
//!   empty input gives null (the docs). A pair with a null on either side adds nothing to the
//!   dot product. Choice: the magnitudes cosine similarity computes itself are those of the
//!   truncated series, each over its own numeric elements.
//! - Magnitude: the square root of the series' dot product with itself (the docs), so nulls
//!   are ignored and an empty series is null.
//! - Sum and product: the docs give only the all-numeric case. Choice: null elements are
//!   ignored (as `sum()` ignores nulls), so an empty series sums to 0 and multiplies to 1.
//!   NaN elements propagate (ml-operators.md §1).

/// Pearson's r of two series (see the module comment).
pub fn pearson(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let n = a.len() as f64;
    let (mut sa, mut sb) = (0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sa += (*x)?;
        sb += (*y)?;
    }
    let (ma, mb) = (sa / n, sb / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = ((*x)? - ma, (*y)? - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    Some(sab / (saa * sbb).sqrt())
}

/// The dot product of the pairs `(a[i], b[i])` of the truncated series; `None` when there are
/// no pairs.
pub fn dot(pairs: impl Iterator<Item = (Option<f64>, Option<f64>)>) -> Option<f64> {
    let mut any = false;
    let mut s = 0.0;
    for (x, y) in pairs {
        any = true;
        if let (Some(x), Some(y)) = (x, y) {
            s += x * y;
        }
    }
    any.then_some(s)
}

/// √(Σx²) over the numeric elements; `None` for an empty series.
pub fn magnitude(v: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let mut any = false;
    let mut s = 0.0;
    for x in v {
        any = true;
        if let Some(x) = x {
            s += x * x;
        }
    }
    any.then(|| s.sqrt())
}

/// Cosine similarity of the truncated series; `m1`/`m2` are given magnitudes (computed when
/// `None`).
pub fn cosine_similarity(
    a: &[Option<f64>],
    b: &[Option<f64>],
    m1: Option<f64>,
    m2: Option<f64>,
) -> Option<f64> {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let d = dot(a.iter().copied().zip(b.iter().copied()))?;
    let m1 = match m1 {
        Some(m) => m,
        None => magnitude(a.iter().copied())?,
    };
    let m2 = match m2 {
        Some(m) => m,
        None => magnitude(b.iter().copied())?,
    };
    Some(d / (m1 * m2))
}

/// The sum of the numeric elements.
pub fn sum(v: impl Iterator<Item = Option<f64>>) -> f64 {
    v.flatten().sum()
}

/// The product of the numeric elements.
pub fn product(v: impl Iterator<Item = Option<f64>>) -> f64 {
    v.flatten().product()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().copied().map(Some).collect()
    }

    #[test]
    fn doc_vectors() {
        // series-pearson-correlation-function.md: [1..5] and twice that → 1
        let r = pearson(
            &s(&[1.0, 2.0, 3.0, 4.0, 5.0]),
            &s(&[2.0, 4.0, 6.0, 8.0, 10.0]),
        );
        assert!((r.unwrap() - 1.0).abs() < 1e-15);
        assert_eq!(pearson(&s(&[1.0, 2.0]), &s(&[1.0])), None);
        assert_eq!(pearson(&[Some(1.0), None], &s(&[1.0, 2.0])), None);
        assert!(pearson(&s(&[1.0, 1.0]), &s(&[1.0, 2.0])).unwrap().is_nan());
        // series-dot-product-function.md: [1,2,4]·[4,2,1] = 12, [3,6,12]·3 = 63
        let d = dot(s(&[1.0, 2.0, 4.0]).into_iter().zip(s(&[4.0, 2.0, 1.0])));
        assert_eq!(d, Some(12.0));
        let d = dot(s(&[3.0, 6.0, 12.0])
            .into_iter()
            .zip(std::iter::repeat(Some(3.0))));
        assert_eq!(d, Some(63.0));
        assert_eq!(dot(std::iter::empty()), None);
        // truncation and ignored nulls
        let d = dot(vec![Some(1.0), None, Some(2.0)]
            .into_iter()
            .zip(s(&[5.0, 7.0])));
        assert_eq!(d, Some(5.0));
        // series-magnitude-function.md: [1,2,3,4] → √30
        assert_eq!(
            magnitude(s(&[1.0, 2.0, 3.0, 4.0]).into_iter()),
            Some(30f64.sqrt())
        );
        assert_eq!(magnitude(std::iter::empty()), None);
        // series-cosine-similarity-function.md
        let a = s(&[0.1, 0.2, 0.1, 0.2]);
        let c = cosine_similarity(&a, &s(&[0.11, 0.2, 0.11, 0.21]), None, None).unwrap();
        assert!((c - 0.99935343825504).abs() < 1e-13, "{c}");
        let c = cosine_similarity(&a, &s(&[1.0, 2.0, 3.0, 4.0]), None, None).unwrap();
        assert!((c - 0.923760430703401).abs() < 1e-14, "{c}");
        assert_eq!(cosine_similarity(&a, &[], None, None), None);
        assert_eq!(
            cosine_similarity(&s(&[1.0, 0.0]), &s(&[2.0, 0.0]), Some(2.0), Some(4.0)),
            Some(0.25)
        );
        // series-sum-function.md / series-product-function.md
        assert_eq!(sum(s(&[1.0, 2.0, 3.0, 4.0]).into_iter()), 10.0);
        assert_eq!(product(s(&[1.0, 2.0, 3.0, 4.0]).into_iter()), 24.0);
        assert_eq!(sum(vec![Some(1.0), None].into_iter()), 1.0);
        assert_eq!(product(std::iter::empty()), 1.0);
    }
}
