#!/usr/bin/env python
"""Django's command-line utility. Configuration errors are printed as one line, not a traceback.

In a bare checkout (neither DEBUG nor SECRET_KEY set) management commands run in development
mode, so `manage.py makemigrations` and friends work without any setup. A deployment sets
SECRET_KEY, so its commands keep DEBUG off; gunicorn and Celery never take this default.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsocial.settings")
    if "DEBUG" not in os.environ and not os.environ.get("SECRET_KEY"):
        os.environ["DEBUG"] = "1"
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Configuration error: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
