"""Domain errors: each names the rule that was broken and says why in words a person can act on."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class DomainError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""

    rule: str = "domain-rule"
    # Further figures a client may act on (the existing record's id, say), by field name.
    details: Mapping[str, Any] = MappingProxyType({})

    def __init__(
        self, message: str, *, rule: str | None = None, message_zh: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        # The same refusal in Chinese, with its figures, where the rule gives one.
        self.message_zh = message_zh
        if rule is not None:
            self.rule = rule

    def __str__(self) -> str:
        return self.message


def rule_violation(rule: str, message: str, message_zh: str | None = None) -> DomainError:
    """Build a :class:`DomainError` for the named rule (``message_zh``: the same in Chinese)."""
    return DomainError(message, rule=rule, message_zh=message_zh)


class InvalidValue(DomainError):
    """A value given to a command is malformed (a control character, too long, not on the
    rulebook's step): the request is at fault, not the ledger's state, so the HTTP edge
    answers 422 naming ``field`` rather than 409."""

    rule = "invalid-value"

    def __init__(self, field: str, message: str, *, rule: str | None = None) -> None:
        super().__init__(message, rule=rule)
        self.field = field


def invalid_value(field: str, rule: str, message: str) -> InvalidValue:
    """Build an :class:`InvalidValue` for ``field`` breaking the named rule."""
    return InvalidValue(field, message, rule=rule)
