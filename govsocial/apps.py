from django.apps import AppConfig


class GovSocialConfig(AppConfig):
    name = "govsocial"
    verbose_name = "GovSocial core"
