"""The phone frame: status bar, home screen of apps, a larger-text switch.

>>> from congdanso import World
>>> from congdanso.ui import Phone
>>> phone = Phone(World.open(), world.population.practice_residents()[0])
>>> phone            # shows in JupyterLab and Voilà

Apps are built when first opened, so the frame appears fast.
"""

from __future__ import annotations

from typing import ClassVar

import ipywidgets as widgets

from congdanso.ui.base import AppView, button, esc, html, vbox
from congdanso.ui.theme import CSS, FOCUS_JS
from congdanso.world.core.clock import format_time

# Symbols from DejaVu Sans only (stock Debian/Ubuntu fonts): colour emoji show as empty boxes.
APPS = {"vneid": "☑ VNeID", "portal": "⌂ Cổng DVC", "inbox": "✉ Tin nhắn",
        "bank": "₫ Ngân hàng", "kyso": "✍ Ký số"}


class Phone:
    """A synthetic resident's phone, with the apps the course teaches."""

    _live: ClassVar[dict[tuple[int, str], Phone]] = {}  # one phone per resident per world

    def __init__(self, world, person=None):
        self.world = world
        self.person = person or world.population.practice_residents()[0]
        # Re-running the cell that made a phone replaces it: the old one stops listening.
        previous = Phone._live.get((id(world), self.person.id_number))
        if previous is not None:
            previous.close()
        Phone._live[(id(world), self.person.id_number)] = self
        self.vneid_session = None
        self.device: str | None = None  # the handset in the hand (None: the resident's own)
        self.portal_session = None
        self.bank_session = None
        self.pending_payment_qr: str | None = None
        self.extra_qr: dict[str, str] = {}  # codes an exercise puts in the camera roll (label → payload)
        self.apps: dict[str, AppView] = {}
        self.current = "home"
        self.status = html()
        self.status.add_class("cds-statusbar")
        self.large = widgets.ToggleButton(value=False, description="Chữ to: đang tắt",
                                          tooltip="Phóng to chữ cho dễ đọc", icon="search-plus")
        self.large.observe(lambda change: self.set_large_text(change["new"]), names="value")
        self.home_button = button("⌂ Màn hình chính", self.home)
        # A scenario with more than one phone (an old one, a new one, a borrowed one): which
        # one is in the hand. Hidden until a scenario gives the phones.
        self.handset_choice = widgets.Dropdown(description="Điện thoại đang cầm", options=[],
                                               layout={"width": "100%", "display": "none"},
                                               style={"description_width": "initial"})
        self.handset_choice.observe(lambda change: self.use_handset(change["new"]),
                                    names="value")
        self.launcher = vbox([
            html(f"<h2>Điện thoại của {esc(self.person.full_name)}</h2>"
                         "<p>Điện thoại mô phỏng — người dân và dữ liệu đều là giả lập.</p>"),
            *[button(label, lambda key=key: self.open(key)) for key, label in APPS.items()]])
        self.launcher.add_class("cds-launcher")
        self.screen = vbox([self.launcher])
        self.screen.add_class("cds-screen")
        navbar = widgets.HBox([self.home_button, self.large])
        navbar.add_class("cds-navbar")
        self.frame = vbox([html(CSS), self.status, self.handset_choice, self.screen, navbar])
        self.frame.add_class("cds-phone")
        self._update_status()
        world.subscribe(self._on_event)

    def _ipython_display_(self):
        from IPython.display import Javascript, display

        display(self.frame)
        display(Javascript(FOCUS_JS))

    # -- methods ------------------------------------------------------------------------------
    def open(self, name: str) -> AppView:
        """Open an app (what tapping its icon does)."""
        app = self.app(name)
        if hasattr(app, "refresh"):
            app.refresh()
        self.current = name
        self.screen.children = [app.widget]
        return app

    def home(self) -> None:
        self.current = "home"
        self.screen.children = [self.launcher]

    def set_large_text(self, on: bool = True) -> None:
        if on:
            self.frame.add_class("cds-large")
        else:
            self.frame.remove_class("cds-large")
        # The state is in the name a screen reader reads, not in the colour alone.
        self.large.description = "Chữ to: đang bật" if on else "Chữ to: đang tắt"
        if self.large.value != on:
            self.large.value = on

    def app(self, name: str) -> AppView:
        """An app, built if needed, without switching the screen to it."""
        if name not in self.apps:
            self.apps[name] = self._build(name)
        return self.apps[name]

    def set_handsets(self, handsets: list[tuple[str, str]], current: str | None = None) -> None:
        """The phones of the scenario, as (label, handset id); the learner picks the one in
        hand (each keeps its own VNeID login)."""
        self.handset_choice.options = handsets
        self.handset_choice.layout.display = "flex" if len(handsets) > 1 else "none"
        wanted = current if current is not None else (handsets[0][1] if handsets else None)
        if self.handset_choice.value != wanted:
            self.handset_choice.value = wanted
        else:
            self.use_handset(wanted)

    def use_handset(self, device: str | None) -> None:
        """Put another phone in the hand: the VNeID app shows that phone's own screen."""
        if device == self.device:
            return
        self.device = device
        if self.handset_choice.value != device and device in [v for _, v in
                                                              self.handset_choice.options]:
            self.handset_choice.value = device
        vneid = self.apps.get("vneid")
        if vneid is not None:
            vneid.switch_handset(device)
        self._update_status()

    def handset_label(self) -> str:
        labels = dict((v, k) for k, v in self.handset_choice.options)
        return labels.get(self.device, "") if self.device else ""

    # -- shared between apps (the phone is one device) ----------------------------------------
    def portal_qr(self) -> str | None:
        portal = self.apps.get("portal")
        return portal.qr.payload if portal is not None and portal.qr is not None else None

    def vneid_confirmed(self, payload: str) -> None:
        """VNeID confirmed a portal login: the portal page notices, as the real one does."""
        portal = self.apps.get("portal")
        if portal is not None and portal.qr is not None and portal.qr.payload == payload:
            portal.finish_vneid_login()

    # -- internals ----------------------------------------------------------------------------
    def _build(self, name: str) -> AppView:
        if name == "vneid":
            from congdanso.ui.vneid_app import VneidApp as cls
        elif name == "portal":
            from congdanso.ui.portal_app import PortalApp as cls
        elif name == "inbox":
            from congdanso.ui.inbox_app import InboxApp as cls
        elif name == "bank":
            from congdanso.ui.bank_app import BankApp as cls
        elif name == "kyso":
            from congdanso.ui.kyso_app import KysoApp as cls
        else:
            raise KeyError(f"no app named {name!r}")
        return cls(self)

    def _update_status(self) -> None:
        phone = self.person.phone or "không có SIM"
        label = self.handset_label()
        self.status.value = (f"{esc(format_time(self.world.now))} · {esc(phone)} · sóng 4G"
                             + (f" · {esc(label)}" if label else ""))

    def _on_event(self, event) -> None:
        self._update_status()
        for app in self.apps.values():
            if hasattr(app, "refresh"):
                app.refresh()

    def close(self) -> None:
        """Stop following the world and remove the widgets (the journal keeps everything)."""
        self.world.unsubscribe(self._on_event)
        Phone._live.pop((id(self.world), self.person.id_number), None)
        self.frame.close()
