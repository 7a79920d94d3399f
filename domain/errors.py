"""Domain errors: each names the rule that was broken and says why in words a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""

    rule: str = "domain-rule"

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if rule is not None:
            self.rule = rule

    def __str__(self) -> str:
        return self.message


def rule_violation(rule: str, message: str) -> DomainError:
    """Build a :class:`DomainError` for the named rule."""
    return DomainError(message, rule=rule)
