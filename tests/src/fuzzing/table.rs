//! The fixed tables the generated queries read, written as KQL `datatable` text so that the
//! engine's own literal rules build them (dynamic and guid columns included).
//!
//! `T` has 50 rows and a column of every KQL type, with nulls, empty strings, NaN and
//! infinities; `Id` is unique. `U` (12 rows) is the right side of joins and lookups.

use super::generator::Ty;
use kql_functions::rng::SplitMix64;

/// The columns of `T`, in order.
pub const T_COLUMNS: &[(&str, Ty)] = &[
    ("Id", Ty::Long),
    ("S", Ty::Str),
    ("I", Ty::Int),
    ("L", Ty::Long),
    ("R", Ty::Real),
    ("B", Ty::Bool),
    ("D", Ty::Date),
    ("Ts", Ty::Span),
    ("Dy", Ty::Dyn),
    ("G", Ty::Guid),
];

/// The columns of `U`, in order (`Id` is the join key; the other names differ from `T`'s).
pub const U_COLUMNS: &[(&str, Ty)] = &[("Id", Ty::Long), ("Name", Ty::Str), ("W", Ty::Real)];

const STRINGS: &[&str] = &[
    "web-01",
    "web-02",
    "DB-02",
    "",
    "cache 1",
    "Error: disk full",
    "GET /api/cart?id=7",
    "ünïcödé",
    "a,b;c",
    "x=1 y=2",
    "2024-03-10",
    "42",
];

const DYNAMICS: &[&str] = &[
    "dynamic([1, 2, 3])",
    "dynamic({\"a\": 1, \"b\": \"x\"})",
    "dynamic(null)",
    "dynamic([])",
    "dynamic(\"text\")",
    "dynamic([1, \"a\", null, 2.5])",
    "dynamic({\"a\": {\"b\": [1, 2]}, \"c\": null})",
    "dynamic(7)",
    "dynamic({})",
    "dynamic([[1, 2], [3]])",
];

/// SplitMix64, so the table is the same on every run.
struct Mix(SplitMix64);

impl Mix {
    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
    fn null(&mut self) -> bool {
        self.below(100) < 8
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `datatable(...) [...]` text for `T`.
pub fn t_datatable() -> String {
    let mut m = Mix(SplitMix64::new(10));
    let header: Vec<String> = T_COLUMNS
        .iter()
        .map(|(n, t)| format!("{n}:{}", t.name()))
        .collect();
    let mut cells = Vec::new();
    for id in 0..50u64 {
        cells.push(id.to_string());
        cells.push(quote(STRINGS[m.below(STRINGS.len() as u64) as usize]));
        cells.push(if m.null() {
            "int(null)".into()
        } else {
            (m.below(21) as i64 - 10).to_string()
        });
        cells.push(match m.below(20) {
            0 | 1 => "long(null)".into(),
            2 => "9223372036854775807".into(),
            3 => "-9223372036854775807".into(),
            _ => (m.below(5000) as i64 - 200).to_string(),
        });
        cells.push(match m.below(25) {
            0 | 1 => "real(null)".into(),
            2 => "real(nan)".into(),
            3 => "real(+inf)".into(),
            4 => "real(-inf)".into(),
            5 => "-0.0".into(),
            _ => format!("{}.{}", m.below(1000) as i64 - 300, m.below(100)),
        });
        cells.push(match m.below(10) {
            0 => "bool(null)".into(),
            k => (k % 2 == 0).to_string(),
        });
        cells.push(if m.null() {
            "datetime(null)".into()
        } else {
            format!(
                "datetime(2024-03-{:02} {:02}:{:02}:{:02})",
                1 + m.below(28),
                m.below(24),
                m.below(60),
                m.below(60)
            )
        });
        cells.push(if m.null() {
            "timespan(null)".into()
        } else {
            format!("{}m", m.below(3000) as i64 - 500)
        });
        cells.push(DYNAMICS[m.below(DYNAMICS.len() as u64) as usize].into());
        cells.push(if m.null() {
            "guid(null)".into()
        } else {
            format!("guid(00000000-0000-0000-0000-{:012x})", m.below(20))
        });
    }
    format!("datatable({}) [{}]", header.join(", "), cells.join(", "))
}

/// `datatable(...) [...]` text for `U` (ids 0, 5, 10, ... with one duplicate and one null).
pub fn u_datatable() -> String {
    let mut cells = Vec::new();
    for k in 0..12u64 {
        let id = match k {
            10 => "5".to_string(),
            11 => "long(null)".to_string(),
            _ => (k * 5).to_string(),
        };
        cells.push(id);
        cells.push(quote(STRINGS[(k as usize * 5) % STRINGS.len()]));
        cells.push(format!("{}.5", k as i64 - 3));
    }
    format!(
        "datatable(Id:long, Name:string, W:real) [{}]",
        cells.join(", ")
    )
}
