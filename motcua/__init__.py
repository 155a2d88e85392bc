"""The composition root: the `motcua` command line, where the parts are wired together
(the demo, the bot's channels, the portal and the staff commands). Nothing imports it."""
