from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovSocialConfig(AppConfig):
    name = "govsocial"
    verbose_name = "GovSocial core"

    def ready(self) -> None:
        # Django 6.1's empty choice of select fields. Naming it here puts it in our catalogues:
        # Django's own Dutch catalogue lacks it, so Dutch forms showed it in English.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
