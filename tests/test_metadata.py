"""Plan metadata (EXTRACTION.md §1) from header lines of no sample plan; expected values
written by hand."""
from pipeline.metadata import find_title


def test_a_title_goes_on_over_its_wrapped_and_parenthetical_lines():
    texts = ["SỞ CÔNG THƯƠNG", "Số: /KH-SCT", "KẾ HOẠCH",
             "Thực hiện Đề án phát triển thương mại điện tử tỉnh Yên Bái",
             "giai đoạn 2026-2030", "(Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026)",
             "Căn cứ Quyết định số 12/QĐ-UBND …"]
    assert find_title(texts) == ("Thực hiện Đề án phát triển thương mại điện tử tỉnh Yên Bái giai đoạn "
                                 "2026-2030 (Ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026)")


def test_a_letters_subject_wrapped_in_its_header_column_is_its_title():
    texts = ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI", "Số: 815/UBND-KT", "Gia Lai, ngày 3 tháng 4 năm 2026",
             "V/v đẩy mạnh thanh toán", "không dùng tiền mặt trong", "Khu kinh tế và các", "bệnh viện công lập",
             "Kính gửi:", "- Các sở, ban, ngành thuộc tỉnh;"]
    assert find_title(texts) == ("Đẩy mạnh thanh toán không dùng tiền mặt trong Khu kinh tế và các bệnh "
                                 "viện công lập")


def test_ocr_signer_with_a_misread_initial():
    """In a scan, OCR may misread the first letter of the signer's surname (and leave specks
    before it): the one known surname it can be is taken; a line that is no name is not."""
    from pipeline.metadata import find_signer
    block = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert find_signer(block + ["*<:=frân Văn Lâu"], ocr=True) == "Trần Văn Lâu"
    assert find_signer(block + ["hguyễn Thị Mai"], ocr=True) == "Nguyễn Thị Mai"
    assert find_signer(block + ["hguyễn Thị Mai"], ocr=False) is None
    assert find_signer(block + ["xem Văn Bản"], ocr=True) is None


def test_a_central_bodys_document_has_no_province():
    """A ministry's or the Government's document is signed in Hà Nội; Hà Nội is not its
    province. A province's document keeps its province."""
    from pipeline.metadata import find_province
    central = ["BỘ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
               "Số: 12/KH-BNV", "Hà Nội, ngày 03 tháng 02 năm 2026"]
    assert find_province(central) is None
    provincial = ["ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Số: 12/KH-UBND", "Lâm Đồng, ngày 03 tháng 02 năm 2026"]
    assert find_province(provincial) == "Lâm Đồng"
    city = ["ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "Số: 7/KH-UBND", "Hà Nội, ngày 03 tháng 02 năm 2026"]
    assert find_province(city) == "Hà Nội"
