"""Limits on what one file may hold, so that a runaway input is refused at once instead of
running for minutes: PLANS_MAX_MB (default 20 MB, any file) and PLANS_MAX_PAGES (default
1000, PDF pages). A plan of a few hundred pages is well inside both."""
from __future__ import annotations

import os
from pathlib import Path

from schemas.document import ExtractionError

MAX_MB = 20.0
MAX_PAGES = 1000


def limit(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        raise ExtractionError(name, f"{name}={value!r} is not a number") from None


def check_size(path: Path) -> None:
    """Raise ExtractionError when the file is larger than PLANS_MAX_MB."""
    size, max_mb = path.stat().st_size, limit("PLANS_MAX_MB", MAX_MB)
    if size > max_mb * 1e6:
        raise ExtractionError(path, f"the file is {size / 1e6:.1f} MB, above the limit of "
                                    f"{max_mb:g} MB; split it, or raise PLANS_MAX_MB")


def check_pages(path: Path, pages: int) -> None:
    """Raise ExtractionError when a PDF has more pages than PLANS_MAX_PAGES."""
    max_pages = limit("PLANS_MAX_PAGES", MAX_PAGES)
    if pages > max_pages:
        raise ExtractionError(path, f"the PDF has {pages} pages, above the limit of "
                                    f"{max_pages:g}; split it, or raise PLANS_MAX_PAGES")
