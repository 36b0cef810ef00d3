#!/usr/bin/env python3
"""Independent oracle for the real-valued expectations in corpus/kqlt/docs_functions_*.kqlt.

Each value is printed in shortest round-trip form (Python repr of the double), which is the form
the .kqlt records use. Uses only the standard library and mpmath (high-precision reference).
"""
import math
import mpmath as mp

mp.mp.dps = 50


def d(x):
    """Nearest double of an mpmath value, in shortest round-trip form."""
    return repr(float(x))


print("erf(-3..3):", [d(mp.erf(x)) for x in range(-3, 4)])
print("erfc(-3..3):", [d(mp.erfc(x)) for x in range(-3, 4)])
print("beta_cdf(0.9,10,20):", d(mp.betainc(10, 20, 0, 0.9, regularized=True)))
print("beta_pdf(0.5,10,20):", d(mp.mpf(0.5) ** 9 * mp.mpf(0.5) ** 19 / mp.beta(10, 20)))
inv = mp.findroot(lambda x: mp.betainc(10, 20, 0, x, regularized=True) - mp.mpf("0.1"), 0.3)
print("beta_inv(0.1,10,20):", d(inv))
print("gamma(5):", d(mp.gamma(5)), "loggamma(5):", d(mp.loggamma(5)))
print("cot(1):", d(1 / mp.tan(1)), "python 1/tan:", repr(1 / math.tan(1)))
# unit conversions (exact SI definitions)
print("1.2 deg -> arcmin:", d(mp.mpf("1.2") * 60))
print("1.2 J -> BTU(IT 1055.05585262 J):", d(mp.mpf("1.2") / mp.mpf("1055.05585262")))
print("1.2 N -> daN:", d(mp.mpf("1.2") / 10))
print("1.2 m -> ft (0.3048 m):", d(mp.mpf("1.2") / mp.mpf("0.3048")))
print("1.2 kg -> lb (0.45359237 kg):", d(mp.mpf("1.2") / mp.mpf("0.45359237")))
print("1.2 m/s -> cm/h:", d(mp.mpf("1.2") * 100 * 3600))
print("1.2 K -> degC:", d(mp.mpf("1.2") - mp.mpf("273.15")), "double arith:", repr(1.2 - 273.15))
print("1.2 m3 -> acre-foot (1233.48183754752 m3):", d(mp.mpf("1.2") / mp.mpf("1233.48183754752")))

# covariance on the docs' 5-point table
x = [1.0, 2.0, 3.0, 4.0, 5.0]
y = [14.0, 10.0, 17.0, 20.0, 50.0]
mx, my = sum(x) / 5, sum(y) / 5
s = sum((a - mx) * (b - my) for a, b in zip(x, y))
print("covariance:", s / 4, "covariancep:", s / 5)
# covarianceif / covariancepif: x in 1..100, y = 2x if even else 3x, predicate x % 3 == 0
xs = [v for v in range(1, 101) if v % 3 == 0]
ys = [2 * v if v % 2 == 0 else 3 * v for v in xs]
n = len(xs)
mx = mp.mpf(sum(xs)) / n
my = mp.mpf(sum(ys)) / n
s = sum((a - mx) * (b - my) for a, b in zip(xs, ys))
print("n:", n, "covarianceif:", d(s / (n - 1)), "covariancepif:", d(s / n))
# jaccard [1,2,3] vs [1,2,3,4]
print("jaccard:", 3 / 4)
