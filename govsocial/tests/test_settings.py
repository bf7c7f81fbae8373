"""Configuration from the environment: bad values fail clearly, production settings are clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from govsocial.env import env_bool, env_int, env_list, env_time_zone, env_url_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-key-for-the-deploy-check-0123",
    "ALLOWED_HOSTS": "govsocial.example.be",
    "SITE_URL": "https://govsocial.example.be",
    "CSRF_TRUSTED_ORIGINS": "https://govsocial.example.be",
    "MAIL_HOST": "smtp.example.be",
    "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    "REDIS_URL": os.environ.get("REDIS_URL", ""),
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    dropped = {*PRODUCTION_ENV, "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_boolean_with_an_unknown_word_is_refused_with_its_name(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be one of"):
        env_bool("DEBUG", False, environ={"DEBUG": raw})


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), (" TRUE ", True)])
def test_boolean_words_are_understood(raw: str, expected: bool) -> None:
    assert env_bool("X", not expected, environ={"X": raw}) is expected


def test_integer_out_of_range_names_the_limit() -> None:
    with pytest.raises(ImproperlyConfigured, match="at least 60"):
        env_int("SESSION_IDLE_TIMEOUT", 1800, minimum=60, environ={"SESSION_IDLE_TIMEOUT": "5"})
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("MAIL_PORT", 587, environ={"MAIL_PORT": "smtp"})


def test_lists_drop_blanks_and_origins_need_a_scheme() -> None:
    assert env_list("H", [], environ={"H": "a.be, b.be,"}) == ["a.be", "b.be"]
    with pytest.raises(ImproperlyConfigured, match="http:// or https://"):
        env_url_list("CSRF_TRUSTED_ORIGINS", [], environ={"CSRF_TRUSTED_ORIGINS": "example.be"})


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="IANA time zone"):
        env_time_zone("TIME_ZONE", "Europe/Brussels", environ={"TIME_ZONE": "Europe/Bruxelles"})


def test_manage_py_reports_a_bad_value_in_one_clear_line() -> None:
    result = manage("check", env={**PRODUCTION_ENV, "DEBUG": "perhaps"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DEBUG must be one of ['1', 'on', 'true', 'yes'] or "
        "['0', 'false', 'no', 'off'], got 'perhaps'."
    )


def test_secret_key_is_required_when_debug_is_off() -> None:
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode == 2
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize("value", ["", "govsocial.example.be"])
def test_site_url_is_required_when_debug_is_off(value: str) -> None:
    """Invitation links and notices are absolute: without it they would point to localhost."""
    result = manage("check", env={**PRODUCTION_ENV, "SITE_URL": value})
    assert result.returncode == 2
    assert "SITE_URL must be set when DEBUG is off, with its scheme" in result.stderr


def test_site_url_defaults_to_localhost_in_development() -> None:
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = manage("shell", "--no-imports", "-c", code, env={"DEBUG": "1"})
    assert result.stdout.split() == ["http://localhost:8000"], result.stderr


def test_deploy_check_is_clean_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_can_fail_on_development_defaults() -> None:
    """The check above is meaningful: without HTTPS hardening Django does warn."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "HTTPS": "false"}
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


def test_production_cookies_carry_the_host_prefix() -> None:
    code = (
        "from django.conf import settings;"
        "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME,"
        " settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "True", "31536000"]


def test_embedded_defaults_need_no_environment(tmp_path: Path) -> None:
    """`make run` on a fresh machine: SQLite, file cache and file broker under VAR_DIR."""
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL,"
        " settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    )
    result = manage(
        "shell", "--no-imports", "-c", code, env={"DEBUG": "1", "VAR_DIR": str(tmp_path)}
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "FileBasedCache",
    ], result.stderr
    assert (tmp_path / "broker").is_dir()


def test_bare_checkout_management_commands_run_in_development_mode() -> None:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env={},
    )
    assert result.stdout.split() == ["True"], result.stderr


def test_wsgi_without_a_secret_key_refuses_to_start() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION_ENV, "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", "import govsocial.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_file_broker_keeps_all_its_state_under_var() -> None:
    """Without Redis, kombu's file transport writes its exchange table under var/, not in the
    working directory (a stray ``control/`` folder was once committed)."""
    code = (
        "from django.conf import settings as s; from pathlib import Path; "
        "v = Path(s.VAR_DIR); o = s.CELERY_BROKER_TRANSPORT_OPTIONS; "
        "keys = ('data_folder_in', 'data_folder_out', 'processed_folder', 'control_folder'); "
        "print(all(v in Path(o[k]).parents for k in keys))"
    )
    result = manage("shell", "-c", code, env={"DEBUG": "1", "REDIS_URL": "", "DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"
