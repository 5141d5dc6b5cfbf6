"""Reading one answer's body within a cap on the *decoded* bytes, in bounded memory.

httpx's own decoders inflate each network read in full before anyone can count it: a gzip bomb of
a few hundred bytes becomes hundreds of megabytes in one step, and stacked encodings
(``gzip, gzip``) multiply that. So the client reads the raw stream (``aiter_raw``: after the
transfer coding, before any content coding) and inflates it here with
``zlib.decompressobj().decompress(data, max_length)``, asking for at most one byte more than the
cap allows: memory stays within about twice the cap whatever the ratio.

Content codings accepted: none or ``identity``, ``gzip`` (``x-gzip``), ``deflate`` (zlib, or the
raw deflate some servers send). Anything else, or more than one coding, is refused
(:class:`UnsupportedEncodingError`): the client asks for ``identity`` only, so a coded answer is
already a deviation, and a stack of them has no use but amplification.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

__all__ = [
    "AnswerTooLargeError",
    "BadEncodingError",
    "UnsupportedEncodingError",
    "content_coding",
    "read_decoded",
]


class AnswerTooLargeError(Exception):
    """The decoded body is larger than the cap."""


class BadEncodingError(Exception):
    """The body is not what its Content-Encoding says (not gzip, truncated, data after the end)."""


class UnsupportedEncodingError(BadEncodingError):
    """A content coding the client does not take: unknown (br, zstd, …) or stacked."""


_IDENTITY = "identity"
_GZIP = "gzip"
_DEFLATE = "deflate"
_ALIASES = {"x-gzip": _GZIP, _GZIP: _GZIP, _DEFLATE: _DEFLATE}
#: zlib's window bits: a gzip wrapper, a zlib wrapper, no wrapper (raw deflate).
_WBITS = {_GZIP: 16 + zlib.MAX_WBITS, _DEFLATE: zlib.MAX_WBITS}


def content_coding(headers: httpx.Headers) -> str:
    """The one content coding of the answer (``identity`` if none), or raise."""
    codings: list[str] = []
    for value in headers.get_list("Content-Encoding", split_commas=True):
        name = value.strip().lower()
        if name and name != _IDENTITY:
            codings.append(name)
    if len(codings) > 1:
        raise UnsupportedEncodingError(f"stacked content codings ({', '.join(codings)[:80]})")
    if not codings:
        return _IDENTITY
    coding = _ALIASES.get(codings[0])
    if coding is None:
        raise UnsupportedEncodingError(f"an unsupported content coding ({codings[0][:40]!r})")
    return coding


class _Inflater:
    """Inflates gzip or deflate, never producing more than ``limit + 1`` bytes in all."""

    def __init__(self, coding: str, limit: int) -> None:
        self._coding = coding
        self._limit = limit
        self._produced = 0
        self._started = False
        self._inflate = zlib.decompressobj(_WBITS[coding])

    def _room(self) -> int:
        return self._limit + 1 - self._produced

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        if self._inflate.eof:
            raise BadEncodingError(f"data after the end of the {self._coding} body")
        try:
            out = self._inflate.decompress(data, self._room())
        except zlib.error:
            if self._coding != _DEFLATE or self._started:
                raise BadEncodingError(f"the body is not valid {self._coding}") from None
            # "deflate" without the zlib wrapper, as some servers send it.
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = self._inflate.decompress(data, self._room())
            except zlib.error:
                raise BadEncodingError("the body is not valid deflate") from None
        self._started = True
        pieces = [out]
        self._produced += len(out)
        # More output is waiting: take it in steps of at most the room left, which stops at once
        # past the cap.
        while self._inflate.unconsumed_tail and self._produced <= self._limit:
            try:
                out = self._inflate.decompress(self._inflate.unconsumed_tail, self._room())
            except zlib.error:
                raise BadEncodingError(f"the body is not valid {self._coding}") from None
            pieces.append(out)
            self._produced += len(out)
        if self._produced > self._limit:
            raise AnswerTooLargeError
        if self._inflate.unused_data:
            raise BadEncodingError(f"data after the end of the {self._coding} body")
        return b"".join(pieces)

    def finish(self) -> None:
        if not self._inflate.eof:
            raise BadEncodingError(f"the {self._coding} body is cut short")


async def read_decoded(raw: AsyncIterator[bytes], coding: str, limit: int) -> bytes:
    """The decoded body from the raw chunks; :class:`AnswerTooLargeError` past ``limit`` decoded
    bytes, :class:`BadEncodingError` if the coding is broken. Stops reading at the first error."""
    chunks: list[bytes] = []
    received = 0
    inflater = None if coding == _IDENTITY else _Inflater(coding, limit)
    async for chunk in raw:
        piece = chunk if inflater is None else inflater.feed(chunk)
        received += len(piece)
        if received > limit:
            raise AnswerTooLargeError
        chunks.append(piece)
    if inflater is not None:
        inflater.finish()
    return b"".join(chunks)
