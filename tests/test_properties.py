"""Property-based tests (hypothesis) for the deadline normalizer and the agency canonicalizer:
no crash on arbitrary text, due never before start, canonical names are fixed points, NFC
and NFD spellings of the same text give the same result."""
from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.agencies import agencies_in, find_roles, matching_form
from pipeline.deadlines import find_in_prose, parse_cell, parse_item
from schemas.plan import DEADLINE_KINDS

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# Words that build deadline phrases and agency names, so that most examples reach the rules
# instead of stopping at the first unknown character.
DEADLINE_WORDS = ["trong", "quý", "I", "II", "III", "IV", "IV2025", "tháng", "năm", "ngày",
                  "trước", "chậm nhất là", "hằng năm", "hằng tháng", "hằng quý", "thường xuyên",
                  "Thường xuyên", "6 tháng đầu năm", "6 tháng cuối năm", "bắt đầu từ", "từ",
                  "sau khi", "Trung ương", "ban hành", "kể từ", "theo tiến độ", "hoàn thành",
                  "/", "-", ",", ".", ";", "\n", "- ", "2025", "2022", "1999", "0", "00", "13",
                  "29/02/2023", "31/4/2024", "15/11", "30/6/2025", "01", "12", "20", "99",
                  "Quý", "QUÝ", "Tháng", "NĂM", "hoá", "đ", "\u0301", "9999", "0000"]
AGENCY_WORDS = ["Sở", "Tài chính", "Khoa học và Công nghệ", "KH&CN", "UBND", "Ủy ban nhân dân",
                "Uỷ ban nhân dân", "tỉnh", "các", "huyện", "thị xã", "thành phố", "xã", "phường",
                "Các sở, ban, ngành", "cấp huyện", "chủ trì", "phối hợp", "phối hợp với", "và",
                ",", ";", ":", "-", "–", "(", ")", "Văn hóa, Thể thao và Du lịch",
                "Văn hoá", "Lao động - Thương binh và Xã hội", "Công an tỉnh", "BCH",
                "Quân sự", "Trung tâm", "Báo", "Đài Phát thanh và Truyền hình", "liên quan",
                "MTTQ", "HĐND", "VPUB", "Nội vụ", "Sở Nội vụ", "Thủy", "Thuỷ", "lợi", "\n", " "]


def phrases(words: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(words), max_size=14).map(" ".join)


deadline_text = st.one_of(st.text(max_size=120), phrases(DEADLINE_WORDS))
agency_text = st.one_of(st.text(max_size=120), phrases(AGENCY_WORDS))


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def check_deadline(d) -> None:
    assert d.kind in DEADLINE_KINDS
    for value in (d.due, d.start):
        if value is not None:
            date.fromisoformat(value)
    if d.due and d.start:
        assert d.due >= d.start, d


def comparable(items) -> list[tuple]:
    """A deadline without its raw phrase (raw is the source text, in its own normal form)."""
    return [(d.kind, d.value, d.due, d.start, d.recurrence,
             nfc(d.anchor) if d.anchor else None) for d in items]


# -- deadlines -------------------------------------------------------------------------------

@SETTINGS
@given(deadline_text)
def test_parse_item_never_crashes_and_dates_are_valid(text):
    d = parse_item(text)
    if d is not None:
        check_deadline(d)


@SETTINGS
@given(deadline_text)
def test_parse_cell_and_prose_never_crash(text):
    for d in parse_cell(text) + find_in_prose(text):
        check_deadline(d)


@SETTINGS
@given(deadline_text)
def test_deadlines_nfc_and_nfd_agree(text):
    a, b = nfc(text), nfd(text)
    assert comparable(filter(None, [parse_item(a)])) == comparable(filter(None, [parse_item(b)]))
    assert comparable(parse_cell(a)) == comparable(parse_cell(b))
    assert comparable(find_in_prose(a)) == comparable(find_in_prose(b))


@SETTINGS
@given(st.integers(1900, 2099), st.integers(1, 12), st.integers(1, 31),   # the grammar's years
       st.sampled_from(["trước ngày {d}/{m}/{y}", "trong tháng {m}/{y}", "trước tháng {m}/{y}",
                        "Bắt đầu từ năm {y}", "trong năm {y}", "hằng năm trước ngày {d}/{m}",
                        "quý {q}/{y}", "6 tháng đầu năm {y}"]))
def test_wellformed_phrases_give_due_on_or_after_start(y, m, d, form):
    q = ["I", "II", "III", "IV"][(m - 1) // 3]
    item = parse_item(form.format(y=y, m=m, d=d, q=q))
    valid_day = d <= [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31,
                      30, 31, 31, 30, 31, 30, 31][m - 1]
    if "{d}" in form and not valid_day:
        return   # an impossible day may be refused; it must not crash
    assert item is not None, form
    check_deadline(item)


@SETTINGS
@given(st.integers(1900, 2098), st.integers(1, 12))
def test_start_and_due_in_one_cell(y, m):
    """A cell giving a start and a due: each item valid; the start is not after a due in the
    same year range."""
    items = parse_cell(f"- Bắt đầu từ năm {y}\n- Hoàn thành trong năm {y + 1}")
    kinds = {d.kind: d for d in items}
    assert kinds["start"].start <= kinds["year"].due


# -- agencies --------------------------------------------------------------------------------

@SETTINGS
@given(agency_text)
def test_agencies_never_crash_and_are_canonical_fixed_points(text):
    names = agencies_in(text)
    lead, support = find_roles(text)
    assert not set(lead) & set(support)
    for name in names + lead + support:
        assert name == nfc(name)
        assert agencies_in(name) == [name], name          # canonicalization is idempotent
        assert matching_form(matching_form(name)) == matching_form(name)


@SETTINGS
@given(agency_text)
def test_agencies_nfc_and_nfd_agree(text):
    assert agencies_in(nfc(text)) == agencies_in(nfd(text))
    assert find_roles(nfc(text)) == find_roles(nfd(text))
    assert find_roles(nfc(text), "lead") == find_roles(nfd(text), "lead")


@SETTINGS
@given(agency_text)
def test_matching_form_is_idempotent(text):
    once = matching_form(text)
    assert matching_form(once) == once
    assert matching_form(nfd(text)) == once
