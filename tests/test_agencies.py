"""The agency gazetteer and role rules (pipeline/patterns/agencies.tsv, roles.tsv).
Expected names are the canonical forms of EXTRACTION.md §3, written by hand."""
import unicodedata

import pytest

from pipeline import process
from pipeline.agencies import agencies_in, describe, find_roles, only_agencies
from schemas.plan import AgencyProfile

CANONICAL = [
    # local collectives by the grammar of their units; bodies found by their head noun and
    # their whole name, commas included (phrasings of no sample plan)
    ("UBND các phường xã", ["Ủy ban nhân dân cấp xã"]),
    ("Ủy ban nhân dân các xã, phường và đặc khu", ["Ủy ban nhân dân cấp xã"]),
    ("UBND các quận, huyện", ["Ủy ban nhân dân cấp huyện"]),
    ("Chính quyền các xã, thị trấn", ["Ủy ban nhân dân cấp xã"]),
    ("Phòng Kế hoạch - Tài chính", ["Phòng Kế hoạch - Tài chính"]),
    ("Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", ["Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"]),
    ("Trung tâm Y tế, Sở Y tế", ["Trung tâm Y tế", "Sở Y tế"]),
    ("Báo và Phát thanh, Truyền hình tỉnh", ["Báo và Phát thanh, Truyền hình tỉnh"]),
    ("Thuế tỉnh", ["Thuế tỉnh"]),
    ("Sở Văn hóa và Thể thao", ["Sở Văn hóa và Thể thao"]),
    ("Sở Văn hoá, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ("Sở Lao động - Thương binh và Xã hội", ["Sở Lao động - Thương binh và Xã hội"]),
    ("Sở Nông nghiệp và PTNT", ["Sở Nông nghiệp và Phát triển nông thôn"]),
    ("Sở KH&CN", ["Sở Khoa học và Công nghệ"]),
    ("UBND các huyện, thị xã", ["Ủy ban nhân dân cấp huyện"]),
    ("UBND các huyện, TP", ["Ủy ban nhân dân cấp huyện"]),
    ("Ủy ban nhân dân các xã, phường, đặc khu", ["Ủy ban nhân dân cấp xã"]),
    ("UBND cấp xã, phường", ["Ủy ban nhân dân cấp xã"]),
    ("Các Sở, ban, ngành", ["Các sở, ban, ngành cấp tỉnh"]),
    ("Sở, ban, ngành thuộc tỉnh", ["Các sở, ban, ngành cấp tỉnh"]),
    ("Các ngành, các cấp, cơ quan, đơn vị trong toàn tỉnh", ["Các cơ quan, đơn vị trong tỉnh"]),
    ("Liên hiệp các Hội KH&KT tỉnh", ["Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh"]),
    ("BCH Quân sự tỉnh", ["Bộ Chỉ huy Quân sự tỉnh"]),
    # a named local body stays as named (EXTRACTION §3); a province-level city is the issuer
    ("UBND phường Xuân Hương phối hợp với Công an phường", ["Ủy ban nhân dân phường Xuân Hương"]),
    ("Ủy ban nhân dân xã Ea Kar và Ủy ban nhân dân phường 1", ["Ủy ban nhân dân xã Ea Kar", "Ủy ban nhân dân phường 1"]),
    ("Ủy ban nhân dân thành phố Đà Lạt", ["Ủy ban nhân dân thành phố Đà Lạt"]),
    ("Ủy ban nhân dân thành phố Cần Thơ ban hành", []),
    # an overseer's office is a body of its own, not the overseer
    ("Văn phòng Chính phủ chuẩn bị các điều kiện cần thiết", ["Văn phòng Chính phủ"]),
    ("phối hợp với Văn phòng Tỉnh ủy và Thanh tra Chính phủ", ["Văn phòng Tỉnh ủy", "Thanh tra Chính phủ"]),
    ("báo cáo Thủ tướng Chính phủ và Tỉnh ủy", []),
    ("VPUB", ["Văn phòng Ủy ban nhân dân tỉnh"]),
    ("Uỷ ban MTTQ Việt Nam tỉnh", ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"]),
    ("Các sở: Nông nghiệp và Môi trường, Công Thương, Tài chính",
     ["Sở Nông nghiệp và Môi trường", "Sở Công Thương", "Sở Tài chính"]),
    ("Sở Tài chính, Sở Khoa học và Công nghệ", ["Sở Tài chính", "Sở Khoa học và Công nghệ"]),
    ("Các doanh nghiệp viễn thông", ["Các doanh nghiệp viễn thông"]),
    # bodies absent from the gazetteer are found by their naming pattern
    ("Báo Lâm Đồng", ["Báo Lâm Đồng"]),
    ("Trung tâm Xúc tiến Đầu tư tỉnh chủ trì", ["Trung tâm Xúc tiến Đầu tư tỉnh"]),
    # "Chi cục X" is not "Cục X"; courts and procuracies; short forms of mass organisations
    ("Chi cục Thuế khu vực III", ["Chi cục Thuế khu vực III"]),
    ("Tòa án nhân dân tỉnh và Viện Kiểm sát nhân dân tỉnh", ["Tòa án nhân dân tỉnh", "Viện Kiểm sát nhân dân tỉnh"]),
    ("Mặt trận Tổ quốc, Hội Cựu chiến binh", ["Mặt trận Tổ quốc", "Hội Cựu chiến binh tỉnh"]),
    # a body and its branch named after it are one body, as printed
    ("Ngân hàng Nhà nước Chi nhánh Khu vực 7, Kho bạc Nhà nước", ["Ngân hàng Nhà nước Chi nhánh Khu vực 7", "Kho bạc Nhà nước tỉnh"]),
    ("Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực XII", ["Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực XII"]),
    ("Ngân hàng Nhà nước chi nhánh tỉnh", ["Ngân hàng Nhà nước chi nhánh tỉnh"]),
    # compound collectives: coordinated words after a comma, heads sharing the next head's words
    ("các trường cao đẳng, trung cấp trên địa bàn tỉnh", ["Các trường cao đẳng, trung cấp trên địa bàn tỉnh"]),
    ("các Bệnh viện Đa khoa, Chuyên khoa trên địa bàn", ["Các bệnh viện Đa khoa, Chuyên khoa trên địa bàn"]),
    ("Các doanh nghiệp, hợp tác xã nông nghiệp", ["Các doanh nghiệp", "Các hợp tác xã nông nghiệp"]),
    ("các đoàn thể, hiệp hội ngành hàng", ["Các đoàn thể, hiệp hội ngành hàng"]),
    ("Các sở, ban, ngành, đoàn thể tỉnh", ["Các sở, ban, ngành cấp tỉnh", "Các đoàn thể tỉnh"]),
    # an official name listing its fields in lower case, closed by "tỉnh"
    ("Trung tâm Phát triển quỹ đất, hạ tầng và đô thị tỉnh, Sở Xây dựng",
     ["Trung tâm Phát triển quỹ đất, hạ tầng và đô thị tỉnh", "Sở Xây dựng"]),
    # "thuộc" + a body qualifies a collective
    ("các đơn vị sự nghiệp thuộc Sở Y tế", ["Các đơn vị sự nghiệp thuộc Sở Y tế"]),
    # the full form is canonical: "Tỉnh đoàn" is the provincial Youth Union
    ("Tỉnh đoàn, Hội Nông dân tỉnh", ["Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh", "Hội Nông dân tỉnh"]),
    # a verb after a name is not part of it
    ("Phòng Tổ chức - Hành chính tổng hợp báo cáo", ["Phòng Tổ chức - Hành chính"]),
    # vague references are recognised but not exported
    ("các cơ quan, đơn vị có liên quan", []),
]


@pytest.mark.parametrize("text,names", CANONICAL)
def test_canonical_names(text, names):
    assert agencies_in(text) == names


def test_nfd_and_old_tone_marks_give_the_same_names():
    for text in ("Sở Văn hoá, Thể thao và Du lịch", "Uỷ ban nhân dân các huyện, thành phố"):
        assert agencies_in(unicodedata.normalize("NFD", text)) == agencies_in(text)
    assert agencies_in("Sở Văn hoá, Thể thao và Du lịch") == agencies_in("Sở Văn hóa, Thể thao và Du lịch")


ROLES = [
    # text, default role, lead, support
    ("Sở Tài chính chủ trì, phối hợp với Sở Khoa học và Công nghệ, các đơn vị liên quan và UBND các "
     "huyện, thành phố hướng dẫn công tác xây dựng dự toán", None,
     ["Sở Tài chính"], ["Sở Khoa học và Công nghệ", "Ủy ban nhân dân cấp huyện"]),
    ("Giao Sở Nội vụ nghiên cứu, tham mưu Ủy ban nhân dân tỉnh chỉ đạo bổ sung tiêu chí", None,
     ["Sở Nội vụ"], []),
    ("Các Sở, ban, ngành thuộc tỉnh, Ủy ban nhân dân các huyện, thành phố có trách nhiệm tham mưu, "
     "phối hợp với cấp ủy cùng cấp tổ chức học tập", None,
     ["Các sở, ban, ngành cấp tỉnh", "Ủy ban nhân dân cấp huyện"], ["Cấp ủy cùng cấp"]),
    # receivers of reports and bodies advised are neither lead nor support
    ("Định kỳ hàng năm gửi báo cáo về Sở Khoa học và Công nghệ tình hình triển khai", None, [], []),
    ("báo cáo kết quả thực hiện cho Ủy ban nhân dân tỉnh (thông qua Sở Kế hoạch và Đầu tư)", None, [], []),
    # closing boilerplate names its agencies as leads
    ("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh về Sở Nội vụ "
     "để tổng hợp", None, ["Các cơ quan, đơn vị trong tỉnh", "Sở Nội vụ"], []),
    # table columns give the default role
    ("Sở Tài chính, Sở Khoa học và Công nghệ", "lead", ["Sở Tài chính", "Sở Khoa học và Công nghệ"], []),
    ("Sở Nội vụ phối hợp thẩm định", "support", [], ["Sở Nội vụ"]),
    ("- Sở Nội vụ, - Sở Tài chính", "support", [], ["Sở Nội vụ", "Sở Tài chính"]),
    ("Chủ trì: Sở Tư pháp; Phối hợp: Sở Nội vụ, Công an tỉnh", "lead",
     ["Sở Tư pháp"], ["Sở Nội vụ", "Công an tỉnh"]),
    ("Sở Xây dựng chủ trì, phối hợp với Sở Giao thông - Vận tải", "lead",
     ["Sở Xây dựng"], ["Sở Giao thông vận tải"]),
    # a subject followed by its verb leads ("theo dõi" is a verb, "theo" alone is not)
    ("Sở Công Thương theo dõi, đôn đốc các doanh nghiệp thực hiện", None, ["Sở Công Thương"], []),
    ("Đề nghị Tòa án nhân dân tối cao, Viện Kiểm sát nhân dân tối cao hướng dẫn áp dụng pháp luật", None,
     ["Tòa án nhân dân tối cao", "Viện Kiểm sát nhân dân tối cao"], []),
    ("Mặt trận Tổ quốc và Hội Nông dân vận động hội viên tham gia", None, ["Mặt trận Tổ quốc", "Hội Nông dân tỉnh"], []),
    # "các địa phương", "chính quyền địa phương" are the local level (cấp xã in plans after 1 July 2025)
    ("Công an tỉnh và các địa phương tăng cường tuần tra", None, ["Công an tỉnh", "Ủy ban nhân dân cấp huyện"], []),
    ("Sở Y tế chủ trì, phối hợp với chính quyền địa phương tổ chức tiêm chủng", None,
     ["Sở Y tế"], ["Ủy ban nhân dân cấp huyện"]),
    ("Chủ tịch Ủy ban nhân dân địa bàn cấp xã chịu trách nhiệm", None, ["Ủy ban nhân dân cấp xã"], []),
    # a generic force or sector needs no "các" and stays as printed (EXTRACTION §3)
    ("Sở Giáo dục và Đào tạo chủ trì, phối hợp với lực lượng Công an, ngành y tế tổ chức tập huấn", None,
     ["Sở Giáo dục và Đào tạo"], ["Lực lượng Công an", "Ngành y tế"]),
    ("Lực lượng dân quân tự vệ tham gia tuần tra", None, ["Lực lượng dân quân tự vệ"], []),
    ("Huy động lực lượng hỗ trợ người dân; mở chuyên ngành đào tạo", None, [], []),
    ("Sở Công Thương phối hợp với từng ngành, lĩnh vực xây dựng kế hoạch", None, ["Sở Công Thương"], []),
    ("Phối hợp với lực lượng biên phòng, hải quan tăng cường kiểm soát hàng hóa qua cửa khẩu", None,
     [], ["Lực lượng biên phòng", "Lực lượng hải quan"]),
    # central ministries as a collective; "liên quan" closing a list of heads makes it all vague
    ("Sở Ngoại vụ chủ trì, phối hợp với các bộ, ngành Trung ương tổ chức hội nghị xúc tiến", None,
     ["Sở Ngoại vụ"], ["Các bộ, ngành Trung ương"]),
    ("Sở Xây dựng chủ trì, phối hợp với các sở, ngành, đơn vị liên quan lập quy hoạch", None, ["Sở Xây dựng"], []),
    ("Sở Tư pháp chủ trì, phối hợp với đầu mối các bộ, ngành rà soát văn bản", None,
     ["Sở Tư pháp"], ["Các bộ, ngành"]),
    # a body opening brackets after a body is its unit, parent or member; "(thông qua Sở X)" is not
    ("Giao Sở Nội vụ (Ban Thi đua - Khen thưởng) tổng hợp hồ sơ khen thưởng", None, ["Sở Nội vụ"], []),
    ("Sở Y tế chủ trì, phối hợp với các bệnh viện tuyến tỉnh (Bệnh viện Đa khoa tỉnh, Bệnh viện Lao) "
     "tổ chức khám sàng lọc", None, ["Sở Y tế"], ["Các bệnh viện tuyến tỉnh"]),
    ("Trong quá trình thực hiện, nếu có vướng mắc, phản ánh về Ủy ban nhân dân tỉnh (thông qua Sở Tài chính) "
     "để xem xét", None, ["Sở Tài chính"], []),
    # "mỗi" distributes like "các"; "thuộc Ủy ban nhân dân tỉnh" is part of the collective
    ("Mỗi cơ quan, đơn vị, địa phương phải rà soát thủ tục hành chính", None, ["Các cơ quan, đơn vị trong tỉnh"], []),
    ("Các sở, ban, ngành thuộc Ủy ban nhân dân tỉnh có trách nhiệm báo cáo", None, ["Các sở, ban, ngành cấp tỉnh"], []),
    # only the sentence of the closing boilerplate makes every body it names a lead
    ("Trên đây là Kế hoạch của Sở Tư pháp. Trong quá trình thực hiện, nếu có vướng mắc, các phòng, "
     "đơn vị trực thuộc Sở báo cáo Giám đốc Sở để xem xét.", None, ["Các phòng, đơn vị trực thuộc Sở"], []),
    # an agency leading one part of the work is only a lead
    ("Sở Nông nghiệp và PTNT chủ trì phối hợp với Sở Y tế; Sở Y tế chủ trì phối hợp với Sở Nông nghiệp "
     "và Phát triển nông thôn", None, ["Sở Nông nghiệp và Phát triển nông thôn", "Sở Y tế"], []),
]


@pytest.mark.parametrize("text,default,lead,support", ROLES)
def test_roles(text, default, lead, support):
    assert find_roles(text, default=default) == (lead, support)


def test_a_list_goes_on_after_a_collective_and_the_names_right_after_it():
    """"các cơ quan, đơn vị Trung ương, doanh nghiệp nhà nước …, Ủy ban nhân dân cấp xã": the bare
    "doanh nghiệp" continues the list, so the whole list is the subject of the verb."""
    lead, _ = find_roles("Các sở, ban ngành tỉnh, các cơ quan, đơn vị Trung ương, doanh nghiệp nhà nước trên "
                         "địa bàn tỉnh, Ủy ban nhân dân cấp xã chủ động triển khai")
    assert {"Các sở, ban, ngành cấp tỉnh", "Các doanh nghiệp nhà nước trên địa bàn tỉnh",
            "Ủy ban nhân dân cấp xã"} <= set(lead)


@pytest.mark.parametrize("text,expected", [
    ("Sở Khoa học và Công nghệ:", True),
    ("Các Sở, ban, ngành cấp tỉnh, Ủy ban nhân dân các huyện, thành phố", True),
    ("Thủ trưởng các sở, ban, ngành", True),
    ("Lĩnh vực nông nghiệp", False),
    ("Sở Tài chính chủ trì xây dựng dự toán", False),
])
def test_attribution_headings(text, expected):
    assert only_agencies(text) is expected


PROFILES = [
    # (canonical name, kind, scope): what the store keys a body on (EXTRACTION.md §3 names)
    ("Sở Tài chính", "so", "province"),
    ("Bộ Chỉ huy Quân sự tỉnh", "security", "province"),       # one per province, not central
    ("Ngân hàng Nhà nước chi nhánh tỉnh", "other", "province"),
    ("Ủy ban nhân dân cấp xã", "collective", "province"),      # a province's communes together
    ("Bộ Nội vụ", "other", "central"),                         # head noun "Bộ" flagged central
    ("Bộ Thông tin và Truyền thông", "other", "central"),
    ("Ủy ban nhân dân phường Xuân Hương", "other", "commune"),  # a named local body
    ("Trung tâm Y tế huyện Ninh Hải", "other", "district"),
    ("Công an thành phố Huế", "other", "province"),            # a centrally-run city is a province
    ("Phòng Quản lý Công nghiệp", "other", "province"),
]


@pytest.mark.parametrize("name, kind, scope", PROFILES)
def test_kind_and_scope_of_a_canonical_name(name, kind, scope):
    assert describe(name) == AgencyProfile(kind, scope)


def test_the_plan_carries_every_agency_kind_and_scope():
    plan = process("data/raw/txt/002_e23fc6cdf670e7ca.txt")
    named = {n for t in plan.tasks for n in t.lead + t.support}
    assert set(plan.agencies) == named
    assert plan.agencies["Bộ Chỉ huy Quân sự tỉnh"] == AgencyProfile("security", "province")
    assert plan.agencies["Sở Khoa học và Công nghệ"] == AgencyProfile("so", "province")
    assert all("agencies" not in record for record in plan.to_records())   # the §5 export
