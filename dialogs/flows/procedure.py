"""Finding the procedure, the checklist before starting, and consent."""

from __future__ import annotations

from typing import Any

from backend_client import Procedure
from dialogs.context import Context
from dialogs.effects import Effect
from dialogs.flows import documents
from dialogs.i18n import N_, t
from dialogs.money import fee_summary, processing_summary
from dialogs.state import Step
from dialogs.ui import gbtn, nav_row, next_question, say, sbtn

CATEGORIES = (
    ("civil_status", N_("👶 Civil status (birth, marriage, death...)")),
    ("certification", N_("📄 Certified copies and signatures")),
    ("residence", N_("🏠 Residence (permanent, temporary)")),
    ("social", N_("🤝 Social allowances")),
    ("business", N_("🏪 Household business")),
    ("construction", N_("🏗 Building permit")),
)


def name(proc: Procedure, lang: str) -> str:
    short = proc.short_name or proc.name
    return short.get(lang) or short["vi"]


def choose_category(step: Step, ctx: Context) -> None:
    s = step.state
    s.flow = "choose"
    next_question(s)
    present = {p.category for p in ctx.procedures.values()}
    rows = [
        (sbtn(s, t(s.lang, label), f"cat:{cat}"),) for cat, label in CATEGORIES if cat in present
    ]
    say(
        step,
        t(
            s.lang,
            N_('Which kind of paperwork? Press a group, or type the name, e.g. "khai sinh".'),
        ),
        *rows,
        nav_row(s, back=False),
        kind="ask",
    )


def choose_in_category(step: Step, ctx: Context, category: str) -> None:
    s = step.state
    s.flow = "choose"
    s.category = category
    next_question(s)
    rows = [
        (sbtn(s, name(p, s.lang), f"proc:{p.slug}"),)
        for p in ctx.procedures.values()
        if p.category == category
    ]
    say(step, t(s.lang, N_("Which one?")), *rows, nav_row(s), kind="ask")


def offer_guesses(step: Step, ctx: Context, slugs: list[str]) -> None:
    """Unsure what was meant: show the best matches as buttons, never guess silently."""
    s = step.state
    s.flow = "choose"
    next_question(s)
    rows = [(sbtn(s, name(ctx.procedures[x], s.lang), f"proc:{x}"),) for x in slugs[:4]]
    rows.append((sbtn(s, t(s.lang, N_("📋 See all groups")), "groups"),))
    say(
        step, t(s.lang, N_("Did you mean one of these?")), *rows, nav_row(s, back=False), kind="ask"
    )


# Two procedures whose NLU scores are closer than this are both offered ("A or B?").
CLOSE = 0.1
_LETTERS = ("A", "B")


def close_rival(parsed: dict[str, Any], slug: str, ctx: Context) -> str | None:
    """The runner-up procedure when the message names two about as strongly
    ("khai sinh hay kết hôn"), else None. Needs the NLU's `procedure_ranking`."""
    ranking = parsed.get("procedure_ranking") or []
    if len(ranking) < 2 or ranking[0].get("name") != slug:
        return None
    first, second = ranking[0], ranking[1]
    rival = str(second.get("name"))
    if rival == slug or rival not in ctx.procedures:
        return None
    gap = float(first.get("confidence", 0)) - float(second.get("confidence", 0))
    return rival if gap < CLOSE else None


def ask_which(step: Step, ctx: Context, first: str, second: str) -> None:
    """Ask instead of guessing: "Ý Bác là A hay B?", the two as lettered buttons
    (typed "A", "cái đầu" or the name answer it too)."""
    s = step.state
    s.flow = "choose"
    next_question(s)
    a, b = name(ctx.procedures[first], s.lang), name(ctx.procedures[second], s.lang)
    say(
        step,
        t(s.lang, N_("Do you mean {first} or {second}?"), first=a, second=b),
        (sbtn(s, f"{_LETTERS[0]}. {a}", f"proc:{first}"),),
        (sbtn(s, f"{_LETTERS[1]}. {b}", f"proc:{second}"),),
        (sbtn(s, t(s.lang, N_("📋 See all groups")), "groups"),),
        nav_row(s, back=False),
        kind="ask",
    )


