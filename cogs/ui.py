"""Rendering shared by every cog: embeds, trimming to Discord's limits, error replies."""

from __future__ import annotations

import io
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.client import FORM_PREFIX
from bot.errors import NamedError, UserError
from bot.exporters import MESSAGE_FILES_BYTES_MAX, ExportPart, message_batches
from bot.quiz import chosen_now
from bot.schedule import zone_choices, zone_label
from bot.store import StoreError
from bot.text import clip as clip  # re-exported: the cogs cut their texts with it
from bot.text import fit_lines as fit_lines  # re-exported: the cogs fit their lists with it
from bot.text import one_line as one_line  # re-exported, as clip

log = logging.getLogger("cogs.ui")

# Discord's limits.
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25
EMBED_TOTAL = 6000
FOOTER = 2048
BUTTON_LABEL = 80
CONTENT = 2000

BRAND = discord.Colour.from_rgb(88, 101, 242)
OK = discord.Colour.green()
WARN = discord.Colour.orange()
BAD = discord.Colour.red()


#: how long an open form waits in memory for its answer
FORM_TIMEOUT = 3 * 60 * 60
#: how long what was typed with a form's command is kept for a form never sent
FORM_DRAFT_KEEP = timedelta(days=7)

#: why nothing is asked of Discord for a server it reports unavailable (``Guild.unavailable``)
OUTAGE = "the server is unavailable on Discord (an outage)"

#: What a request to Discord raises when Discord or the network fails it (an error answer,
#: a cut connection, no answer in time).
DISCORD_TROUBLE: tuple[type[Exception], ...] = (
    discord.HTTPException,
    aiohttp.ClientError,
    TimeoutError,
)


def refused_for_good(exc: BaseException) -> bool:
    """Whether Discord refused a request for good: a 4xx other than 429 (the message
    deleted, out of the bot's reach, a request it will never take), which no later try
    would change. A 429 (rate limited past discord.py's own retries, or by Cloudflare), a
    5xx or a network failure may go through later."""
    return isinstance(exc, discord.HTTPException) and exc.status < 500 and exc.status != 429


async def send_form(
    interaction: discord.Interaction[Any],
    form: discord.ui.Modal,
    *,
    keep_why: str = "",
    command: str = "",
) -> None:
    """Open a form (modal) whose custom_id names this run of the bot: submitted after a
    restart, or after it stopped waiting (its timeout), it is answered with what was typed
    (``RecallBot.on_interaction``).

    What the form has no field for is kept in the database under the token that ends the
    custom_id until the form is handled (``form_token``), so that it is given back too:
    ``keep_why``, the *why it is asked* typed with the command, and ``command``, the command
    with its options (such as the difficulty) that opens the form as it was."""
    run_id = getattr(interaction.client, "run_id", "")
    token = secrets.token_hex(6)
    form.custom_id = f"{FORM_PREFIX}{run_id}:{token}"
    if keep_why or command:
        try:
            await interaction.client.store.save_form_draft(
                token,
                interaction.guild_id or 0,
                interaction.user.id,
                keep_why,
                keep=FORM_DRAFT_KEEP,
                command=command,
            )
        except StoreError as exc:
            # The form still opens: what was given stays in memory, as the form does.
            log.warning("could not keep what was given with a form's command: %s", exc)
    await interaction.response.send_modal(form)


def zone_options(current: str, limit: int = 25) -> list[app_commands.Choice[str]]:
    """Time zones for an autocomplete, best first for what was typed; an Etc/GMT zone is
    labelled with the offset it really has (its name reads the other way round)."""
    return [app_commands.Choice(name=zone_label(z), value=z) for z in zone_choices(current, limit)]


def form_token(form: discord.ui.Modal) -> str:
    """The random token that ends a form's custom_id (see ``send_form``)."""
    return form.custom_id.rsplit(":", 1)[-1]


def own_custom_ids(message: discord.Message, bot_user: discord.abc.Snowflake | None) -> list[str]:
    """The custom_ids of the buttons on ``message`` when it is the bot's own (a message found
    in a channel's history is told by them); none for anyone else's."""
    if bot_user is None or message.author.id != bot_user.id:
        return []
    return [
        custom_id
        for row in message.components
        for child in getattr(row, "children", [])
        if (custom_id := getattr(child, "custom_id", None))
    ]


