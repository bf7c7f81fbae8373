"""Importing a file of items into a channel, in chunks, resumable, with a row-level report.

Invariants:
- a file that cannot be read as a whole is refused at upload with the reason; nothing is
  stored and nothing imported;
- every row is either applied to the item store (idempotently, like a webhook event) or
  reported with its line (CSV) or position (JSON) and the reason; good rows never wait for bad
  ones;
- rows are applied in chunks, each in one transaction with the job's progress: a worker killed
  mid-import loses at most its current chunk's work, and the job resumes from the last chunk
  committed (the sweeper re-enqueues jobs idle for ``RESUME_AFTER``);
- small files are imported during the upload request; larger ones by a Celery task while the
  page shows progress;
- rows marked historic (the whole file at upload, or a row's ``historic`` column) were handled
  elsewhere: the items they create get no answer deadline (moderation's item store, reached
  through channels.events); rows updating an item already known leave its clock alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation

from accounts.models import User
from channels.connectors.base import PayloadError
from channels.events import event_apply, events_known
from channels.importing import (
    ImportFileError,
    Row,
    detect_format,
    read_rows,
    row_event,
    row_is_historic,
)
from channels.models import Channel, ImportJob
from govsocial.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
INLINE_ROWS = 500
CHUNK_ROWS = 250
MAX_REPORTED_ERRORS = 1000
RESUME_AFTER = timedelta(minutes=2)


def import_create(
    *, channel: Channel, actor: User, file_name: str, content: bytes, historic: bool = False
) -> ImportJob:
    """Store the upload as a job and import it (now if small, else in the background).

    ``historic``: every row was already handled elsewhere (no answer deadline for its item).

    Raises ``ImportFileError`` when the file cannot be read at all.
    """
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(too_large_message(MAX_FILE_BYTES))
    file_format = detect_format(file_name, content)
    rows = read_rows(content, file_format)
    job = ImportJob.objects.create(
        institution_id=channel.institution_id,
        channel=channel,
        uploaded_by=actor,
        file_name=file_name[:255],
        file_format=file_format,
        historic=historic,
        content=content,
        total_rows=len(rows),
    )
    if len(rows) <= INLINE_ROWS:
        _run(job, rows)
        job.refresh_from_db()
    else:
        from channels.tasks import import_run_task

        enqueue_on_commit(import_run_task, job.pk)
    return job


def too_large_message(limit: int) -> str:
    return translation.gettext("The file is larger than the limit of %(size)s.") % {
        "size": filesizeformat(limit)
    }


def import_run(job_id: int) -> None:
    """Import what remains of a job (Celery task body; safe to call twice)."""
    job = ImportJob.objects.select_related("uploaded_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    try:
        rows = read_rows(bytes(job.content), job.file_format)
    except ImportFileError as error:  # cannot happen for a file accepted at upload
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, failure=str(error), finished_at=timezone.now()
        )
        return
    _run(job, rows)


def _run(job: ImportJob, rows: list[Row]) -> None:
    # Row reasons are stored as text in the uploader's language, the one they read the report in.
    language = job.uploaded_by.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        while _import_chunk(job.pk, rows):
            pass


def _import_chunk(job_id: int, rows: list[Row]) -> bool:
    """Apply the next chunk; True while rows remain."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel__institution", "uploaded_by")
            .filter(pk=job_id, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING))
            .first()
        )
        if job is None:
            return False
        chunk = rows[job.processed_rows : job.processed_rows + CHUNK_ROWS]
        created, updated, errors = _apply(job, chunk)
        job.processed_rows += len(chunk)
        job.created_count += created
        job.updated_count += updated
        job.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(job.errors)
        job.errors = job.errors + errors[: max(room, 0)]
        job.updated_at = timezone.now()
        finished = job.processed_rows >= len(rows)
        job.status = ImportJob.Status.DONE if finished else ImportJob.Status.RUNNING
        job.finished_at = job.updated_at if finished else None
        job.save()
        return not finished


def _apply(job: ImportJob, chunk: list[Row]) -> tuple[int, int, list[dict[str, object]]]:
    """Apply the rows; returns (items created, rows that updated an item, row errors)."""
    channel = job.channel
    errors: list[dict[str, object]] = []
    valid = []
    for row in chunk:
        try:
            historic_by = job.uploaded_by if job.historic or row_is_historic(row) else None
            valid.append((row, row_event(row), historic_by))
        except PayloadError as error:
            errors.append({"row": row.number, "reason": str(error)})
    known = events_known(channel, [event.external_id for _, event, _ in valid])
    applied_rows = 0
    applied_ids: set[str] = set()
    for row, event, historic_by in valid:
        try:
            with transaction.atomic():  # a savepoint per row: a bad row cannot spoil the chunk
                event_apply(channel=channel, event=event, historic_by=historic_by)
        except (DataError, IntegrityError) as error:  # this row only: its savepoint undid it
            errors.append({"row": row.number, "reason": str(error).splitlines()[0]})
            continue
        applied_rows += 1
        applied_ids.add(event.external_id)
    created = len(applied_ids - known)
    errors.sort(key=lambda error: int(str(error["row"])))
    return created, applied_rows - created, errors


def imports_resume(now: datetime | None = None) -> int:
    """Re-enqueue jobs that stopped making progress (broker down, worker killed)."""
    from channels.tasks import import_run_task

    cutoff = (now or timezone.now()) - RESUME_AFTER
    stalled = list(ImportJob.objects.unfinished_since(cutoff).values_list("pk", flat=True)[:100])
    for job_id in stalled:
        import_run_task.delay(job_id)
    return len(stalled)
