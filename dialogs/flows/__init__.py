"""The conversation paths, one module per part of the journey."""
