#![no_main]

use sfn_lint::syntax::jsonata::variables;

// Any text, as it would sit between `{%` and `%}`: an error or a list of variables, never a
// panic; an error's offset stays inside the text, and each variable is a `$` of the text.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match variables(text) {
            Ok(found) => {
                for variable in found {
                    assert!(text[variable.at..].starts_with(variable.path));
                }
            }
            Err(error) => {
                assert!(error.at <= text.len());
                assert!(text.is_char_boundary(error.at));
            }
        }
    }
});
