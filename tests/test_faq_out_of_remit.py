"""Questions outside the office's remit are never answered with a topic: the out-of-remit
class, the lexicon's rules (matters at home, not_topic) and the remit check; and the same
labour words about the office's work still are."""

from __future__ import annotations

import pytest

from handlers.understanding.decision import OUT_OF_REMIT
from handlers.understanding.matcher import Matcher
from tests.helpers import shipped_matcher
from tests.test_faq_matcher import ranked_candidates


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return shipped_matcher()


OUT_OF_REMIT_QUESTIONS = [
    "trời mai có mưa to không",
    "lam so do cho manh dat nha em",
    "đăng ký kết hôn cần mang gì",
    "the bao hiem y te cua con bi mat",
    "kết quả xổ số hôm qua",
    "vay trả góp mua xe máy honda",
    "gia cam sanh dang la bao nhieu",
]


@pytest.mark.parametrize("question", OUT_OF_REMIT_QUESTIONS)
def test_out_of_remit_falls_back(matcher: Matcher, question: str) -> None:
    decision = matcher.decide(question)
    assert decision.outcome == "fallback", decision.candidates


@pytest.mark.parametrize("question", ["vay nóng 5 triệu lãi ngày ở đâu",
                                      "mua xe may tra gop lai suat bao nhieu",
                                      "con bò bây giờ bán được bao nhiêu tiền"])
def test_a_loan_or_price_of_something_else_is_not_the_abroad_topic(
    matcher: Matcher, question: str
) -> None:
    decision = matcher.decide(question)
    assert decision.outcome == "fallback", decision.candidates
    # Still answered when it is the loan to work abroad.
    assert matcher.decide("vay ngân hàng chính sách đi nhật được bao nhiêu").topics == (
        "abroad.loan",)


@pytest.mark.parametrize("question", [
    "ck e mun lam lai cccd bi mat thi lam o dau",  # a lost citizen card, the husband's
    "con em đi học mẫu giáo có được miễn học phí không",  # a child's school fees
])
def test_a_relative_or_a_fee_outside_the_remit_is_not_answered(
    matcher: Matcher, question: str
) -> None:
    assert matcher.decide(question).outcome != "answer"


@pytest.mark.parametrize("question", [
    "gia dinh e ho ngheo co dc ho tro xay nha khong",
    "nhà dột nát xin hỗ trợ sửa nhà ở đâu",
])
def test_housing_support_is_not_a_labour_support(matcher: Matcher, question: str) -> None:
    assert matcher.decide(question).outcome != "answer"
    # The support to work abroad is still answered.
    assert matcher.decide("hộ nghèo đi xuất khẩu lao động được hỗ trợ những gì").outcome == "answer"


def test_studying_abroad_is_not_working_abroad(matcher: Matcher) -> None:
    assert matcher.decide("du hoc nhat ban het bao nhieu tien").outcome == "fallback"
    assert matcher.decide("du hoc han quoc").outcome == "fallback"


