-- Run once by the postgres image on an empty volume (deploy/compose.yaml): the
-- portal's database is POSTGRES_DB; the bot's (conversations, notifier outbox) is
-- its own, so neither part can read the other's tables.
CREATE DATABASE motcua_bot OWNER motcua;
