"""GovSocial settings: one module, configured entirely by environment variables.

With no environment at all the project runs as a self-contained demo (DEBUG on, SQLite and a
file-system Celery broker under ``var/``). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and HTTPS; docs/configuration.md lists every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from govsocial.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    env_url_list,
)
from govsocial.schedules import catch_up_beat, daily

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")
# The embedded defaults (SQLite, file cache, file broker, mail files) live under var/.
for _folder in ("", "cache", "broker", "broker-processed", "mail"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)

# --- Core --------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (use 50+ random characters)."
        )
    SECRET_KEY = "django-insecure-govsocial-local-demo-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off, e.g. govsocial.example.be."
    )
CSRF_TRUSTED_ORIGINS = env_url_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "pgtrigger",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "govsocial",
    "accounts",
    "channels",
    "moderation",
    "reports",
    "complaints",
    "charter",
    "deadlines",
    "webhooks",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    "accounts.middleware.RoleRequiredMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "accounts.tenancy.InstitutionMiddleware",
    "govsocial.middleware.PrivateCacheControlMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "govsocial.urls"
WSGI_APPLICATION = "govsocial.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govsocial.context_processors.navigation",
            ],
        },
    }
]

# Widgets through Jinja2 (Django's own widget templates), the rest through the engine above:
# see govsocial/form_renderer.py for the measured why.
FORM_RENDERER = "govsocial.form_renderer.JinjaFirstRenderer"

# --- Data --------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # gunicorn, the Celery worker and beat write concurrently in the demo: IMMEDIATE makes the
    # busy timeout apply, WAL lets readers proceed while one process writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "govsocial.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "govsocial"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's, loading the user's memberships with the user (one query).
    "accounts.auth_backends.ModelBackend",
    "accounts.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.ContextWordsValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[GovSocial] "
# Sign-in limits (docs/operations.md, "Sign-in limits and the client address"). A team signing in
# at a shift change arrives from one address (its institution's proxy, or ours when
# TRUSTED_PROXY_COUNT is not set): 30 people in a minute, typos included, must all get in, so
# "login" (every sign-in form sent) allows 120 a minute per address, not allauth's 30. Password
# guessing stays limited per account (5 failures in 5 minutes, whatever the address) and per
# address (30 failures a minute, one mistyped password for each of a team of 30).
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": "30/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "GovSocial"
MFA_TOTP_TOLERANCE = (
    0  # a used code is remembered for one period only: tolerance would reopen replay
)
MFA_TRUST_ENABLED = False
MFA_WEBAUTHN_USER_VERIFICATION = "required"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Sessions live in the database so that a cache outage logs nobody out. The absolute lifetime is
# the cookie age; the idle limit is enforced by accounts.middleware.SessionExpiryMiddleware.
# Sessions are read from the cache (Redis) and written through to the database: one query less
# on every request, polls included (issue 21); the database copy survives a Redis restart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers ---------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins the cookie to this host over HTTPS with Path=/ and no Domain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["govsocial.formats"]
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail (Django 6.1 MAILERS) ----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GovSocial <noreply@govsocial.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_HOST = env_str("MAIL_HOST")
MAIL_SECURITY = env_choice("MAIL_SECURITY", "starttls", ("starttls", "ssl", "none"))
if MAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": MAIL_HOST,
                "port": env_int("MAIL_PORT", 587, minimum=1, maximum=65535),
                "username": env_str("MAIL_USER") or None,
                "password": env_str("MAIL_PASSWORD") or None,
                "use_tls": MAIL_SECURITY == "starttls",
                "use_ssl": MAIL_SECURITY == "ssl",
                "timeout": env_int("MAIL_TIMEOUT", 10, minimum=1),
            },
        }
    }
else:
    # No SMTP server configured: mails are written as files so the demo's invitation and
    # password-reset links can be read in var/mail/.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object]
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 2,
        "visibility_timeout": 3600,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        # Kombu's default is a "control" folder in the working directory (it was once committed).
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request must fail fast when the broker is down: the database row is the
# source of truth and sweepers re-enqueue what was not delivered.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_RETRY_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# Daily and weekly jobs: beat only ticks them, each runs when its own stored last run is older
# than the time it was last due, so a beat restart at any hour never skips a day
# (govsocial/schedules.py). One line registers a job.
CATCH_UP_JOBS = {
    # Complainants' data of cases closed longer than the retention period is erased.
    "complaints-anonymise": daily("complaints.tasks.anonymise_expired_task"),
    # Reminders are keyed by ISO week, so each person gets at most one a week.
    "charter-acknowledgement-reminders": daily("charter.tasks.acknowledgement_reminders_send_task"),
    # Social media items past their institution's retention period are anonymised.
    "items-anonymise": daily("moderation.tasks.items_anonymise_expired_task"),
    # Sent and failed e-mails older than EMAIL_RETENTION_DAYS leave the outbox.
    "email-outbox-purge": daily("accounts.tasks.email_outbox_purge_task"),
    # Records of phone notifications older than EMAIL_RETENTION_DAYS are deleted.
    "push-deliveries-purge": daily("accounts.tasks.push_deliveries_purge_task"),
    # Channels' API tokens: still valid, expiring, permissions missing (admins are warned).
    "channel-tokens-check": daily("channels.tasks.channel_tokens_check_task", hour=5),
    # Each institution's ledger head at the end of every closed local day, published
    # (govsocial/ledger/digests.py; catches up every day missed).
    "ledger-digests": daily("govsocial.ledger.digests.ledger_digests_publish"),
}
CELERY_BEAT_SCHEDULE = {
    # Every minute; "expires" below the interval: a tick missed while down is not replayed, the
    # next run catches up on everything that became due (the check is state-based).
    "deadlines-check": {
        "task": "govsocial.tasks.deadlines_check",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "deadline-emails": {
        "task": "govsocial.tasks.deadline_emails",
        "schedule": 120.0,
        "options": {"expires": 100},
    },
    # Phone notifications left pending by a lost task (accounts/services/push.py).
    "push-deliveries-sweep": {
        "task": "accounts.tasks.push_deliveries_sweep",
        "schedule": 120.0,
        "options": {"expires": 100},
    },
    "deadline-digests": {
        "task": "govsocial.tasks.deadline_digests",
        # A crontab: a fresh entry (the Procfile deletes beat's file) still runs within 5 minutes.
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 250},
    },
    "deliveries-sweep": {
        "task": "channels.tasks.deliveries_sweep",
        "schedule": 120.0,
        "options": {"expires": 100},
    },
    "imports-resume": {
        "task": "channels.tasks.imports_resume",
        "schedule": 120.0,
        "options": {"expires": 100},
    },
    "polls-dispatch": {
        "task": "channels.tasks.polls_dispatch",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Platform actions: due attempts (and leases run out) and due read-backs.
    "actions-sweep": {
        "task": "moderation.tasks.actions_sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # approved posts whose planned time has come get their publish action (once: a constraint).
    "posts-publish-due": {
        "task": "moderation.tasks.posts_publish_due",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Outgoing webhooks: retries whose time has come, deliveries the broker missed.
    "webhooks-sweep": {
        "task": "webhooks.tasks.webhooks_sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # the escalation ladder's later steps (moderation.services.ladder), and handovers of the
    # open items of people who went off duty (moderation.services.handover).
    "ladder-sweep": {
        "task": "moderation.tasks.ladder_sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "handover-sweep": {
        "task": "moderation.tasks.handover_sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "email-outbox-sweep": {
        "task": "accounts.tasks.email_outbox_sweep",
        "schedule": 120.0,
        "options": {"expires": 100},
    },
    **catch_up_beat(CATCH_UP_JOBS),
}

# The rows the deadline check watches (deadlines/sources.py).
DEADLINE_SOURCES = [
    "moderation.deadlines.ITEMS",
    "moderation.deadlines.TO_DO",
    "moderation.deadlines.PROPOSALS",
    "moderation.deadlines.CONTESTS",
    "complaints.deadlines.CASES",
]

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
}

# Webhook body limits, checked on Content-Length before the body is read (413 above them).
WEBHOOK_MAX_BYTES = env_int("WEBHOOK_MAX_BYTES", 1024 * 1024, minimum=1024)
WEBHOOK_MAX_BYTES_GENERIC = env_int("WEBHOOK_MAX_BYTES_GENERIC", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(WEBHOOK_MAX_BYTES, WEBHOOK_MAX_BYTES_GENERIC) + 1024
CHANNEL_SECRETS_KEY = env_str("CHANNEL_SECRETS_KEY")
# Connectors (Mastodon) refuse servers on loopback, private or link-local addresses
# (channels/connectors/addresses.py); tests and local development servers turn this on.
CONNECTORS_ALLOW_PRIVATE_HOSTS = env_bool("CONNECTORS_ALLOW_PRIVATE_HOSTS", default=False)
# Outgoing webhooks refuse targets on loopback, private or link-local addresses (webhooks/
# sending.py) and plain http; tests and `make run` with DEBUG=1 turn this on (docs/webhooks.md).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Where each platform's API lives. PLATFORM_SANDBOX_URL points every platform at the development
# sandbox (devtools/platform_sandbox, docs/platforms.md), which serves each under its own prefix;
# production leaves it empty. Mastodon has no entry: its server is the channel's own address.
PLATFORM_SANDBOX_URL = env_str("PLATFORM_SANDBOX_URL").rstrip("/")
PLATFORM_API_URLS = {
    "facebook": "https://graph.facebook.com/v24.0",
    "instagram": "https://graph.facebook.com/v24.0",
    "youtube": "https://www.googleapis.com/youtube/v3",
    "x": "https://api.x.com/2",
    "linkedin": "https://api.linkedin.com/rest",
    # Token checks on hosts other than the APIs' (channels/connectors/google_tokens.py,
    # linkedin_tokens.py): Google's tokeninfo and LinkedIn's OAuth server.
    "google_oauth": "https://oauth2.googleapis.com",
    "linkedin_oauth": "https://www.linkedin.com/oauth/v2",
}
# The Meta app GovSocial's page tokens belong to: its app token (``id|secret``) asks Graph's
# debug_token about them (channels/connectors/meta_tokens.py). Unset: Meta tokens are not checked.
META_APP_ID = env_str("META_APP_ID")
META_APP_SECRET = env_str("META_APP_SECRET")
# The LinkedIn app GovSocial's tokens belong to: its client id and secret ask LinkedIn's token
# introspection about them (channels/connectors/linkedin_tokens.py). Unset: not checked.
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET")
if PLATFORM_SANDBOX_URL:
    PLATFORM_API_URLS = {
        platform: f"{PLATFORM_SANDBOX_URL}/{platform}" for platform in PLATFORM_API_URLS
    }

# --- Web Push (accounts/vapid.py, accounts/services/push.py, docs/coverage.md) -----------------
# The VAPID signing key: the environment in production (the same on every host), else a file
# written once by ``manage.py push_keys`` (``make run``). Changing it orphans every device.
WEBPUSH_VAPID_PRIVATE_KEY = env_str("WEBPUSH_VAPID_PRIVATE_KEY")
WEBPUSH_VAPID_KEY_FILE = Path(env_str("WEBPUSH_VAPID_KEY_FILE") or VAR_DIR / "vapid_private.pem")
# Who push services contact about our messages (RFC 8292 "sub": a mailto: or https: address).
WEBPUSH_SUBJECT = env_str("WEBPUSH_SUBJECT", "mailto:noreply@govsocial.localhost")
# Push services GovSocial posts to: https hosts ending with one of these (the browsers' own
# services; a subscription naming another server is refused, so nobody can make the worker post
# into the network). WEBPUSH_EXTRA_ENDPOINTS adds URL prefixes (the development sandbox).
WEBPUSH_SERVICE_HOSTS = env_list(
    "WEBPUSH_SERVICE_HOSTS",
    [
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ],
)
WEBPUSH_EXTRA_ENDPOINTS = env_list("WEBPUSH_EXTRA_ENDPOINTS", [])
# Notification kinds that also go to the phone of a recipient on duty (never off duty, never
# in their quiet hours); everything else stays in the inbox and e-mail.
WEBPUSH_KINDS = ("keyword.urgent", "deadline.warning", "deadline.breach")
# How long a push service keeps an undelivered message (seconds): a warning older than this is
# stale, the inbox and e-mail have it.
WEBPUSH_TTL = env_int("WEBPUSH_TTL", 4 * 3600, minimum=60)
# Who is on duty now, per institution: a dotted path (accounts must not import moderation).
ON_DUTY_RESOLVER = "moderation.services.assignment.on_duty_user_ids"

# Absolute base URL used in e-mails and notifications produced outside a request (invitation
# links, deadline notices). Required in production: a default would send people to localhost.
SITE_URL = env_str("SITE_URL", "http://localhost:8000" if DEBUG else "").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off, with its scheme: the address people open "
        f"GovSocial at, e.g. https://govsocial.example.be (got {SITE_URL!r})."
    )
# Sent and failed e-mails (bodies, subjects, addresses) are deleted from the outbox after this.
EMAIL_RETENTION_DAYS = env_int("EMAIL_RETENTION_DAYS", 30, minimum=1, maximum=3650)

# The REST API (api/, docs/api.md): bearer tokens only (no session, hence no CSRF), a scope per
# endpoint and method, JSON errors, a rate limit per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.json_errors",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GovSocial API",
    "DESCRIPTION": "An institution's items, decisions, complaints, charters and figures. "
    "Send `Authorization: Bearer <token>`; an institution admin creates tokens under "
    "/i/<institution>/api-tokens/. See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ItemStatus": "moderation.models.ItemStatus",
        "CaseStatus": "complaints.models.Status",
        "ChannelAudience": "channels.models.ChannelAudience",
        "CharterAudience": "charter.models.Audience",
        "SpokenLanguage": "accounts.models.SpokenLanguage",
        "CharterLanguage": "charter.models.CharterLanguage",
    },
}
# Requests per token (or per address without one) and window in seconds.
API_RATE_LIMIT = (
    env_int("API_RATE_LIMIT", 600, minimum=1, maximum=1_000_000),
    60,
)
