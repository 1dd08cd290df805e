"""The command line speaks Vietnamese only: argparse's own words, OS errors, times."""

from __future__ import annotations

import re

import pytest
from congdanso.cli import build_parser, main

ENGLISH = re.compile(r"\b(usage|options|positional arguments|show this help|exit|error|"
                     r"required|invalid choice|No such file|Permission denied)\b")


def _commands(parser):
    yield parser
    for action in parser._actions:
        for sub in getattr(action, "choices", None) or {}:
            child = action.choices[sub]
            if hasattr(child, "format_help"):
                yield from _commands(child)


def test_every_help_page_is_vietnamese():
    pages = [p.format_help() for p in _commands(build_parser())]
    assert len(pages) > 20
    for page in pages:
        assert page.startswith("cách dùng: ") and not ENGLISH.search(page), page


@pytest.mark.parametrize("argv, words", [
    (["kyso", "verify"], "thiếu tham số bắt buộc: TỆP_PDF"),
    (["lenh-la"], "lựa chọn không có: 'lenh-la'"),
    (["journal", "check", "a.jsonl", "--khong-co"], "không hiểu tham số: --khong-co"),
    (["autograde", "--jobs", "hai"], "giá trị không hợp lệ: 'hai'"),
])
def test_usage_errors_are_vietnamese(capsys, argv, words):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert words in err and ": lỗi: " in err and not ENGLISH.search(err)


def test_os_errors_are_vietnamese_and_name_the_file(capsys, tmp_path):
    missing = tmp_path / "khong-co" / "ma.png"
    assert main(["vietqr", "encode", "--account", "0123456789", "--png", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "không có tệp hay thư mục này" in err and str(missing) in err
    assert not ENGLISH.search(err) and "Traceback" not in err
    assert main(["journal", "check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "đây là một thư mục" in err and "CHƯA KIỂM TRA ĐƯỢC" in err
