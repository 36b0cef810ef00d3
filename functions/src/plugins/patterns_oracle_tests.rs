//! basket and diffpatterns against the mlxtend oracle (`tests/oracles/itemsets_oracle.py`,
//! results in `tests/oracles/data/itemsets_expected.json`). Generated data is committed under
//! `tests/oracles/data/`; real data is read from `../shared/data` and its cases are skipped,
//! with a note, when it is absent.

use crate::plugins::{PluginArg, PluginArgs, autocluster, basket, diffpatterns};
use datafusion::arrow::array::{Array, ArrayRef, Int64Array, StringArray};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::common::ScalarValue;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

type Pattern = BTreeMap<String, String>;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Table as columns of text, by header name.
fn table(rows: &[Vec<String>]) -> HashMap<String, Vec<String>> {
    let header = &rows[0];
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (j, h) in header.iter().enumerate() {
        out.insert(
            h.clone(),
            rows[1..]
                .iter()
                .map(|r| r.get(j).cloned().unwrap_or_default())
                .collect(),
        );
    }
    out
}

/// A column as long when every non-empty value is a canonical integer (empty → null), else
/// as string.
fn typed(values: &[String]) -> ArrayRef {
    let ints: Option<Vec<Option<i64>>> = values
        .iter()
        .map(|v| {
            if v.is_empty() {
                Some(None)
            } else {
                v.parse::<i64>()
                    .ok()
                    .filter(|i| i.to_string() == *v)
                    .map(Some)
            }
        })
        .collect();
    match ints {
        Some(ints) if values.iter().any(|v| !v.is_empty()) => Arc::new(Int64Array::from(ints)),
        _ => Arc::new(StringArray::from(
            values.iter().map(String::as_str).collect::<Vec<_>>(),
        )),
    }
}

