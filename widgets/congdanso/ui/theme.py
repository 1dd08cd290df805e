"""The look: a modern phone, large readable text, visible focus, meaning never by colour alone.

Plain CSS in an HTML widget, so it works the same in JupyterLab and in Voilà with no front-end
build. Sizes are in rem/px chosen for older eyes: 18 px body text, 22 px with "Chữ to".
"""

from __future__ import annotations

CSS = """
<style>
.cds-phone { width: 420px !important; max-width: 100%; flex: 0 0 auto !important; border: 12px solid #1f2328; border-radius: 38px;
  background: #ffffff; color: #111; padding: 0 0 14px 0; box-shadow: 0 6px 24px rgba(0,0,0,.25);
  font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; line-height: 1.45;
  --cds-fs: 18px; font-size: var(--cds-fs);
  /* ipywidgets sizes every control from these: a 28 px line clips a 42 px select */
  --jp-widgets-font-size: var(--cds-fs); --jp-widgets-inline-height: 46px;
  --jp-widgets-inline-width: 100%; --jp-widgets-input-padding: 6px;
  --jp-widgets-label-color: #111; --jp-widgets-input-color: #111; }
.cds-phone.cds-large { --cds-fs: 22px; --jp-widgets-inline-height: 54px; }
.cds-phone .widget-label, .cds-phone .widget-html-content, .cds-phone .widget-html,
.cds-phone input, .cds-phone select, .cds-phone textarea, .cds-phone button,
.cds-phone .widget-checkbox, .cds-phone .widget-upload, .cds-phone small, .cds-phone td,
.cds-phone th, .cds-phone p, .cds-phone li { font-size: var(--cds-fs) !important;
  font-family: inherit; }
.cds-phone .widget-html-content, .cds-phone .widget-label { line-height: 1.45; }
.cds-phone .widget-html, .cds-phone .widget-html-content { height: auto; }
.cds-phone .widget-label { color: #111; }
.cds-statusbar { background: #1f2328; color: #fff; padding: 4px 16px; border-radius: 24px 24px 0 0; }
.cds-statusbar .widget-html-content { color: #fff; }
.cds-screen { padding: 8px 14px; min-height: 520px; }
.cds-apptitle h2 { font-size: 1.3em !important; margin: 6px 0; }
.cds-phone h2 { font-size: 1.3em !important; } .cds-phone h3 { font-size: 1.15em !important; }
.cds-field { margin: 4px 0 2px 0; }
.cds-field .widget-label { font-weight: 600; min-width: 100% !important; max-width: 100%;
  text-align: left !important; white-space: normal; height: auto; overflow: visible; }
.cds-phone .widget-text, .cds-phone .widget-password, .cds-phone .widget-dropdown,
.cds-phone .widget-textarea { flex-direction: column; align-items: stretch; width: 100%;
  height: auto; }
.cds-phone .widget-checkbox { height: auto; align-items: flex-start; }
.cds-phone .widget-checkbox label, .cds-phone .widget-checkbox .widget-label-basic {
  white-space: normal; height: auto; line-height: 1.4; overflow: visible; }
.cds-phone .widget-checkbox input[type="checkbox"] { width: 24px; height: 24px; flex: none;
  margin: 4px 10px 0 0; min-height: 0; }
.cds-phone input, .cds-phone select { min-height: 44px; border: 2px solid #555 !important;
  border-radius: 8px; padding: 4px 8px; }
.cds-phone .widget-dropdown > select, .cds-phone .widget-text > input,
.cds-phone .widget-password > input { flex: 0 0 auto !important; height: auto !important;
  width: 100%; box-sizing: border-box; }
.cds-navbar { flex-wrap: wrap; gap: 6px; padding: 0 10px; }
.cds-navbar > .widget-button, .cds-navbar > .widget-toggle-button { flex: 1 1 auto;
  width: auto !important; min-width: 140px; }
.cds-phone button { min-height: 46px; height: auto !important; border-radius: 10px;
  margin: 4px 0; white-space: normal !important; line-height: 1.3; padding: 6px 10px; }
.cds-phone .mod-primary { background: #0b57d0; }
.cds-phone.cds-phone.cds-phone :focus, .cds-phone.cds-phone.cds-phone :focus-visible,
.cds-phone.cds-phone.cds-phone input:focus, .cds-phone.cds-phone.cds-phone select:focus,
.cds-phone.cds-phone.cds-phone textarea:focus {
  outline: 4px solid #0b3d91 !important; outline-offset: 2px; }
.cds-phone .mod-active { background: #0b3d91 !important; color: #fff !important; }
.cds-error { color: #8b0000; font-weight: 600; }
.cds-ok { color: #0b5d1e; font-weight: 600; }
.cds-note { background: #fff7d6; border-left: 6px solid #b08800; padding: 6px 10px; }
.cds-card { border: 2px solid #0b57d0; border-radius: 14px; padding: 10px 12px; margin: 6px 0; }
.cds-phone .cds-card, .cds-phone .cds-card td { overflow-wrap: anywhere; word-break: break-word; }
.cds-table td { padding: 2px 6px; vertical-align: top; }
.cds-phone .cds-card .cds-table td:first-child { overflow-wrap: normal; word-break: normal;
  width: 40%; }  /* a label breaks between words only ("Nơi thường trú", not "thườn/g trú") */
.cds-sms { border: 1px solid #999; border-radius: 14px; padding: 6px 10px; margin: 5px 0; }
.cds-launcher button { min-height: 72px; }
.cds-exercise, .cds-quiz-box { font-size: 18px; max-width: 100%; }
.cds-exercise, .cds-quiz-box { --jp-widgets-font-size: 18px; }
.cds-exercise button, .cds-quiz-box button { min-height: 44px; font-size: 18px;
  white-space: normal !important; height: auto; }
/* answers, desks and small print at reading size (ipywidgets' own is 13 px); no field wider
   than its box (a 4 px overflow shifted the page sideways after a tap at 390 px) */
.cds-answer label, .cds-answer .widget-label, .cds-desk label, .cds-desk .widget-label,
.cds-exercise small, .cds-exercise td, .cds-exercise th { font-size: 18px !important; }
.cds-exercise input, .cds-exercise select, .cds-exercise textarea, .cds-quiz-box input {
  box-sizing: border-box; max-width: 100%; }
.cds-exercise .widget-text, .cds-exercise .widget-dropdown, .cds-exercise .widget-password {
  max-width: 100%; box-sizing: border-box; }
/* Choice lists (self-checks, answers, the phone's security questions): the list takes the whole
   width and every option wraps on as many lines as it needs, its round button fully inside the
   box on the left; ipywidgets' own sizes (a 300 px list, one fixed-height line per option,
   floated buttons) made long options run into each other and pushed a button out of view. */
.cds-answer .widget-radio, .cds-quiz-box .widget-radio, .cds-phone .widget-radio,
.cds-desk .widget-radio { width: 100% !important; max-width: 100%; min-width: 0; height: auto;
  line-height: 1.4; flex-wrap: wrap; overflow: visible; box-sizing: border-box; }
.cds-phone .widget-radio, .cds-desk .widget-radio { flex-direction: column; align-items: stretch; }
.cds-phone .widget-radio > .widget-label, .cds-desk .widget-radio > .widget-label {
  width: 100% !important; max-width: 100%; text-align: left !important; white-space: normal;
  height: auto; line-height: 1.45; overflow: visible; font-weight: 600; margin: 0 0 2px 0; }
.cds-answer .widget-radio-box, .cds-quiz-box .widget-radio-box, .cds-phone .widget-radio-box,
.cds-desk .widget-radio-box { height: auto; width: 100%; max-width: 100%; min-width: 0;
  flex: 1 1 100%; margin: 0; padding: 0 0 0 2px; box-sizing: border-box; overflow: visible; }
.cds-answer .widget-radio-box label, .cds-quiz-box .widget-radio-box label,
.cds-phone .widget-radio-box label, .cds-desk .widget-radio-box label { white-space: normal;
  height: auto; min-height: 0; line-height: 1.4; display: flex; gap: 10px; align-items: flex-start;
  margin: 0; padding: 5px 0; overflow-wrap: anywhere; max-width: 100%; box-sizing: border-box;
  cursor: pointer; }
.cds-answer .widget-radio-box input, .cds-quiz-box .widget-radio-box input,
.cds-phone .widget-radio-box input, .cds-desk .widget-radio-box input { order: -1; flex: none;
  float: none; width: 20px; height: 20px; min-height: 0; margin: 2px 0 0 0; padding: 0;
  border: 0 !important; }
.cds-exercise.cds-exercise.cds-exercise :focus, .cds-exercise.cds-exercise.cds-exercise :focus-visible,
.cds-exercise.cds-exercise.cds-exercise input:focus, .cds-exercise.cds-exercise.cds-exercise textarea:focus,
.cds-quiz-box.cds-quiz-box.cds-quiz-box :focus, .cds-quiz-box.cds-quiz-box.cds-quiz-box :focus-visible {
  outline: 4px solid #0b3d91 !important; outline-offset: 2px; }
.cds-quiz-box .cds-ok, .cds-quiz-box .cds-error { font-size: 16px; line-height: 1.45;
  white-space: normal; max-width: 60em; }
.cds-checklist li { margin: 4px 0; }
.cds-link { margin: 6px 0; } .cds-link a { font-size: 18px; font-weight: 600;
  text-decoration: underline; color: #0b3d91; display: inline-block; padding: 8px 0; }
.cds-classwork h4 { font-size: 1.15em; margin: 2px 0 6px; }
/* the desks beside the phone (police, carrier shop): labels above full-width inputs too */
.cds-desk .widget-text, .cds-desk .widget-password, .cds-desk .widget-dropdown {
  flex-direction: column; align-items: stretch; width: 100%; height: auto; }
.cds-desk .widget-text > input, .cds-desk .widget-password > input,
.cds-desk .widget-dropdown > select { flex: 0 0 auto !important; height: auto !important;
  width: 100%; box-sizing: border-box; min-height: 44px; font-size: 16px;
  border: 2px solid #555 !important; border-radius: 8px; padding: 4px 8px; }
.cds-desk .widget-checkbox { height: auto; align-items: flex-start; }
.cds-desk .widget-html-content { font-size: 16px; }
.cds-scroll { overflow-x: auto; max-width: 100%; }
.cds-scroll th, .cds-scroll td { white-space: nowrap; padding: 4px 8px; text-align: left; }
.cds-desk .widget-checkbox label, .cds-desk .widget-checkbox .widget-label-basic {
  white-space: normal; height: auto; line-height: 1.4; overflow: visible; font-size: 16px; }
.cds-desk .widget-checkbox input[type="checkbox"] { width: 22px; height: 22px; flex: none;
  margin: 2px 10px 0 0; min-height: 0; }
</style>
"""


