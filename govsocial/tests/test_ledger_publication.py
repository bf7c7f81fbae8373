"""The ledger's daily digests, their public JSON, the outsider's script and the record proof."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from complaints.services.timeline import timeline_record
from complaints.tests.factories import register
from govsocial.jobs import catch_up_job_run
from govsocial.ledger.digests import ledger_digests_publish
from govsocial.ledger.models import LedgerDigest, LedgerEntry
from govsocial.ledger.selectors import digest_for, entry_for, record_proof

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import verify_ledger as outsider

pytestmark = pytest.mark.django_db

# Europe/Brussels is UTC+1 in December: 23:30 UTC on 1 December is 2 December locally.
DEC1_NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
DEC1_LATE_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
DEC3 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def days(defence):
    """Entries of defence on 1 December (the case's registration), 2 December (1) and
    3 December (1), local days."""
    with time_machine.travel(DEC1_NOON, tick=False):
        case = register(defence)
    with time_machine.travel(DEC1_LATE_UTC, tick=False):
        timeline_record(case, None, "note_added", text="late")
    with time_machine.travel(DEC3, tick=False):
        timeline_record(case, None, "note_added", text="third day")
    return case


def digests(institution) -> list[tuple[str, int, int]]:
    return [
        (d.day.isoformat(), d.head_seq, d.entries)
        for d in LedgerDigest.objects.filter(institution=institution).order_by("day")
    ]


def test_each_closed_local_day_gets_one_digest_of_the_chains_head(days, defence) -> None:
    first_day = LedgerEntry.objects.filter(institution=defence, recorded_at=DEC1_NOON).count()
    # 2 December has ended locally at 23:00 UTC; published an hour later (SETTLE).
    with time_machine.travel(datetime(2026, 12, 2, 23, 30, tzinfo=UTC), tick=False):
        assert ledger_digests_publish() == 1
    assert digests(defence) == [("2026-12-01", first_day, first_day)]
    with time_machine.travel(datetime(2026, 12, 3, 0, 5, tzinfo=UTC), tick=False):
        assert ledger_digests_publish() == 1
    assert digests(defence)[1] == ("2026-12-02", first_day + 1, 1)
    head = LedgerEntry.objects.get(institution=defence, seq=first_day + 1)
    assert digest_for(defence, date(2026, 12, 2)).head_hash == head.entry_hash


def test_publishing_is_idempotent_and_catches_up_missed_days(days, defence) -> None:
    later = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # nothing ran since the 1st: 5 days due
    with time_machine.travel(later, tick=False):
        assert ledger_digests_publish() == 5
        assert ledger_digests_publish() == 0
    published = digests(defence)
    assert [day for day, _, _ in published] == [f"2026-12-0{n}" for n in range(1, 6)]
    total = LedgerEntry.objects.filter(institution=defence).count()
    assert published[-1][1] == total  # the head did not move on the 4th and 5th
    assert [entries for _, _, entries in published[3:]] == [0, 0]
    assert sum(entries for _, _, entries in published) == total


def test_the_daily_job_publishes_the_digests(days, defence, settings) -> None:
    assert "ledger-digests" in settings.CATCH_UP_JOBS
    with time_machine.travel(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), tick=False):
        assert catch_up_job_run("ledger-digests") is True
    assert len(digests(defence)) == 3


@pytest.fixture
def published(days, defence):
    with time_machine.travel(datetime(2026, 12, 5, 2, 0, tzinfo=UTC), tick=False):
        ledger_digests_publish()
    return defence


def fetcher(client: Client):
    def fetch(url: str) -> object:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
        return response.json()

    return fetch


def test_the_public_json_lets_an_outsider_recompute_each_day(published, client) -> None:
    for day in ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"):
        assert outsider.main(["http://testserver", "defence", day], fetch=fetcher(client)) == 0


def test_the_outsiders_script_finds_a_changed_list(published, client) -> None:
    fetch = fetcher(client)

    def forged(url: str) -> object:
        data = fetch(url)
        if url.endswith("2026-12-01.json"):
            data["entries"][0]["content_hash"] = "0" * 64
        return data

    assert outsider.main(["http://testserver", "defence", "2026-12-01"], fetch=forged) == 1


def test_a_record_page_can_be_checked_against_the_published_digest(
    published, client, tmp_path, capsys
) -> None:
    from complaints.models import TimelineEvent

    row = TimelineEvent.objects.get(data__text="late")
    event = entry_for(row)
    proof = record_proof(row, published)
    assert proof is not None
    assert (proof.entry, proof.day) == (entry_for(row), date(2026, 12, 2))
    assert proof.digest == digest_for(published, date(2026, 12, 2))
    document = tmp_path / "document.json"
    document.write_text(proof.document + "\n")
    argv = ["http://testserver", "defence", "2026-12-02", "--document", str(document)]
    assert outsider.main(argv, fetch=fetcher(client)) == 0
    assert f"entry #{event.seq}" in capsys.readouterr().out
    document.write_text(proof.document.replace("late", "Late"))
    assert outsider.main(argv, fetch=fetcher(client)) == 1


def test_the_proof_fragment_shows_the_hashes_and_the_days_digest(published) -> None:
    from complaints.models import TimelineEvent

    row = TimelineEvent.objects.get(data__text="late")
    html = Template("{% load ledger %}{% ledger_proof row institution %}").render(
        Context({"row": row, "institution": published})
    )
    assert entry_for(row).entry_hash in html
    assert digest_for(published, date(2026, 12, 2)).head_hash in html
    assert reverse("reports:ledger-day", args=["defence", "2026-12-02"]) in html
    with time_machine.travel(datetime(2026, 12, 5, 12, 0, tzinfo=UTC), tick=False):
        timeline_record(row.case, None, "note_added", text="today")
    today = TimelineEvent.objects.get(data__text="today")
    html = Template("{% load ledger %}{% ledger_proof row institution %}").render(
        Context({"row": today, "institution": published})
    )
    assert "Published on the transparency page after" in html


def test_the_public_pages_hold_no_personal_data(published, client) -> None:
    pages = [
        client.get(reverse("reports:ledger-index", args=["defence"])),
        client.get(reverse("reports:ledger-day", args=["defence", "2026-12-01"])),
        client.get(reverse("reports:transparency", args=["defence"])),
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    day = pages[1].json()
    assert set(day) == {"institution", "algorithm", "genesis", "digest", "previous_head_hash",
                        "entries"}  # fmt: skip
    assert {key for entry in day["entries"] for key in entry} == {
        "seq", "prev_hash", "content_hash", "entry_hash"
    }  # fmt: skip
    salts = LedgerEntry.objects.values_list("salt", flat=True)
    for page in pages:
        body = page.content.decode()
        for secret in ("Anne Dupont", "anne@example.be", "Attente au guichet", "late", *salts):
            assert secret not in body
    assert digest_for(published, date(2026, 12, 3)).head_hash in pages[2].content.decode()


def test_a_day_not_published_or_badly_written_is_a_clear_404(published, client) -> None:
    for day, message in (("2026-12-09", "No digest"), ("2026-13-01", "YYYY-MM-DD")):
        response = client.get(reverse("reports:ledger-day", args=["defence", day]))
        assert response.status_code == 404
        assert message in json.loads(response.content)["error"]
    assert client.get(reverse("reports:ledger-index", args=["nowhere"])).status_code == 404
