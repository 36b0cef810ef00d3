//! The chart model: a query result and its `render` spec turned into what is drawn, following
//! render-operator.md. Column roles: the x column is `xcolumn` or the first column that works
//! for the chart (the first datetime for `timechart`/`anomalychart`); y columns are `ycolumns`
//! or every numeric column left; series columns are `series` or every string column left, and
//! each distinct combination of their values is one series. `make-series` results (array
//! columns) give one series per row and numeric array column.

use super::ChartError;
use super::columns::{self, ColKind, Column};
use super::props::{Props, YSplit, props};
use kql_engine::datafusion::arrow::compute::concat_batches;
use kql_engine::{QueryResult, RenderSpec};
use std::collections::HashMap;

/// The visualizations we draw (render-operator.md's list, minus the Kusto.Explorer-only ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Timechart,
    Linechart,
    Areachart,
    StackedAreachart,
    Columnchart,
    Barchart,
    Piechart,
    Scatterchart,
    Anomalychart,
    Card,
    Table,
}

impl ChartKind {
    pub fn parse(name: &str) -> Result<ChartKind, ChartError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "timechart" => ChartKind::Timechart,
            "linechart" => ChartKind::Linechart,
            "areachart" => ChartKind::Areachart,
            "stackedareachart" => ChartKind::StackedAreachart,
            "columnchart" => ChartKind::Columnchart,
            "barchart" => ChartKind::Barchart,
            "piechart" => ChartKind::Piechart,
            "scatterchart" => ChartKind::Scatterchart,
            "anomalychart" => ChartKind::Anomalychart,
            "card" => ChartKind::Card,
            "table" => ChartKind::Table,
            other => {
                return Err(ChartError(format!(
                    "cannot draw `render {other}`: supported charts are timechart, linechart, \
                     areachart, stackedareachart, columnchart, barchart, piechart, scatterchart, \
                     anomalychart, card and table"
                )));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Timechart => "timechart",
            ChartKind::Linechart => "linechart",
            ChartKind::Areachart => "areachart",
            ChartKind::StackedAreachart => "stackedareachart",
            ChartKind::Columnchart => "columnchart",
            ChartKind::Barchart => "barchart",
            ChartKind::Piechart => "piechart",
            ChartKind::Scatterchart => "scatterchart",
            ChartKind::Anomalychart => "anomalychart",
            ChartKind::Card => "card",
            ChartKind::Table => "table",
        }
    }

    fn style(self) -> Style {
        match self {
            ChartKind::Areachart | ChartKind::StackedAreachart => Style::Area,
            ChartKind::Columnchart => Style::Column,
            ChartKind::Barchart => Style::Bar,
            ChartKind::Scatterchart => Style::Scatter,
            _ => Style::Line,
        }
    }
}

/// How series are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Line,
    Area,
    Column,
    Bar,
    Scatter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stacking {
    Unstacked,
    Stacked,
    Stacked100,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

/// What the x values are: datetimes (Unix ns), numbers, or category indexes into the labels.
#[derive(Clone, Debug, PartialEq)]
pub enum XAxis {
    Time,
    Number,
    Category(Vec<String>),
}

/// A point marked as an anomaly; `direction` is the sign of the anomaly flag (+1 spike, -1 dip).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anomaly {
    pub x: f64,
    pub y: f64,
    pub direction: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// Index into the palette, stable across panels.
    pub color: usize,
    /// (x, y) sorted by x for line and area charts; y is the top of the stack when stacked.
    pub points: Vec<(f64, f64)>,
    /// The bottom of each point's bar or band (0 unless stacked).
    pub base: Vec<f64>,
    pub anomalies: Vec<Anomaly>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// The panel's heading under `ysplit=panels|axes`.
    pub name: Option<String>,
    pub series: Vec<Series>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub style: Style,
    pub x: XAxis,
    pub stacking: Stacking,
    pub xscale: Scale,
    pub yscale: Scale,
    pub ymin: Option<f64>,
    pub ymax: Option<f64>,
    pub panels: Vec<Panel>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Plot(Plot),
    /// Slices: label, value (> 0).
    Pie(Vec<(String, f64)>),
    /// The first row: column name and value text.
    Card(Vec<(String, String)>),
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
        total_rows: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: Option<String>,
    pub xtitle: String,
    pub ytitle: String,
    pub legend: bool,
    pub body: Body,
}

