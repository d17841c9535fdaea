#![no_main]

/// The first byte picks the host; the rest is the file.
const NAMES: [&str; 6] = ["template.yaml", "template.json", "serverless.yml", "main.tf", "cdk.out/Stack.template.json", "template.yml"];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((&pick, rest)) = data.split_first() {
        sfn_lint_fuzz::lint_as(NAMES[pick as usize % NAMES.len()], rest);
    }
});
