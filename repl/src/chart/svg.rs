//! SVG output: the scene as hand-written SVG 1.1 (text in a monospace family, whose advance
//! matches the layout's text measure).

use super::scene::{Anchor, BACKGROUND, Scene, Shape};
use std::fmt::Write;

/// `s` escaped for XML text and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn points(pts: &[(f64, f64)]) -> String {
    let mut s = String::new();
    for (i, (x, y)) in pts.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:.1},{y:.1}");
    }
    s
}

/// The scene as a standalone SVG document.
pub fn render(scene: &Scene) -> String {
    let mut out = String::new();
    let (w, h) = (scene.width.ceil(), scene.height.ceil());
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&scene.title));
    let _ = writeln!(
        out,
        r#"<rect x="0" y="0" width="{w}" height="{h}" fill="{}"/>"#,
        BACKGROUND.hex()
    );
    for shape in &scene.shapes {
        match shape {
            Shape::Line {
                from,
                to,
                color,
                width,
            } => {
                let _ = writeln!(
                    out,
                    r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="{width}"/>"#,
                    from.0,
                    from.1,
                    to.0,
                    to.1,
                    color.hex()
                );
            }
            Shape::Polyline {
                points: pts,
                color,
                width,
                series,
            } => {
                let name = series
                    .as_ref()
                    .map(|s| format!(r#" data-series="{}""#, escape(s)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    r#"<polyline{name} points="{}" fill="none" stroke="{}" stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"/>"#,
                    points(pts),
                    color.hex()
                );
            }
            Shape::Polygon {
                points: pts,
                fill,
                opacity,
            } => {
                let _ = writeln!(
                    out,
                    r#"<polygon points="{}" fill="{}" fill-opacity="{opacity}"/>"#,
                    points(pts),
                    fill.hex()
                );
            }
            Shape::Rect { x, y, w, h, fill } => {
                let _ = writeln!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{}"/>"#,
                    fill.hex()
                );
            }
            Shape::Circle {
                center,
                radius,
                fill,
                stroke,
            } => {
                let stroke = stroke
                    .map(|s| format!(r#" stroke="{}" stroke-width="1.5""#, s.hex()))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="{radius}" fill="{}"{stroke}/>"#,
                    center.0,
                    center.1,
                    fill.hex()
                );
            }
            Shape::Text {
                at,
                text,
                size,
                color,
                anchor,
                bold,
                vertical,
            } => {
                let anchor = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let weight = if *bold { r#" font-weight="bold""# } else { "" };
                let rotate = if *vertical {
                    format!(r#" transform="rotate(-90 {:.1} {:.1})""#, at.0, at.1)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" font-size="{size}" fill="{}" text-anchor="{anchor}"{weight}{rotate}>{}</text>"#,
                    at.0,
                    at.1,
                    color.hex(),
                    escape(text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}
