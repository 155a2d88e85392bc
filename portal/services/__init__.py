"""Use cases of the back office. Each function works inside the caller's
transaction (one per HTTP request); none commits on its own."""
