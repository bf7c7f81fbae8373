"""Legal holds on cases and items: placed and lifted with reasons, append-only, and respected
by erasure on request, the complaints' anonymisation, items' retention and evidence erasure."""

from __future__ import annotations

import datetime

import pytest
from django.db import InternalError, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from complaints.models import (
    Complainant,
    EventKind,
    EvidenceSnapshot,
    LegalHold,
    LegalHoldImmutableError,
    LegalHoldLift,
    TimelineEvent,
)
from complaints.services import cases
from complaints.services.evidence import evidence_erase, evidence_preserve
from complaints.services.holds import LegalHoldError, hold_lift, hold_place
from complaints.services.personal_data import anonymise_expired, complainant_erase
from complaints.tests.factories import builtin, register
from conftest import enrol_totp
from govsocial.ledger.selectors import entry_for
from govsocial.ledger.verify import ledger_verify
from moderation.models import Item
from moderation.services.ingest import item_apply_event
from moderation.services.retention import items_anonymise_expired
from moderation.social_items import social_item

pytestmark = pytest.mark.django_db


def an_item(institution, external_id: str = "x-1") -> Item:
    channel = ChannelFactory(institution=institution)
    return item_apply_event(
        channel=channel,
        event=ItemEvent(external_id=external_id, verb=Verb.CREATE, author_name="A", text="T"),
    )


def test_a_held_case_is_not_erased_on_request_and_the_officer_is_told_why(
    client: Client, defence, defence_officer
) -> None:
    case = register(defence)
    hold_place(institution=defence, actor=defence_officer, case=case, reason="Court case 26/123")
    with pytest.raises(LegalHoldError, match="Court case 26/123"):
        complainant_erase(case=case, actor=defence_officer, reason="Request")
    client.force_login(defence_officer)
    response = client.post(
        f"/i/defence/complaints/{case.reference}/personal-data/erase/",
        {"reason": "Request"},
        follow=True,
    )
    page = response.content.decode()
    assert "Under legal hold since" in page
    assert "Court case 26/123" in page
    assert Complainant.objects.get(case=case).name == "Anne Dupont"


def test_lifting_the_hold_lets_erasure_go_and_both_acts_are_recorded(
    defence, defence_officer, defence_admin
) -> None:
    case = register(defence)
    hold = hold_place(institution=defence, actor=defence_admin, case=case, reason="Inquiry")
    hold_lift(hold=hold, actor=defence_officer, reason="Inquiry closed")
    assert complainant_erase(case=case, actor=defence_officer, reason="Request") is True
    kinds = list(TimelineEvent.objects.filter(case=case).values_list("kind", "data__reason"))
    assert (EventKind.LEGAL_HOLD_PLACED, "Inquiry") in kinds
    assert (EventKind.LEGAL_HOLD_LIFTED, "Inquiry closed") in kinds
    with pytest.raises(LegalHoldError):
        hold_lift(hold=hold, actor=defence_officer, reason="Again")


def test_holds_and_lifts_are_chained_in_the_ledger(defence, defence_officer, defence_admin) -> None:
    """Issue 15, point 5: placing and lifting a hold are in the institution's hash chain."""
    hold = hold_place(
        institution=defence, actor=defence_admin, case=register(defence), reason="Inquiry"
    )
    lift = hold_lift(hold=hold, actor=defence_officer, reason="Inquiry closed")
    assert entry_for(hold).kind == "complaints.legal_hold"
    assert entry_for(lift).kind == "complaints.legal_hold_lift"
    assert ledger_verify(defence.pk).broken is None


