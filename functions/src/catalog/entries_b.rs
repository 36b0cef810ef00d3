//! Catalog entries (part of `catalog.rs`, split to keep files small).

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    // ---- string ----
    entry!(
        "array_index_of",
        [],
        Scalar,
        "dynamic",
        "array_index_of(array: dynamic, value [, start [, length [, occurrence]]]) -> long",
        "Zero-based position of a value in an array, or -1.",
        r#"print i = array_index_of(dynamic(["a", "b", "c"]), "b")"#,
        "i\n1\n"
    ),
    entry!(
        "set_has_element",
        [],
        Scalar,
        "dynamic",
        "set_has_element(set: dynamic, value) -> bool",
        "True when the array contains the value.",
        r#"print b = set_has_element(dynamic([1, 2, 3]), 2)"#,
        "b\ntrue\n"
    ),
    entry!(
        "array_iff",
        ["array_iif"],
        Scalar,
        "dynamic",
        "array_iff(conditions: dynamic, ifTrue: dynamic, ifFalse: dynamic) -> dynamic",
        "Element-wise choice between two arrays by an array of conditions.",
        r#"print a = array_iff(dynamic([true, false]), dynamic([1, 2]), dynamic([3, 4]))"#,
        "a\n\"[1,4]\"\n"
    ),
    entry!(
        "array_rotate_left",
        [],
        Scalar,
        "dynamic",
        "array_rotate_left(array: dynamic, count: long) -> dynamic",
        "Rotates the elements to the left by a number of positions.",
        r#"print a = array_rotate_left(dynamic([1, 2, 3, 4, 5]), 2)"#,
        "a\n\"[3,4,5,1,2]\"\n"
    ),
    entry!(
        "array_rotate_right",
        [],
        Scalar,
        "dynamic",
        "array_rotate_right(array: dynamic, count: long) -> dynamic",
        "Rotates the elements to the right by a number of positions.",
        r#"print a = array_rotate_right(dynamic([1, 2, 3, 4, 5]), 2)"#,
        "a\n\"[4,5,1,2,3]\"\n"
    ),
    entry!(
        "array_shift_left",
        [],
        Scalar,
        "dynamic",
        "array_shift_left(array: dynamic, count: long [, fill]) -> dynamic",
        "Shifts the elements left, filling the freed positions with null (or a fill value).",
        r#"print a = array_shift_left(dynamic([1, 2, 3, 4, 5]), 2)"#,
        "a\n\"[3,4,5,null,null]\"\n"
    ),
    entry!(
        "array_shift_right",
        [],
        Scalar,
        "dynamic",
        "array_shift_right(array: dynamic, count: long [, fill]) -> dynamic",
        "Shifts the elements right, filling the freed positions with null (or a fill value).",
        r#"print a = array_shift_right(dynamic([1, 2, 3, 4, 5]), 2)"#,
        "a\n\"[null,null,1,2,3]\"\n"
    ),
    entry!(
        "array_split",
        [],
        Scalar,
        "dynamic",
        "array_split(array: dynamic, indices) -> dynamic",
        "Cuts an array into sub-arrays at one or more positions.",
        r#"print a = array_split(dynamic([1, 2, 3, 4, 5]), 2)"#,
        "a\n\"[[1,2],[3,4,5]]\"\n"
    ),
    entry!(
        "strcat_array",
        [],
        Scalar,
        "dynamic",
        "strcat_array(array: dynamic, delimiter: string) -> string",
        "Joins the elements of an array into a string with a separator.",
        r#"print s = strcat_array(dynamic([1, 2, 3]), "-")"#,
        "s\n1-2-3\n"
    ),
    entry!(
        "set_union",
        [],
        Scalar,
        "dynamic",
        "set_union(set1: dynamic, set2: dynamic, ...) -> dynamic",
        "The distinct values found in any of the arrays.",
        r#"print s = set_union(dynamic([1, 2]), dynamic([2, 3]))"#,
        "s\n\"[1,2,3]\"\n"
    ),
    entry!(
        "set_intersect",
        [],
        Scalar,
        "dynamic",
        "set_intersect(set1: dynamic, set2: dynamic, ...) -> dynamic",
        "The distinct values found in every array.",
        r#"print s = set_intersect(dynamic([1, 2]), dynamic([2, 3]))"#,
        "s\n[2]\n"
    ),
    entry!(
        "set_difference",
        [],
        Scalar,
        "dynamic",
        "set_difference(set1: dynamic, set2: dynamic, ...) -> dynamic",
        "The distinct values of the first array found in none of the others.",
        r#"print s = set_difference(dynamic([1, 2, 3]), dynamic([2]))"#,
        "s\n\"[1,3]\"\n"
    ),
    entry!(
        "zip",
        [],
        Scalar,
        "dynamic",
        "zip(array1: dynamic, array2: dynamic, ...) -> dynamic",
        "Pairs up the elements at the same position of several arrays.",
        r#"print z = zip(dynamic([1, 2]), dynamic(["a", "b"]))"#,
        "z\n\"[[1,\"\"a\"\"],[2,\"\"b\"\"]]\"\n"
    ),
    entry!(
        "bag_merge",
        [],
        Scalar,
        "dynamic",
        "bag_merge(bag1: dynamic, bag2: dynamic, ...) -> dynamic",
        "Merges property bags (the first bag wins on duplicate keys).",
        r#"print b = bag_merge(dynamic({"a": 1}), dynamic({"b": 2}))"#,
        "b\n\"{\"\"a\"\":1,\"\"b\"\":2}\"\n"
    ),
    entry!(
        "bag_remove_keys",
        [],
        Scalar,
        "dynamic",
        "bag_remove_keys(bag: dynamic, keys: dynamic) -> dynamic",
        "The property bag without the listed keys.",
        r#"print b = bag_remove_keys(dynamic({"a": 1, "b": 2}), dynamic(["a"]))"#,
        "b\n\"{\"\"b\"\":2}\"\n"
    ),
    entry!(
        "bag_zip",
        [],
        Scalar,
        "dynamic",
        "bag_zip(keys: dynamic, values: dynamic) -> dynamic",
        "Builds a property bag from an array of keys and an array of values.",
        r#"print b = bag_zip(dynamic(["a", "b"]), dynamic([1, 2]))"#,
        "b\n\"{\"\"a\"\":1,\"\"b\"\":2}\"\n"
    ),
    entry!(
        "jaccard_index",
        [],
        Scalar,
        "dynamic",
        "jaccard_index(set1: dynamic, set2: dynamic) -> real",
        "Size of the intersection of two sets divided by the size of their union.",
        r#"print j = jaccard_index(dynamic([1, 2, 3]), dynamic([2, 3, 4]))"#,
        "j\n0.5\n"
    ),
    entry!(
        "bag_set_key",
        [],
        Scalar,
        "dynamic",
        "bag_set_key(bag: dynamic, key: string, value) -> dynamic",
        "The property bag with a key set to a value.",
        r#"print b = bag_set_key(dynamic({"a": 1}), "b", 2)"#,
        "b\n\"{\"\"a\"\":1,\"\"b\"\":2}\"\n"
    ),
    entry!(
        "bag_has_key",
        [],
        Scalar,
        "dynamic",
        "bag_has_key(bag: dynamic, key: string) -> bool",
        "True when the property bag has the key.",
        r#"print b = bag_has_key(dynamic({"a": 1}), "a")"#,
        "b\ntrue\n"
    ),
    entry!(
        "extract_json",
        ["extractjson"],
        Scalar,
        "dynamic",
        "extract_json(jsonPath: string, json: string [, type]) -> string",
        "The element of a JSON text at a JSONPath, optionally converted.",
        r#"print v = extract_json("$.a", '{"a":"x"}')"#,
        "v\nx\n"
    ),
    // ---- hash ----
    entry!(
        "hash",
        ["hash_xxhash64"],
        Scalar,
        "hash",
        "hash(source [, mod: long]) -> long",
        "Kusto's xxhash64-based hash of a value, optionally modulo a number.",
        r#"print h = hash("World"), m = hash("World", 100)"#,
        "h,m\n1846988464401551951,51\n"
    ),
    entry!(
        "hash_md5",
        [],
        Scalar,
        "hash",
        "hash_md5(source) -> string",
        "The MD5 digest of a value, in lowercase hex.",
        r#"print h = hash_md5("World")"#,
        "h\nf5a7924e621e84c9280a9a27e1bcb7f6\n"
    ),
    entry!(
        "hash_sha1",
        [],
        Scalar,
        "hash",
        "hash_sha1(source) -> string",
        "The SHA-1 digest of a value, in lowercase hex.",
        r#"print h = hash_sha1("World")"#,
        "h\n70c07ec18ef89c5309bbb0937f3a6342411e1fdd\n"
    ),
    entry!(
        "hash_sha256",
        [],
        Scalar,
        "hash",
        "hash_sha256(source) -> string",
        "The SHA-256 digest of a value, in lowercase hex.",
        r#"print h = hash_sha256("World")"#,
        "h\n78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524\n"
    ),
    entry!(
        "hash_sha512",
        [],
        Scalar,
        "hash",
        "hash_sha512(source) -> string",
        "The SHA-512 digest of a value, in lowercase hex (an extension; not a Kusto function).",
        r#"print h = hash_sha512("World")"#,
        "h\n8ea77393a42ab8fa92500fb077a9509cc32bc95e72712efa116edaf2edfae34fbb682efdd6c5dd13c117e08bd4aaef71291d8aace2f890273081d0677c16df0f\n"
    ),
    // ---- bitwise ----
    entry!(
        "binary_and",
        [],
        Scalar,
        "bitwise",
        "binary_and(a: long, b: long) -> long",
        "Bitwise AND.",
        r#"print v = binary_and(6, 3)"#,
        "v\n2\n"
    ),
    entry!(
        "binary_or",
        [],
        Scalar,
        "bitwise",
        "binary_or(a: long, b: long) -> long",
        "Bitwise OR.",
        r#"print v = binary_or(6, 3)"#,
        "v\n7\n"
    ),
    entry!(
        "binary_xor",
        [],
        Scalar,
        "bitwise",
        "binary_xor(a: long, b: long) -> long",
        "Bitwise exclusive OR.",
        r#"print v = binary_xor(6, 3)"#,
        "v\n5\n"
    ),
    entry!(
        "binary_not",
        [],
        Scalar,
        "bitwise",
        "binary_not(a: long) -> long",
        "Bitwise complement.",
        r#"print v = binary_not(100)"#,
        "v\n-101\n"
    ),
    entry!(
        "binary_shift_left",
        [],
        Scalar,
        "bitwise",
        "binary_shift_left(a: long, n: int) -> long",
        "Shifts the bits left by n positions.",
        r#"print v = binary_shift_left(1, 2)"#,
        "v\n4\n"
    ),
    entry!(
        "binary_shift_right",
        [],
        Scalar,
        "bitwise",
        "binary_shift_right(a: long, n: int) -> long",
        "Shifts the bits right by n positions.",
        r#"print v = binary_shift_right(16, 2)"#,
        "v\n4\n"
    ),
    entry!(
        "bitset_count_ones",
        [],
        Scalar,
        "bitwise",
        "bitset_count_ones(a: long) -> long",
        "Number of bits set in the number's binary form.",
        r#"print v = bitset_count_ones(42)"#,
        "v\n3\n"
    ),
    // ---- encoding and parsing ----
    entry!(
        "base64_encode_tostring",
        ["base64_encodestring"],
        Scalar,
        "encoding",
        "base64_encode_tostring(text: string) -> string",
        "Encodes the UTF-8 bytes of a string as base64.",
        r#"print s = base64_encode_tostring("Kusto")"#,
        "s\nS3VzdG8=\n"
    ),
    entry!(
        "base64_decode_tostring",
        ["base64_decodestring"],
        Scalar,
        "encoding",
        "base64_decode_tostring(base64: string) -> string",
        "Decodes base64 text into a UTF-8 string.",
        r#"print s = base64_decode_tostring("S3VzdG8=")"#,
        "s\nKusto\n"
    ),
    entry!(
        "base64_encode_fromguid",
        [],
        Scalar,
        "encoding",
        "base64_encode_fromguid(value: guid) -> string",
        "Encodes the 16 bytes of a guid (in .NET byte order) as base64.",
        r#"print s = base64_encode_fromguid(guid(ae3133f2-6e22-49ae-b06a-16e6a9b212eb))"#,
        "s\n8jMxriJurkmwahbmqbIS6w==\n"
    ),
    entry!(
        "url_encode",
        [],
        Scalar,
        "encoding",
        "url_encode(url: string) -> string",
        "Percent-encodes a URL for use in a query string (spaces become +).",
        r#"print s = url_encode("https://www.bing.com/hello world")"#,
        "s\nhttps%3a%2f%2fwww.bing.com%2fhello+world\n"
    ),
    entry!(
        "url_encode_component",
        [],
        Scalar,
        "encoding",
        "url_encode_component(url: string) -> string",
        "Percent-encodes a URL component (spaces become %20).",
        r#"print s = url_encode_component("a b/c")"#,
        "s\na%20b%2fc\n"
    ),
    entry!(
        "url_decode",
        [],
        Scalar,
        "encoding",
        "url_decode(encoded: string) -> string",
        "Decodes percent-encoded URL text.",
        r#"print s = url_decode("https%3a%2f%2fwww.bing.com%2f")"#,
        "s\nhttps://www.bing.com/\n"
    ),
    entry!(
        "parse_url",
        [],
        Scalar,
        "encoding",
        "parse_url(url: string) -> dynamic",
        "Splits an absolute URL into its parts (scheme, host, port, path, query parameters, …).",
        r#"print h = parse_url("https://example.com:8080/a/b?k=v#f").Host"#,
        "h\nexample.com\n"
    ),
    entry!(
        "parse_urlquery",
        [],
        Scalar,
        "encoding",
        "parse_urlquery(query: string) -> dynamic",
        "Parses a URL query string into a bag under \"Query Parameters\".",
        r#"print v = parse_urlquery("k1=v1&k2=v2")["Query Parameters"]["k2"]"#,
        "v\nv2\n"
    ),
    entry!(
        "parse_path",
        [],
        Scalar,
        "encoding",
        "parse_path(path: string) -> dynamic",
        "Splits a file path into its parts (directory, file name, extension, …).",
        r#"print e = parse_path("/var/log/app.log").Extension"#,
        "e\nlog\n"
    ),
    entry!(
        "parse_csv",
        [],
        Scalar,
        "encoding",
        "parse_csv(record: string) -> dynamic",
        "Splits one CSV record into an array of fields.",
        r#"print f = parse_csv("aa,b,cc")[2]"#,
        "f\ncc\n"
    ),
    entry!(
        "zlib_compress_to_base64_string",
        [],
        Scalar,
        "encoding",
        "zlib_compress_to_base64_string(text: string) -> string",
        "Compresses a string with zlib and encodes the result as base64.",
        r#"print s = zlib_decompress_from_base64_string(zlib_compress_to_base64_string("hello"))"#,
        "s\nhello\n"
    ),
    entry!(
        "zlib_decompress_from_base64_string",
        [],
        Scalar,
        "encoding",
        "zlib_decompress_from_base64_string(base64: string) -> string",
        "Decodes base64 text and decompresses it with zlib.",
        r#"print s = zlib_decompress_from_base64_string(zlib_compress_to_base64_string("abc"))"#,
        "s\nabc\n"
    ),
    entry!(
        "gzip_compress_to_base64_string",
        [],
        Scalar,
        "encoding",
        "gzip_compress_to_base64_string(text: string) -> string",
        "Compresses a string with gzip and encodes the result as base64.",
        r#"print s = gzip_decompress_from_base64_string(gzip_compress_to_base64_string("hello"))"#,
        "s\nhello\n"
    ),
    entry!(
        "gzip_decompress_from_base64_string",
        [],
        Scalar,
        "encoding",
        "gzip_decompress_from_base64_string(base64: string) -> string",
        "Decodes base64 text and decompresses it with gzip.",
        r#"print s = gzip_decompress_from_base64_string(gzip_compress_to_base64_string("abc"))"#,
        "s\nabc\n"
    ),
    entry!(
        "format_bytes",
        [],
        Scalar,
        "encoding",
        "format_bytes(size: number [, precision: long [, units: string]]) -> string",
        "A byte count as text with a unit (Bytes, KB, MB, …).",
        r#"print s = format_bytes(10332, 1)"#,
        "s\n10.1 KB\n"
    ),
    entry!(
        "new_guid",
        [],
        Scalar,
        "encoding",
        "new_guid() -> guid",
        "A new random guid.",
        r#"print n = strlen(tostring(new_guid()))"#,
        "n\n36\n"
    ),
    // ---- IPv4 / IPv6 ----
    entry!(
        "parse_ipv4",
        [],
        Scalar,
        "ip",
        "parse_ipv4(ip: string) -> long",
        "An IPv4 address (optionally with a /prefix mask) as a number.",
        r#"print n = parse_ipv4("127.0.0.1")"#,
        "n\n2130706433\n"
    ),
    entry!(
        "parse_ipv4_mask",
        [],
        Scalar,
        "ip",
        "parse_ipv4_mask(ip: string, prefix: long) -> long",
        "An IPv4 address with a netmask applied, as a number.",
        r#"print n = parse_ipv4_mask("127.2.3.4", 8)"#,
        "n\n2130706432\n"
    ),
    entry!(
        "ipv4_compare",
        [],
        Scalar,
        "ip",
        "ipv4_compare(ip1: string, ip2: string [, prefix: long]) -> long",
        "-1, 0 or 1 comparing two IPv4 addresses (optionally under a mask).",
        r#"print c = ipv4_compare("127.0.0.1", "127.0.0.2")"#,
        "c\n-1\n"
    ),
    entry!(
        "ipv4_is_match",
        [],
        Scalar,
        "ip",
        "ipv4_is_match(ip1: string, ip2: string [, prefix: long]) -> bool",
        "True when two IPv4 addresses are equal (optionally under a mask).",
        r#"print b = ipv4_is_match("192.168.1.1", "192.168.1.255", 24)"#,
        "b\ntrue\n"
    ),
    entry!(
        "ipv4_is_in_range",
        [],
        Scalar,
        "ip",
        "ipv4_is_in_range(ip: string, range: string) -> bool",
        "True when an IPv4 address lies in a CIDR range.",
        r#"print b = ipv4_is_in_range("10.1.2.3", "10.1.0.0/16")"#,
        "b\ntrue\n"
    ),
    entry!(
        "ipv4_is_private",
        [],
        Scalar,
        "ip",
        "ipv4_is_private(ip: string) -> bool",
        "True when an IPv4 address is in a private (RFC 1918) range.",
        r#"print b = ipv4_is_private("192.168.1.1")"#,
        "b\ntrue\n"
    ),
    entry!(
        "ipv4_netmask_suffix",
        [],
        Scalar,
        "ip",
        "ipv4_netmask_suffix(ip: string) -> long",
        "The prefix length of an IPv4 address in CIDR notation (32 without one).",
        r#"print n = ipv4_netmask_suffix("192.168.1.1/24")"#,
        "n\n24\n"
    ),
    entry!(
        "format_ipv4",
        [],
        Scalar,
        "ip",
        "format_ipv4(ip [, prefix: long]) -> string",
        "An IPv4 address (string or number), optionally masked, in dotted form.",
        r#"print s = format_ipv4("192.168.1.255", 24)"#,
        "s\n192.168.1.0\n"
    ),
    entry!(
        "format_ipv4_mask",
        [],
        Scalar,
        "ip",
        "format_ipv4_mask(ip [, prefix: long]) -> string",
        "An IPv4 address with a mask, in CIDR notation.",
        r#"print s = format_ipv4_mask("192.168.1.255", 24)"#,
        "s\n192.168.1.0/24\n"
    ),
    entry!(
        "ipv4_range_to_cidr_list",
        [],
        Scalar,
        "ip",
        "ipv4_range_to_cidr_list(start: string, end: string) -> dynamic",
        "The CIDR blocks that exactly cover an IPv4 address range.",
        r#"print l = ipv4_range_to_cidr_list("10.0.0.0", "10.0.0.7")"#,
        "l\n\"[\"\"10.0.0.0/29\"\"]\"\n"
    ),
    entry!(
        "has_ipv4",
        [],
        Scalar,
        "ip",
        "has_ipv4(source: string, ip: string) -> bool",
        "True when a text contains an IPv4 address as a whole token.",
        r#"print b = has_ipv4("from 10.1.2.3 port 22", "10.1.2.3")"#,
        "b\ntrue\n"
    ),
    entry!(
        "has_ipv4_prefix",
        [],
        Scalar,
        "ip",
        "has_ipv4_prefix(source: string, prefix: string) -> bool",
        "True when a text contains an IPv4 address starting with a prefix.",
        r#"print b = has_ipv4_prefix("from 10.1.2.3 port 22", "10.1.")"#,
        "b\ntrue\n"
    ),
    entry!(
        "has_any_ipv4",
        [],
        Scalar,
        "ip",
        "has_any_ipv4(source: string, ip1: string, ip2: string, ...) -> bool",
        "True when a text contains any of several IPv4 addresses.",
        r#"print b = has_any_ipv4("from 10.1.2.3 port 22", "1.1.1.1", "10.1.2.3")"#,
        "b\ntrue\n"
    ),
    entry!(
        "ipv6_compare",
        [],
        Scalar,
        "ip",
        "ipv6_compare(ip1: string, ip2: string [, prefix: long]) -> long",
        "-1, 0 or 1 comparing two IPv6 (or IPv4) addresses.",
        r#"print c = ipv6_compare("::ffff:7f00:1", "127.0.0.1")"#,
        "c\n0\n"
    ),
    entry!(
        "ipv6_is_match",
        [],
        Scalar,
        "ip",
        "ipv6_is_match(ip1: string, ip2: string [, prefix: long]) -> bool",
        "True when two IPv6 (or IPv4) addresses are equal (optionally under a mask).",
        r#"print b = ipv6_is_match("::ffff:7f00:1", "127.0.0.1")"#,
        "b\ntrue\n"
    ),
    entry!(
        "ipv6_is_in_range",
        [],
        Scalar,
        "ip",
        "ipv6_is_in_range(ip: string, range: string) -> bool",
        "True when an IPv6 address lies in a CIDR range.",
        r#"print b = ipv6_is_in_range("fe80::85d:e82c:9446:7994", "fe80::/10")"#,
        "b\ntrue\n"
    ),
    entry!(
        "parse_ipv6",
        [],
        Scalar,
        "ip",
        "parse_ipv6(ip: string) -> string",
        "An IPv6 or IPv4 address in canonical eight-group IPv6 form.",
        r#"print s = parse_ipv6("127.0.0.1")"#,
        "s\n0000:0000:0000:0000:0000:ffff:7f00:0001\n"
    ),
    entry!(
        "parse_ipv6_mask",
        [],
        Scalar,
        "ip",
        "parse_ipv6_mask(ip: string, prefix: long) -> string",
        "An IPv6 address with a netmask applied, in canonical form.",
        r#"print s = parse_ipv6_mask("fe80::85d:e82c:9446:7994", 120)"#,
        "s\nfe80:0000:0000:0000:085d:e82c:9446:7900\n"
    ),
    // ---- tabular to scalar (lowered by the planner) ----
    entry!(
        "toscalar",
        [],
        Scalar,
        "tabular",
        "toscalar(query) -> the first column's type",
        "The value in the first column of the first row of a tabular expression.",
        r#"print n = toscalar(range x from 1 to 3 step 1 | count)"#,
        "n\n3\n"
    ),
    // ---- aggregates ----
    entry!(
        "count",
        [],
        Aggregate,
        "aggregate",
        "count() -> long",
        "Number of rows in the group.",
        r#"range x from 1 to 5 step 1 | summarize n = count()"#,
        "n\n5\n"
    ),
    entry!(
        "countif",
        [],
        Aggregate,
        "aggregate",
        "countif(predicate: bool) -> long",
        "Number of rows for which the predicate holds.",
        r#"range x from 1 to 5 step 1 | summarize n = countif(x > 2)"#,
        "n\n3\n"
    ),
    entry!(
        "sum",
        [],
        Aggregate,
        "aggregate",
        "sum(expr: number or timespan) -> the input's type",
        "Sum of the values in the group.",
        r#"range x from 1 to 5 step 1 | summarize s = sum(x)"#,
        "s\n15\n"
    ),
    entry!(
        "sumif",
        [],
        Aggregate,
        "aggregate",
        "sumif(expr, predicate: bool) -> the input's type",
        "Sum of the values of the rows for which the predicate holds.",
        r#"range x from 1 to 5 step 1 | summarize s = sumif(x, x > 3)"#,
        "s\n9\n"
    ),
    entry!(
        "avg",
        [],
        Aggregate,
        "aggregate",
        "avg(expr) -> real",
        "Arithmetic mean of the values in the group.",
        r#"range x from 1 to 4 step 1 | summarize a = avg(x)"#,
        "a\n2.5\n"
    ),
    entry!(
        "avgif",
        [],
        Aggregate,
        "aggregate",
        "avgif(expr, predicate: bool) -> real",
        "Mean of the values of the rows for which the predicate holds.",
        r#"range x from 1 to 5 step 1 | summarize a = avgif(x, x > 2)"#,
        "a\n4\n"
    ),
    entry!(
        "min",
        [],
        Aggregate,
        "aggregate",
        "min(expr) -> the input's type",
        "Smallest value in the group.",
        r#"range x from 1 to 5 step 1 | summarize m = min(x)"#,
        "m\n1\n"
    ),
    entry!(
        "max",
        [],
        Aggregate,
        "aggregate",
        "max(expr) -> the input's type",
        "Largest value in the group.",
        r#"range x from 1 to 5 step 1 | summarize m = max(x)"#,
        "m\n5\n"
    ),
    entry!(
        "minif",
        [],
        Aggregate,
        "aggregate",
        "minif(expr, predicate: bool) -> the input's type",
        "Smallest value among the rows for which the predicate holds.",
        r#"range x from 1 to 5 step 1 | summarize m = minif(x, x > 2)"#,
        "m\n3\n"
    ),
    entry!(
        "maxif",
        [],
        Aggregate,
        "aggregate",
        "maxif(expr, predicate: bool) -> the input's type",
        "Largest value among the rows for which the predicate holds.",
        r#"range x from 1 to 5 step 1 | summarize m = maxif(x, x < 4)"#,
        "m\n3\n"
    ),
    entry!(
        "dcount",
        [],
        Aggregate,
        "aggregate",
        "dcount(expr [, accuracy: int]) -> long",
        "Estimated number of distinct non-null values (HyperLogLog; accuracy 0..4, default 1; exact up to 1024 distinct values at accuracy 1).",
        r#"datatable(x: long) [1, 2, 2, 3, 3, 3] | summarize n = dcount(x)"#,
        "n\n3\n"
    ),
    entry!(
        "dcountif",
        [],
        Aggregate,
        "aggregate",
        "dcountif(expr, predicate: bool [, accuracy: int]) -> long",
        "Estimated number of distinct values among the rows for which the predicate holds (HyperLogLog, as dcount).",
        r#"datatable(x: long) [1, 2, 2, 3, 3, 3] | summarize n = dcountif(x, x > 1)"#,
        "n\n2\n"
    ),
    entry!(
        "count_distinct",
        [],
        Aggregate,
        "aggregate",
        "count_distinct(expr) -> long",
        "Exact number of distinct non-null values in the group.",
        r#"datatable(x: long) [1, 2, 2, 3, 3, 3] | summarize n = count_distinct(x)"#,
        "n\n3\n"
    ),
    entry!(
        "count_distinctif",
        [],
        Aggregate,
        "aggregate",
        "count_distinctif(expr, predicate: bool) -> long",
        "Exact number of distinct values among the rows for which the predicate holds.",
        r#"datatable(x: long) [1, 2, 2, 3, 3, 3] | summarize n = count_distinctif(x, x > 1)"#,
        "n\n2\n"
    ),
    entry!(
        "take_any",
        ["any"],
        Aggregate,
        "aggregate",
        "take_any(expr) -> the input's type",
        "An arbitrary value from the group (a non-empty one where possible).",
        r#"datatable(x: long) [7, 7] | summarize v = take_any(x)"#,
        "v\n7\n"
    ),
    entry!(
        "take_anyif",
        ["anyif"],
        Aggregate,
        "aggregate",
        "take_anyif(expr, predicate: bool) -> the input's type",
        "An arbitrary value from the rows for which the predicate holds.",
        r#"datatable(x: long) [1, 7] | summarize v = take_anyif(x, x > 5)"#,
        "v\n7\n"
    ),
    entry!(
        "make_list",
        ["makelist"],
        Aggregate,
        "aggregate",
        "make_list(expr [, maxSize: long]) -> dynamic",
        "The group's non-null values as a dynamic array.",
        r#"range x from 1 to 3 step 1 | summarize l = make_list(x)"#,
        "l\n\"[1,2,3]\"\n"
    ),
    entry!(
        "make_list_if",
        [],
        Aggregate,
        "aggregate",
        "make_list_if(expr, predicate: bool [, maxSize: long]) -> dynamic",
        "The values of the rows for which the predicate holds, as a dynamic array.",
        r#"range x from 1 to 3 step 1 | summarize l = make_list_if(x, x > 1)"#,
        "l\n\"[2,3]\"\n"
    ),
    entry!(
        "make_set",
        ["makeset"],
        Aggregate,
        "aggregate",
        "make_set(expr [, maxSize: long]) -> dynamic",
        "The group's distinct non-null values as a dynamic array.",
        r#"datatable(x: long) [2, 2, 2] | summarize s = make_set(x)"#,
        "s\n[2]\n"
    ),
    entry!(
        "make_set_if",
        [],
        Aggregate,
        "aggregate",
        "make_set_if(expr, predicate: bool [, maxSize: long]) -> dynamic",
        "The distinct values of the rows for which the predicate holds, as a dynamic array.",
        r#"datatable(x: long) [1, 2, 2] | summarize s = make_set_if(x, x > 1)"#,
        "s\n[2]\n"
    ),
    entry!(
        "stdev",
        [],
        Aggregate,
        "aggregate",
        "stdev(expr) -> real",
        "Sample standard deviation of the group's values.",
        r#"datatable(x: long) [1, 3, 5] | summarize s = stdev(x)"#,
        "s\n2\n"
    ),
    entry!(
        "stdevif",
        [],
        Aggregate,
        "aggregate",
        "stdevif(expr, predicate: bool) -> real",
        "Sample standard deviation of the values of the rows for which the predicate holds.",
        r#"datatable(x: long) [1, 3, 5, 100] | summarize s = stdevif(x, x < 10)"#,
        "s\n2\n"
    ),
    entry!(
        "stdevp",
        [],
        Aggregate,
        "aggregate",
        "stdevp(expr) -> real",
        "Population standard deviation of the group's values.",
        r#"datatable(x: long) [0, 4] | summarize s = stdevp(x)"#,
        "s\n2\n"
    ),
    entry!(
        "stdevpif",
        [],
        Aggregate,
        "aggregate",
        "stdevpif(expr, predicate: bool) -> real",
        "Population standard deviation of the values of the rows for which the predicate holds.",
        r#"datatable(x: long) [0, 4, 100] | summarize s = stdevpif(x, x < 10)"#,
        "s\n2\n"
    ),
    entry!(
        "variance",
        [],
        Aggregate,
        "aggregate",
        "variance(expr) -> real",
        "Sample variance of the group's values.",
        r#"datatable(x: long) [1, 3, 5] | summarize v = variance(x)"#,
        "v\n4\n"
    ),
    entry!(
        "varianceif",
        [],
        Aggregate,
        "aggregate",
        "varianceif(expr, predicate: bool) -> real",
        "Sample variance of the values of the rows for which the predicate holds.",
        r#"datatable(x: long) [1, 3, 5, 100] | summarize v = varianceif(x, x < 10)"#,
        "v\n4\n"
    ),
    entry!(
        "variancep",
        [],
        Aggregate,
        "aggregate",
        "variancep(expr) -> real",
        "Population variance of the group's values.",
        r#"datatable(x: long) [0, 4] | summarize v = variancep(x)"#,
        "v\n4\n"
    ),
    entry!(
        "variancepif",
        [],
        Aggregate,
        "aggregate",
        "variancepif(expr, predicate: bool) -> real",
        "Population variance of the values of the rows for which the predicate holds.",
        r#"datatable(x: long) [0, 4, 100] | summarize v = variancepif(x, x < 10)"#,
        "v\n4\n"
    ),
    entry!(
        "percentile",
        [],
        Aggregate,
        "aggregate",
        "percentile(expr, percentile: real) -> the input's type",
        "Estimated nearest-rank percentile (t-digest; exact while the group has at most 2048 distinct values).",
        r#"range x from 1 to 10 step 1 | summarize p = percentile(x, 50)"#,
        "p\n5\n"
    ),
    entry!(
        "percentiles",
        [],
        Aggregate,
        "aggregate",
        "percentiles(expr, percentile1, percentile2, ...) -> one column per percentile",
        "Several estimated nearest-rank percentiles at once (t-digest; exact on small inputs).",
        r#"range x from 1 to 10 step 1 | summarize percentiles(x, 50, 90)"#,
        "percentile_x_50,percentile_x_90\n5,9\n"
    ),
    entry!(
        "make_bag",
        ["make_dictionary"],
        Aggregate,
        "aggregate",
        "make_bag(bag: dynamic [, maxSize: long]) -> dynamic",
        "Merges the group's property bags into one.",
        r#"datatable(d: dynamic) [dynamic({"a": 1}), dynamic({"b": 2})] | summarize b = make_bag(d)"#,
        "b\n\"{\"\"a\"\":1,\"\"b\"\":2}\"\n"
    ),
    entry!(
        "make_bag_if",
        [],
        Aggregate,
        "aggregate",
        "make_bag_if(bag: dynamic, predicate: bool [, maxSize: long]) -> dynamic",
        "Merges the property bags of the rows for which the predicate holds.",
        r#"datatable(d: dynamic, k: bool) [dynamic({"a": 1}), true, dynamic({"b": 2}), false] | summarize b = make_bag_if(d, k)"#,
        "b\n\"{\"\"a\"\":1}\"\n"
    ),
    entry!(
        "make_list_with_nulls",
        [],
        Aggregate,
        "aggregate",
        "make_list_with_nulls(expr) -> dynamic",
        "The group's values, nulls included, as a dynamic array.",
        r#"datatable(x: long) [1, long(null), 3] | summarize l = make_list_with_nulls(x)"#,
        "l\n\"[1,null,3]\"\n"
    ),
    // ---- window ----
    entry!(
        "row_number",
        [],
        Window,
        "window",
        "row_number([start: long [, restart: bool]]) -> long",
        "The position of the row in the serialized row set, from 1 (or start); restarts where restart is true.",
        r#"range x from 1 to 3 step 1 | serialize | extend rn = row_number()"#,
        "x,rn\n1,1\n2,2\n3,3\n"
    ),
    entry!(
        "prev",
        [],
        Window,
        "window",
        "prev(column [, offset: long [, default]]) -> the column's type",
        "The column's value in an earlier row (default offset 1), or a default.",
        r#"range x from 1 to 3 step 1 | serialize | extend p = prev(x)"#,
        "x,p\n1,\n2,1\n3,2\n"
    ),
    entry!(
        "next",
        [],
        Window,
        "window",
        "next(column [, offset: long [, default]]) -> the column's type",
        "The column's value in a later row (default offset 1), or a default.",
        r#"range x from 1 to 3 step 1 | serialize | extend n = next(x)"#,
        "x,n\n1,2\n2,3\n3,\n"
    ),
    entry!(
        "row_cumsum",
        [],
        Window,
        "window",
        "row_cumsum(term: number [, restart: bool]) -> the term's type",
        "Running total of a numeric term over the serialized rows.",
        r#"range x from 1 to 3 step 1 | serialize | extend c = row_cumsum(x)"#,
        "x,c\n1,1\n2,3\n3,6\n"
    ),
    entry!(
        "row_rank_dense",
        [],
        Window,
        "window",
        "row_rank_dense(column [, restart: bool]) -> long",
        "Dense rank of the row: increases by one each time the value differs from the previous row's.",
        r#"datatable(x: long) [10, 10, 20] | serialize | extend r = row_rank_dense(x)"#,
        "x,r\n10,1\n10,1\n20,2\n"
    ),
    entry!(
        "row_rank_min",
        [],
        Window,
        "window",
        "row_rank_min(column [, restart: bool]) -> long",
        "Minimal rank of the row: the row number at which its run of equal values started.",
        r#"datatable(x: long) [2, 3, 3, 3, 100] | serialize | extend r = row_rank_min(x)"#,
        "x,r\n2,1\n3,2\n3,2\n3,2\n100,5\n"
    ),
    entry!(
        "row_window_session",
        [],
        Window,
        "window",
        "row_window_session(expr: datetime, max_from_first: timespan, max_between: timespan [, restart: bool]) -> datetime",
        "The first value of the row's session: a new session starts at a gap of max_between or after max_from_first.",
        r#"datatable(t: datetime) [datetime(2024-01-01 10:00), datetime(2024-01-01 10:03), datetime(2024-01-01 10:30)] | serialize | extend s = row_window_session(t, 1h, 5m)"#,
        "t,s\n2024-01-01T10:00:00Z,2024-01-01T10:00:00Z\n2024-01-01T10:03:00Z,2024-01-01T10:00:00Z\n2024-01-01T10:30:00Z,2024-01-01T10:30:00Z\n"
    ),
    entry!(
        "pack_all",
        [],
        Scalar,
        "dynamic",
        "pack_all([ignore_null_empty: bool]) -> dynamic",
        "A property bag of all the row's columns (skipping null and empty ones when asked).",
        r#"datatable(a: string, b: long) ["x", 1, "", 2] | extend p = pack_all(true)"#,
        "a,b,p\nx,1,\"{\"\"a\"\":\"\"x\"\",\"\"b\"\":1}\"\n,2,\"{\"\"b\"\":2}\"\n"
    ),
    entry!(
        "bag_pack_columns",
        [],
        Scalar,
        "dynamic",
        "bag_pack_columns(column1, column2, ...) -> dynamic",
        "A property bag of the listed columns, keyed by their names.",
        r#"datatable(a: string, b: long) ["x", 1] | project p = bag_pack_columns(a, b)"#,
        "p\n\"{\"\"a\"\":\"\"x\"\",\"\"b\"\":1}\"\n"
    ),
    entry!(
        "column_names_of",
        [],
        Scalar,
        "dynamic",
        "column_names_of(table) -> dynamic",
        "The column names of a tabular expression, as an array of strings.",
        r#"print c = column_names_of(datatable(A: string, B: int) [])"#,
        "c\n\"[\"\"A\"\",\"\"B\"\"]\"\n"
    ),
    entry!(
        "bin_auto",
        [],
        Scalar,
        "datetime",
        "bin_auto(value) -> the value's type",
        "bin() with the size (and fixed point) set by `set query_bin_auto_size` / `query_bin_auto_at`.",
        r#"set query_bin_auto_size = 10; print b = bin_auto(27)"#,
        "b\n20\n"
    ),
];