/// Rows a `table` chart shows.
const TABLE_ROWS: usize = 40;
/// `ysplit=panels`: "Maximum five panels".
const MAX_PANELS: usize = 5;

/// Builds the chart for `result` as `spec` asks.
pub fn build(result: &QueryResult, spec: &RenderSpec) -> Result<Chart, ChartError> {
    let kind = ChartKind::parse(&spec.chart)?;
    let p = props(kind, spec)?;
    let batch = concat_batches(&result.schema, &result.batches)
        .map_err(|e| ChartError(format!("cannot read the result: {e}")))?;
    let schema = batch.schema();
    let cols: Vec<Column<'_>> = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, a)| Column {
            name: f.name().as_str(),
            field: f.as_ref(),
            array: a,
            kind: columns::kind_of(f, a),
        })
        .collect();
    let body = match kind {
        ChartKind::Table => table(&cols, batch.num_rows()),
        ChartKind::Card => card(&cols)?,
        ChartKind::Piechart => pie(&cols, &p)?,
        _ => return plot(kind, &cols, p),
    };
    Ok(Chart {
        kind,
        title: p.title,
        xtitle: p.xtitle.unwrap_or_default(),
        ytitle: p.ytitle.unwrap_or_default(),
        legend: p.legend,
        body,
    })
}

fn table(cols: &[Column<'_>], rows: usize) -> Body {
    let texts: Vec<Vec<String>> = cols.iter().map(columns::texts).collect();
    Body::Table {
        columns: cols.iter().map(|c| c.name.to_string()).collect(),
        rows: (0..rows.min(TABLE_ROWS))
            .map(|r| texts.iter().map(|t| t[r].clone()).collect())
            .collect(),
        total_rows: rows,
    }
}

fn card(cols: &[Column<'_>]) -> Result<Body, ChartError> {
    if cols.first().is_none_or(|c| c.array.is_empty()) {
        return Err(ChartError("card needs at least one row".into()));
    }
    Ok(Body::Card(
        cols.iter()
            .map(|c| {
                let text = columns::texts(c).into_iter().next().unwrap_or_default();
                (c.name.to_string(), text)
            })
            .collect(),
    ))
}

fn find<'c, 'a>(cols: &'c [Column<'a>], name: &str) -> Result<&'c Column<'a>, ChartError> {
    cols.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
        ChartError(format!(
            "render names column '{name}', which the result does not have (columns: {})",
            names.join(", ")
        ))
    })
}