#: Everyday questions a labour office is wrongly brought, typed as on Zalo, one per kind that a
#: labour topic used to absorb: household registration, a pension, school enrolment, school
#: meals, a loan to build a house, a loan app's debt collectors, flood aid, a poor-household
#: certificate, land papers, a spouse's residence abroad.
OUT_OF_REMIT_TYPED = [
    "e muon nhap khau cho vo ve nha chong thi lam sao",
    "me e 60 tuoi roi co duoc nhan luong huu ko",
    "con e vao lop 6 thi nop ho so o dau",
    "tien an ban tru cho con o truong dtts co duoc ho tro ko",
    "vay von lam nha o ngan hang chinh sach duoc bao nhieu",
    "e vay app ma gio ko tra duoc no chung no goi khap ho hang",
    "nha e bi lu cuon mat ngo thi co duoc ho tro gi ko",
    "e muon lam giay chung nhan ho ngheo thi nop o dau",
    "dat nha e chua co giay to gi muon lam bia do thi bat dau tu dau",
    "chong e o dai loan muon bao lanh e sang song cung thi lam sao",
    # A tour, a house fire, a loan for a cattle shed, a money-laundering phone scam.
    "tour di nhat ban 5 ngay gia bao nhieu",
    "nha e bi chay rui ro co duoc xa ho tro k",
    "vay ngan hang lam chuong trai 100tr can gi",
    "cong an goi dien bao e lien quan rua tien thi lam sao",
    # The poor household's electricity, seedlings, a concrete village road, enlisting, a
    # student loan.
    "e muon xin ho tro tien dien cho ho ngheo",
    "ho tro giong cay trong cho ho ngheo nam nay co k",
    "xin ho tro be tong hoa duong thon thi lam don gui ai",
    "e 45 tuoi roi co duoc dang ky di bo doi ko",
    "vay tien cho con di hoc dai hoc o ngan hang chinh sach",
    # Another office's address.
    "tram thu y o xa o dau",
    # A shop's business licence.
    "e muon mo quan tap hoa can giay phep kinh doanh ko",
    # A finance company's debt collectors; planting forest.
    "e muon kien cty tai chinh vi doi no ca nha",
    "ho tro trong rung san xuat moi ha bao nhieu",
    # A child's secondary school and its term; the public-sector base pay; moving one's
    # household registration; welding a door; translating a text; a child bullied at school.
    "con toi hoc lop 6 truong THCS Thai Son co duoc mien hoc phi ko",
    "lop 9 cua con thi hoc ky thang may, co lich chua",
    "luong co so nam nay la bao nhieu",
    "chuyển khẩu về nhà vợ cần giấy tờ gì, bao lâu thì xong",
    "cho nao o Ham Yen han khung cua sat",
    "dich giup e doan tieng nhat nay sang tieng viet voi",
    "con e di hoc bi ban danh nha truong ko xu e lam gi",
    "con em vao lop 1 nam nay thi thang may di dang ky nhap hoc",
    # A holiday of a few days; the old paper household book; a grandchild's school fees.
    "lam visa du lich nhat di ngam hoa anh dao 5 ngay roi ve can nhung giay to gi",
    "so ho khau giay con dung duoc ko hay bo roi",
    "Cháu tôi học lớp 7, nhà thuộc hộ nghèo thì có được miễn học phí không ạ?",
    # Scams that are not about work abroad; university fees; a lost citizen card; a birth
    # certificate; a household registration; the voluntary social insurance ("ít nhất" is not
    # Japan).
    "bi lua 30tr qua app dau tu tien ao co lay lai dc k",
    "bị lừa chuyển tiền qua đt giả công an",
    "dan toc dao di hoc dai hoc co duoc mien hoc phi ko",
    "mat the can cuoc lam lai can giay to gi, mat tien ko",
    "giay khai sinh cho con lam online dc k hay phai len xa",
    "vợ chồng e làm giấy tờ nhập hộ khẩu cho con sinh bên nhật thì làm ở đâu",
    "dong bhxh tu nguyen 1 thang it nhat bao nhieu tien, ho ngheo co dc ho tro ko",
    # A family's other worries (round 10): a transfer to a stranger, a fake public-service
    # app, a romance scam, a stroke, a child's high-school fees, the water bill, a lost land
    # certificate, the family health card, a locked SIM, a remittance held, a university.
    "chuyển khoản nhầm 5 triệu sang tài khoản người lạ rồi làm sao đòi lại ạ",
    "dien thoai bi lua cai app dich vu cong gia mao roi mat het tien trong tai khoan, gio lam sao",
    "oppa han quoc nhan tin lam quen roi doi gui qua can dong phi hai quan, co phai lua dao ko",
    "ba ngoai bi tai bien nam mot cho, benh vien tinh co khoa phuc hoi chuc nang ko",
    "tiền đóng học cấp 3 cho con hộ nghèo có được miễn không",
    "ho ngheo co duoc mien tien nuoc ko",
    "lam lai so do bi mat thi ho so gom gi, mat bao lau",
    "nha co nguoi dang di nhat thi lam the bhyt ho gia dinh co phai tinh ca no ko",
    "cong ty vien thong goi bao sap khoa so dien thoai, bat cap nhat can cuoc qua link, lam sao",
    "chuyen tien tu dai loan ve bi ngan hang giu lai, goi tong dai nao",
    "lop 12 con e muon thi dai hoc ngoai ngu tieng han co nen ko",
    "tra cứu mã số BHXH của em",
    # The weather, a prize scam, a bank's "locked account" link, selling a cow (round 12).
    "han quoc thang 12 co lanh lam ko",
    "cty điện máy gọi bảo trúng iphone đóng 2 triệu phí vận chuyển là thật ko ad",
    "nhan tin nhan ngan hang bao khoa tai khoan bam vao link, co phai lua dao ko",
    "tôi có con bò muốn bán, ở đâu được giá cán bộ",
    # "có ai" asking for a maid is not asking for an officer.
    "co ai tuyen giup viec gia dinh o ha noi luong 7tr ko, chi hang xom em can",
]


