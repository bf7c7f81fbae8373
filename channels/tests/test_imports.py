"""Importing files of items: parsing, row-level report, chunks and resumption, screens."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Notification
from channels.connectors.base import PayloadError
from channels.importing import ImportFileError, Row, detect_format, read_rows, row_event
from channels.models import Channel, ImportJob
from channels.services import imports
from channels.services.imports import import_create, import_run, imports_resume
from channels.tests.factories import ChannelFactory
from moderation.models import Action, Decision, Item

CSV_GOOD_AND_BAD = (
    b"external_id;text;kind;author_name;occurred_at;language\n"
    b"c1;Quand ouvre le bureau de recrutement ?;comment;Marie;2026-11-20T10:00:00+01:00;fr\n"
    b";Pas d'identifiant;comment;Paul;;\n"
    b'c2;"Een vraag\nover twee regels";reply;Jan;;nl\n'
    b"c3;Mauvais type;tweet;Luc;;\n"
    b"c4;Date illisible;comment;Eva;hier soir;\n"
    b"\n"
    b"c5;Trop;de;valeurs;sur;cette;ligne\n"
    b"c6;Bien;;;;\n"
)


@pytest.fixture
def channel(defence) -> Channel:
    return ChannelFactory(institution=defence, languages=["fr", "nl"])


class TestReading:
    def test_csv_rows_carry_their_line_in_the_file(self) -> None:
        rows = read_rows(CSV_GOOD_AND_BAD, "csv")
        assert [row.number for row in rows] == [2, 3, 4, 6, 7, 9, 10]
        assert rows[2].data["text"] == "Een vraag\nover twee regels"

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_csv_delimiters(self, delimiter: str) -> None:
        content = f"external_id{delimiter}text\nx1{delimiter}bonjour\n".encode()
        assert read_rows(content, "csv")[0].data == {"external_id": "x1", "text": "bonjour"}

    def test_excel_windows_1252_and_utf8_bom(self) -> None:
        assert read_rows("external_id;text\nx;Défense\n".encode("cp1252"), "csv")[0].data[
            "text"
        ] == ("Défense")
        bom = "\ufeffExternal ID;Text\nx;Défense\n".encode()
        assert read_rows(bom, "csv")[0].data == {"external_id": "x", "text": "Défense"}

    @pytest.mark.parametrize(
        ("content", "file_format", "reason"),
        [
            (b"", "csv", "The file is empty."),
            (b"id;text\n1;a\n", "csv", "including external_id"),
            (b"external_id\n", "csv", "The file holds no item."),
            (b'[{"external_id": "a"},', "json", "not valid JSON"),
            (b'{"external_id": "a"}', "json", "Expected a list of items"),
            (b"[]", "json", "The file holds no item."),
        ],
    )
    def test_unreadable_files_are_refused_whole(
        self, content: bytes, file_format: str, reason: str
    ) -> None:
        with pytest.raises(ImportFileError, match=reason):
            read_rows(content, file_format)

    def test_json_list_or_webhook_shape_nested_or_flat_author(self) -> None:
        flat = read_rows(b'[{"external_id": "a", "author_name": "Ann"}]', "json")[0]
        nested = read_rows(b'{"items": [{"external_id": "b", "author": {"name": "Bo"}}]}', "json")
        assert row_event(flat).author_name == "Ann"
        assert row_event(nested[0]).author_name == "Bo"

    def test_format_from_name_or_content(self) -> None:
        assert detect_format("export.JSON", b"x") == "json"
        assert detect_format("export.csv", b"[") == "csv"
        assert detect_format("upload", b"\xef\xbb\xbf  [{}]") == "json"
        assert detect_format("upload", b"external_id\n") == "csv"

    @settings(max_examples=200, deadline=None)
    @given(content=st.binary(max_size=400), file_format=st.sampled_from(["csv", "json"]))
    def test_any_bytes_give_rows_or_a_clear_refusal(self, content: bytes, file_format: str):
        reasons = []
        try:
            rows = read_rows(content, file_format)
        except ImportFileError as error:
            reasons.append(str(error))
            rows = []
        for row in rows:
            try:
                row_event(row)
            except PayloadError as error:
                reasons.append(str(error))
        assert all(reasons)

    def test_too_many_rows(self, monkeypatch) -> None:
        monkeypatch.setattr("channels.importing.MAX_ROWS", 2)
        with pytest.raises(ImportFileError, match="Split it"):
            read_rows(b"external_id\na\nb\nc\n", "csv")


@pytest.mark.django_db
class TestImporting:
    def test_good_rows_imported_bad_rows_reported_with_line_and_reason(
        self, channel, defence_communicator
    ) -> None:
        job = import_create(
            channel=channel, actor=defence_communicator, file_name="x.csv", content=CSV_GOOD_AND_BAD
        )
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE
        assert (job.total_rows, job.processed_rows) == (7, 7)
        assert (job.created_count, job.updated_count, job.error_count) == (3, 0, 4)
        assert [(error["row"], error["reason"]) for error in job.errors] == [
            (3, "external_id is required."),
            (6, "kind must be one of: comment, direct_message, mention, post, reply, review."),
            (
                7,
                "occurred_at must be a date and time in ISO 8601 form, "
                "e.g. 2026-11-25T14:30:00+01:00.",
            ),
            (9, "This line has 7 values for 6 columns."),
        ]
        items = {item.external_id: item for item in Item.objects.filter(channel=channel)}
        assert sorted(items) == ["c1", "c2", "c6"]
        assert items["c1"].author_name == "Marie"
        assert items["c1"].posted_at.isoformat() == "2026-11-20T09:00:00+00:00"
        assert items["c2"].kind == "reply"
        assert items["c6"].language == "fr"  # "Bien" is too short to detect: channel default

    def test_importing_the_same_file_again_creates_nothing(
        self, channel, defence_communicator
    ) -> None:
        for _ in range(2):
            job = import_create(
                channel=channel,
                actor=defence_communicator,
                file_name="x.csv",
                content=CSV_GOOD_AND_BAD,
            )
        job.refresh_from_db()
        assert (job.created_count, job.updated_count) == (0, 3)
        assert Item.objects.filter(channel=channel).count() == 3

    def test_reasons_are_in_the_uploaders_language(self, channel, defence_communicator) -> None:
        defence_communicator.preferred_language = "nl"
        defence_communicator.save()
        job = import_create(
            channel=channel, actor=defence_communicator, file_name="x.csv", content=CSV_GOOD_AND_BAD
        )
        job.refresh_from_db()
        assert job.errors[0]["reason"] == "external_id is verplicht."

    def test_a_large_file_runs_in_the_background_in_resumable_chunks(
        self, channel, defence_communicator, django_capture_on_commit_callbacks, monkeypatch
    ) -> None:
        rows = "".join(f"big{n},Message {n}\n" for n in range(1200))
        content = f"external_id,text\n{rows}".encode()
        enqueued: list[int] = []
        monkeypatch.setattr(
            "channels.tasks.import_run_task.delay", lambda job_id: enqueued.append(job_id)
        )
        with django_capture_on_commit_callbacks(execute=True):
            job = import_create(
                channel=channel, actor=defence_communicator, file_name="big.csv", content=content
            )
        assert job.status == ImportJob.Status.QUEUED
        assert enqueued == [job.pk]
        assert not Item.objects.filter(channel=channel).exists()

        # A worker imports two chunks, then dies.
        parsed = read_rows(content, "csv")
        assert imports._import_chunk(job.pk, parsed)
        assert imports._import_chunk(job.pk, parsed)
        job.refresh_from_db()
        assert (job.status, job.processed_rows) == (ImportJob.Status.RUNNING, 500)

        assert imports_resume(now=timezone.now()) == 0  # still fresh
        assert imports_resume(now=timezone.now() + imports.RESUME_AFTER) == 1
        import_run(job.pk)

        job.refresh_from_db()
        assert (job.status, job.processed_rows, job.created_count) == ("done", 1200, 1200)
        assert job.finished_at is not None
        assert Item.objects.filter(channel=channel).count() == 1200
        import_run(job.pk)  # a late duplicate task changes nothing
        assert ImportJob.objects.get(pk=job.pk).created_count == 1200

    def test_the_error_report_is_capped_but_the_count_is_not(
        self, channel, defence_communicator, monkeypatch
    ) -> None:
        monkeypatch.setattr(imports, "MAX_REPORTED_ERRORS", 3)
        content = b"external_id,kind\n" + b",comment\n" * 10
        job = import_create(
            channel=channel, actor=defence_communicator, file_name="x.csv", content=content
        )
        job.refresh_from_db()
        assert job.error_count == 10
        assert [error["row"] for error in job.errors] == [2, 3, 4]


@pytest.mark.django_db
class TestHistoricRows:
    """Item 8: older comments imported get their clock from the import, or none when historic."""

    OLD = b"external_id;text;occurred_at\nold-1;Bonjour;2025-01-10T09:00:00+01:00\n"

    def test_older_comments_imported_are_due_24_hours_after_the_import(
        self, channel, defence_communicator, defence_admin
    ) -> None:
        from deadlines.engine import deadlines_check

        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        with time_machine.travel(now, tick=False):
            import_create(
                channel=channel, actor=defence_communicator, file_name="x.csv", content=self.OLD
            )
            assert deadlines_check(now).breaches == 0
        item = Item.objects.get()
        assert item.posted_at == datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
        assert (item.status, item.due_at) == ("open", now + timedelta(hours=24))

    def test_a_file_marked_historic_files_items_as_handled_without_a_clock(
        self, channel, defence_communicator, defence_admin
    ) -> None:
        from deadlines.engine import deadlines_check

        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        with time_machine.travel(now, tick=False):
            job = import_create(
                channel=channel, actor=defence_communicator, file_name="x.csv",
                content=self.OLD, historic=True,
            )  # fmt: skip
        assert job.historic
        item = Item.objects.get()
        assert (item.status, item.assigned_to, item.first_response_at) == ("historic", None, None)
        decision = Decision.objects.get(item=item)
        assert (decision.action, decision.actor) == (Action.HISTORIC, defence_communicator)
        for days in (1, 2, 30):
            with time_machine.travel(now + timedelta(days=days), tick=False):
                result = deadlines_check(now + timedelta(days=days))
            assert (result.warnings, result.breaches) == (0, 0)
        assert not Notification.objects.filter(kind__startswith="deadline.").exists()

    def test_a_historic_column_marks_single_rows_and_bad_values_are_reported(
        self, channel, defence_communicator
    ) -> None:
        content = (
            b"external_id,text,historic\na,Done,yes\nb,Waiting,\nc,Waiting too,0\nd,Odd,maybe\n"
        )
        job = import_create(
            channel=channel, actor=defence_communicator, file_name="x.csv", content=content
        )
        statuses = dict(Item.objects.values_list("external_id", "status"))
        assert statuses == {"a": "historic", "b": "open", "c": "open"}
        assert job.errors == [
            {"row": 5, "reason": "historic must be yes or no (1/0, true/false), not “maybe”."}
        ]

    def test_a_known_item_keeps_its_clock_when_a_historic_row_updates_it(
        self, channel, defence_communicator
    ) -> None:
        import_create(
            channel=channel, actor=defence_communicator, file_name="x.csv",
            content=b"external_id,text\na,First\n",
        )  # fmt: skip
        import_create(
            channel=channel, actor=defence_communicator, file_name="y.csv",
            content=b"external_id,text,action\na,Edited,edit\n", historic=True,
        )  # fmt: skip
        assert Item.objects.get().status == "open"


@pytest.mark.django_db
class TestScreens:
    def upload(self, client: Client, channel: Channel, content: bytes, name: str = "x.csv"):
        return client.post(
            "/i/defence/channels/imports/",
            {"channel": channel.pk, "file": SimpleUploadedFile(name, content)},
        )

    def test_communicator_uploads_and_reads_the_report(
        self, client: Client, channel, defence_communicator
    ) -> None:
        client.force_login(defence_communicator)
        response = self.upload(client, channel, CSV_GOOD_AND_BAD)
        assert response.status_code == 302
        page = client.get(response.url).content.decode()
        assert "The file has been imported." in page
        assert "<td>3</td><td>external_id is required.</td>" in page
        assert "import-progress" in page
        assert 'hx-trigger="every 2s"' not in page  # finished: no more polling
        listing = client.get("/i/defence/channels/imports/").content.decode()
        assert "x.csv" in listing

    def test_an_unfinished_import_polls_for_progress(
        self, client: Client, channel, defence_communicator
    ) -> None:
        job = ImportJob.objects.create(
            institution=channel.institution,
            channel=channel,
            uploaded_by=defence_communicator,
            file_name="big.csv",
            file_format="csv",
            content=b"",
            total_rows=1000,
            processed_rows=250,
            status="running",
        )
        client.force_login(defence_communicator)
        page = client.get(f"/i/defence/channels/imports/{job.pk}/").content.decode()
        assert f'hx-get="/i/defence/channels/imports/{job.pk}/progress/"' in page
        fragment = client.get(f"/i/defence/channels/imports/{job.pk}/progress/").content.decode()
        assert fragment.lstrip().startswith('<section id="import-progress"')
        assert 'hx-trigger="every 2s"' in fragment
        assert 'value="25"' in fragment
        assert "250 of 1000 rows processed." in fragment
        assert "<html" not in fragment

    def test_an_unreadable_file_is_refused_with_the_reason(
        self, client: Client, channel, defence_communicator
    ) -> None:
        client.force_login(defence_communicator)
        response = self.upload(client, channel, b'{"broken": ', name="x.json")
        assert response.status_code == 200
        assert "The file is not valid JSON" in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_a_file_too_large_is_refused(
        self, client: Client, channel, defence_communicator, monkeypatch
    ) -> None:
        monkeypatch.setattr("channels.views.imports.MAX_FILE_BYTES", 10)
        client.force_login(defence_communicator)
        response = self.upload(client, channel, b"external_id\n" + b"a\n" * 20)
        assert "The file is larger than the limit of 10\xa0bytes." in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_the_upload_form_offers_to_file_the_items_as_history(
        self, client: Client, channel, defence_communicator
    ) -> None:
        client.force_login(defence_communicator)
        form = client.get("/i/defence/channels/imports/").content.decode()
        assert "These items were already handled (history)" in form
        response = client.post(
            "/i/defence/channels/imports/",
            {
                "channel": channel.pk,
                "file": SimpleUploadedFile("old.csv", b"external_id,text\nold,Ancien\n"),
                "historic": "on",
            },
        )
        assert response.status_code == 302
        assert "Filed as history" in client.get(response.url).content.decode()
        assert Item.objects.get().status == "historic"
        page = client.get(f"/i/defence/queue/items/{Item.objects.get().pk}/").content.decode()
        assert "Imported as already handled: no deadline" in page

    def test_another_institutions_channel_cannot_be_chosen(
        self, client: Client, defence_communicator, police
    ) -> None:
        foreign = ChannelFactory(institution=police)
        client.force_login(defence_communicator)
        response = self.upload(client, foreign, b"external_id\na\n")
        assert "Select a valid choice" in response.content.decode()
        assert not Item.objects.exists()


def test_row_without_columns_reports_why() -> None:
    with pytest.raises(PayloadError, match="values for"):
        row_event(Row(4, None, "This line has 3 values for 2 columns."))
    with pytest.raises(PayloadError, match="must be an object"):
        row_event(Row(1, json.loads("[1]")))
