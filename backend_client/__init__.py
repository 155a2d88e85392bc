"""Typed async client of the ward's core services. The bot imports only this package.

async with PortalClient("http://127.0.0.1:8000", token) as portal:
    app = await portal.create_application("telegram:42", "birth_registration")
"""

from backend_client._client import PortalClient, StaffClient, dumps
from backend_client._errors import (
    AuthError,
    BackendError,
    ConflictError,
    FieldError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    ValidationFailedError,
)
from backend_client._models import (
    Application,
    ApplicationSummary,
    Condition,
    Document,
    DocumentRule,
    DocumentSpec,
    Erasure,
    Event,
    EventsPage,
    Fee,
    FormField,
    Holiday,
    KeptApplication,
    Payment,
    Procedure,
    ProcedureSummary,
    SearchHit,
    StaffMember,
    Stats,
    TrackResult,
)
from backend_client.protocol import Backend

__all__ = [
    "Application",
    "ApplicationSummary",
    "AuthError",
    "Backend",
    "BackendError",
    "Condition",
    "ConflictError",
    "Document",
    "DocumentRule",
    "DocumentSpec",
    "Erasure",
    "Event",
    "EventsPage",
    "Fee",
    "FieldError",
    "FormField",
    "Holiday",
    "KeptApplication",
    "NotFoundError",
    "Payment",
    "PortalClient",
    "Procedure",
    "ProcedureSummary",
    "RateLimitedError",
    "SearchHit",
    "StaffClient",
    "StaffMember",
    "Stats",
    "TrackResult",
    "UnavailableError",
    "ValidationFailedError",
    "dumps",
]