@pytest.mark.parametrize("question", OUT_OF_REMIT_TYPED)
def test_typed_out_of_remit_questions_are_never_answered(matcher: Matcher, question: str) -> None:
    decision = matcher.decide(question)
    assert decision.outcome not in ("answer", "action"), decision.candidates


# Matters at home (lexicon ``[domestic]``): a job, wage or pension in Vietnam, a commune
# service; other supports and loans; studying or founding something is not registering.
OUT_OF_REMIT_AT_HOME = [
    # Kinds a fresh round still answered (fresh105–108), in other words than its lines.
    "duong len thon bi sat lo xe may co qua dc ko",
    "con toi 3 tuoi cham noi thi cho di lop can thiep o dau",
    "con di dai hoc thi vay von sinh vien o ngan hang chinh sach the nao",
    "ho ngheo lam nha moi duoc ho tro bao nhieu",
    "phim anime nhat ban nao hay",
    "bo em du 60 tuoi dong bao hiem xa hoi 22 nam bao gio duoc linh luong huu",
    "e lam cong nhan o bac giang bi cong ty no luong 3 thang thi kien o dau",
    "e dang lam o kcn song cong cong ty bat tang ca ma ko tra tien thi bao ai",
    "con e du tuoi di bo doi chua",
    "lam giay khai tu cho bo o dau",
    "con e hoc mau giao co duoc ho tro tien an khong",
    "con e bi tu ky thi co truong nao nhan ko a",
    "chong e di tu ve muon xin viec o dia phuong thi the nao",
    "e muon vay agribank 300tr lam nha can the chap gi",
    "vay von trong cam can the chap so do khong",
    "e muon vay 50tr mo quan tap hoa",
    "vay ngan hang chinh sach cho con hoc cao dang duoc bao nhieu",
    "e bi lua chuyen khoan 20tr qua facebook thi lam sao lay lai",
    "xin so dien thoai cong an xa",
    "e muon lam phu ho o thanh pho thi tim viec o dau",
    "nha nuoc ho tro tien mua may gat lua cho nong dan dung khong",
    "nha e muon lap dat dien mat troi co duoc ho tro khong",
    "e muon dang ky thanh lap hop tac xa",
    "e muon di hoc dai hoc o trung quoc",
    "chau e muon di du hoc han quoc thi chi phi bao nhieu",  # "abroad.*": studying abroad
    "xin cap lai so ho khau",
    "tach khau ra o rieng can giay to gi",
    "chau e lay vo han quoc ve co duoc nhap quoc tich khong",
    "le hoi long tong xa minh to chuc ngay nao",
    "le hoi den y la nam nay to chuc ngay nao",  # "general.*"
    "mat can cuoc roi lam lai mat bao lau moi co",
    "lam so do het bao nhieu tien le phi",
    "xa co ho tro giong bo cho ho ngheo ko a",
    "ho ngheo co dc nha nuoc ho tro tien lam nha ko",
    "o thi tran co lop hoc them tieng anh cho con lop 5 ko",
    "em dat coc 50 trieu mua manh dat o thon ben gio ben ban khong tra coc",
    "ho ngheo co duoc ho tro tien an tet khong",
    "ho so xin hoc bong cho con gom nhung gi",
    "vay tien cho con di hoc trung cap co duoc khong",
    "dang ky hoc bo tuc van hoa lop 9",
    "thue phong tro het han ma chu nha giu tien coc k tra thi lam sao",
    # "training.*" / "abroad.*" with "#", any number: a child at school.
    "con e hoc lop 7, nha can ngheo co dc mien hoc phi ko",
    "con em đang học lớp 11 có được hỗ trợ tiền ăn không",
    "ho ngheo co duoc mien hoc phi cho con hoc cap 2 ko",
]


