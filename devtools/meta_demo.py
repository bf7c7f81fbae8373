"""``python -m devtools.meta_demo comment|message "text" [--channel NAME]``: someone writes on a
demo Facebook or Instagram channel, through the platform sandbox, which delivers it to GovSocial
as Meta's signed webhook (development only; ``make run`` starts the sandbox).

The channel is a demo channel with a numeric page id (channels/demo.py), by default the first
Facebook one; the webhook goes to ``SITE_URL`` with the channel's signing secret. Then hide the
comment in GovSocial and see it hidden in ``<sandbox>/_sandbox/meta/state``.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["comment", "message"])
    parser.add_argument("text")
    parser.add_argument("--channel", default="", help="the channel's name (default: the first)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsocial.settings")
    os.environ.setdefault("DEBUG", "1")  # as under make run
    os.environ.setdefault("PLATFORM_SANDBOX_URL", "http://127.0.0.1:8765")
    django.setup()
    from django.conf import settings

    from channels.models import Channel

    channels = Channel.objects.active().filter(
        platform__in=["facebook", "instagram"], handle__regex=r"^[0-9]+$"
    )
    channel = channels.filter(name=args.channel).first() if args.channel else channels.first()
    if channel is None:
        raise SystemExit("No Facebook or Instagram channel with a page id: run make run first.")
    body = {
        "platform": channel.platform,
        "page_id": channel.handle,
        "webhook_url": f"{settings.SITE_URL}/hooks/meta/{channel.webhook_id}/",
        "secret": channel.signing_secret,
    }
    if args.what == "comment":
        body |= {"message": args.text, "from": {"id": "24920341234567", "name": "Jan Peeters",
                                                "username": "jan.peeters"}}  # fmt: skip
    else:
        body |= {"text": args.text, "from": "6543210987654321"}
    request = urllib.request.Request(  # noqa: S310 (the development sandbox's address)
        f"{settings.PLATFORM_SANDBOX_URL}/_sandbox/meta/{args.what}s",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
        created = json.load(answer)
    print(f"{channel}: {json.dumps(created['delivery']['status'])} ({args.what} created)")


if __name__ == "__main__":
    main()
