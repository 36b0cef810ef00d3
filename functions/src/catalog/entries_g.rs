//! Catalog entries (part of `catalog.rs`): the element-wise, fill and vector `series_*`
//! functions (lowered in `scalar::series_elem*`, kernels in `ml::{elementwise, fill, vector}`).
//! Each example is a docs example (series-<name>-function.md); the expected values were
//! derived by hand from the docs' tables and the functions' definitions (the printed reals are
//! the shortest round-trip forms of the exact doubles, which tests/oracles/series_elementwise.py
//! recomputes), not pasted from this engine's output.

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    entry!(
        "series_add",
        [],
        Scalar,
        "series",
        "series_add(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "The element-wise sum of two numeric series, or of a series and a number; long elements stay long; a non-numeric or missing element (arrays of different lengths) gives null.",
        r#"print r = series_add(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[5,4,5]\"\n"
    ),
    entry!(
        "series_subtract",
        [],
        Scalar,
        "series",
        "series_subtract(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "The element-wise difference of two numeric series, or of a series and a number; long elements stay long; a non-numeric or missing element (arrays of different lengths) gives null.",
        r#"print r = series_subtract(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[-3,0,3]\"\n"
    ),
    entry!(
        "series_multiply",
        [],
        Scalar,
        "series",
        "series_multiply(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "The element-wise product of two numeric series, or of a series and a number; long elements stay long; a non-numeric or missing element (arrays of different lengths) gives null.",
        r#"print r = series_multiply(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[4,4,4]\"\n"
    ),
    entry!(
        "series_divide",
        [],
        Scalar,
        "series",
        "series_divide(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "The element-wise quotient (a real series; x/0 follows IEEE 754) of two numeric series, or of a series and a number; a non-numeric or missing element (arrays of different lengths) gives null.",
        r#"print r = series_divide(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[0.25,1.0,4.0]\"\n"
    ),
    entry!(
        "series_pow",
        [],
        Scalar,
        "series",
        "series_pow(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise power: each element of the first series raised to the matching element of the second (a real series); a non-numeric or missing element gives null.",
        r#"print r = series_pow(dynamic([1,2,3,4]), dynamic([1,2,3,0.5]))"#,
        "r\n\"[1.0,4.0,27.0,2.0]\"\n"
    ),
    entry!(
        "series_greater",
        [],
        Scalar,
        "series",
        "series_greater(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise `>` of two numeric series (or a series and a number) as an array of bools; a non-numeric or missing element gives null.",
        r#"print r = series_greater(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[false,false,true]\"\n"
    ),
    entry!(
        "series_greater_equals",
        [],
        Scalar,
        "series",
        "series_greater_equals(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise `>=` of two numeric series (or a series and a number) as an array of bools; a non-numeric or missing element gives null.",
        r#"print r = series_greater_equals(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[false,true,true]\"\n"
    ),
    entry!(
        "series_less",
        [],
        Scalar,
        "series",
        "series_less(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise `<` of two numeric series (or a series and a number) as an array of bools; a non-numeric or missing element gives null.",
        r#"print r = series_less(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[true,false,false]\"\n"
    ),
    entry!(
        "series_less_equals",
        [],
        Scalar,
        "series",
        "series_less_equals(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise `<=` of two numeric series (or a series and a number) as an array of bools; a non-numeric or missing element gives null.",
        r#"print r = series_less_equals(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[true,true,false]\"\n"
    ),
    entry!(
        "series_equals",
        [],
        Scalar,
        "series",
        "series_equals(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise `==` of two numeric series (or a series and a number) as an array of bools; a non-numeric or missing element gives null.",
        r#"print r = series_equals(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[false,true,false]\"\n"
    ),
    entry!(
        "series_not_equals",
        [],
        Scalar,
        "series",
        "series_not_equals(series1: dynamic|number, series2: dynamic|number) -> dynamic",
        "Element-wise `!=` of two numeric series (or a series and a number) as an array of bools; a non-numeric or missing element gives null.",
        r#"print r = series_not_equals(dynamic([1,2,4]), dynamic([4,2,1]))"#,
        "r\n\"[true,false,true]\"\n"
    ),
    entry!(
        "series_abs",
        [],
        Scalar,
        "series",
        "series_abs(series: dynamic) -> dynamic",
        "Element-wise absolute value (long elements stay long) of a numeric series; a non-numeric element gives null.",
        r#"print r = series_abs(dynamic([-6.5,0,8.2]))"#,
        "r\n\"[6.5,0,8.2]\"\n"
    ),
    entry!(
        "series_sign",
        [],
        Scalar,
        "series",
        "series_sign(series: dynamic) -> dynamic",
        "Element-wise sign: -1, 0 or 1 (long elements stay long) of a numeric series; a non-numeric element gives null.",
        r#"print r = series_sign(dynamic([-6,0,8]))"#,
        "r\n\"[-1,0,1]\"\n"
    ),
    entry!(
        "series_exp",
        [],
        Scalar,
        "series",
        "series_exp(series: dynamic) -> dynamic",
        "Element-wise exponential e^x of a numeric series; a non-numeric element gives null.",
        r#"print r = series_exp(dynamic([1,2,3]))"#,
        "r\n\"[2.718281828459045,7.38905609893065,20.085536923187668]\"\n"
    ),
    entry!(
        "series_log",
        [],
        Scalar,
        "series",
        "series_log(series: dynamic) -> dynamic",
        "Element-wise natural logarithm of a numeric series; a non-numeric element gives null.",
        r#"print r = series_log(dynamic([1,2,3]))"#,
        "r\n\"[0.0,0.6931471805599453,1.0986122886681098]\"\n"
    ),
    entry!(
        "series_floor",
        [],
        Scalar,
        "series",
        "series_floor(series: dynamic) -> dynamic",
        "Element-wise floor (a real series) of a numeric series; a non-numeric element gives null.",
        r#"print r = series_floor(dynamic([-1.5,1,2.5]))"#,
        "r\n\"[-2.0,1.0,2.0]\"\n"
    ),
    entry!(
        "series_ceiling",
        [],
        Scalar,
        "series",
        "series_ceiling(series: dynamic) -> dynamic",
        "Element-wise ceiling (a real series) of a numeric series; a non-numeric element gives null.",
        r#"print r = series_ceiling(dynamic([-1.5,1,2.5]))"#,
        "r\n\"[-1.0,1.0,3.0]\"\n"
    ),
    entry!(
        "series_sin",
        [],
        Scalar,
        "series",
        "series_sin(series: dynamic) -> dynamic",
        "Element-wise sine of a numeric series; a non-numeric element gives null.",
        r#"print r = series_sin(dynamic([-1,0,1]))"#,
        "r\n\"[-0.8414709848078965,0.0,0.8414709848078965]\"\n"
    ),
    entry!(
        "series_cos",
        [],
        Scalar,
        "series",
        "series_cos(series: dynamic) -> dynamic",
        "Element-wise cosine of a numeric series; a non-numeric element gives null.",
        r#"print r = series_cos(dynamic([-1,0,1]))"#,
        "r\n\"[0.5403023058681398,1.0,0.5403023058681398]\"\n"
    ),
    entry!(
        "series_tan",
        [],
        Scalar,
        "series",
        "series_tan(series: dynamic) -> dynamic",
        "Element-wise tangent of a numeric series; a non-numeric element gives null.",
        r#"print r = series_tan(dynamic([-1,0,1]))"#,
        "r\n\"[-1.5574077246549023,0.0,1.5574077246549023]\"\n"
    ),
    entry!(
        "series_asin",
        [],
        Scalar,
        "series",
        "series_asin(series: dynamic) -> dynamic",
        "Element-wise arcsine of a numeric series; a non-numeric element gives null.",
        r#"print r = series_asin(dynamic([-1,0,1]))"#,
        "r\n\"[-1.5707963267948966,0.0,1.5707963267948966]\"\n"
    ),
    entry!(
        "series_acos",
        [],
        Scalar,
        "series",
        "series_acos(series: dynamic) -> dynamic",
        "Element-wise arccosine of a numeric series; a non-numeric element gives null.",
        r#"print r = series_acos(dynamic([-1,0,1]))"#,
        "r\n\"[3.141592653589793,1.5707963267948966,0.0]\"\n"
    ),
    entry!(
        "series_atan",
        [],
        Scalar,
        "series",
        "series_atan(series: dynamic) -> dynamic",
        "Element-wise arctangent of a numeric series; a non-numeric element gives null.",
        r#"print r = series_atan(dynamic([-1,0,1]))"#,
        "r\n\"[-0.7853981633974483,0.0,0.7853981633974483]\"\n"
    ),
    entry!(
        "series_pearson_correlation",
        [],
        Scalar,
        "series",
        "series_pearson_correlation(series1: dynamic, series2: dynamic) -> real",
        "Pearson correlation coefficient of two numeric series; null when they differ in length or hold a non-numeric element.",
        r#"range s1 from 1 to 5 step 1 | extend s2 = 2 * s1 | summarize s1 = make_list(s1), s2 = make_list(s2) | extend c = series_pearson_correlation(s1, s2)"#,
        "s1,s2,c\n\"[1,2,3,4,5]\",\"[2,4,6,8,10]\",1\n"
    ),
    entry!(
        "series_dot_product",
        [],
        Scalar,
        "series",
        "series_dot_product(series1: dynamic|number, series2: dynamic|number) -> real",
        "Dot product of two numeric series (a number on either side is broadcast); the longer series is truncated, non-numeric elements are ignored, an empty series gives null.",
        r#"print a = series_dot_product(dynamic([1,2,4]), dynamic([4,2,1])), b = series_dot_product(dynamic([2,4,8]), 2)"#,
        "a,b\n12,28\n"
    ),
    entry!(
        "series_magnitude",
        [],
        Scalar,
        "series",
        "series_magnitude(series: dynamic) -> real",
        "Magnitude (Euclidean norm) of a numeric series: the square root of its dot product with itself.",
        r#"print r = series_magnitude(dynamic([1,2,3,4]))"#,
        "r\n5.477225575051661\n"
    ),
    entry!(
        "series_cosine_similarity",
        [],
        Scalar,
        "series",
        "series_cosine_similarity(series1: dynamic, series2: dynamic [, magnitude1: real [, magnitude2: real]]) -> real",
        "Cosine similarity of two numeric series (their dot product over the product of their magnitudes, which may be given); the longer series is truncated, non-numeric elements are ignored.",
        r#"print a = series_cosine_similarity(dynamic([0.1,0.2,0.1,0.2]), dynamic([0.11,0.2,0.11,0.21])), b = series_cosine_similarity(dynamic([0.1,0.2,0.1,0.2]), dynamic([1,2,3,4]))"#,
        "a,b\n0.9993534382550399,0.9237604307034012\n"
    ),
    entry!(
        "series_sum",
        [],
        Scalar,
        "series",
        "series_sum(series: dynamic) -> real",
        "Sum of the elements of a numeric series (null elements are ignored).",
        r#"print r = series_sum(dynamic([1,2,3,4]))"#,
        "r\n10\n"
    ),
    entry!(
        "series_product",
        [],
        Scalar,
        "series",
        "series_product(series: dynamic) -> real",
        "Product of the elements of a numeric series (null elements are ignored).",
        r#"print r = series_product(dynamic([1,2,3,4]))"#,
        "r\n24\n"
    ),
    entry!(
        "series_fill_linear",
        [],
        Scalar,
        "series",
        "series_fill_linear(series: dynamic [, missing_value_placeholder [, fill_edges: bool [, constant_value]]]) -> dynamic",
        "Linear interpolation of missing values (null by default); edges copy the nearest value unless fill_edges is false; an all-missing series becomes constant_value (0); long series keep long elements, truncating interpolated values.",
        r#"print r = series_fill_linear(dynamic([null, 111, null, 36, 41, null, null, 16, 61, 33, null, null]))"#,
        "r\n\"[111,111,73,36,41,32,24,16,61,33,33,33]\"\n"
    ),
    entry!(
        "series_fill_forward",
        [],
        Scalar,
        "series",
        "series_fill_forward(series: dynamic [, missing_value_placeholder]) -> dynamic",
        "Replaces each missing value (null by default) with the nearest value to its left; leading missing values stay.",
        r#"print r = series_fill_forward(dynamic([null, null, 36, 41, null, null, 16, 61, 33, null, null]))"#,
        "r\n\"[null,null,36,41,41,41,16,61,33,33,33]\"\n"
    ),
    entry!(
        "series_fill_backward",
        [],
        Scalar,
        "series",
        "series_fill_backward(series: dynamic [, missing_value_placeholder]) -> dynamic",
        "Replaces each missing value (null by default) with the nearest value to its right; trailing missing values stay.",
        r#"print r = series_fill_backward(dynamic([111, null, 36, 41, null, null, 16, 61, 33, null, null]))"#,
        "r\n\"[111,36,36,41,16,16,16,61,33,null,null]\"\n"
    ),
    entry!(
        "series_fill_const",
        [],
        Scalar,
        "series",
        "series_fill_const(series: dynamic, constant_value [, missing_value_placeholder]) -> dynamic",
        "Replaces each missing value (null by default) with a constant.",
        r#"print a = series_fill_const(dynamic([111, null, 36, 41, 23, null, 16, 61, 33, null, null]), 0.0), b = series_fill_const(dynamic([111, null, 36, 41, 23, null, 16, 61, 33, null, null]), -1)"#,
        "a,b\n\"[111,0.0,36,41,23,0.0,16,61,33,0.0,0.0]\",\"[111,-1,36,41,23,-1,16,61,33,-1,-1]\"\n"
    ),
];
