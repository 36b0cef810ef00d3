//! PNG output: a small anti-aliased rasterizer for the scene (lines and circles by distance,
//! polygons by scanlines with sub-rows, text with the built-in bitmap font), encoded as an
//! 8-bit RGB PNG with zlib from `flate2`.

use super::font;
use super::scene::{Anchor, BACKGROUND, Rgb, Scene, Shape};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::{self, Write};

/// Pixels per scene unit: PNGs are drawn at twice the scene size, so text stays legible.
pub const SCALE: f64 = 2.0;

struct Canvas {
    w: usize,
    h: usize,
    rgb: Vec<[f32; 3]>,
    /// Coverage scratch for one shape, so overlapping segments blend once.
    mask: Vec<f32>,
}

impl Canvas {
    fn new(w: usize, h: usize, bg: Rgb) -> Canvas {
        let c = [f32::from(bg.0), f32::from(bg.1), f32::from(bg.2)];
        Canvas {
            w,
            h,
            rgb: vec![c; w * h],
            mask: vec![0.0; w * h],
        }
    }

    /// A pixel range covering `[lo, hi]` on an axis of `n` pixels.
    fn span(lo: f64, hi: f64, n: usize) -> std::ops::Range<usize> {
        let a = lo.floor().max(0.0) as usize;
        let b = (hi.ceil().max(0.0) as usize).min(n);
        a.min(b)..b
    }

    /// Raises the mask to `cover` at (x, y).
    fn cover(&mut self, x: usize, y: usize, cover: f32) {
        let m = &mut self.mask[y * self.w + x];
        if cover > *m {
            *m = cover.min(1.0);
        }
    }

    /// Blends `color` through the mask inside the box, clearing the mask.
    fn flush(&mut self, (x0, y0, x1, y1): (f64, f64, f64, f64), color: Rgb, opacity: f32) {
        let c = [f32::from(color.0), f32::from(color.1), f32::from(color.2)];
        for y in Self::span(y0, y1, self.h) {
            for x in Self::span(x0, x1, self.w) {
                let i = y * self.w + x;
                let a = self.mask[i] * opacity;
                if a > 0.0 {
                    let px = &mut self.rgb[i];
                    for k in 0..3 {
                        px[k] = px[k] * (1.0 - a) + c[k] * a;
                    }
                    self.mask[i] = 0.0;
                }
            }
        }
    }