def test_holds_and_lifts_are_append_only(defence, defence_officer) -> None:
    case = register(defence)
    hold = hold_place(institution=defence, actor=defence_officer, case=case, reason="Kept")
    lift = hold_lift(hold=hold, actor=defence_officer, reason="Done")
    with pytest.raises(LegalHoldImmutableError):
        hold.save()
    with pytest.raises(LegalHoldImmutableError):
        LegalHoldLift.objects.filter(pk=lift.pk).delete()
    with (
        pytest.raises(InternalError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):  # the database refuses too
        cursor.execute("UPDATE complaints_legalhold SET reason = 'x' WHERE id = %s", [hold.pk])


def test_placing_needs_a_reason_a_role_one_target_and_no_open_hold(
    defence, police, defence_officer, defence_communicator
) -> None:
    case = register(defence)
    with pytest.raises(LegalHoldError):
        hold_place(institution=defence, actor=defence_officer, case=case, reason="  ")
    with pytest.raises(LegalHoldError):
        hold_place(institution=defence, actor=defence_communicator, case=case, reason="Why")
    with pytest.raises(LegalHoldError):
        hold_place(institution=police, actor=defence_officer, case=case, reason="Why")
    with pytest.raises(LegalHoldError):
        hold_place(institution=defence, actor=defence_officer, reason="Why")
    hold_place(institution=defence, actor=defence_officer, case=case, reason="First")
    with pytest.raises(LegalHoldError, match="First"):
        hold_place(institution=defence, actor=defence_officer, case=case, reason="Second")


def test_retention_skips_a_held_case(defence, defence_officer) -> None:
    old = timezone.now() - datetime.timedelta(days=900)
    held, free = register(defence, received_at=old), register(defence, received_at=old)
    for case in (held, free):
        cases.case_close(
            case=case, actor=defence_officer, outcome="founded", at=old + datetime.timedelta(1)
        )
    hold_place(institution=defence, actor=defence_officer, case=held, reason="Litigation")
    assert anonymise_expired() == 1
    assert Complainant.objects.get(case=held).erased_at is None
    assert Complainant.objects.get(case=free).erased_at is not None


def test_retention_skips_a_held_item(defence, defence_admin) -> None:
    held, free = an_item(defence, "held"), an_item(defence, "free")
    Item.objects.filter(pk__in=[held.pk, free.pk]).update(
        received_at=timezone.now() - datetime.timedelta(days=800)
    )
    hold_place(institution=defence, actor=defence_admin, item=held, reason="Police request")
    items_anonymise_expired()
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.anonymised_at is None
    assert held.text == "T"
    assert free.anonymised_at is not None


def test_erasing_a_case_keeps_the_snapshots_of_a_held_item(defence, defence_officer) -> None:
    item = an_item(defence)
    case = cases.case_open_from_item(
        item=social_item(item),
        actor=defence_officer,
        category=builtin("cyber_harassment"),
        subject="Insults",
    )
    snapshot = evidence_preserve(case=case, actor=defence_officer, item=social_item(item))
    hold_place(institution=defence, actor=defence_officer, item=item, reason="Prosecutor")
    evidence_erase(case)
    assert EvidenceSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_the_register_page_places_and_lifts_holds(
    client: Client, defence, police, defence_admin
) -> None:
    case = register(defence)
    foreign = register(police)
    item = an_item(defence)
    client.force_login(defence_admin)
    url = "/i/defence/legal-holds/"
    response = client.post(url, {"case": foreign.reference, "reason": "Why"})
    assert response.status_code == 400  # another institution's case is not found here
    assert "No complaint has the reference" in response.content.decode()
    response = client.post(url, {"case": case.reference, "item": str(item.pk), "reason": "Why"})
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    response = client.post(url, {"item": "abc", "reason": "Why"})
    assert response.status_code == 400
    response = client.post(url, {"case": case.reference, "reason": ""})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert client.post(url, {"case": case.reference, "reason": "Audit"}).status_code == 302
    assert client.post(url, {"item": str(item.pk), "reason": "Police"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Audit" in page
    assert "Police" in page
    hold = LegalHold.objects.get(item=item)
    response = client.post(f"{url}{hold.pk}/lift/", {"reason": "Returned"})
    assert response.status_code == 302
    assert "Returned" in client.get(url).content.decode()


def test_the_case_page_places_a_hold_and_shows_it(client: Client, defence, defence_officer):
    case = register(defence)
    client.force_login(defence_officer)
    response = client.post(
        "/i/defence/legal-holds/",
        {"case": case.reference, "reason": "Court", "back": "case"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/i/defence/complaints/{case.reference}/"
    assert "Under legal hold since" in response.content.decode()


def test_the_item_page_shows_the_hold_and_offers_it_to_admins(
    client: Client, defence, defence_admin, defence_communicator
) -> None:
    item = an_item(defence)
    admin_communicator = member(defence, "communicator", "institution_admin")
    enrol_totp(admin_communicator)
    client.force_login(admin_communicator)
    page = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert "Place a legal hold" in page
    client.force_login(defence_communicator)
    page = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert "Place a legal hold" not in page
    hold_place(institution=defence, actor=defence_admin, item=item, reason="Prosecutor")
    page = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert "Under legal hold since" in page
    assert "Prosecutor" in page
