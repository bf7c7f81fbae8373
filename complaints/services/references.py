"""Reference numbers: ``<PREFIX>-<year>-<five digits>``, per institution and year, never twice.

One statement (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) takes the next number: the row
lock PostgreSQL takes on the counter serialises concurrent creations without a gap-prone
sequence per institution, and the caller's transaction rolling back gives the number back.
``number_next`` serves any counter table of that shape (moderation's contests have theirs).
"""

from __future__ import annotations

from django.db import connection, models

from accounts.models import Institution
from complaints.models import ReferenceCounter

_NEXT = """
    INSERT INTO {table} (institution_id, year, last_number)
    VALUES (%s, %s, 1)
    ON CONFLICT (institution_id, year)
    DO UPDATE SET last_number = {table}.last_number + 1
    RETURNING last_number
"""


def number_next(counter: type[models.Model], institution: Institution, year: int) -> int:
    """Take the next number of ``counter`` (a model with ``institution``, ``year`` unique
    together and ``last_number``) for ``institution`` and ``year``, inside the transaction."""
    sql = _NEXT.format(table=counter._meta.db_table)  # table name from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, [institution.pk, year])
        (number,) = cursor.fetchone()
    return int(number)


def reference_next(institution: Institution, year: int) -> str:
    """Take the next reference of ``institution`` for ``year`` (call inside the transaction)."""
    number = number_next(ReferenceCounter, institution, year)
    return f"{institution.reference_prefix}-{year}-{number:05d}"
