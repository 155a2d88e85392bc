"""Staff and volunteers registered in settings: Telegram user id → first name."""

from __future__ import annotations


def parse_people(spec: str) -> dict[int, str]:
    """``"111:Lan, 222:Minh"`` → {111: "Lan", 222: "Minh"}; a bare id gets no name."""
    people: dict[int, str] = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        raw_id, _, name = item.partition(":")
        try:
            user_id = int(raw_id.strip())
        except ValueError as exc:
            raise ValueError(f"not a Telegram user id: {raw_id!r} in {spec!r}") from exc
        people[user_id] = name.strip() or str(user_id)
    return people
