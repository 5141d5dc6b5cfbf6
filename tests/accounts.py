"""Run a child as another local account, with this checkout within its reach.

A fresh clone usually sits in a folder private to root (``mktemp -d`` makes it 0700), so an
unprivileged account can neither run the checkout's interpreter nor import ``station`` from it:
tests that drop to such an account would pass from a developer's checkout and fail in CI. The
child therefore runs in a private mount namespace (``unshare -m``) where a tmpfs over ``/mnt``
holds a bind mount of the checkout at :data:`CHECKOUT`: the same files, reachable by path. Nothing
of the real machine changes, and the account gets no right it would not have on a station.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pytest

__all__ = [
    "CHECKOUT",
    "NOBODY",
    "PYTHON",
    "account_prefix",
    "as_account",
    "in_checkout_namespace",
    "needs_root",
    "popen_as_account",
    "public_env",
]

REPO: Final = Path(__file__).resolve().parents[1]
#: Where the child sees this checkout.
CHECKOUT: Final = Path("/mnt/station-checkout")
#: The unprivileged account of every Linux system.
NOBODY: Final = 65534

#: The checkout's own folder may be private to root too, so its entries are bound one by one into
#: a folder the account may enter (each entry keeps its own permissions).
_SETUP: Final = f"""set -e
mount -t tmpfs -o mode=0755 station-tests /mnt
mkdir -m 0755 {CHECKOUT}
for entry in "$1"/* "$1"/.venv; do
  [ -e "$entry" ] || continue
  target={CHECKOUT}/$(basename "$entry")
  if [ -d "$entry" ]; then mkdir "$target"; else touch "$target"; fi
  mount --bind "$entry" "$target"
done
shift
exec "$@"
"""

#: Tests that drop to another account need root and util-linux (as CI has): never skipped there.
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or not (shutil.which("setpriv") and shutil.which("unshare")),
    reason="needs root, setpriv and unshare (as CI runs the tests)",
)


def _public(path: str) -> str:
    """``path`` as the child sees it (inside the checkout: under :data:`CHECKOUT`)."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(CHECKOUT / absolute.relative_to(REPO))
    except ValueError:
        return path


#: This interpreter (the checkout's virtual environment) as the child sees it.
PYTHON: Final = _public(sys.executable)


def public_env(**extra: str) -> dict[str, str]:
    """The environment for a child that imports ``station`` from the checkout."""
    return {**os.environ, "PYTHONPATH": str(CHECKOUT), "PYTHONDONTWRITEBYTECODE": "1", **extra}


def account_prefix(uid: int, gid: int, groups: Sequence[int] = ()) -> list[str]:
    """The command line that runs what follows it as ``uid``/``gid`` (supplementary ``groups``,
    else none) with the checkout at :data:`CHECKOUT`."""
    drop = ["setpriv", f"--reuid={uid}", f"--regid={gid}"]
    drop += [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
    namespace = ["unshare", "-m", "--propagation", "private", "sh", "-c", _SETUP, "sh", str(REPO)]
    return [*namespace, *drop, "--"]


def _wrapped(argv: Sequence[str], uid: int, gid: int, groups: Sequence[int]) -> list[str]:
    return [*account_prefix(uid, gid, groups), *argv]


def in_checkout_namespace(script: str, **run: Any) -> subprocess.CompletedProcess[Any]:
    """Run the shell ``script`` as root in a private mount namespace with the checkout at
    :data:`CHECKOUT` (the script may mount over machine folders and drop to another account)."""
    run.setdefault("check", False)
    run.setdefault("cwd", "/")
    command = ["unshare", "-m", "--propagation", "private", "sh", "-c", _SETUP, "sh", str(REPO)]
    return subprocess.run([*command, "sh", "-c", script], **run)


def as_account(
    argv: Sequence[str],
    *,
    uid: int = NOBODY,
    gid: int = NOBODY,
    groups: Sequence[int] = (),
    **run: Any,
) -> subprocess.CompletedProcess[Any]:
    """Run ``argv`` as ``uid``/``gid`` (supplementary ``groups``, else none) with the checkout at
    :data:`CHECKOUT`; ``run`` goes to :func:`subprocess.run` (``check`` defaults to False)."""
    run.setdefault("check", False)
    run.setdefault("cwd", "/")
    return subprocess.run(_wrapped(argv, uid, gid, groups), **run)


def popen_as_account(
    argv: Sequence[str],
    *,
    uid: int = NOBODY,
    gid: int = NOBODY,
    groups: Sequence[int] = (),
    **popen: Any,
) -> subprocess.Popen[Any]:
    """:func:`as_account`, left running (a service under its own account)."""
    popen.setdefault("cwd", "/")
    return subprocess.Popen(_wrapped(argv, uid, gid, groups), **popen)
