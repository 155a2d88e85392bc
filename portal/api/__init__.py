"""HTTP API of the portal, versioned under /v1."""
