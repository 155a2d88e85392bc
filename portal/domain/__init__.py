"""Pure domain rules of the back office: no I/O, no database."""
