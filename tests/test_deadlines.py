"""The deadline grammar (pipeline/patterns/deadlines.tsv) on every phrase form of the contract
(EXTRACTION.md §4): cells of several items, prose, anchors. Single phrases are the examples
written beside each rule in the data file. Expected values are written by hand from the contract."""
import pytest

from pipeline.deadlines import find_in_prose, parse_cell, parse_item

# Every rule's phrases are examples beside it in pipeline/patterns/deadlines.tsv (tests/test_patterns.py).


def test_relative_and_event_keep_their_anchor():
    assert parse_item("Trong 01 tháng, sau khi Trung ương có văn bản hướng dẫn thực hiện").anchor == \
        "Trung ương có văn bản hướng dẫn thực hiện"
    assert parse_item("Các nhiệm vụ cụ thể được triển khai theo KH").anchor == "Kế hoạch"


@pytest.mark.parametrize("phrase", ["Chưa xác định", "Sở Tài chính", "", "quý khách", "ngày 32/13/2025"])
def test_not_deadlines(phrase):
    assert parse_item(phrase) is None


def test_cell_with_several_items():
    items = parse_cell("- Đề án hoàn thành trong quý II/2025 - Các hoạt động triển khai thường xuyên, tuần, tháng quý, năm")
    assert [(d.kind, d.value) for d in items] == [("quarter", "2025-Q2"), ("ongoing", None)]
    assert items[0].raw == "Đề án hoàn thành trong quý II/2025"
    items = parse_cell("Năm 2025\nQuý I/2026")
    assert [d.value for d in items] == ["2025", "2026-Q1"]


PROSE = [
    # text, expected (kind, value or due, recurrence)
    ("Nội dung này hoàn thành trong tháng 11/2022.", [("month", "2022-11", None)]),
    ("Phân bổ kinh phí sự nghiệp hằng năm đạt từ 0,5 - 1,0% tổng chi thường xuyên ngân sách tỉnh và bố trí "
     "nâng dần đến năm 2025 đạt tỷ lệ 1%.", [("recurring", None, "P1Y"), ("year", "2025", None)]),
    ("Định kỳ 6 tháng (trước ngày 30/6), năm (trước ngày 30/11) hoặc đột xuất báo cáo.",
     [("recurring", "XXXX-06-30", "P6M"), ("recurring", "XXXX-11-30", "P1Y")]),
    ("Thường xuyên đôn đốc, kiểm tra, định kỳ hàng năm đánh giá báo cáo kết quả thực hiện.",
     [("ongoing", None, None), ("recurring", None, "P1Y")]),
    ("Định kỳ hàng năm gửi báo cáo về Sở Khoa học và Công nghệ trước ngày 20 tháng 11 để tổng hợp.",
     [("recurring", "XXXX-11-20", "P1Y")]),
    # names of strategies, periods and document dates are not deadlines
    ("Tuyên truyền Chương trình giai đoạn đến năm 2025, định hướng đến năm 2030.", []),
    ("Triển khai Chiến lược phát triển khoa học, công nghệ và đổi mới sáng tạo đến năm 2030.", []),
    ("Thực hiện Kế hoạch số 1693/KH-UBND ngày 07 tháng 6 năm 2023 của Ủy ban nhân dân tỉnh.", []),
    ("Kiểm tra thường xuyên và đột xuất việc chấp hành; bố trí chi thường xuyên.", []),
]


@pytest.mark.parametrize("text,expected", PROSE)
def test_prose(text, expected):
    got = [(d.kind, d.value, d.recurrence) for d in find_in_prose(text)]
    assert got == expected


def test_nfd_input_gives_the_same_result():
    import unicodedata
    phrase = "Trong quý II năm 2025"
    assert parse_item(unicodedata.normalize("NFD", phrase)).value == parse_item(phrase).value == "2025-Q2"
