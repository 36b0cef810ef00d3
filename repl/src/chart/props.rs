//! The `render` properties (render-operator.md, "Supported properties"), checked: unknown
//! names and values are errors rather than silently ignored.

use super::ChartError;
use super::model::{ChartKind, Scale, Stacking};
use kql_engine::RenderSpec;

/// The render properties, checked.
pub(crate) struct Props {
    pub(crate) title: Option<String>,
    pub(crate) xtitle: Option<String>,
    pub(crate) ytitle: Option<String>,
    pub(crate) xcolumn: Option<String>,
    pub(crate) ycolumns: Vec<String>,
    pub(crate) series: Vec<String>,
    pub(crate) anomalycolumns: Vec<String>,
    pub(crate) ysplit: YSplit,
    pub(crate) legend: bool,
    pub(crate) ymin: Option<f64>,
    pub(crate) ymax: Option<f64>,
    pub(crate) stacking: Stacking,
    pub(crate) xscale: Scale,
    pub(crate) yscale: Scale,
    pub(crate) accumulate: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum YSplit {
    None,
    Axes,
    Panels,
}

fn one<'a>(name: &str, values: &'a [String]) -> Result<&'a str, ChartError> {
    match values {
        [v] => Ok(v.as_str()),
        _ => Err(ChartError(format!(
            "render property `{name}` takes one value, found {}",
            values.len()
        ))),
    }
}

fn number(name: &str, values: &[String]) -> Result<f64, ChartError> {
    let v = one(name, values)?;
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .ok_or_else(|| {
            ChartError(format!(
                "render property `{name}` must be a number, found '{v}'"
            ))
        })
}

fn scale(name: &str, values: &[String]) -> Result<Scale, ChartError> {
    match one(name, values)?.to_ascii_lowercase().as_str() {
        "linear" => Ok(Scale::Linear),
        "log" => Ok(Scale::Log),
        v => Err(ChartError(format!(
            "render property `{name}` is `linear` or `log`, found '{v}'"
        ))),
    }
}

pub(crate) fn props(kind: ChartKind, spec: &RenderSpec) -> Result<Props, ChartError> {
    let mut p = Props {
        title: None,
        xtitle: None,
        ytitle: None,
        xcolumn: None,
        ycolumns: Vec::new(),
        series: Vec::new(),
        anomalycolumns: Vec::new(),
        ysplit: YSplit::None,
        legend: true,
        ymin: None,
        ymax: None,
        stacking: if kind == ChartKind::StackedAreachart {
            Stacking::Stacked
        } else {
            Stacking::Unstacked
        },
        xscale: Scale::Linear,
        yscale: Scale::Linear,
        accumulate: false,
    };
    for (name, values) in &spec.properties {
        match name.to_ascii_lowercase().as_str() {
            "title" => p.title = Some(one(name, values)?.to_string()),
            "xtitle" => p.xtitle = Some(one(name, values)?.to_string()),
            "ytitle" => p.ytitle = Some(one(name, values)?.to_string()),
            "xcolumn" => p.xcolumn = Some(one(name, values)?.to_string()),
            "ycolumns" => p.ycolumns = values.clone(),
            "series" => p.series = values.clone(),
            "anomalycolumns" => p.anomalycolumns = values.clone(),
            "ymin" => p.ymin = Some(number(name, values)?),
            "ymax" => p.ymax = Some(number(name, values)?),
            "xaxis" => p.xscale = scale(name, values)?,
            "yaxis" => p.yscale = scale(name, values)?,
            "legend" => {
                p.legend = match one(name, values)?.to_ascii_lowercase().as_str() {
                    "visible" => true,
                    "hidden" => false,
                    v => {
                        return Err(ChartError(format!(
                            "render property `legend` is `visible` or `hidden`, found '{v}'"
                        )));
                    }
                }
            }
            "accumulate" => {
                p.accumulate = match one(name, values)?.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    v => {
                        return Err(ChartError(format!(
                            "render property `accumulate` is `true` or `false`, found '{v}'"
                        )));
                    }
                }
            }
            "ysplit" => {
                p.ysplit = match one(name, values)?.to_ascii_lowercase().as_str() {
                    "none" => YSplit::None,
                    "axes" => YSplit::Axes,
                    "panels" => YSplit::Panels,
                    v => {
                        return Err(ChartError(format!(
                            "render property `ysplit` is `none`, `axes` or `panels`, found '{v}'"
                        )));
                    }
                }
            }
            "kind" => p.stacking = stacking(kind, one(name, values)?)?,
            other => {
                return Err(ChartError(format!(
                    "render property `{other}` is not supported for charts"
                )));
            }
        }
    }
    if p.anomalycolumns.is_empty() == (kind == ChartKind::Anomalychart) {
        return Err(ChartError(if kind == ChartKind::Anomalychart {
            "anomalychart needs `anomalycolumns` (the flags column of series_decompose_anomalies)"
                .to_string()
        } else {
            format!(
                "render property `anomalycolumns` applies only to anomalychart, not {}",
                kind.name()
            )
        }));
    }
    if let (Some(lo), Some(hi)) = (p.ymin, p.ymax)
        && lo >= hi
    {
        return Err(ChartError(format!("ymin ({lo}) must be below ymax ({hi})")));
    }
    Ok(p)
}

fn stacking(kind: ChartKind, value: &str) -> Result<Stacking, ChartError> {
    let v = value.to_ascii_lowercase();
    let stackable = matches!(
        kind,
        ChartKind::Areachart
            | ChartKind::StackedAreachart
            | ChartKind::Columnchart
            | ChartKind::Barchart
    );
    match v.as_str() {
        "default" | "unstacked" if stackable => Ok(if kind == ChartKind::StackedAreachart {
            Stacking::Stacked
        } else {
            Stacking::Unstacked
        }),
        "default" => Ok(Stacking::Unstacked),
        "stacked" if stackable => Ok(Stacking::Stacked),
        "stacked100" if stackable => Ok(Stacking::Stacked100),
        "map" => Err(ChartError(format!(
            "`render {} with (kind=map)` (a geospatial map) is not supported",
            kind.name()
        ))),
        _ => Err(ChartError(format!(
            "`kind={value}` is not supported for {}{}",
            kind.name(),
            if stackable {
                "; use default, unstacked, stacked or stacked100"
            } else {
                ""
            }
        ))),
    }
}
