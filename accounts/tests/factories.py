"""factory_boy factories for accounts. Users get a verified e-mail so they can sign in."""

from __future__ import annotations

from datetime import date

import factory
from allauth.account.models import EmailAddress

from accounts.models import Institution, Membership, Role, User

TEST_PASSWORD = "correct horse battery staple"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"institution-{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Institution {o.slug} (fr)")
    name_nl = factory.LazyAttribute(lambda o: f"Instelling {o.slug} (nl)")
    name_en = factory.LazyAttribute(lambda o: f"Institution {o.slug} (en)")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.be")
    full_name = factory.Faker("name")
    preferred_language = "en"
    spoken_languages = factory.LazyFunction(lambda: ["fr", "nl"])
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNICATOR


def member(institution: Institution, *roles: str, **user_fields: object) -> User:
    """A user holding ``roles`` in ``institution``."""
    user = UserFactory(**user_fields)
    for role in roles:
        MembershipFactory(institution=institution, user=user, role=role)
    return user


def settings_form_data(institution: Institution, **changes: object) -> dict[str, object]:
    """What the institution settings page posts when nothing is changed, plus ``changes``:
    read from the form itself, so a new setting never breaks the tests that post it."""
    from accounts.forms import InstitutionSettingsForm

    form = InstitutionSettingsForm(instance=institution)
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, date):
            data[name] = value.isoformat()  # what the page's <input type="date"> posts
        elif value is not None:
            data[name] = value
    return {**data, **changes}
