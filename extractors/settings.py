"""PDF layout tolerances: one frozen settings object with documented defaults.

Lengths are PDF points or multiples of the font size of the line at hand ("× size"); shares
are fractions of a page height or of a sorted list. The defaults are what the samples and the
hand-made layouts in the tests were tuned on; change one only with a test showing why.
`TABLE_FINDER` is pdfplumber's table finder configuration, given explicitly (its defaults).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

TABLE_FINDER = MappingProxyType({
    "vertical_strategy": "lines", "horizontal_strategy": "lines",  # ruled tables only
    "snap_tolerance": 3, "join_tolerance": 3,              # points: edges merged / joined
    "edge_min_length": 3, "edge_min_length_prefilter": 1,  # points: shorter edges ignored
    "intersection_tolerance": 3,                           # points: edges meeting
    "min_words_vertical": 3, "min_words_horizontal": 1,    # (text strategies only)
})


@dataclass(frozen=True)
class LayoutSettings:
    # words → lines (layout.make_lines, row_lines, join_words)
    same_row: float = 0.5          # a word joins a row when its top is less than this × the height of the row's first word below it
    touching: float = 0.1          # words closer than this × size are one word (a font change mid-word)
    column_gap: float = 3.0        # a gap wider than this × size, and than
    column_gap_min: float = 30.0   # this many points, splits a row into column segments
    # the text frame of a page (layout.Frame.of, pdf._frames)
    frame_min_lines: int = 5       # with fewer body lines a page borrows the frame of pages of its shape
    frame_left: float = 0.1        # the left edge: this share into the sorted line starts
    frame_right: float = 0.9       # the right edge: this share into the sorted line ends
    frame_size: float = 12.0       # font size assumed when there are no lines
    frame_line_gap: float = 0.3    # line gap (× size) assumed when lines never follow each other
    paragraph_gap: float = 0.6     # a gap over the usual line gap + this × size starts a paragraph
    blank_frame: tuple[float, float, float] = (0.1, 0.9, 20.0)  # left, right (share of page width), gap (points) of a page shape without text
    # lines → paragraphs (layout.continues, _centered)
    size_change: float = 0.15      # sizes differing by more than this share: different paragraphs
    word_slack: float = 0.25       # the next line's first word + this × size would have fitted
    room_slack: float = 0.5        # in the room left on the line minus this × size: the line was not full
    indent: float = 0.4            # × size: x positions closer than this are aligned
    centered: float = 0.8          # × size: left and right indents this close mean a centred line
    centered_indent: float = 1.0   # × size: a centred line is indented more than this from the left
    # running headers, footers and footnotes (pdf)
    margin: float = 0.12           # share of the page height at top and bottom where headers and footers live
    edge_lines: int = 2            # lines looked at at each edge of a page
    running_min: int = 2           # a running line repeats (digits aside) on at least this many pages
    running_share: float = 0.5     # and on at least this share of the pages
    footnote_size: float = 0.9     # footnote lines are smaller than this × the body size
    footnote_zone: float = 0.5     # and below this share of the page height
    # hard-wrapped text lines (lines.py: text files, OCR)
    wrap_share: float = 0.9        # the wrap width: this share into the sorted line lengths
    full_line: float = 0.8         # a line this share of the wrap width long ran to the margin
    table_finder: Mapping[str, object] = field(default_factory=lambda: TABLE_FINDER)
    # ruled tables on scanned pages (ocr.ruled_cells): rules are found in the page image
    scan_gray: int = 225           # pixels darker than this (0-255) may belong to a rule (scanned rules are faint)
    scan_faint: int = 245          # a rule's faded stretch: pixels darker than this along its line
    scan_fill: float = 0.6         # a rule pixel: this share of the 9 pixels around it along the rule is dark
    scan_h_min: float = 0.5        # inches: horizontal runs shorter than this are text, not rules
    scan_v_min: float = 0.3        # inches: vertical runs shorter than this are text, not rules
    scan_join: float = 60.0        # points: pieces of one broken rule this far apart are joined
    scan_table_width: float = 0.3  # share of the page width a table spans at least
    # how PDF pages are read (pdf.read_pdf): "pdfium" reads characters and the edges of drawn
    # lines and rectangles (for pdfplumber's table finder) with pdfium, and only rotated pages
    # or slanted text with pdfplumber; "pdfplumber" reads every page with pdfplumber: the
    # reference the fast path is tested against (the same Document on every sample and corpus
    # PDF, tests/test_pdf_reader.py)
    pdf_reader: str = "pdfium"


LAYOUT = LayoutSettings()