def shows_post(message: discord.Message, bot_user: discord.abc.Snowflake | None, post_id: int) -> bool:
    """Whether ``message`` is the bot's own message of question post ``post_id``: one whose
    buttons carry the post (Reveal answer, or an option of a multiple-choice question)."""
    reveal, option = f"rq:rv:{post_id}", f"rq:mc:{post_id}:"
    return any(
        custom_id == reveal or custom_id.startswith(option)
        for custom_id in own_custom_ids(message, bot_user)
    )


async def send_files(
    interaction: discord.Interaction[Any],
    text: str,
    parts: Sequence[ExportPart],
    *,
    max_bytes: int = MESSAGE_FILES_BYTES_MAX,
) -> None:
    """Private followups carrying ``parts`` (an export), as few messages as Discord's limits
    allow: the first says ``text``, the others which files they hold."""
    sent = 0
    for batch in message_batches(parts, max_bytes=max_bytes):
        if sent:
            text = f"Files {sent + 1}–{sent + len(batch)} of {len(parts)}."
        await interaction.followup.send(
            text,
            files=[discord.File(io.BytesIO(p.data), filename=p.filename) for p in batch],
            ephemeral=True,
        )
        sent += len(batch)


async def send_private(
    interaction: discord.Interaction[Any], content: str | None = None, **kwargs: Any
) -> None:
    """Send a private message in answer to ``interaction``: its response, or, once it was
    acknowledged (answered first, before a slow write), a followup that fills it in."""
    if interaction.response.is_done():
        await interaction.followup.send(
            content or discord.utils.MISSING, ephemeral=True, **kwargs
        )
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


#: ``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>``, ``</command:id>`` and ``<t:…>``: text Discord
#: shows as a member, role, channel, command or date instead of as typed
_MENTION_LIKE = re.compile(r"<(?=[@#]|/[^>]*:\d|t:-?\d)")


#: Unicode's explicit direction controls: embeddings, overrides and isolates
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ISOLATE_OPENERS = "\u2066\u2067\u2068"
_ISOLATE_CLOSER = "\u2069"


def isolated(text: str) -> str:
    """A name that holds a direction control (U+202E, say, which turns the text after it
    right to left) inside a first-strong isolate (U+2068 ... U+2069), which ends whatever
    the name opened: the rest of its line reads as written ("#1 with 6 points", not
    "stniop 6 htiw 1#"). Other names, right-to-left scripts included, are left alone. For
    names shown as they are: footers, authors, button labels."""
    if _DIRECTION_CONTROLS.search(text) is None:
        return text
    # A U+2069 closes the nearest isolate open before it: the name's own are closed at its
    # end, and one closing none of them (which alone does nothing) is left out, so that the
    # last U+2069 is the one closing the isolate the name is kept in.
    kept, open_ = [], 0
    for ch in text:
        if ch in _ISOLATE_OPENERS:
            open_ += 1
        elif ch == _ISOLATE_CLOSER:
            if not open_:
                continue
            open_ -= 1
        kept.append(ch)
    return f"\u2068{''.join(kept)}{_ISOLATE_CLOSER * open_}\u2069"


def name(text: str) -> str:
    """A name a member chose (a deck, a file, a server, a member's own...) as it reads where
    Discord applies Markdown (message text, embed titles, descriptions and fields): shown as
    typed, so that ``*x*``, ``__x__``, ``# x`` or ``[x](http://…)`` neither format nor link,
    and ``<@id>``, ``<#id>`` or ``@everyone`` show as text, not as a mention of someone else;
    one holding direction controls is kept to itself (see :func:`isolated`).
    Not for button labels, modal titles, embed authors and footers or choices, which show
    text as it is."""
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return isolated(_MENTION_LIKE.sub(r"\\<", text))


def server_link(guild_id: int, server: str) -> str:
    """A server's name as typed (see :func:`name`), linked to the server: in a DM, or among
    the member's other servers, two servers of the same name are still told apart, and a
    click opens the one meant. A name with square brackets, which would end the link's text
    early, is followed by the link instead."""
    url = f"https://discord.com/channels/{guild_id}"
    shown = name(server)
    if "[" in shown or "]" in shown:
        return f"{shown} (<{url}>)"
    return f"[{shown}]({url})"


def error_text(error: UserError) -> str:
    """A refusal as the member reads it: a name it holds shown as typed (see :func:`name`)."""
    return error.shown(name) if isinstance(error, NamedError) else str(error)


#: Discord's limit on a thread's name
THREAD_NAME = 100
#: a code block (to its end, or to the end of a text cut inside it) and a spoiler
_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.S)
_SPOILER = re.compile(r"\|\|.+?\|\|", re.S)


