"""The look of the outreach apps: projector-sized text, strong contrast, visible focus.

Meaning is never carried by colour alone: every state has a word and a symbol (✔ ✘ ⚠ ℹ).
"""

from __future__ import annotations

import ipywidgets as widgets

from congdanso.ui.base import FULL, html, shared

CSS = """
<style>
.cdsd { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 22px;
  line-height: 1.5; color: #111; max-width: 1280px; margin: 0 auto;
  --jp-widgets-font-size: 22px; --jp-widgets-inline-height: 48px; }
.cdsd .widget-html, .cdsd .widget-html-content, .cdsd .widget-label, .cdsd input,
.cdsd select, .cdsd textarea, .cdsd button, .cdsd .widget-upload, .cdsd .lm-TabBar-tabLabel
  { font-size: 22px !important; font-family: inherit; line-height: 1.45; }
.cdsd .jupyter-widget-tab > .lm-TabBar { min-height: 56px; }
.cdsd .jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto !important;
  max-width: none !important; min-height: 52px; padding: 8px 18px; }
.cdsd .widget-html-content .cdsd-step { font-size: 18px; }
.cdsd .widget-html-content { white-space: normal; }
.cdsd h1 { font-size: 1.7em; margin: 8px 0; } .cdsd h2 { font-size: 1.35em; margin: 6px 0; }
.cdsd h3 { font-size: 1.15em; margin: 6px 0; }
.cdsd button { min-height: 56px; min-width: 200px; height: auto !important; border-radius: 12px;
  padding: 8px 18px; white-space: normal !important; border: 2px solid #333; }
.cdsd .mod-primary { background: #0b57d0; border-color: #0b57d0; }
.cdsd .mod-success { background: #0b5d1e; border-color: #0b5d1e; }
.cdsd .mod-danger { background: #8b0000; border-color: #8b0000; }
.cdsd input, .cdsd select, .cdsd textarea { border: 2px solid #555 !important; border-radius: 8px;
  padding: 6px 10px; min-height: 48px; }
.cdsd textarea { min-height: 120px; font-family: "DejaVu Sans Mono", monospace !important; }
/* A two-tone ring (black, then yellow) is seen on white and on the dark banner alike. */
.cdsd.cdsd.cdsd :focus, .cdsd.cdsd.cdsd :focus-visible, .cdsd.cdsd.cdsd input:focus,
.cdsd.cdsd.cdsd textarea:focus, .cdsd.cdsd.cdsd select:focus {
  outline: 4px solid #111 !important; outline-offset: 2px;
  box-shadow: 0 0 0 8px #ffd400 !important; }
/* Labels above their fields: a label beside a field leaves it 20 px wide on a phone. */
.cdsd .widget-textarea, .cdsd .widget-text, .cdsd .widget-dropdown { flex-direction: column;
  align-items: stretch; width: 100% !important; max-width: 100%; height: auto; }
.cdsd .widget-textarea > .widget-label, .cdsd .widget-text > .widget-label,
.cdsd .widget-dropdown > .widget-label { width: auto !important; max-width: 100%;
  text-align: left !important; white-space: normal; font-weight: 600; }
.cdsd .widget-textarea > textarea, .cdsd .widget-text > input,
.cdsd .widget-dropdown > select { flex: 0 0 auto !important; width: 100% !important;
  box-sizing: border-box; }
/* Tabs: the inactive one in dark text (the stock grey is under 4.5:1). */
.cdsd .lm-TabBar-tab { color: #111 !important; background: #e4e7ec !important;
  border: 2px solid #555 !important; }
.cdsd .lm-TabBar-tab.lm-mod-current { background: #fff !important;
  border-top: 6px solid #0b57d0 !important; }
/* Nothing wider than a phone: tables scroll inside their own box, columns wrap. */
.cdsd { box-sizing: border-box; max-width: 100%; overflow-wrap: anywhere; }
.cdsd .widget-html-content { overflow-x: auto; max-width: 100%; }
.cdsd img { max-width: 100%; height: auto; }
.cdsd-columns { flex-wrap: wrap; gap: 16px; }
.cdsd-columns > .widget-vbox { flex: 1 1 340px !important; min-width: 0; width: auto !important; }
.cdsd .widget-hbox, .cdsd .widget-vbox { max-width: 100%; }
.cdsd .jupyter-widget-tab > .lm-TabBar { height: auto !important; }
.cdsd .jupyter-widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap;
  height: auto !important; }
.cdsd .jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab { max-width: 100% !important; }
.cdsd .jupyter-widget-tab > .lm-TabBar .lm-TabBar-tabLabel { white-space: normal;
  overflow: visible; }
@media (max-width: 600px) {
  .cdsd { font-size: 19px; --jp-widgets-font-size: 19px; }
  .cdsd .widget-html, .cdsd .widget-html-content, .cdsd .widget-label, .cdsd input,
  .cdsd select, .cdsd textarea, .cdsd button, .cdsd .widget-upload,
  .cdsd .lm-TabBar-tabLabel { font-size: 19px !important; }
  .cdsd button { min-width: 0; flex: 1 1 auto; }
  .cdsd-banner a.cdsd-home { float: none; display: inline-block; }
}
.cdsd-banner { background: #0b3d91; color: #fff; padding: 12px 20px; border-radius: 14px; }
.cdsd-banner h1, .cdsd-banner p { color: #fff; margin: 4px 0; }
.cdsd a { color: #0b3d91; text-decoration: underline; }
.cdsd-banner a.cdsd-home { float: right; color: #fff; font-size: .85em; text-decoration: underline;
  padding: 4px 8px; }
.cdsd-step { color: #333; }
.cdsd-say li { margin: 6px 0; }
.cdsd-screen { border: 10px solid #1f2328; border-radius: 30px; padding: 14px 16px;
  background: #fff; min-height: 420px; font-size: .9em; }
.cdsd-sms { border: 2px solid #777; border-radius: 14px; padding: 8px 12px; margin: 6px 0;
  background: #f4f4f4; }
.cdsd-card { border: 3px solid #0b57d0; border-radius: 16px; padding: 12px 16px; margin: 8px 0; }
.cdsd-table { border-collapse: collapse; width: 100%; }
.cdsd-table td, .cdsd-table th { border: 1px solid #999; padding: 6px 10px; text-align: left;
  vertical-align: top; }
.cdsd-table th { background: #e8eefc; }
.cdsd-table td.num, .cdsd-table th.num { text-align: right; }
.cdsd-ok { color: #0b5d1e; font-weight: 700; }
.cdsd-error { color: #8b0000; font-weight: 700; border-left: 8px solid #8b0000;
  padding: 6px 12px; background: #fff0f0; }
.cdsd-warn { border-left: 8px solid #b08800; background: #fff7d6; padding: 6px 12px; }
.cdsd-note { border-left: 8px solid #0b57d0; background: #eef3fd; padding: 6px 12px; }
.cdsd-big { font-size: 1.5em; font-weight: 700; }
.cdsd-figure { display: inline-block; min-width: 200px; border: 2px solid #0b57d0;
  border-radius: 14px; padding: 10px 16px; margin: 6px 10px 6px 0; vertical-align: top; }
.cdsd-figure b { display: block; font-size: 1.6em; }
.cdsd-row { gap: 12px; flex-wrap: wrap; align-items: center; margin: 6px 0; }
.cdsd-badge { border: 2px solid #0b5d1e; border-radius: 8px; padding: 0 6px; font-size: .8em; }
</style>
"""


