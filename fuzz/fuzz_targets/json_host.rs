#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sfn_lint_fuzz::lint_as("fuzz.asl.json", data));
