//! The language server, driven over standard input and output as an editor would.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

mod common;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start(root: &Path, position_encodings: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sfn-lint"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if stdout.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                stdout.read_exact(&mut body).unwrap();
                if sender.send(serde_json::from_slice::<Value>(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client { child, stdin, messages, next_id: 0 };
        let capabilities = json!({"general": {"positionEncodings": position_encodings}});
        let reply = client.request("initialize", json!({"rootUri": uri(root), "capabilities": capabilities}));
        assert_eq!(reply["result"]["serverInfo"]["name"], "sfn-lint");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == id {
                return message;
            }
        }
    }

    fn receive(&self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(30)).expect("a message from the server")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}));
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(uri)
    }

    fn shutdown(mut self) {
        let reply = self.request("shutdown", Value::Null);
        assert!(reply.get("error").is_none(), "{reply}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exits cleanly after shutdown: {status}");
    }
}

/// The rule's page on the documentation site, from `homepage` in Cargo.toml.
fn rule_page(code: &str) -> String {
    format!("{}rules/{code}.html", env!("CARGO_PKG_HOMEPAGE"))
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}

/// A folder whose `sfn-lint.toml` says standalone definitions are Express.
fn workspace(name: &str) -> std::path::PathBuf {
    let dir = common::scratch(&format!("lsp-{name}"));
    std::fs::write(dir.join("sfn-lint.toml"), "workflow-type = \"express\"\n").unwrap();
    dir
}

/// Applies the single-file text edits of a code action, last first.
fn apply(text: &str, action: &Value, uri: &str, utf16: bool) -> String {
    let mut edits = action["edit"]["changes"][uri].as_array().unwrap().clone();
    edits.sort_by_key(|e| std::cmp::Reverse((e["range"]["start"]["line"].as_u64(), e["range"]["start"]["character"].as_u64())));
    let mut text = text.to_string();
    for edit in edits {
        let start = offset(&text, &edit["range"]["start"], utf16);
        let end = offset(&text, &edit["range"]["end"], utf16);
        text.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    text
}

fn offset(text: &str, position: &Value, utf16: bool) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    if !utf16 {
        return start + character;
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The text a diagnostic's range covers.
fn covered<'a>(text: &'a str, diagnostic: &Value, utf16: bool) -> &'a str {
    &text[offset(text, &diagnostic["range"]["start"], utf16)..offset(text, &diagnostic["range"]["end"], utf16)]
}

const EXPRESS_LAMBDA: &str = r#"{
  "Comment": "Ünïcödé 🚀 before the finding moves UTF-16 columns away from bytes",
  "StartAt": "Charge 💳",
  "States": {
    "Charge 💳": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "charge-💳-card", "Payload": {"amount.$": "$.amount"}},
      "End": true
    }
  }
}
"#;

#[test]
fn diagnostics_follow_the_document_and_count_utf16_columns() {
    let dir = workspace("diagnostics");
    let path = dir.join("charge.asl.json");
    let uri = uri(&path);
    let mut client = Client::start(&dir, &["utf-16"]);

    let diagnostics = client.open(&uri, EXPRESS_LAMBDA);
    let alo004 = diagnostics.iter().find(|d| d["code"] == "ALO004").expect("ALO004 on the Lambda call");
    assert_eq!(alo004["source"], "sfn-lint");
    assert_eq!(alo004["codeDescription"]["href"], rule_page("ALO004"), "{alo004}");
    assert_eq!(alo004["severity"], 2, "{alo004}");
    assert!(alo004["message"].as_str().unwrap().contains("Charge 💳"), "{alo004}");
    assert!(alo004["message"].as_str().unwrap().contains("help:"), "{alo004}");
    // The range, in UTF-16 units after the 💳 on the same line, covers the payload.
    assert_eq!(covered(EXPRESS_LAMBDA, alo004, true), r#"{"amount.$": "$.amount"}"#, "{alo004}");

    let fixed = EXPRESS_LAMBDA.replace(r#""Payload": {"#, r#""Payload": {"executionId.$": "$$.Execution.Id", "#);
    let diagnostics = client.change(&uri, 2, &fixed);
    assert!(diagnostics.iter().all(|d| d["code"] != "ALO004"), "{diagnostics:?}");

    let broken = client.change(&uri, 3, "{\"StartAt\": ");
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0]["code"], "ASL001");

    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert!(client.diagnostics(&uri).is_empty());
    client.shutdown();
}

