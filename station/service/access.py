"""Who may call the station service: its own account, root, and the clients' group.

Decided on the kernel's word about the caller (:class:`~station.service.transport.Peer`), never on
anything the caller sends. The group is named by machine policy (default :data:`CLIENTS_GROUP`);
a group the account database does not know admits nobody beyond the service and root.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Final

from station.service.transport import Peer

if sys.platform != "win32":  # Windows: the named pipe's own permissions admit callers
    import grp

__all__ = ["CLIENTS_GROUP", "NOT_ALLOWED", "AccessRule"]

CLIENTS_GROUP: Final = "station-clients"
NOT_ALLOWED: Final = "this account may not use the station service"


@dataclass(frozen=True, slots=True)
class AccessRule:
    #: The service's own account.
    service_uid: int
    #: The clients' group (None: nobody but the service's account and root).
    clients_gid: int | None

    @classmethod
    def for_group(cls, group: str = CLIENTS_GROUP, service_uid: int | None = None) -> AccessRule:
        """The rule for ``group`` (a name, or a number), the service's account defaulting to ours."""
        gid: int | None
        if group.isdigit():
            gid = int(group)
        elif sys.platform == "win32":
            gid = None
        else:
            try:
                gid = grp.getgrnam(group).gr_gid
            except KeyError:
                gid = None
        return cls(os.geteuid() if service_uid is None else service_uid, gid)

    def allows(self, peer: Peer) -> bool:
        if peer.uid in (0, self.service_uid):
            return True
        gid = self.clients_gid
        return gid is not None and (peer.gid == gid or gid in peer.groups)
