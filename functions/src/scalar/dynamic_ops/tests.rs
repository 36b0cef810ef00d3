use super::*;
use crate::scalar::test_util::*;

async fn d(name: &str, args: &[Arg]) -> String {
    kt(name, args).await
}

#[tokio::test]
async fn packing() {
    // pack-array-function.md: x=1, y=2, z=4 → [1,2,4]; a string and a timespan keep
    // their text forms: [1,"2","00:00:02"]
    assert_eq!(d("pack_array", &[l(1), l(2), l(4)]).await, "[1,2,4]");
    assert_eq!(
        d("pack_array", &[l(1), s("2"), ts(20_000_000)]).await,
        r#"[1,"2","00:00:02"]"#
    );
    assert_eq!(
        d("pack_array", &[r(1.5), b(true), null(KqlType::Long)]).await,
        "[1.5,true,null]"
    );
    assert_eq!(
        d("pack_array", &[dynamic("[1]"), dynamic("{\"a\":1}")]).await,
        r#"[[1],{"a":1}]"#
    );
    // pack-function.md example 1 (keys keep their order)
    let inner = Arg::expr(
        crate::lower::scalar_call("bag_pack", &[s("url"), s("www.bing.com")], &cx())
            .unwrap()
            .unwrap()
            .expr,
        KqlType::Dynamic,
    );
    assert_eq!(
        d(
            "bag_pack",
            &[
                s("Level"),
                s("Information"),
                s("ProcessID"),
                l(1234),
                s("Data"),
                inner
            ]
        )
        .await,
        r#"{"Level":"Information","ProcessID":1234,"Data":{"url":"www.bing.com"}}"#
    );
    assert_eq!(d("pack", &[s("a"), i(1)]).await, r#"{"a":1}"#);
    assert!(crate::lower::scalar_call("bag_pack", &[s("a")], &cx()).is_err());
}

#[tokio::test]
async fn arrays() {
    // array-concat-function.md: [1,2,4] ++ [1,2]
    assert_eq!(
        d("array_concat", &[dynamic("[1,2,4]"), dynamic("[1,2]")]).await,
        "[1,2,4,1,2]"
    );
    assert_eq!(
        d("array_concat", &[dynamic("[1]"), dynamic("{}")]).await,
        "NULL"
    );
    // array-slice-function.md
    assert_eq!(
        d("array_slice", &[dynamic("[1,2,3]"), l(1), l(2)]).await,
        "[2,3]"
    );
    assert_eq!(
        d("array_slice", &[dynamic("[1,2,3,4,5]"), l(2), l(-1)]).await,
        "[3,4,5]"
    );
    assert_eq!(
        d("array_slice", &[dynamic("[1,2,3,4,5]"), l(-3), l(-2)]).await,
        "[3,4]"
    );
    assert_eq!(
        d("array_slice", &[dynamic("[1,2,3]"), l(2), l(1)]).await,
        "[]"
    );
    assert_eq!(
        d("array_slice", &[dynamic("[1,2,3]"), l(1), l(10)]).await,
        "[2,3]"
    );
    // array-reverse-function.md
    assert_eq!(
        d(
            "array_reverse",
            &[dynamic(r#"["this","is","an","example"]"#)]
        )
        .await,
        r#"["example","an","is","this"]"#
    );
    // array-rotate-left-function.md: by 2 → [3,4,5,1,2]; by -2 → [4,5,1,2,3]
    let a = || dynamic("[1,2,3,4,5]");
    assert_eq!(d("array_rotate_left", &[a(), l(2)]).await, "[3,4,5,1,2]");
    assert_eq!(d("array_rotate_left", &[a(), l(-2)]).await, "[4,5,1,2,3]");
    assert_eq!(d("array_rotate_right", &[a(), l(2)]).await, "[4,5,1,2,3]");
    assert_eq!(d("array_rotate_right", &[a(), l(7)]).await, "[4,5,1,2,3]");
    // array-shift-left-function.md
    assert_eq!(
        d("array_shift_left", &[a(), l(2)]).await,
        "[3,4,5,null,null]"
    );
    assert_eq!(
        d("array_shift_left", &[a(), l(2), l(-1)]).await,
        "[3,4,5,-1,-1]"
    );
    assert_eq!(
        d("array_shift_left", &[a(), l(-2), l(-1)]).await,
        "[-1,-1,1,2,3]"
    );
    assert_eq!(d("array_shift_right", &[a(), l(1)]).await, "[null,1,2,3,4]");
    assert_eq!(
        d("array_shift_right", &[dynamic(r#"["a","b"]"#), l(1)]).await,
        r#"["","a"]"#
    );
    // array-split-function.md
    assert_eq!(d("array_split", &[a(), l(2)]).await, "[[1,2],[3,4,5]]");
    assert_eq!(
        d("array_split", &[a(), dynamic("[1,3]")]).await,
        "[[1],[2,3],[4,5]]"
    );
    assert_eq!(d("array_split", &[a(), l(-1)]).await, "[[1,2,3,4],[5]]");
    // array-sum-function.md: 1+2+3+4 = 10 (a real)
    let (v, t) = kql("array_sum", &[dynamic("[1,2,3,4]")]).await;
    assert_eq!((v.as_deref(), t), (Some("10"), KqlType::Real));
    assert_eq!(d("array_sum", &[dynamic(r#"[1,"x"]"#)]).await, "NULL");
    // strcat-array-function.md
    assert_eq!(
        d("strcat_array", &[dynamic("[1,2,3]"), s("->")]).await,
        "1->2->3"
    );
    assert_eq!(
        d("strcat_array", &[dynamic(r#"["a",null,"b"]"#), s(",")]).await,
        "a,,b"
    );
}

#[tokio::test]
async fn sorting_and_lookup() {
    // array-sort-asc-function.md: [1,3,4,5,2] sorts to [1,2,3,4,5] and the second array
    // follows: ["a","e","b","c","d"]
    let a1 = dynamic("[1,3,4,5,2]");
    let a2 = dynamic(r#"["a","b","c","d","e"]"#);
    assert_eq!(
        d("array_sort_asc", std::slice::from_ref(&a1)).await,
        "[1,2,3,4,5]"
    );
    assert_eq!(
        d("array_sort_asc", &[a1.clone(), a2.clone()]).await,
        r#"[[1,2,3,4,5],["a","e","b","c","d"]]"#
    );
    assert_eq!(
        d("array_sort_desc", std::slice::from_ref(&a1)).await,
        "[5,4,3,2,1]"
    );
    let n = || dynamic(r#"[null,"blue","yellow","green",null]"#);
    assert_eq!(
        d("array_sort_asc", &[n()]).await,
        r#"["blue","green","yellow",null,null]"#
    );
    assert_eq!(
        d("array_sort_asc", &[n(), b(false)]).await,
        r#"[null,null,"blue","green","yellow"]"#
    );
    // numbers before strings, in both directions
    assert_eq!(
        d("array_sort_desc", &[dynamic(r#"[null,3,"a",1,"b"]"#)]).await,
        r#"[3,1,"b","a",null]"#
    );
    assert_eq!(
        d("array_sort_asc", &[dynamic(r#"["b",2,"a",1.5]"#)]).await,
        r#"[1.5,2,"a","b"]"#
    );
    assert_eq!(
        d("array_sort_asc", &[a1, dynamic("[1]")]).await,
        "[[1,2,3,4,5],null]"
    );
    // array-index-of-function.md: 2 3 -1 -1 3 4 -1 4 -1
    let arr = || dynamic(r#"["this","is","an","example","an","example"]"#);
    assert_eq!(d("array_index_of", &[arr(), s("an")]).await, "2");
    assert_eq!(
        d("array_index_of", &[arr(), s("example"), l(1), l(3)]).await,
        "3"
    );
    assert_eq!(
        d("array_index_of", &[arr(), s("example"), l(1), l(2)]).await,
        "-1"
    );
    assert_eq!(
        d("array_index_of", &[arr(), s("is"), l(2), l(4)]).await,
        "-1"
    );
    assert_eq!(
        d("array_index_of", &[arr(), s("example"), l(2), l(-1)]).await,
        "3"
    );
    assert_eq!(
        d("array_index_of", &[arr(), s("an"), l(1), l(-1), l(2)]).await,
        "4"
    );
    assert_eq!(
        d("array_index_of", &[arr(), s("an"), l(1), l(-1), l(3)]).await,
        "-1"
    );
    assert_eq!(d("array_index_of", &[arr(), s("an"), l(-3)]).await, "4");
    assert_eq!(d("array_index_of", &[arr(), s("is"), l(-4)]).await, "-1");
    assert_eq!(
        d("array_index_of", &[arr(), s("is"), l(0), l(-2)]).await,
        "NULL"
    );
    assert_eq!(
        d("array_index_of", &[dynamic("[1,2.0,3]"), l(2)]).await,
        "1"
    );
    // set-has-element-function.md
    assert_eq!(
        d(
            "set_has_element",
            &[dynamic(r#"["this","is","an","example"]"#), s("example")]
        )
        .await,
        "true"
    );
    assert_eq!(
        d("set_has_element", &[dynamic("[1,2]"), l(3)]).await,
        "false"
    );
    // array-iff-function.md
    assert_eq!(
        d(
            "array_iff",
            &[
                dynamic("[true,false,true]"),
                dynamic("[1,2,3]"),
                dynamic("[4,5,6]")
            ]
        )
        .await,
        "[1,5,3]"
    );
    assert_eq!(
        d("array_iff", &[dynamic("[1,0,50]"), s("yes"), s("no")]).await,
        r#"["yes","no","yes"]"#
    );
    assert_eq!(
        d(
            "array_iff",
            &[dynamic(r#"["some string value",null]"#), l(1), l(0)]
        )
        .await,
        "[null,null]"
    );
    assert_eq!(
        d(
            "array_iff",
            &[
                dynamic("[true,true,true]"),
                dynamic("[1,2]"),
                dynamic("[3,4]")
            ]
        )
        .await,
        "[1,2,null]"
    );
}

#[tokio::test]
async fn sets_and_zip() {
    // set-union-function.md, first row: a1=[1,2,1,4], a2=[1,2], a3=[8] → [1,2,4,8]
    let (a1, a2) = (dynamic("[1,2,1,4]"), dynamic("[1,2]"));
    assert_eq!(
        d("set_union", &[a1.clone(), a2.clone(), dynamic("[8]")]).await,
        "[1,2,4,8]"
    );
    let c = dynamic(r#"["C4","C7","C1","C4"]"#);
    assert_eq!(d("set_union", &[c.clone(), c]).await, r#"["C4","C7","C1"]"#);
    // set-intersect-function.md, first row: a3=[w,x]=[8,1] → [1]
    assert_eq!(
        d("set_intersect", &[a1.clone(), a2.clone(), dynamic("[8,1]")]).await,
        "[1]"
    );
    assert_eq!(
        d("set_intersect", &[dynamic("[1,2,3]"), dynamic("[4,5]")]).await,
        "[]"
    );
    // set-difference-function.md, first row: a3=[x,y,w]=[1,2,8] → [4]
    assert_eq!(
        d("set_difference", &[a1, a2, dynamic("[1,2,8]")]).await,
        "[4]"
    );
    assert_eq!(
        d("set_difference", &[dynamic("[1,2,3]"), dynamic("[1,2,3]")]).await,
        "[]"
    );
    // zip-function.md
    assert_eq!(
        d("zip", &[dynamic("[1,3,5]"), dynamic("[2,4,6]")]).await,
        "[[1,2],[3,4],[5,6]]"
    );
    assert_eq!(
        d("zip", &[dynamic(r#"["A",1,1.5]"#), dynamic(r#"[{},"B"]"#)]).await,
        r#"[["A",{}],[1,"B"],[1.5,null]]"#
    );
    // jaccard-index-function.md: |{1,2,3}| / |{1,2,3,4}| = 0.75
    let (v, t) = kql("jaccard_index", &[dynamic("[1,2,3]"), dynamic("[1,2,3,4]")]).await;
    assert_eq!((v.as_deref(), t), (Some("0.75"), KqlType::Real));
}

#[tokio::test]
async fn bags() {
    // bag-keys-function.md
    assert_eq!(
        d("bag_keys", &[dynamic(r#"{"a":"b","c":123}"#)]).await,
        r#"["a","c"]"#
    );
    assert_eq!(d("bag_keys", &[dynamic("{}")]).await, "[]");
    assert_eq!(d("bag_keys", &[dynamic(r#""a""#)]).await, "NULL");
    assert_eq!(d("bag_keys", &[dynamic("[]")]).await, "NULL");
    // bag-merge-function.md: the leftmost value of A1 (12) wins
    assert_eq!(
        d(
            "bag_merge",
            &[
                dynamic(r#"{"A1":12,"B1":2,"C1":3}"#),
                dynamic(r#"{"A2":81,"B2":82,"A1":1}"#)
            ]
        )
        .await,
        r#"{"A1":12,"B1":2,"C1":3,"A2":81,"B2":82}"#
    );
    // bag-remove-keys-function.md
    assert_eq!(
        d(
            "bag_remove_keys",
            &[
                dynamic(r#"{"key1":123,"key2":"abc"}"#),
                dynamic(r#"["key2","key4"]"#)
            ]
        )
        .await,
        r#"{"key1":123}"#
    );
    assert_eq!(
        d(
            "bag_remove_keys",
            &[
                dynamic(r#"{"key1":123,"key2":{"prop1":"abc","prop2":"xyz"},"key3":[100,200]}"#),
                dynamic(r#"["$.key2.prop1","key3"]"#)
            ]
        )
        .await,
        r#"{"key1":123,"key2":{"prop2":"xyz"}}"#
    );
    // bag-set-key-function.md
    assert_eq!(
        d(
            "bag_set_key",
            &[dynamic(r#"{"key1":1,"key2":2}"#), s("key3"), l(3)]
        )
        .await,
        r#"{"key1":1,"key2":2,"key3":3}"#
    );
    assert_eq!(
        d(
            "bag_set_key",
            &[dynamic(r#"{"key1":1,"key3":"abc"}"#), s("key3"), l(3)]
        )
        .await,
        r#"{"key1":1,"key3":3}"#
    );
    assert_eq!(
        d(
            "bag_set_key",
            &[dynamic(r#"{"key1":123}"#), s("$.key2.prop1"), s("abc")]
        )
        .await,
        r#"{"key1":123,"key2":{"prop1":"abc"}}"#
    );
    assert_eq!(
        d("bag_set_key", &[dynamic("[1]"), s("a"), l(1)]).await,
        "NULL"
    );
    // bag-has-key-function.md
    assert_eq!(
        d(
            "bag_has_key",
            &[dynamic(r#"{"key1":123,"key2":"abc"}"#), s("key2")]
        )
        .await,
        "true"
    );
    assert_eq!(
        d(
            "bag_has_key",
            &[dynamic(r#"{"key1":123,"key3":"abc"}"#), s("key2")]
        )
        .await,
        "false"
    );
    assert_eq!(
        d(
            "bag_has_key",
            &[
                dynamic(r#"{"key1":123,"key2":{"prop1":"abc"}}"#),
                s("$.key2.prop1")
            ]
        )
        .await,
        "true"
    );
    // bag-zip.md
    assert_eq!(
        d(
            "bag_zip",
            &[dynamic(r#"["a","b","c"]"#), dynamic(r#"[1,"2",3.4]"#)]
        )
        .await,
        r#"{"a":1,"b":"2","c":3.4}"#
    );
    assert_eq!(
        d(
            "bag_zip",
            &[dynamic(r#"["a","b","c"]"#), dynamic(r#"[1,"2"]"#)]
        )
        .await,
        r#"{"a":1,"b":"2","c":null}"#
    );
    assert_eq!(
        d(
            "bag_zip",
            &[dynamic(r#"["a",8,"b"]"#), dynamic(r#"[1,"2",2.5]"#)]
        )
        .await,
        r#"{"a":1,"b":2.5}"#
    );
    assert_eq!(
        d("bag_zip", &[dynamic(r#"["a",8,"b"]"#), dynamic("1")]).await,
        r#"{"a":null,"b":null}"#
    );
    // treepath-function.md
    assert_eq!(
        d("treepath", &[dynamic(r#"{"a":"b","c":123}"#)]).await,
        r#"["['a']","['c']"]"#
    );
    assert_eq!(
        d(
            "treepath",
            &[dynamic(r#"{"prop1":[1,2,3,4],"prop2":"value2"}"#)]
        )
        .await,
        r#"["['prop1']","['prop1'][0]","['prop2']"]"#
    );
    assert_eq!(
        d(
            "treepath",
            &[dynamic(
                r#"{"listProperty":[100,200,300,"abcde",{"x":"y"}]}"#
            )]
        )
        .await,
        r#"["['listProperty']","['listProperty'][0]","['listProperty'][0]['x']"]"#
    );
}

#[tokio::test]
async fn types_and_json_paths() {
    // gettype-function.md: parse_json('1') → int; '"abc"' → string; {..} → dictionary;
    // [..] → array; 123.45 → real; and a long beyond int's range (hand-computed)
    for (json, want) in [
        ("1", "int"),
        ("\"abc\"", "string"),
        (r#"{"abc":1}"#, "dictionary"),
        ("[1,2,3]", "array"),
        ("123.45", "real"),
        ("1.0", "real"),
        ("true", "bool"),
        ("3000000000", "long"),
        ("null", "null"),
    ] {
        assert_eq!(d("gettype", &[dynamic(json)]).await, want, "{json}");
    }
    assert_eq!(d("gettype", &[null(KqlType::Dynamic)]).await, "null");
    // non-dynamic values stay with the conversion family
    assert!(lower("gettype", &[l(1)], &cx()).unwrap().is_none());
    // extract-json-function.md
    let json = || s(r#"{"name": "John", "age": 30, "city": "New York", "a": {"b": [10, 20]}}"#);
    let (v, t) = kql("extract_json", &[s("$.name"), json(), s("string")]).await;
    assert_eq!((v.as_deref(), t), (Some("John"), KqlType::String));
    let (v, t) = kql("extract_json", &[s("$.age"), json(), s("long")]).await;
    assert_eq!((v.as_deref(), t), (Some("30"), KqlType::Long));
    assert_eq!(d("extractjson", &[s("$.a.b[1]"), json()]).await, "20");
    assert_eq!(
        d("extractjson", &[s("$['a']['b'][0]"), json(), s("dynamic")]).await,
        "10"
    );
    assert_eq!(
        d("extract_json", &[s("$.a"), json(), s("dynamic")]).await,
        r#"{"b":[10,20]}"#
    );
    assert_eq!(
        kql("extract_json", &[s("$.zz"), json(), s("dynamic")])
            .await
            .0,
        None
    );
    assert_eq!(
        kql("extract_json", &[s("$.zz"), json(), s("long")]).await.0,
        None
    );
}

#[test]
fn paths() {
    assert_eq!(
        parse_path("$.a['b c'][2]"),
        Some(vec![
            Seg::Key("a".into()),
            Seg::Key("b c".into()),
            Seg::Index(2)
        ])
    );
    assert_eq!(parse_path("key"), Some(vec![Seg::Key("key".into())]));
    assert_eq!(parse_path("$.a[x]"), None);
    assert_eq!(parse_path("$"), Some(vec![]));
}
