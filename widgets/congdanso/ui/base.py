"""Building blocks shared by the phone apps: labelled fields with inline errors, app screens."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from congdanso.world.errors import DomainError

FULL = widgets.Layout(width="100%")


def esc(text: object) -> str:
    return html.escape(str(text))


def table(rows: dict[str, Any] | Sequence[tuple[str, Any]]) -> str:
    items = rows.items() if isinstance(rows, dict) else rows
    body = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in items)
    return f'<table class="cds-table">{body}</table>'


class Field:
    """An input with its label (read by screen readers) and an error line under it."""

    def __init__(self, label: str, *, kind: str = "text", placeholder: str = "",
                 options: Sequence[str] | None = None, help_text: str = ""):
        style = {"description_width": "initial"}
        if kind == "password":
            self.input: widgets.ValueWidget = widgets.Password(
                description=label, placeholder=placeholder, layout=FULL, style=style)
        elif kind == "choice":
            self.input = widgets.Dropdown(description=label, options=list(options or []),
                                          layout=FULL, style=style)
        elif kind == "check":
            self.input = widgets.Checkbox(description=label, indent=False, layout=FULL)
        else:
            self.input = widgets.Text(description=label, placeholder=placeholder, layout=FULL,
                                      style=style)
        self.input.add_class("cds-field")
        self.error = widgets.HTML()
        parts: list[widgets.Widget] = [self.input]
        if help_text:
            parts.append(widgets.HTML(f"<small>{esc(help_text)}</small>"))
        parts.append(self.error)
        self.box = widgets.VBox(parts, layout=FULL)

    @property
    def value(self) -> Any:
        return self.input.value

    @value.setter
    def value(self, value: Any) -> None:
        self.input.value = value

    def show_error(self, message: str) -> None:
        self.error.value = f'<div class="cds-error" role="alert">⚠ Lỗi: {esc(message)}</div>'

    def clear(self) -> None:
        self.error.value = ""

    @property
    def error_text(self) -> str:
        return html.unescape(self.error.value.split("Lỗi: ", 1)[-1].split("</div>")[0]) \
            if self.error.value else ""


def button(text: str, on_click: Callable[[], Any], *, primary: bool = False,
           tooltip: str = "") -> widgets.Button:
    widget = widgets.Button(description=text, tooltip=tooltip or text, layout=FULL,
                            button_style="primary" if primary else "")
    widget.on_click(lambda _: on_click())
    return widget


class AppView:
    """One app on the phone: a title, a notice line, and named screens."""

    title = ""

    def __init__(self, phone):
        self.phone = phone
        self.world = phone.world
        self.person = phone.person
        self.notice = widgets.HTML()
        self.body = widgets.VBox(layout=FULL)
        self.header = widgets.HTML(f'<div class="cds-apptitle"><h2>{esc(self.title)}</h2></div>')
        self.widget = widgets.VBox([self.header, self.notice, self.body], layout=FULL)
        self.screens: dict[str, widgets.Widget] = {}
        self.screen = ""
        self.last_error: DomainError | None = None

    def show(self, name: str) -> None:
        self.screen = name
        self.body.children = [self.screens[name]]

    def say(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        if error:
            self.notice.value = f'<div class="cds-error" role="alert">⚠ {esc(text)}</div>'
        elif ok:
            self.notice.value = f'<div class="cds-ok" role="status">✔ {esc(text)}</div>'
        else:
            self.notice.value = f'<div class="cds-note" role="status">ℹ {esc(text)}</div>' \
                if text else ""

    @property
    def notice_text(self) -> str:
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.notice.value)).strip()

    def attempt(self, action: Callable[[], Any], fields: dict[str, Field] | None = None) -> Any:
        """Run a world action; show its failure next to the field it names, keep the input."""
        fields = fields or {}
        for item in fields.values():
            item.clear()
        self.notice.value = ""
        self.last_error = None
        try:
            return action()
        except DomainError as exc:
            self.last_error = exc
            target = fields.get(exc.field or "")
            if target is not None:
                target.show_error(exc.message)
            else:
                self.say(exc.message, error=True)
            return None