#[test]
fn utf8_columns_when_the_client_offers_them() {
    let dir = workspace("utf8");
    let uri = uri(&dir.join("charge.asl.json"));
    let mut client = Client::start(&dir, &["utf-8", "utf-16"]);
    let diagnostics = client.open(&uri, EXPRESS_LAMBDA);
    let alo004 = diagnostics.iter().find(|d| d["code"] == "ALO004").unwrap();
    assert_eq!(covered(EXPRESS_LAMBDA, alo004, false), r#"{"amount.$": "$.amount"}"#, "{alo004}");
    client.shutdown();
}

#[test]
fn quick_fixes_remove_the_finding() {
    let dir = workspace("fixes");
    let uri = uri(&dir.join("charge.asl.json"));
    let mut client = Client::start(&dir, &["utf-16"]);
    let diagnostics = client.open(&uri, EXPRESS_LAMBDA);
    let alo004 = diagnostics.iter().find(|d| d["code"] == "ALO004").unwrap().clone();

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": alo004["range"], "context": {"diagnostics": [alo004]}}),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(titles.iter().any(|t| t.contains("execution ID")), "{titles:?}");
    assert!(titles.contains(&"Suppress ALO004 for this state"), "{titles:?}");

    for action in &actions {
        assert_eq!(action["kind"], "quickfix");
        let edited = apply(EXPRESS_LAMBDA, action, &uri, true);
        serde_json::from_str::<Value>(&edited).unwrap_or_else(|e| panic!("{}: the edit leaves valid JSON: {e}\n{edited}", action["title"]));
        let after = client.change(&uri, 2, &edited);
        assert!(after.iter().all(|d| d["code"] != "ALO004"), "{}: {after:?}\n{edited}", action["title"]);
        assert!(after.iter().all(|d| d["code"] != "LINT001"), "{}: {after:?}", action["title"]);
        client.change(&uri, 3, EXPRESS_LAMBDA);
    }
    client.shutdown();
}

#[test]
fn yaml_suppression_comment_and_fifo_fix() {
    let dir = workspace("yaml");
    let uri = uri(&dir.join("send.asl.yaml"));
    let text = "StartAt: Send\nStates:\n  Send:\n    Type: Task\n    Resource: arn:aws:states:::sqs:sendMessage\n    Parameters:\n      QueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo\n      MessageBody.$: $\n      MessageGroupId: orders\n    End: true\n";
    let mut client = Client::start(&dir, &[]);
    let diagnostics = client.open(&uri, text);
    let alo003 = diagnostics.iter().find(|d| d["code"] == "ALO003").expect("ALO003 on the FIFO send").clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": alo003["range"], "context": {"diagnostics": [alo003]}}),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(actions.len(), 2, "{actions:?}");
    for action in &actions {
        let edited = apply(text, action, &uri, true);
        let after = client.change(&uri, 2, &edited);
        assert!(after.iter().all(|d| d["code"] != "ALO003" && d["code"] != "ASL001"), "{}: {after:?}\n{edited}", action["title"]);
    }
    client.shutdown();
}

#[test]
fn hover_explains_the_rule_and_the_state() {
    let dir = workspace("hover");
    let uri = uri(&dir.join("charge.asl.json"));
    let mut client = Client::start(&dir, &["utf-16"]);
    let diagnostics = client.open(&uri, EXPRESS_LAMBDA);
    let alo004 = diagnostics.iter().find(|d| d["code"] == "ALO004").unwrap();
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": alo004["range"]["start"]}));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("ALO004"), "{markdown}");

    // On the state's name: why it may run twice.
    let line = EXPRESS_LAMBDA.lines().position(|l| l.trim_start().starts_with("\"Charge 💳\": {")).unwrap();
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 6}}));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("Charge 💳"), "{markdown}");
    assert!(markdown.contains("May run more than once"), "{markdown}");
    assert!(markdown.contains("Express"), "{markdown}");

    let nothing = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}));
    assert!(nothing["result"].is_null(), "{nothing}");
    client.shutdown();
}

/// A SAM template whose Express state machine is the file `statemachine/charge.asl.json`.
const SAM_TEMPLATE: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Charge:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: EXPRESS\n      DefinitionUri: statemachine/charge.asl.json\n";

/// [`SAM_TEMPLATE`] with a `Metadata` that ignores `codes`.
fn with_metadata(codes: &str) -> String {
    SAM_TEMPLATE.replace("    Properties:\n", &format!("    Metadata:\n      sfn-lint:\n        ignore: {codes}\n    Properties:\n"))
}

