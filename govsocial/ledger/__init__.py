"""The ledger: a per-institution hash chain of the records that must stay verifiable.

Decisions, platform action results, complaint timeline events (and what other apps register)
are each appended, in the transaction that writes them, to their institution's chain. Each
entry stores the SHA-256 of its record's canonical content and the hash linking it to the
previous entry; the database refuses any change to an entry. Once a day each chain's head is
published (``LedgerDigest``, the transparency page). ``manage.py verify_ledger`` recomputes
every entry from the live rows it records.

Modules, lowest first: ``canonical`` (the exact bytes hashed, pure), ``registry`` (which models
are recorded, filled in the apps' ``AppConfig.ready()``), ``models``, ``append`` (the only
writer), ``verify``, ``digests``, ``selectors`` (pages), ``backfill`` (data migrations).
docs/accountability.md ("A verifiable record") documents the format for outsiders.
"""
