//! join (all nine kinds) and lookup.

use super::col;
use crate::error::Result;
use crate::planner::Planner;
use datafusion::common::{Column, JoinType, NullEquality};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_parser::ast::{self, BinaryOp, ExprKind, OpParam};
use kql_parser::span::Span;

/// One equality key: left column name, right column name.
type Key = (String, String);

impl Planner<'_> {
    fn join_keys(
        &self,
        on: &[ast::Expr],
        left: &LogicalPlan,
        right: &LogicalPlan,
    ) -> Result<Vec<Key>> {
        let side = |e: &ast::Expr| -> Option<(Option<&'static str>, String)> {
            match &e.kind {
                ExprKind::Name(id) => Some((None, id.name.clone())),
                ExprKind::Member { target, name } => match &target.kind {
                    ExprKind::Name(t) if t.name == "$left" => {
                        Some((Some("left"), name.name.clone()))
                    }
                    ExprKind::Name(t) if t.name == "$right" => {
                        Some((Some("right"), name.name.clone()))
                    }
                    _ => None,
                },
                _ => None,
            }
        };
        let has = |p: &LogicalPlan, n: &str| p.schema().fields().iter().any(|f| f.name() == n);
        // `on $left.a == $right.c and $left.b == $right.d` is two keys
        fn flatten<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
            match &e.kind {
                ExprKind::Binary {
                    op: BinaryOp::And,
                    left,
                    right,
                } => {
                    flatten(left, out);
                    flatten(right, out);
                }
                ExprKind::Paren(inner) => flatten(inner, out),
                _ => out.push(e),
            }
        }
        let mut parts = Vec::new();
        for k in on {
            flatten(k, &mut parts);
        }
        let mut keys = Vec::new();
        for k in parts {
            let pair = match &k.kind {
                ExprKind::Name(id) => Some((id.name.clone(), id.name.clone())),
                ExprKind::Binary {
                    op: BinaryOp::Eq,
                    left: l,
                    right: r,
                } => match (side(l), side(r)) {
                    (Some((Some("left"), a)), Some((Some("right"), b)))
                    | (Some((Some("right"), b)), Some((Some("left"), a))) => Some((a, b)),
                    _ => None,
                },
                _ => None,
            };
            let Some((a, b)) = pair else {
                return self.err(
                    "KQL0404",
                    "join keys must be column names or `$left.a == $right.b` equalities",
                    k.span,
                );
            };
            if !has(left, &a) {
                return self.err(
                    "KQL0201",
                    format!("unknown column '{a}' on the left side of the join"),
                    k.span,
                );
            }
            if !has(right, &b) {
                return self.err(
                    "KQL0201",
                    format!("unknown column '{b}' on the right side of the join"),
                    k.span,
                );
            }
            keys.push((a, b));
        }
        if keys.is_empty() {
            return self.err(
                "KQL0404",
                "join needs `on` keys",
                on.first().map(|e| e.span).unwrap_or_default(),
            );
        }
        Ok(keys)
    }

    pub(crate) fn plan_join(
        &mut self,
        left: LogicalPlan,
        params: &[OpParam],
        right: &ast::Expr,
        on: &[ast::Expr],
        where_: Option<&ast::Expr>,
        span: Span,
    ) -> Result<LogicalPlan> {
        if let Some(w) = where_ {
            return self.err(
                "KQL0402",
                "`join ... where` is not supported yet; use `on`",
                w.span,
            );
        }
        let mut kind = "innerunique".to_string();
        for p in params {
            if p.name == "kind" {
                kind = match &p.value.kind {
                    ExprKind::Name(n) => n.name.clone(),
                    _ => p.value.to_string(),
                };
            }
        }
        let post_filters = std::mem::take(&mut self.join_post_filters);
        let right_plan = self.plan_tabular(right)?;
        let keys = self.join_keys(on, &left, &right_plan)?;
        let (jt, dedup_left) = match kind.as_str() {
            "innerunique" => (JoinType::Inner, true),
            "inner" => (JoinType::Inner, false),
            "leftouter" => (JoinType::Left, false),
            "rightouter" => (JoinType::Right, false),
            "fullouter" => (JoinType::Full, false),
            "leftsemi" => (JoinType::LeftSemi, false),
            "rightsemi" => (JoinType::RightSemi, false),
            "leftanti" | "anti" | "leftantisemi" => (JoinType::LeftAnti, false),
            "rightanti" | "rightantisemi" => (JoinType::RightAnti, false),
            other => return self.err("KQL0107", format!("unknown join kind `{other}`"), span),
        };
        let left = if dedup_left {
            // innerunique: one left row per key (Kusto keeps an arbitrary one; we keep the first).
            // A following `where` that only reads left columns is applied before the
            // de-duplication, as Kusto does (join-innerunique.md: "the filter was applied
            // before the join"); it is still applied after the join as well, which is a no-op.
            let mut left = left;
            for pred in &post_filters {
                if let Ok(filtered) = self.plan_where(left.clone(), pred) {
                    left = filtered;
                }
            }
            let on_exprs: Vec<Expr> = keys.iter().map(|(a, _)| col(a)).collect();
            let select: Vec<Expr> = super::all_columns(left.schema());
            LogicalPlanBuilder::from(left)
                .distinct_on(on_exprs, select, None)?
                .build()?
        } else {
            left
        };
        let (joined, left_names, right_names) = prefixed_join(left, right_plan, &keys, jt)?;
        // output: left columns, then right columns; right names clashing with left get a suffix
        let mut exprs: Vec<Expr> = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        let left_out = !matches!(jt, JoinType::RightSemi | JoinType::RightAnti);
        let right_out = !matches!(jt, JoinType::LeftSemi | JoinType::LeftAnti);
        if left_out {
            for n in &left_names {
                exprs.push(col(&format!("__l_{n}")).alias(n.clone()));
                taken.push(n.clone());
            }
        }
        if right_out {
            for n in &right_names {
                let name = unique_name(n, &taken);
                taken.push(name.clone());
                exprs.push(col(&format!("__r_{n}")).alias(name));
            }
        }
        Ok(LogicalPlanBuilder::from(joined).project(exprs)?.build()?)
    }

    pub(crate) fn plan_lookup(
        &mut self,
        left: LogicalPlan,
        params: &[OpParam],
        right: &ast::Expr,
        on: &[ast::Expr],
        span: Span,
    ) -> Result<LogicalPlan> {
        let mut inner = false;
        for p in params {
            if p.name == "kind" {
                match &p.value.kind {
                    ExprKind::Name(n) if n.name == "inner" => inner = true,
                    ExprKind::Name(n) if n.name == "leftouter" => inner = false,
                    _ => {
                        return self.err(
                            "KQL0107",
                            "lookup kind must be `leftouter` or `inner`",
                            p.span,
                        );
                    }
                }
            }
        }
        let right_plan = self.plan_tabular(right)?;
        let keys = self.join_keys(on, &left, &right_plan)?;
        let jt = if inner {
            JoinType::Inner
        } else {
            JoinType::Left
        };
        let (joined, left_names, right_names) = prefixed_join(left, right_plan, &keys, jt)?;
        // lookup keeps the key columns once (from the left) and the right's other columns
        let mut exprs: Vec<Expr> = left_names
            .iter()
            .map(|n| col(&format!("__l_{n}")).alias(n.clone()))
            .collect();
        let mut taken = left_names.clone();
        for n in &right_names {
            if keys.iter().any(|(_, b)| b == n) {
                continue;
            }
            let name = unique_name(n, &taken);
            taken.push(name.clone());
            exprs.push(col(&format!("__r_{n}")).alias(name));
        }
        let _ = span;
        Ok(LogicalPlanBuilder::from(joined).project(exprs)?.build()?)
    }
}

