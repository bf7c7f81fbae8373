"""Which servers a connector may call: public ones only (``govsocial.addresses`` says why).

The channel form checks when the address is saved and the connector again before each
connection (DNS answers change). ``settings.CONNECTORS_ALLOW_PRIVATE_HOSTS`` lifts the rule for
tests and development servers on the local machine.
"""

from __future__ import annotations

from django.conf import settings

from govsocial.addresses import AddressRefused, public_addresses

__all__ = ["AddressRefused", "public_server_check"]


def public_server_check(url: str, *, unresolvable_ok: bool = False) -> None:
    """Raise ``AddressRefused`` unless every address the URL's host resolves to is public.

    ``unresolvable_ok`` lets a name that does not resolve pass (the form: the connection will
    fail anyway and be checked again then).
    """
    if settings.CONNECTORS_ALLOW_PRIVATE_HOSTS:
        return
    public_addresses(url, unresolvable_ok=unresolvable_ok)