def lettered(folded: str, shown: list[tuple[str, str]]) -> str | None:
    """The button data of a lettered choice typed as its letter ("a", "chọn B", "ý b")."""
    words = folded.rstrip(".!?").split()
    if not words or len(words) > 3 or words[-1] not in ("a", "b"):
        return None
    if words[:-1] not in ([], ["chon"], ["y"], ["cai"], ["phuong", "an"], ["option"]):
        return None
    prefix = words[-1].upper() + ". "
    hits = [data for label, data in shown if label.startswith(prefix)]
    return hits[0] if len(hits) == 1 else None


def _documents(proc: Procedure, lang: str) -> list[str]:
    lines = []
    for d in proc.documents:
        label = d.name.get(lang) or d.name["vi"]
        if not d.required or d.when is not None:
            label += " " + t(lang, N_("(if applicable)"))
        lines.append("• " + label)
    return lines


def checklist(step: Step, ctx: Context, slug: str) -> None:
    s = step.state
    proc = ctx.procedures[slug]
    s.flow = "checklist"
    s.procedure = slug
    next_question(s)
    lang = s.lang
    text = "\n".join(
        [
            f"📋 {proc.name.get(lang) or proc.name['vi']}",
            "",
            t(lang, N_("Papers to prepare (photos are fine):")),
            *_documents(proc, lang),
            "",
            t(lang, N_("Fee: {fee}"), fee=fee_summary(proc.fee, lang)),
            t(lang, N_("Time: {time}"), time=processing_summary(proc.processing, lang)),
            t(lang, N_("Result: {where}"), where=proc.result.get(lang) or proc.result["vi"]),
        ]
    )
    if slug in s.drafts:
        say(step, text)
        say(
            step,
            t(lang, N_("You have an unfinished application for this. Continue it?")),
            (sbtn(s, t(lang, N_("▶ Continue where I left off")), "resume"),),
            (sbtn(s, t(lang, N_("🔄 Start over")), "restart"),),
            nav_row(s),
            kind="ask",
        )
        return
    say(
        step,
        text,
        (sbtn(s, t(lang, N_("▶ Start")), "start"),),
        (sbtn(s, t(lang, N_("⏸ Later")), "later"),),
        nav_row(s),
        kind="ask",
    )


def ask_consent(step: Step) -> None:
    s = step.state
    s.flow = "consent"
    next_question(s)
    say(
        step,
        t(
            s.lang,
            N_(
                "Before we start: to prepare your application I will ask for personal "
                "information (names, dates of birth, ID numbers, phone) and photos of "
                "papers. They are sent only to the ward office to handle this application, "
                "and kept as the law requires. You can see or delete them at any time. "
                "Do you agree?"
            ),
        ),
        (sbtn(s, t(s.lang, N_("✅ I agree")), "consent:yes"),),
        (sbtn(s, t(s.lang, N_("❌ I do not agree")), "consent:no"),),
        kind="ask",
    )


def consent_refused(step: Step, ctx: Context) -> None:
    from dialogs.flows.menu import show_menu

    s = step.state
    s.procedure = None
    show_menu(
        step,
        t(
            s.lang,
            N_(
                "That is fine: nothing personal was collected. You can still read about "
                "procedures, or come to the office ({phone})."
            ),
            phone=ctx.office.phone,
        ),
    )


def create_draft(step: Step) -> None:
    s = step.state
    s.pending = "create_draft"
    step.effects.append(Effect("create_draft", {"procedure": s.procedure, "lang": s.lang}))


def restore_from(s: Any, app: dict[str, Any]) -> None:
    """Copy what the engine tracks from a portal application."""
    s.app_id = app["id"]
    s.procedure = app["procedure"]
    s.answers = dict(app.get("answers") or {})
    documents.restore(s, app)  # photo ids and counts as the portal rules them
    s.status = app.get("status")
    s.fee_estimate = app.get("fee_estimate")


def menu_button_row(lang: str) -> tuple[Any, ...]:
    return (gbtn(t(lang, N_("🏠 Menu")), "menu"),)