/// Prefixes every column of `plan` so both sides of a join have distinct names.
fn side_alias(plan: LogicalPlan, prefix: &str) -> Result<LogicalPlan> {
    let exprs: Vec<Expr> = plan
        .schema()
        .iter()
        .map(|(q, f)| {
            Expr::Column(Column::new(q.cloned(), f.name())).alias(format!("{prefix}{}", f.name()))
        })
        .collect();
    Ok(LogicalPlanBuilder::from(plan).project(exprs)?.build()?)
}

/// Joins `left` and `right` on `(left column, right column)` key pairs. Both sides' columns are
/// renamed `__l_<name>` / `__r_<name>` in the joined plan (so equal names never clash); the
/// caller projects them back. Returns the plan and both sides' original column names.
pub(crate) fn prefixed_join(
    left: LogicalPlan,
    right: LogicalPlan,
    keys: &[(String, String)],
    jt: JoinType,
) -> Result<(LogicalPlan, Vec<String>, Vec<String>)> {
    prefixed_join_with(left, right, keys, jt, NullEquality::NullEqualsNothing)
}

/// [`prefixed_join`] with a choice of whether null keys match each other (KQL's `join` never
/// matches nulls; grouping-style joins such as top-nested's levels do).
pub(crate) fn prefixed_join_with(
    left: LogicalPlan,
    right: LogicalPlan,
    keys: &[(String, String)],
    jt: JoinType,
    null_equality: NullEquality,
) -> Result<(LogicalPlan, Vec<String>, Vec<String>)> {
    let left_names = super::column_names(left.schema());
    let right_names = super::column_names(right.schema());
    let l = side_alias(left, "__l_")?;
    let r = side_alias(right, "__r_")?;
    let lk: Vec<Column> = keys
        .iter()
        .map(|(a, _)| Column::from_name(format!("__l_{a}")))
        .collect();
    let rk: Vec<Column> = keys
        .iter()
        .map(|(_, b)| Column::from_name(format!("__r_{b}")))
        .collect();
    let joined = LogicalPlanBuilder::from(l)
        .join_detailed(r, jt, (lk, rk), None, null_equality)?
        .build()?;
    Ok((joined, left_names, right_names))
}

/// `base`, or `base1`, `base2`, ... — the first name not in `taken` (Kusto's join renaming).
pub(crate) fn unique_name(base: &str, taken: &[String]) -> String {
    let mut name = base.to_string();
    let mut i = 1;
    while taken.iter().any(|t| t == &name) {
        name = format!("{base}{i}");
        i += 1;
    }
    name
}