@pytest.mark.parametrize("question", OUT_OF_REMIT_AT_HOME)
def test_matters_at_home_are_never_answered(matcher: Matcher, question: str) -> None:
    decision = matcher.decide(question)
    assert decision.outcome not in ("answer", "action"), decision.candidates


@pytest.mark.parametrize(("question", "topic"), [
    # The same words, asked about working abroad: still answered.
    ("dang lam o bac ninh muon di han quoc can gi", "abroad.korea"),
    # A loan to set up one's own trade at home: the loan after a class names it.
    ("e muon mo xuong moc nho o nha thi co duoc vay von uu dai khong", "training.after"),
    ("cty o ha noi bao phi dich vu 3 thang luong co dung khong", "abroad.costs"),
    ("di han ve co duoc nhan lai tien luong huu khong", "abroad.return"),
    # A household whose land was taken for a road is a priority group for the support.
    ("hộ bị thu hồi đất làm đường thì con đi lao động nước ngoài có được hỗ trợ gì không",
     "abroad.support"),
    # A child in a vocational class (no number): its support is answered.
    ("con em dang hoc lop may o xa co duoc ho tro tien an khong", "training.support"),
    ("vay di nhat co can the chap so do khong", "abroad.loan"),
    ("vay ngan hang chinh sach di han quoc duoc bao nhieu", "abroad.loan"),
    ("chua di nghia vu quan su co duoc di xkld khong", "abroad.eligibility"),
    ("đi du lịch sang hàn rồi trốn ở lại làm được không", "abroad.scam"),
    # Leaving or not finishing high school: still the office's questions.
    ("con bỏ học cấp 3 giữa chừng thì có được học nghề free của nhà nước ko ạ",
     "training.eligibility"),
    # A teacher asking for the parents of a school's pupils.
    ("Cô giáo trường THCS xã Phù Lưu hỏi giúp phụ huynh: làm sao biết công ty đưa đi có được "
     "Bộ cấp phép hay không ạ", "abroad.enterprises"),
])
def test_the_words_of_those_kinds_in_a_labour_question_still_answer(
    matcher: Matcher, question: str, topic: str
) -> None:
    assert topic in matcher.decide(question).topics


def test_a_message_whose_best_topic_is_ruled_out_is_never_answered_by_the_runner_up(
    matcher: Matcher,
) -> None:
    # "vay nóng" rules the abroad loan out; the costs, clearly ahead of what is left, would be
    # answered: the message is likely outside the remit, so they are only offered.
    ranked = ranked_candidates(("abroad.loan", 0.6), ("abroad.costs", 0.36), (OUT_OF_REMIT, 0.04))
    decision = matcher._decide("vay nong lai bao nhieu", ranked)
    assert decision.outcome == "clarify"
    assert decision.candidates[0].topic == "abroad.costs"
    # Nothing ruled out: the same ranking is answered.
    assert matcher._decide("vay di xuat khau", ranked).topics == ("abroad.loan",)


# A word the labour topics use about another matter (written for this test, in none of the
# knowledge-base files): the topic classifier answers each with a topic (a dossier, costs,
# Korea, rights, registering); the remit check (handlers/understanding/remit.py) stops them.
OUT_OF_REMIT_SHARED_WORD = [
    "ho so kham thai o benh vien huyen",
    "ho so xin lam giao vien hop dong o truong",
    "ho so xin chuyen cong tac giao vien",
    "chi phi mo mat o benh vien tinh",
    "chi phi nuoi con nho moi thang",
    "thuoc bo han quoc co tot khong",
    "luong cong an xa bao nhieu",
    "dang ky cho be hoc lop nang khieu",
]


