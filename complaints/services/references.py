"""Reference numbers: ``<PREFIX>-<year>-<five digits>``, per institution and year, never twice.

One statement (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) takes the next number: the row
lock PostgreSQL takes on the counter serialises concurrent creations without a gap-prone
sequence per institution, and the caller's transaction rolling back gives the number back.
"""

from __future__ import annotations

from django.db import connection

from accounts.models import Institution
from complaints.models import ReferenceCounter

_NEXT = f"""
    INSERT INTO {ReferenceCounter._meta.db_table} (institution_id, year, last_number)
    VALUES (%s, %s, 1)
    ON CONFLICT (institution_id, year)
    DO UPDATE SET last_number = {ReferenceCounter._meta.db_table}.last_number + 1
    RETURNING last_number
"""  # noqa: S608 (table name from the model, values as parameters)


def reference_next(institution: Institution, year: int) -> str:
    """Take the next reference of ``institution`` for ``year`` (call inside the transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT, [institution.pk, year])
        (number,) = cursor.fetchone()
    return f"{institution.reference_prefix}-{year}-{number:05d}"