fn batch(t: &HashMap<String, Vec<String>>, cols: &[String]) -> RecordBatch {
    let arrays: Vec<ArrayRef> = cols.iter().map(|c| typed(&t[c])).collect();
    let fields: Vec<Field> = cols
        .iter()
        .zip(&arrays)
        .map(|(c, a)| Field::new(c, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

fn load_dataset(name: &str) -> Option<HashMap<String, Vec<String>>> {
    let shared = repo().join("../shared/data");
    let read = |p: PathBuf| -> Option<String> {
        if !p.exists() {
            eprintln!(
                "note: {} is absent; its oracle cases are skipped",
                p.display()
            );
            return None;
        }
        let bytes = std::fs::read(&p).unwrap();
        if p.extension().is_some_and(|e| e == "gz") {
            let mut s = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut s)
                .unwrap();
            Some(s)
        } else {
            Some(String::from_utf8(bytes).unwrap())
        }
    };
    if name.starts_with("generated") {
        let text = read(repo().join("tests/oracles/data/itemsets_generated.csv"))?;
        return Some(table(&parse_csv(&text)));
    }
    if name.starts_with("storm") {
        let text = read(shared.join("stormevents-noaa/StormEvents_2019Q1.csv.gz"))?;
        let mut t = table(&parse_csv(&text));
        let crops: Vec<i64> = t["DamageCrops"]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let prop: Vec<i64> = t["DamageProperty"]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let damage = crops
            .iter()
            .zip(&prop)
            .map(|(c, p)| if c + p > 0 { "YES" } else { "NO" }.to_string())
            .collect();
        t.insert("Damage".to_string(), damage);
        return Some(t);
    }
    if name.starts_with("netflows") {
        return read(shared.join("msticpy/az_net_flows.csv")).map(|s| table(&parse_csv(&s)));
    }
    if name.starts_with("otrf_windows") {
        let text = read(shared.join("otrf-la-exports/WindowsEvents.json"))?;
        // JSON lines: strings as they are, other JSON values by their JSON text, null missing.
        let mut t: HashMap<String, Vec<String>> = HashMap::new();
        let rows: Vec<serde_json::Map<String, Value>> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut keys: Vec<&String> = rows.iter().flat_map(|r| r.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let col = rows
                .iter()
                .map(|r| match r.get(k) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                })
                .collect();
            t.insert(k.clone(), col);
        }
        return Some(t);
    }
    if name.starts_with("alerts") {
        return read(shared.join("msticpy/alertlist.csv")).map(|s| table(&parse_csv(&s)));
    }
    None
}

fn cases() -> Vec<Value> {
    let path = repo().join("tests/oracles/data/itemsets_expected.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn pattern_of(v: &Value) -> Pattern {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.clone(), x.as_str().unwrap().to_string()))
        .collect()
}

/// The non-wildcard cells of output row `r` (default wildcards: "" and null).
fn row_pattern(out: &RecordBatch, r: usize, first: usize) -> Pattern {
    let schema = out.schema();
    (first..out.num_columns())
        .filter(|&j| !out.column(j).is_null(r))
        .map(|j| {
            (
                schema.field(j).name().clone(),
                array_value_to_string(out.column(j), r).unwrap(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn long_at(out: &RecordBatch, name: &str, r: usize) -> i64 {
    array_value_to_string(out.column_by_name(name).unwrap(), r)
        .unwrap()
        .parse()
        .unwrap()
}

fn real_at(out: &RecordBatch, name: &str, r: usize) -> f64 {
    array_value_to_string(out.column_by_name(name).unwrap(), r)
        .unwrap()
        .parse()
        .unwrap()
}

/// Recount a pattern by scanning the rows' text (independent of the miner's encoding).
fn recount(t: &HashMap<String, Vec<String>>, p: &Pattern, rows: &[usize], w: Option<&str>) -> f64 {
    rows.iter()
        .filter(|&&r| p.iter().all(|(c, v)| t[c][r] == *v))
        .map(|&r| w.map(|w| t[w][r].parse::<f64>().unwrap()).unwrap_or(1.0))
        .sum()
}

fn args(v: Vec<PluginArg>) -> PluginArgs {
    PluginArgs {
        positional: v,
        ..Default::default()
    }
}

fn run(def: &crate::plugins::PluginDef, b: &RecordBatch, a: Vec<PluginArg>) -> RecordBatch {
    let p = (def.plan)(&args(a), &[b.schema()]).unwrap();
    p.run(&[vec![b.clone()]]).unwrap()
}

fn value(v: ScalarValue) -> PluginArg {
    PluginArg::Value(v)
}

fn text(s: &str) -> PluginArg {
    value(ScalarValue::Utf8(Some(s.to_string())))
}

fn column(b: &RecordBatch, name: &str) -> PluginArg {
    PluginArg::Column {
        name: name.to_string(),
        index: b.schema().index_of(name).unwrap(),
    }
}

#[test]
fn basket_equals_oracle_closed_itemsets() {
    let mut ran = 0;
    for case in cases().iter().filter(|c| c["kind"] == "basket") {
        let name = case["name"].as_str().unwrap();
        let Some(t) = load_dataset(name) else {
            continue;
        };
        let mut cols = strs(&case["columns"]);
        let weight = case["weight"].as_str();
        if let Some(w) = weight {
            cols.push(w.to_string());
        }
        let b = batch(&t, &cols);
        let mut a = vec![value(ScalarValue::Float64(case["threshold"].as_f64()))];
        a.push(match weight {
            Some(w) => column(&b, w),
            None => text("~"),
        });
        a.push(value(ScalarValue::Int64(case["max_dims"].as_i64())));
        let out = run(&basket::DEF, &b, a);
        let total = case["total"].as_f64().unwrap();
        let mut got: BTreeMap<Pattern, i64> = BTreeMap::new();
        let all_rows: Vec<usize> = (0..b.num_rows()).collect();
        for r in 0..out.num_rows() {
            let p = row_pattern(&out, r, 3);
            let count = long_at(&out, "Count", r);
            let percent = real_at(&out, "Percent", r);
            assert!(
                (percent - 100.0 * count as f64 / total).abs() < 1e-9,
                "{name}: {p:?}"
            );
            assert_eq!(
                count as f64,
                recount(&t, &p, &all_rows, weight),
                "{name}: {p:?}"
            );
            assert!(got.insert(p, count).is_none(), "{name}: duplicate pattern");
        }
        let want: BTreeMap<Pattern, i64> = case["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (pattern_of(&p["items"]), p["count"].as_i64().unwrap()))
            .collect();
        let missing: Vec<_> = want.iter().filter(|(p, _)| !got.contains_key(*p)).collect();
        let extra: Vec<_> = got.iter().filter(|(p, _)| !want.contains_key(*p)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:?}\nextra {extra:?}"
        );
        assert_eq!(got, want, "{name}");
        eprintln!("oracle case {name}: ok");
        ran += 1;
    }
    assert!(ran >= 4, "the generated cases always run");
}

#[test]
fn diffpatterns_rows_are_oracle_candidates() {
    let mut ran = 0;
    for case in cases().iter().filter(|c| c["kind"] == "diffpatterns") {
        let name = case["name"].as_str().unwrap();
        let Some(t) = load_dataset(name) else {
            continue;
        };
        let cols = strs(&case["columns"]);
        let split = case["split"].as_str().unwrap();
        let (a, bv) = (case["a"].as_str().unwrap(), case["b"].as_str().unwrap());
        let threshold = case["threshold"].as_f64().unwrap();
        let b = batch(&t, &cols);
        let out = run(
            &diffpatterns::DEF,
            &b,
            vec![
                column(&b, split),
                text(a),
                text(bv),
                text("~"),
                value(ScalarValue::Float64(Some(threshold))),
            ],
        );
        let (ta, tb) = (
            case["totalA"].as_f64().unwrap(),
            case["totalB"].as_f64().unwrap(),
        );
        let cands: BTreeMap<Pattern, (i64, i64)> = case["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    pattern_of(&p["items"]),
                    (p["countA"].as_i64().unwrap(), p["countB"].as_i64().unwrap()),
                )
            })
            .collect();
        let rows_a: Vec<usize> = (0..b.num_rows()).filter(|&r| t[split][r] == a).collect();
        let rows_b: Vec<usize> = (0..b.num_rows()).filter(|&r| t[split][r] == bv).collect();
        assert!(out.num_rows() > 0, "{name}: no rows");
        let round2 = |x: f64| (x * 100.0).round() / 100.0;
        let mut prev = f64::INFINITY;
        for r in 0..out.num_rows() {
            let p = row_pattern(&out, r, 6);
            assert!(
                !p.contains_key(split),
                "{name}: the split column is not a dimension"
            );
            let (ca, cb) = (long_at(&out, "CountA", r), long_at(&out, "CountB", r));
            assert_eq!(
                cands.get(&p),
                Some(&(ca, cb)),
                "{name}: {p:?} not a candidate"
            );
            assert_eq!(ca as f64, recount(&t, &p, &rows_a, None), "{name}: {p:?}");
            assert_eq!(cb as f64, recount(&t, &p, &rows_b, None), "{name}: {p:?}");
            let (pa, pb) = (100.0 * ca as f64 / ta, 100.0 * cb as f64 / tb);
            assert_eq!(real_at(&out, "PercentA", r), round2(pa), "{name}");
            assert_eq!(real_at(&out, "PercentB", r), round2(pb), "{name}");
            let diff = (pa - pb).abs();
            assert_eq!(real_at(&out, "PercentDiffAB", r), round2(diff), "{name}");
            assert!(diff >= 100.0 * threshold - 1e-9, "{name}: below threshold");
            assert!(diff <= prev + 1e-12, "{name}: not in descending order");
            prev = diff;
        }
        // The top row has the best difference of all candidates.
        let best = case["candidates"][0]["diff"].as_f64().unwrap();
        assert_eq!(real_at(&out, "PercentDiffAB", 0), round2(best), "{name}");
        eprintln!("oracle case {name}: ok");
        ran += 1;
    }
    assert!(ran >= 1, "the generated case always runs");
}

/// autocluster on the real datasets: every segment recounts exactly (by scanning the rows'
/// text), Percent = 100·Count/N, at least one value, at most NumSeeds rows, deterministic.
#[test]
fn autocluster_invariants_on_real_data() {
    let sets: [(&str, &[&str]); 4] = [
        (
            "storm",
            &["State", "EventType", "Source", "Damage", "DamageCrops"],
        ),
        (
            "netflows",
            &[
                "FlowType",
                "VMName",
                "L4Protocol",
                "L7Protocol",
                "DestPort",
                "FlowDirection",
                "RemoteRegion",
                "AllowedOutFlows",
            ],
        ),
        (
            "alerts",
            &[
                "ProviderName",
                "CompromisedEntity",
                "VendorName",
                "Severity",
                "AlertType",
            ],
        ),
        (
            "otrf_windows",
            &[
                "Computer",
                "EventSourceName",
                "Task",
                "SubjectUserName",
                "Activity",
                "EventID",
                "TargetUserName",
                "IpAddress",
            ],
        ),
    ];
    for (name, cols) in sets {
        let Some(t) = load_dataset(name) else {
            continue;
        };
        let cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
        let b = batch(&t, &cols);
        let all_rows: Vec<usize> = (0..b.num_rows()).collect();
        for (size_weight, seeds) in [(0.5, 25), (0.8, 10), (0.2, 40)] {
            let a = || {
                vec![
                    value(ScalarValue::Float64(Some(size_weight))),
                    text("~"),
                    value(ScalarValue::Int64(Some(seeds))),
                ]
            };
            let out = run(&autocluster::DEF, &b, a());
            assert!(out.num_rows() >= 1, "{name}: no segment");
            assert!(out.num_rows() <= seeds as usize, "{name}: too many rows");
            for r in 0..out.num_rows() {
                let p = row_pattern(&out, r, 3);
                assert!(!p.is_empty(), "{name}: a segment without values");
                let count = long_at(&out, "Count", r);
                assert_eq!(
                    count as f64,
                    recount(&t, &p, &all_rows, None),
                    "{name}: {p:?}"
                );
                let pct = real_at(&out, "Percent", r);
                assert!((pct - 100.0 * count as f64 / b.num_rows() as f64).abs() < 1e-9);
            }
            let again = run(&autocluster::DEF, &b, a());
            assert_eq!(out, again, "{name}: not deterministic");
            eprintln!(
                "autocluster {name} ({size_weight}, {seeds}): {} segments",
                out.num_rows()
            );
        }
    }
}
