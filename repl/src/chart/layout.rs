//! Lays a [`Chart`] out as a [`Scene`]: title, panels with axes, ticks, grid and series,
//! legend; pie wedges; cards; tables.

use super::model::{Body, Chart, ChartKind, Panel, Plot, Scale, Series, Style, XAxis};
use super::scene::{
    ANOMALY, AXIS, Anchor, BACKGROUND, GRID, INK, MUTED, Rgb, Scene, Shape, fit_text, palette,
    text_width,
};
use super::{figures, ticks};

pub const WIDTH: f64 = 960.0;
pub(crate) const HEIGHT: f64 = 540.0;
const PANEL_HEIGHT: f64 = 210.0;
const TICK_SIZE: f64 = 11.0;
pub(crate) const LABEL_SIZE: f64 = 12.0;
const TITLE_SIZE: f64 = 18.0;

/// The scene for `chart`.
pub fn scene(chart: &Chart) -> Scene {
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| chart.kind.name().to_string());
    match &chart.body {
        Body::Plot(plot) => plot_scene(chart, plot, title),
        Body::Pie(slices) => figures::pie_scene(chart, slices, title),
        Body::Card(values) => figures::card_scene(chart, values, title),
        Body::Table {
            columns,
            rows,
            total_rows,
        } => figures::table_scene(chart, columns, rows, *total_rows, title),
    }
}

/// Draws the title; returns where the content starts.
pub(crate) fn draw_title(scene: &mut Scene, chart: &Chart) -> f64 {
    match &chart.title {
        Some(t) => {
            let text = fit_text(t, TITLE_SIZE, scene.width - 40.0);
            scene.shapes.push(Shape::Text {
                at: (scene.width / 2.0, 30.0),
                text,
                size: TITLE_SIZE,
                color: INK,
                anchor: Anchor::Middle,
                bold: true,
                vertical: false,
            });
            48.0
        }
        None => 16.0,
    }
}

/// A legend entry: name, colour, and whether it is a marker (anomalies) rather than a swatch.
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) color: Rgb,
    pub(crate) marker: bool,
}

const LEGEND_MAX_W: f64 = 220.0;

pub(crate) fn legend_width(entries: &[Entry]) -> f64 {
    let w = entries
        .iter()
        .map(|e| text_width(&e.name, LABEL_SIZE))
        .fold(0.0, f64::max);
    (w + 34.0).min(LEGEND_MAX_W)
}

pub(crate) fn draw_legend(scene: &mut Scene, entries: &[Entry], x: f64, top: f64, bottom: f64) {
    let row = 18.0;
    let fits = (((bottom - top) / row).floor().max(1.0)) as usize;
    let shown = if entries.len() > fits {
        fits.saturating_sub(1)
    } else {
        entries.len()
    };
    for (i, e) in entries.iter().take(shown).enumerate() {
        let y = top + row * i as f64 + 12.0;
        if e.marker {
            scene.shapes.push(Shape::Circle {
                center: (x + 6.0, y - 4.0),
                radius: 4.5,
                fill: e.color,
                stroke: Some(BACKGROUND),
            });
        } else {
            scene.rect(x, y - 9.0, 12.0, 10.0, e.color);
        }
        let name = fit_text(&e.name, LABEL_SIZE, LEGEND_MAX_W - 34.0);
        scene.text((x + 18.0, y), name, LABEL_SIZE, INK, Anchor::Start);
    }
    if shown < entries.len() {
        let y = top + row * shown as f64 + 12.0;
        let more = format!("+{} more", entries.len() - shown);
        scene.text((x + 18.0, y), more, LABEL_SIZE, MUTED, Anchor::Start);
    }
}

/// Maps values on one axis to pixels.
#[derive(Clone, Copy)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    /// Pixel positions of `lo` and `hi`.
    from: f64,
    to: f64,
}

impl Axis {
    fn map(&self, v: f64) -> Option<f64> {
        let v = if self.log {
            if v <= 0.0 {
                return None;
            }
            v.log10()
        } else {
            v
        };
        let span = self.hi - self.lo;
        let t = if span == 0.0 {
            0.5
        } else {
            (v - self.lo) / span
        };
        Some(self.from + t.clamp(-0.02, 1.02) * (self.to - self.from))
    }
}

