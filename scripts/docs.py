#!/usr/bin/env python3
"""The documentation site: pages generated from the README and rules/*.md, built with mdBook.

    python3 scripts/docs.py build [--bin SFN_LINT] [--mdbook MDBOOK] [--out target/docs]

writes the book's sources to OUT/src, builds the site into OUT/book, and checks it: every
link and anchor between pages resolves, and every rule's URL as the binary prints it
(`sfn-lint rules --format json`) is a page of the site. Exit status 1 on any failure.

The README stays the one source of the usage, configuration and integration text; each
rule page adds to rules/CODE.md its severity and the configuration that affects it.
"""

import argparse
import html.parser
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent

# README sections (by their `## ` title) and the page each becomes, in the site's order.
PAGES = [
    ("index.md", "Introduction", ["", "Quick start"]),
    ("install.md", "Install", ["Install"]),
    ("usage.md", "Usage", ["Usage"]),
    ("output-formats.md", "Output formats", ["Output formats"]),
    ("configuration.md", "Configuration", ["Configuration"]),
    ("suppressions.md", "Suppressions and baseline", ["Suppressions and baseline"]),
    ("integrations.md", "In CI, pre-commit and editors", ["In CI, pre-commit and editors"]),
    ("rules/index.md", "Rules", ["Rules"]),
    ("performance.md", "Performance", ["Performance"]),
    ("development.md", "Development", ["Development"]),
]

# Settings that change what a rule reports, beyond the ones every rule has.
ALO_REPEATS = ["ALO001", "ALO002", "ALO003", "ALO004", "ALO005", "ALO007", "ALO008", "ALO009", "ALO010"]
WORKFLOW_TYPE_RULES = [f"ALO{n:03}" for n in range(1, 12)] + ["EXP001", "EXP002", "EXP003"]
SETTINGS = [
    (
        WORKFLOW_TYPE_RULES,
        "`workflow-type` (`auto`, `express`, `standard`), top-level or in an `[[overrides]]` entry, "
        "and `--workflow-type`: the type of a definition that no template declares. A template's "
        "`Type: EXPRESS` or `StateMachineType` always wins.",
    ),
    (
        ALO_REPEATS,
        "`[idempotency] transient-retry-severity`: the severity of a finding whose only reason is a "
        "`Retry` on transient service errors such as the console's Lambda retrier (default `info`).",
    ),
    (
        ["ALO004", "ALO005", "ALO007"],
        "`[idempotency] key-fields`: payload field names that count as a stable key, added to the "
        "built-in ones.",
    ),
    (
        ["ALO004"],
        "`[idempotency] idempotent-functions`: Lambda functions (ARNs or names, globs allowed) "
        "known to be idempotent, which need no key.",
    ),
    (
        ["ASL001"],
        "`max-file-size`: files larger than this many bytes are reported here instead of being "
        "parsed (default 50 MiB).",
    ),
]


def sections(readme):
    """The README split at its `## ` headings: title -> body (the text before the first is '')."""
    parts, title, lines = {}, "", []
    for line in readme.splitlines():
        if line.startswith("## "):
            parts[title] = "\n".join(lines).strip("\n")
            title, lines = line[3:].strip(), []
        else:
            lines.append(line)
    parts[title] = "\n".join(lines).strip("\n")
    return parts


def demote(text):
    """`### X` in a README section becomes `## X` on its own page."""
    return re.sub(r"^###(#*) ", r"##\1 ", text, flags=re.M)


def slug(title):
    """The anchor GitHub and mdBook give a heading."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def anchors(readme_text):
    """Each README heading's anchor -> the page and anchor it has on the site."""
    found, page = {}, "index.md"
    by_section = {part: name for name, _, parts in PAGES for part in parts}
    for line in readme_text.splitlines():
        if line.startswith("## "):
            page = by_section.get(line[3:].strip(), page)
            found[slug(line[3:])] = page
        elif line.startswith("### "):
            found[slug(line[4:])] = f"{page}#{slug(line[4:])}"
    return found


ANCHORS = {}


def rewrite_links(text, page, repository):
    """Links to repository files become links to pages, or to the file in the repository;
    links to README headings, links to the page that holds them."""
    depth = page.count("/")

    def target(match):
        label, href = match.group(1), match.group(2)
        if href.startswith("#") and href[1:] in ANCHORS and not ANCHORS[href[1:]].startswith(page):
            return f"[{label}]({'../' * depth}{ANCHORS[href[1:]]})"
        if re.match(r"^[a-z]+:", href) or href.startswith(("#", "../")):
            return match.group(0)
        path, _, fragment = href.partition("#")
        if re.fullmatch(r"rules/[A-Z]+[0-9]+\.md", path):
            new = "../" * depth + path
        elif path in ("rules/", "rules"):
            new = "../" * depth + "rules/index.md"
        else:
            new = f"{repository}/blob/main/{path}"
        if page.startswith("rules/") and new.startswith("rules/"):
            new = new[len("rules/"):]
        return f"[{label}]({new}{'#' + fragment if fragment else ''})"

    return re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", target, text)


