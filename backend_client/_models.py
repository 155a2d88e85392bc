"""What the bot knows of the portal's data. Unknown keys are ignored so that the
portal can grow without breaking deployed bots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


Localized = dict[str, str]


class ProcedureSummary(_Model):
    slug: str
    name: Localized
    short_name: Localized | None = None
    category: str
    online_level: str
    processing: dict[str, Any]
    fee_kind: str


class SearchHit(_Model):
    procedure: ProcedureSummary
    score: float


class Condition(_Model):
    field: str
    op: str = "eq"
    value: str | int | bool | list[str]


class Choice(_Model):
    value: str
    label: Localized


class FormField(_Model):
    name: str
    type: str
    label: Localized
    short_label: Localized | None = None
    help: Localized | None = None
    required: bool = True
    when: Condition | None = None
    choices: list[Choice] = []
    min: int | None = None
    max: int | None = None
    dob_field: str | None = None
    recent: bool = False  # a recent date: a day and month without year mean the latest


class DocumentSpec(_Model):
    code: str
    name: Localized
    help: Localized | None = None
    accepted: list[str] = []
    required: bool = True
    when: Condition | None = None
    min_files: int = 1
    max_files: int = 10
    sides: int = 1  # 2: front then back, one photo each


class Procedure(_Model):
    slug: str
    name: Localized
    short_name: Localized | None = None
    category: str
    aliases: list[str] = []
    agency: Localized
    legal_basis: list[str] = []
    online_level: str
    processing: dict[str, Any]
    fee: dict[str, Any]
    fields: list[FormField]
    documents: list[DocumentSpec]
    result: Localized


class Document(_Model):
    id: int
    code: str
    filename: str
    format: str
    mime: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    uploaded_at: datetime


class Transition(_Model):
    from_status: str | None
    to_status: str
    actor_kind: str
    actor: str
    note: str | None = None
    at: datetime


class DocumentRule(_Model):
    """One paper to send now, by the portal's rule (see ApplicationOut.document_rules)."""

    code: str
    name: Localized
    required: bool = True
    min_files: int = 1
    max_files: int = 10
    sides: int = 1
    received: int = 0
    ids: list[int] = []  # the photos received, oldest first


class Application(_Model):
    id: str
    procedure: str
    procedure_name: Localized
    citizen: str
    assisted_by: str | None = None
    phone: str | None = None
    lang: str
    channel: str
    status: str
    status_label: Localized
    answers: dict[str, Any]
    tracking_code: str | None = None
    # The public status page: what the tracking QR encodes.
    tracking_url: str | None = None
    submitted_at: datetime | None = None
    due_date: date | None = None
    overdue: bool = False
    finished_at: datetime | None = None
    fee_amount: int | None = None
    fee: dict[str, Any] | None = None
    # Drafts: the fee if submitted today, as the portal quotes it.
    fee_estimate: int | None = None
    paid: bool = False
    paid_at: datetime | None = None
    supplement: dict[str, Any] | None = None
    result_note: str | None = None
    documents: list[Document] = []
    transitions: list[Transition] = []
    missing: list[dict[str, Any]] = []
    created_at: datetime
    updated_at: datetime
    # The current fee request, once submitted with a fee.
    payment: Payment | None = None
    # While editable: the papers to send now and their photo counts (the portal's rule).
    document_rules: list[DocumentRule] = []


class ApplicationSummary(_Model):
    id: str
    procedure: str
    procedure_name: Localized
    citizen: str
    status: str
    status_label: Localized
    tracking_code: str | None = None
    applicant: str | None = None
    citizen_id_masked: str | None = None
    submitted_at: datetime | None = None
    due_date: date | None = None
    overdue: bool = False
    paid: bool = False
    fee_amount: int | None = None


class Fee(_Model):
    amount: int
    amount_text: Localized
    quote: dict[str, Any]


class Payment(_Model):
    reference: str
    amount: int
    amount_text: Localized
    amount_words: Localized
    status: str
    method: str | None = None
    paid_at: datetime | None = None
    payload: str
    bank_bin: str
    account: str
    payee: str
    qr_png_url: str


class TrackResult(_Model):
    tracking_code: str
    procedure: str
    procedure_name: Localized
    status: str
    status_label: Localized
    due_date: date | None = None


class Event(_Model):
    id: int
    type: str
    application_id: str | None = None
    data: dict[str, Any]
    created_at: datetime


class EventsPage(_Model):
    events: list[Event]
    next_cursor: int


class Stats(_Model):
    since: date | None = None
    until: date | None = None
    submitted: int
    online: int
    online_share: float | None = None
    finished: int
    on_time: int
    on_time_rate: float | None = None
    overdue: list[ApplicationSummary]
    by_procedure: dict[str, int]


class Holiday(_Model):
    day: date
    working: bool
    note: str | None = None


class StaffMember(_Model):
    username: str
    full_name: str
    role: str


class KeptApplication(_Model):
    """A submitted application the ward keeps after "delete my data"."""

    id: str
    procedure: str
    procedure_name: Localized
    tracking_code: str | None = None
    status: str
    status_label: Localized
    keep_until: date | None = None  # None while in progress


class Erasure(_Model):
    """What the portal deleted for a citizen, and what it keeps (and why)."""

    deleted_applications: int
    deleted_documents: int
    deleted_files: int
    kept: list[KeptApplication]
    retention_years: int
    legal_basis: Localized
