"""The procedure catalog: YAML data validated against `schema`, searchable."""
