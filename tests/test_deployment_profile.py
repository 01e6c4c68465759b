"""The deployment profile drives every office and place the bot names: another province's
profile leaves no trace of the default (Hàm Yên, Tuyên Quang) in what people read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.textnorm import fold
from messages import t
from messages.deployment import PROFILE_FILE, ProfileError, activate, profile, read_profile
from messages.faq_loader import KB_DIR, read_kb

OTHER = """
[bot]
name = "Trợ lý việc làm Bảo Lạc"
case_ref_prefix = "BL"

[area]
province = "Cao Bằng"
former_district = ""
name = "vùng Bảo Lạc"
office_hours = "sáng thứ Hai đến sáng thứ Bảy"

[commune_offices]
office = "Phòng Văn hóa – Xã hội của UBND xã"
service_centre = "Trung tâm Phục vụ hành chính công xã"

[department]
name = "Sở Nội vụ tỉnh Cao Bằng"
address = "số 1 đường Ví Dụ"
hours = ""
phone = ""

[[commune]]
name = "Bảo Lạc"
address = ""
hours = ""
phone = "0200 000 000"

[[commune]]
name = "Cốc Pàng"
address = ""
hours = ""
phone = ""

[wording]
commune_line = "• Xã {name}: {details}"
address = "địa chỉ {address}"
hours = "làm việc {hours}"
phone = "điện thoại {phone}"
department_line = "{name}: {details}"
unknown = "hỏi tại UBND xã"
data_controllers = "cán bộ xã và {department}"
"""

DEFAULT_NAMES = ("ham yen", "tuyen quang", "phu luu", "bach xa", "hung duc", "phong lao dong")


@pytest.fixture
def other_province(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "deployment.toml"
    path.write_text(OTHER, encoding="utf-8")
    previous = activate(path)
    try:
        yield path
    finally:
        activate(previous)


def _leaks(text: str) -> list[str]:
    folded = fold(text)
    return [name for name in DEFAULT_NAMES if name in folded]


def test_default_profile_is_the_former_ham_yen_area() -> None:
    p = read_profile(PROFILE_FILE)
    assert p.province == "Tuyên Quang" and p.case_ref_prefix == "HY"
    assert [c.name for c in p.communes][:2] == ["Hàm Yên", "Bạch Xa"]
    # Nothing invented: no phone number is known yet, so none is given.
    assert not p.department.phone and not any(c.phone for c in p.communes)
    assert "hỏi tại UBND xã" in p.fields()["commune_contacts"]


def test_shipped_units_file_and_profile_name_the_same_communes() -> None:
    units = Path(__file__).parents[1] / "storage" / "data" / "units_current.csv"
    names = [line.split(",")[1] for line in units.read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(names) == sorted(c.name for c in read_profile(PROFILE_FILE).communes)


def test_another_province_profile_leaves_no_default_name(other_province: Path) -> None:
    shown = [t("menu.welcome"), t("menu.welcome_named", name="Lan"),
             t("intake.consent", days=30), t("handoff.done"),
             t("zalo.attachment_elsewhere", name="a"),
             t("dossier.family_complete", ref="BL-2026-00001")]
    kb = read_kb(KB_DIR)
    for topic in ("general.contact", "general.human", "general.privacy", "general.about_bot",
                  "abroad.scam", "abroad.dossier", "training.register"):
        entry = kb.entries[topic]
        shown += [entry.answer, entry.details]
    for text in shown:
        assert _leaks(text) == [], text
    assert "Cao Bằng" in t("menu.welcome")
    assert "Sở Nội vụ tỉnh Cao Bằng" in t("intake.consent", days=30)
    contact = kb.entries["general.contact"]
    assert "Bảo Lạc, Cốc Pàng" in contact.answer
    # A known phone is given; where none is known, people are sent to the commune.
    assert "0200 000 000" in contact.details and "số 1 đường Ví Dụ" in contact.details
    assert profile().case_ref_prefix == "BL"


def test_case_reference_prefix_comes_from_the_profile_unless_set(other_province: Path) -> None:
    from bot.settings import load_settings

    assert load_settings().case_ref_prefix == "BL"
    assert load_settings(case_ref_prefix="XY").case_ref_prefix == "XY"


def test_a_profile_missing_a_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(OTHER.replace('province = "Cao Bằng"\n', ""), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"area\.province"):
        activate(path)
    assert profile().province == "Tuyên Quang"


def test_strings_name_no_office_place_or_phone_of_the_deployment() -> None:
    strings_dir = Path(__file__).parents[1] / "messages"
    for path in [*(strings_dir / "strings").glob("*.toml"), *(strings_dir / "faq").glob("*.toml"),
                 strings_dir / "dossier_checklist.toml"]:
        text = path.read_text(encoding="utf-8")
        # Example questions (what people type) and comments may name places; answers may not.
        shown = "\n".join(line for line in text.splitlines()
                          if not line.startswith(("    \"", "#")))
        assert _leaks(shown) == [], path.name
