"""What the public page shows of an application, in one language: nothing personal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from kernel.i18n import LANGUAGES, gettext_
from portal.db.models import Application
from portal.domain.money import amount_in_words, format_vnd
from portal.domain.workflow import CoarseStatus, Status, coarse_label, coarse_status
from portal.public.texts import PAGE, STATUS_TEXT
from portal.services.context import PortalContext

# Statuses that may show a public page; a draft has no tracking code and is never public.
PUBLIC: frozenset[CoarseStatus] = frozenset(
    {"submitted", "received", "processing", "needs_action", "ready", "completed", "rejected"}
)


def choose_language(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the first supported language of Accept-Language (by
    weight), else Vietnamese: the page is for Phu Xuan's residents."""
    if query_lang in LANGUAGES:
        return query_lang
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().split("-", 1)[0].lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, index, primary))
    return min(ranked)[2] if ranked else "vi"


def format_date(value: date | None, lang: str) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


@dataclass(frozen=True)
class Fee:
    amount: str
    words: str
    paid: bool


@dataclass(frozen=True)
class PublicStatus:
    code: str
    lang: str
    procedure: str
    status: CoarseStatus
    status_label: str
    status_text: str
    due_date: str
    submitted_on: str
    fee: Fee | None
    missing_papers: list[str] = field(default_factory=list)
    missing_answers: list[str] = field(default_factory=list)

    @property
    def fee_due(self) -> bool:
        """Whether to ask for the fee: never for a refused application (nothing to pay
        for any more) or a finished one."""
        return (
            self.fee is not None
            and not self.fee.paid
            and self.status not in ("rejected", "completed")
        )


def public_status(ctx: PortalContext, app: Application, lang: str) -> PublicStatus | None:
    """The page's content, or None when the application is not public (a draft)."""
    coarse = coarse_status(Status(app.status))
    if coarse not in PUBLIC or app.tracking_code is None:
        return None
    proc = ctx.catalog.get(app.procedure)
    papers: list[str] = []
    answers: list[str] = []
    if coarse == "needs_action" and app.supplement:
        # Catalog names only: the clerk's free-text note may name people, so it goes to
        # the applicant's chat, not to a page anyone holding the code can open.
        docs = {d.code: d for d in proc.documents}
        fields = {f.name: f for f in proc.fields}
        papers = [docs[c].name.get(lang) for c in app.supplement.get("documents", []) if c in docs]
        answers = [
            (fields[n].short_label or fields[n].label).get(lang)
            for n in app.supplement.get("fields", [])
            if n in fields
        ]
    fee = None
    if app.fee_amount:
        fee = Fee(
            amount=format_vnd(app.fee_amount, lang),
            words=amount_in_words(app.fee_amount, lang),
            paid=app.paid_at is not None,
        )
    submitted = (
        app.submitted_at.astimezone(ZoneInfo(ctx.settings.timezone)).date()
        if app.submitted_at
        else None
    )
    return PublicStatus(
        code=app.tracking_code,
        lang=lang,
        procedure=proc.name.get(lang),
        status=coarse,
        status_label=coarse_label(coarse)[lang],
        status_text=gettext_(STATUS_TEXT[coarse], lang),
        due_date=format_date(app.due_date, lang),
        submitted_on=format_date(submitted, lang),
        fee=fee,
        missing_papers=papers,
        missing_answers=answers,
    )


def page_texts(lang: str) -> dict[str, str]:
    return {key: gettext_(text, lang) for key, text in PAGE.items()}
