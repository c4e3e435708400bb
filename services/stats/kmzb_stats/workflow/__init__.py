"""stats' use cases: what the dashboard and the public statistics layers ask of the read models."""
