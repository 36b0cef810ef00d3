//! Catalog entries (part of `catalog.rs`): the second batch of string, conversion, encoding
//! and array functions (lowered in `scalar::string2` and `scalar::misc`).

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    // ---- string ----
    entry!(
        "extract_all",
        ["extractall"],
        Scalar,
        "string",
        "extract_all(regex: string, [captureGroups: dynamic,] source: string) -> dynamic",
        "Every match of a regular expression with 1 to 16 capture groups, as an array of the groups' texts (an array per match when several groups are selected); null when nothing matches.",
        r#"print a = extract_all(@"(\d+)", "a set of numbers: 123, 567 and 789")"#,
        "a\n\"[\"\"123\"\",\"\"567\"\",\"\"789\"\"]\"\n"
    ),
    entry!(
        "strrep",
        [],
        Scalar,
        "string",
        "strrep(value, multiplier: int [, delimiter: string]) -> string",
        "The value's text repeated a number of times (at most 1024), joined by an optional delimiter.",
        r#"print s = strrep(123, 3, ".")"#,
        "s\n123.123.123\n"
    ),
    entry!(
        "string_size",
        [],
        Scalar,
        "string",
        "string_size(source: string) -> long",
        "The size of a string in bytes (UTF-8).",
        r#"print n = string_size("⒦⒰⒮⒯⒪")"#,
        "n\n15\n"
    ),
    entry!(
        "translate",
        [],
        Scalar,
        "string",
        "translate(searchList: string, replacementList: string, source: string) -> string",
        "Replaces each character of a search list with the character at the same position of a replacement list (its last character past its end; removed when it is empty).",
        r#"print s = translate("krasp", "otsku", "spark")"#,
        "s\nkusto\n"
    ),
    entry!(
        "replace_strings",
        [],
        Scalar,
        "string",
        "replace_strings(text: string, lookups: dynamic, rewrites: dynamic) -> string",
        "Replaces several strings at once; earlier lookups take precedence and replaced text is not matched again.",
        r#"print s = replace_strings("A cat and a dog", dynamic(["cat", "dog"]), dynamic(["dog", "bird"]))"#,
        "s\nA dog and a bird\n"
    ),
    entry!(
        "indexof_regex",
        [],
        Scalar,
        "string",
        "indexof_regex(source: string, regex: string [, start: long [, length: long [, occurrence: long]]]) -> long",
        "Zero-based position of the n-th (non-overlapping) match of a regular expression, -1 when absent.",
        r#"print i = indexof_regex("abcabcdefg", @"a.c", 0, 9, 2)"#,
        "i\n3\n"
    ),
    entry!(
        "regex_quote",
        [],
        Scalar,
        "string",
        "regex_quote(string: string) -> string",
        "The string with every regular-expression special character escaped.",
        r#"print s = regex_quote("(so$me.Te^xt)")"#,
        "s\n\\(so\\$me\\.Te\\^xt\\)\n"
    ),
    entry!(
        "has_any_index",
        [],
        Scalar,
        "string",
        "has_any_index(source: string, values: dynamic) -> long",
        "Index of the first array element found in the string as a whole term (as `has`), -1 when none is.",
        r#"print i = has_any_index("this is an example", dynamic(["not", "example"]))"#,
        "i\n1\n"
    ),
    entry!(
        "unicode_codepoints_from_string",
        ["to_utf8"],
        Scalar,
        "string",
        "unicode_codepoints_from_string(value: string) -> dynamic",
        "The Unicode code points of a string's characters, as an array.",
        r#"print a = unicode_codepoints_from_string("Kusto")"#,
        "a\n\"[75,117,115,116,111]\"\n"
    ),
    entry!(
        "unicode_codepoints_to_string",
        ["make_string"],
        Scalar,
        "string",
        "unicode_codepoints_to_string(values: int | long | dynamic, ...) -> string",
        "The string made of the given Unicode code points (numbers or arrays of numbers); null when one is not a valid code point.",
        r#"print s = unicode_codepoints_to_string(dynamic([75, 117, 115]), 116, 111)"#,
        "s\nKusto\n"
    ),
    entry!(
        "parse_command_line",
        [],
        Scalar,
        "string",
        "parse_command_line(command_line: string, parser_type: string) -> dynamic",
        "The arguments of a command line as an array, split as Windows' CommandLineToArgvW does (parser type \"windows\").",
        r#"print a = parse_command_line("echo \"hello world!\"", "windows")"#,
        "a\n\"[\"\"echo\"\",\"\"hello world!\"\"]\"\n"
    ),
    entry!(
        "isascii",
        [],
        Scalar,
        "string",
        "isascii(value: string) -> bool",
        "Whether every character of the string is ASCII.",
        r#"print a = isascii("some string"), b = isascii("café")"#,
        "a,b\ntrue,false\n"
    ),
    entry!(
        "isutf8",
        [],
        Scalar,
        "string",
        "isutf8(value: string) -> bool",
        "Whether the string is valid UTF-8 (always true here: strings are stored as UTF-8).",
        r#"print r = isutf8("some string")"#,
        "r\ntrue\n"
    ),
    entry!(
        "array_strcat",
        [],
        Scalar,
        "string",
        "array_strcat(array: dynamic, delimiter: string) -> string",
        "The array's elements joined by a delimiter; an undocumented synonym of strcat_array used in the docs' functions library.",
        r#"print s = array_strcat(dynamic([1, 2, 3]), "->")"#,
        "s\n1->2->3\n"
    ),
    // ---- conversion ----
    entry!(
        "toguid",
        [],
        Scalar,
        "conversion",
        "toguid(value) -> guid",
        "The guid spelled by the first 32 hex digits of the text (hyphens skipped), or null.",
        r#"print g = toguid("0123456789abcdef0123456789abcdef")"#,
        "g\n01234567-89ab-cdef-0123-456789abcdef\n"
    ),
    entry!(
        "tohex",
        [],
        Scalar,
        "conversion",
        "tohex(value: int | long [, minLength: int]) -> string",
        "The value in lower-case hexadecimal (two's complement when negative), zero-padded to a minimum length of up to 16.",
        r#"print a = tohex(256), b = tohex(-256), c = tohex(toint(-256), 8), d = tohex(256, 8)"#,
        "a,b,c,d\n100,ffffffffffffff00,ffffff00,00000100\n"
    ),
    entry!(
        "todecimal",
        [],
        Scalar,
        "conversion",
        "todecimal(value) -> decimal",
        "The value as a decimal (at most 20 integer and 18 fraction digits), or null when it cannot be converted.",
        r#"print d = todecimal("123.45678"), same = todecimal("123.45678") == decimal(123.45678)"#,
        "d,same\n123.45678,true\n"
    ),
    entry!(
        "parse_version",
        [],
        Scalar,
        "conversion",
        "parse_version(version: string) -> decimal",
        "A version of one to four dot-separated parts (up to 8 digits each) as a comparable decimal, or null.",
        r#"print v = parse_version("1.2.3.4"), older = parse_version("0.1.2.0") < parse_version("1")"#,
        "v,older\n1000000020000000300000004,true\n"
    ),
    entry!(
        "dynamic_to_json",
        [],
        Scalar,
        "dynamic",
        "dynamic_to_json(expr: dynamic) -> string",
        "Canonical JSON text of a dynamic value, with property-bag keys sorted.",
        r#"print s = dynamic_to_json(dynamic({"b": 1, "a": [2, {"d": 3, "c": 4}]}))"#,
        "s\n\"{\"\"a\"\":[2,{\"\"c\"\":4,\"\"d\"\":3}],\"\"b\"\":1}\"\n"
    ),
    entry!(
        "repeat",
        [],
        Scalar,
        "dynamic",
        "repeat(value, count: int) -> dynamic",
        "An array holding a value a number of times (null when the count is negative).",
        r#"print a = repeat(1, 3)"#,
        "a\n\"[1,1,1]\"\n"
    ),
    entry!(
        "range",
        [],
        Scalar,
        "dynamic",
        "range(start, stop [, step]) -> dynamic",
        "An array of equally spaced numbers, datetimes or timespans from start up to stop (at most 1,048,576 values; default step 1, or 1h).",
        r#"print r = range(1, 8, 3)"#,
        "r\n\"[1,4,7]\"\n"
    ),
    // ---- encoding ----
    entry!(
        "base64_decode_toarray",
        [],
        Scalar,
        "encoding",
        "base64_decode_toarray(base64_string: string) -> dynamic",
        "The bytes a base64 string encodes, as an array of numbers.",
        r#"print a = base64_decode_toarray("S3VzdG8=")"#,
        "a\n\"[75,117,115,116,111]\"\n"
    ),
    entry!(
        "base64_decode_toguid",
        [],
        Scalar,
        "encoding",
        "base64_decode_toguid(base64_string: string) -> guid",
        "The guid whose 16 bytes a base64 string encodes, or null.",
        r#"print g = base64_decode_toguid("8jMxriJurkmwahbmqbIS6w==")"#,
        "g\nae3133f2-6e22-49ae-b06a-16e6a9b212eb\n"
    ),
    entry!(
        "base64_encode_fromarray",
        [],
        Scalar,
        "encoding",
        "base64_encode_fromarray(bytes: dynamic) -> string",
        "The base64 encoding of an array of byte values (empty when an element is not a byte).",
        r#"print s = base64_encode_fromarray(dynamic([75, 117, 115, 116, 111]))"#,
        "s\nS3VzdG8=\n"
    ),
    // ---- other ----
    entry!(
        "around",
        [],
        Scalar,
        "conditional",
        "around(value, center, delta) -> bool",
        "Whether a number, datetime or timespan lies within center - delta .. center + delta (inclusive).",
        r#"print a = around(datetime(2021-01-01 01:31), datetime(2021-01-01 01:30), 1min), b = around(7, 4, 2)"#,
        "a,b\ntrue,false\n"
    ),
    entry!(
        "assert",
        [],
        Scalar,
        "conditional",
        "assert(condition: bool, message: string) -> bool",
        "true when a constant condition holds; otherwise the query fails with the message.",
        r#"print ok = assert(1 < 2, "one is less than two")"#,
        "ok\ntrue\n"
    ),
    entry!(
        "datetime_list_timezones",
        [],
        Scalar,
        "datetime",
        "datetime_list_timezones() -> dynamic",
        "The IANA time-zone names the datetime functions accept, sorted.",
        r#"print has_london = set_has_element(datetime_list_timezones(), "Europe/London")"#,
        "has_london\ntrue\n"
    ),
];
