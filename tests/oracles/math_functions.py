#!/usr/bin/env python3
"""Independent oracle for the special functions of functions/src/scalar/math2.rs
(gamma, loggamma, erf, erfc, beta_cdf, beta_inv, beta_pdf, welch_test) and the covariance
aggregates. Values come from scipy.special / scipy.stats / numpy; each is printed in shortest
round-trip form (Python repr of the double) and pasted into the Rust unit tests
(functions/src/udf/special.rs, functions/src/scalar/math2.rs), which compare with a
relative tolerance.

Run: python3 tests/oracles/math_functions.py   (needs numpy and scipy)
"""
import numpy as np
from scipy import special, stats


def show(name, xs, f):
    print(f"{name}: [" + ", ".join(f"({x!r}, {float(f(x))!r})" for x in xs) + "]")


print("# (x, value) pairs")
show("gamma", [0.5, 1.5, 2.5, 3.7, 10.1, 14.9, 15.5, 30.2, 100.5, 170.5, -0.5, -1.5, -2.7, -10.3, 1e-5],
     special.gamma)
show("loggamma (ln|Γ|)", [0.5, 1.5, 2.5, 3.7, 10.1, 100.5, 1000.5, 1e6 + 0.5, -0.5, -1.5, -2.7, -10.3, 1e-5],
     special.gammaln)
show("erf", [-4.0, -2.2, -1.49, -0.3, 1e-8, 0.1, 0.5, 1.2, 1.5, 1.7, 2.5, 3.5, 5.0], special.erf)
show("erfc", [-4.0, -2.2, -1.49, -0.3, 1e-8, 0.1, 0.5, 1.2, 1.5, 1.7, 2.5, 3.5, 5.0, 10.0, 26.0], special.erfc)

print("# beta_cdf (x, a, b, value)")
for x, a, b in [(0.9, 10, 20), (0.3, 2, 5), (0.5, 0.5, 0.5), (0.01, 0.2, 3), (0.99, 3, 0.7),
                (0.5, 1000, 1000), (0.48, 5000, 5000), (0.7, 1, 1)]:
    print(f"({x!r}, {float(a)!r}, {float(b)!r}, {float(special.betainc(a, b, x))!r}),")
print("# beta_pdf (x, a, b, value)")
for x, a, b in [(0.5, 10, 20), (0.3, 2, 5), (0.2, 0.5, 0.5), (0.99, 3, 0.7), (0.5, 100, 100)]:
    print(f"({x!r}, {float(a)!r}, {float(b)!r}, {float(stats.beta.pdf(x, a, b))!r}),")
print("# beta_inv (p, a, b, value)")
for p, a, b in [(0.1, 10, 20), (0.5, 2, 5), (0.95, 0.5, 0.5), (1e-6, 3, 4), (0.999, 30, 2), (0.3, 1, 1)]:
    print(f"({p!r}, {float(a)!r}, {float(b)!r}, {float(special.betaincinv(a, b, p))!r}),")

print("# welch_test (m1, v1, n1, m2, v2, n2, two-sided p)")
s1 = np.array([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4])
s2 = np.array([27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4])
print("docs sample:", repr(float(stats.ttest_ind(s1, s2, equal_var=False).pvalue)))
for m1, v1, n1, m2, v2, n2 in [(10.0, 4.0, 20, 11.0, 9.0, 30), (0.0, 1.0, 5, 0.1, 2.0, 7),
                               (100.0, 25.0, 1000, 100.5, 30.0, 800)]:
    t = stats.ttest_ind_from_stats(m1, np.sqrt(v1), n1, m2, np.sqrt(v2), n2, equal_var=False)
    print(f"({m1!r}, {v1!r}, {float(n1)!r}, {m2!r}, {v2!r}, {float(n2)!r}, {float(t.pvalue)!r}),")

print("# covariance: docs example (sample, population), and the covarianceif example")
x = np.array([1.0, 2, 3, 4, 5]); y = np.array([14.0, 10, 17, 20, 50])
print(repr(float(np.cov(x, y, ddof=1)[0, 1])), repr(float(np.cov(x, y, ddof=0)[0, 1])))
r = np.arange(1, 101); ry = np.where(r % 2 == 0, r * 2, r * 3); m = r % 3 == 0
print(repr(float(np.cov(r[m], ry[m], ddof=1)[0, 1])), repr(float(np.cov(r[m], ry[m], ddof=0)[0, 1])))
