"""The machine's certificate store, never the process environment: whom TLS trusts.

Shared by the service client (:mod:`station.api.trust`, which adds the policy CA bundle and the
pin) and the journal shipper (:mod:`station.ship.tls`). On Linux ``truststore`` is OpenSSL's own
verification with the *default verify paths*, which OpenSSL takes from ``SSL_CERT_FILE`` and
``SSL_CERT_DIR`` when they are set: an operator who sets them to a CA of their own would be
trusted as the service or the relay. So on Linux the store is loaded from the paths compiled into
OpenSSL, or the distributions' known bundle files; ``load_verify_locations`` with explicit paths
never consults the environment. Elsewhere ``truststore`` asks the OS, where no environment
variable plays a part (see :mod:`station.api.trust` for what the operator's own OS store can do).
A plain ``ssl.SSLContext`` is used rather than ``ssl.create_default_context``, which also honours
``SSLKEYLOGFILE`` (an operator's variable that would write the session keys to a file).
"""

from __future__ import annotations

import os
import ssl
import sys

import truststore

__all__ = ["LINUX_CA_FILES", "machine_trust_context", "system_store_locations"]

#: Where Linux distributions keep the machine's CA bundle, tried when OpenSSL's compiled-in file
#: is missing (Debian/Ubuntu, Fedora/RHEL old and new, SUSE, Alpine/Arch).
LINUX_CA_FILES: tuple[str, ...] = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
)


def _has_hashed_certs(folder: str) -> bool:
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(len(name) == 10 and name[8] == "." and name[9].isdigit() for name in names)


def system_store_locations() -> tuple[str | None, str | None]:
    """(CA file, CA folder) of the Linux machine store, never from the environment.

    OpenSSL's compiled-in paths first (``openssl_cafile``/``openssl_capath``, which ignore
    ``SSL_CERT_FILE``/``SSL_CERT_DIR``); if the file is missing, the first known distribution
    bundle that exists.
    """
    paths = ssl.get_default_verify_paths()
    cafile: str | None = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
    if cafile is None:
        cafile = next((name for name in LINUX_CA_FILES if os.path.isfile(name)), None)
    capath = paths.openssl_capath if _has_hashed_certs(paths.openssl_capath) else None
    return cafile, capath


def _linux_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname on
    cafile, capath = system_store_locations()
    if cafile is not None or capath is not None:
        context.load_verify_locations(cafile=cafile, capath=capath)
    return context


def machine_trust_context(*, platform: str = sys.platform) -> ssl.SSLContext:
    """A TLS client context (certificate and host name required) trusting the machine's store:
    Linux's fixed paths, or truststore elsewhere."""
    if platform.startswith("linux"):
        return _linux_context()
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
