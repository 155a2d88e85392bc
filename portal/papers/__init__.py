"""Papers people read: the payment card (PNG) and the receipt (PDF and PNG).

Rendered with DejaVu Sans, which covers every Vietnamese letter and tone mark, from
the matplotlib wheel the project already installs (no system font, no download)."""
