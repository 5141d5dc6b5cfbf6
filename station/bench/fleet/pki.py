"""A throwaway PKI for the simulation: a private CA (``trustme``), the relay's certificate for
127.0.0.1 and one client certificate the stations present (the relay asks for one, as the
README's relay sample does)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Pki", "make_pki"]


@dataclass(frozen=True, slots=True)
class Pki:
    """The private CA, the relay's certificate and the stations' client certificate (PEM)."""

    ca: Path
    relay_cert: Path
    relay_key: Path
    station_cert: Path
    station_key: Path


def make_pki(folder: Path) -> Pki:
    import trustme  # development dependency: the bench and the tests make a throwaway CA

    ca = trustme.CA()
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    paths = []
    for name, identity in (("relay", "127.0.0.1"), ("station", "station.branch.bank.example")):
        leaf = ca.issue_cert(identity)
        cert, key = folder / f"{name}.pem", folder / f"{name}.key"
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        paths += [cert, key]
    return Pki(ca_pem, *paths)
