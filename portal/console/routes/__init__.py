"""One module per console resource."""
