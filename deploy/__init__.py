"""Running the dashboard as N replicas behind nginx (deploy/README.md)."""
