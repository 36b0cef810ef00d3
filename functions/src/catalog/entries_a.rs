//! Catalog entries (part of `catalog.rs`, split to keep files small).

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    // ---- string ----
    entry!(
        "strlen",
        [],
        Scalar,
        "string",
        "strlen(source: string) -> long",
        "Number of Unicode code points in a string.",
        r#"print n = strlen("hello")"#,
        "n\n5\n"
    ),
    entry!(
        "strcat",
        [],
        Scalar,
        "string",
        "strcat(arg1, arg2, ...) -> string",
        "Joins its arguments, each converted to text, into one string.",
        r#"print s = strcat("a", 1, "b")"#,
        "s\na1b\n"
    ),
    entry!(
        "strcat_delim",
        [],
        Scalar,
        "string",
        "strcat_delim(delimiter: string, arg1, arg2, ...) -> string",
        "Joins its arguments into one string with a separator between them.",
        r#"print s = strcat_delim("-", "a", "b", "c")"#,
        "s\na-b-c\n"
    ),
    entry!(
        "substring",
        [],
        Scalar,
        "string",
        "substring(source: string, start: long [, length: long]) -> string",
        "The part of a string from a zero-based position, optionally limited to a length.",
        r#"print s = substring("abcdef", 2, 3)"#,
        "s\ncde\n"
    ),
    entry!(
        "tolower",
        [],
        Scalar,
        "string",
        "tolower(source: string) -> string",
        "The string in lower case.",
        r#"print s = tolower("HeLLo")"#,
        "s\nhello\n"
    ),
    entry!(
        "toupper",
        [],
        Scalar,
        "string",
        "toupper(source: string) -> string",
        "The string in upper case.",
        r#"print s = toupper("HeLLo")"#,
        "s\nHELLO\n"
    ),
    entry!(
        "trim",
        [],
        Scalar,
        "string",
        "trim(regex: string, source: string) -> string",
        "Removes leading and trailing matches of a regular expression.",
        r#"print s = trim("x+", "xxabxx")"#,
        "s\nab\n"
    ),
    entry!(
        "trim_start",
        [],
        Scalar,
        "string",
        "trim_start(regex: string, source: string) -> string",
        "Removes leading matches of a regular expression.",
        r#"print s = trim_start("x+", "xxabxx")"#,
        "s\nabxx\n"
    ),
    entry!(
        "trim_end",
        [],
        Scalar,
        "string",
        "trim_end(regex: string, source: string) -> string",
        "Removes trailing matches of a regular expression.",
        r#"print s = trim_end("x+", "xxabxx")"#,
        "s\nxxab\n"
    ),
    entry!(
        "split",
        [],
        Scalar,
        "string",
        "split(source: string, delimiter: string [, index: long]) -> dynamic",
        "Cuts a string at each delimiter into an array (or the one-element array at an index).",
        r#"print a = split("a_b_c", "_")"#,
        "a\n\"[\"\"a\"\",\"\"b\"\",\"\"c\"\"]\"\n"
    ),
    entry!(
        "extract",
        [],
        Scalar,
        "string",
        "extract(regex: string, group: long, source: string [, type]) -> string",
        "The text of a capture group of the first regular-expression match, optionally converted.",
        r#"print s = extract("([0-9]+)", 1, "abc 123 def")"#,
        "s\n123\n"
    ),
    entry!(
        "replace_string",
        [],
        Scalar,
        "string",
        "replace_string(text: string, lookup: string, rewrite: string) -> string",
        "Replaces every occurrence of a plain substring.",
        r#"print s = replace_string("a.b.c", ".", "-")"#,
        "s\na-b-c\n"
    ),
    entry!(
        "replace_regex",
        ["replace"],
        Scalar,
        "string",
        "replace_regex(source: string, regex: string, rewrite: string) -> string",
        "Replaces every match of a regular expression.",
        r##"print s = replace_regex("a1b22c", "[0-9]+", "#")"##,
        "s\na#b#c\n"
    ),
    entry!(
        "indexof",
        [],
        Scalar,
        "string",
        "indexof(source: string, lookup: string [, start: long [, length: long [, occurrence: long]]]) -> long",
        "Zero-based position of a substring, or -1 when it is absent.",
        r#"print i = indexof("abcdefg", "cde")"#,
        "i\n2\n"
    ),
    entry!(
        "countof",
        [],
        Scalar,
        "string",
        "countof(source: string, search: string [, kind: string]) -> long",
        "How many times a substring (or, with \"regex\", a pattern) occurs.",
        r#"print n = countof("The cat sat", "at")"#,
        "n\n2\n"
    ),
    entry!(
        "reverse",
        [],
        Scalar,
        "string",
        "reverse(value) -> string",
        "The characters of a string in reverse order.",
        r#"print s = reverse("abc")"#,
        "s\ncba\n"
    ),
    entry!(
        "strcmp",
        [],
        Scalar,
        "string",
        "strcmp(string1: string, string2: string) -> long",
        "-1, 0 or 1 as the first string sorts before, equal to or after the second.",
        r#"print c = strcmp("abc", "abd")"#,
        "c\n-1\n"
    ),
    // ---- conversion ----
    entry!(
        "tostring",
        [],
        Scalar,
        "conversion",
        "tostring(value) -> string",
        "The value as text.",
        r#"print s = tostring(123)"#,
        "s\n123\n"
    ),
    entry!(
        "toint",
        [],
        Scalar,
        "conversion",
        "toint(value) -> int",
        "The value as a 32-bit integer, or null when it cannot be converted.",
        r#"print i = toint("42")"#,
        "i\n42\n"
    ),
    entry!(
        "tolong",
        [],
        Scalar,
        "conversion",
        "tolong(value) -> long",
        "The value as a 64-bit integer, or null when it cannot be converted.",
        r#"print l = tolong("123")"#,
        "l\n123\n"
    ),
    entry!(
        "toreal",
        ["todouble"],
        Scalar,
        "conversion",
        "toreal(value) -> real",
        "The value as a double-precision number, or null when it cannot be converted.",
        r#"print r = toreal("2.5")"#,
        "r\n2.5\n"
    ),
    entry!(
        "tobool",
        ["toboolean"],
        Scalar,
        "conversion",
        "tobool(value) -> bool",
        "The value as a boolean (numbers are true when non-zero), or null.",
        r#"print b = tobool("true")"#,
        "b\ntrue\n"
    ),
    entry!(
        "todatetime",
        [],
        Scalar,
        "conversion",
        "todatetime(value) -> datetime",
        "The value as a datetime, or null when it cannot be parsed.",
        r#"print d = todatetime("2021-03-04 05:06:07")"#,
        "d\n2021-03-04T05:06:07Z\n"
    ),
    entry!(
        "totimespan",
        ["totime"],
        Scalar,
        "conversion",
        "totimespan(value) -> timespan",
        "The value as a timespan, or null when it cannot be parsed.",
        r#"print t = totimespan("01:30:00")"#,
        "t\n01:30:00\n"
    ),
    entry!(
        "parse_json",
        ["parsejson", "todynamic", "toobject"],
        Scalar,
        "conversion",
        "parse_json(json: string) -> dynamic",
        "Parses JSON text into a dynamic value.",
        r#"print v = parse_json('{"a":{"b":2}}').a.b"#,
        "v\n2\n"
    ),
    entry!(
        "gettype",
        [],
        Scalar,
        "conversion",
        "gettype(value) -> string",
        "The name of the value's type.",
        r#"print t = gettype("a")"#,
        "t\nstring\n"
    ),
    // ---- conditional and null tests ----
    entry!(
        "iff",
        ["iif"],
        Scalar,
        "conditional",
        "iff(condition: bool, then, else) -> the branches' type",
        "The second argument when the condition holds, else the third.",
        r#"print s = iff(2 > 1, "yes", "no")"#,
        "s\nyes\n"
    ),
    entry!(
        "case",
        [],
        Scalar,
        "conditional",
        "case(predicate1, then1, [predicate2, then2, ...] else) -> the values' type",
        "The value paired with the first true predicate, else the last argument.",
        r#"print s = case(5 > 10, "big", 5 > 3, "medium", "small")"#,
        "s\nmedium\n"
    ),
    entry!(
        "coalesce",
        [],
        Scalar,
        "conditional",
        "coalesce(arg1, arg2, ...) -> the arguments' type",
        "The first argument that is not null (for strings: not empty).",
        r#"print v = coalesce(long(null), 7)"#,
        "v\n7\n"
    ),
    entry!(
        "max_of",
        [],
        Scalar,
        "conditional",
        "max_of(arg1, arg2, ...) -> the arguments' type",
        "The largest of its arguments.",
        r#"print m = max_of(3, 7, 5)"#,
        "m\n7\n"
    ),
    entry!(
        "min_of",
        [],
        Scalar,
        "conditional",
        "min_of(arg1, arg2, ...) -> the arguments' type",
        "The smallest of its arguments.",
        r#"print m = min_of(3, 7, 5)"#,
        "m\n3\n"
    ),
    entry!(
        "isnull",
        [],
        Scalar,
        "conditional",
        "isnull(value) -> bool",
        "True when the value is null.",
        r#"print b = isnull(long(null))"#,
        "b\ntrue\n"
    ),
    entry!(
        "isnotnull",
        ["notnull"],
        Scalar,
        "conditional",
        "isnotnull(value) -> bool",
        "True when the value is not null.",
        r#"print b = isnotnull(5)"#,
        "b\ntrue\n"
    ),
    entry!(
        "isempty",
        [],
        Scalar,
        "conditional",
        "isempty(value) -> bool",
        "True when the value is null or the empty string.",
        r#"print b = isempty("")"#,
        "b\ntrue\n"
    ),
    entry!(
        "isnotempty",
        ["notempty"],
        Scalar,
        "conditional",
        "isnotempty(value) -> bool",
        "True when the value is neither null nor the empty string.",
        r#"print b = isnotempty("a")"#,
        "b\ntrue\n"
    ),
    entry!(
        "not",
        [],
        Scalar,
        "conditional",
        "not(expr: bool) -> bool",
        "Logical negation.",
        r#"print b = not(1 > 2)"#,
        "b\ntrue\n"
    ),
    // ---- math ----
    entry!(
        "abs",
        [],
        Scalar,
        "math",
        "abs(x: number or timespan) -> the argument's type",
        "Absolute value.",
        r#"print a = abs(-5)"#,
        "a\n5\n"
    ),
    entry!(
        "sign",
        [],
        Scalar,
        "math",
        "sign(x: number) -> the argument's type",
        "-1, 0 or 1 according to the sign of the number.",
        r#"print s = sign(-3)"#,
        "s\n-1\n"
    ),
    entry!(
        "ceiling",
        [],
        Scalar,
        "math",
        "ceiling(x: number) -> the argument's type",
        "The smallest integer not less than the number.",
        r#"print c = ceiling(1.5)"#,
        "c\n2\n"
    ),
    entry!(
        "round",
        [],
        Scalar,
        "math",
        "round(x: number [, precision: long]) -> real",
        "The number rounded to a number of decimal places (default 0).",
        r#"print r = round(2.567, 2)"#,
        "r\n2.57\n"
    ),
    entry!(
        "sqrt",
        [],
        Scalar,
        "math",
        "sqrt(x: number) -> real",
        "Square root (null for negative input).",
        r#"print r = sqrt(16)"#,
        "r\n4\n"
    ),
    entry!(
        "log",
        [],
        Scalar,
        "math",
        "log(x: number) -> real",
        "Natural logarithm.",
        r#"print r = log(1)"#,
        "r\n0\n"
    ),
    entry!(
        "log2",
        [],
        Scalar,
        "math",
        "log2(x: number) -> real",
        "Base-2 logarithm.",
        r#"print r = log2(8)"#,
        "r\n3\n"
    ),
    entry!(
        "log10",
        [],
        Scalar,
        "math",
        "log10(x: number) -> real",
        "Base-10 logarithm.",
        r#"print r = log10(100)"#,
        "r\n2\n"
    ),
    entry!(
        "exp",
        [],
        Scalar,
        "math",
        "exp(x: number) -> real",
        "e raised to the power x.",
        r#"print r = exp(0)"#,
        "r\n1\n"
    ),
    entry!(
        "exp2",
        [],
        Scalar,
        "math",
        "exp2(x: number) -> real",
        "2 raised to the power x.",
        r#"print r = exp2(3)"#,
        "r\n8\n"
    ),
    entry!(
        "exp10",
        [],
        Scalar,
        "math",
        "exp10(x: number) -> real",
        "10 raised to the power x.",
        r#"print r = exp10(2)"#,
        "r\n100\n"
    ),
    entry!(
        "pow",
        [],
        Scalar,
        "math",
        "pow(base: number, exponent: number) -> real",
        "A base raised to a power.",
        r#"print r = pow(2, 10)"#,
        "r\n1024\n"
    ),
    entry!(
        "rand",
        [],
        Scalar,
        "math",
        "rand([n: long]) -> real or long",
        "A random real in [0, 1), or with n a random long in [0, n).",
        r#"print ok = rand() < 1.0 and rand(10) < 10"#,
        "ok\ntrue\n"
    ),
    entry!(
        "pi",
        [],
        Scalar,
        "math",
        "pi() -> real",
        "The constant π.",
        r#"print p = round(pi(), 4)"#,
        "p\n3.1416\n"
    ),
    entry!(
        "sin",
        [],
        Scalar,
        "math",
        "sin(x: number) -> real",
        "Sine of an angle in radians.",
        r#"print r = sin(0)"#,
        "r\n0\n"
    ),
    entry!(
        "cos",
        [],
        Scalar,
        "math",
        "cos(x: number) -> real",
        "Cosine of an angle in radians.",
        r#"print r = cos(0)"#,
        "r\n1\n"
    ),
    entry!(
        "tan",
        [],
        Scalar,
        "math",
        "tan(x: number) -> real",
        "Tangent of an angle in radians.",
        r#"print r = tan(0)"#,
        "r\n0\n"
    ),
    entry!(
        "asin",
        [],
        Scalar,
        "math",
        "asin(x: number) -> real",
        "Arc sine, in radians.",
        r#"print r = round(asin(1), 4)"#,
        "r\n1.5708\n"
    ),
    entry!(
        "acos",
        [],
        Scalar,
        "math",
        "acos(x: number) -> real",
        "Arc cosine, in radians.",
        r#"print r = acos(1)"#,
        "r\n0\n"
    ),
    entry!(
        "atan",
        [],
        Scalar,
        "math",
        "atan(x: number) -> real",
        "Arc tangent, in radians.",
        r#"print r = round(atan(1), 4)"#,
        "r\n0.7854\n"
    ),
    entry!(
        "atan2",
        [],
        Scalar,
        "math",
        "atan2(y: number, x: number) -> real",
        "The angle in radians between the positive x axis and the point (x, y).",
        r#"print r = round(atan2(1, -1), 4)"#,
        "r\n2.3562\n"
    ),
    entry!(
        "degrees",
        [],
        Scalar,
        "math",
        "degrees(radians: number) -> real",
        "Converts radians to degrees.",
        r#"print d = round(degrees(pi()), 6)"#,
        "d\n180\n"
    ),
    entry!(
        "radians",
        [],
        Scalar,
        "math",
        "radians(degrees: number) -> real",
        "Converts degrees to radians.",
        r#"print r = round(radians(180), 4)"#,
        "r\n3.1416\n"
    ),
    entry!(
        "isnan",
        [],
        Scalar,
        "math",
        "isnan(x: number) -> bool",
        "True when the number is NaN.",
        r#"print b = isnan(real(nan))"#,
        "b\ntrue\n"
    ),
    entry!(
        "isinf",
        [],
        Scalar,
        "math",
        "isinf(x: number) -> bool",
        "True when the number is positive or negative infinity.",
        r#"print b = isinf(real(-inf))"#,
        "b\ntrue\n"
    ),
    entry!(
        "isfinite",
        [],
        Scalar,
        "math",
        "isfinite(x: number) -> bool",
        "True when the number is neither infinite nor NaN.",
        r#"print b = isfinite(1.5)"#,
        "b\ntrue\n"
    ),
    // ---- datetime ----
    entry!(
        "now",
        [],
        Scalar,
        "datetime",
        "now([offset: timespan]) -> datetime",
        "The current UTC time (fixed for the whole query), optionally shifted.",
        r#"print ok = now() > datetime(2020-01-01)"#,
        "ok\ntrue\n"
    ),
    entry!(
        "ago",
        [],
        Scalar,
        "datetime",
        "ago(span: timespan) -> datetime",
        "The current UTC time minus a timespan.",
        r#"print ok = ago(1d) < now()"#,
        "ok\ntrue\n"
    ),
    entry!(
        "bin",
        ["floor"],
        Scalar,
        "datetime",
        "bin(value, roundTo) -> the value's type",
        "Rounds a number, datetime or timespan down to a multiple of a bin size.",
        r#"print b = bin(17, 5)"#,
        "b\n15\n"
    ),
    entry!(
        "bin_at",
        [],
        Scalar,
        "datetime",
        "bin_at(value, binSize, fixedPoint) -> the value's type",
        "Rounds down to bins of a given size aligned on a fixed point.",
        r#"print b = bin_at(6.5, 2.5, 7)"#,
        "b\n4.5\n"
    ),
    entry!(
        "startofday",
        [],
        Scalar,
        "datetime",
        "startofday(date: datetime) -> datetime",
        "Midnight at the start of the date's day.",
        r#"print d = startofday(datetime(2017-01-01 10:10:17))"#,
        "d\n2017-01-01T00:00:00Z\n"
    ),
    entry!(
        "startofweek",
        [],
        Scalar,
        "datetime",
        "startofweek(date: datetime) -> datetime",
        "The start of the date's week (weeks start on Sunday).",
        r#"print d = startofweek(datetime(2017-01-04 10:10:17))"#,
        "d\n2017-01-01T00:00:00Z\n"
    ),
    entry!(
        "startofmonth",
        [],
        Scalar,
        "datetime",
        "startofmonth(date: datetime) -> datetime",
        "The start of the date's month.",
        r#"print d = startofmonth(datetime(2017-01-14 10:10:17))"#,
        "d\n2017-01-01T00:00:00Z\n"
    ),
    entry!(
        "startofyear",
        [],
        Scalar,
        "datetime",
        "startofyear(date: datetime) -> datetime",
        "The start of the date's year.",
        r#"print d = startofyear(datetime(2017-05-14))"#,
        "d\n2017-01-01T00:00:00Z\n"
    ),
    entry!(
        "endofday",
        [],
        Scalar,
        "datetime",
        "endofday(date: datetime) -> datetime",
        "The last tick of the date's day.",
        r#"print d = endofday(datetime(2017-01-01 10:10:17))"#,
        "d\n2017-01-01T23:59:59.9999999Z\n"
    ),
    entry!(
        "endofweek",
        [],
        Scalar,
        "datetime",
        "endofweek(date: datetime) -> datetime",
        "The last tick of the date's week (weeks end on Saturday).",
        r#"print d = endofweek(datetime(2017-01-04))"#,
        "d\n2017-01-07T23:59:59.9999999Z\n"
    ),
    entry!(
        "endofmonth",
        [],
        Scalar,
        "datetime",
        "endofmonth(date: datetime) -> datetime",
        "The last tick of the date's month.",
        r#"print d = endofmonth(datetime(2017-02-10))"#,
        "d\n2017-02-28T23:59:59.9999999Z\n"
    ),
    entry!(
        "endofyear",
        [],
        Scalar,
        "datetime",
        "endofyear(date: datetime) -> datetime",
        "The last tick of the date's year.",
        r#"print d = endofyear(datetime(2017-05-10))"#,
        "d\n2017-12-31T23:59:59.9999999Z\n"
    ),
    entry!(
        "getyear",
        [],
        Scalar,
        "datetime",
        "getyear(date: datetime) -> int",
        "The year of a datetime.",
        r#"print y = getyear(datetime(2015-10-12))"#,
        "y\n2015\n"
    ),
    entry!(
        "getmonth",
        ["monthofyear"],
        Scalar,
        "datetime",
        "getmonth(date: datetime) -> int",
        "The month number (1–12) of a datetime.",
        r#"print m = getmonth(datetime(2015-10-12))"#,
        "m\n10\n"
    ),
    entry!(
        "dayofmonth",
        [],
        Scalar,
        "datetime",
        "dayofmonth(date: datetime) -> int",
        "The day of the month (1–31) of a datetime.",
        r#"print d = dayofmonth(datetime(2015-12-14))"#,
        "d\n14\n"
    ),
    entry!(
        "dayofyear",
        [],
        Scalar,
        "datetime",
        "dayofyear(date: datetime) -> int",
        "The day of the year (1–366) of a datetime.",
        r#"print d = dayofyear(datetime(2015-12-14))"#,
        "d\n348\n"
    ),
    entry!(
        "hourofday",
        [],
        Scalar,
        "datetime",
        "hourofday(date: datetime) -> int",
        "The hour (0–23) of a datetime.",
        r#"print h = hourofday(datetime(2015-12-14 18:54))"#,
        "h\n18\n"
    ),
    entry!(
        "week_of_year",
        ["weekofyear"],
        Scalar,
        "datetime",
        "week_of_year(date: datetime) -> int",
        "The ISO 8601 week number of a datetime.",
        r#"print w = week_of_year(datetime(2020-12-31))"#,
        "w\n53\n"
    ),
    entry!(
        "dayofweek",
        [],
        Scalar,
        "datetime",
        "dayofweek(date: datetime) -> timespan",
        "Whole days since the preceding Sunday, as a timespan.",
        r#"print d = dayofweek(datetime(2017-01-04))"#,
        "d\n3.00:00:00\n"
    ),
    entry!(
        "datetime_part",
        ["datepart"],
        Scalar,
        "datetime",
        "datetime_part(part: string, date: datetime) -> int",
        "One calendar or clock component (year, quarter, month, day, hour, …) of a datetime.",
        r#"print m = datetime_part("month", datetime(2017-10-30 01:02:03))"#,
        "m\n10\n"
    ),
    entry!(
        "unixtime_seconds_todatetime",
        [],
        Scalar,
        "datetime",
        "unixtime_seconds_todatetime(seconds: number) -> datetime",
        "Converts seconds since 1970-01-01 UTC to a datetime.",
        r#"print d = unixtime_seconds_todatetime(1546300800)"#,
        "d\n2019-01-01T00:00:00Z\n"
    ),
    entry!(
        "unixtime_milliseconds_todatetime",
        [],
        Scalar,
        "datetime",
        "unixtime_milliseconds_todatetime(milliseconds: number) -> datetime",
        "Converts milliseconds since 1970-01-01 UTC to a datetime.",
        r#"print d = unixtime_milliseconds_todatetime(1546300800123)"#,
        "d\n2019-01-01T00:00:00.1230000Z\n"
    ),
    entry!(
        "unixtime_microseconds_todatetime",
        [],
        Scalar,
        "datetime",
        "unixtime_microseconds_todatetime(microseconds: number) -> datetime",
        "Converts microseconds since 1970-01-01 UTC to a datetime.",
        r#"print d = unixtime_microseconds_todatetime(1546300800123456)"#,
        "d\n2019-01-01T00:00:00.1234560Z\n"
    ),
    entry!(
        "unixtime_nanoseconds_todatetime",
        [],
        Scalar,
        "datetime",
        "unixtime_nanoseconds_todatetime(nanoseconds: number) -> datetime",
        "Converts nanoseconds since 1970-01-01 UTC to a datetime.",
        r#"print d = unixtime_nanoseconds_todatetime(1546300800123456700)"#,
        "d\n2019-01-01T00:00:00.1234567Z\n"
    ),
    entry!(
        "datetime_add",
        [],
        Scalar,
        "datetime",
        "datetime_add(part: string, amount: long, date: datetime) -> datetime",
        "A datetime shifted by a number of calendar or clock units.",
        r#"print d = datetime_add("day", 1, datetime(2017-01-31))"#,
        "d\n2017-02-01T00:00:00Z\n"
    ),
    entry!(
        "datetime_diff",
        [],
        Scalar,
        "datetime",
        "datetime_diff(part: string, date1: datetime, date2: datetime) -> long",
        "How many unit boundaries lie between two datetimes (date1 minus date2).",
        r#"print n = datetime_diff("day", datetime(2017-01-05), datetime(2017-01-01))"#,
        "n\n4\n"
    ),
    entry!(
        "format_datetime",
        [],
        Scalar,
        "datetime",
        "format_datetime(date: datetime, format: string) -> string",
        "Formats a datetime with a pattern such as yyyy-MM-dd HH:mm:ss.",
        r#"print s = format_datetime(datetime(2017-01-29 09:00:05), "yyyy-MM-dd")"#,
        "s\n2017-01-29\n"
    ),
    entry!(
        "format_timespan",
        [],
        Scalar,
        "datetime",
        "format_timespan(span: timespan, format: string) -> string",
        "Formats a timespan with a pattern such as d.hh:mm:ss.",
        r#"print s = format_timespan(time(02:03:04), "hh:mm")"#,
        "s\n02:03\n"
    ),
    entry!(
        "make_datetime",
        [],
        Scalar,
        "datetime",
        "make_datetime(year, month, day [, hour, minute [, second]]) -> datetime",
        "Builds a datetime from its components.",
        r#"print d = make_datetime(2017, 10, 1, 12, 10)"#,
        "d\n2017-10-01T12:10:00Z\n"
    ),
    entry!(
        "make_timespan",
        [],
        Scalar,
        "datetime",
        "make_timespan([day,] hour, minute [, second]) -> timespan",
        "Builds a timespan from its components.",
        r#"print t = make_timespan(12, 30)"#,
        "t\n12:30:00\n"
    ),
    entry!(
        "datetime_utc_to_local",
        [],
        Scalar,
        "datetime",
        "datetime_utc_to_local(date: datetime, timezone: string) -> datetime",
        "Converts a UTC datetime to the local time of an IANA time zone.",
        r#"print d = datetime_utc_to_local(datetime(2020-06-15 12:00), "Europe/Berlin")"#,
        "d\n2020-06-15T14:00:00Z\n"
    ),
    entry!(
        "datetime_local_to_utc",
        [],
        Scalar,
        "datetime",
        "datetime_local_to_utc(date: datetime, timezone: string) -> datetime",
        "Converts a local time of an IANA time zone to UTC.",
        r#"print d = datetime_local_to_utc(datetime(2020-06-15 14:00), "Europe/Berlin")"#,
        "d\n2020-06-15T12:00:00Z\n"
    ),
    // ---- dynamic ----
    entry!(
        "array_length",
        [],
        Scalar,
        "dynamic",
        "array_length(array: dynamic) -> long",
        "Number of elements of a dynamic array (null when the value is not an array).",
        r#"print n = array_length(dynamic([1, 2, 3]))"#,
        "n\n3\n"
    ),
    entry!(
        "pack_array",
        [],
        Scalar,
        "dynamic",
        "pack_array(value1, value2, ...) -> dynamic",
        "Builds a dynamic array from its arguments.",
        r#"print a = pack_array(1, 2, 3)"#,
        "a\n\"[1,2,3]\"\n"
    ),
    entry!(
        "bag_pack",
        ["pack", "pack_dictionary"],
        Scalar,
        "dynamic",
        "bag_pack(key1: string, value1, key2: string, value2, ...) -> dynamic",
        "Builds a property bag from alternating keys and values.",
        r#"print b = bag_pack("a", 1)"#,
        "b\n\"{\"\"a\"\":1}\"\n"
    ),
    entry!(
        "array_concat",
        [],
        Scalar,
        "dynamic",
        "array_concat(array1: dynamic, array2: dynamic, ...) -> dynamic",
        "Joins several arrays into one.",
        r#"print a = array_concat(dynamic([1, 2]), dynamic([3]))"#,
        "a\n\"[1,2,3]\"\n"
    ),
    entry!(
        "array_slice",
        [],
        Scalar,
        "dynamic",
        "array_slice(array: dynamic, start: long, end: long) -> dynamic",
        "The elements between two zero-based positions, both included (negative counts from the end).",
        r#"print a = array_slice(dynamic([1, 2, 3, 4, 5]), 1, 3)"#,
        "a\n\"[2,3,4]\"\n"
    ),
    entry!(
        "array_reverse",
        [],
        Scalar,
        "dynamic",
        "array_reverse(array: dynamic) -> dynamic",
        "The array's elements in reverse order.",
        r#"print a = array_reverse(dynamic([1, 2, 3]))"#,
        "a\n\"[3,2,1]\"\n"
    ),
    entry!(
        "array_sum",
        [],
        Scalar,
        "dynamic",
        "array_sum(array: dynamic) -> real",
        "Sum of the numeric elements of an array.",
        r#"print s = array_sum(dynamic([1, 2, 3]))"#,
        "s\n6\n"
    ),
    entry!(
        "bag_keys",
        [],
        Scalar,
        "dynamic",
        "bag_keys(bag: dynamic) -> dynamic",
        "The keys of a property bag as an array.",
        r#"print k = bag_keys(dynamic({"a": 1, "b": 2}))"#,
        "k\n\"[\"\"a\"\",\"\"b\"\"]\"\n"
    ),
    entry!(
        "treepath",
        [],
        Scalar,
        "dynamic",
        "treepath(value: dynamic) -> dynamic",
        "The JSONPath of every node inside a dynamic value.",
        r#"print p = treepath(dynamic({"a": 1}))"#,
        "p\n\"[\"\"['a']\"\"]\"\n"
    ),
    entry!(
        "array_sort_asc",
        [],
        Scalar,
        "dynamic",
        "array_sort_asc(array: dynamic, ...) -> dynamic",
        "The array sorted in ascending order.",
        r#"print a = array_sort_asc(dynamic([3, 1, 2]))"#,
        "a\n\"[1,2,3]\"\n"
    ),
    entry!(
        "array_sort_desc",
        [],
        Scalar,
        "dynamic",
        "array_sort_desc(array: dynamic, ...) -> dynamic",
        "The array sorted in descending order.",
        r#"print a = array_sort_desc(dynamic([3, 1, 2]))"#,
        "a\n\"[3,2,1]\"\n"
    ),
];
