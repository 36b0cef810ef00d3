//! The chart as text for a terminal: lines and points on a Unicode braille grid (2×4 dots per
//! character), bars with eighth blocks, and a legend; ANSI colours when asked. Bar-like charts
//! (column, bar, pie) are all drawn as horizontal bars, which fit a terminal best; area charts
//! are drawn as their top lines, and bars always on a linear scale (a log `yaxis` applies to
//! the line charts here and to every chart in the SVG/HTML/PNG writers).

use super::model::{Body, Chart, Plot, Scale, Series, Stacking, Style, XAxis};
use super::scene::{ANOMALY, Rgb, palette};
use super::ticks;
use kql_engine::display::format_datetime_nanos;
use std::fmt::Write;

/// A bar line: label, segments (value, colour), value text.
type BarRow = (String, Vec<(f64, Rgb)>, String);

const PLOT_ROWS: usize = 12;
const PANEL_ROWS: usize = 7;

fn paint(s: &str, color: Option<Rgb>, on: bool) -> String {
    match color {
        Some(c) if on => format!("\x1b[38;2;{};{};{}m{s}\x1b[0m", c.0, c.1, c.2),
        _ => s.to_string(),
    }
}

/// The chart as terminal text `width` columns wide, or `None` for `table` (the table itself
/// is the visualization).
pub fn render(chart: &Chart, width: usize, color: bool) -> Option<String> {
    let width = width.clamp(40, 160);
    let mut out = String::new();
    if let Some(t) = &chart.title {
        let _ = writeln!(out, "{}", paint(t, None, color));
    }
    match &chart.body {
        Body::Table { .. } => return None,
        Body::Card(values) => {
            for (name, value) in values {
                let v = if color {
                    format!("\x1b[1m{value}\x1b[0m")
                } else {
                    value.clone()
                };
                let _ = writeln!(out, "{name}: {v}");
            }
        }
        Body::Pie(slices) => {
            let total: f64 = slices.iter().map(|s| s.1).sum();
            let rows: Vec<BarRow> = slices
                .iter()
                .enumerate()
                .map(|(i, (name, v))| {
                    (
                        name.clone(),
                        vec![(*v, palette(i))],
                        format!("{} ({:.1}%)", ticks::value_label(*v), v / total * 100.0),
                    )
                })
                .collect();
            bars(&mut out, &rows, width, color);
        }
        Body::Plot(plot) if matches!(plot.style, Style::Column | Style::Bar) => {
            bar_plot(&mut out, plot, width, color);
            legend(&mut out, chart, plot, width, color);
        }
        Body::Plot(plot) => {
            let rows = if plot.panels.len() > 1 {
                PANEL_ROWS
            } else {
                PLOT_ROWS
            };
            for panel in &plot.panels {
                if let Some(name) = &panel.name {
                    let _ = writeln!(out, "{name}");
                }
                let series: Vec<&Series> = panel.series.iter().collect();
                braille(&mut out, plot, &series, width, rows, color);
            }
            if !chart.xtitle.is_empty() {
                let pad = width.saturating_sub(chart.xtitle.chars().count()) / 2;
                let _ = writeln!(out, "{}{}", " ".repeat(pad), chart.xtitle);
            }
            legend(&mut out, chart, plot, width, color);
        }
    }
    Some(out)
}