def rule_page(doc, meta, repository):
    """rules/CODE.md with its severity, the workflow type of each example, and its settings."""
    lines = doc.splitlines()
    out = [lines[0], "", f"**{meta['summary']}.**", "", f"Default severity: `{meta['severity']}`. "
           f"Read it in a terminal with `sfn-lint explain {meta['code']}`."]
    for line in lines[1:]:
        fence = re.match(r"^```(\w+)\s+(.*)$", line)
        if fence:
            kind = dict(w.split("=", 1) for w in fence.group(2).split() if "=" in w).get("workflow-type")
            if kind:
                out += [f"*Linted as a {kind.capitalize()} workflow:*", ""]
            line = "```" + fence.group(1)
        if line.startswith("## References"):
            out += configuration(meta["code"])
        out.append(line)
    if "## References" not in doc:
        out += [""] + configuration(meta["code"])
    return rewrite_links("\n".join(out) + "\n", "rules/x.md", repository)


def configuration(code):
    lines = ["## Configuration", ""]
    for rules, text in SETTINGS:
        if code in rules:
            lines.append(f"- {text}")
    lines += [
        f"- `ignore = [\"{code}\"]` (or `--ignore {code}`) turns it off; in an `[[overrides]]` entry, "
        "for some files only. `select` turns rules on by code or prefix.",
        f"- `[severity] {code} = \"error\"` changes its severity (`error`, `warning`, `info`).",
        f"- `sfn-lint: ignore[{code}] reason` in a state's `Comment` (or a YAML comment on the line) "
        "silences one finding; see [Suppressions and baseline](../suppressions.md).",
        "",
    ]
    return lines


def generate(out, binary):
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
    repository = cargo["repository"]
    readme = sections((ROOT / "README.md").read_text())
    ANCHORS.update(anchors((ROOT / "README.md").read_text()))
    rules = json.loads(subprocess.run([binary, "rules", "--format", "json"], check=True, capture_output=True, text=True).stdout)

    src = out / "src"
    shutil.rmtree(out, ignore_errors=True)
    (src / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "book.toml", out / "book.toml")

    summary = ["# Summary", ""]
    for page, title, parts in PAGES:
        missing = [p for p in parts if p not in readme]
        if missing:
            sys.exit(f"README.md has no section {missing}")
        body = "\n\n".join(demote(readme[p]) if p else readme[p] for p in parts)
        if page == "index.md":
            body = body.replace("## Quick start", "## Quick start", 1)
            heading = "# sfn-lint"
            body = re.sub(r"^# sfn-lint\n+", "", body)
        else:
            heading = f"# {title}"
        (src / page).write_text(f"{heading}\n\n{rewrite_links(body, page, repository)}\n")
        if page == "index.md":
            summary += [f"[{title}]({page})", ""]
        else:
            summary.append(f"- [{title}]({page})")
        if page == "rules/index.md":
            for meta in rules:
                doc = (ROOT / "rules" / f"{meta['code']}.md").read_text()
                (src / "rules" / f"{meta['code']}.md").write_text(rule_page(doc, meta, repository))
                summary.append(f"  - [{meta['code']} {meta['name']}](rules/{meta['code']}.md)")
    (src / "SUMMARY.md").write_text("\n".join(summary) + "\n")
    return rules


class Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append(value)


def check(book, rules, homepage, site):
    """Every relative link and anchor resolves; every rule URL the tool prints is a page."""
    pages = {}
    for path in book.rglob("*.html"):
        parser = Anchors()
        parser.feed(path.read_text(errors="replace"))
        pages[path.resolve()] = parser
    errors = []
    for path, parser in pages.items():
        for link in parser.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", link) or link.startswith("//"):
                continue
            target, _, fragment = link.partition("#")
            if target.startswith(site):
                target = str(book.resolve() / target[len(site):])
            resolved = (path.parent / target).resolve() if target else path
            if target.endswith("/"):
                resolved = resolved / "index.html"
            if not resolved.exists():
                errors.append(f"{path.relative_to(book.resolve())}: broken link {link}")
            elif fragment and resolved in pages and fragment not in pages[resolved].ids:
                errors.append(f"{path.relative_to(book.resolve())}: no anchor #{fragment} in {target or 'this page'}")
    for meta in rules:
        url = meta.get("url") or ""
        if not url.startswith(homepage):
            errors.append(f"{meta['code']}: its URL {url!r} is not under {homepage}")
        elif not (book / url[len(homepage):]).is_file():
            errors.append(f"{meta['code']}: {url} has no page ({url[len(homepage):]})")
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build"])
    parser.add_argument("--bin", default=str(ROOT / "target" / "debug" / "sfn-lint"))
    parser.add_argument("--mdbook", default="mdbook")
    parser.add_argument("--out", default=str(ROOT / "target" / "docs"))
    args = parser.parse_args()

    out = pathlib.Path(args.out)
    rules = generate(out, args.bin)
    subprocess.run([args.mdbook, "build", str(out)], check=True)
    homepage = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["homepage"]
    site = tomllib.loads((ROOT / "docs" / "book.toml").read_text())["output"]["html"]["site-url"]
    if not homepage.endswith(site):
        print(f"docs: book.toml's site-url {site} is not the path of Cargo.toml's homepage {homepage}", file=sys.stderr)
        return 1
    errors = check(out / "book", rules, homepage, site)
    for error in errors:
        print(f"docs: {error}", file=sys.stderr)
    if errors:
        return 1
    print(f"docs: {len(rules)} rule pages, every link resolves: {out / 'book'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
