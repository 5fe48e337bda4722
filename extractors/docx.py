"""DOCX -> Document with python-docx: body paragraphs and tables in order, automatic numbering
rebuilt from numbering.xml, merged cells resolved. Headers, footers and text boxes are ignored;
footnotes go to Document.footnotes."""
from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

from extractors import sha256_of
from extractors.blocks import clean, table_block, text_block
from schemas.document import Block, Document, ExtractionError

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIP = {qn("w:pPr"), qn("w:rPr"), qn("w:txbxContent"), qn("w:del"), qn("w:instrText"), _MC_FALLBACK}
_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
# Bullet characters of Symbol/Wingdings fonts (private use area) and their look-alikes.
_BULLET_CHARS = {"\uf0b7": "•", "\uf0a7": "•", "\uf0d8": "•", "\uf0fc": "•", "\uf076": "•",
                 "\uf02d": "-", "\uf0be": "-", "o": "•", "§": "•", "": "•"}


def read_docx(path: str | Path) -> Document:
    path = Path(path)
    try:
        doc = docx.Document(str(path))
    except Exception as e:  # zipfile, lxml and python-docx errors on damaged files
        raise ExtractionError(path, f"not a readable Word document ({type(e).__name__}: {e})") from e
    reader = _Reader(doc)
    blocks = reader.body(doc.element.body)
    if not blocks:
        raise ExtractionError(path, "no readable text in the document body")
    return Document(str(path), sha256_of(path), "docx", None, blocks, _footnotes(doc),
                    extractor="python-docx")


class _Reader:
    def __init__(self, doc):
        self.styles = {s.style_id: s for s in doc.styles}
        self.numbering = _Numbering(doc)
        self.blocks: list[Block] = []

    def body(self, body) -> list[Block]:
        for el in _content(body):
            block = self.paragraph(el) if el.tag == qn("w:p") else self.table(el)
            if block is not None:
                block.index = len(self.blocks)
                self.blocks.append(block)
        return self.blocks

    def paragraph(self, p) -> Block | None:
        style = self._style(p)
        label = self._label(p, style)
        text = clean(paragraph_text(p)).replace("\n", " ")
        if not text and not label:
            return None
        bold = self._bold(p, style)
        if _is_heading(style):
            return Block("heading", clean(f"{label or ''} {text}"), bold=bold)
        if label is not None:
            return Block("list_item", text, label=label, bold=bold)
        return text_block(text, bold=bold)

    def table(self, tbl) -> Block | None:
        rows: list[list[str]] = []
        for tr in _children(tbl, "w:tr"):
            before = _int_val(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0)
            row = [""] * before
            for tc in _children(tr, "w:tc"):
                tcPr = tc.find(qn("w:tcPr"))
                span = _int_val(tcPr.find(qn("w:gridSpan")) if tcPr is not None else None, 1)
                vmerge = tcPr.find(qn("w:vMerge")) if tcPr is not None else None
                col = len(row)
                if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                    above = rows[-1] if rows else []
                    text = above[col] if col < len(above) else ""
                else:
                    text = self.cell_text(tc)
                row += [text] + [""] * (span - 1)
            rows.append(row)
        return table_block(rows)

    def cell_text(self, tc) -> str:
        """A cell's paragraphs (nested tables flattened) joined by newlines, labels kept."""
        out = []
        for el in _content(tc):
            if el.tag == qn("w:tbl"):
                out += [self.cell_text(inner) for tr in _children(el, "w:tr") for inner in _children(tr, "w:tc")]
                continue
            label = self._label(el, self._style(el))
            text = clean(paragraph_text(el)).replace("\n", " ")
            out.append(f"{label} {text}" if label else text)
        return "\n".join(t for t in out if t.strip())

    def _style(self, p):
        sid = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style = self.styles.get(sid.get(qn("w:val"))) if sid is not None else None
        return style or self.styles.get(_default_style_id(self.styles))

    def _label(self, p, style) -> str | None:
        num_pr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        s = style
        while num_pr is None and s is not None:
            num_pr = s.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            s = s.base_style
        if num_pr is None:
            return None
        num_id = _int_val(num_pr.find(qn("w:numId")), None)
        ilvl = _int_val(num_pr.find(qn("w:ilvl")), 0)
        return self.numbering.next_label(num_id, ilvl) if num_id else None

    def _bold(self, p, style) -> bool:
        """Every run with visible text is bold (directly, by its character style or by the
        paragraph style)."""
        para_bold = _style_bold(style) or False
        seen = False
        for r in p.iter(qn("w:r")):
            if not "".join(t.text or "" for t in r.iter(qn("w:t"))).strip():
                continue
            seen = True
            rpr = r.find(qn("w:rPr"))
            b = _on_off(rpr.find(qn("w:b"))) if rpr is not None else None
            if b is None and rpr is not None and rpr.find(qn("w:rStyle")) is not None:
                b = _style_bold(self.styles.get(rpr.find(qn("w:rStyle")).get(qn("w:val"))))
            if not (para_bold if b is None else b):
                return False
        return seen


