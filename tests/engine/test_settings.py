import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings


def test_defaults_are_embedded_sqlite_and_vietnam_time() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.timezone == "Asia/Ho_Chi_Minh"


def test_plain_postgres_urls_get_the_async_driver() -> None:
    settings = load_settings(database_url="postgresql://u@h/db")
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("INTAKE_EXPIRY_DAYS", "-3", "INTAKE_EXPIRY_DAYS"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: str,
    value: str,
    named: str,
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError):
        load_settings()
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert named in err
    assert "Traceback" not in err
