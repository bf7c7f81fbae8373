"""Which servers GovSocial may call: public ones only (no request forgery into the network).

An address typed by an institution admin (a channel's server, a webhook subscription's URL)
would otherwise let GovSocial call whatever the name points to: the metadata service of the
cloud host (169.254.169.254), Redis on 127.0.0.1, an intranet server. The name is **resolved**
and every address it resolves to must be public, so a harmless-looking name pointing inward is
refused too. Callers check when the address is saved and again before each connection (DNS
answers change); each caller decides, from its own setting, whether private hosts are allowed
(tests and development servers on the local machine).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _


class AddressRefused(ValueError):
    """The server address is not public, or cannot be resolved when that is required."""


def public_addresses(
    url: str, *, unresolvable_ok: bool = False, allow_private: bool = False
) -> list[str]:
    """Every address the URL's host resolves to; ``AddressRefused`` unless all are public.

    ``unresolvable_ok`` lets a name that does not resolve pass with no address (a form: the
    connection will fail anyway and be checked again then). ``allow_private`` skips the check,
    not the resolution.
    """
    host = urlsplit(url).hostname
    if not host:
        raise AddressRefused(_("The address has no server name."))
    try:
        resolved = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        if unresolvable_ok:
            return []
        raise AddressRefused(
            _("The server %(host)s could not be found.") % {"host": host}
        ) from None
    addresses = list(dict.fromkeys(str(sockaddr[0]) for *_rest, sockaddr in resolved))
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise AddressRefused(
            _(
                "%(host)s leads to a private, loopback or link-local network address: "
                "GovSocial only connects to public servers."
            )
            % {"host": host}
        )
    return addresses


def _is_public(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