def _content(parent):
    """Paragraphs and tables of a body or cell in order, looking inside content controls."""
    for el in parent:
        if el.tag in (qn("w:p"), qn("w:tbl")):
            yield el
        elif el.tag in (qn("w:sdt"), qn("w:customXml"), qn("w:sdtContent")):
            yield from _content(el)


def _children(el, tag: str):
    """Direct children with `tag`, also those wrapped in content controls."""
    for child in el:
        if child.tag == qn(tag):
            yield child
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            yield from _children(child, tag)


def paragraph_text(p) -> str:
    """Visible text of a w:p: runs, tabs and breaks as spaces; deleted text, field codes,
    text boxes and fallback copies skipped."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(el, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == qn("w:t"):
            out.append(child.text or "")
        elif tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
            out.append(" ")
        elif tag == qn("w:noBreakHyphen"):
            out.append("-")
        else:
            _collect(child, out)


def _is_heading(style) -> bool:
    while style is not None:
        name = (style.name or "").lower()
        if name.startswith("heading") or name == "title":
            return True
        style = style.base_style
    return False


def _style_bold(style) -> bool | None:
    while style is not None:
        if style.font.bold is not None:
            return style.font.bold
        style = style.base_style
    return None


def _default_style_id(styles: dict) -> str | None:
    for sid, s in styles.items():
        if s.element.get(qn("w:default")) in ("1", "true") and s.element.get(qn("w:type")) == "paragraph":
            return sid
    return None


def _on_off(el) -> bool | None:
    if el is None:
        return None
    return el.get(qn("w:val"), "true") not in ("0", "false", "off", "none")


def _int_val(el, default):
    if el is None:
        return default
    try:
        return int(el.get(qn("w:val")))
    except (TypeError, ValueError):
        return default


class _Numbering:
    """Word's list counters: numId -> abstractNum levels (numFmt, lvlText, start), counted in
    document order; a level's counter restarts when a higher level advances."""

    def __init__(self, doc):
        self.nums: dict[int, tuple[int, dict[int, int]]] = {}
        self.levels: dict[int, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[int, dict[int, int]] = {}
        self.started: set[int] = set()
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for a in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in a.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    _int_val(lvl.find(qn("w:start")), 1))
            self.levels[int(a.get(qn("w:abstractNumId")))] = levels
        for n in root.findall(qn("w:num")):
            overrides = {int(o.get(qn("w:ilvl"))): _int_val(o.find(qn("w:startOverride")), 1)
                         for o in n.findall(qn("w:lvlOverride")) if o.find(qn("w:startOverride")) is not None}
            self.nums[int(n.get(qn("w:numId")))] = (_int_val(n.find(qn("w:abstractNumId")), -1), overrides)

    def next_label(self, num_id: int, ilvl: int) -> str | None:
        if num_id not in self.nums:
            return None
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return None
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:   # a list instance with its own start values
            self.started.add(num_id)
            for lv, start in overrides.items():
                counters[lv] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [lv for lv in counters if lv > ilvl]:
            del counters[deeper]
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet":
            return _BULLET_CHARS.get(text, text) or "•"
        if fmt == "none":
            return clean(re.sub(r"%\d", "", text)) or None

        def level_value(m):
            lv = int(m.group(1)) - 1
            lfmt, _, lstart = levels.get(lv, ("decimal", "", 1))
            return _format(counters.get(lv, lstart), lfmt)

        return clean(re.sub(r"%(\d)", level_value, text)) or None


def _format(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        r = _roman(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        # Word repeats the letter past z: aa, bb, …
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + digits, n - value
    return out


def _footnotes(doc) -> list[str]:
    for rel in doc.part.rels.values():
        if rel.reltype == _FOOTNOTES and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            notes = []
            for note in root.findall(qn("w:footnote")):
                if note.get(qn("w:type")) in (None, "normal"):
                    text = clean(" ".join(paragraph_text(p) for p in note.iter(qn("w:p"))))
                    if text:
                        notes.append(text)
            return notes
    return []
