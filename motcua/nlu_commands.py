"""`motcua nlu`: the NLU's own commands (train, eval, parse), wired here like the others."""

from __future__ import annotations

from nlu.cli import nlu as nlu_group

__all__ = ["nlu_group"]
