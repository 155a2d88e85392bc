"""After a rotation of BOT_DATA_KEY: seal every stored conversation and help request
again with the new key, so BOT_DATA_OLD_KEYS can be emptied.

    python -m bot.store.reseal            (BOT_DATABASE_URL from the environment)
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from bot.store.sealed import sealer

# (table, key column, sealed column, optimistic-lock column or None)
_SEALED = (
    ("conversations", "key", "state", "version"),
    ("handoff_requests", "id", "summary", None),
)


def reseal(engine: Engine) -> int:
    """Returns how many rows were sealed again. A conversation saved meanwhile (its
    version moved) already carries the new key and is left as it is."""
    box = sealer()
    count = 0
    for table, key, column, version in _SEALED:
        extra = f", {version}" if version else ""
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {key}, {column}{extra} FROM {table}")).all()
        for row in rows:
            guard = f" AND {version} = :v" if version else ""
            with engine.begin() as conn:
                done = conn.execute(
                    text(f"UPDATE {table} SET {column} = :t WHERE {key} = :k{guard}"),
                    {"t": box.reseal(row[1]), "k": row[0], "v": row[2] if version else None},
                )
                count += done.rowcount or 0
    return count


def main() -> None:
    from bot.settings import get_settings
    from bot.store.engine import make_engine

    engine = make_engine(get_settings().bot_database_url)
    try:
        print(f"resealed {reseal(engine)} rows")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
