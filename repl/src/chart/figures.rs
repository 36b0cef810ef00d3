//! Scenes for the charts without axes: pie, card and table.

use super::layout::WIDTH;
use super::layout::{Entry, HEIGHT, LABEL_SIZE, draw_legend, draw_title, legend_width};
use super::model::Chart;
use super::scene::{Anchor, BACKGROUND, GRID, INK, MUTED, Scene, Shape, fit_text, palette};

pub(crate) fn pie_scene(chart: &Chart, slices: &[(String, f64)], title: String) -> Scene {
    let mut scene = Scene::new(WIDTH, HEIGHT, title);
    let top = draw_title(&mut scene, chart);
    let total: f64 = slices.iter().map(|s| s.1).sum();
    let entries: Vec<Entry> = slices
        .iter()
        .enumerate()
        .map(|(i, (name, v))| Entry {
            name: format!("{name} ({:.1}%)", v / total * 100.0),
            color: palette(i),
            marker: false,
        })
        .collect();
    let legend_w = if chart.legend {
        legend_width(&entries) + 16.0
    } else {
        0.0
    };
    let area_w = WIDTH - legend_w - 40.0;
    let radius = ((HEIGHT - top - 30.0) / 2.0).min(area_w / 2.0).max(10.0);
    let center = (20.0 + area_w / 2.0, top + 10.0 + radius);
    let mut start = -std::f64::consts::FRAC_PI_2;
    for (i, (_, v)) in slices.iter().enumerate() {
        let sweep = v / total * std::f64::consts::TAU;
        let steps = ((sweep / 0.03).ceil() as usize).max(2);
        let mut points = vec![center];
        for k in 0..=steps {
            let a = start + sweep * k as f64 / steps as f64;
            points.push((center.0 + radius * a.cos(), center.1 + radius * a.sin()));
        }
        scene.shapes.push(Shape::Polygon {
            points,
            fill: palette(i),
            opacity: 1.0,
        });
        if sweep > 0.3 {
            let mid = start + sweep / 2.0;
            scene.shapes.push(Shape::Text {
                at: (
                    center.0 + radius * 0.65 * mid.cos(),
                    center.1 + radius * 0.65 * mid.sin() + 4.0,
                ),
                text: format!("{:.0}%", v / total * 100.0),
                size: LABEL_SIZE,
                color: BACKGROUND,
                anchor: Anchor::Middle,
                bold: true,
                vertical: false,
            });
        }
        start += sweep;
    }
    if legend_w > 0.0 {
        draw_legend(&mut scene, &entries, WIDTH - legend_w, top, HEIGHT - 10.0);
    }
    scene
}

pub(crate) fn card_scene(chart: &Chart, values: &[(String, String)], title: String) -> Scene {
    let per_row = values.len().clamp(1, 3);
    let rows = values.len().div_ceil(per_row).max(1);
    let cell_w = 300.0;
    let width = (cell_w * per_row as f64 + 40.0).max(360.0);
    let mut scene = Scene::new(width, 0.0, title);
    let top = draw_title(&mut scene, chart);
    scene.height = top + rows as f64 * 100.0 + 16.0;
    for (i, (name, value)) in values.iter().enumerate() {
        let x = 20.0 + cell_w * (i % per_row) as f64 + cell_w / 2.0;
        let y = top + 100.0 * (i / per_row) as f64;
        scene.shapes.push(Shape::Text {
            at: (x, y + 52.0),
            text: fit_text(value, 36.0, cell_w - 16.0),
            size: 36.0,
            color: INK,
            anchor: Anchor::Middle,
            bold: true,
            vertical: false,
        });
        scene.text(
            (x, y + 80.0),
            fit_text(name, 14.0, cell_w - 16.0),
            14.0,
            MUTED,
            Anchor::Middle,
        );
    }
    scene
}

pub(crate) fn table_scene(
    chart: &Chart,
    columns: &[String],
    rows: &[Vec<String>],
    total: usize,
    title: String,
) -> Scene {
    let size = LABEL_SIZE;
    let widths: Vec<f64> = columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let longest = rows
                .iter()
                .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
                .chain(std::iter::once(name.chars().count()))
                .max()
                .unwrap_or(0)
                .min(32);
            longest as f64 * size * 0.6 + 16.0
        })
        .collect();
    let width = (widths.iter().sum::<f64>() + 40.0).max(360.0);
    let row_h = 20.0;
    let mut scene = Scene::new(width, 0.0, title);
    let top = draw_title(&mut scene, chart);
    let footer = if total > rows.len() { 24.0 } else { 0.0 };
    scene.height = top + row_h * (rows.len() + 1) as f64 + footer + 16.0;
    scene.rect(20.0, top, widths.iter().sum(), row_h, GRID);
    let mut x = 20.0;
    for (c, name) in columns.iter().enumerate() {
        let w = widths[c];
        scene.shapes.push(Shape::Text {
            at: (x + 8.0, top + 14.0),
            text: fit_text(name, size, w - 12.0),
            size,
            color: INK,
            anchor: Anchor::Start,
            bold: true,
            vertical: false,
        });
        for (r, row) in rows.iter().enumerate() {
            let y = top + row_h * (r + 1) as f64;
            let value = row.get(c).map_or("", String::as_str);
            scene.text(
                (x + 8.0, y + 14.0),
                fit_text(value, size, w - 12.0),
                size,
                INK,
                Anchor::Start,
            );
        }
        x += w;
    }
    for r in 1..=rows.len() {
        let y = top + row_h * (r + 1) as f64;
        scene.line((20.0, y), (x, y), GRID, 1.0);
    }
    if footer > 0.0 {
        scene.text(
            (20.0, top + row_h * (rows.len() + 1) as f64 + 18.0),
            format!("({} more rows)", total - rows.len()),
            size,
            MUTED,
            Anchor::Start,
        );
    }
    scene
}