def plain_line(text: str) -> str:
    """``text`` (a question's prompt) for a place that shows text as it is, on one line (a
    thread's name, a footer): line breaks become spaces, a code block is left out rather
    than run together, and a spoiler shows as "…", not as the ``||text||`` it hides."""
    return " ".join(_SPOILER.sub("…", _CODE_BLOCK.sub(" ", text)).split())


def thread_name(head: str, text: str) -> str:
    """A thread's name: ``head``, then ``text`` (see :func:`plain_line`), within Discord's
    limit."""
    body = plain_line(text)
    return clip(f"{head}: {body}" if body else head, THREAD_NAME)


def embed_length(embed: discord.Embed) -> int:
    return len(embed)


def add_fields(embed: discord.Embed, fields: list[tuple[str, str]], *, inline: bool = False) -> None:
    """Add (name, value) fields, at most ``FIELDS``, clipped so the whole embed stays within
    Discord's ``EMBED_TOTAL`` characters: short texts keep their length, the long ones share
    what the short ones leave (names at most ``FIELD_NAME``, values ``FIELD_VALUE``)."""
    fields = fields[:FIELDS]
    if not fields:
        return
    texts = [text for pair in fields for text in pair]
    caps = [FIELD_NAME if i % 2 == 0 else FIELD_VALUE for i in range(len(texts))]
    room = EMBED_TOTAL - len(embed)
    limits = [min(len(text), cap) for text, cap in zip(texts, caps, strict=True)]
    order = sorted(range(len(texts)), key=lambda i: limits[i])
    for n, i in enumerate(order):
        limits[i] = min(limits[i], max(1, max(0, room) // (len(order) - n)))
        room -= limits[i]
    for k in range(len(fields)):
        embed.add_field(
            name=clip(texts[2 * k], limits[2 * k]),
            value=clip(texts[2 * k + 1], limits[2 * k + 1]),
            inline=inline,
        )


def info_embed(
    title: str, description: str = "", *, colour: discord.Colour = BRAND
) -> discord.Embed:
    return discord.Embed(
        title=clip(title, EMBED_TITLE),
        description=clip(description, EMBED_DESCRIPTION),
        colour=colour,
    )


# -- questions ----------------------------------------------------------------------------

DIFFICULTY_BADGE = {"easy": "🟢 easy", "medium": "🟡 medium", "hard": "🔴 hard"}
OPTION_LETTERS = "ABCDE"


def chosen_option(texts: list[str], index: int, text: str | None) -> str:
    """The option a member chose, named as the options stand now: its letter where it is
    now (it may have moved since), or the text it had if no option reads so any more."""
    now = chosen_now(texts, index, text)
    if now is not None:
        return OPTION_LETTERS[now]
    if text is not None:
        return f"“{one_line(text)}”, since edited out of the options"
    return "an option since removed"


def _bullets(items: list[str], limit: int) -> list[str]:
    """Bullet lines grouped into chunks of at most ``limit`` characters each."""
    chunks: list[str] = []
    current = ""
    for item in items:
        line = clip(f"• {item}", limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in consecutive pieces of at most ``limit`` characters, cut at a line break or
    else a space where there is one (the cut whitespace is dropped), for fields in a row."""
    out: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def full_text_hint(question_id: int) -> str:
    return f"\n… *(trimmed: `/question show id:{question_id}` has the full text)*"


def question_embed(
    *,
    question_id: int,
    deck_name: str,
    prompt: str,
    tags: list[str],
    difficulty: str,
    options: list[str],
    title: str = "Quiz",
    footer: str = "",
    colour: discord.Colour = BRAND,
) -> discord.Embed:
    """The public face of a question: prompt, options (letters only), deck, tags, difficulty."""
    body = prompt
    if options:
        body += "\n\n" + "\n".join(
            f"**{OPTION_LETTERS[i]}.** {text}" for i, text in enumerate(options)
        )
    hint = full_text_hint(question_id)
    if len(body) > EMBED_DESCRIPTION:
        body = clip(body, EMBED_DESCRIPTION - len(hint), more="") + hint
    embed = discord.Embed(title=clip(title, EMBED_TITLE), description=body, colour=colour)
    embed.set_author(name=clip(deck_name, 256))
    embed.add_field(
        name="Difficulty", value=DIFFICULTY_BADGE.get(difficulty, difficulty), inline=True
    )
    if tags:
        embed.add_field(
            name="Tags", value=clip(", ".join(f"`{t}`" for t in tags), FIELD_VALUE), inline=True
        )
    if footer:
        embed.set_footer(text=clip(footer, FOOTER))
    return embed


def answer_embed(
    *,
    question_id: int,
    prompt: str,
    key_points: list[str],
    answer: str,
    verdict: str = "",
    colour: discord.Colour = OK,
    footer: str = "",
) -> discord.Embed:
    """The private reveal: the verdict (for multiple choice), key points and the model answer.

    Everything fits Discord's limits: key points are split over fields of at most 1024
    characters, and the model answer is trimmed last, with a pointer to the full text.
    """
    embed = discord.Embed(title=clip(prompt.replace("\n", " "), EMBED_TITLE), colour=colour)
    if footer:
        embed.set_footer(text=clip(footer, FOOTER))
    for i, chunk in enumerate(_bullets(key_points, FIELD_VALUE)):
        embed.add_field(name="Key points" if i == 0 else "\u200b", value=chunk, inline=False)
    head = f"{verdict}\n\n" if verdict else ""
    body = f"{head}**Model answer**\n{answer}"
    room = min(EMBED_DESCRIPTION, EMBED_TOTAL - len(embed))
    if len(body) > room:
        hint = full_text_hint(question_id)
        body = clip(body, room - len(hint), more="") + hint
    embed.description = body
    return embed


def hint_embed(*, prompt: str, why: str) -> discord.Embed:
    embed = discord.Embed(
        title="Why this is asked", description=clip(why, EMBED_DESCRIPTION), colour=WARN
    )
    embed.set_footer(text=clip(plain_line(prompt), FOOTER))
    return embed


def closed_embed(
    *,
    question_id: int,
    title: str,
    deck_name: str,
    prompt: str,
    key_points: list[str],
    answer: str,
    tags: list[str],
    options: list[str],
    correct: int | None,
    footer: str,
) -> discord.Embed:
    """A closed question, shown to everyone: the prompt, the right option, the model answer
    and the key points, trimmed (answer first) to fit one embed."""
    body = prompt
    if options:
        body += "\n\n" + "\n".join(
            (
                f"✅ **{OPTION_LETTERS[i]}. {text}**"
                if i == correct
                else f"{OPTION_LETTERS[i]}. {text}"
            )
            for i, text in enumerate(options)
        )
    embed = discord.Embed(title=clip(title, EMBED_TITLE), colour=OK)
    embed.set_author(name=clip(deck_name, 256))
    for i, chunk in enumerate(_bullets(key_points, FIELD_VALUE)):
        embed.add_field(name="Key points" if i == 0 else "\u200b", value=chunk, inline=False)
    if tags:
        embed.add_field(
            name="Tags", value=clip(", ".join(f"`{t}`" for t in tags), FIELD_VALUE), inline=True
        )
    embed.set_footer(text=clip(footer, FOOTER))
    text = f"{clip(body, 1500)}\n\n**Model answer**\n{answer}"
    room = min(EMBED_DESCRIPTION, EMBED_TOTAL - len(embed))
    if len(text) > room:
        hint = full_text_hint(question_id)
        text = clip(text, room - len(hint), more="") + hint
    embed.description = text
    return embed


class PageButton:
    """A "◀ Previous" or "Next ▶" button of a list that keeps only its page in its
    custom_id, ``<prefix>:<page>``, so that it works after a restart.

    A subclass also derives from ``discord.ui.DynamicItem[discord.ui.Button[Any]]`` with the
    template ``<prefix>:(?P<page>\\d+)``, sets ``prefix`` and shows the page in ``callback``,
    reading the list again at every click."""

    prefix: str

    def __init__(self, page: int, label: str, *, disabled: bool = False) -> None:
        self.page = max(0, page)
        button = discord.ui.Button[Any](
            label=label,
            style=discord.ButtonStyle.secondary,
            custom_id=f"{self.prefix}:{self.page}",
            disabled=disabled,
        )
        super().__init__(button)  # type: ignore[call-arg]  # DynamicItem, in the subclass

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: Any, match: re.Match[str], /
    ) -> Any:
        return cls(int(match["page"]), "Page")

    @classmethod
    def add_pair(cls, view: discord.ui.View, page: int, pages: int) -> None:
        """Add the two buttons of page ``page`` (from 0) of ``pages`` to ``view``."""
        for to, label, off in (
            (page - 1, "◀ Previous", page <= 0),
            (page + 1, "Next ▶", page + 1 >= pages),
        ):
            button: Any = cls(to, label, disabled=off)  # a DynamicItem, in the subclass
            view.add_item(button)
