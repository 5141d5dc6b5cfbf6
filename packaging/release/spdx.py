"""Just enough of SPDX licence expressions to answer one question: does this force the GPL on us?

A bank cannot ship the station under the GPL. A component is acceptable if at least one way of
taking it (one ``OR`` branch) needs no GPL-family licence, or only one with a linking exception
(``GPL-3.0-or-later WITH GCC-exception-3.1`` for the GCC runtime, PyInstaller's bootloader
exception). LGPL is fine: the bundle keeps those libraries as separate shared objects.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")
_GPL_ONLY = re.compile(r"^(A|)GPL-\d", re.IGNORECASE)


class ExpressionError(ValueError):
    """The text is not an SPDX expression this parser understands."""


def _tokens(expression: str) -> list[str]:
    tokens = _TOKEN.findall(expression)
    if "".join(tokens) != re.sub(r"\s+", "", expression):
        raise ExpressionError(f"not an SPDX expression: {expression!r}")
    return tokens


def alternatives(expression: str) -> list[list[str]]:
    """The expression as a list of ``OR`` branches, each the licence terms it needs together.

    A term keeps its exception: ``GPL-2.0-or-later WITH Bootloader-exception``.
    """
    tokens = _tokens(expression)
    position = 0

    def parse_or() -> list[list[str]]:
        nonlocal position
        branches = parse_and()
        while position < len(tokens) and tokens[position].upper() == "OR":
            position += 1
            branches = branches + parse_and()
        return branches

    def parse_and() -> list[list[str]]:
        nonlocal position
        branches = parse_atom()
        while position < len(tokens) and tokens[position].upper() == "AND":
            position += 1
            right = parse_atom()
            branches = [left + other for left in branches for other in right]
        return branches

    def parse_atom() -> list[list[str]]:
        nonlocal position
        if position >= len(tokens):
            raise ExpressionError(f"expression ends too early: {expression!r}")
        token = tokens[position]
        if token == "(":  # noqa: S105 - a parenthesis, not a secret
            position += 1
            inner = parse_or()
            if position >= len(tokens) or tokens[position] != ")":
                raise ExpressionError(f"unbalanced parentheses: {expression!r}")
            position += 1
            return inner
        if token.upper() in ("AND", "OR", "WITH", ")"):
            raise ExpressionError(f"unexpected {token!r} in {expression!r}")
        position += 1
        if position < len(tokens) and tokens[position].upper() == "WITH":
            if position + 1 >= len(tokens):
                raise ExpressionError(f"WITH needs an exception: {expression!r}")
            token = f"{token} WITH {tokens[position + 1]}"
            position += 2
        return [[token]]

    result = parse_or()
    if position != len(tokens):
        raise ExpressionError(f"unexpected {tokens[position]!r} in {expression!r}")
    return result


def needs_gpl(expression: str) -> bool:
    """True if every way of taking the component includes a GPL/AGPL licence with no exception."""
    return all(
        any(_GPL_ONLY.match(term) and " WITH " not in term for term in branch)
        for branch in alternatives(expression)
    )


def chosen(expression: str) -> str:
    """The branch the station takes: the first one that needs no GPL (or the whole expression)."""
    for branch in alternatives(expression):
        if not any(_GPL_ONLY.match(term) and " WITH " not in term for term in branch):
            return " AND ".join(branch)
    return expression