/// A workspace holding `template` as `template.yaml` and [`EXPRESS_LAMBDA`] as the file it
/// names; its folder and the definition file's path.
fn sam_project(name: &str, template: &str) -> (PathBuf, PathBuf) {
    let dir = workspace(name);
    std::fs::create_dir(dir.join("statemachine")).unwrap();
    let definition = dir.join("statemachine/charge.asl.json");
    std::fs::write(&definition, EXPRESS_LAMBDA).unwrap();
    std::fs::write(dir.join("template.yaml"), template).unwrap();
    (dir, definition)
}

#[test]
fn templates_publish_for_their_definition_files_and_follow_config() {
    let template = SAM_TEMPLATE;
    let (dir, definition) = sam_project("templates", template);
    std::fs::write(dir.join("sfn-lint.toml"), "workflow-type = \"standard\"\n").unwrap();
    let template_uri = uri(&dir.join("template.yaml"));
    let mut client = Client::start(&dir, &["utf-16"]);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": template_uri, "languageId": "yaml", "version": 1, "text": template}}),
    );
    let bound = client.diagnostics(&uri(&definition));
    assert!(bound.iter().any(|d| d["code"] == "ALO004"), "the template makes the definition Express: {bound:?}");
    assert!(bound.iter().all(|d| d["code"] != "ALO011"), "{bound:?}");

    // Opened itself, the file keeps its template's type over the configured Standard, as
    // `sfn-lint check .` would lint it; so does a new server that never saw the template.
    let opened = client.open(&uri(&definition), EXPRESS_LAMBDA);
    assert!(opened.iter().any(|d| d["code"] == "ALO004"), "{opened:?}");
    client.shutdown();
    let mut fresh = Client::start(&dir, &["utf-16"]);
    let alone = fresh.open(&uri(&definition), EXPRESS_LAMBDA);
    assert!(alone.iter().any(|d| d["code"] == "ALO004"), "{alone:?}");
    let declared = alone.iter().find(|d| d["code"] == "ALO004").unwrap()["relatedInformation"].to_string();
    assert!(declared.contains("template.yaml"), "the template's `Type: EXPRESS` is related: {declared}");
    // A definition no template names takes the configured type: Standard, no ALO004.
    let other = uri(&dir.join("statemachine/other.asl.json"));
    let unbound = fresh.open(&other, EXPRESS_LAMBDA);
    assert!(unbound.iter().all(|d| d["code"] != "ALO004"), "{unbound:?}");
    fresh.shutdown();
}

/// A template's `Metadata` silences its definition file's findings; a code that silences
/// nothing is a diagnostic of the template, at the code, not of the definition file.
#[test]
fn unused_metadata_code_is_published_with_the_template() {
    let template = &with_metadata("[ALO004, ALO002]");
    let (dir, definition) = sam_project("metadata", template);
    let mut client = Client::start(&dir, &["utf-16"]);
    let in_template = client.open(&uri(&dir.join("template.yaml")), template);
    let unused: Vec<&Value> = in_template.iter().filter(|d| d["code"] == "LINT001").collect();
    assert_eq!(unused.len(), 1, "{in_template:?}");
    assert_eq!(covered(template, unused[0], true), "ALO002");
    let bound = client.diagnostics(&uri(&definition));
    assert!(bound.iter().all(|d| d["code"] != "ALO004" && d["code"] != "LINT001"), "{bound:?}");

    // Opened itself, the definition file shows neither.
    let opened = client.open(&uri(&definition), EXPRESS_LAMBDA);
    assert!(opened.iter().all(|d| d["code"] != "ALO004" && d["code"] != "LINT001"), "{opened:?}");
    client.shutdown();
}

/// The files a template binds are linted against the template as the editor holds it: a
/// `Metadata` code typed and not yet saved silences their findings at once, and when they
/// are opened themselves.
#[test]
fn a_template_binds_its_files_as_the_editor_holds_it() {
    let saved = SAM_TEMPLATE;
    let (dir, definition) = sam_project("unsaved-template", saved);
    let edited = with_metadata("[ALO004]");
    let template = uri(&dir.join("template.yaml"));
    let mut client = Client::start(&dir, &["utf-16"]);
    client.open(&template, saved);
    let before = client.diagnostics(&uri(&definition));
    assert!(before.iter().any(|d| d["code"] == "ALO004"), "{before:?}");
    client.change(&template, 2, &edited);
    let after = client.diagnostics(&uri(&definition));
    let unsilenced: Vec<&Value> = before.iter().filter(|d| d["code"] != "ALO004").collect();
    assert_eq!(after.iter().collect::<Vec<_>>(), unsilenced);
    // Opened itself, the file is linted against the open template too.
    let opened = client.open(&uri(&definition), EXPRESS_LAMBDA);
    assert_eq!(opened.iter().collect::<Vec<_>>(), unsilenced);
    client.shutdown();
}

