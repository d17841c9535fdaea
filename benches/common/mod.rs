//! Inputs the benchmarks share.

/// `n` states in a chain of Waits and Tasks.
pub fn chain(n: usize) -> String {
    let states: Vec<String> = (0..n)
        .map(|i| match (i + 1 == n, i % 2) {
            (true, _) => format!(r#""S{i}": {{"Type": "Succeed"}}"#),
            (false, 0) => format!(r#""S{i}": {{"Type": "Wait", "Seconds": 1, "Next": "S{}"}}"#, i + 1),
            (false, _) => format!(
                r#""S{i}": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5, "Parameters": {{"FunctionName": "f{i}", "Payload.$": "$"}}, "Next": "S{}"}}"#,
                i + 1
            ),
        })
        .collect();
    format!(r#"{{"StartAt": "S0", "States": {{{}}}}}"#, states.join(",\n"))
}
