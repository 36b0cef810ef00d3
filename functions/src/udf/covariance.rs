//! `covariance(x, y)` / `covariancep(x, y)` (covariance-aggregation-function.md,
//! covariancep-aggregation-function.md): the sample covariance Σ(x−x̄)(y−ȳ)/(n−1) and the
//! population covariance Σ(x−x̄)(y−ȳ)/n over the rows where both values are non-null (nulls are
//! ignored, docs "ignore-nulls").
//!
//! The state is (n, x̄, ȳ, co-moment) updated one pair at a time and merged with the pairwise
//! formula of Chan et al., so partial aggregates combine without loss of precision.
//!
//! On no rows the result is null (summarize-operator.md: covariance is not among the
//! aggregates whose default is 0). One row gives 0 for both forms: the docs are silent, and
//! this matches `variance` of one value in this engine (0, not 0/0).

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KqlCovariance {
    /// true: population (÷n); false: sample (÷(n−1)).
    population: bool,
    signature: Signature,
}

/// The covariance of two Float64 expressions.
pub fn covariance(x: Expr, y: Expr, population: bool) -> Expr {
    Arc::new(AggregateUDF::from(KqlCovariance {
        population,
        signature: Signature::exact(
            vec![DataType::Float64, DataType::Float64],
            Volatility::Immutable,
        ),
    }))
    .call(vec![x, y])
}

impl AggregateUDFImpl for KqlCovariance {
    fn name(&self) -> &str {
        if self.population {
            "kql_covariancep"
        } else {
            "kql_covariance"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(CovAcc {
            population: self.population,
            m: Moments::default(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "n"),
                DataType::Int64,
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "mean_x"),
                DataType::Float64,
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "mean_y"),
                DataType::Float64,
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "comoment"),
                DataType::Float64,
                true,
            )),
        ])
    }
}

/// Running co-moments of a set of (x, y) pairs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub n: i64,
    pub mean_x: f64,
    pub mean_y: f64,
    /// Σ(x−x̄)(y−ȳ).
    pub c: f64,
}

impl Moments {
    pub fn push(&mut self, x: f64, y: f64) {
        self.n += 1;
        let n = self.n as f64;
        let dx = x - self.mean_x;
        self.mean_x += dx / n;
        self.mean_y += (y - self.mean_y) / n;
        // uses the updated ȳ and the old x̄ (Welford's co-moment update)
        self.c += dx * (y - self.mean_y);
    }

    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let dx = o.mean_x - self.mean_x;
        let dy = o.mean_y - self.mean_y;
        self.c += o.c + dx * dy * na * nb / n;
        self.mean_x += dx * nb / n;
        self.mean_y += dy * nb / n;
        self.n += o.n;
    }

    /// The covariance, or `None` for no pairs.
    pub fn covariance(&self, population: bool) -> Option<f64> {
        match self.n {
            0 => None,
            1 => Some(0.0),
            n if population => Some(self.c / n as f64),
            n => Some(self.c / (n - 1) as f64),
        }
    }
}

#[derive(Debug)]
struct CovAcc {
    population: bool,
    m: Moments,
}

impl Accumulator for CovAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [x, y] = values else {
            return exec_err!("kql_covariance expects two arguments");
        };
        let (Some(x), Some(y)) = (
            x.as_primitive_opt::<Float64Type>(),
            y.as_primitive_opt::<Float64Type>(),
        ) else {
            return exec_err!("kql_covariance expects Float64 arguments");
        };
        for i in 0..x.len() {
            if x.is_valid(i) && y.is_valid(i) {
                self.m.push(x.value(i), y.value(i));
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [n, mx, my, c] = states else {
            return exec_err!("kql_covariance: unexpected state");
        };
        let (Some(n), Some(mx), Some(my), Some(c)) = (
            n.as_primitive_opt::<Int64Type>(),
            mx.as_primitive_opt::<Float64Type>(),
            my.as_primitive_opt::<Float64Type>(),
            c.as_primitive_opt::<Float64Type>(),
        ) else {
            return exec_err!("kql_covariance: unexpected state types");
        };
        for i in 0..n.len() {
            if n.is_valid(i) {
                self.m.merge(&Moments {
                    n: n.value(i),
                    mean_x: mx.value(i),
                    mean_y: my.value(i),
                    c: c.value(i),
                });
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![
            ScalarValue::Int64(Some(self.m.n)),
            ScalarValue::Float64(Some(self.m.mean_x)),
            ScalarValue::Float64(Some(self.m.mean_y)),
            ScalarValue::Float64(Some(self.m.c)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(self.m.covariance(self.population)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Moments;

    fn of(pairs: &[(f64, f64)]) -> Moments {
        let mut m = Moments::default();
        for (x, y) in pairs {
            m.push(*x, *y);
        }
        m
    }

    #[test]
    fn docs_example_and_merge() {
        // covariance-aggregation-function.md: x 1..5, y 14, 10, 17, 20, 50; x̄ = 3, ȳ = 22.2,
        // Σ(x−x̄)(y−ȳ) = 16.4 + 12.2 + 0 − 2.2 + 55.6 = 82 → 82/4 = 20.5, 82/5 = 16.4
        let pairs = [
            (1.0, 14.0),
            (2.0, 10.0),
            (3.0, 17.0),
            (4.0, 20.0),
            (5.0, 50.0),
        ];
        let m = of(&pairs);
        assert!((m.covariance(false).unwrap() - 20.5).abs() < 1e-12);
        assert!((m.covariance(true).unwrap() - 16.4).abs() < 1e-12);
        let mut a = of(&pairs[..2]);
        a.merge(&of(&pairs[2..]));
        assert!((a.covariance(false).unwrap() - 20.5).abs() < 1e-12);
        let mut e = Moments::default();
        e.merge(&of(&pairs));
        e.merge(&Moments::default());
        assert!((e.covariance(true).unwrap() - 16.4).abs() < 1e-12);
        assert_eq!(Moments::default().covariance(false), None);
        assert_eq!(of(&[(1.0, 2.0)]).covariance(false), Some(0.0));
    }
}
