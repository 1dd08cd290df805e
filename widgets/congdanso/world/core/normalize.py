"""One normaliser for what people type: the world, the "Kiểm tra" checklist and the grader accept
exactly the same forms of an ID number, a phone number, a dossier or customer code, an amount.

A volunteer types "087 062 514 932" as lesson 00 teaches, "h74.lth-260312-0003 " from an SMS, or
"150.000 đ": the carrier, the police desk and the portal accept them, so a grade must too. The
world's validators and lookups call these functions, and so does every comparison a check makes
(:func:`same`), so no path accepts a form another refuses.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_GAPS = " .-\u00a0\u202f\t"


def text(value: Any) -> str:
    """NFC (a name typed in NFD is the same name), single spaces, no spaces at the ends."""
    return " ".join(unicodedata.normalize("NFC", str(value if value is not None else "")).split())


def _ascii_digits(value: str) -> str:
    # full-width digits (some phone keyboards) are digits too
    return unicodedata.normalize("NFKC", value)


def id_number(value: Any) -> str:
    """An ID number without the spaces, dots and dashes people type between digit groups."""
    return "".join(ch for ch in _ascii_digits(str(value if value is not None else ""))
                   if ch not in _GAPS)


def phone(value: Any) -> str:
    """A mobile number as 10 digits: gaps and brackets removed, +84 / 84 turned into 0."""
    found = "".join(ch for ch in _ascii_digits(str(value if value is not None else "")).strip()
                    if ch not in _GAPS + "()")
    if found.startswith("+84"):
        found = "0" + found[3:]
    elif found.startswith("84") and len(found) == 11:
        found = "0" + found[2:]
    return found


def code(value: Any) -> str:
    """A dossier or customer code: no spaces anywhere, upper case, NFC."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value if value is not None
                                                               else ""))).upper()


def amount(value: Any) -> int | None:
    """An amount in đồng from "150.000 đ", "150,000", "150000 VND"; None if there is no number."""
    if isinstance(value, int):
        return value
    digits = re.sub(r"\D", "", _ascii_digits(str(value if value is not None else "")))
    return int(digits) if digits else None


def date(value: Any) -> str | None:
    """A day as dd/mm/yyyy from "5/6/2026", "05-06-2026", "05.06.2026" or a screen's
    "08:00 Thứ Hai 05/06/2026"; None if there is no such date."""
    found = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})",
                      _ascii_digits(str(value if value is not None else "")))
    if not found:
        return None
    day, month, year = (int(x) for x in found.groups())
    return f"{day:02d}/{month:02d}/{year:04d}"


def fold(value: Any) -> str:
    """A comparison key for a name as a screen shows it: no diacritics, case folded."""
    decomposed = unicodedata.normalize("NFD", text(value).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# The arguments of world actions that hold one of these, by name.
BY_ARGUMENT = {"id_number": id_number, "phone": phone, "code": code, "customer_code": code,
               "amount": amount}


def argument(name: str, value: Any) -> Any:
    """An action argument in the form the world uses (unknown names are left as they are)."""
    fn = BY_ARGUMENT.get(name)
    return fn(value) if fn is not None and value is not None else value


def same(kind: str | None, given: Any, expected: Any) -> bool:
    """Whether an answer given is the expected one, for a kind of answer: ``number`` (an amount
    or a count), ``code``, ``id``, ``phone``, ``name`` (no diacritics needed), ``date``;
    otherwise text."""
    if expected is None:
        return False
    if kind == "number":
        found = amount(given)
        return found is not None and found == amount(expected)
    if kind == "code":
        return code(given) != "" and code(given) == code(expected)
    if kind == "id":
        return id_number(given) == id_number(expected)
    if kind == "phone":
        return phone(given) == phone(expected)
    if kind == "name":
        return fold(given) == fold(expected)
    if kind == "date":
        return date(given) is not None and date(given) == date(expected)
    return text(given) == text(expected)