    /// A thick segment into the mask (distance to the segment → coverage).
    fn segment(&mut self, a: (f64, f64), b: (f64, f64), width: f64) {
        let r = width / 2.0;
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let xs = Self::span(a.0.min(b.0) - r - 1.0, a.0.max(b.0) + r + 1.0, self.w);
        for y in Self::span(a.1.min(b.1) - r - 1.0, a.1.max(b.1) + r + 1.0, self.h) {
            for x in xs.clone() {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let t = if len2 == 0.0 {
                    0.0
                } else {
                    (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
                };
                let (cx, cy) = (a.0 + t * dx - px, a.1 + t * dy - py);
                let d = (cx * cx + cy * cy).sqrt();
                let c = (r + 0.5 - d).clamp(0.0, 1.0) as f32;
                if c > 0.0 {
                    self.cover(x, y, c);
                }
            }
        }
    }

    /// A filled polygon (non-zero winding) into the mask, four sub-rows per pixel row.
    fn polygon(&mut self, pts: &[(f64, f64)]) {
        if pts.len() < 3 {
            return;
        }
        let (x0, y0, x1, y1) = bounds(pts, 0.0);
        let xs_range = Self::span(x0, x1 + 1.0, self.w);
        let offset = xs_range.start as f64;
        const SUB: usize = 4;
        let mut row = vec![0.0f32; xs_range.len()];
        let mut xs: Vec<(f64, i32)> = Vec::new();
        for y in Self::span(y0, y1, self.h) {
            row.iter_mut().for_each(|c| *c = 0.0);
            let mut touched = false;
            for s in 0..SUB {
                let sy = y as f64 + (s as f64 + 0.5) / SUB as f64;
                xs.clear();
                for i in 0..pts.len() {
                    let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                    if (a.1 <= sy && b.1 > sy) || (b.1 <= sy && a.1 > sy) {
                        let x = a.0 + (sy - a.1) / (b.1 - a.1) * (b.0 - a.0);
                        xs.push((x, if b.1 > a.1 { 1 } else { -1 }));
                    }
                }
                xs.sort_by(|p, q| p.0.total_cmp(&q.0));
                let mut winding = 0;
                for k in 0..xs.len() {
                    let before = winding;
                    winding += xs[k].1;
                    if before == 0 && winding != 0 {
                        // a span opens at xs[k] and closes where the winding returns to 0
                        let mut j = k + 1;
                        let mut w = winding;
                        while j < xs.len() {
                            w += xs[j].1;
                            if w == 0 {
                                break;
                            }
                            j += 1;
                        }
                        let (xa, xb) = (xs[k].0, xs.get(j).map_or(xs[k].0, |p| p.0));
                        add_span(&mut row, xa - offset, xb - offset, 1.0 / SUB as f32);
                        touched = true;
                    }
                }
            }
            if touched {
                for (i, c) in row.iter().enumerate() {
                    if *c > 0.0 {
                        self.cover(xs_range.start + i, y, *c);
                    }
                }
            }
        }
    }

    /// An axis-aligned rectangle into the mask, with fractional edge coverage.
    fn rect(&mut self, (x0, y0, x1, y1): (f64, f64, f64, f64)) {
        for y in Self::span(y0, y1, self.h) {
            let cy = (y1.min(y as f64 + 1.0) - y0.max(y as f64)).clamp(0.0, 1.0);
            for x in Self::span(x0, x1, self.w) {
                let cx = (x1.min(x as f64 + 1.0) - x0.max(x as f64)).clamp(0.0, 1.0);
                let m = &mut self.mask[y * self.w + x];
                *m = (*m + (cx * cy) as f32).min(1.0);
            }
        }
    }

    fn disc(&mut self, center: (f64, f64), r: f64) {
        for y in Self::span(center.1 - r - 1.0, center.1 + r + 1.0, self.h) {
            for x in Self::span(center.0 - r - 1.0, center.0 + r + 1.0, self.w) {
                let (dx, dy) = (x as f64 + 0.5 - center.0, y as f64 + 0.5 - center.1);
                let c = (r + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0) as f32;
                if c > 0.0 {
                    self.cover(x, y, c);
                }
            }
        }
    }
}

/// Adds `weight` × the overlap of `[xa, xb]` with each pixel of `row`.
fn add_span(row: &mut [f32], xa: f64, xb: f64, weight: f32) {
    let (xa, xb) = (xa.max(0.0), xb.min(row.len() as f64));
    if xb <= xa {
        return;
    }
    let first = xa.floor() as usize;
    let last = (xb.ceil() as usize).min(row.len());
    for (x, c) in row.iter_mut().enumerate().take(last).skip(first) {
        let overlap = (xb.min(x as f64 + 1.0) - xa.max(x as f64)).max(0.0);
        *c += weight * overlap as f32;
    }
}

fn scale_pts(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    pts.iter().map(|(x, y)| (x * SCALE, y * SCALE)).collect()
}

fn bounds(pts: &[(f64, f64)], pad: f64) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for p in pts {
        b = (b.0.min(p.0), b.1.min(p.1), b.2.max(p.0), b.3.max(p.1));
    }
    (b.0 - pad, b.1 - pad, b.2 + pad, b.3 + pad)
}

/// Text with the bitmap font: each set glyph pixel is a small square (rotated 90° for
/// vertical text).
fn text(
    canvas: &mut Canvas,
    at: (f64, f64),
    s: &str,
    size: f64,
    anchor: Anchor,
    bold: bool,
    vertical: bool,
) -> (f64, f64, f64, f64) {
    // large text snaps to whole pixels per font unit, so its strokes keep an even width
    let raw = size / font::CELL_H * SCALE;
    let u = if raw >= 3.0 { raw.round() } else { raw };
    let width = s.chars().count() as f64 * font::CELL_W * u;
    let shift = match anchor {
        Anchor::Start => 0.0,
        Anchor::Middle => width / 2.0,
        Anchor::End => width,
    };
    let (ax, ay) = (at.0 * SCALE, at.1 * SCALE);
    let mut b = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (i, c) in s.chars().enumerate() {
        let rows = font::glyph(c);
        let gx = i as f64 * font::CELL_W * u - shift;
        for gy in 0..9 {
            for gxi in 0..5 {
                if !font::is_set(&rows, gxi, gy) {
                    continue;
                }
                // offsets from the anchor, in pixels: along the text and down from the baseline
                let along = gx + gxi as f64 * u;
                let down = (gy as f64 + 1.0 - font::BASELINE) * u;
                let extra = match (bold, u >= 3.0) {
                    (false, _) => 0.0,
                    (true, true) => (u * 0.45).round(),
                    (true, false) => u * 0.45,
                };
                let rect = if vertical {
                    // turned counter-clockwise: along → up, down → right
                    (ax + down, ay - along - u - extra, ax + down + u, ay - along)
                } else {
                    (ax + along, ay + down, ax + along + u + extra, ay + down + u)
                };
                canvas.rect(rect);
                b = (
                    b.0.min(rect.0),
                    b.1.min(rect.1),
                    b.2.max(rect.2),
                    b.3.max(rect.3),
                );
            }
        }
    }
    (b.0 - 1.0, b.1 - 1.0, b.2 + 1.0, b.3 + 1.0)
}