@pytest.mark.parametrize("question", OUT_OF_REMIT_SHARED_WORD)
def test_a_labour_word_about_another_matter_is_not_answered(
    matcher: Matcher, question: str
) -> None:
    decision = matcher.decide(question)
    assert decision.outcome == "fallback", decision
    # Out-of-remit first: the reply says it is not the office's work (handlers/faq.py).
    assert decision.candidates[0].topic == OUT_OF_REMIT
    assert decision.candidates[0].probability >= matcher.thresholds.outside


# The same words about the office's work are still answered.
SHARED_WORD_IN_REMIT = {
    "ho so di han gom nhung gi": "abroad.dossier",
    "vay tien di nhat o dau": "abroad.loan",
    "hoc phi hoc nghe bao nhieu": "training.support",
    "tien coc di dai loan bao nhieu": "abroad.costs",
    "luong ben dai loan 1 thang bao nhieu": "abroad.contract_rights",
    "hoc xong co chung chi khong": "training.certificate",
    "di xkld duoc ho tro bao nhieu": "abroad.support",
    # A word alone, in the frames every question uses, is the office's matter.
    "chua ky hop dong thi lam sao": "abroad.contract_rights",
    "hop dong het han thi sao": "abroad.contract_rights",
    # "thứ 7" typed as one word is a day of the office's hours.
    "thu7 co ai truc ko ad": "general.contact",
}


@pytest.mark.parametrize(("question", "topic"), sorted(SHARED_WORD_IN_REMIT.items()))
def test_the_same_words_about_the_offices_work_are_answered(
    matcher: Matcher, question: str, topic: str
) -> None:
    decision = matcher.decide(question)
    assert topic in decision.topics, decision
    assert matcher.outside(decision) < matcher.thresholds.outside


@pytest.mark.parametrize("question", ["em nhặt được cái ví có căn cước của người khác nộp ở đâu",
                                      "nhat dc dien thoai o cho thi mang len dau"])
def test_a_thing_found_is_not_japan(matcher: Matcher, question: str) -> None:
    # "nhặt được" (found) folds to the letters of "Nhật được": the dossier and Japan answered
    # a found wallet in two rounds of fresh questions.
    decision = matcher.decide(question)
    assert decision.outcome == "fallback", decision
    assert decision.ruled_out or decision.candidates[0].topic == OUT_OF_REMIT


@pytest.mark.parametrize("question", ["di nhat duoc khong ad", "sang nhat duoc may nam"])
def test_japan_with_duoc_is_still_japan(matcher: Matcher, question: str) -> None:
    assert "abroad.japan" in matcher.decide(question).topics


def test_a_long_story_about_another_matter_is_not_answered(matcher: Matcher) -> None:
    # A health check for a factory job at home, told at length, with "hồ sơ" in it (fresh66).
    story = ("Em đang làm hồ sơ xin việc vào công ty may ở khu công nghiệp Long Bình An, họ bảo "
             "cần giấy khám sức khỏe, khám ở đâu rẻ mà nhanh, mất bao nhiêu tiền")
    assert matcher.decide(story).outcome not in ("answer", "action")


@pytest.mark.parametrize("question", [
    "muon vay 50tr mua phan bon trong ngo thi vay ngan hang dc ko",
    "vay tien mua giong trong lua",
    "xin ban sao ho so benh an o benh vien tinh the nao",
])
def test_farm_loans_and_medical_records_are_not_labour_topics(
    matcher: Matcher, question: str
) -> None:
    """Long messages the remit check does not look at: a loan for fertiliser or seed is not
    the loan to work abroad, a medical record is not a dossier (lexicon [not_topic])."""
    assert matcher.decide(question).outcome != "answer"


@pytest.mark.parametrize("question", [
    "Hộ nghèo có được hỗ trợ bò giống không?",
    "chau lop 3 co duoc mien hoc phi ko",
    "hop dong bao hiem nhan tho muon huy lay lai tien dc ko",
])
def test_livestock_a_schoolchild_and_life_insurance_are_outside(
    matcher: Matcher, question: str
) -> None:
    assert matcher.decide(question).outcome != "answer"


