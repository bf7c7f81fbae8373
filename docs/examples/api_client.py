"""A small GovSocial API client: lists the open items, decides on one, reads a complaint.

Run against `make run` (see docs/api.md):

    TOKEN=$(.venv/bin/python manage.py create_api_token defence "Example client")
    GOVSOCIAL_TOKEN=$TOKEN .venv/bin/python docs/examples/api_client.py

Only ``requests`` is needed. Every error is JSON: ``{"error": "...", "fields": {...}}``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

import requests

BASE = os.environ.get("GOVSOCIAL_URL", "http://127.0.0.1:8000") + "/api/v1"


class GovSocial:
    def __init__(self, token: str) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """One request; waits as told on 429 (the rate limit) and tries again."""
        while True:
            response = self.session.request(method, BASE + path, timeout=30, **kwargs)
            if response.status_code != 429:
                return response
            time.sleep(int(response.headers.get("Retry-After", "1")))

    def get(self, path: str, **params: object) -> object:
        response = self.call("GET", path, params=params)
        response.raise_for_status()
        return response.json()

    def items(self, **filters: object) -> Iterator[dict]:
        """Every item of the queue with these filters, page after page (keyset cursor)."""
        after = ""
        while True:
            page = self.get("/items/", **filters, **({"after": after} if after else {}))
            yield from page["results"]
            if not page["next"]:
                return
            after = page["next"]


def main() -> int:
    token = os.environ.get("GOVSOCIAL_TOKEN", "")
    if not token:
        print("Set GOVSOCIAL_TOKEN (python manage.py create_api_token defence 'Example client').")
        return 2
    api = GovSocial(token)
    channels = api.get("/channels/")
    print(f"{len(channels)} channels:", ", ".join(c["name"] for c in channels))
    open_items = list(api.items(status="open", size=50))
    print(f"{len(open_items)} open items; the first: {open_items[0]['text'][:60]!r}")

    # Decide on the first open item: "no action needed", recorded as "API: Example client".
    item = open_items[0]
    response = api.call("POST", f"/items/{item['id']}/decisions/", json={"action": "no_action"})
    print("decision:", response.status_code, response.json())

    # A hide must cite a house rule in force, as on the item page: without one it is refused.
    refused = api.call("POST", f"/items/{open_items[1]['id']}/decisions/", json={"action": "hide"})
    print("refused:", refused.status_code, refused.json()["error"])

    history = api.get(f"/items/{item['id']}/history/")
    print("history:", [(d["action"], d["actor"]) for d in history["decisions"]])

    cases = api.get("/cases/")["results"]  # needs the cases:read scope
    if cases:
        case = api.get(f"/cases/{cases[0]['reference']}/")
        print(f"case {case['reference']}: {case['status']}, {len(case['timeline'])} events")
    figures = api.get("/statistics/")
    print("statistics of", figures["month"], [table["key"] for table in figures["tables"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
