"""The ward's core services: catalog, applications, documents, fees, workflow, events."""
