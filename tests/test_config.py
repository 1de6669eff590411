import base64

import pytest

from bot.config import ConfigError, load_settings, token_problem


def make_token(user_id: int = 123456789012345678) -> str:
    first = base64.urlsafe_b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{first}.GhIjKl.{'x' * 27}"


def test_a_well_formed_token_passes():
    assert token_problem(make_token()) is None


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        ("", "not set"),
        ("Bot " + make_token(), "without the 'Bot ' prefix"),
        ("abc", "does not look like a bot token"),
        ("a" * 24 + ".abcd." + "b" * 27, "first part is not a bot id"),
        ('"' + make_token() + '"', "in quotes: write it without them"),
        ("'" + make_token() + "'", "in quotes: write it without them"),
    ],
)
def test_bad_tokens_are_explained(token, fragment):
    problem = token_problem(token)
    assert problem is not None and fragment in problem


def test_settings_read_env_and_dotenv(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text(
        f"DISCORD_TOKEN={make_token()}\nRECALL_LOG_LEVEL=debug\nRECALL_DEV_GUILD_ID=42\n"
    )
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("RECALL_DATABASE", str(tmp_path / "x.sqlite3"))
    settings = load_settings(env)
    assert settings.require_token() == make_token()
    assert settings.log_level == "DEBUG"
    assert settings.dev_guild_id == 42
    assert settings.database == tmp_path / "x.sqlite3"


def test_environment_wins_over_dotenv(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("RECALL_LOG_LEVEL=debug\n")
    monkeypatch.setenv("RECALL_LOG_LEVEL", "warning")
    assert load_settings(env).log_level == "WARNING"


def test_bad_values_name_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("RECALL_DEV_GUILD_ID", "my server")
    with pytest.raises(ConfigError, match="RECALL_DEV_GUILD_ID"):
        load_settings(None)


@pytest.mark.parametrize("value", ["0", "-5", str(2**63)])
def test_a_server_id_that_cannot_be_one_is_refused(monkeypatch, value):
    monkeypatch.setenv("RECALL_DEV_GUILD_ID", value)
    with pytest.raises(ConfigError, match="RECALL_DEV_GUILD_ID"):
        load_settings(None)


def test_missing_token_says_how_to_fix(monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    settings = load_settings(None)
    with pytest.raises(ConfigError, match=r"DISCORD_TOKEN is not set\. Put DISCORD_TOKEN="):
        settings.require_token()


def test_a_dotenv_that_is_not_utf8_says_how_to_fix(tmp_path, monkeypatch):
    # Windows Notepad's "Unicode" is UTF-16 with a byte-order mark.
    env = tmp_path / ".env"
    env.write_bytes(f"DISCORD_TOKEN={make_token()}\n".encode("utf-16"))
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"is not UTF-8 text: save it as UTF-8"):
        load_settings(env)


def test_an_empty_database_path_is_refused(monkeypatch):
    monkeypatch.setenv("RECALL_DATABASE", "")
    with pytest.raises(ConfigError, match=r"^RECALL_DATABASE: must be the path of a file"):
        load_settings(None)


def test_a_folder_as_database_path_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("RECALL_DATABASE", str(tmp_path))
    with pytest.raises(ConfigError, match=r"^RECALL_DATABASE: .* is a folder"):
        load_settings(None)


def test_a_quoted_value_says_to_drop_the_quotes(monkeypatch):
    """`docker run --env-file` keeps quotes as part of a value, where `.env` read by the
    bot itself drops them: a quoted value says so instead of only that it is wrong."""
    monkeypatch.setenv("RECALL_DEV_GUILD_ID", '"123456789012345678"')
    with pytest.raises(ConfigError, match=r"^RECALL_DEV_GUILD_ID: .*in quotes: write it without"):
        load_settings(None)


@pytest.mark.parametrize("value", ['"/data/recall.sqlite3"', "'recall.sqlite3'"])
def test_a_quoted_database_path_is_refused(monkeypatch, value):
    """`docker run --env-file` passes `RECALL_DATABASE="/data/recall.sqlite3"` on with its
    quotes: taken as a path, it named a database in a folder called `"`, off the volume."""
    monkeypatch.setenv("RECALL_DATABASE", value)
    with pytest.raises(ConfigError, match=r"^RECALL_DATABASE: .*in quotes: write it without"):
        load_settings(None)


GRACE_WANTED = r"must be a number of hours from 0 to 48, such as 6 or 1\.5"
SERVER_ID_WANTED = r"must be a server id.* right-click the server, Copy Server ID"


@pytest.mark.parametrize(
    ("name", "value", "wanted"),
    [
        *[("RECALL_QOTD_GRACE_HOURS", v, GRACE_WANTED) for v in ("6h", "", "72", "-1", "nan")],
        *[("RECALL_DEV_GUILD_ID", v, SERVER_ID_WANTED) for v in ("my server", "<#123>", "0")],
        ("RECALL_DEV_GUILD_ID", str(2**63), SERVER_ID_WANTED),
    ],
)
def test_a_value_that_is_not_what_a_setting_takes_says_what_it_takes(
    monkeypatch, name, value, wanted
):
    """'Input should be a valid number' (for 6h) named no unit nor range, and 'a valid
    integer' for a server id did not say where to find one."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"^{name}: {wanted}"):
        load_settings(None)


def test_grace_hours_and_server_id_that_are_right_are_read(monkeypatch):
    monkeypatch.setenv("RECALL_QOTD_GRACE_HOURS", " 1.5 ")
    monkeypatch.setenv("RECALL_DEV_GUILD_ID", " 123456789012345678 ")
    settings = load_settings(None)
    assert (settings.qotd_grace_hours, settings.dev_guild_id) == (1.5, 123456789012345678)