/// Piechart: "the first column is the color-axis, and the second column is numeric". Labels
/// are `xcolumn` (or the series columns, or the first non-numeric column), values the first
/// of `ycolumns` (or the first numeric column); equal labels are summed.
fn pie(cols: &[Column<'_>], p: &Props) -> Result<Body, ChartError> {
    let value = match p.ycolumns.first() {
        Some(y) => find(cols, y)?,
        None => cols
            .iter()
            .find(|c| c.kind == ColKind::Number)
            .ok_or_else(|| ChartError("piechart needs a numeric column".into()))?,
    };
    if value.kind != ColKind::Number {
        return Err(ChartError(format!(
            "piechart values must be numeric; '{}' is not",
            value.name
        )));
    }
    let label_cols: Vec<&Column<'_>> = if let Some(x) = &p.xcolumn {
        vec![find(cols, x)?]
    } else if !p.series.is_empty() {
        p.series
            .iter()
            .map(|s| find(cols, s))
            .collect::<Result<_, _>>()?
    } else {
        cols.iter()
            .find(|c| c.name != value.name && c.kind != ColKind::Number)
            .or_else(|| cols.iter().find(|c| c.name != value.name))
            .into_iter()
            .collect()
    };
    let labels: Vec<Vec<String>> = label_cols.iter().map(|c| columns::texts(c)).collect();
    let values = columns::scalars(value)?;
    let mut slices: Vec<(String, f64)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (row, v) in values.iter().enumerate() {
        let Some(v) = *v else { continue };
        if v < 0.0 {
            return Err(ChartError(format!(
                "piechart cannot show the negative value {v} of '{}'",
                value.name
            )));
        }
        let label = if labels.is_empty() {
            value.name.to_string()
        } else {
            labels
                .iter()
                .map(|l| l[row].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match index.get(&label) {
            Some(&i) => slices[i].1 += v,
            None => {
                index.insert(label.clone(), slices.len());
                slices.push((label, v));
            }
        }
    }
    slices.retain(|s| s.1 > 0.0);
    if slices.is_empty() {
        return Err(ChartError("piechart has no positive values to show".into()));
    }
    Ok(Body::Pie(slices))
}

/// The x column when `xcolumn` is not given.
fn pick_x<'c, 'a>(kind: ChartKind, cols: &'c [Column<'a>]) -> Result<&'c Column<'a>, ChartError> {
    let numeric = |c: &Column<'_>| matches!(c.kind, ColKind::Number | ColKind::NumberArray);
    let has_arrays = cols.iter().any(|c| c.kind.is_array());
    if has_arrays && let Some(c) = cols.iter().find(|c| c.kind == ColKind::TimeArray) {
        return Ok(c);
    }
    match kind {
        ChartKind::Timechart | ChartKind::Anomalychart => cols
            .iter()
            .find(|c| c.kind == ColKind::Time)
            .ok_or_else(|| {
                ChartError(format!(
                    "{} needs a datetime column for the x axis; the result has none",
                    kind.name()
                ))
            }),
        ChartKind::Columnchart | ChartKind::Barchart => cols
            .first()
            .ok_or_else(|| ChartError("the result has no columns".into())),
        _ => {
            // the first datetime or number that leaves a numeric column for y
            let candidate = cols.iter().enumerate().find(|(i, c)| {
                matches!(c.kind, ColKind::Time | ColKind::Number)
                    && cols.iter().enumerate().any(|(j, o)| j != *i && numeric(o))
            });
            match candidate {
                Some((_, c)) => Ok(c),
                None => cols
                    .first()
                    .ok_or_else(|| ChartError("the result has no columns".into())),
            }
        }
    }
}

/// One line of values before stacking: a series key, the y column, the points and the marks.
struct Raw {
    key: String,
    y: String,
    points: Vec<(f64, f64)>,
    anomalies: Vec<Anomaly>,
}

fn plot(kind: ChartKind, cols: &[Column<'_>], p: Props) -> Result<Chart, ChartError> {
    let style = kind.style();
    let x = match &p.xcolumn {
        Some(name) => find(cols, name)?,
        None => pick_x(kind, cols)?,
    };
    if matches!(kind, ChartKind::Timechart | ChartKind::Anomalychart)
        && !matches!(x.kind, ColKind::Time | ColKind::TimeArray)
    {
        return Err(ChartError(format!(
            "{} needs a datetime x axis; '{}' is not a datetime column",
            kind.name(),
            x.name
        )));
    }
    let arrays = x.kind.is_array();
    let anomaly_cols: Vec<&Column<'_>> = p
        .anomalycolumns
        .iter()
        .map(|n| find(cols, n))
        .collect::<Result<_, _>>()?;
    let wanted = |c: &Column<'_>| {
        if arrays {
            c.kind == ColKind::NumberArray
        } else {
            c.kind == ColKind::Number
        }
    };
    let ys: Vec<&Column<'_>> = if p.ycolumns.is_empty() {
        cols.iter()
            .filter(|c| {
                c.name != x.name
                    && wanted(c)
                    && !p.series.iter().any(|s| s == c.name)
                    && !p.anomalycolumns.iter().any(|a| a == c.name)
            })
            .collect()
    } else {
        p.ycolumns
            .iter()
            .map(|n| find(cols, n))
            .collect::<Result<_, _>>()?
    };
    if ys.is_empty() {
        return Err(ChartError(format!(
            "{} needs a numeric column for the y axis{}; the result has none besides the x column '{}'",
            kind.name(),
            if arrays {
                " (an array of numbers, as the x column is an array)"
            } else {
                ""
            },
            x.name
        )));
    }
    for y in &ys {
        if !wanted(y) {
            return Err(ChartError(format!(
                "y column '{}' must be {}",
                y.name,
                if arrays {
                    "an array of numbers like the x column '".to_string() + x.name + "'"
                } else {
                    "numeric".to_string()
                }
            )));
        }
    }
    let series_cols: Vec<&Column<'_>> = if p.series.is_empty() {
        cols.iter()
            .filter(|c| {
                c.kind == ColKind::Text
                    && c.name != x.name
                    && !ys.iter().any(|y| y.name == c.name)
                    && !p.anomalycolumns.iter().any(|a| a == c.name)
            })
            .collect()
    } else {
        p.series
            .iter()
            .map(|n| find(cols, n))
            .collect::<Result<_, _>>()?
    };
    let keys: Vec<String> = {
        let texts: Vec<Vec<String>> = series_cols.iter().map(|c| columns::texts(c)).collect();
        (0..x.array.len())
            .map(|r| {
                texts
                    .iter()
                    .map(|t| t[r].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect()
    };
    // x values (category x: indexes into the labels, in order of first appearance)
    let mut categories: Vec<String> = Vec::new();
    let xaxis_kind;
    let mut raws: Vec<Raw> = Vec::new();
    if arrays {
        xaxis_kind = XAxis::Time;
        let xs = columns::arrays(x)?;
        let ycols: Vec<Vec<Vec<Option<f64>>>> = ys
            .iter()
            .map(|y| columns::arrays(y))
            .collect::<Result<_, _>>()?;
        let marks: Vec<Vec<Vec<Option<f64>>>> = anomaly_cols
            .iter()
            .map(|a| match a.kind {
                ColKind::NumberArray => columns::arrays(a),
                _ => Err(ChartError(format!(
                    "anomaly column '{}' must be an array of flags like the x column '{}'",
                    a.name, x.name
                ))),
            })
            .collect::<Result<_, _>>()?;
        for (row, key) in keys.iter().enumerate() {
            for (yi, y) in ys.iter().enumerate() {
                let vals = &ycols[yi][row];
                let mut points = Vec::new();
                let mut anomalies = Vec::new();
                for (i, xv) in xs[row].iter().enumerate() {
                    let (Some(xv), Some(Some(yv))) = (xv, vals.get(i)) else {
                        continue;
                    };
                    points.push((*xv, *yv));
                    if yi == 0 {
                        for m in &marks {
                            if let Some(Some(flag)) = m[row].get(i)
                                && *flag != 0.0
                            {
                                anomalies.push(Anomaly {
                                    x: *xv,
                                    y: *yv,
                                    direction: flag.signum(),
                                });
                            }
                        }
                    }
                }
                raws.push(Raw {
                    key: key.clone(),
                    y: y.name.to_string(),
                    points,
                    anomalies,
                });
            }
        }
    } else {
        let categorical = matches!(style, Style::Column | Style::Bar)
            || !matches!(x.kind, ColKind::Time | ColKind::Number);
        let xs: Vec<Option<f64>> = if categorical {
            let texts = if x.kind == ColKind::Time {
                time_labels(&columns::scalars(x)?)
            } else {
                columns::texts(x)
            };
            let mut order: Vec<usize> = (0..texts.len()).collect();
            if matches!(x.kind, ColKind::Time | ColKind::Number) {
                // numbers and datetimes as categories: in axis order
                let v = columns::scalars(x)?;
                order.sort_by(|a, b| {
                    v[*a]
                        .unwrap_or(f64::NAN)
                        .total_cmp(&v[*b].unwrap_or(f64::NAN))
                });
            }
            let mut index: HashMap<&str, usize> = HashMap::new();
            for &r in &order {
                if !index.contains_key(texts[r].as_str()) {
                    index.insert(texts[r].as_str(), categories.len());
                    categories.push(texts[r].clone());
                }
            }
            texts
                .iter()
                .map(|t| index.get(t.as_str()).map(|&i| i as f64))
                .collect()
        } else {
            columns::scalars(x)?
        };
        xaxis_kind = if categorical {
            XAxis::Category(categories)
        } else if x.kind == ColKind::Time {
            XAxis::Time
        } else {
            XAxis::Number
        };
        let yvals: Vec<Vec<Option<f64>>> = ys
            .iter()
            .map(|y| columns::scalars(y))
            .collect::<Result<_, _>>()?;
        let marks: Vec<Vec<Option<f64>>> = anomaly_cols
            .iter()
            .map(|a| match a.kind {
                ColKind::Number => columns::scalars(a),
                _ => Err(ChartError(format!(
                    "anomaly column '{}' must be numeric",
                    a.name
                ))),
            })
            .collect::<Result<_, _>>()?;
        let mut slot: HashMap<(String, usize), usize> = HashMap::new();
        for (row, key) in keys.iter().enumerate() {
            let Some(xv) = xs[row] else { continue };
            for (yi, y) in ys.iter().enumerate() {
                let Some(yv) = yvals[yi][row] else { continue };
                let i = *slot.entry((key.clone(), yi)).or_insert_with(|| {
                    raws.push(Raw {
                        key: key.clone(),
                        y: y.name.to_string(),
                        points: Vec::new(),
                        anomalies: Vec::new(),
                    });
                    raws.len() - 1
                });
                raws[i].points.push((xv, yv));
                if yi == 0 {
                    for m in &marks {
                        if let Some(flag) = m[row]
                            && flag != 0.0
                        {
                            raws[i].anomalies.push(Anomaly {
                                x: xv,
                                y: yv,
                                direction: flag.signum(),
                            });
                        }
                    }
                }
            }
        }
    }
    if matches!(style, Style::Line | Style::Area) {
        for r in &mut raws {
            r.points.sort_by(|a, b| a.0.total_cmp(&b.0));
            r.anomalies.sort_by(|a, b| a.x.total_cmp(&b.x));
        }
    }
    if p.accumulate {
        for r in &mut raws {
            let mut sum = 0.0;
            for pt in &mut r.points {
                sum += pt.1;
                pt.1 = sum;
            }
        }
    }
    if p.xscale == Scale::Log && xaxis_kind != XAxis::Number {
        return Err(ChartError(
            "xaxis=log needs a numeric x column (not datetimes or categories)".into(),
        ));
    }
    let multi_y = ys.len() > 1;
    let name_of = |r: &Raw| match (r.key.is_empty(), multi_y) {
        (true, _) => r.y.clone(),
        (false, false) => r.key.clone(),
        (false, true) => format!("{} ({})", r.y, r.key),
    };
    // panels
    let mut panels: Vec<Panel> = Vec::new();
    match p.ysplit {
        YSplit::None => panels.push(Panel {
            name: None,
            series: Vec::new(),
        }),
        YSplit::Panels => {
            if ys.len() > MAX_PANELS {
                return Err(ChartError(format!(
                    "ysplit=panels draws at most {MAX_PANELS} panels (one per y column); the chart has {} y columns",
                    ys.len()
                )));
            }
            for y in &ys {
                panels.push(Panel {
                    name: Some(y.name.to_string()),
                    series: Vec::new(),
                });
            }
        }
        YSplit::Axes => {
            if raws.len() > MAX_PANELS {
                return Err(ChartError(format!(
                    "ysplit=axes draws one panel per series, at most {MAX_PANELS}; the chart has {} series",
                    raws.len()
                )));
            }
        }
    }
    for (i, r) in raws.iter().enumerate() {
        let series = Series {
            name: name_of(r),
            color: i,
            base: vec![0.0; r.points.len()],
            points: r.points.clone(),
            anomalies: r.anomalies.clone(),
        };
        let panel = match p.ysplit {
            YSplit::None => 0,
            YSplit::Panels => ys.iter().position(|y| y.name == r.y).unwrap_or(0),
            YSplit::Axes => {
                panels.push(Panel {
                    name: Some(series.name.clone()),
                    series: Vec::new(),
                });
                panels.len() - 1
            }
        };
        if let Some(target) = panels.get_mut(panel) {
            target.series.push(series);
        }
    }
    if x.array.is_empty() {
        return Err(ChartError(format!(
            "{} has nothing to draw: the result has no rows",
            kind.name()
        )));
    }
    if raws.iter().all(|r| r.points.is_empty()) {
        return Err(ChartError(format!(
            "{} has no points to draw: every x or y value is null",
            kind.name()
        )));
    }
    if p.stacking != Stacking::Unstacked {
        for panel in &mut panels {
            stack(&mut panel.series, p.stacking);
        }
    }
    let xtitle = p.xtitle.unwrap_or_else(|| x.name.to_string());
    let ytitle = p.ytitle.unwrap_or_else(|| {
        if ys.len() == 1 {
            ys[0].name.to_string()
        } else {
            String::new()
        }
    });
    Ok(Chart {
        kind,
        title: p.title,
        xtitle,
        ytitle,
        legend: p.legend,
        body: Body::Plot(Plot {
            style,
            x: xaxis_kind,
            stacking: p.stacking,
            xscale: p.xscale,
            yscale: p.yscale,
            ymin: p.ymin,
            ymax: p.ymax,
            panels,
        }),
    })
}

/// Stacks series over the union of their x values (a missing value counts as 0); stacked100
/// scales each x's total to 100.
fn stack(series: &mut [Series], stacking: Stacking) {
    let mut xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let values: Vec<HashMap<u64, f64>> = series
        .iter()
        .map(|s| {
            let mut m = HashMap::new();
            for (x, y) in &s.points {
                *m.entry(x.to_bits()).or_insert(0.0) += y;
            }
            m
        })
        .collect();
    let totals: Vec<f64> = xs
        .iter()
        .map(|x| {
            values
                .iter()
                .map(|m| m.get(&x.to_bits()).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let mut running = vec![0.0; xs.len()];
    for (s, m) in series.iter_mut().zip(&values) {
        s.points.clear();
        s.base.clear();
        for (i, x) in xs.iter().enumerate() {
            let mut v = m.get(&x.to_bits()).copied().unwrap_or(0.0);
            if stacking == Stacking::Stacked100 {
                v = if totals[i] == 0.0 {
                    0.0
                } else {
                    v / totals[i] * 100.0
                };
            }
            s.base.push(running[i]);
            running[i] += v;
            s.points.push((*x, running[i]));
        }
    }
}

/// Datetime categories, as short as the values allow: dates when every value is at midnight,
/// else `yyyy-MM-dd HH:mm` (with seconds when any value has them).
fn time_labels(values: &[Option<f64>]) -> Vec<String> {
    use kql_engine::display::format_datetime_nanos;
    const DAY: f64 = 86_400e9;
    const MINUTE: f64 = 60e9;
    let present = || values.iter().flatten();
    let len = if present().all(|v| v.rem_euclid(DAY) == 0.0) {
        10
    } else if present().all(|v| v.rem_euclid(MINUTE) == 0.0) {
        16
    } else {
        19
    };
    values
        .iter()
        .map(|v| match v {
            Some(v) => {
                let t = format_datetime_nanos(*v as i64).replace('T', " ");
                t.get(..len).unwrap_or(&t).to_string()
            }
            None => String::new(),
        })
        .collect()
}
