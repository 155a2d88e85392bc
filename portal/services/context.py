"""What every use case needs: settings, catalog, clock, calendar, database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from portal.catalog import Catalog, load_catalog
from portal.db import sealed
from portal.db.models import HolidayOverride
from portal.db.session import make_engine, make_sessionmaker
from portal.domain.calendar import WorkingCalendar
from portal.settings import PortalSettings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class PortalContext:
    settings: PortalSettings
    catalog: Catalog
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = system_clock
    _tz: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self._tz = ZoneInfo(self.settings.timezone)

    @classmethod
    def from_settings(cls, settings: PortalSettings, clock: Clock = system_clock) -> PortalContext:
        sealed.configure(settings)
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            catalog=load_catalog(settings.catalog_dir),
            engine=engine,
            sessions=make_sessionmaker(engine),
            clock=clock,
        )

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The ward's local date (deadlines are counted in Hue, not in UTC)."""
        return self.clock().astimezone(self._tz).date()

    def calendar(self, db: Session) -> WorkingCalendar:
        overrides = {day: working for day, working in db.execute(_OVERRIDES)}
        return WorkingCalendar(overrides, tz=self.settings.timezone)


# Built once, and two columns rather than entities: read at every submission, where the
# overrides only feed the calendar (no identity map needed).
_OVERRIDES = select(HolidayOverride.day, HolidayOverride.working)