#[test]
fn hostile_documents_and_requests_get_answers_not_crashes() {
    let dir = workspace("hostile");
    let uri = uri(&dir.join("deep.asl.json"));
    let mut client = Client::start(&dir, &["utf-16"]);
    let deep = "[".repeat(100_000);
    let diagnostics = client.open(&uri, &deep);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(["ASL001", "ASL006"].contains(&diagnostics[0]["code"].as_str().unwrap()), "{diagnostics:?}");

    let binary = client.change(&uri, 2, "\u{0}\u{1}\u{fffd}{\"StartAt\"\u{0}");
    assert_eq!(binary[0]["code"], "ASL001", "{binary:?}");

    let far = json!({"line": 1_000_000, "character": 1_000_000});
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": far}));
    assert!(hover.get("error").is_none(), "{hover}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": far, "end": far}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions["result"], json!([]), "{actions}");
    let unopened = client.request("textDocument/hover", json!({"textDocument": {"uri": "untitled:Untitled-1"}, "position": far}));
    assert!(unopened["result"].is_null(), "{unopened}");
    let unknown = client.request("textDocument/formatting", json!({"textDocument": {"uri": uri}}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    client.shutdown();
}

const SAM_INLINE: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: Send
        States:
          Send:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters:
              QueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo
              MessageBody.$: $
              MessageGroupId: orders
            End: true
          Charge:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: charge-card
              Payload:
                amount.$: $.amount
            End: true
";

#[test]
fn sam_template_findings_and_fixes_in_place() {
    let dir = workspace("sam");
    let uri = uri(&dir.join("template.yaml"));
    let mut client = Client::start(&dir, &["utf-16"]);
    // Typed in: the Lambda state is unreachable until `Send` points at it.
    let typed = SAM_INLINE.replace("            End: true\n          Charge:", "            Next: Charge\n          Charge:");
    let diagnostics = client.open(&uri, &typed);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"ALO003") && codes.contains(&"ALO004"), "{codes:?}");
    let alo003 = diagnostics.iter().find(|d| d["code"] == "ALO003").unwrap();
    assert_eq!(covered(&typed, alo003, true), "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo", "{alo003}");
    assert!(alo003["relatedInformation"].as_array().unwrap().iter().any(|r| r["location"]["uri"] == uri), "{alo003}");

    let line = typed.lines().position(|l| l == "          Charge:").unwrap();
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 12}}));
    let markdown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert!(markdown.contains("**Charge**") && markdown.contains("this Express workflow may run it more than once"), "{hover}");

    for code in ["ALO003", "ALO004"] {
        let diagnostic = diagnostics.iter().find(|d| d["code"] == code).unwrap().clone();
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}),
        )["result"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(actions.len(), 2, "{code}: a fix and a suppression: {actions:?}");
        for action in &actions {
            let edited = apply(&typed, action, &uri, true);
            let after = client.change(&uri, 2, &edited);
            let codes: Vec<&str> = after.iter().map(|d| d["code"].as_str().unwrap()).collect();
            assert!(
                !codes.contains(&code) && !codes.contains(&"ASL001") && !codes.contains(&"LINT001"),
                "{}: {codes:?}\n{edited}",
                action["title"]
            );
        }
    }
    client.shutdown();
}

#[test]
fn config_changes_apply_and_a_broken_config_is_reported() {
    let dir = workspace("config");
    let uri = uri(&dir.join("charge.asl.json"));
    let mut client = Client::start(&dir, &["utf-16"]);
    assert!(client.open(&uri, EXPRESS_LAMBDA).iter().any(|d| d["code"] == "ALO004"));

    // A different size changes the file's stamp even within the clock's resolution.
    std::fs::write(dir.join("sfn-lint.toml"), "workflow-type = \"express\"\nignore = [\"ALO004\"]\n").unwrap();
    let after = client.change(&uri, 2, EXPRESS_LAMBDA);
    assert!(after.iter().all(|d| d["code"] != "ALO004"), "{after:?}");

    std::fs::write(dir.join("sfn-lint.toml"), "workflow-type = \"express\"\nnot-a-key = 1\n").unwrap();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": EXPRESS_LAMBDA}]}),
    );
    let message = client.receive();
    assert_eq!(message["method"], "window/showMessage", "{message}");
    assert!(message["params"]["message"].as_str().unwrap().contains("not-a-key"), "{message}");
    client.shutdown();
}
