"""The handoff's operations on the bot store, each one short transaction in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.models import CLOSED, OPEN, AssistRequest, HandoffCase, HandoffLog
from bot.store.models import HandoffRequest, utcnow

T = TypeVar("T")


class CaseStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    async def _run(self, fn: Callable[[Session], T]) -> T:
        def work() -> T:
            with self._sessions() as db:
                result = fn(db)
                db.commit()
                return result

        return await asyncio.to_thread(work)

    async def open_case(self, **values: Any) -> HandoffCase:
        def fn(db: Session) -> HandoffCase:
            case = HandoffCase(status=OPEN, created_at=utcnow(), **values)
            db.add(case)
            db.flush()
            return case

        return await self._run(fn)

    async def open_case_of(self, key: str) -> HandoffCase | None:
        query = (
            select(HandoffCase)
            .where(HandoffCase.key == key, HandoffCase.status == OPEN)
            .order_by(HandoffCase.id.desc())
        )
        return await self._run(lambda db: db.scalars(query).first())

    async def last_name_of(self, key: str) -> str:
        """The first name this chat had in its last case ("" when none)."""
        query = (
            select(HandoffCase.citizen_name)
            .where(HandoffCase.key == key, HandoffCase.citizen_name != "")
            .order_by(HandoffCase.id.desc())
            .limit(1)
        )
        return await self._run(lambda db: db.scalar(query) or "")

    async def case_in_topic(self, topic_id: int) -> HandoffCase | None:
        query = select(HandoffCase).where(HandoffCase.topic_id == topic_id)
        return await self._run(lambda db: db.scalars(query.order_by(HandoffCase.id.desc())).first())

    async def open_cases_before(self, case_id: int) -> int:
        """How many open cases wait ahead of this one (for the expected wait)."""
        query = select(func.count()).where(HandoffCase.status == OPEN, HandoffCase.id < case_id)
        return await self._run(lambda db: int(db.scalar(query) or 0))

    async def update_case(self, case_id: int, **values: Any) -> None:
        stmt = update(HandoffCase).where(HandoffCase.id == case_id).values(**values)
        await self._run(lambda db: db.execute(stmt))

    async def close_case(self, case: HandoffCase, status: str) -> None:
        now = utcnow()

        def fn(db: Session) -> None:
            db.execute(
                update(HandoffCase)
                .where(HandoffCase.id == case.id)
                .values(status=status, closed_at=now)
            )
            # An unreachable case keeps its request open: someone must still call back.
            if status == CLOSED and case.request_id is not None:
                db.execute(
                    update(HandoffRequest)
                    .where(HandoffRequest.id == case.request_id)
                    .values(status="closed")
                )

        await self._run(fn)

    async def log(self, case_id: int, actor: str, action: str, **detail: Any) -> None:
        row = HandoffLog(case_id=case_id, actor=actor, action=action, detail=detail, at=utcnow())
        await self._run(lambda db: db.add(row))

    async def case_log(self, case_id: int) -> list[HandoffLog]:
        query = select(HandoffLog).where(HandoffLog.case_id == case_id).order_by(HandoffLog.id)
        return await self._run(lambda db: list(db.scalars(query)))

    # --- volunteers ----------------------------------------------------------------------

    async def add_assist(self, **values: Any) -> AssistRequest:
        def fn(db: Session) -> AssistRequest:
            row = AssistRequest(created_at=utcnow(), **values)
            db.add(row)
            db.flush()
            return row

        return await self._run(fn)

    async def get_assist(self, assist_id: int) -> AssistRequest | None:
        return await self._run(lambda db: db.get(AssistRequest, assist_id))

    async def waiting_contact(self, volunteer_id: int) -> AssistRequest | None:
        query = (
            select(AssistRequest)
            .where(AssistRequest.volunteer_id == volunteer_id, AssistRequest.status == "contact")
            .order_by(AssistRequest.id.desc())
        )
        return await self._run(lambda db: db.scalars(query).first())

    async def set_assist(self, assist_id: int, expected: str, **values: Any) -> bool:
        """Move a request on from ``expected``; False when someone else already did."""
        stmt = (
            update(AssistRequest)
            .where(AssistRequest.id == assist_id, AssistRequest.status == expected)
            .values(**values)
        )
        return await self._run(lambda db: db.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]
