"""Following applications: by code, deep link, QR photo, or "my applications"."""

from __future__ import annotations

from typing import Any

from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.i18n import N_, fmt_date, t
from dialogs.state import Step
from dialogs.ui import gbtn, nav_row, next_question, say


def ask_code(step: Step, error: str | None = None) -> None:
    s = step.state
    s.flow = "track"
    next_question(s)
    text = t(
        s.lang,
        N_(
            "Please type the application code (it looks like PX-2026-7Q4K9M), or send a "
            "photo of the QR code on your receipt."
        ),
    )
    if error:
        text = "⚠️ " + error + "\n" + text
    say(step, text, nav_row(s, back=False), kind="error" if error else "ask")


def track(step: Step, code: str) -> None:
    step.state.pending = "track"
    step.effects.append(Effect("track", {"code": code}))


def show_track(step: Step, ok: bool, value: Any, error: dict[str, Any]) -> None:
    s = step.state
    lang = s.lang
    if not ok:
        code = error.get("code")
        if code == "unknown_code":
            message = t(lang, N_("No application has this code. Please check it."))
        elif code == "code_mistyped":
            message = t(lang, N_("This code seems mistyped. Please check each character."))
        else:
            message = (error.get("message") or {}).get(lang) or t(
                lang, N_("I could not check this code now. Please try again later.")
            )
        ask_code(step, message)
        return
    name = value["procedure_name"].get(lang) or value["procedure_name"]["vi"]
    text = t(
        lang,
        N_("Application {code}\n{name}\nStatus: {status}\nExpected result date: {due}"),
        code=value["tracking_code"],
        name=name,
        status=value["status_label"].get(lang) or value["status_label"]["vi"],
        due=fmt_date(value.get("due_date"), lang),
    )
    s.flow = "menu"
    say(
        step,
        text,
        # A relative or helper with the code can get the news too (the owner already does).
        (gbtn(t(lang, N_("🔔 Follow this application")), f"follow:{value['tracking_code']}"),),
        (gbtn(t(lang, N_("📂 My applications")), "mine"),),
        (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
    )


def follow(step: Step, code: str, on: bool) -> None:
    """Start (or stop) sending this chat the news of the application with ``code``."""
    s = step.state
    params = {"code": code, "lang": s.lang}
    effect = Effect("follow", params) if on else Effect("unfollow", params)
    s.pending = effect.name
    step.effects.append(effect)


def after_follow(step: Step, on: bool, ok: bool, value: Any, error: dict[str, Any]) -> None:
    s = step.state
    lang = s.lang
    s.flow = "menu"
    menu_row = (gbtn(t(lang, N_("🏠 Menu")), "menu"),)
    if not ok:
        message = (error.get("message") or {}).get(lang) or t(
            lang, N_("I could not do this now. Please try again later.")
        )
        say(step, message, menu_row)
        return
    code = value["tracking_code"]
    if not on:
        text = (
            t(lang, N_("Done. You will no longer get news of application {code}."), code=code)
            if value.get("removed")
            else t(lang, N_("This chat was not following application {code}."), code=code)
        )
        say(step, text, menu_row)
        return
    names = value.get("procedure_name") or {}
    text = t(
        lang,
        N_("You already get the news of application {code} ({name}) in this chat.")
        if value.get("already")
        else N_("Done. You will get the news of application {code} ({name}) in this chat."),
        code=code,
        name=names.get(lang) or names.get("vi") or "",
    )
    say(
        step,
        text,
        (gbtn(t(lang, N_("🔕 Stop the news of this application")), f"unfollow:{code}"),),
        menu_row,
    )


def list_mine(step: Step) -> None:
    step.state.pending = "list_mine"
    step.effects.append(Effect("list_mine"))


def show_mine(step: Step, ok: bool, value: Any) -> None:
    s = step.state
    lang = s.lang
    s.flow = "mine"
    next_question(s)
    if not ok:
        say(
            step,
            t(lang, N_("I could not load your applications now. Please try again later.")),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )
        return
    rows = []
    for app in list(value)[:10]:
        label = app["procedure_name"].get(lang) or app["procedure_name"]["vi"]
        status = app["status_label"].get(lang) or app["status_label"]["vi"]
        rows.append((gbtn(f"{label} — {status}"[:60], f"app:{app['id']}"),))
    if not rows:
        say(
            step,
            t(lang, N_("You have no applications yet.")),
            (gbtn(t(lang, N_("📝 Submit a new application")), "new"),),
            (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        )
        return
    say(
        step,
        t(lang, N_("Your applications (press one to see it):")),
        *rows,
        (gbtn(t(lang, N_("🏠 Menu")), "menu"),),
        kind="ask",
    )


def open_application(step: Step, app_id: str, purpose: str) -> None:
    s = step.state
    s.pending = f"load_application:{purpose}"
    step.effects.append(Effect("load_application", {"app_id": app_id}))


def show_application(step: Step, ctx: Context, app: dict[str, Any]) -> None:
    s = step.state
    lang = s.lang
    next_question(s)
    name = app["procedure_name"].get(lang) or app["procedure_name"]["vi"]
    lines = [
        name,
        t(lang, N_("Code: {code}"), code=app.get("tracking_code") or "-"),
        t(
            lang,
            N_("Status: {status}"),
            status=app["status_label"].get(lang) or app["status_label"]["vi"],
        ),
    ]
    if app.get("due_date"):
        lines.append(
            t(lang, N_("Expected result date: {due}"), due=fmt_date(app["due_date"], lang))
        )
    rows = []
    status = app["status"]
    if status == "draft":
        rows.append((gbtn(t(lang, N_("▶ Continue this application")), f"cont:{app['id']}"),))
    if status == "supplement_requested":
        asked = app.get("supplement") or {}
        note = asked.get("note")
        lines.append(t(lang, N_("The office needs more papers.")) + (f" {note}" if note else ""))
        rows.append((gbtn(t(lang, N_("📎 Send the missing papers")), f"supp:{app['id']}"),))
    if (
        (app.get("fee_amount") or 0) > 0
        and not app.get("paid")
        and status not in ("cancelled", "rejected")
    ):
        lines.append(t(lang, N_("The fee is not paid yet.")))
        rows.append((gbtn(t(lang, N_("💳 Pay the fee")), f"pay:{app['id']}"),))
    if app.get("result_note") and status in ("result_ready", "completed"):
        lines.append(str(app["result_note"]))
    rows.append((gbtn(t(lang, N_("📂 My applications")), "mine"),))
    rows.append((gbtn(t(lang, N_("🏠 Menu")), "menu"),))
    say(step, "\n".join(lines), *rows)