fn legend(out: &mut String, chart: &Chart, plot: &Plot, width: usize, color: bool) {
    if !chart.legend {
        return;
    }
    let mut items: Vec<(String, Rgb)> = plot
        .panels
        .iter()
        .flat_map(|p| p.series.iter())
        .map(|s| (s.name.clone(), palette(s.color)))
        .collect();
    if plot
        .panels
        .iter()
        .any(|p| p.series.iter().any(|s| !s.anomalies.is_empty()))
    {
        items.push(("anomalies".into(), ANOMALY));
    }
    let mut line = String::new();
    let mut used = 0;
    for (name, c) in items {
        let n = name.chars().count() + 4;
        if used > 0 && used + n > width {
            let _ = writeln!(out, "{line}");
            line.clear();
            used = 0;
        }
        let _ = write!(line, "{} {name}  ", paint("■", Some(c), color));
        used += n;
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn x_label(plot: &Plot, v: f64) -> String {
    match &plot.x {
        XAxis::Time => {
            let t = format_datetime_nanos(v as i64);
            t.get(0..16).unwrap_or(&t).replace('T', " ")
        }
        XAxis::Number => ticks::value_label(v),
        XAxis::Category(c) => c
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default(),
    }
}

/// Lines (or points) of `series` on a braille grid with a y axis at the left.
fn braille(
    out: &mut String,
    plot: &Plot,
    series: &[&Series],
    width: usize,
    rows: usize,
    color: bool,
) {
    let log = plot.yscale == Scale::Log;
    let tf = |v: f64| {
        if log {
            (v > 0.0).then(|| v.log10())
        } else {
            Some(v)
        }
    };
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut xlo, mut xhi) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in series {
        for (x, y) in &s.points {
            if let Some(y) = tf(*y) {
                lo = lo.min(y);
                hi = hi.max(y);
                xlo = xlo.min(*x);
                xhi = xhi.max(*x);
            }
        }
    }
    if let Some(m) = plot.ymin.and_then(tf) {
        lo = m;
    }
    if let Some(m) = plot.ymax.and_then(tf) {
        hi = m;
    }
    if !(lo.is_finite() && hi.is_finite() && xlo.is_finite()) {
        let _ = writeln!(out, "(no points)");
        return;
    }
    if hi == lo {
        hi = lo + 1.0;
    }
    if xhi == xlo {
        xhi = xlo + 1.0;
    }
    let label = |v: f64| ticks::value_label(if log { 10f64.powf(v) } else { v });
    let labels = [label(hi), label((hi + lo) / 2.0), label(lo)];
    let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let cols = width.saturating_sub(lw + 2).max(10);
    let (dw, dh) = (cols * 2, rows * 4);
    // per cell: dot bits and colour
    let mut bits = vec![0u8; cols * rows];
    let mut colors: Vec<Option<Rgb>> = vec![None; cols * rows];
    let mut marks = vec![false; cols * rows];
    let to_dot = |x: f64, y: f64| -> (i64, i64) {
        let dx = ((x - xlo) / (xhi - xlo) * (dw - 1) as f64).round() as i64;
        let dy = ((hi - y) / (hi - lo) * (dh - 1) as f64).round() as i64;
        (dx, dy)
    };
    let mut set = |dx: i64, dy: i64, c: Rgb| {
        if dx < 0 || dy < 0 || dx >= dw as i64 || dy >= dh as i64 {
            return;
        }
        let (dx, dy) = (dx as usize, dy as usize);
        let cell = (dy / 4) * cols + dx / 2;
        const BIT: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        bits[cell] |= BIT[dx % 2][dy % 4];
        colors[cell] = Some(c);
    };
    for s in series {
        let c = palette(s.color);
        let mut prev: Option<(i64, i64)> = None;
        for (x, y) in &s.points {
            let Some(y) = tf(*y) else { continue };
            let p = to_dot(*x, y);
            match prev {
                Some(q) if plot.style != Style::Scatter => {
                    let steps = (p.0 - q.0).abs().max((p.1 - q.1).abs()).max(1);
                    for k in 0..=steps {
                        let t = k as f64 / steps as f64;
                        set(
                            q.0 + ((p.0 - q.0) as f64 * t).round() as i64,
                            q.1 + ((p.1 - q.1) as f64 * t).round() as i64,
                            c,
                        );
                    }
                }
                _ => set(p.0, p.1, c),
            }
            prev = Some(p);
        }
    }
    for s in series {
        for a in &s.anomalies {
            if let Some(y) = tf(a.y) {
                let (dx, dy) = to_dot(a.x, y);
                if dx >= 0 && dy >= 0 && (dx as usize) < dw && (dy as usize) < dh {
                    marks[(dy as usize / 4) * cols + dx as usize / 2] = true;
                }
            }
        }
    }
    for r in 0..rows {
        let l = if r == 0 {
            &labels[0]
        } else if r == rows / 2 {
            &labels[1]
        } else if r + 1 == rows {
            &labels[2]
        } else {
            ""
        };
        let mut line = format!("{l:>lw$} ┤");
        for c in 0..cols {
            let i = r * cols + c;
            if marks[i] {
                line.push_str(&paint("●", Some(ANOMALY), color));
            } else if bits[i] == 0 {
                line.push(' ');
            } else {
                let ch = char::from_u32(0x2800 + u32::from(bits[i])).unwrap_or('?');
                line.push_str(&paint(&ch.to_string(), colors[i], color));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let (a, b) = (x_label(plot, xlo), x_label(plot, xhi));
    let gap = cols
        .saturating_sub(a.chars().count() + b.chars().count())
        .max(1);
    let _ = writeln!(out, "{:lw$}  {a}{}{b}", "", " ".repeat(gap));
}

/// Column and bar charts: one line per category and series (one stacked line when stacked).
fn bar_plot(out: &mut String, plot: &Plot, width: usize, color: bool) {
    let cats = match &plot.x {
        XAxis::Category(c) => c.clone(),
        _ => Vec::new(),
    };
    let stacked = plot.stacking != Stacking::Unstacked;
    for panel in &plot.panels {
        if let Some(name) = &panel.name {
            let _ = writeln!(out, "{name}");
        }
        let mut rows: Vec<BarRow> = Vec::new();
        for (ci, cat) in cats.iter().enumerate() {
            let at = |s: &Series| -> Option<(f64, f64)> {
                s.points
                    .iter()
                    .position(|p| p.0 as usize == ci)
                    .map(|i| (s.points[i].1, s.base.get(i).copied().unwrap_or(0.0)))
            };
            if stacked {
                let segs: Vec<(f64, Rgb)> = panel
                    .series
                    .iter()
                    .filter_map(|s| at(s).map(|(top, base)| (top - base, palette(s.color))))
                    .collect();
                let total: f64 = segs.iter().map(|s| s.0).sum();
                rows.push((cat.clone(), segs, ticks::value_label(total)));
            } else {
                for (si, s) in panel.series.iter().enumerate() {
                    if let Some((v, _)) = at(s) {
                        let label = if si == 0 { cat.clone() } else { String::new() };
                        rows.push((label, vec![(v, palette(s.color))], ticks::value_label(v)));
                    }
                }
            }
        }
        bars(out, &rows, width, color);
    }
}

/// Horizontal bars: label, segments (value, colour), value text.
fn bars(out: &mut String, rows: &[BarRow], width: usize, color: bool) {
    let lw = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let vw = rows.iter().map(|r| r.2.chars().count()).max().unwrap_or(0);
    let room = width.saturating_sub(lw + vw + 4).max(8) as f64;
    let max = rows
        .iter()
        .map(|r| r.1.iter().map(|s| s.0.max(0.0)).sum::<f64>())
        .fold(0.0, f64::max);
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    for (label, segs, value) in rows {
        let name: String = label.chars().take(lw).collect();
        let mut line = format!("{name:<lw$} ");
        for (v, c) in segs {
            let eighths = if max > 0.0 {
                (v.max(0.0) / max * room * 8.0).round() as usize
            } else {
                0
            };
            let bar = format!("{}{}", "█".repeat(eighths / 8), EIGHTHS[eighths % 8]);
            line.push_str(&paint(&bar, Some(*c), color));
        }
        let _ = writeln!(out, "{line} {value}");
    }
}
