"""store/successions.tsv, the 2025 reorganisation as data: every line parses, names canonical
bodies and known provinces, has a date and a source; loading it is re-runnable (issue 14)."""
from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from pipeline.agencies import agencies_in
from pipeline.resources import lines
import store
from store.db_tables import Succession
from store.successions import COLUMNS, SUCCESSIONS, read_successions
from store_fixtures import db, db_url, pg_admin  # noqa: F401

DATA = [(n, line) for n, line in enumerate(SUCCESSIONS.read_text("utf-8").splitlines(), 1)
        if line.strip() and not line.startswith("#")][1:]          # after the header row
PROVINCES = set(lines("provinces.txt"))


def test_the_header_names_the_columns():
    header = next(line for line in SUCCESSIONS.read_text("utf-8").splitlines()
                  if not line.startswith("#"))
    assert tuple(header.split("\t")) == COLUMNS
    assert len(read_successions()) == len(DATA) >= 20


@pytest.mark.parametrize("number, line", DATA, ids=[f"line{n}" for n, _ in DATA])
def test_each_line(number, line, tmp_path):
    one = tmp_path / "one.tsv"
    one.write_text("\t".join(COLUMNS) + "\n" + line + "\n", encoding="utf-8")
    row, = read_successions(one)
    for body in (row["predecessor"], row["successor"]):
        assert body == "*" or agencies_in(body) == [body], f"{body!r} is not a canonical name"
    for province in (row["predecessor_province"], row["successor_province"]):
        assert province == "*" or province in PROVINCES, f"{province!r} is not a province"
    assert date(2025, 1, 1) <= row["effective"] <= date(2025, 12, 31)
    assert len(row["source"]) > 20
    assert ("Nghị" in row["source"] or "Quyết định" in row["source"]
            or "NOT VERIFIED" in row["source"]), "name the resolution or say NOT VERIFIED"


def test_the_issue_mergers_are_there():
    rows = {(r["predecessor"], r["predecessor_province"], r["successor"], r["successor_province"],
             r["share"]) for r in read_successions()}
    for old, new in [("Ninh Thuận", "Khánh Hòa"), ("Bình Thuận", "Lâm Đồng"),
                     ("Đắk Nông", "Lâm Đồng"), ("Kon Tum", "Quảng Ngãi")]:
        assert ("*", old, "*", new, "whole") in rows
    for old, new in [("Sở Kế hoạch và Đầu tư", "Sở Tài chính"),
                     ("Sở Giao thông vận tải", "Sở Xây dựng"),
                     ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Môi trường"),
                     ("Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Môi trường"),
                     ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ"),
                     ("Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ"),
                     ("Ban Dân tộc tỉnh", "Sở Dân tộc và Tôn giáo"),
                     ("Cục Thuế tỉnh", "Thuế tỉnh"),
                     ("Đài Phát thanh và Truyền hình tỉnh", "Báo và Phát thanh, Truyền hình tỉnh")]:
        assert (old, "*", new, "*", "whole") in rows
    for part in ("Sở Y tế", "Sở Giáo dục và Đào tạo"):
        assert ("Sở Lao động - Thương binh và Xã hội", "*", part, "*", "part") in rows


@pytest.mark.parametrize("bad, cause", [
    ("Sở A\t*\tSở B\t*\t2025-13-01\twhole\tNghị định x", "not an ISO date"),
    ("Sở A\t*\tSở B\t*\t2025-03-01\tsome\tNghị định x", "share"),
    ("Sở A\t*\tSở B\t*\t2025-03-01\twhole", "non-empty"),
    ("*\t*\t*\tLâm Đồng\t2025-07-01\twhole\tNghị quyết x", "names both provinces"),
])
def test_a_bad_line_is_refused_with_its_line_number(bad, cause, tmp_path):
    path = tmp_path / "s.tsv"
    path.write_text("# comment\n" + "\t".join(COLUMNS) + "\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"s\.tsv:3: .*{cause}"):
        read_successions(path)


def table(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(
            Succession.predecessor, Succession.predecessor_province, Succession.successor,
            Succession.successor_province, Succession.effective, Succession.share,
            Succession.source)))


def test_the_migration_loads_the_file_and_loading_again_changes_nothing(db, tmp_path):
    expected = sorted(tuple(r[c] for c in COLUMNS) for r in read_successions())
    assert table(db) == expected
    assert store.load_successions(db) == len(expected)
    assert table(db) == expected
    edited = tmp_path / "edited.tsv"
    edited.write_text("\n".join(SUCCESSIONS.read_text("utf-8").splitlines()[:-1]) + "\n", "utf-8")
    assert store.load_successions(db, edited) == len(expected) - 1
    assert len(table(db)) == len(expected) - 1


def test_plans_db_successions(db_url):
    store.connect(db_url).dispose()
    cmd = [sys.executable, "-m", "plans.cli", "db", "successions", "--db", db_url]
    for _ in range(2):
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert f"{len(DATA)} successions" in out.stdout
