"""Secrets and guards of the station: the administrator PIN, token expiry, private files. No Qt."""
