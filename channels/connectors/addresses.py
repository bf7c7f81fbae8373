"""Which servers a connector may call: public ones only (no request forgery into the network).

A channel's address is typed by an institution admin; without this check GovSocial would call,
with the channel's token, whatever the name points to: the metadata service of the cloud host
(169.254.169.254), Redis on 127.0.0.1, an intranet server. The name is **resolved** and every
address it resolves to must be public, so a harmless-looking name pointing inward is refused
too. The channel form checks when the address is saved and the connector again before each
connection (DNS answers change). ``settings.CONNECTORS_ALLOW_PRIVATE_HOSTS`` lifts the rule for
tests and development servers on the local machine.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class AddressRefused(ValueError):
    """The server address is not public, or cannot be resolved when that is required."""


def public_server_check(url: str, *, unresolvable_ok: bool = False) -> None:
    """Raise ``AddressRefused`` unless every address the URL's host resolves to is public.

    ``unresolvable_ok`` lets a name that does not resolve pass (the form: the connection will
    fail anyway and be checked again then).
    """
    if settings.CONNECTORS_ALLOW_PRIVATE_HOSTS:
        return
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise AddressRefused(_("The address has no server name."))
    try:
        resolved = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        if unresolvable_ok:
            return
        raise AddressRefused(
            _("The server %(host)s could not be found.") % {"host": host}
        ) from None
    for *_rest, sockaddr in resolved:
        if not _is_public(str(sockaddr[0])):
            raise AddressRefused(
                _(
                    "%(host)s leads to a private, loopback or link-local network address: "
                    "GovSocial only connects to public servers."
                )
                % {"host": host}
            )


def _is_public(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