@pytest.mark.parametrize(("question", "topic"), [
    # A newborn's birth certificate, a child entering first grade, a driving licence renewed,
    # a bank's OTP scam, rice exported: a labour word (giấy tờ, xuất khẩu, lừa) about another
    # matter (lexicon [not_topic] "abroad.*", "training.*").
    ("lam giay khai sinh cho chau moi sinh o dau", None),
    ("cho con vao lop 1 can giay to gi", None),
    ("doi bang lai xe het han o dau", None),
    ("co nguoi xung la ngan hang nhan tin doi ma otp", None),
    ("xuat khau gao sang trung quoc can giay phep gi", None),
    # Livestock lost to disease, a planted forest, school or university fees, a child's
    # illness ("miệng" is kept, not spelled into "miễn"), a bride abroad.
    ("lon nha em bi dich chet het co duoc ho tro gi ko", None),
    ("rung trong nha minh muon ban go can thu tuc gi", None),
    ("hoc phi cap 3 cho con ho ngheo duoc giam ko", None),
    ("con vao dai hoc co duoc vay tien ko", None),
    ("chau bi chan tay mieng thi dua di dau kham", None),
    ("co dau viet o han muon ly hon thi lam sao", None),
    # Parcels to a worker abroad, a divorce, police service, a trip across the border, a land
    # title, a fridge on instalments (kinds seen on fresh13/14 after their measure).
    ("gui do an sang nhat cho chong mat bao lau", None),
    ("vo di dai loan lau khong ve toi muon ly hon", None),
    ("con toi thi vao nghia vu cong an can ho so gi", None),
    ("sang lao di choi qua cua khau can gi", None),
    ("ho so cap so do nop o dau", None),
    ("mua xe tra gop ky hop dong roi co huy duoc ko", None),
    # Kinds seen on fresh17 and fresh18 after their measure: a time difference, a football
    # score, a SIM card locked, a border market pass, a forest contract.
    ("gio ben han quoc voi viet nam lech may tieng", None),
    ("toi qua viet nam da han quoc may ty so", None),
    ("sim bi khoa 2 chieu vi chua chuan hoa thong tin thi lam sao", None),
    ("đi chợ biên giới mua hàng bên trung quốc có cần giấy thông hành không", None),
    # ... and on fresh19 and fresh20: a bank's OTP, an earthquake, teacher-training fees, an
    # online "like" job, a credit card, a Zalo account locked.
    ("luong ve tk roi ma app ngan hang bao sai otp ko chuyen dc la sao", None),
    ("hoc phi su pham co dc mien ko", None),
    ("viec lam online like tiktok nhan hoa hong co phai lua dao ko", None),
    ("no the tin dung 3 thang chua tra co bi cong an bat k", None),
    ("zalo bi khoa mat het tin nhan lay lai dc k", None),
    ("gui ho so ho tro qua buu dien duoc khong", "abroad.dossier"),
    # ... and on fresh25-28: a salary-backed loan, a pension, a visit visa, a village
    # meeting, a folk-singing class, a first-grader's extra lessons.
    ("vay tin chap bang luong giao vien duoc toi da bao nhieu", None),
    ("me e 70 tuoi co dc nhan tien duong lao k", None),
    ("xin visa my di tham ho hang ben do co kho k", None),
    ("loa thon bao ngay mai hop dan, hop ve viec gi vay", None),
    ("lop hoc hat then cua thon bao gio mo lai", None),
    ("chau toi hoc lop 1 chua biet doc, co lop hoc them buoi chieu ko", None),
    # ... and on fresh29-32: a liver disease, an air conditioner, a power company's message,
    # a visit to a child abroad, looking for a husband, a domestic helper wanted.
    ("bi benh gan co dc ho tro tien chua ko", None),
    ("cong ty dien luc nhan tin bao sap cat dien doi chuyen tien, co phai lua dao ko", None),
    ("bo me muon sang nhat tham con 1 thang thi xin visa the nao", None),
    ("can nguoi giup viec nha o ha noi luong 7tr co ai di ko", None),
    # ... and on fresh37-40: a family-reunion visa, a drunk husband, a flood allowance, a
    # commercial bank's loan, a dance class.
    ("chong e dang lam ben nhat, muon bao lanh vo con sang doan tu thi lam visa the nao", None),
    ("chong toi say ruou danh vo con, toi bao ai, toi het chiu noi roi", None),
    ("vay ngan hang nong nghiep the chap so do duoc bao nhieu", None),
    ("con gai toi muon hoc mua, o ham yen co lop nao k", None),
    # ... and on fresh41-44: a prize call, a caller posing as the police, extra maths
    # lessons, a lost household book, a health centre's hours, a women's union loan.
    ("co nguoi goi bao toi trung thuong iphone, doi chuyen 2 trieu phi van chuyen, co that k",
     None),
    ("co nguoi goi tu xung cong an bao toi lien quan vu an doi chuyen tien de dieu tra", None),
    ("o thi tran co lop hoc them toan lop 9 ko", None),
    ("mat so ho khau roi lam lai the nao", None),
    ("trung tam y te ham yen may gio lam viec", None),
    ("hoi phu nu thon e cho vay mua bo, lai suat hoi bao nhieu", None),
    # ... and on fresh45-48: a house rebuilt on a policy loan, a boarding school, an old
    # person's monthly allowance, a family visit's visa, a child hooked on games.
    ("ho ngheo vay ngan hang chinh sach de lam lai cai nha sap thi vay duoc bao nhieu", None),
    ("chau len lop 6 muon dang ky vao truong noi tru dan toc thi nop o dau a", None),
    ("người 80 tuổi được hỗ trợ tiền hàng tháng thì lĩnh ở đâu", None),
    ("bố mẹ e muốn sang hàn thăm cháu 1 tháng làm visa thăm thân thế nào", None),
    ("con nghien game k chiu di hoc. lam sao", None),
    # Travelling as a tourist to stay and work is still the office's warning.
    ("di du lich sang han roi o lai lam chui co sao ko", "abroad.scam"),
    # "có dấu" (a stamp) is not "cô dâu" (a bride): a fake exit notice is still a scam.
    ("em nhan dc thong bao co dau do doi nop tien", "abroad.scam"),
    # The same words about the office's work are still answered.
    ("giay khai sinh co can trong ho so di nhat khong", "abroad.dossier"),
    ("xuat khau lao dong sang dai loan can gi", "abroad.taiwan"),
])
def test_civil_records_a_licence_a_bank_and_goods_are_outside(
    matcher: Matcher, question: str, topic: str | None
) -> None:
    decision = matcher.decide(question)
    if topic is None:
        assert decision.outcome == "fallback"
    else:
        assert topic in decision.topics


