"""The I/O shell around the pure dialog engine, and the channel adapters.

``Runtime`` loads a chat's state from the bot store, runs ``dialogs.handle``, runs
the effects it asks for through ``backend_client`` (``EffectRunner``), feeds their
outcomes back and saves the state after every step. Channels (``bot.telegram``,
``bot.terminal``) only turn platform updates into events and replies into messages.
"""
