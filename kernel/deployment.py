"""Production or demo: the one switch (MOTCUA_ENV) and the start-up check of secrets.

Each settings class (portal, bot) has a ``motcua_env`` field and names its secrets in
``SECRET_FIELDS`` (a field added there is checked from then on; ``secret_fields()``
adds the ones that apply only in some modes). In production a process refuses to
start while any of them is unset, still has its development default, or is shorter
than ``MIN_SECRET_BYTES``; ``motcua demo`` runs in demo mode, where the defaults work.
"""

from __future__ import annotations

import os
from typing import Any, Literal, Protocol

from pydantic import SecretBytes, SecretStr

Environment = Literal["production", "demo"]
ENV_VAR = "MOTCUA_ENV"
MIN_SECRET_BYTES = 32
# Values that have shipped as defaults or in the README: never a production secret.
KNOWN_DEV_SECRETS = frozenset(
    {
        "dev-bot-token",
        "dev-payment-secret",
        "dev-event-secret",
        "demo-head-token",
        "demo-clerk-token",
    }
)
FIX = f"set a random value of at least {MIN_SECRET_BYTES} bytes"


class DeployedSettings(Protocol):
    motcua_env: Environment

    def secret_fields(self) -> tuple[str, ...]: ...


class InsecureSettings(RuntimeError):
    """A production start with development or weak secrets; the message names each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Refusing to start in production (MOTCUA_ENV=production):\n"
            + "\n".join(f"  - {p}" for p in problems)
            + f"\nFor a local try-out run `motcua demo`, or set {ENV_VAR}=demo."
        )


def _as_bytes(value: Any) -> bytes | None:
    if isinstance(value, SecretStr | SecretBytes):
        value = value.get_secret_value()
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return str(value).encode()


def _env_name(settings: Any, name: str) -> str:
    field = type(settings).model_fields[name]
    return str(field.alias or field.validation_alias or name).upper()


def secret_problems(settings: DeployedSettings) -> list[str]:
    """One line per secret that is unset, a development default or too short."""
    problems: list[str] = []
    fields = type(settings).model_fields  # type: ignore[attr-defined]
    for name in dict.fromkeys(settings.secret_fields()):
        var = _env_name(settings, name)
        value = _as_bytes(getattr(settings, name))
        default = _as_bytes(fields[name].default)
        if not value:
            problems.append(f"{var} is not set; {FIX}")
        elif value == default or value.decode(errors="replace") in KNOWN_DEV_SECRETS:
            problems.append(f"{var} is the development default; {FIX}")
        elif len(value) < MIN_SECRET_BYTES:
            problems.append(f"{var} is shorter than {MIN_SECRET_BYTES} bytes; {FIX}")
    return problems


def require_safe_secrets(settings: DeployedSettings) -> None:
    """Raise InsecureSettings in production when any secret is unsafe; demo passes."""
    if settings.motcua_env != "production":
        return
    problems = secret_problems(settings)
    if problems:
        raise InsecureSettings(problems)


def enter_demo_mode() -> None:
    """For `motcua demo`: demo mode unless production was asked for explicitly (then a
    demo would seed well-known staff tokens into what may be a real database)."""
    current = os.environ.get(ENV_VAR, "").strip().lower()
    if current == "production":
        raise InsecureSettings(
            [f"`motcua demo` seeds demo staff accounts; it does not run with {ENV_VAR}=production"]
        )
    os.environ[ENV_VAR] = "demo"