class OutreachApp:
    """An outreach app: its ``widget`` is what the notebook's last line shows."""

    widget: widgets.Widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def style_widget() -> widgets.HTML:
    return html(CSS)


def frame(children: list[widgets.Widget], *, name: str) -> widgets.VBox:
    """The app's outer box: the style, then the content, marked for the browser tests."""
    box = widgets.VBox([style_widget(), *children], layout=FULL)
    box.add_class("cdsd")
    box.add_class(f"cdsd-app-{name}")
    return box


def banner(title: str, subtitle: str) -> widgets.HTML:
    from congdanso.ui.base import esc

    return html(f'<div class="cdsd-banner"><a class="cdsd-home" href="/">'
                        f"⌂ Các ứng dụng</a><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></div>")


def message(text: str, kind: str = "note") -> str:
    """A status line with a symbol and a word, never colour alone."""
    from congdanso.ui.base import esc

    mark = {"ok": "✔", "error": "⚠ Lỗi:", "warn": "⚠ Chú ý:", "note": "ℹ"}[kind]
    role = "alert" if kind == "error" else "status"
    return f'<div class="cdsd-{kind}" role="{role}">{mark} {esc(text.strip())}</div>'


def big_button(text: str, on_click, *, style: str = "", tooltip: str = "") -> widgets.Button:
    """A button with the shared style and layout models (fewer models: a faster first paint)."""
    look = shared()
    button = widgets.Button(description=text, tooltip=tooltip or text, button_style=style,
                            style=look.button, layout=look.auto)
    button.on_click(lambda _: on_click())
    return button


def rows_table(rows) -> str:
    """A two-column table (label, value) from a dict or a sequence of pairs."""
    from congdanso.ui.base import esc

    items = rows.items() if isinstance(rows, dict) else rows
    body = "".join(f"<tr><th scope='row'>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items)
    return f'<table class="cdsd-table">{body}</table>'


def uploaded_file(value) -> tuple[str, bytes] | None:
    """(name, bytes) of the last file in a FileUpload value (ipywidgets 8: a tuple of dicts)."""
    if not value:
        return None
    item = value[-1]
    return item["name"], bytes(item["content"])


def side_by_side(children: list[widgets.Widget]) -> widgets.HBox:
    """Widgets side by side with space between, wrapping on a narrow screen."""
    box = widgets.HBox(children, layout=shared().auto)
    box.add_class("cdsd-row")
    return box
