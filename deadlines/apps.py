from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    """The deadline engine: warnings, missed-deadline notices and their e-mails. No models of its
    own (its run records are the kernel's ``DeadlineCheckRun`` and ``DeadlineDigest``); the rows
    it watches come from the sources listed in ``settings.DEADLINE_SOURCES``."""

    name = "deadlines"
    verbose_name = _("Deadlines")
