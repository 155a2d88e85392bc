"""The procedure catalog: YAML data validated against `schema`, searchable."""

from portal.catalog.catalog import Catalog
from portal.catalog.loader import CatalogError, CatalogIssue, check_catalog, load_catalog
from portal.catalog.schema import (
    Choice,
    Condition,
    DocumentSpec,
    Fee,
    FormField,
    PageTier,
    Procedure,
    Processing,
    Text,
)
from portal.catalog.search import SearchHit
from portal.catalog.text import fold

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogIssue",
    "Choice",
    "Condition",
    "DocumentSpec",
    "Fee",
    "FormField",
    "PageTier",
    "Procedure",
    "Processing",
    "SearchHit",
    "Text",
    "check_catalog",
    "fold",
    "load_catalog",
]
