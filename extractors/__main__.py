"""Print the block outline of a file: python -m extractors FILE [--rows]"""
from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.markup import escape

from extractors import read
from schemas.document import Block, ExtractionError

WIDTH = 100


def short(text: str, width: int = WIDTH) -> str:
    text = text.replace("\n", " / ")
    return text if len(text) <= width else text[: width - 1] + "…"


def where(block: Block) -> str:
    if block.page is not None:
        return f"p{block.page}"
    if block.line is not None:
        return f"l{block.line}"
    return ""


def outline(block: Block, rows: bool) -> list[str]:
    flags = "".join(f for f, on in (("B", block.bold), ("O", block.ocr)) if on)
    head = f"[dim]{block.index:>4} {where(block):>5} {flags:<2}[/dim] "
    if block.kind == "table":
        width = len(block.rows[0]) if block.rows else 0
        pages = sorted({p for p in block.row_pages or [] if p is not None})
        span = f", pages {pages[0]}–{pages[-1]}" if len(pages) > 1 else ""
        out = [head + f"[bold magenta]table[/] {len(block.rows)} rows × {width} cols{span}"]
        shown = block.rows if rows else block.rows[:3]
        for row in shown:
            out.append(" " * 15 + "│ " + escape(" | ".join(short(c, 28) for c in row)))
        if not rows and len(block.rows) > 3:
            out.append(" " * 15 + f"[dim]… {len(block.rows) - 3} more rows (--rows shows all)[/dim]")
        return out
    color = {"heading": "bold cyan", "list_item": "green", "paragraph": "white"}[block.kind]
    label = f"[yellow]{escape(block.label)}[/] " if block.label else ""
    return [head + f"[{color}]{block.kind:<9}[/] " + label + escape(short(block.text))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractors", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--rows", action="store_true", help="print every table row")
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    try:
        doc = read(args.file)
    except ExtractionError as e:
        Console(stderr=True).print(f"[red]error:[/] {escape(str(e))}")
        return 1
    console.print(f"[bold]{escape(doc.path)}[/]  {doc.format}, {doc.pages or '-'} pages, "
                  f"{len(doc.blocks)} blocks, extractor {doc.extractor}{', OCR' if doc.ocr else ''}  "
                  f"[dim]sha256 {doc.sha256[:12]}[/dim]")
    for block in doc.blocks:
        for line in outline(block, args.rows):
            console.print(line)
    for i, note in enumerate(doc.footnotes, 1):
        console.print(f"[dim]footnote {i}:[/dim] {escape(short(note))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
