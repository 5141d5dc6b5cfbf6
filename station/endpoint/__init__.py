"""What the settings model and the service client share about the service's endpoint: its
environments and base URLs, the typed errors, the network settings (timeouts, retries, TLS trust
and proxy) and the SPKI pin's written form. No Qt, no client: :mod:`station.config` reads these
without importing :mod:`station.api`."""
