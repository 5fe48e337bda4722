"""Plans in layouts the samples do not have, written here by hand with their expected tasks:
the rules must hold beyond the five sample plans."""
from docx import Document as Docx

from pipeline import process

HEADER = ["STT", "Tên nhiệm vụ", "Sản phẩm", "Thời hạn", "Đơn vị chủ trì", "Đơn vị phối hợp",
          "Theo dõi, kiểm tra, đôn đốc"]


def make_table_plan(path):
    doc = Docx()
    for line in ["ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "Số: 125/KH-UBND", "Lâm Đồng, ngày 05 tháng 9 năm 2025",
                 "KẾ HOẠCH", "Thực hiện chuyển đổi số năm 2025 trên địa bàn tỉnh",
                 "I. MỤC ĐÍCH, YÊU CẦU", "1. Triển khai đồng bộ các nhiệm vụ.",
                 "II. NHIỆM VỤ CỤ THỂ", "Chi tiết tại Phụ lục kèm theo.",
                 "III. TỔ CHỨC THỰC HIỆN",
                 "1. Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Tài chính theo dõi, đôn đốc; "
                 "tổng hợp báo cáo Ủy ban nhân dân tỉnh trước ngày 20 hằng tháng.",
                 "2. Ủy ban nhân dân các xã, phường, đặc khu xây dựng kế hoạch của địa phương, "
                 "hoàn thành trong tháng 10/2025."]:
        doc.add_paragraph(line)
    table = doc.add_table(rows=1, cols=len(HEADER))
    for cell, text in zip(table.rows[0].cells, HEADER):
        cell.text = text
    rows = [
        ["I", "Hạ tầng số", "", "", "", "", ""],
        ["1", "Nâng cấp Trung tâm dữ liệu tỉnh", "Trung tâm dữ liệu được nâng cấp", "Quý 3/2025",
         "Sở Khoa học và Công nghệ", "Sở Tài chính; Công an tỉnh", "Văn phòng UBND tỉnh"],
        ["2", "Phủ sóng di động đến các thôn chưa có sóng", "", "6 tháng cuối năm 2025",
         "Các doanh nghiệp viễn thông", "UBND các xã, phường, đặc khu", "Sở Khoa học và Công nghệ"],
        ["II", "Chính quyền số", "", "", "", "", ""],
        ["3", "Số hóa hồ sơ thủ tục hành chính", "Hồ sơ được số hóa", "Trước 31/12/2025",
         "Các sở: Nội vụ, Tư pháp, Xây dựng", "Trung tâm Phục vụ hành chính công tỉnh", ""],
    ]
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = text
    doc.add_paragraph("TM. ỦY BAN NHÂN DÂN")
    doc.add_paragraph("CHỦ TỊCH")
    doc.add_paragraph("Trần Văn Hiệp")
    doc.save(path)


def test_table_in_another_column_order(tmp_path):
    path = tmp_path / "plan.docx"
    make_table_plan(path)
    plan = process(path)
    assert (plan.meta.province, plan.meta.number, plan.meta.issued, plan.meta.signer) == \
        ("Lâm Đồng", "125/KH-UBND", "2025-09-05", "Trần Văn Hiệp")
    assert plan.meta.title == "Thực hiện chuyển đổi số năm 2025 trên địa bàn tỉnh"
    tasks = {t.code: t for t in plan.tasks}
    assert set(tasks) == {"1", "2", "3", "III.1", "III.2"}
    t1 = tasks["1"]
    assert (t1.group, t1.lead, t1.support, t1.result) == (
        "Hạ tầng số", ["Sở Khoa học và Công nghệ"], ["Sở Tài chính", "Công an tỉnh"],
        "Trung tâm dữ liệu được nâng cấp")
    assert [(d.kind, d.due) for d in t1.deadlines] == [("quarter", "2025-09-30")]
    t2 = tasks["2"]
    assert (t2.lead, t2.support) == (["Các doanh nghiệp viễn thông"], ["Ủy ban nhân dân cấp xã"])
    assert [(d.kind, d.value) for d in t2.deadlines] == [("half_year", "2025-H2")]
    t3 = tasks["3"]
    assert t3.group == "Chính quyền số"
    assert t3.lead == ["Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng"]
    assert t3.support == ["Trung tâm Hành chính công"]
    assert [(d.kind, d.due) for d in t3.deadlines] == [("date", "2025-12-31")]
    impl1, impl2 = tasks["III.1"], tasks["III.2"]
    assert impl1.part == impl2.part == "implementation"
    assert (impl1.lead, impl1.support) == (["Sở Khoa học và Công nghệ"], ["Sở Tài chính"])
    assert [(d.kind, d.value, d.recurrence) for d in impl1.deadlines] == [("recurring", "XXXX-XX-20", "P1M")]
    assert impl2.lead == ["Ủy ban nhân dân cấp xã"]
    assert [(d.kind, d.due) for d in impl2.deadlines] == [("month", "2025-10-31")]


