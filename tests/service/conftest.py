"""The service's tests use the application layer's parts: the real emulator over loopback, a real
client and journal."""

from tests.application.conftest import anyio_backend, client, detector, emulator, frame, journal

__all__ = ["anyio_backend", "client", "detector", "emulator", "frame", "journal"]
