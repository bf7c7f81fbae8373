from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and institutions")

    def ready(self) -> None:
        from accounts import people_cache, signals  # noqa: F401  (connects the receivers)

        people_cache.connect()
