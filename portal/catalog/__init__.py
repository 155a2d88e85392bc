"""The procedure catalog: YAML data validated against `schema`, searchable."""

from portal.catalog.catalog import CATEGORY_ORDER, Catalog
from portal.catalog.issues import CatalogError, CatalogIssue
from portal.catalog.loader import DATA_DIR, check_catalog, load_catalog
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
from portal.catalog.search import MIN_SCORE, SearchHit
from portal.catalog.text import fold

__all__ = [
    "CATEGORY_ORDER",
    "DATA_DIR",
    "MIN_SCORE",
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
