"""Shared test helpers.

require_or_skip: a test whose outside requirement is missing (the PostgreSQL server,
Chromium, the shared corpus in ../shared) is skipped with the reason, locally; with
PLANS_REQUIRE_ALL=1 (set by .ci/run) it fails instead, so that nothing vanishes in CI.

    from conftest import require_or_skip
    if not corpus.exists():
        require_or_skip(f"the shared corpus is not at {corpus}")
"""
from __future__ import annotations

import os

import pytest


def require_or_skip(reason: str) -> None:
    """Skip the running test for `reason`, or fail it when PLANS_REQUIRE_ALL=1."""
    if os.environ.get("PLANS_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (PLANS_REQUIRE_ALL=1: every test must run)", pytrace=False)
    pytest.skip(reason)
