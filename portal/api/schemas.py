"""Request and response bodies of the HTTP API (the OpenAPI spec is built from these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.api.text import MultilineText, PlainText

Localized = dict[str, str]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProcedureSummary(_Out):
    slug: str
    name: Localized
    short_name: Localized | None
    category: str
    online_level: str
    processing: dict[str, Any]
    fee_kind: str


class SearchHitOut(BaseModel):
    procedure: ProcedureSummary
    score: float


class DocumentOut(_Out):
    id: int
    code: str
    filename: str
    format: str
    mime: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    pages: int | None
    uploaded_at: datetime


class TransitionOut(_Out):
    from_status: str | None
    to_status: str
    actor_kind: str
    actor: str
    note: str | None
    at: datetime


class PaymentOut(BaseModel):
    reference: str
    amount: int
    amount_text: Localized
    amount_words: Localized
    status: Literal["pending", "paid"]
    method: str | None
    paid_at: datetime | None
    payload: str
    bank_bin: str
    account: str
    payee: str
    qr_png_url: str


class DocumentRuleOut(BaseModel):
    """One paper to send now and how many photos it takes: the portal's rule, which the
    bot follows as is (during a supplement: exactly the papers the clerk asked for, with
    only the photos sent since the request received)."""

    code: str
    name: Localized
    required: bool
    min_files: int
    max_files: int
    sides: int  # 2: front then back, one photo each
    received: int
    ids: list[int]  # the photos received, oldest first


class ApplicationOut(BaseModel):
    id: str
    procedure: str
    procedure_name: Localized
    citizen: str
    assisted_by: str | None
    phone: str | None
    lang: str
    channel: str
    status: str
    status_label: Localized
    answers: dict[str, Any]
    tracking_code: str | None
    # The public status page (PUBLIC_BASE_URL/t/<code>): what the tracking QR encodes.
    tracking_url: str | None = None
    submitted_at: datetime | None
    due_date: date | None
    overdue: bool
    finished_at: datetime | None
    fee_amount: int | None
    fee: dict[str, Any] | None
    # While the citizen can still change it: what the fee would be if submitted today,
    # so the bot's review shows the portal's figure (exemptions included), not a guess.
    fee_estimate: int | None = None
    paid: bool
    paid_at: datetime | None
    supplement: dict[str, Any] | None
    result_note: str | None
    documents: list[DocumentOut]
    transitions: list[TransitionOut]
    missing: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    # The current fee request once submitted with a fee: what to pay and the VietQR
    # payload, so a client can show it with the submission, without another request.
    payment: PaymentOut | None = None
    # While the citizen can still change it: the papers to send and their photo counts.
    document_rules: list[DocumentRuleOut] = []


class ApplicationSummary(BaseModel):
    id: str
    procedure: str
    procedure_name: Localized
    citizen: str
    status: str
    status_label: Localized
    tracking_code: str | None
    applicant: str | None
    citizen_id_masked: str | None
    submitted_at: datetime | None
    due_date: date | None
    overdue: bool
    paid: bool
    fee_amount: int | None


class TrackOut(BaseModel):
    tracking_code: str
    procedure: str
    procedure_name: Localized
    status: str
    status_label: Localized
    due_date: date | None


class EventOut(_Out):
    id: int
    type: str
    application_id: str | None
    data: dict[str, Any]
    created_at: datetime


class EventsPage(BaseModel):
    events: list[EventOut]
    next_cursor: int


class CreateApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    procedure: PlainText = Field(min_length=1, max_length=64)
    phone: PlainText | None = Field(default=None, max_length=32)
    lang: Literal["vi", "en"] = "vi"
    channel: Literal["online", "counter"] = "online"
    # A volunteer or clerk filing for someone else names that citizen here.
    citizen: str | None = Field(
        default=None, max_length=128, pattern=r"^[a-z][a-z0-9_]{1,19}:[A-Za-z0-9_.@+-]{1,100}$"
    )


# Every text a client sends is PlainText/MultilineText (portal/api/text.py). A typed
# answer may span lines (an address typed in a chat); floats are finite, since NaN and
# infinities have no JSON form to send back.
AnswerValue = MultilineText | int | Annotated[float, Field(allow_inf_nan=False)] | bool | None


class AnswersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[Annotated[PlainText, Field(max_length=128)], AnswerValue] = Field(max_length=100)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: MultilineText | None = Field(default=None, max_length=1000)


class FeeOut(BaseModel):
    amount: int
    amount_text: Localized
    quote: dict[str, Any]


class GatewayCallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: PlainText = Field(min_length=1, max_length=32)
    amount: int = Field(ge=0, le=10**13)
    transaction_id: PlainText = Field(min_length=1, max_length=128)
    paid_at: datetime | None = None


class GatewayAck(BaseModel):
    reference: str
    status: str
    newly_paid: bool


class StaffActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: MultilineText | None = Field(default=None, max_length=2000)
    documents: list[Annotated[PlainText, Field(max_length=64)]] = Field(
        default_factory=list, max_length=50
    )
    # request-supplement: answers the citizen must give again (field names)
    fields: list[Annotated[PlainText, Field(max_length=128)]] = Field(
        default_factory=list, max_length=50
    )


class StaffOut(BaseModel):
    username: str
    full_name: str
    role: str


class HolidayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    working: bool
    note: MultilineText | None = Field(default=None, max_length=200)


class HolidayOut(_Out):
    day: date
    working: bool
    note: str | None


class StatsOut(BaseModel):
    since: date | None
    until: date | None
    submitted: int
    online: int
    online_share: float | None
    finished: int
    on_time: int
    on_time_rate: float | None
    overdue: list[ApplicationSummary]
    by_procedure: dict[str, int]


class KeptApplicationOut(BaseModel):
    """A submitted application the ward keeps after an erasure, and until when."""

    id: str
    procedure: str
    procedure_name: Localized
    tracking_code: str | None
    status: str
    status_label: Localized
    # None while it is in progress: then retention_years after it is finished.
    keep_until: date | None


class ErasureOut(BaseModel):
    deleted_applications: int
    deleted_documents: int
    deleted_files: int
    kept: list[KeptApplicationOut]
    retention_years: int
    legal_basis: Localized


class ErrorFieldOut(BaseModel):
    field: str
    code: str
    message: Localized


class ErrorDetailOut(BaseModel):
    code: str
    message: Localized
    fields: list[ErrorFieldOut]


class ErrorOut(BaseModel):
    """The one error body of every 4xx/5xx (portal/api/errors.py)."""

    error: ErrorDetailOut


# Declared on every operation, so the OpenAPI spec says what a refusal looks like (and
# FastAPI's own 422 shape, which this API never sends, is not advertised).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "Bad request"),
        (401, "Sign-in required or token not valid"),
        (403, "Not allowed for this role"),
        (404, "Not found (or not visible to this caller)"),
        (409, "Conflict with the application's current state"),
        (413, "Request body too large"),
        (422, "Invalid input"),
        (429, "Too many requests"),
    )
}
