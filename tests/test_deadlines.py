"""The deadline grammar (pipeline/patterns/deadlines.tsv) on every phrase form of the contract
(EXTRACTION.md §4) and on phrasings the sample plans do not contain. Expected values are
written by hand from the contract."""
import pytest

from pipeline.deadlines import find_in_prose, parse_cell, parse_item

# phrase, kind, value, due, start, recurrence
ITEMS = [
    ("trong quý II/2025", "quarter", "2025-Q2", "2025-06-30", None, None),
    ("Trong Quý I năm 2025", "quarter", "2025-Q1", "2025-03-31", None, None),
    ("trong quý IV2025", "quarter", "2025-Q4", "2025-12-31", None, None),
    ("quý 3/2026", "quarter", "2026-Q3", "2026-09-30", None, None),
    ("Hoàn thành trong Quý 4 năm 2024", "quarter", "2024-Q4", "2024-12-31", None, None),
    ("trong tháng 11/2022", "month", "2022-11", "2022-11-30", None, None),
    ("tháng 12 năm 2022", "month", "2022-12", "2022-12-31", None, None),
    ("chậm nhất là tháng 3/2023", "month", "2023-03", "2023-03-31", None, None),
    ("Trong tháng 02/2024", "month", "2024-02", "2024-02-29", None, None),
    ("trước tháng 6/2023", "month", "2023-06", "2023-05-31", None, None),
    ("trước tháng 01/2025", "month", "2025-01", "2024-12-31", None, None),
    ("trước ngày 15/11/2024", "date", "2024-11-15", "2024-11-15", None, None),
    ("trước 30/9/2025", "date", "2025-09-30", "2025-09-30", None, None),
    ("Trước ngày 31 tháng 12 năm 2025", "date", "2025-12-31", "2025-12-31", None, None),
    ("Trong năm 2025", "year", "2025", "2025-12-31", None, None),
    ("Năm 2025", "year", "2025", "2025-12-31", None, None),
    ("hoàn thành trong năm 2025", "year", "2025", "2025-12-31", None, None),
    ("6 tháng đầu năm 2025", "half_year", "2025-H1", "2025-06-30", None, None),
    ("6 tháng cuối năm 2026", "half_year", "2026-H2", "2026-12-31", None, None),
    ("Thường xuyên", "ongoing", None, None, None, None),
    ("Nhiệm vụ thường xuyên", "ongoing", None, None, None, None),
    ("Thường xuyên, gắn với công tác thi đua, khen thưởng hằng năm", "ongoing", None, None, None, None),
    ("hằng năm trước ngày 05/11", "recurring", "XXXX-11-05", None, None, "P1Y"),
    ("trước ngày 15 tháng 11 hằng năm", "recurring", "XXXX-11-15", None, None, "P1Y"),
    ("Định kỳ hàng năm trước ngày 05/12", "recurring", "XXXX-12-05", None, None, "P1Y"),
    ("trước tháng 01 hằng năm", "recurring", "XXXX-01", None, None, "P1Y"),
    ("hằng năm", "recurring", None, None, None, "P1Y"),
    ("định kỳ hàng năm", "recurring", None, None, None, "P1Y"),
    ("trước ngày 20 hằng tháng", "recurring", "XXXX-XX-20", None, None, "P1M"),
    ("hằng quý", "recurring", None, None, None, "P3M"),
    ("Báo cáo hàng tháng", "recurring", None, None, None, "P1M"),
    ("Bắt đầu từ năm 2025", "start", "2025", None, "2025-01-01", None),
    ("từ năm 2025", "start", "2025", None, "2025-01-01", None),
    ("Triển khai từ tháng 7/2025", "start", "2025-07", None, "2025-07-01", None),
    ("Trong 01 tháng, sau khi Trung ương có văn bản hướng dẫn", "relative", "P1M", None, None, None),
    ("trong thời hạn 20 ngày kể từ ngày nhận được dự thảo", "relative", "P20D", None, None, None),
    ("Trong vòng 15 ngày làm việc kể từ ngày nhận hồ sơ", "relative", "P15D", None, None, None),
    ("Sau khi Trung ương ban hành các chính sách liên quan", "event", None, None, None, None),
    ("Theo tiến độ ban hành các chính sách của Trung ương", "event", None, None, None, None),
    ("Tiến độ sẽ được cập nhật theo chủ trương của Trung ương", "event", None, None, None, None),
    ("Các nhiệm vụ cụ thể được triển khai theo KH", "event", None, None, None, None),
    ("Theo kế hoạch phân bổ kinh phí hằng năm", "event", None, None, None, None),
    # ranges, bare years, anchored and periodic recurrences (phrasings of no sample plan)
    ("2027 - 2029", "year", "2029", "2029-12-31", "2027-01-01", None),
    ("Giai đoạn 2026–2028", "year", "2028", "2028-12-31", "2026-01-01", None),
    ("2027", "year", "2027", "2027-12-31", None, None),
    ("Năm 2027 và những năm tiếp theo", "start", "2027", None, "2027-01-01", None),
    ("trước ngày 10 của tháng tiếp theo", "recurring", "XXXX-XX-10", None, None, "P1M"),
    ("trước ngày 15/02 năm liền kề", "recurring", "XXXX-02-15", None, None, "P1Y"),
    ("trước 10 giờ ngày thứ Hai hằng tuần", "recurring", "XXXX-WXX-1", None, None, "P1W"),
    ("Báo cáo hằng tuần", "recurring", None, None, None, "P1W"),
    ("cập nhật số liệu hàng ngày", "recurring", None, None, None, "P1D"),
    ("họp ít nhất 1 lần/tháng", "recurring", None, None, None, "P1M"),
    ("rà soát định kỳ theo quy định", "recurring", None, None, None, None),
    ("trong vòng 12 giờ sau khi có chỉ đạo", "relative", "PT12H", None, None, None),
    ("Sau 06 tháng kể từ khi Luật có hiệu lực", "relative", "P6M", None, None, None),
    ("gửi hồ sơ trước khi họp ít nhất 07 ngày", "relative", "P7D", None, None, None),
]


@pytest.mark.parametrize("phrase,kind,value,due,start,recurrence", ITEMS)
def test_item(phrase, kind, value, due, start, recurrence):
    d = parse_item(phrase)
    assert d is not None, phrase
    assert (d.kind, d.value, d.due, d.start, d.recurrence) == (kind, value, due, start, recurrence)
    assert d.raw == phrase


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
