"""``python -m devtools.platform_sandbox --port 8765``: serve the sandbox until interrupted."""

from __future__ import annotations

import argparse
import threading

from devtools.platform_sandbox.server import build, running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with running(build(), port=args.port) as sandbox:
        print(f"Platform sandbox on {sandbox.url} (PLATFORM_SANDBOX_URL={sandbox.url})", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
