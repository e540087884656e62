"""Domain exceptions; the error handler turns each into a localized answer."""

from __future__ import annotations

import unicodedata
from datetime import datetime


class DomainError(Exception):
    """A rule of the service refused the action; nothing was changed."""


class AccessDenied(DomainError):
    """The acting user may not do this (checked on the server, whatever the button said)."""


class NotFound(DomainError):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class InvalidInput(DomainError):
    """A value typed by a user breaks a rule; the same field is asked again."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AlreadyDecided(DomainError):
    """Someone else already handled this request."""

    def __init__(self, decided_by: str | None, approved: bool) -> None:
        super().__init__(decided_by or "")
        self.decided_by = decided_by
        self.approved = approved


class RequestOutdated(DomainError):
    """An access request whose applicant's access changed after it was made (blocked, given
    access, another role): deciding it now would undo that change."""

    def __init__(
        self, status: str, role: str, changed_by: str | None, changed_at: datetime | None
    ) -> None:
        super().__init__(status)
        self.status, self.role = status, role
        self.changed_by, self.changed_at = changed_by, changed_at


class ReportChanged(DomainError):
    """A decision on a report made from a message about an earlier revision of it: the officer
    has changed it since, so the decision would be on something the supervisor has not read."""

    def __init__(self, revision: int) -> None:
        super().__init__(str(revision))
        self.revision = revision


class InviteRefused(DomainError):
    """An invite code is unknown, used, expired, or the person cannot take it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def without_controls(text: str) -> str:
    """Typed text without control characters (newlines and tabs kept): nobody sees them in a
    record, and PostgreSQL cannot store NUL."""
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def visible_length(text: str) -> int:
    """How many characters of `text` show: not spaces, controls, formatting marks (zero-width
    spaces, direction marks), private-use or unassigned code points."""
    return sum(unicodedata.category(character)[0] not in "CZ" for character in text)


def bounded_text(value: str, field: str, shortest: int, longest: int, one_line: bool = True) -> str:
    """Typed text within its limits, or InvalidInput naming the field and what is wrong; text
    that shows nothing is too short whatever its length."""
    value = without_controls(value)
    cleaned = " ".join(value.split()) if one_line else value.strip()
    if len(cleaned) < shortest or not visible_length(cleaned):
        raise InvalidInput(field, "too_short")
    if len(cleaned) > longest:
        raise InvalidInput(field, "too_long")
    return cleaned
