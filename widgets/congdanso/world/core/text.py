"""Text helpers: Vietnamese names typed in NFD, with stray spaces or another case still match."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """Normalise to NFC, the form every stored string in the world uses."""
    return unicodedata.normalize("NFC", text)


def clean_name(text: str) -> str:
    """Tidy a typed name: NFC, single spaces, no leading/trailing spaces."""
    return " ".join(nfc(text).split())


def name_key(text: str) -> str:
    """A comparison key for names: NFC, spaces collapsed, case folded (diacritics kept)."""
    return clean_name(text).casefold()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics (đ → d too), for ASCII-only formats such as VietQR names."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != nfc(text)

