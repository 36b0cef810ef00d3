//! More math: `cot`, `gamma`, `loggamma`, `erf`, `erfc`, `beta_cdf`, `beta_inv`, `beta_pdf`,
//! `welch_test` (numerics in `crate::udf::special`). All return real.
//!
//! - `cot(x)` = 1/tan(x) (cot-function.md).
//! - `beta_cdf`, `beta_pdf`, `beta_inv`: "if any argument is nonnumeric, the function returns
//!   null" (their pages), so a non-numeric argument gives a null real rather than a type error.
//!   Out-of-range arguments give NaN or null as the pages say. The beta-inv page contradicts
//!   itself: its notes say α ≤ 0 or β ≤ 0 → null and p ≤ 0 or p > 1 → NaN, while its example
//!   (query comments and output) shows p = 1.5 → null and α = −1 → NaN. We follow the
//!   example: p outside (0, 1] → null, α or β ≤ 0 → NaN.
//! - `welch_test(mean1, variance1, count1, mean2, variance2, count2)`: the two-sided p-value
//!   of Welch's t-test (welch-test-function.md; the page's Wikipedia sample gives 0.021).

use super::{arity, lit, ok, real_arg};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::special::{SpecialOp, call};
use datafusion::functions::math;
use datafusion::scalar::ScalarValue;

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let op = match name {
        "cot" => {
            arity(name, args, 1, 1, "number")?;
            return ok(
                math::cot().call(vec![real_arg(name, args, 0)?]),
                KqlType::Real,
            );
        }
        "gamma" => SpecialOp::Gamma,
        "loggamma" => SpecialOp::LogGamma,
        "erf" => SpecialOp::Erf,
        "erfc" => SpecialOp::Erfc,
        "beta_cdf" => SpecialOp::BetaCdf,
        "beta_inv" => SpecialOp::BetaInv,
        "beta_pdf" => SpecialOp::BetaPdf,
        "welch_test" => SpecialOp::WelchTest,
        _ => return Ok(None),
    };
    let n = op.arity();
    let sig = match op {
        SpecialOp::BetaCdf | SpecialOp::BetaPdf => "x, alpha, beta",
        SpecialOp::BetaInv => "probability, alpha, beta",
        SpecialOp::WelchTest => "mean1, variance1, count1, mean2, variance2, count2",
        _ => "number",
    };
    arity(name, args, n, n, sig)?;
    let beta = matches!(
        op,
        SpecialOp::BetaCdf | SpecialOp::BetaInv | SpecialOp::BetaPdf
    );
    if beta && args.iter().any(|a| !a.ty.is_numeric()) {
        return ok(lit(ScalarValue::Float64(None)), KqlType::Real);
    }
    let xs = (0..n)
        .map(|i| real_arg(name, args, i))
        .collect::<Result<Vec<_>, _>>()?;
    ok(call(op, xs), KqlType::Real)
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    async fn real(name: &str, args: &[crate::lower::Arg]) -> f64 {
        let (v, t) = kql(name, args).await;
        assert_eq!(t, KqlType::Real, "{name}");
        let v = v.unwrap_or_else(|| panic!("{name}: null"));
        v.parse::<f64>()
            .unwrap_or_else(|_| panic!("{name}: not a number: {v}"))
    }

    fn close(got: f64, want: f64, rel: f64, what: &str) {
        let err = (got - want).abs();
        assert!(
            err <= rel * want.abs().max(1e-300) || err < 1e-300,
            "{what}: got {got:e}, want {want:e} (rel err {:e})",
            err / want.abs()
        );
    }

    #[tokio::test]
    async fn docs_examples() {
        // cot-function.md: cot(1) = 0.64209261593433065
        close(
            real("cot", &[l(1)]).await,
            0.642_092_615_934_330_7,
            1e-15,
            "cot",
        );
        // gamma-function.md: gamma(5) = 24; loggamma-function.md: 3.1780538303479458
        assert_eq!(kt("gamma", &[l(5)]).await, "24");
        assert_eq!(kt("loggamma", &[l(5)]).await, "3.1780538303479458");
        // erf-function.md / erfc-function.md, x = -3..3
        let erf_docs = [
            (-3, -0.999977909503001),
            (-2, -0.995322265018953),
            (-1, -0.842700792949715),
            (0, 0.0),
            (1, 0.842700792949715),
            (2, 0.995322265018953),
            (3, 0.999977909503001),
        ];
        for (x, want) in erf_docs {
            close(real("erf", &[l(x)]).await, want, 1e-14, "erf");
            // the page's values have 15 digits, so 1 − erf is only good to about 1e-15
            let c = real("erfc", &[l(x)]).await;
            assert!((c - (1.0 - want)).abs() < 2e-15, "erfc({x}) = {c}");
        }
        close(
            real("erfc", &[l(3)]).await,
            2.20904969985854e-05,
            1e-13,
            "erfc(3)",
        );
        // beta-cdf-function.md: 0.999999999999959; beta-pdf: 0.746176019310951;
        // beta-inv: 0.226415022388749
        close(
            real("beta_cdf", &[r(0.9), r(10.0), r(20.0)]).await,
            0.999999999999959,
            1e-14,
            "beta_cdf",
        );
        close(
            real("beta_pdf", &[r(0.5), r(10.0), r(20.0)]).await,
            0.746176019310951,
            1e-13,
            "beta_pdf",
        );
        close(
            real("beta_inv", &[r(0.1), r(10.0), r(20.0)]).await,
            0.226415022388749,
            1e-13,
            "beta_inv",
        );
    }

    #[tokio::test]
    async fn docs_out_of_range() {
        // beta-cdf: x > 1, x < 0, alpha < 0 → NaN
        for args in [
            [r(1.5), r(10.0), r(20.0)],
            [r(-10.0), r(10.0), r(20.0)],
            [r(0.1), r(-1.0), r(20.0)],
            [r(0.5), r(10_001.0), r(20.0)],
        ] {
            assert_eq!(kt("beta_cdf", &args).await, "NaN");
        }
        // beta-pdf: same examples → NaN, and x = 0 or 1 → NaN
        for args in [
            [r(1.5), r(10.0), r(20.0)],
            [r(-10.0), r(10.0), r(20.0)],
            [r(0.1), r(-1.0), r(20.0)],
            [r(0.0), r(10.0), r(20.0)],
        ] {
            assert_eq!(kt("beta_pdf", &args).await, "NaN");
        }
        // beta-inv example: p = 1.5 → null, alpha = -1 → NaN
        assert_eq!(kt("beta_inv", &[r(1.5), r(10.0), r(20.0)]).await, "NULL");
        assert_eq!(kt("beta_inv", &[r(0.1), r(-1.0), r(20.0)]).await, "NaN");
        // nonnumeric argument → null
        assert_eq!(kt("beta_cdf", &[s("a"), r(10.0), r(20.0)]).await, "NULL");
        assert_eq!(kt("beta_pdf", &[r(0.5), s("a"), r(20.0)]).await, "NULL");
        assert_eq!(
            kt("beta_cdf", &[null(KqlType::Real), r(1.0), r(1.0)]).await,
            "NULL"
        );
        assert!(crate::lower::scalar_call("gamma", &[s("a")], &cx()).is_err());
        assert!(crate::lower::scalar_call("erf", &[], &cx()).is_err());
    }

    #[tokio::test]
    async fn welch_docs() {
        // welch-test-function.md: the Wikipedia sample (example 1), p ≈ 0.021
        let s1 = [
            27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7,
            21.4,
        ];
        let s2 = [
            27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5,
            24.4,
        ];
        let stats = |s: &[f64]| {
            let n = s.len() as f64;
            let m = s.iter().sum::<f64>() / n;
            let v = s.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
            (m, v, n)
        };
        let (m1, v1, n1) = stats(&s1);
        let (m2, v2, n2) = stats(&s2);
        let p = real("welch_test", &[r(m1), r(v1), r(n1), r(m2), r(v2), r(n2)]).await;
        assert!((p - 0.021).abs() < 0.0005, "{p}");
        // scipy.stats.ttest_ind(s1, s2, equal_var=False).pvalue (tests/oracles/math_functions.py)
        close(p, 0.021_378_001_462_866_992, 1e-9, "welch_test");
    }
}
