"""The deployment profile (``messages/deployment.toml``): the bot's name, the province, the
commune offices and the provincial department, as data.

Its values are the default placeholders of every string (:func:`messages.catalog.t`) and of the
knowledge base, so no other file names an office, a place or a phone number. Another province
deploys by editing the TOML file and the units file.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROFILE_FILE = Path(__file__).parent / "deployment.toml"


class ProfileError(ValueError):
    """The profile file is missing a field or has one of the wrong type."""


@dataclass(frozen=True, slots=True)
class Office:
    name: str
    address: str = ""
    hours: str = ""
    phone: str = ""

    @property
    def known(self) -> bool:
        return bool(self.address or self.phone)


@dataclass(frozen=True, slots=True)
class Profile:
    bot_name: str
    case_ref_prefix: str
    province: str
    former_district: str
    area: str
    office_hours: str
    commune_office: str
    service_centre: str
    department: Office
    communes: tuple[Office, ...]
    wording: dict[str, str]

    def fields(self) -> dict[str, str]:
        """The placeholders strings may use, with their values."""
        w = self.wording
        department_contact = w["department_line"].format(
            name=self.department.name, details=self._details(self.department))
        known = [c for c in self.communes if c.known]
        commune_contacts = (
            "\n".join(w["commune_line"].format(name=c.name, details=self._details(c))
                      for c in known) if known else w["unknown"])
        return {
            "bot_name": self.bot_name,
            "province": self.province,
            "former_district": self.former_district,
            "area": self.area,
            "office_hours": self.office_hours,
            "commune_office": self.commune_office,
            "service_centre": self.service_centre,
            "department": self.department.name,
            "communes": ", ".join(c.name for c in self.communes),
            "example_commune": self.communes[0].name,
            "department_contact": department_contact,
            "commune_contacts": commune_contacts,
            "data_controllers": w["data_controllers"].format(department=self.department.name),
        }

    def _details(self, office: Office) -> str:
        w = self.wording
        if not office.known:
            return w["unknown"]
        parts = [w["address"].format(address=office.address) if office.address else "",
                 w["hours"].format(hours=office.hours or self.office_hours),
                 w["phone"].format(phone=office.phone) if office.phone else w["unknown"]]
        return ", ".join(p for p in parts if p)


def _text(table: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProfileError(f"{where}.{key}: give a text in quotes")
    return unicodedata.normalize("NFC", value).strip()


def _office(table: Any, where: str) -> Office:
    if not isinstance(table, dict):
        raise ProfileError(f"{where}: must be a table")
    return Office(_text(table, "name", where),
                  *(_text(table, k, where, required=False) for k in ("address", "hours", "phone")))


def read_profile(path: Path) -> Profile:
    """Parse and check one profile file; raises ProfileError naming the bad field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path.name}: {exc}") from None
    sections = {k: data.get(k, {}) for k in ("bot", "area", "commune_offices", "wording")}
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise ProfileError(f"[{name}] must be a table")
    communes = data.get("commune", [])
    if not isinstance(communes, list) or not communes:
        raise ProfileError("[[commune]]: list at least one commune")
    wording = {k: _text(sections["wording"], k, "wording")
               for k in ("commune_line", "address", "hours", "phone", "department_line",
                         "unknown", "data_controllers")}
    return Profile(
        bot_name=_text(sections["bot"], "name", "bot"),
        case_ref_prefix=_text(sections["bot"], "case_ref_prefix", "bot"),
        province=_text(sections["area"], "province", "area"),
        former_district=_text(sections["area"], "former_district", "area", required=False),
        area=_text(sections["area"], "name", "area"),
        office_hours=_text(sections["area"], "office_hours", "area"),
        commune_office=_text(sections["commune_offices"], "office", "commune_offices"),
        service_centre=_text(sections["commune_offices"], "service_centre", "commune_offices"),
        department=_office(data.get("department"), "department"),
        communes=tuple(_office(c, f"commune[{i}]") for i, c in enumerate(communes)),
        wording=wording,
    )


_active: list[Path] = [PROFILE_FILE]


@cache
def _load(path: Path) -> Profile:
    return read_profile(path)


def profile() -> Profile:
    """The active profile (read once per process)."""
    return _load(_active[0])


@cache
def _fields(path: Path) -> dict[str, str]:
    return _load(path).fields()


def profile_fields() -> dict[str, str]:
    return _fields(_active[0])


def activate(path: Path) -> Path:
    """Make ``path`` the active profile (tests, another province); returns the previous one.

    Strings are formatted on each call, so the next ``t()`` uses it; a knowledge base already
    loaded keeps the texts it was filled with until it is read again.
    """
    read_profile(path)  # fail here, not on the first message
    previous = _active[0]
    _active[0] = path
    return previous


class _Fields(dict[str, Any]):
    """Format fields that leave an unknown ``{name}`` as it is (for texts filled later)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str) -> str:
    """``text`` with the profile's placeholders filled in and any other ``{name}`` kept."""
    if "{" not in text:
        return text
    return text.format_map(_Fields(profile_fields()))
