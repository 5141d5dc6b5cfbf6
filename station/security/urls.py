"""URLs shown to people or written to logs never carry their password.

A proxy (``http://user:secret@proxy:8080``) or an IP camera (``rtsp://admin:secret@10.0.0.9/``)
may be configured with credentials in the URL; wherever such a URL is shown, logged or put in an
error message it goes through :func:`mask_url_credentials` first. One rule, one place.
"""

from __future__ import annotations

import urllib.parse

__all__ = ["mask_url_credentials"]


def mask_url_credentials(url: str) -> str:
    """``http://user:secret@proxy:8080/x`` → ``http://***@proxy:8080/x``; other URLs unchanged.

    A URL that cannot even be split is shown as ``(invalid address)``, never echoed: it may be a
    password pasted into the wrong field.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(invalid address)"
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))
