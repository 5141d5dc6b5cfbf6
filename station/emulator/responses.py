"""The JSON bodies the emulator sends, built in one place so their shapes follow API.md exactly.

Why: a client is only as good as the answers it was tested against. The 200 envelope, the 401 body
(verbatim from the contract) and the emulator's error bodies are defined here and nowhere else.
"""

from __future__ import annotations

import json
import secrets
import string
from http import HTTPStatus
from typing import Any

__all__ = [
    "CLIENT_ID_PREFIX",
    "DEFAULT_THRESHOLD",
    "UNAUTHORIZED_BODY",
    "balance_body",
    "dumps",
    "error_body",
    "new_client_id",
    "rate_limited_body",
    "server_error_body",
    "success_body",
]

CLIENT_ID_PREFIX = "face_liveness_v5_"
DEFAULT_THRESHOLD = 0.7

#: The contract's 401 body, key for key and word for word.
UNAUTHORIZED_BODY: dict[str, Any] = {
    "status_code": 401,
    "success": False,
    "message": "Authentication credentials were not provided or are invalid.",
    "message_code": "unauthorized",
}


def dumps(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, as an API gateway sends it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def new_client_id() -> str:
    """``face_liveness_v5_`` followed by 20 random ASCII letters, like the provider's ids."""
    return CLIENT_ID_PREFIX + "".join(secrets.choice(string.ascii_letters) for _ in range(20))


def success_body(detail: dict[str, Any], client_id: str | None = None) -> dict[str, Any]:
    """The 200 envelope around ``data.detail``."""
    return {
        "data": {"client_id": client_id or new_client_id(), "detail": detail},
        "status_code": 200,
        "success": True,
        "message": "Success",
        "message_code": "success",
    }


def error_body(status: int, message: str, message_code: str) -> dict[str, Any]:
    """The envelope the emulator uses for its own 4xx answers (422, 404, 405, 413)."""
    return {"status_code": status, "success": False, "message": message, "message_code": message_code}


def server_error_body(status: int, call_index: int) -> dict[str, Any]:
    """A 5xx body. Its keys alternate between calls, as real gateways' do.

    Even calls use ``message``/``message_code``, odd calls ``error``/``error_code``: a client must
    survive both (and bodies that are not JSON at all).
    """
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Server Error"
    code = phrase.lower().replace(" ", "_")
    text = f"{phrase} (emulated)"
    if call_index % 2 == 0:
        return {"status_code": status, "success": False, "message": text, "message_code": code}
    return {"status_code": status, "success": False, "error": text, "error_code": code}


def rate_limited_body() -> dict[str, Any]:
    """The 429 body."""
    return error_body(429, "Too many requests (emulated); retry after the Retry-After delay.", "rate_limited")


def balance_body(balance: int) -> dict[str, Any]:
    """``GET /api/v1/utils/usage/balance``."""
    return {
        "status_code": 200,
        "success": True,
        "balance": balance,
        "message": "Success",
        "message_code": "success",
    }
