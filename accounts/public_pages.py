"""The facts behind an institution's accessibility statement, privacy notice and contact page
that are not the institution's own settings: the ombudsmen and the data protection authority
people may turn to, and the retention periods in force.

Addresses were checked against the bodies' own pages and official news (sources in
docs/public-pages.md); an institution whose ombudsman is not listed describes it in its
settings (``accessibility_ombudsman_other``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from accounts.public_details import Ombudsman


@dataclass(frozen=True)
class Authority:
    """A body people may complain to, with its details in French, Dutch and English."""

    name: Promise
    addresses: dict[str, str]
    websites: dict[str, str]
    phone: str = ""
    email: str = ""

    def address(self) -> str:
        return self.addresses.get(_language(), self.addresses["en"])

    def website(self) -> str:
        return self.websites.get(_language(), self.websites["en"])


OMBUDSMEN = {
    Ombudsman.FEDERAL: Authority(
        name=_("Federal Ombudsman"),
        addresses={
            "fr": "Rue Ducale 43, 1000 Bruxelles",
            "nl": "Hertogsstraat 43, 1000 Brussel",
            "en": "Rue Ducale 43 / Hertogsstraat 43, 1000 Brussels",
        },
        websites={
            "fr": "https://www.mediateurfederal.be",
            "nl": "https://www.federaalombudsman.be",
            "en": "https://www.federalombudsman.be",
        },
        phone="0800 99 961",
    ),
    Ombudsman.BRUSSELS: Authority(
        name=_("Brussels Ombudsman"),
        addresses={"en": "Place de la Vieille Halle aux Blés 1, 1000 Bruxelles"},
        websites={"en": "https://ombuds.brussels"},
        phone="02 549 67 00",
        email="plaintes@ombuds.brussels",
    ),
}

DATA_PROTECTION_AUTHORITY = Authority(
    name=_("Data Protection Authority"),
    addresses={
        "fr": "Rue de la Presse 35, 1000 Bruxelles",
        "nl": "Drukpersstraat 35, 1000 Brussel",
        "en": "Rue de la Presse 35 / Drukpersstraat 35, 1000 Brussels",
    },
    websites={
        "fr": "https://www.autoriteprotectiondonnees.be",
        "en": "https://www.dataprotectionauthority.be",
    },
    phone="+32 2 274 48 00",
)


@dataclass(frozen=True)
class Retention:
    """How long personal data stays, as configured now (the privacy notice quotes it)."""

    complaint_months: int
    item_months: int
    email_days: int


def retention(institution: Institution) -> Retention:
    return Retention(
        complaint_months=institution.complaint_retention_months,
        item_months=institution.item_retention_months,
        email_days=settings.EMAIL_RETENTION_DAYS,
    )


def ombudsman(institution: Institution) -> Authority | None:
    """The ombudsman of the enforcement procedure; None when the institution describes its own
    (``accessibility_ombudsman_other``)."""
    return OMBUDSMEN.get(Ombudsman(institution.accessibility_ombudsman))


def _language() -> str:
    return (translation.get_language() or "en")[:2]