def test_prose_plan_with_attribution_lines(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("\n".join([
        "KẾ HOẠCH", "Phát triển du lịch tỉnh Quảng Ninh năm 2026", "",
        "I. MỤC TIÊU", "1. Đón 20 triệu lượt khách.", "",
        "II. NHIỆM VỤ VÀ GIẢI PHÁP", "",
        "1. Phát triển sản phẩm du lịch", "",
        "a) Sở Du lịch", "",
        "- Xây dựng bộ sản phẩm du lịch đặc trưng; hoàn thành trong quý I/2026.", "",
        "- Phối hợp với Sở Văn hóa, Thể thao và Du lịch tổ chức lễ hội thường niên.", "",
        "b) Ủy ban nhân dân các huyện, thị xã, thành phố: Rà soát, quy hoạch các điểm du lịch cộng đồng.", "",
        "2. Xúc tiến, quảng bá", "",
        "- Tổ chức các đoàn famtrip cho doanh nghiệp lữ hành.", "",
        "- Cập nhật dữ liệu du lịch trên Cổng thông tin điện tử tỉnh.", "",
        "* Đơn vị thực hiện: Trung tâm Xúc tiến Du lịch chủ trì, phối hợp với Báo Quảng Ninh.", "",
        "* Thời gian thực hiện: Hằng quý.", "",
        "III. TỔ CHỨC THỰC HIỆN", "",
        "Giao Sở Du lịch theo dõi, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12/2026.", "",
        "Nơi nhận:", "- Như trên;", "", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "Nguyễn Thị Hạnh",
    ]), encoding="utf-8")
    plan = process(path)
    assert plan.meta.signer == "Nguyễn Thị Hạnh"
    assert plan.meta.province == "Quảng Ninh"
    tasks = {t.code: t for t in plan.tasks}
    assert set(tasks) == {"II.1.a.1", "II.1.a.2", "II.1.b", "II.2.1", "II.2.2", "III.1"}
    assert tasks["II.1.a.1"].lead == ["Sở Du lịch"]
    assert [(d.kind, d.value) for d in tasks["II.1.a.1"].deadlines] == [("quarter", "2026-Q1")]
    assert (tasks["II.1.a.2"].lead, tasks["II.1.a.2"].support) == (
        ["Sở Du lịch"], ["Sở Văn hóa, Thể thao và Du lịch"])
    assert tasks["II.1.b"].lead == ["Ủy ban nhân dân cấp huyện"]
    assert tasks["II.1.b"].text == "Rà soát, quy hoạch các điểm du lịch cộng đồng."
    assert tasks["II.1.b"].group == "Phát triển sản phẩm du lịch"
    for code in ("II.2.1", "II.2.2"):
        assert tasks[code].lead == ["Trung tâm Xúc tiến Du lịch"]
        assert tasks[code].support == ["Báo Quảng Ninh"]
        assert [(d.kind, d.recurrence) for d in tasks[code].deadlines] == [("recurring", "P3M")]
    duty = tasks["III.1"]          # a plain paragraph in the implementation part is a duty too
    assert (duty.part, duty.lead, duty.group) == ("implementation", ["Sở Du lịch"], None)
    assert [(d.kind, d.due) for d in duty.deadlines] == [("date", "2026-12-15")]


def test_two_row_header_and_unnumbered_rows(tmp_path):
    """"Cơ quan thực hiện" spans "Chủ trì | Phối hợp" in a second header row; rows carry no number."""
    doc = Docx()
    for line in ["KẾ HOẠCH", "Cải cách hành chính năm 2026", "A. NHIỆM VỤ"]:
        doc.add_paragraph(line)
    table = doc.add_table(rows=2, cols=4)
    top, sub = table.rows[0].cells, table.rows[1].cells
    top[0].text, top[3].text = "Nội dung công việc", "Thời gian hoàn thành"
    top[1].merge(top[2]).text = "Cơ quan thực hiện"
    top[0].merge(sub[0])
    top[3].merge(sub[3])
    sub[1].text, sub[2].text = "Chủ trì", "Phối hợp"
    for values in (["Rà soát thủ tục hành chính", "Sở Tư pháp", "Các sở, ngành", "Quý I/2026"],
                   ["Đo lường sự hài lòng của người dân", "Sở Nội vụ", "UBND cấp xã", "Tháng 11/2026"]):
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text
    path = tmp_path / "plan.docx"
    doc.save(path)
    tasks = process(path).tasks
    assert [(t.code, t.text, t.lead, t.support, [d.value for d in t.deadlines]) for t in tasks] == [
        ("1", "Rà soát thủ tục hành chính", ["Sở Tư pháp"], ["Các sở, ban, ngành cấp tỉnh"], ["2026-Q1"]),
        ("2", "Đo lường sự hài lòng của người dân", ["Sở Nội vụ"], ["Ủy ban nhân dân cấp xã"], ["2026-11"]),
    ]


def test_lettered_parts_and_separate_attribution_lines(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("\n\n".join([
        "KẾ HOẠCH", "Phòng, chống thiên tai năm 2026",
        "A. MỤC ĐÍCH, YÊU CẦU", "1. Chủ động ứng phó.",
        "B. NHIỆM VỤ TRỌNG TÂM",
        "1. Kiện toàn Ban Chỉ huy phòng, chống thiên tai các cấp.",
        "- Cơ quan chủ trì: Sở Nông nghiệp và Môi trường.",
        "- Cơ quan phối hợp: Bộ Chỉ huy Quân sự tỉnh, Công an tỉnh.",
        "- Thời gian: Quý I/2026.",
        "2. Diễn tập ứng phó bão lũ tại các xã ven biển.",
        "- Cơ quan chủ trì: Ủy ban nhân dân các xã, phường, đặc khu.",
        "- Thời gian: Trước ngày 30/6/2026.",
        "C. TỔ CHỨC THỰC HIỆN",
        "Sở Nông nghiệp và Môi trường tổng hợp, báo cáo Ủy ban nhân dân tỉnh hằng quý.",
    ]), encoding="utf-8")
    tasks = {t.code: t for t in process(path).tasks}
    assert list(tasks) == ["B.1", "B.2", "C.1"]
    first, second = tasks["B.1"], tasks["B.2"]
    assert first.text == "Kiện toàn Ban Chỉ huy phòng, chống thiên tai các cấp."
    assert (first.lead, first.support) == (["Sở Nông nghiệp và Môi trường"],
                                           ["Bộ Chỉ huy Quân sự tỉnh", "Công an tỉnh"])
    assert [d.value for d in first.deadlines] == ["2026-Q1"]
    assert second.lead == ["Ủy ban nhân dân cấp xã"]
    assert [d.due for d in second.deadlines] == ["2026-06-30"]
    duties = [t for t in tasks.values() if t.part == "implementation"]
    assert [(d.lead, [x.recurrence for x in d.deadlines]) for d in duties] == \
        [(["Sở Nông nghiệp và Môi trường"], ["P3M"])]


def test_parenthesised_labels(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("\n\n".join([
        "KẾ HOẠCH", "Thực hiện chương trình mục tiêu năm 2026",
        "II. NHIỆM VỤ",
        "1. Sở Y tế chủ trì, phối hợp với Sở Tài chính:",
        "(1) Nâng cấp trạm y tế xã; hoàn thành trong năm 2026.",
        "(2) Đào tạo nhân lực y tế cơ sở.",
        "2. Sở Giáo dục và Đào tạo: Sửa chữa trường học trước tháng 9/2026.",
    ]), encoding="utf-8")
    tasks = [(t.code, t.lead, t.support, [d.value for d in t.deadlines]) for t in process(path).tasks]
    assert tasks == [
        ("II.1.1", ["Sở Y tế"], ["Sở Tài chính"], ["2026"]),
        ("II.1.2", ["Sở Y tế"], ["Sở Tài chính"], []),
        ("II.2", ["Sở Giáo dục và Đào tạo"], [], ["2026-09"]),
    ]


def docx_plan(path, lines, rows=(), closing=(), merged=()):
    """A DOCX written by hand: paragraphs, then a table of `rows` (its empty cells left
    empty; `merged` pairs of (row, column) cells merged), then the closing paragraphs."""
    doc = Docx()
    for line in lines:
        doc.add_paragraph(line)
    if rows:
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows):
            for cell, text in zip(row.cells, values):
                if text:
                    cell.text = text
        for (r0, c0), (r1, c1) in merged:
            table.cell(r0, c0).merge(table.cell(r1, c1))
    for line in closing:
        doc.add_paragraph(line)
    doc.save(path)


def inspection_plan(path, implementation: bool):
    lines = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "Số: 88/KH-UBND", "Quảng Trị, ngày 02 tháng 3 năm 2026",
             "KẾ HOẠCH", "Kiểm tra công tác văn thư, lưu trữ năm 2026",
             "I. MỤC ĐÍCH, YÊU CẦU", "1. Đánh giá việc chấp hành quy định về văn thư.",
             "II. NỘI DUNG KIỂM TRA", "1. Việc ban hành văn bản chỉ đạo công tác văn thư.",
             "2. Việc lập hồ sơ và nộp lưu hồ sơ vào lưu trữ cơ quan."]
    if implementation:
        lines += ["III. TỔ CHỨC THỰC HIỆN",
                  "1. Sở Nội vụ chủ trì, phối hợp với Văn phòng Ủy ban nhân dân tỉnh thành lập Đoàn kiểm tra.",
                  "2. Các cơ quan được kiểm tra chuẩn bị báo cáo gửi Sở Nội vụ trước ngày 15/4/2026."]
    docx_plan(path, lines, closing=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hoàng Nam"])


def test_inspection_topics_are_tasks_only_where_nothing_else_is_assigned(tmp_path):
    """EXTRACTION §2: the topics an inspection covers are not tasks when a later section
    assigns the work; a plan that assigns nothing else has them as its tasks."""
    inspection_plan(tmp_path / "assigned.docx", implementation=True)
    plan = process(tmp_path / "assigned.docx")
    assert [(t.code, t.part) for t in plan.tasks] == [("III.1", "implementation"), ("III.2", "implementation")]
    assert plan.tasks[0].lead == ["Sở Nội vụ"]
    inspection_plan(tmp_path / "topics.docx", implementation=False)
    assert [(t.code, t.part) for t in process(tmp_path / "topics.docx").tasks] == [
        ("II.1", "tasks"), ("II.2", "tasks")]


def test_decision_carrying_a_plan(tmp_path):
    """EXTRACTION §1: a decision that issues a plan; its articles and signature come first,
    the plan after them with the caption naming the decision (not part of the title)."""
    docx_plan(tmp_path / "qd.docx", [
        "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ TỈNH", "Số: 12/QĐ-BCĐ", "Phú Thọ, ngày 10 tháng 3 năm 2026",
        "QUYẾT ĐỊNH", "Ban hành Kế hoạch giám sát chuyển đổi số năm 2026",
        "TRƯỞNG BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ TỈNH",
        "Căn cứ Quyết định số 5/QĐ-UBND ngày 02/01/2026 của Ủy ban nhân dân tỉnh;",
        "QUYẾT ĐỊNH:", "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch giám sát chuyển đổi số năm 2026.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.", "TRƯỞNG BAN", "Đinh Công Sứ",
        "KẾ HOẠCH", "Giám sát chuyển đổi số năm 2026",
        "(Kèm theo Quyết định số 12/QĐ-BCĐ ngày 10 tháng 3 năm 2026 của Trưởng Ban Chỉ đạo)",
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Đánh giá đúng kết quả chuyển đổi số.",
        "II. TỔ CHỨC THỰC HIỆN",
        "1. Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Nội vụ tổ chức giám sát trong quý II/2026.",
        "2. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch."])
    plan = process(tmp_path / "qd.docx")
    assert (plan.meta.number, plan.meta.issued, plan.meta.signer, plan.meta.title) == (
        "12/QĐ-BCĐ", "2026-03-10", "Đinh Công Sứ", "Giám sát chuyển đổi số năm 2026")
    assert [(t.code, t.lead, t.support) for t in plan.tasks] == [
        ("II.1", ["Sở Khoa học và Công nghệ"], ["Sở Nội vụ"]), ("II.2", ["Sở Tài chính"], [])]


def test_schedule_rows_under_merged_cells(tmp_path):
    """EXTRACTION §2: a content cell (and its number) merged over rows that each have their
    own date and agency gives one task per row, numbered with a suffix."""
    rows = [["STT", "Nội dung", "Thời gian", "Đơn vị thực hiện", "Đơn vị phối hợp"],
            ["1", "Phát sóng phóng sự về phòng, chống sốt xuất huyết", "23/01/2026",
             "Báo và Phát thanh, Truyền hình tỉnh", "Sở Y tế"],
            ["", "", "15/02/2026", "Trung tâm Kiểm soát bệnh tật tỉnh", "Sở Y tế"],
            ["2", "Tọa đàm trực tuyến về tiêm chủng", "20/3/2026", "Sở Y tế", ""],
            ["", "", "20/4/2026", "Sở Giáo dục và Đào tạo", ""]]
    docx_plan(tmp_path / "schedule.docx",
              ["ỦY BAN NHÂN DÂN TỈNH GIA LAI", "Số: 15/KH-UBND", "Gia Lai, ngày 05 tháng 01 năm 2026",
               "KẾ HOẠCH", "Tuyên truyền phòng, chống dịch bệnh năm 2026",
               "I. MỤC ĐÍCH, YÊU CẦU", "1. Nâng cao nhận thức của Nhân dân.",
               "II. NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN"],
              rows, closing=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Rơ Mah Tuấn"],
              merged=[((top, col), (top + 1, col)) for top in (1, 3) for col in (0, 1)])
    tasks = process(tmp_path / "schedule.docx").tasks
    assert [(t.code, t.text, t.lead, [d.due for d in t.deadlines]) for t in tasks] == [
        ("1.1", "Phát sóng phóng sự về phòng, chống sốt xuất huyết", ["Báo và Phát thanh, Truyền hình tỉnh"], ["2026-01-23"]),
        ("1.2", "Phát sóng phóng sự về phòng, chống sốt xuất huyết", ["Trung tâm Kiểm soát bệnh tật tỉnh"], ["2026-02-15"]),
        ("2.1", "Tọa đàm trực tuyến về tiêm chủng", ["Sở Y tế"], ["2026-03-20"]),
        ("2.2", "Tọa đàm trực tuyến về tiêm chủng", ["Sở Giáo dục và Đào tạo"], ["2026-04-20"])]


def test_item_headings_naming_agencies_over_their_paragraphs(tmp_path):
    """"4.4. Đề nghị Tòa án …" then an unlabelled paragraph: the heading names the task's
    agencies, the paragraph is its text; a heading with a verb ("… chỉ đạo …") names its subject."""
    path = tmp_path / "plan.txt"
    path.write_text("\n\n".join([
        "KẾ HOẠCH", "Phòng, chống buôn lậu năm 2026",
        "II. NHIỆM VỤ",
        "1. Đề nghị Tòa án nhân dân tỉnh, Viện Kiểm sát nhân dân tỉnh",
        "Đẩy nhanh xét xử các vụ án buôn lậu, gian lận thương mại.",
        "2. Bộ Chỉ huy Quân sự tỉnh chỉ đạo lực lượng dân quân",
        "Chủ trì tuần tra các tuyến đường mòn, lối mở biên giới.",
    ]), encoding="utf-8")
    tasks = [(t.code, t.text, t.lead) for t in process(path).tasks]
    assert tasks == [
        ("II.1", "Đẩy nhanh xét xử các vụ án buôn lậu, gian lận thương mại.",
         ["Tòa án nhân dân tỉnh", "Viện Kiểm sát nhân dân tỉnh"]),
        ("II.2", "Chủ trì tuần tra các tuyến đường mòn, lối mở biên giới.", ["Bộ Chỉ huy Quân sự tỉnh"]),
    ]


def test_attribution_lines_close_lettered_items_and_go_together(tmp_path):
    """A trailing "Cơ quan thực hiện:" line closes the lettered items above it; "Cơ quan chủ
    trì:" and "Cơ quan phối hợp:" lines in a row belong to the same items."""
    path = tmp_path / "plan.txt"
    path.write_text("\n\n".join([
        "KẾ HOẠCH", "Bảo đảm an toàn thực phẩm năm 2026",
        "II. NỘI DUNG",
        "1. Tuyên truyền pháp luật về an toàn thực phẩm",
        "a) Tổ chức hội nghị phổ biến cho cơ sở kinh doanh.",
        "b) Phát hành tờ rơi tại các chợ đầu mối.",
        "Cơ quan thực hiện: Sở Y tế.",
        "2. Kiểm tra liên ngành",
        "- Nội dung thực hiện: Kiểm tra các bếp ăn tập thể.",
        "- Cơ quan chủ trì: Sở Công Thương.",
        "- Cơ quan phối hợp: Công an tỉnh, Trung tâm Dịch vụ việc làm.",
    ]), encoding="utf-8")
    tasks = [(t.code, t.lead, t.support) for t in process(path).tasks]
    assert tasks == [
        ("II.1.a", ["Sở Y tế"], []),
        ("II.1.b", ["Sở Y tế"], []),
        ("II.2.1", ["Sở Công Thương"], ["Công an tỉnh", "Trung tâm Dịch vụ việc làm tỉnh"]),
    ]


def test_inspection_team_table(tmp_path):
    """An inspection plan's team table: the head of each team ("Trưởng đoàn: …") leads, its
    members ("Thành viên: …") support."""
    rows = [["TT", "Thành phần đoàn", "Nội dung kiểm tra", "Thời gian"],
            ["1", "Trưởng đoàn: Giám đốc Sở Nội vụ. Thành viên:\n- Lãnh đạo Sở Tư pháp;\n- Lãnh đạo Văn phòng Ủy ban nhân dân tỉnh.",
             "Kiểm tra việc giải quyết thủ tục hành chính tại Trung tâm Phục vụ hành chính công tỉnh", "Quý II/2026"],
            ["2", "Trưởng đoàn: Chánh Thanh tra tỉnh. Thành viên:\n- Lãnh đạo Sở Tài chính.",
             "Kiểm tra việc thực hiện cơ chế tự chủ tại các đơn vị sự nghiệp", "Quý III/2026"]]
    docx_plan(tmp_path / "teams.docx",
              ["ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH", "Số: 40/KH-UBND", "Hà Tĩnh, ngày 10 tháng 3 năm 2026",
               "KẾ HOẠCH", "Kiểm tra công tác cải cách hành chính năm 2026",
               "I. MỤC ĐÍCH, YÊU CẦU", "1. Đánh giá đúng kết quả cải cách hành chính.",
               "II. THÀNH PHẦN, NỘI DUNG KIỂM TRA"],
              rows, closing=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Võ Trọng Hải"])
    tasks = process(tmp_path / "teams.docx").tasks
    assert [(t.code, t.lead, t.support) for t in tasks] == [
        ("1", ["Sở Nội vụ"], ["Sở Tư pháp", "Văn phòng Ủy ban nhân dân tỉnh"]),
        ("2", ["Thanh tra tỉnh"], ["Sở Tài chính"])]