fn draw(canvas: &mut Canvas, shape: &Shape) {
    match shape {
        Shape::Line {
            from,
            to,
            color,
            width,
        } => {
            let pts = scale_pts(&[*from, *to]);
            let w = width * SCALE;
            canvas.segment(pts[0], pts[1], w);
            canvas.flush(bounds(&pts, w + 2.0), *color, 1.0);
        }
        Shape::Polyline {
            points,
            color,
            width,
            ..
        } => {
            let pts = scale_pts(points);
            let w = width * SCALE;
            if pts.len() == 1 {
                canvas.disc(pts[0], w / 2.0);
            }
            for pair in pts.windows(2) {
                canvas.segment(pair[0], pair[1], w);
            }
            canvas.flush(bounds(&pts, w + 2.0), *color, 1.0);
        }
        Shape::Polygon {
            points,
            fill,
            opacity,
        } => {
            let pts = scale_pts(points);
            canvas.polygon(&pts);
            canvas.flush(bounds(&pts, 2.0), *fill, *opacity as f32);
        }
        Shape::Rect { x, y, w, h, fill } => {
            let (x0, y0, x1, y1) = (x * SCALE, y * SCALE, (x + w) * SCALE, (y + h) * SCALE);
            canvas.rect((x0, y0, x1, y1));
            canvas.flush((x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0), *fill, 1.0);
        }
        Shape::Circle {
            center,
            radius,
            fill,
            stroke,
        } => {
            let c = (center.0 * SCALE, center.1 * SCALE);
            let r = radius * SCALE;
            let b = (c.0 - r - 6.0, c.1 - r - 6.0, c.0 + r + 6.0, c.1 + r + 6.0);
            if let Some(s) = stroke {
                canvas.disc(c, r + 1.5 * SCALE);
                canvas.flush(b, *s, 1.0);
            }
            canvas.disc(c, r);
            canvas.flush(b, *fill, 1.0);
        }
        Shape::Text {
            at,
            text: s,
            size,
            color,
            anchor,
            bold,
            vertical,
        } => {
            let b = text(canvas, *at, s, *size, *anchor, *bold, *vertical);
            canvas.flush(b, *color, 1.0);
        }
    }
}

/// The scene as PNG bytes.
pub fn render(scene: &Scene) -> io::Result<Vec<u8>> {
    let w = (scene.width * SCALE).ceil().max(1.0) as usize;
    let h = (scene.height * SCALE).ceil().max(1.0) as usize;
    let mut canvas = Canvas::new(w, h, BACKGROUND);
    for shape in &scene.shapes {
        draw(&mut canvas, shape);
    }
    encode(w, h, &canvas.rgb)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "PNG chunk too large"))?;
    out.extend_from_slice(&len.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    Ok(())
}

fn encode(w: usize, h: usize, rgb: &[[f32; 3]]) -> io::Result<Vec<u8>> {
    let too_big = || io::Error::new(io::ErrorKind::InvalidData, "image too large");
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&u32::try_from(w).map_err(|_| too_big())?.to_be_bytes());
    ihdr.extend_from_slice(&u32::try_from(h).map_err(|_| too_big())?.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    chunk(&mut out, b"IHDR", &ihdr)?;
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    let mut line = Vec::with_capacity(1 + w * 3);
    for y in 0..h {
        line.clear();
        line.push(0); // filter: none
        for px in &rgb[y * w..(y + 1) * w] {
            for c in px {
                line.push(c.round().clamp(0.0, 255.0) as u8);
            }
        }
        z.write_all(&line)?;
    }
    let data = z.finish()?;
    chunk(&mut out, b"IDAT", &data)?;
    chunk(&mut out, b"IEND", &[])?;
    Ok(out)
}
