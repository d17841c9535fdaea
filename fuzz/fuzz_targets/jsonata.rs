#![no_main]

use sfn_lint::syntax::jsonata::check;

// Any text, as it would sit between `{%` and `%}`: an error or nothing, never a panic,
// and an error's offset stays inside the text.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(error) = check(text) {
            assert!(error.at <= text.len());
            assert!(text.is_char_boundary(error.at));
        }
    }
});
