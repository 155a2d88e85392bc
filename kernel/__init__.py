"""The small pieces every part of Mot Cua shares: i18n, QR codes, deployment checks,
sealing of personal data. Imports none of the project's packages."""
