#!/usr/bin/env node
// jsonata-oracle.mjs: label JSONata expressions with the reference parser.
//
// Development-time tool only (the Rust tests never run Node). It produces
// testdata/jsonata/oracle.json, the table that the Rust JSONata syntax checker
// is tested against. Labels come from `jsonata(expr)` (parse only, no
// evaluation); nothing in the table is labelled by hand.
//
// Setup (outside the repo):
//   npm install --prefix /tmp/jsonata-oracle jsonata@2
// Usage:
//   node scripts/jsonata-oracle.mjs [exprs.json] > out.json
// (JSONATA_PREFIX overrides the install prefix /tmp/jsonata-oracle.)
//
// exprs.json is a JSON array; string elements are corpus expressions (the text
// between `{%` and `%}` in /work/shared/corpus string values), object elements
// `{expr, source}` are taken as-is, except that "handwritten" ones are dropped:
// the handwritten set always comes from HANDWRITTEN below and the mutants from the
// corpus expressions. Passing the current
// oracle.json therefore relabels it (e.g. after a jsonata upgrade). Without an
// argument only the handwritten set is labelled.
//
// Output: one object per line, sorted by source then expr, deduplicated by expr
// (corpus wins). `position` is jsonata's error position (usually the character
// index just after the offending token, in UTF-16 code units), or null.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Load jsonata from the install prefix (never from the repo).
const prefix = process.env.JSONATA_PREFIX || "/tmp/jsonata-oracle";
const req = createRequire(prefix + "/");
const jsonata = req("jsonata");
console.error(`jsonata ${req("jsonata/package.json").version} from ${prefix}`);

// Handwritten grammar coverage, valid and invalid alike; the oracle labels them.
const HANDWRITTEN = [
  // literals
  "1", "-1", "1.5e3", "0.5", "1e-3", ".5", "420.", "1e", "", "   ",
  '"a\\"b"', "'it\\'s'", "'it\\'s", "'it's'", '"\\u00e9"', '"\\ud83d\\udcb3"',
  '"\\\\ \\/ \\b\\f\\n\\r\\t"', '"\\q"', '"\\u12"', '"💳"', "true", "false", "null",
  '"abc', "'abc", '"💳', '"💳" +',
  // paths, wildcards, parent, variables
  "a.b.c", "$states.input.x", "`field name`.x", "`field name", "$.a", "$$", "$",
  'a."b c"', "*", "**", "%", "a.b.%.c", "and.or", "$states.input.é", "$states.input.é.",
  "$states.input.", "a..b", "a b", "$states.context.Execution.Id",
  // predicates, index/focus bindings, order-by
  "a[0]", "a[-1]", "a[x > 1]", "a[]", "a[[0..2]]", "a[", "a.b[0]]",
  "$.orders[?(@.total > 1)]", "a@$x", "a#$i", "a@x", "a#x", "a^(>x, <y)", "a^()",
  // object and array constructors, grouping, ranges
  '{"a": 1}', "a{x: y}", "{}", "[]", "[1, 2]", "[1..5]", 'a.{"x": b}', "a.(b + c)",
  '{"a": 1', "[1, 2", "(1 + 2", '{"a" 1}', '{"a": }', '{"a": 1,}', "[1,]", "[1 2]",
  "[1..]", "a{x}", "}", "]", ")", "(1))",
  // operators
  "1 + 2 * 3 - 4 / 5 % 6", "(1 + 2) * 3", "- -1", "a = 1 and b != 2",
  "a < 1 or b >= 2", '"a" & "b"', "x in [1, 2]", "a ? b : c", "a ? b",
  "a ? b ? c : d : e", "a ?: b", "a ?? b", "a ?: b ?? c",
  "10 + * 2", "$x and", "1 +", "a == b", "!a", "a && b", "a || b", "&",
  "a ? b :", "? :", "a ? : b",
  // chains, functions, lambdas, partial application, signatures
  "$x ~> $uppercase()", "a ~> $f ~> $g", "a ~>", "function($x){ $x + 1 }",
  "λ($x){ $x * 2 }", "$f(?, 1)", "function($x)<n:n>{ $x }",
  "function($a, $b)<s-n?:s>{ $a }", "$sum($map(a, function($v){ $v * 2 }))",
  "$uuid()", "$now()", "function($x)", "function($x) $x", "function($x){ $x",
  "function(x){ x }", "function($x)<n:n{ $x }", "$f(,)",
  // binding and blocks
  "$x := 1", "( $a := 1; $a + 1 )", "()", "(1; 2;)", "$x := 1; $x", ":= 1",
  "$x :=", "$states.input.x := 1",
  // regex
  "/ab+c/i", "/\\(/", "/'/", "$replace($s, /\\(/, '')", "$match(s, /[a-z]+/)",
  "$contains(a, /x\\/y/)", "/ab", "//", "/(/", "/[/", "/a/z", "$replace($s, /\\(/, ''",
  // comments and whitespace
  "/* c */ 1", "1 /* trailing */", "/* x", "1 + /* c */", "\n  $states.input\n\t.x  \n",
  // transform
  '| a | {"b": 1} |', '| a | {"b": 1}, ["c"] |', "| a |",
  // Step Functions style
  "$states.input.items[price > 10].name", "$sum($states.result.Payload.values)",
  "$string($states.context.Execution.StartTime)", '{"id": $uuid(), "at": $now()}',
  "$states.input.a ? 'x' : 'y'", '{"card": "💳", "name": $states.input.名前}',
  "$states.input.items[price > 10", '{"id": $uuid(), "at": }',
  // where the lexer reads `/` as a regex, and the checks jsonata makes while compiling
  "(/x/)", "[/x/]", "$match(/x/)", "a[]/x/", "1e999", "x ! y", "$f(?:1)", "a ** b",
  '-"a"', "a.-1", "1.a", "(1).a", "a.(1)", "a | b", "%.x", "a.%", "a[%.x = 1]",
  "a.(%.x)", 'a.{"p": %.x}', "$x#$i[0]", "$x[0]#$i", "a^(x)@$y", "a^(x)#$i",
  "a{x:y}@$z", "a@$x{y:z}", "a[0]{x:y}", "a{x:y}.b{z:w}", "(a{x:y}){z:w}",
  "$x[0][1]@$y", "a.b[0].c@$y", "x.(1)[0]@$z", "a@$x[0]", "a@$x@$y", "$ and",
  "and and and", "in", "$x{a:b}.c{d:e}", "a{x:y}{z:w}", "a.true", "a.null.b", "\"s\".1",
];

