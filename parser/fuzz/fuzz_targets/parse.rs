//! Fuzz target: `parse_script` must never panic (or hang), and whenever it accepts an input
//! without diagnostics, the canonical printing of the tree must parse again without
//! diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = kql_parser::parse_script(&text);
    if !out.diagnostics.is_empty() {
        return;
    }
    let Some(script) = out.script else {
        return;
    };
    let printed = script.to_string();
    let again = kql_parser::parse_script(&printed);
    if !again.diagnostics.is_empty() {
        panic!(
            "canonical printing does not re-parse\n--- input:\n{text}\n--- printed:\n{printed}\n--- diagnostics:\n{:#?}",
            again.diagnostics
        );
    }
});
