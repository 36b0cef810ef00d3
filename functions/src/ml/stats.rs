//! `series_stats` / `series_stats_dynamic` (series-stats-function.md,
//! series-stats-dynamic-function.md, ml-operators.md §4): min and max with the first position
//! of each, average, sample variance and standard deviation, sum and length.
//!
//! One pass over the slice: sum, minimum, maximum and Welford's running sum of squared
//! deviations (stable for large offsets, unlike a sum of squares). `avg` is sum / n. With the
//! docs' example this reproduces every digit Kusto prints (series-stats-dynamic-function.md:
//! avg 32.8, stdev 28.503633853548269, variance 812.45714285714291), where a two-pass
//! variance differs in the last place.

/// The statistics of one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesStats {
    /// The length of the input array (docs: "The length of the input array"; also with
    /// `ignore_nonfinite`, where the skipped elements still count: the docs define `len` as
    /// the array's length, not the number of values used).
    pub len: usize,
    /// The sum of the values used (0 when none).
    pub sum: f64,
    /// The remaining statistics; `None` when no value was used (an empty array, or only
    /// non-finite values with `ignore_nonfinite`).
    pub summary: Option<Summary>,
}

/// The statistics that need at least one value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub min: f64,
    /// The first position of the minimum in the original array (0-based).
    pub min_idx: usize,
    pub max: f64,
    /// The first position of the maximum in the original array (0-based).
    pub max_idx: usize,
    pub avg: f64,
    /// Sample standard deviation (n − 1).
    pub stdev: f64,
    /// Sample variance (n − 1); 0 for a single value, as Kusto's `variance()` aggregate.
    pub variance: f64,
}

/// The statistics of `values` (nulls given as NaN). `None` when a non-finite value (null,
/// NaN, ±inf) is present and `ignore_nonfinite` is false: the docs say the result is then
/// null. With `ignore_nonfinite` those elements are skipped; indexes still refer to positions
/// in `values`.
pub fn series_stats(values: &[f64], ignore_nonfinite: bool) -> Option<SeriesStats> {
    let mut sum = 0.0;
    let mut count = 0usize;
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let (mut min_idx, mut max_idx) = (usize::MAX, usize::MAX);
    // Welford's running mean and sum of squared deviations
    let (mut mean, mut m2) = (0.0, 0.0);
    for (i, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            if ignore_nonfinite {
                continue;
            }
            return None;
        }
        sum += v;
        count += 1;
        let d = v - mean;
        mean += d / count as f64;
        m2 += d * (v - mean);
        // strict comparisons keep the first occurrence
        if v < min || min_idx == usize::MAX {
            min = v;
            min_idx = i;
        }
        if v > max || max_idx == usize::MAX {
            max = v;
            max_idx = i;
        }
    }
    if count == 0 {
        return Some(SeriesStats {
            len: values.len(),
            sum: 0.0,
            summary: None,
        });
    }
    let variance = if count > 1 {
        m2 / (count - 1) as f64
    } else {
        0.0
    };
    Some(SeriesStats {
        len: values.len(),
        sum,
        summary: Some(Summary {
            min,
            min_idx,
            max,
            max_idx,
            avg: sum / count as f64,
            stdev: variance.sqrt(),
            variance,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn doc_example() {
        // series-stats-function.md: min 2 at 8, max 87 at 3, avg 32.8, sum 492, len 15;
        // variance = sum((x - 32.8)^2) / 14 = 11374.4 / 14.
        let x = [
            23.0, 46.0, 23.0, 87.0, 4.0, 8.0, 3.0, 75.0, 2.0, 56.0, 13.0, 75.0, 32.0, 16.0, 29.0,
        ];
        let s = series_stats(&x, false).unwrap();
        let m = s.summary.unwrap();
        assert_eq!((m.min, m.min_idx, m.max, m.max_idx), (2.0, 8, 87.0, 3));
        assert_eq!((s.sum, s.len), (492.0, 15));
        assert_eq!(m.avg, 32.8);
        assert!(close(m.variance, 11374.4 / 14.0, 1e-14));
        // the 17 digits of series-stats-dynamic-function.md's output
        #[allow(clippy::excessive_precision)]
        let (variance, stdev) = (812.45714285714291, 28.503633853548269);
        assert_eq!((m.variance, m.stdev), (variance, stdev));
    }

    #[test]
    fn first_occurrence_of_ties() {
        let m = series_stats(&[3.0, 1.0, 5.0, 1.0, 5.0], false)
            .unwrap()
            .summary
            .unwrap();
        assert_eq!((m.min_idx, m.max_idx), (1, 2));
    }

    #[test]
    fn nonfinite_values() {
        let x = [1.0, f64::NAN, 3.0, f64::INFINITY, 5.0];
        assert_eq!(series_stats(&x, false), None);
        let s = series_stats(&x, true).unwrap();
        let m = s.summary.unwrap();
        assert_eq!((s.len, s.sum), (5, 9.0));
        assert_eq!(
            (m.min, m.min_idx, m.max, m.max_idx, m.avg),
            (1.0, 0, 5.0, 4, 3.0)
        );
        assert_eq!(m.variance, 4.0); // (4 + 0 + 4) / 2
        assert_eq!(m.stdev, 2.0);
    }

    #[test]
    fn empty_and_single() {
        let s = series_stats(&[], false).unwrap();
        assert_eq!((s.len, s.sum, s.summary), (0, 0.0, None));
        let s = series_stats(&[f64::NAN, f64::NAN], true).unwrap();
        assert_eq!((s.len, s.sum, s.summary), (2, 0.0, None));
        let m = series_stats(&[7.0], false).unwrap().summary.unwrap();
        assert_eq!(
            (m.min, m.max, m.avg, m.variance, m.stdev),
            (7.0, 7.0, 7.0, 0.0, 0.0)
        );
    }
}