@pytest.mark.parametrize(("question", "topic"), [
    # "là cái gì", "dùng … thay được không" ask about the bot only when the message names it
    # (lexicon [needs]); "bot" itself is a polite word dropped from the matching key.
    ("alo ông hỏi cái là cái thẻ bảo hiểm y tế của ông hết hạn rồi nghe nói bây giờ dùng căn "
     "cước thay được có đúng không", None),
    ("trung quoc dao nay co dich benh gi ko", None),
    ("IM Japan là gì, đi theo đấy có mất phí không", "abroad.japan"),
    ("bot nay lam dc gi", "general.about_bot"),
    ("ban la ai vay", "general.about_bot"),
    ("day la cai gi vay hoi gi cung dc a", "general.about_bot"),
])
def test_the_bot_is_answered_only_to_a_message_that_speaks_of_it(
    matcher: Matcher, question: str, topic: str | None
) -> None:
    decision = matcher.decide(question)
    assert "general.about_bot" in decision.topics or topic != "general.about_bot"
    if topic is None:
        assert decision.outcome != "answer"
    else:
        assert topic in decision.topics


@pytest.mark.parametrize("question", [
    # Kinds the typed questions (messages/faq/typed) keep outside, where the knowledge base's
    # own examples gave a topic or "which topic?": a Japanese word, a house on a poor
    # household's support, a Korean son-in-law, the minimum wage, a bank's mortgage, a prize.
    "tieng nhat sumimasen nghia la gi a",
    "nha e ho ngheo muon xin ho tro lam lai mai nha thi hoi ai",
    "nguoi han quoc muon cuoi con gai toi thi lam giay to gi",
    "luong toi thieu vung nam nay bao nhieu 1 thang",
    "vay thế chấp sổ đỏ ở agribank thì lãi mấy phần trăm",
    "co tin nhan bao e trung thuong xe may, bat nop phi truoc, co lua k",
])
def test_typed_questions_keep_other_matters_outside(matcher: Matcher, question: str) -> None:
    assert matcher.decide(question).outcome == "fallback"