/// The value range of `series` (tops and bases), with 0 included for bars and areas.
fn value_range(series: &[&Series], zero: bool, log: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in series {
        for (i, p) in s.points.iter().enumerate() {
            // bases matter for bars and areas (and stacks); lines start where their data does
            let base = if zero { s.base.get(i).copied() } else { None };
            for v in std::iter::once(p.1).chain(base) {
                if log && v <= 0.0 {
                    continue;
                }
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        return if log { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if zero && !log {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    (lo, hi)
}

/// Builds the value axis for a panel and its ticks `(value, label)`.
fn value_axis(plot: &Plot, series: &[&Series], from: f64, to: f64) -> (Axis, Vec<(f64, String)>) {
    let zero = matches!(plot.style, Style::Column | Style::Bar | Style::Area);
    let log = plot.yscale == Scale::Log;
    let (mut lo, mut hi) = value_range(series, zero, log);
    if let Some(m) = plot.ymin {
        lo = m;
    }
    if let Some(m) = plot.ymax {
        hi = m;
    }
    let target = (((from - to).abs() / 45.0) as usize).clamp(2, 10);
    if log {
        let (l, h, t) = ticks::log(lo.max(f64::MIN_POSITIVE), hi.max(lo.max(f64::MIN_POSITIVE)));
        let axis = Axis {
            lo: l,
            hi: h,
            log: true,
            from,
            to,
        };
        let labels = t.into_iter().map(|v| (v, ticks::value_label(v))).collect();
        return (axis, labels);
    }
    let keep = (plot.ymin.is_some(), plot.ymax.is_some());
    let (l, h, t, step) = ticks::linear(lo, hi, target, keep);
    let axis = Axis {
        lo: l,
        hi: h,
        log: false,
        from,
        to,
    };
    let labels = t
        .into_iter()
        .map(|v| (v, ticks::number_label(v, step)))
        .collect();
    (axis, labels)
}

fn all_series(plot: &Plot) -> Vec<&Series> {
    plot.panels.iter().flat_map(|p| p.series.iter()).collect()
}

fn plot_scene(chart: &Chart, plot: &Plot, title: String) -> Scene {
    let panels = plot.panels.len().max(1) as f64;
    let height = if panels > 1.0 {
        110.0 + panels * PANEL_HEIGHT
    } else {
        HEIGHT
    };
    let mut scene = Scene::new(WIDTH, height, title);
    let top = draw_title(&mut scene, chart);
    let mut entries: Vec<Entry> = all_series(plot)
        .iter()
        .map(|s| Entry {
            name: s.name.clone(),
            color: palette(s.color),
            marker: plot.style == Style::Scatter,
        })
        .collect();
    if chart.kind == ChartKind::Anomalychart {
        entries.push(Entry {
            name: "anomalies".into(),
            color: ANOMALY,
            marker: true,
        });
    }
    let legend_w = if chart.legend && !entries.is_empty() {
        legend_width(&entries) + 16.0
    } else {
        0.0
    };
    // value-axis label width, measured over every panel's ticks
    let horizontal = plot.style == Style::Bar;
    // a bar chart's categories run down the left side: the x title goes there
    let (bottom_title, left_title) = if horizontal {
        (&chart.ytitle, &chart.xtitle)
    } else {
        (&chart.xtitle, &chart.ytitle)
    };
    let bottom_margin = 28.0 + if bottom_title.is_empty() { 0.0 } else { 20.0 };
    let panel_h = (height - top - bottom_margin) / panels;
    let category_labels: Vec<String> = match &plot.x {
        XAxis::Category(c) => c.iter().map(|l| fit_text(l, TICK_SIZE, 140.0)).collect(),
        _ => Vec::new(),
    };
    let ytitle_w = if left_title.is_empty() { 0.0 } else { 22.0 };
    let left_labels = if horizontal {
        category_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE))
            .fold(0.0, f64::max)
    } else {
        plot.panels
            .iter()
            .map(|p| {
                let series: Vec<&Series> = p.series.iter().collect();
                let (_, labels) = value_axis(plot, &series, panel_h, 0.0);
                labels
                    .iter()
                    .map(|(_, l)| text_width(l, TICK_SIZE))
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max)
    };
    let left = 16.0 + ytitle_w + left_labels + 8.0;
    let right = WIDTH - 20.0 - legend_w;
    if legend_w > 0.0 {
        draw_legend(&mut scene, &entries, right + 16.0, top, height - 10.0);
    }
    // the shared x axis for time and number x
    let (xlo, xhi) = x_range(plot);
    for (pi, panel) in plot.panels.iter().enumerate() {
        let ptop = top + panel_h * pi as f64;
        let mut y0 = ptop + 6.0;
        if let Some(name) = &panel.name {
            scene.shapes.push(Shape::Text {
                at: (left, ptop + 14.0),
                text: fit_text(name, LABEL_SIZE, right - left),
                size: LABEL_SIZE,
                color: INK,
                anchor: Anchor::Start,
                bold: true,
                vertical: false,
            });
            y0 = ptop + 22.0;
        }
        let y1 = ptop + panel_h
            - if pi + 1 == plot.panels.len() {
                0.0
            } else {
                24.0
            };
        let last = pi + 1 == plot.panels.len();
        draw_panel(
            &mut scene,
            plot,
            panel,
            (left, y0, right, y1),
            (xlo, xhi),
            &category_labels,
            last,
        );
    }
    if !bottom_title.is_empty() {
        scene.text(
            ((left + right) / 2.0, height - 10.0),
            fit_text(bottom_title, LABEL_SIZE, right - left),
            LABEL_SIZE,
            MUTED,
            Anchor::Middle,
        );
    }
    if !left_title.is_empty() {
        scene.shapes.push(Shape::Text {
            at: (16.0 + 12.0, (top + height - bottom_margin) / 2.0),
            text: fit_text(left_title, LABEL_SIZE, height - top - bottom_margin),
            size: LABEL_SIZE,
            color: MUTED,
            anchor: Anchor::Middle,
            bold: false,
            vertical: true,
        });
    }
    scene
}

/// The x range over every point (time and number x).
fn x_range(plot: &Plot) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in all_series(plot) {
        for p in &s.points {
            if plot.xscale == Scale::Log && p.0 <= 0.0 {
                continue;
            }
            lo = lo.min(p.0);
            hi = hi.max(p.0);
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        let pad = if plot.x == XAxis::Time {
            3.6e12
        } else {
            lo.abs().max(1.0) * 0.5
        };
        return (lo - pad, hi + pad);
    }
    (lo, hi)
}

fn draw_panel(
    scene: &mut Scene,
    plot: &Plot,
    panel: &Panel,
    (x0, y0, x1, y1): (f64, f64, f64, f64),
    (xlo, xhi): (f64, f64),
    categories: &[String],
    show_x_labels: bool,
) {
    let series: Vec<&Series> = panel.series.iter().collect();
    if matches!(plot.style, Style::Column | Style::Bar) {
        draw_bars(
            scene,
            plot,
            &series,
            (x0, y0, x1, y1),
            categories,
            show_x_labels,
        );
        return;
    }
    let (yaxis, yticks) = value_axis(plot, &series, y1, y0);
    for (v, label) in &yticks {
        if let Some(y) = yaxis.map(*v) {
            scene.line((x0, y), (x1, y), GRID, 1.0);
            scene.text(
                (x0 - 6.0, y + 4.0),
                label.clone(),
                TICK_SIZE,
                MUTED,
                Anchor::End,
            );
        }
    }
    // x axis
    let xaxis = match &plot.x {
        XAxis::Category(c) => Axis {
            lo: -0.5,
            hi: c.len() as f64 - 0.5,
            log: false,
            from: x0,
            to: x1,
        },
        _ if plot.xscale == Scale::Log => {
            let (l, h, _) = ticks::log(xlo.max(f64::MIN_POSITIVE), xhi.max(f64::MIN_POSITIVE));
            Axis {
                lo: l,
                hi: h,
                log: true,
                from: x0,
                to: x1,
            }
        }
        _ => Axis {
            lo: xlo,
            hi: xhi,
            log: false,
            from: x0,
            to: x1,
        },
    };
    let xticks: Vec<(f64, String)> = match &plot.x {
        XAxis::Time => ticks::time(xlo, xhi, (((x1 - x0) / 110.0) as usize).max(2)),
        XAxis::Category(_) => categories
            .iter()
            .enumerate()
            .map(|(i, l)| (i as f64, l.clone()))
            .collect(),
        XAxis::Number if plot.xscale == Scale::Log => {
            let (_, _, t) = ticks::log(xlo.max(f64::MIN_POSITIVE), xhi.max(f64::MIN_POSITIVE));
            t.into_iter().map(|v| (v, ticks::value_label(v))).collect()
        }
        XAxis::Number => {
            let (_, _, t, step) =
                ticks::linear(xlo, xhi, (((x1 - x0) / 90.0) as usize).max(2), (true, true));
            t.into_iter()
                .map(|v| (v, ticks::number_label(v, step)))
                .collect()
        }
    };
    draw_x_ticks(
        scene,
        &xticks,
        |v| xaxis.map(v),
        (x0, x1),
        y1,
        show_x_labels,
    );
    scene.line((x0, y1), (x1, y1), AXIS, 1.0);
    scene.line((x0, y0), (x0, y1), AXIS, 1.0);
    // series
    for s in &series {
        let color = palette(s.color);
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|(x, y)| Some((xaxis.map(*x)?, yaxis.map(*y)?)))
            .collect();
        match plot.style {
            Style::Area => {
                let mut poly = pts.clone();
                for (i, (x, _)) in s.points.iter().enumerate().rev() {
                    let base = s.base.get(i).copied().unwrap_or(0.0);
                    let by = yaxis.map(base).unwrap_or(y1);
                    if let Some(px) = xaxis.map(*x) {
                        poly.push((px, by));
                    }
                }
                scene.shapes.push(Shape::Polygon {
                    points: poly,
                    fill: color,
                    opacity: 0.35,
                });
                scene.shapes.push(Shape::Polyline {
                    points: pts,
                    color,
                    width: 1.5,
                    series: Some(s.name.clone()),
                });
            }
            Style::Scatter => {
                for p in pts {
                    scene.shapes.push(Shape::Circle {
                        center: p,
                        radius: 3.0,
                        fill: color,
                        stroke: None,
                    });
                }
            }
            _ => {
                if pts.len() == 1 {
                    scene.shapes.push(Shape::Circle {
                        center: pts[0],
                        radius: 3.0,
                        fill: color,
                        stroke: None,
                    });
                }
                scene.shapes.push(Shape::Polyline {
                    points: pts,
                    color,
                    width: 1.8,
                    series: Some(s.name.clone()),
                });
            }
        }
    }
    for s in &series {
        for a in &s.anomalies {
            if let (Some(x), Some(y)) = (xaxis.map(a.x), yaxis.map(a.y)) {
                scene.shapes.push(Shape::Circle {
                    center: (x, y),
                    radius: 4.5,
                    fill: ANOMALY,
                    stroke: Some(BACKGROUND),
                });
            }
        }
    }
}

/// Tick marks and labels under a horizontal axis, thinned so labels do not overlap.
fn draw_x_ticks(
    scene: &mut Scene,
    ticks: &[(f64, String)],
    map: impl Fn(f64) -> Option<f64>,
    (x0, x1): (f64, f64),
    y: f64,
    labels: bool,
) {
    let widest = ticks
        .iter()
        .map(|(_, l)| text_width(l, TICK_SIZE))
        .fold(0.0, f64::max);
    let spacing = if ticks.len() > 1 {
        (x1 - x0) / ticks.len() as f64
    } else {
        x1 - x0
    };
    let every = ((widest + 10.0) / spacing.max(1.0)).ceil().max(1.0) as usize;
    for (i, (v, label)) in ticks.iter().enumerate() {
        let Some(x) = map(*v) else { continue };
        if x < x0 - 0.5 || x > x1 + 0.5 {
            continue;
        }
        scene.line((x, y), (x, y + 4.0), AXIS, 1.0);
        if labels && i % every == 0 {
            // keep the label inside the canvas
            let half = text_width(label, TICK_SIZE) / 2.0;
            let tx = x.max(half + 4.0).min(scene.width - half - 4.0);
            scene.text(
                (tx, y + 17.0),
                label.clone(),
                TICK_SIZE,
                MUTED,
                Anchor::Middle,
            );
        }
    }
}

/// Column charts (vertical) and bar charts (horizontal): one band per category, side by side
/// when unstacked.
fn draw_bars(
    scene: &mut Scene,
    plot: &Plot,
    series: &[&Series],
    (x0, y0, x1, y1): (f64, f64, f64, f64),
    categories: &[String],
    show_labels: bool,
) {
    let horizontal = plot.style == Style::Bar;
    let n = categories.len().max(1) as f64;
    let (vfrom, vto) = if horizontal { (x0, x1) } else { (y1, y0) };
    let (axis, vticks) = value_axis(plot, series, vfrom, vto);
    for (v, label) in &vticks {
        let Some(p) = axis.map(*v) else { continue };
        if horizontal {
            scene.line((p, y0), (p, y1), GRID, 1.0);
            if show_labels {
                scene.text(
                    (p, y1 + 17.0),
                    label.clone(),
                    TICK_SIZE,
                    MUTED,
                    Anchor::Middle,
                );
            }
        } else {
            scene.line((x0, p), (x1, p), GRID, 1.0);
            scene.text(
                (x0 - 6.0, p + 4.0),
                label.clone(),
                TICK_SIZE,
                MUTED,
                Anchor::End,
            );
        }
    }
    let (cfrom, cto) = if horizontal { (y0, y1) } else { (x0, x1) };
    let band = (cto - cfrom) / n;
    if horizontal {
        let every = (18.0 / band).ceil().max(1.0) as usize;
        for (i, label) in categories.iter().enumerate() {
            if i % every == 0 {
                let y = cfrom + band * (i as f64 + 0.5) + 4.0;
                scene.text((x0 - 6.0, y), label.clone(), TICK_SIZE, MUTED, Anchor::End);
            }
        }
    } else {
        let ticks: Vec<(f64, String)> = categories
            .iter()
            .enumerate()
            .map(|(i, l)| (i as f64, l.clone()))
            .collect();
        draw_x_ticks(
            scene,
            &ticks,
            |v| Some(cfrom + band * (v + 0.5)),
            (x0, x1),
            y1,
            show_labels,
        );
    }
    let stacked = plot.stacking != super::model::Stacking::Unstacked;
    let lanes = if stacked {
        1.0
    } else {
        series.len().max(1) as f64
    };
    let inner = band * 0.75;
    let lane = inner / lanes;
    for (si, s) in series.iter().enumerate() {
        let color = palette(s.color);
        for (i, (c, v)) in s.points.iter().enumerate() {
            let base = s.base.get(i).copied().unwrap_or(0.0);
            let lo_v = if axis.log && base <= 0.0 {
                10f64.powf(axis.lo)
            } else {
                base
            };
            let (Some(a), Some(b)) = (axis.map(lo_v), axis.map(*v)) else {
                continue;
            };
            let start = cfrom
                + band * c
                + (band - inner) / 2.0
                + if stacked { 0.0 } else { lane * si as f64 };
            let width = (lane - if lanes > 1.0 { 1.0 } else { 0.0 }).max(1.0);
            let (lo, hi) = (a.min(b), a.max(b));
            if horizontal {
                scene.rect(lo, start, (hi - lo).max(0.5), width, color);
            } else {
                scene.rect(start, lo, width, (hi - lo).max(0.5), color);
            }
        }
    }
    if horizontal {
        scene.line((x0, y0), (x0, y1), AXIS, 1.0);
    } else {
        scene.line((x0, y1), (x1, y1), AXIS, 1.0);
    }
}
