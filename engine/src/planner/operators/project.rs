//! project, extend, project-away, project-keep, project-rename, project-reorder.

use super::{all_columns, column_names, next_column_name, typed_alias};
use crate::error::Result;
use crate::planner::Planner;
use datafusion::common::{Column, DFSchema};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_functions::KqlType;
use kql_parser::ast::{ExprKind, NamePattern, NamedExpr, ReorderItem, ReorderOrder};
use kql_parser::span::Span;

/// Does `name` match a wildcard pattern (`*` matches any run of characters)?
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl Planner<'_> {
    /// Plans `[name =] expr` items to (name, expr) pairs; `auto` counts `ColumnN` names.
    fn named_items(
        &mut self,
        schema: &DFSchema,
        cols: &[NamedExpr],
        auto: &mut usize,
    ) -> Result<Vec<(String, Expr, Span, KqlType)>> {
        let mut taken = column_names(schema);
        let mut out = Vec::new();
        for c in cols {
            if c.names.len() > 1 {
                return self.err(
                    "KQL0402",
                    "tuple assignment `(a, b) = ...` is not supported yet",
                    c.span,
                );
            }
            let (e, ty) = self.plan_scalar(&c.expr, schema)?;
            let name = match (c.names.first(), &c.expr.kind) {
                (Some(n), _) => n.name.clone(),
                (None, ExprKind::Name(id)) => id.name.clone(),
                // `d.a` is named `d_a`, `d[0]` `d_0`, `tolong(x)` `x` (Kusto's result-name
                // rules); an inferred name already used by an earlier item gets a number
                (None, _) => match super::mv_expand::result_name(&c.expr) {
                    Some(n) => {
                        let earlier: Vec<String> = out
                            .iter()
                            .map(|o: &(String, Expr, Span, KqlType)| o.0.clone())
                            .collect();
                        if earlier.contains(&n) {
                            super::join::unique_name(&n, &taken)
                        } else {
                            n
                        }
                    }
                    None => next_column_name(&taken, auto),
                },
            };
            taken.push(name.clone());
            out.push((name, e, c.span, ty));
        }
        Ok(out)
    }

    pub(crate) fn plan_project(
        &mut self,
        input: LogicalPlan,
        cols: &[NamedExpr],
    ) -> Result<LogicalPlan> {
        let mut auto = 0;
        let exprs_in: Vec<&kql_parser::ast::Expr> = cols.iter().map(|c| &c.expr).collect();
        let (input, rewritten, _hidden) = self.lift_window_functions(input, &exprs_in)?;
        let cols: Vec<NamedExpr> = cols
            .iter()
            .zip(rewritten)
            .map(|(c, e)| NamedExpr {
                names: c.names.clone(),
                expr: e,
                span: c.span,
            })
            .collect();
        let (input, cols, _tuples) = self.lift_tuples(input, &cols, false)?;
        let cols = cols.as_slice();
        let items = self.named_items(input.schema(), cols, &mut auto)?;
        let mut seen: Vec<&str> = Vec::new();
        for (n, _, span, _) in &items {
            if seen.contains(&n.as_str()) {
                return self.err(
                    "KQL0205",
                    format!("column '{n}' is projected more than once"),
                    *span,
                );
            }
            seen.push(n);
        }
        let exprs: Vec<Expr> = items
            .into_iter()
            .map(|(n, e, _, ty)| typed_alias(e, n, ty))
            .collect();
        Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
    }

    pub(crate) fn plan_extend(
        &mut self,
        input: LogicalPlan,
        cols: &[NamedExpr],
    ) -> Result<LogicalPlan> {
        let saved_row = self.row_columns.replace(column_names(input.schema()));
        let planned = self.plan_extend_items(input, cols);
        self.row_columns = saved_row;
        planned
    }

    fn plan_extend_items(&mut self, input: LogicalPlan, cols: &[NamedExpr]) -> Result<LogicalPlan> {
        let mut plan = input;
        let mut auto = 0;
        // each item may refer to columns created by earlier items
        for c in cols {
            let (lifted, rewritten, hidden) = self.lift_window_functions(plan, &[&c.expr])?;
            plan = lifted;
            let c = &NamedExpr {
                names: c.names.clone(),
                expr: rewritten
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| c.expr.clone()),
                span: c.span,
            };
            let (lifted, parts, tuples) = self.lift_tuples(plan, std::slice::from_ref(c), true)?;
            plan = lifted;
            let items = self.named_items(plan.schema(), &parts, &mut auto)?;
            let hidden: Vec<String> = hidden.into_iter().chain(tuples).collect();
            let schema = plan.schema().clone();
            let mut exprs: Vec<Expr> = Vec::new();
            let mut replaced = false;
            for (q, f) in schema.iter() {
                if let Some((_, e, _, ty)) = items.iter().find(|(n, _, _, _)| n == f.name()) {
                    exprs.push(typed_alias(e.clone(), f.name(), *ty));
                    replaced = true;
                } else {
                    exprs.push(Expr::Column(Column::new(q.cloned(), f.name())));
                }
            }
            if !replaced {
                for (n, e, _, ty) in items {
                    exprs.push(typed_alias(e, n, ty));
                }
            }
            plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
            plan = self.drop_hidden(plan, &hidden)?;
        }
        Ok(plan)
    }

    fn matching(&self, schema: &DFSchema, pats: &[NamePattern]) -> Result<Vec<bool>> {
        let names = column_names(schema);
        let mut keep = vec![false; names.len()];
        for p in pats {
            let mut any = false;
            for (i, n) in names.iter().enumerate() {
                let hit = if p.quoted {
                    &p.pattern == n
                } else {
                    wildcard_match(&p.pattern, n)
                };
                if hit {
                    keep[i] = true;
                    any = true;
                }
            }
            if !any && (p.quoted || !p.pattern.contains('*')) {
                let help =
                    super::super::expr::closest(&p.pattern, names.iter().map(String::as_str))
                        .map(|s| format!("did you mean '{s}'?"));
                return self.err_help(
                    "KQL0201",
                    format!("unknown column '{}'", p.pattern),
                    p.span,
                    help,
                );
            }
        }
        Ok(keep)
    }

    pub(crate) fn plan_project_away(
        &mut self,
        input: LogicalPlan,
        pats: &[NamePattern],
        _span: Span,
    ) -> Result<LogicalPlan> {
        let hits = self.matching(input.schema(), pats)?;
        let exprs: Vec<Expr> = all_columns(input.schema())
            .into_iter()
            .zip(hits)
            .filter(|(_, h)| !h)
            .map(|(e, _)| e)
            .collect();
        Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
    }

    pub(crate) fn plan_project_keep(
        &mut self,
        input: LogicalPlan,
        pats: &[NamePattern],
        _span: Span,
    ) -> Result<LogicalPlan> {
        let hits = self.matching(input.schema(), pats)?;
        let exprs: Vec<Expr> = all_columns(input.schema())
            .into_iter()
            .zip(hits)
            .filter(|(_, h)| *h)
            .map(|(e, _)| e)
            .collect();
        Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
    }

    pub(crate) fn plan_project_rename(
        &mut self,
        input: LogicalPlan,
        cols: &[NamedExpr],
    ) -> Result<LogicalPlan> {
        let schema = input.schema().clone();
        let mut renames: Vec<(String, String)> = Vec::new();
        for c in cols {
            let (Some(new), ExprKind::Name(old)) = (c.names.first(), &c.expr.kind) else {
                return self.err(
                    "KQL0107",
                    "`project-rename` expects `new_name = existing_column`",
                    c.span,
                );
            };
            if super::super::expr::column_in(&schema, &old.name).is_none() {
                let names = column_names(&schema);
                let help = super::super::expr::closest(&old.name, names.iter().map(String::as_str))
                    .map(|s| format!("did you mean '{s}'?"));
                return self.err_help(
                    "KQL0201",
                    format!("unknown column '{}'", old.name),
                    c.expr.span,
                    help,
                );
            }
            renames.push((old.name.clone(), new.name.clone()));
        }
        let exprs: Vec<Expr> = schema
            .iter()
            .map(|(q, f)| {
                let e = Expr::Column(Column::new(q.cloned(), f.name()));
                match renames.iter().find(|(o, _)| o == f.name()) {
                    Some((_, n)) => e.alias(n),
                    None => e,
                }
            })
            .collect();
        Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
    }

    pub(crate) fn plan_project_reorder(
        &mut self,
        input: LogicalPlan,
        items: &[ReorderItem],
        _span: Span,
    ) -> Result<LogicalPlan> {
        let schema = input.schema().clone();
        let names = column_names(&schema);
        let mut order: Vec<usize> = Vec::new();
        for it in items {
            let mut hits: Vec<usize> = (0..names.len())
                .filter(|i| !order.contains(i))
                .filter(|i| {
                    if it.pattern.quoted {
                        it.pattern.pattern == names[*i]
                    } else {
                        wildcard_match(&it.pattern.pattern, &names[*i])
                    }
                })
                .collect();
            if hits.is_empty() && !it.pattern.pattern.contains('*') {
                return self.err(
                    "KQL0201",
                    format!("unknown column '{}'", it.pattern.pattern),
                    it.pattern.span,
                );
            }
            match it.order {
                Some(ReorderOrder::Asc) => hits.sort_by(|a, b| names[*a].cmp(&names[*b])),
                Some(ReorderOrder::Desc) => hits.sort_by(|a, b| names[*b].cmp(&names[*a])),
                Some(ReorderOrder::GrannyAsc) => {
                    hits.sort_by(|a, b| granny(&names[*a], &names[*b]))
                }
                Some(ReorderOrder::GrannyDesc) => {
                    hits.sort_by(|a, b| granny(&names[*b], &names[*a]))
                }
                None => {}
            }
            order.extend(hits);
        }
        for i in 0..names.len() {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        let all = all_columns(&schema);
        let exprs: Vec<Expr> = order.into_iter().map(|i| all[i].clone()).collect();
        Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
    }
}

/// "Granny" order: digit runs compare as numbers (`a2` < `a10`).
fn granny(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let d = c.is_ascii_digit();
            match out.last_mut() {
                Some((kind, text)) if *kind == d => text.push(c),
                _ => out.push((d, c.to_string())),
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(cb.iter()) {
        let ord = if x.0 && y.0 {
            let (nx, ny) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
            nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
        } else {
            x.1.cmp(&y.1)
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}
