"""Fonts that can print Vietnamese: DejaVu Sans, shipped with matplotlib (found, not imported).

pyHanko's signature stamp embeds a TrueType font on every signature; loading all of DejaVu Sans
each time costs ~250 ms, so the stamp uses a subset with just the Latin and Vietnamese letters,
made once with fontTools and kept in the user's cache folder.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from functools import lru_cache
from pathlib import Path

VIETNAMESE_EXTRA = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư–—…“”‘’•·×"


@lru_cache(maxsize=2)
def font_path(bold: bool = False) -> Path:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (which ships the DejaVu Sans font) is not installed")
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / name


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "congdanso"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError:  # a read-only home: fall back to the temp folder
        path = Path(tempfile.gettempdir()) / "congdanso-cache"
        path.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache(maxsize=1)
def stamp_font_path() -> Path:
    """A small DejaVu Sans subset (ASCII + Vietnamese, 1000 units per em) for signature stamps."""
    target = _cache_dir() / "DejaVuSans-vi-2.ttf"
    if target.exists():
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF", "kern"]
    font = TTFont(str(font_path()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=set(range(0x20, 0x7F))
        | {ord(c) for c in VIETNAMESE_EXTRA}
        | set(range(0x1EA0, 0x1EFA))
    )
    subsetter.subset(font)
    # pyHanko writes glyph widths in font units; PDF wants 1/1000 em. DejaVu uses 2048 units per
    # em, which would make stamp text twice as wide, so the subset is rescaled to 1000.
    from fontTools.ttLib.scaleUpem import scale_upem

    scale_upem(font, 1000)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)  # atomic: two kernels making it at once both end up fine
    return target
