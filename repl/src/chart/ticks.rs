//! Axis ticks: "nice" linear steps (1, 2, 2.5, 5 × 10ⁿ), powers of ten for log axes, and
//! calendar-ish steps for datetimes (Unix nanoseconds), with their labels.

use kql_engine::display::format_datetime_nanos;

const NS: f64 = 1e9;

/// A step of about `range / target`, rounded to 1, 2, 2.5 or 5 × 10ⁿ.
pub fn nice_step(range: f64, target: usize) -> f64 {
    let raw = range / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Ticks covering `[lo, hi]`: the range widened to whole steps (unless `keep` says the bound
/// was given by the user) and the tick values.
pub fn linear(lo: f64, hi: f64, target: usize, keep: (bool, bool)) -> (f64, f64, Vec<f64>, f64) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1)
    };
    let step = nice_step(hi - lo, target);
    let lo2 = if keep.0 {
        lo
    } else {
        (lo / step).floor() * step
    };
    let hi2 = if keep.1 {
        hi
    } else {
        (hi / step).ceil() * step
    };
    let mut ticks = Vec::new();
    let mut t = (lo2 / step).ceil() * step;
    while t <= hi2 + step * 1e-9 && ticks.len() < 100 {
        // avoid "-0"
        ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    (lo2, hi2, ticks, step)
}

/// Decades covering `[lo, hi]` (both > 0): the widened range (in log10) and tick values.
pub fn log(lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
    let l = lo.log10().floor();
    let mut h = hi.log10().ceil();
    if h <= l {
        h = l + 1.0;
    }
    let mut ticks = Vec::new();
    for e in l as i32..=h as i32 {
        let p = 10f64.powi(e);
        ticks.push(p);
        // few decades: also 2× and 5× each power
        if h - l <= 2.0 && e < h as i32 {
            ticks.extend([2.0 * p, 5.0 * p]);
        }
    }
    (l, h, ticks)
}

/// A number label for ticks `step` apart: thousands as `k`, millions as `M`, billions as `G`.
pub fn number_label(v: f64, step: f64) -> String {
    let (div, suffix) = match v.abs().max(step.abs()) {
        m if m >= 1e9 => (1e9, "G"),
        m if m >= 1e6 => (1e6, "M"),
        m if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let s = step / div;
    let decimals = if s >= 1.0 {
        0
    } else {
        (-s.log10().floor()) as usize
            + usize::from((s * 10f64.powf(-s.log10().floor())).fract() > 1e-6)
    };
    format!("{:.*}{suffix}", decimals.min(9), v / div)
}

/// A label for any value on a value axis (legends, terminal axes).
pub fn value_label(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

const TIME_STEPS: [f64; 24] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0, 1209600.0, 2592000.0, 7776000.0,
    31536000.0,
];

/// Datetime ticks in `[lo, hi]` (Unix ns), at most about `target`, with labels.
pub fn time(lo: f64, hi: f64, target: usize) -> Vec<(f64, String)> {
    let span = (hi - lo) / NS;
    let step_s = TIME_STEPS
        .iter()
        .copied()
        .find(|s| span / s <= target.max(1) as f64)
        .unwrap_or_else(|| nice_step(span, target));
    let step = step_s * NS;
    let mut out: Vec<(f64, String)> = Vec::new();
    let mut t = (lo / step).ceil() * step;
    let mut last_date = String::new();
    while t <= hi && out.len() < 200 {
        let text = format_datetime_nanos(t as i64);
        let date = text.get(0..10).unwrap_or("").to_string();
        let label = if step_s >= 86400.0 {
            date.clone()
        } else if step_s >= 60.0 {
            let hm = text.get(11..16).unwrap_or("");
            if date != last_date {
                format!("{} {hm}", text.get(5..10).unwrap_or(""))
            } else {
                hm.to_string()
            }
        } else {
            text.get(11..19).unwrap_or("").to_string()
        };
        last_date = date;
        out.push((t, label));
        t += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_and_cover_the_range() {
        let (lo, hi, ticks, step) = linear(3.0, 97.0, 5, (false, false));
        assert_eq!((lo, hi, step), (0.0, 100.0, 20.0));
        assert_eq!(ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(number_label(2.5, 0.5), "2.5");
        assert_eq!(number_label(20000.0, 5000.0), "20k");
        assert_eq!(number_label(0.25, 0.25), "0.25");
        let (l, h, t) = log(3.0, 2000.0);
        assert_eq!((l, h), (0.0, 4.0));
        assert_eq!(t.len(), 5);
        let (_, _, t) = log(150.0, 900.0);
        assert_eq!(t, vec![100.0, 200.0, 500.0, 1000.0]);
    }

    #[test]
    fn time_ticks_pick_a_calendar_step() {
        // 2024-03-14T12:00Z .. +24h: 3-hour steps with the date where the day changes
        let lo = 1_710_417_600.0 * NS;
        let ticks = time(lo, lo + 86400.0 * NS, 8);
        assert_eq!(ticks[0].1, "03-14 12:00");
        assert_eq!(ticks[1].1, "15:00");
        assert_eq!(ticks[4].1, "03-15 00:00");
        let days = time(lo, lo + 20.0 * 86400.0 * NS, 8);
        assert_eq!(days[0].1, "2024-03-21"); // weekly steps (from the epoch, a Thursday)
    }
}