@pytest.mark.parametrize("question", [
    # Kinds the eval sets still found answered (lexicon [not_topic], [domestic]): a land
    # dispute, a couple's quarrel, a hospital-fee call, a child's school, a farmers' union
    # loan, a corner shop, registering as a poor household, overtime or a notice at home,
    # military service, a licence, debts, usury, a US visa, a literacy class, a village
    # meeting, a motorbike repair, a house built for a price, a word to read, a chat app.
    "nhà em với nhà bên cạnh tranh chấp đất, đơn gửi xã lâu rồi chưa thấy giải quyết",
    "vợ chồng em cãi nhau vì chồng muốn đi nước ngoài, em phải làm sao",
    "có người gọi bảo chồng em đang cấp cứu ở bệnh viện đòi chuyển tiền viện phí gấp",
    "con di hoc co duoc mien tien hoc khong",
    "tuyển sinh lớp 1 năm nay bao giờ bắt đầu",
    "kèm con học toán lớp 3 ở đâu",
    "muốn học bổ túc văn hóa lớp 9 buổi tối",
    "vay hội nông dân nuôi dê thì lãi bao nhiêu",
    "mở tiệm tạp hóa ở quê cần vốn bao nhiêu",
    "muốn đăng ký hộ nghèo thì làm đơn gửi ai",
    "tăng ca quá 4 tiếng một ngày có vi phạm luật không",
    "công ty ở Bắc Giang cho nghỉ việc không báo trước thì kiện ở đâu",
    "con em khám nvqs bị loại thì năm sau có phải khám lại không",
    "dang ky giay phep mo tiem cat toc can gi",
    "chồng nợ nần cờ bạc thì vợ có phải trả không",
    "cho vay nặng lãi có bị bắt không",
    "chau muon vay tien tra no the chap so do",
    "xin visa di my du lich can giay to gi",
    "lop xoa mu chu o thon co mo nua khong",
    "uy ban xa thang nay co hop dan khong",
    "bảo dưỡng sửa xe máy ở đâu rẻ",
    "nhà trọn gói 300 triệu có xây được không",
    "nâng lương cho giáo viên năm nay thế nào",
    "chữ này đọc là gì vậy",
    "zalo khong gui duoc anh cho ban be",
    "chụp ảnh căn cước bị mờ quá phải làm sao",
    "chủ quán cơm trả lương chậm 2 tháng rồi",
    "lớp dạy tiếng việt cho bà con dân tộc có mở không",
    "đi học lại văn hóa lớp 12 ở trung tâm giáo dục thường xuyên",
])
def test_other_matters_sharing_a_labour_word_are_not_answered(
    matcher: Matcher, question: str
) -> None:
    decision = matcher.decide(question)
    assert decision.outcome not in ("answer", "action"), decision.candidates


@pytest.mark.parametrize(("question", "topic"), [
    # The same words about the office's work: still answered.
    ("sang Hàn chủ cho nghỉ việc không báo trước có được bồi thường không",
     "abroad.contract_rights"),
    ("ben dai loan tang ca co duoc tra tien khong", "abroad.contract_rights"),
    ("học xong lớp chăn nuôi muốn vay vốn làm chuồng trại thì vay ở đâu", "training.after"),
    ("hộ cận nghèo đi học nghề có được miễn học phí không", "training.support"),
    ("con đi Hàn bị tai nạn nằm viện gia đình liên hệ ai", "abroad.family"),
    ("gửi ảnh căn cước vào đây có bị lộ không", "general.privacy"),
    # Words left out of the lists above for this reason: a person who cannot read asking
    # for a class, a class's hours ("học toàn thời gian" folds to "học toán").
    ("người mù chữ có được đi học nghề không", "training.eligibility"),
    ("lớp may có phải học toàn thời gian không", "training.schedule"),
])
def test_those_words_about_the_offices_work_still_answer(
    matcher: Matcher, question: str, topic: str
) -> None:
    assert topic in matcher.decide(question).topics
