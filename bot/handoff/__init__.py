"""Handoff to people: a citizen's help case becomes a forum topic in the support
team's group, messages relay both ways, staff act with commands in the topic, and
volunteers start applications for citizens with their consent."""

from bot.handoff.hours import OfficeHours
from bot.handoff.people import parse_people
from bot.handoff.service import HandoffService

__all__ = ["HandoffService", "OfficeHours", "parse_people"]
