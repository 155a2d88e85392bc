"""Shared plumbing for the Mot Cua packages: the `motcua` CLI and i18n."""