# Keyboard and screen-reader focus follows the phone's screen: when a new screen's heading
# appears (an app opened, a step done), focus moves to it, as a native app does, instead of
# falling to the page body. Shown once per page, next to the first phone; the first heading of
# a phone is left alone so that opening a page does not jump. Elsewhere, an answer that replaces
# the button just pressed (the class board's "Nhận bài") carries ``data-cds-focus``: focus moves
# to it once, so the keyboard user stays where they were and hears what happened. The same holds
# for an error said next to the button just pressed (AppView.say_near) and for the note after
# "Làm lại từ đầu", whose page is rebuilt under it: the note is brought to the middle of the
# screen and kept there while the widgets above it are still being drawn, so the page does not
# jump to the top.
FOCUS_JS = """
(function () {
  if (window.cdsFocusFollowsScreen) { return; }
  window.cdsFocusFollowsScreen = true;
  var seen = new WeakMap();
  function follow() {
    document.querySelectorAll('.cds-phone .cds-screen').forEach(function (screen) {
      var heading = screen.querySelector('h2');
      if (!heading || seen.get(screen) === heading) { return; }
      var first = !seen.has(screen);
      seen.set(screen, heading);
      if (first) { return; }
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    });
    document.querySelectorAll('[data-cds-focus]:not([data-cds-focused])').forEach(function (el) {
      el.setAttribute('data-cds-focused', '');
      if (!el.hasAttribute('tabindex')) { el.setAttribute('tabindex', '-1'); }
      function show() {
        var box = el.getBoundingClientRect();
        if (box.top < 0 || box.bottom > window.innerHeight) {
          el.scrollIntoView({block: 'center'});
        }
      }
      el.focus({preventScroll: true});
      show();
      [100, 400, 1000, 2000].forEach(function (ms) {
        setTimeout(function () { if (document.activeElement === el) { show(); } }, ms);
      });
    });
  }
  new MutationObserver(follow).observe(document.body, {childList: true, subtree: true});
  follow();
})();
"""
