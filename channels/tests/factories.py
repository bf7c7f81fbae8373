from __future__ import annotations

import factory

from channels.models import Channel

TEST_SECRET = "test-signing-secret"
TEST_VERIFY_TOKEN = "test-verify-token"


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        skip_postgeneration_save = True

    platform = "facebook"
    name = factory.Sequence(lambda n: f"Page {n}")
    handle = factory.Sequence(lambda n: f"page{n}")
    audience = "public"
    languages = factory.LazyFunction(lambda: ["fr", "nl"])
    response_hours = 24
    crisis_response_hours = 1
    signing_secret_encrypted = factory.LazyFunction(lambda: _encrypted(TEST_SECRET))
    verify_token_encrypted = factory.LazyFunction(lambda: _encrypted(TEST_VERIFY_TOKEN))


def _encrypted(value: str) -> str:
    from govsocial.secrets import encrypt_secret

    return encrypt_secret(value)
