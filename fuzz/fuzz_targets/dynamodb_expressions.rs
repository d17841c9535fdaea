#![no_main]

use sfn_lint::asl::dynamodb::{Names, analyze_condition, analyze_update, partiql_growth};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let names = Names::default();
        let _ = analyze_update(text, &names);
        let _ = analyze_condition(text, &names);
        let _ = partiql_growth(text);
    }
});
