"""Process settings from the environment and `.env` (secrets live only here, never in the database)."""

from __future__ import annotations

import base64
import binascii
import difflib
import logging
import os
import re
from pathlib import Path

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


#: the largest id Discord gives a server (a snowflake: a signed 64-bit integer)
SERVER_ID_MAX = 2**63 - 1
#: where a server id comes from
COPY_SERVER_ID = (
    "in Discord, turn on Developer Mode (Settings, Advanced), then right-click the server, "
    "Copy Server ID"
)
#: the most RECALL_QOTD_GRACE_HOURS may be
GRACE_HOURS_MAX = 48


def no_database_yet(path: Path) -> str:
    """What a command that needs an existing database says when there is none."""
    return (
        f"database {path} does not exist yet: python -m bot check creates it, or set "
        "RECALL_DATABASE to the bot's database"
    )


#: what a value in quotes is told: `docker run --env-file` passes quotes on as part of the value
QUOTES_HINT = "write it without them (docker's --env-file keeps quotes as part of the value)"


def quoted(value: str) -> bool:
    """Whether a value is wrapped in matching quotes, as in `KEY="value"`."""
    return len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]


class ConfigError(Exception):
    """Settings that cannot be used; the message says how to fix them, in one line."""


def token_problem(token: str) -> str | None:
    """Why a string cannot be a bot token, or None when its shape is right.

    A bot token is three base64url parts joined by dots; the first one encodes the bot's
    numeric user id. Discord alone can say whether it is valid, but a pasted client secret,
    a token with quotes or a "Bot " prefix is caught here.
    """
    if not token:
        return "DISCORD_TOKEN is not set"
    if quoted(token):
        return f"DISCORD_TOKEN is in quotes: {QUOTES_HINT}"
    if token.lower().startswith("bot "):
        return "DISCORD_TOKEN must be the token alone, without the 'Bot ' prefix"
    if not _TOKEN_RE.match(token):
        return (
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots, "
            "from the Bot page of the Developer Portal)"
        )
    first = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if not decoded.isdigit():
        return "DISCORD_TOKEN's first part is not a bot id; copy the token again from the Bot page"
    return None


class Settings(BaseSettings):
    """Recall's settings. Environment variables win over `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="RECALL_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    discord_token: SecretStr = Field(
        default=SecretStr(""),
        validation_alias="DISCORD_TOKEN",
        description="the bot token from the Developer Portal's Bot page (run, sync)",
    )
    database: Path = Field(
        default=Path("recall.sqlite3"), description="the SQLite database file (default recall.sqlite3)"
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO (default), WARNING, ERROR or CRITICAL")
    dev_guild_id: int | None = Field(
        default=None,
        description="a server id: run and sync install the commands there instantly",
    )
    sync_on_start: bool = Field(
        default=True,
        description="true (default): run installs the slash commands when Discord has "
        "none or an older version's; false: it only says so",
    )
    qotd_grace_hours: float = Field(
        default=6.0,
        description="0 to 48: hours a question of the day missed while down may post late (default 6)",
    )

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("database", mode="before")
    @classmethod
    def _database_path(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError(
                "must be the path of a file, such as recall.sqlite3; leave it out for that default"
            )
        if isinstance(value, str) and quoted(value.strip()):
            # docker's --env-file keeps the quotes: the path would start with a folder `"`.
            raise ValueError("must be the path of a file, such as /data/recall.sqlite3")
        return value

    @field_validator("database")
    @classmethod
    def _database_not_a_folder(cls, value: Path) -> Path:
        if value.is_dir():
            raise ValueError(
                f"{value} is a folder; give a file in it, such as {value / 'recall.sqlite3'}"
            )
        return value

    @field_validator("dev_guild_id", mode="before")
    @classmethod
    def _server_id(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) <= SERVER_ID_MAX:
            raise ValueError(f"must be a server id, a number: {COPY_SERVER_ID}")
        return int(text)

    @field_validator("qotd_grace_hours", mode="before")
    @classmethod
    def _grace_hours(cls, value: object) -> float:
        try:
            hours = float(str(value).strip())
        except ValueError:
            hours = -1.0
        if not 0 <= hours <= GRACE_HOURS_MAX:  # also refuses nan
            raise ValueError(
                f"must be a number of hours from 0 to {GRACE_HOURS_MAX}, such as 6 or 1.5"
            )
        return hours

    def require_token(self) -> str:
        token = self.discord_token.get_secret_value().strip()
        problem = token_problem(token)
        if problem:
            raise ConfigError(f"{problem}. Put DISCORD_TOKEN=<your bot token> in .env")
        return token

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


ENV_NAMES = {
    "discord_token": "DISCORD_TOKEN",
    "database": "RECALL_DATABASE",
    "log_level": "RECALL_LOG_LEVEL",
    "dev_guild_id": "RECALL_DEV_GUILD_ID",
    "qotd_grace_hours": "RECALL_QOTD_GRACE_HOURS",
    "sync_on_start": "RECALL_SYNC_ON_START",
}


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read settings; a bad value raises ConfigError naming the variable and what it needs."""
    try:
        return Settings(_env_file=env_file)
    except UnicodeDecodeError:
        # Windows Notepad's "Unicode" (UTF-16) is a common way to get here.
        raise ConfigError(
            f"{env_file} is not UTF-8 text: save it as UTF-8 (in Notepad: Save as, Encoding UTF-8)"
        ) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "settings"
        env = ENV_NAMES.get(name, name.upper())
        msg = err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        hint = f"; it is in quotes: {QUOTES_HINT}" if isinstance(got, str) and quoted(got) else ""
        raise ConfigError(f"{env}: {msg} (got {got!r}){hint}") from None


def unknown_settings(env_file: str | Path | None = ".env") -> list[str]:
    """The RECALL_ variables, in the environment or in `env_file`, that Recall does not read.

    Settings ignore names they do not know, so a misspelt one would leave its setting at the
    default without a word: each is named, with the setting it is closest to."""
    known = set(ENV_NAMES.values())
    found: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        try:
            in_file = dotenv_values(env_file, encoding="utf-8")
        except UnicodeDecodeError:
            in_file = {}
        found.update({name.upper(): f" (in {env_file})" for name in in_file})
    found.update({name.upper(): "" for name in os.environ})  # the environment wins
    problems = []
    for name, where in sorted(found.items()):
        if not name.startswith("RECALL_") or name in known:
            continue
        # compared without the prefix all of them share
        close = difflib.get_close_matches(name[7:], [k[7:] for k in known], n=1)
        meant = f"did you mean RECALL_{close[0]}?" if close else "recall --help lists them"
        problems.append(f"{name}{where} is not a Recall setting and is ignored; {meant}")
    return problems
