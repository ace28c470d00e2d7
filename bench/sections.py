"""Sections of bench/results.md written by different benchmarks.

`bench.customers` writes the page timings at the top of the file; each other benchmark writes
its own section between two marker comments, replaced on its next run and kept by the others.
"""

from __future__ import annotations

import re
from pathlib import Path


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- section: {name} -->", f"<!-- end of section: {name} -->"


SECTION = re.compile(r"<!-- section: (?P<name>[\w.-]+) -->.*?<!-- end of section: (?P=name) -->\n?", re.S)


def sections_of(text: str) -> str:
    """Every marked section of `text`, in order (what another benchmark's rewrite keeps)."""
    return "".join(match.group(0) for match in SECTION.finditer(text))


def without_sections(text: str) -> str:
    return SECTION.sub("", text)


def write_section(path: Path, name: str, body: str) -> None:
    """Put `body` in the section `name` of the file at `path`, replacing its last version
    (appended at the end the first time)."""
    start, end = _markers(name)
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        text = f"{text.rstrip()}\n\n{block}" if text.strip() else block
    path.write_text(text, encoding="utf-8")


def keep_sections(path: Path, text: str) -> str:
    """`text` (a benchmark's whole report) followed by the sections other benchmarks left in
    the file at `path`."""
    kept = sections_of(path.read_text(encoding="utf-8")) if path.exists() else ""
    text = without_sections(text).rstrip() + "\n"
    return f"{text}\n{kept}" if kept else text
