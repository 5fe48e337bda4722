"""Text and Markdown exports of plans: hard-wrapped prose, tab-separated table rows, and
stray HTML fragments or Markdown emphasis left by converters."""
from __future__ import annotations

import re
from pathlib import Path

from extractors import sha256_of
from extractors.encoding import not_utf8
from extractors.lines import clean, join_lines, nfc
from schemas.numbering import split_label
from schemas.document import Block, Document, ExtractionError

BREAK_TAGS = re.compile(r"<\s*(?:br|/p|/li|/div)\s*/?>", re.I)
TAGS = re.compile(r"<[^>]{0,300}>")
BOLD = re.compile(r"\*\*(.{1,2000}?)\*\*|__(.{1,2000}?)__", re.S)
SUPERSCRIPT = re.compile(r"<sup>.{0,20}?</sup>", re.I)   # footnote references in body text
MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")      # Markdown rule: a footnote area follows
SEPARATOR_ROW = re.compile(r"^[\s\t:|-]+$")              # Markdown table separator row
EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def strip_markup(text: str) -> str:
    """Remove HTML tags and Markdown emphasis, keeping their text."""
    text = SUPERSCRIPT.sub("", text)
    text = BREAK_TAGS.sub("\n", text)
    text = TAGS.sub("", text)
    text = BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = EMPHASIS.sub(r"\1", text)
    for entity, char in (("&nbsp;", " "), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"')):
        text = text.replace(entity, char)
    return text


def cell_text(cell: str) -> str:
    """A table cell: markup removed, each inner paragraph cleaned, paragraphs joined by newlines."""
    parts = [clean(p) for p in strip_markup(cell).split("\n")]
    return "\n".join(p for p in parts if p)


def read_table(rows: list[tuple[int, list[str]]]) -> Block:
    """Tab-separated rows → one table block; a row with an empty first cell continues the row above."""
    width = max(len(cells) for _, cells in rows)
    table: list[list[str]] = []
    lines: list[int] = []
    for number, cells in rows:
        cells = [cell_text(c) for c in cells] + [""] * (width - len(cells))
        if table and not cells[0] and any(cells):
            table[-1] = [join_cell(a, b) for a, b in zip(table[-1], cells)]
            continue
        table.append(cells)
        lines.append(number)
    text = "\n".join(" | ".join(r) for r in table)
    return Block(kind="table", text=text, rows=table, line=lines[0])


def join_cell(a: str, b: str) -> str:
    if not b:
        return a
    if not a:
        return b
    return f"{a}\n{b}" if split_label(b)[0] in ("-", "+", "•") else f"{a} {b}"


def paragraph_block(line: int, text: str, heading: bool) -> Block:
    label, rest = split_label(text)
    if label:
        return Block(kind="list_item", text=rest, label=label, line=line, bold=heading)
    return Block(kind="heading" if heading else "paragraph", text=text, line=line)


def read_text(path: Path) -> Document:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractionError(path, not_utf8(raw)) from None
    if "\x00" in content:
        raise ExtractionError(path, "binary data in a text file")
    content = nfc(content.replace("\r\n", "\n").replace("\r", "\n"))
    content = BOLD.sub(lambda m: m.group(1) or m.group(2), content)  # may span lines

    blocks: list[Block] = []
    prose: list[tuple[int, str]] = []
    rows: list[tuple[int, list[str]]] = []
    headings: set[int] = set()
    footnotes: list[str] = []
    in_footnotes = False      # after a Markdown rule: footnotes until the body resumes
    footnote_gap = False

    def flush_prose():
        blocks.extend(paragraph_block(n, t, n in headings) for n, t in join_lines(prose))
        prose.clear()

    def flush_rows():
        if rows:
            blocks.append(read_table(rows))
            rows.clear()

    for number, line in enumerate(content.split("\n"), 1):
        if "\t" in line:
            flush_prose()
            if not SEPARATOR_ROW.match(line):
                rows.append((number, line.split("\t")))
            continue
        if rows and not line.strip():
            continue  # blank lines between table rows
        flush_rows()
        if RULE.match(line):
            in_footnotes, footnote_gap = True, False
            footnotes.append("")
            continue
        if in_footnotes:
            if not line.strip():
                footnote_gap = bool(footnotes[-1])
                continue
            if line.lstrip().lower().startswith("<sup>"):
                footnotes.append(clean(strip_markup(line)))
                footnote_gap = False
                continue
            if not footnote_gap:
                footnotes[-1] = clean(f"{footnotes[-1]} {strip_markup(line)}")
                continue
            in_footnotes = False
        if MD_HEADING.match(line):
            line = MD_HEADING.sub("", line)
            headings.add(number)
        prose.append((number, strip_markup(line).replace("\n", " ")))
    flush_prose()
    flush_rows()
    if not any(b.text for b in blocks):
        raise ExtractionError(path, "no readable text")
    for i, block in enumerate(blocks):
        block.index = i
    return Document(path=str(path), sha256=sha256_of(path), format="md" if path.suffix.lower() == ".md" else "txt",
                    pages=None, blocks=blocks, footnotes=[f for f in footnotes if f],
                    extractor="text")
