"""Typed shape of one procedure in the catalog (one YAML file per procedure).

The catalog is data a ward edits; these models are the contract that data must
meet. ``extra="forbid"`` everywhere so a typo in a key is an error, not a
silently ignored setting.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Vietnamese and English."""

    vi: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class Condition(_Strict):
    """``field`` compared with ``value``: when a question is asked, a document
    required, or a fee exemption applies.

    ops: eq, ne, in (value is a list), within_days / older_than_days (a date
    field compared with the day the application is submitted).
    """

    field: Annotated[str, Field(pattern=SLUG_PATTERN)]
    op: Literal["eq", "ne", "in", "within_days", "older_than_days"] = "eq"
    value: str | int | bool | list[str]


FieldType = Literal["text", "date", "citizen_id", "phone", "choice", "number", "address"]


class Choice(_Strict):
    value: Annotated[str, Field(pattern=SLUG_PATTERN)]
    label: Text


class FormField(_Strict):
    name: Annotated[str, Field(pattern=SLUG_PATTERN)]
    type: FieldType
    label: Text
    # A few words naming the answer ("Tên của bé"), for the review screen and the
    # staff card, where the whole question would be too long.
    short_label: Text | None = None
    help: Text | None = None
    required: bool = True
    when: Condition | None = None
    choices: list[Choice] = []
    # date: a recent date (a birth or death just registered): a day and month typed
    # without the year mean the latest such day, and examples use this year.
    recent: bool = False
    # number
    min: int | None = None
    max: int | None = None
    # text / address
    max_length: int = 200
    # date: the date may not lie in the future / may be at most this old
    not_future: bool = True
    # citizen_id: the date-of-birth field whose century/sex and year it must match
    dob_field: str | None = None

    @model_validator(mode="after")
    def _choices_match_type(self) -> FormField:
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError(f"field {self.name!r}: a choice needs at least two choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"field {self.name!r}: only choice fields have choices")
        return self


DocumentFormat = Literal["jpeg", "png", "webp", "heic", "pdf"]


class DocumentSpec(_Strict):
    code: Annotated[str, Field(pattern=SLUG_PATTERN)]
    name: Text
    help: Text | None = None
    accepted: list[DocumentFormat] = ["jpeg", "png", "webp", "heic", "pdf"]
    required: bool = True
    when: Condition | None = None
    min_files: int = 1
    max_files: int = 10
    # 2: a card photographed front then back (one photo each); the bot names the side.
    sides: Literal[1, 2] = 1

    @model_validator(mode="after")
    def _sides_fit_files(self) -> DocumentSpec:
        if self.sides == 2 and not (self.min_files == self.max_files == 2):
            raise ValueError(f"document {self.code!r}: two sides need min_files = max_files = 2")
        if self.min_files > self.max_files:
            raise ValueError(f"document {self.code!r}: min_files is above max_files")
        return self


class Processing(_Strict):
    """Statutory time: same day (with the afternoon cut-off) or N working days."""

    kind: Literal["same_day", "working_days"]
    days: int = 0
    cutoff: str | None = "15:00"  # HH:MM; received later counts from the next working day
    verification_extra_days: int = 0
    note: Text | None = None

    @model_validator(mode="after")
    def _days_match_kind(self) -> Processing:
        if self.kind == "working_days" and self.days < 1:
            raise ValueError("working_days processing needs days >= 1")
        if self.kind == "same_day" and self.days != 0:
            raise ValueError("same_day processing takes no days")
        return self


class PageTier(_Strict):
    from_page: int
    to_page: int | None = None  # None: and every page after
    amount: int


class Fee(_Strict):
    """How the fee is computed; amounts in VND.

    kinds:
    - free
    - fixed: ``amount`` per case, times the value of ``quantity_field`` when set
    - per_page: ``tiers`` over the pages counted in ``pages_field``, capped at
      ``cap`` per copy, times ``quantity_field`` copies
    - by_channel: ``online`` / ``counter`` amounts (online filing is cheaper)
    ``exempt_when``: any matching condition makes it free (``exempt_reason`` says why).
    ``verify``: the amount is set by the province and must be confirmed by the ward.
    """

    kind: Literal["free", "fixed", "per_page", "by_channel"]
    amount: int = 0
    quantity_field: str | None = None
    pages_field: str | None = None
    tiers: list[PageTier] = []
    cap: int | None = None
    online: int | None = None
    counter: int | None = None
    exempt_when: list[Condition] = []
    exempt_reason: Text | None = None
    verify: bool = False
    note: Text | None = None

    @model_validator(mode="after")
    def _kind_has_its_data(self) -> Fee:
        if self.kind == "per_page" and (not self.tiers or not self.pages_field):
            raise ValueError("per_page fee needs tiers and pages_field")
        if self.kind == "by_channel" and (self.online is None or self.counter is None):
            raise ValueError("by_channel fee needs online and counter amounts")
        if self.kind == "fixed" and self.amount <= 0:
            raise ValueError("fixed fee needs a positive amount")
        return self


class Procedure(_Strict):
    slug: Annotated[str, Field(pattern=SLUG_PATTERN)]
    name: Text
    short_name: Text | None = None
    category: Literal[
        "civil_status", "certification", "residence", "social", "business", "construction"
    ]
    aliases: list[str] = []  # words people use, any language, diacritics optional
    agency: Text
    legal_basis: list[str]
    online_level: Literal["full", "partial"]
    processing: Processing
    fee: Fee
    fields: list[FormField]
    documents: list[DocumentSpec]
    result: Text  # where and how the result is collected
    verify: list[str] = []  # facts a ward must still confirm (FACTS.md [verify])

    @model_validator(mode="after")
    def _references_resolve(self) -> Procedure:
        names = [f.name for f in self.fields]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"duplicate field names: {sorted(dupes)}")
        codes = [d.code for d in self.documents]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate document codes")
        known = set(names)
        refs: list[tuple[str, str]] = []
        for f in self.fields:
            if f.when:
                refs.append((f"field {f.name}.when", f.when.field))
            if f.dob_field:
                refs.append((f"field {f.name}.dob_field", f.dob_field))
        for d in self.documents:
            if d.when:
                refs.append((f"document {d.code}.when", d.when.field))
        for ref in (self.fee.quantity_field, self.fee.pages_field):
            if ref:
                refs.append(("fee", ref))
        refs.extend(("fee.exempt_when", c.field) for c in self.fee.exempt_when)
        missing = [f"{where} -> {name}" for where, name in refs if name not in known]
        if missing:
            raise ValueError("unknown field references: " + ", ".join(missing))
        return self
