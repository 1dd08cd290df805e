"""Building blocks shared by the phone apps: labelled fields with inline errors, app screens."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from congdanso.world.core.errors import DomainError

FULL = widgets.Layout(width="100%")


class _Shared:
    """Style and layout models shared by every widget of the apps.

    Each ipywidgets style or layout is a model of its own with a comm; a phone app has a few
    hundred widgets, so sharing these halves the messages a kernel sends when an app opens.
    """

    def __init__(self) -> None:
        from ipywidgets.widgets.widget_bool import CheckboxStyle
        from ipywidgets.widgets.widget_string import DescriptionStyle, HTMLStyle, TextStyle

        self.html = HTMLStyle()
        self.button = widgets.ButtonStyle()
        self.text = TextStyle(description_width="initial")
        self.description = DescriptionStyle(description_width="initial")
        self.checkbox = CheckboxStyle()
        self.auto = widgets.Layout()


_SHARED: _Shared | None = None


def shared() -> _Shared:
    global _SHARED
    if _SHARED is None:
        _SHARED = _Shared()
    return _SHARED


def html(value: str = "") -> widgets.HTML:
    return widgets.HTML(value, style=shared().html, layout=shared().auto)


def vbox(children: Sequence[widgets.Widget] = ()) -> widgets.VBox:
    """A full-width box. Its layout is shared: give it its own before hiding it."""
    return widgets.VBox(list(children), layout=FULL)


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget and everything inside it (its comms with the browser): a closed child left
    in a live parent breaks the notebook's widget state. Shared styles and layouts stay open."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()


def esc(text: object) -> str:
    return htmllib.escape(str(text))


def picture(png: bytes, alt: str, *, width: int = 220) -> str:
    """A PNG as an <img> with its text alternative (ipywidgets' Image has no alt text)."""
    import base64

    encoded = base64.b64encode(png).decode()
    return (f'<img src="data:image/png;base64,{encoded}" alt="{esc(alt)}" width="{width}" '
            f'style="max-width:100%;height:auto">')


def table(rows: dict[str, Any] | Sequence[tuple[str, Any]]) -> str:
    items = rows.items() if isinstance(rows, dict) else rows
    body = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in items)
    return f'<table class="cds-table">{body}</table>'


class Button(widgets.Button):
    """A button that takes one press per person's press: a double-click (two presses within
    ``GAP`` seconds from the screen, a double-click's window) acts once, so a tired tap does
    not hand in twice, send two OTP messages or confirm "Làm lại từ đầu" on its own. A press
    from code always acts."""

    GAP = 0.5

    def _handle_button_msg(self, _, content, buffers):
        import time

        if content.get("event", "") == "click":
            now = time.monotonic()
            if now - getattr(self, "_last_press", -self.GAP) < self.GAP:
                return
            self._last_press = now
        super()._handle_button_msg(_, content, buffers)


class Field:
    """An input with its label (read by screen readers) and an error line under it."""

    def __init__(self, label: str, *, kind: str = "text", placeholder: str = "",
                 options: Sequence[str] | None = None, help_text: str = ""):
        look = shared()
        if kind == "password":
            self.input: widgets.ValueWidget = widgets.Password(
                description=label, placeholder=placeholder, layout=FULL, style=look.text,
                continuous_update=False)
        elif kind == "choice":
            self.input = widgets.Dropdown(description=label, options=list(options or []),
                                          layout=FULL, style=look.description)
        elif kind == "radio":  # every option in full, wrapped: a closed list cuts long ones
            self.input = widgets.RadioButtons(description=label, options=list(options or []),
                                              layout=FULL, style=look.description)
        elif kind == "check":
            self.input = widgets.Checkbox(description=label, indent=False, layout=FULL,
                                          style=look.checkbox)
        else:
            # The value reaches the kernel when the field is left (Enter, or the tap on a
            # button): a tap right after the last key is then read with it. Sent on every key,
            # the last ones wait behind the kernel's reply while the tap's message goes ahead,
            # and the button read the field without them.
            self.input = widgets.Text(description=label, placeholder=placeholder, layout=FULL,
                                      style=look.text, continuous_update=False)
        self.input.add_class("cds-field")
        self.error = html()
        parts: list[widgets.Widget] = [self.input]
        if help_text:
            parts.append(html(f"<small>{esc(help_text)}</small>"))
        parts.append(self.error)
        self.box = vbox(parts)

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
        return htmllib.unescape(self.error.value.split("Lỗi: ", 1)[-1].split("</div>")[0]) \
            if self.error.value else ""


def button(text: str, on_click: Callable[[], Any], *, primary: bool = False,
           tooltip: str = "", once: bool = False) -> widgets.Button:
    """``once``: a double-click acts once (hand in, start again, send a code: a second act
    would do harm); other buttons take every press, as fast as it comes."""
    kind = Button if once else widgets.Button
    widget = kind(description=text, tooltip=tooltip or text, layout=FULL,
                  button_style="primary" if primary else "", style=shared().button)
    widget.on_click(lambda _: on_click())
    return widget


class AppView:
    """One app on the phone: a title, a notice line, and named screens."""

    title = ""

    def __init__(self, phone):
        self.phone = phone
        self.world = phone.world
        self.person = phone.person
        self.notice = html()
        self.body = vbox()
        self.header = html(f'<div class="cds-apptitle"><h2>{esc(self.title)}</h2></div>')
        self.widget = vbox([self.header, self.notice, self.body])
        self.screens: dict[str, widgets.Widget] = {}
        self.screen = ""
        self._shown = 0
        self._near = 0
        self.last_error: DomainError | None = None

    def show(self, name: str) -> None:
        if name != self.screen and self.screen:
            # A new heading element on each screen change: the page's focus helper (theme.
            # FOCUS_JS) moves keyboard and screen-reader focus to it.
            self._shown += 1
            self.header.value = (f'<div class="cds-apptitle"><h2 data-man="{self._shown}">'
                                 f"{esc(self.title)}</h2></div>")
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

    def say_near(self, where: widgets.HTML, text: str) -> None:
        """An error said next to the button just pressed (``where`` sits under it), with focus
        moved there (theme.FOCUS_JS): a learner who pressed a button at the bottom of a long form
        sees and hears what went wrong where she is, not a screen above. Each call makes a new
        element, so the same message said twice still takes the focus again."""
        self._near += 1
        where.value = (f'<div class="cds-error" role="alert" tabindex="-1" '
                       f'data-cds-focus="{self._near}">⚠ {esc(text)}</div>')

    @property
    def notice_text(self) -> str:
        import re

        return htmllib.unescape(re.sub(r"<[^>]+>", "", self.notice.value)).strip()

    def attempt(self, action: Callable[[], Any], fields: dict[str, Field] | None = None) -> Any:
        """Run a world action; show its failure next to the field it names, keep the input."""
        fields = fields or {}
        for item in fields.values():
            item.clear()
        self.notice.value = ""
        self.last_error = None
        try:
            result = action()
        except DomainError as exc:
            self.last_error = exc
            target = fields.get(exc.field or "")
            if target is not None:
                target.show_error(exc.message)
            else:
                self.say(exc.message, error=True)
            result = None
        # A password or PIN is never left in its field, used or refused: its dots hide what is
        # there, so a refused one kept would have the next try typed after it ("tối đa 20 ký
        # tự"). Every hidden field of the form starts empty again.
        for item in fields.values():
            if isinstance(item.input, widgets.Password):
                item.value = ""
        return result