// Mutants of the valid corpus expressions, the kind of slip a person makes: cut short, a
// character dropped, a bracket or operator added. Deterministic; the oracle labels them.
function mutants(corpus) {
  const out = [];
  const inserts = [")", "]", "}", ".", ",", ":", "+", "(", "[", "{", "'", "/", "$"];
  corpus.forEach((expr, i) => {
    const e = expr.trim();
    if (e.length < 4) return;
    const at = 1 + ((i * 7919) % (e.length - 1));
    switch (i % 4) {
      case 0: out.push(e.slice(0, at)); break;
      case 1: out.push(e.slice(0, at) + e.slice(at + 1)); break;
      case 2: out.push(e.slice(0, at) + inserts[i % inserts.length] + e.slice(at)); break;
      default: out.push(e + " " + inserts[(i * 3) % inserts.length]); break;
    }
  });
  return out;
}

// Inputs: corpus strings from the argument file (if any), then the handwritten set.
const input = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], "utf8")) : [];
const entries = input
  .map((e) => (typeof e === "string" ? { expr: e, source: "corpus" } : e))
  .filter((e) => e.source === "corpus");
const corpusValid = entries.filter((e) => e.valid !== false).map((e) => e.expr);
entries.push(...HANDWRITTEN.map((expr) => ({ expr, source: "handwritten" })));
entries.push(...mutants(corpusValid).map((expr) => ({ expr, source: "mutant" })));

// Label each distinct expression (first occurrence wins, so corpus beats handwritten).
const seen = new Set();
const rows = [];
for (const { expr, source } of entries) {
  if (seen.has(expr)) continue;
  seen.add(expr);
  let valid = true, code = null, position = null;
  try {
    jsonata(expr); // parse only
  } catch (err) {
    valid = false;
    code = err.code ?? null;
    position = typeof err.position === "number" ? err.position : null;
  }
  rows.push({ expr, valid, code, position, source });
}

// Sort by source then expr (UTF-16 code-unit order); print one object per line.
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
rows.sort((a, b) => cmp(a.source, b.source) || cmp(a.expr, b.expr));
process.stdout.write("[\n" + rows.map((r) => JSON.stringify(r)).join(",\n") + "\n]\n");
