"""A deterministic generator of realistic archive posts (page-quality checks, benchmarks).

``generate(n, seed, tags)`` returns ``n`` :class:`~tag_digest.records.Post`
records, oldest first, spread over ``span_days`` before :data:`END`. They look
like the posts the site archives: mostly Russian article announcements (some
English), in Mastodon's own HTML (links with ``invisible``/``ellipsis`` spans,
``mention hashtag`` links to the author's server, ``h-card`` mentions), with
1 to 10 hashtags of which at least one is configured, popular tags and links
more often than rare ones (so links are shared by several posts, sometimes
spelt differently: upper-case hosts, ``utm_*`` parameters, fragments), preview
cards, media with and without alt text, content warnings, custom emoji, edits
and replies. The same arguments always give the same posts, byte for byte.

Command line (writes an archive through the plugin's own ``Archive``)::

    python -m bench.gen_archive --posts 1000 --seed 1 --out /tmp/archive
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Sequence
from html import escape
from pathlib import Path

from tag_digest.archive.records import Account, Card, Emoji, Media, Mention, Post
from tag_digest.archive.shards import Archive
from tag_digest.digest.tagnames import normalise_tag
from tag_digest.times import format_time

END = dt.datetime(2025, 6, 29, 20, 0, tzinfo=dt.UTC)
SERVER = "https://mastodon.social"

DEFAULT_TAGS: tuple[str, ...] = (
    "Supervised_finetuning", "LLM", "Машинное_обучение", "NLP", "датасет", "RLHF", "нейросети",
    "Python", "искусственный_интеллект", "LoRA", "RAG", "трансформеры",
)  # fmt: skip

OTHER_TAGS: tuple[str, ...] = (
    "SFT", "Instruction_finetuning", "размета_данных", "OpenAI", "RLAIF", "синтетические_данные",
    "Законы_масштабирования", "PyTorch", "GPU", "MLOps", "бенчмарк", "токенизация", "эмбеддинги",
    "агенты", "Llama", "Mistral", "Хабр", "перевод", "open_source", "данные",
)  # fmt: skip

SERVERS: tuple[str, ...] = (
    "mastodon.social", "mastodon.online", "fosstodon.org", "lor.sh", "mastodon.ml",
    "techhub.social",
)  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAMES: tuple[str, ...] = (
    "Хабр", "Анна Смирнова", "Дмитрий К.", "Лаборатория ИИ", "ML-дайджест", "Ольга",
    "Сергей Петров", "Data Science по-русски", "Irina", "Alex Chen", "NLP weekly",
    "Мария :blobcat:",
)  # fmt: skip

WORDS_RU = _words(
    "модель модели данных обучение обучения дообучение разметка датасет задачи задачу языковой "
    "языковых больших параметров токенов качество метрики оценка инструкции примеров учителем "
    "градиент оптимизации архитектура трансформер внимание слои веса вычислений видеокарт память "
    "скорость точность ответы генерации текст тексты перевод статье статья подход метод методы "
    "результаты эксперименты открытый исходный код библиотека обзор практике пошагово настроить "
    "запустить собрать сравнить улучшить проверить объяснить показать разобрать быстрее дешевле "
    "новый простой полезный русский английский локально облаке сервере кластере неделю"
)

WORDS_EN = _words(
    "model models training data fine-tuning supervised dataset evaluation benchmark inference "
    "tokens scaling compute pipeline transformer attention embeddings retrieval agents alignment "
    "preference reward policy latency memory quantisation adapters open weights release notes"
)

LINK_SITES: tuple[tuple[str, str, str], ...] = (
    ("habr.com", "Хабр", "/ru/articles/{n6}/"),
    ("habr.com", "Хабр", "/ru/companies/{w}/articles/{n6}/"),
    ("github.com", "GitHub", "/{w}/{w2}"),
    ("arxiv.org", "arXiv", "/abs/24{m:02d}.{n5}"),
    ("huggingface.co", "Hugging Face", "/{w}/{w2}-7b"),
    ("vc.ru", "vc.ru", "/ai/{n6}-{w}"),
    ("ru.wikipedia.org", "Википедия", "/wiki/{ru}"),
    ("www.youtube.com", "YouTube", "/watch?v={yt}"),
    ("blog.example.org", "", "/{y}/{m:02d}/{w}-{w2}/"),
)

CARD_TITLES_RU = (
    "Как {v} {o} за {k} шагов", "{O}: разбор и практика", "Почему {o} важнее, чем кажется",
    "[Перевод] {O} на практике", "Обзор: {o} в {y} году",
)  # fmt: skip
OBJECTS_RU = (
    "обучение с учителем", "разметку данных", "дообучение LLM", "оценку моделей", "RAG-системы",
    "LoRA-адаптеры", "токенизацию", "синтетические данные",
)  # fmt: skip
VERBS_RU = ("настроить", "ускорить", "проверить", "собрать", "удешевить")


def _sentence(rng: random.Random, words: Sequence[str], low: int, high: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))
    return text[0].upper() + text[1:]


def link_html(url: str) -> str:
    """A link as Mastodon writes it: scheme (and ``www.``) hidden, cut after 30 characters."""
    scheme, rest = url.split("://", 1)
    prefix = f"{scheme}://"
    if rest.startswith("www."):
        prefix, rest = prefix + "www.", rest[4:]
    shown, hidden = (rest[:30], rest[30:]) if len(rest) > 30 else (rest, "")
    return (
        f'<a href="{escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{escape(prefix)}</span>'
        f'<span class="{"ellipsis" if hidden else ""}">{escape(shown)}</span>'
        f'<span class="invisible">{escape(hidden)}</span></a>'
    )


def hashtag_html(host: str, name: str) -> str:
    return (
        f'<a href="https://{host}/tags/{escape(name)}" class="mention hashtag" rel="tag">'
        f"#<span>{escape(name)}</span></a>"
    )


def mention_html(account: Account) -> str:
    user = account.url.rsplit("@", 1)[1]
    return (
        f'<span class="h-card" translate="no"><a href="{escape(account.url)}" '
        f'class="u-url mention">@<span>{escape(user)}</span></a></span>'
    )


class _Maker:
    def __init__(self, seed: int, tags: Sequence[str]) -> None:
        self.rng = random.Random(seed)
        self.tags = list(tags)
        self.tag_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.tags))]
        self.accounts = [self._account(i) for i in range(120)]
        self.account_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(self.accounts))]
        self.links: list[tuple[str, str, str]] = []

    def _account(self, i: int) -> Account:
        r = self.rng
        host = SERVERS[0] if i % 3 == 0 else r.choice(SERVERS)
        user = f"{r.choice(WORDS_EN).replace('-', '_')}{i}"
        acct = user if host == "mastodon.social" else f"{user}@{host}"
        name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}")
        avatar = f"https://{host}/avatars/{i}.png"
        # One author in 20 keeps their posts out of search (Mastodon's ``indexable: false``).
        return Account(acct, name, f"https://{host}/@{user}", avatar, indexable=i % 20 != 19)

    def _new_link(self) -> tuple[str, str, str]:
        r = self.rng
        host, provider, pattern = r.choice(LINK_SITES)
        path = pattern.format(
            n6=r.randint(700000, 899999), n5=r.randint(10000, 19999), m=r.randint(1, 12),
            y=r.choice((2024, 2025)), w=r.choice(WORDS_EN), w2=r.choice(WORDS_EN),
            ru=r.choice(("Обучение_с_учителем", "Машинное_обучение", "Трансформер_(модель)")),
            yt="".join(r.choice("abcdefghijkABCDEFGHIJK0123456789_-") for _ in range(11)),
        )  # fmt: skip
        o = r.choice(OBJECTS_RU)
        title = r.choice(CARD_TITLES_RU).format(
            v=r.choice(VERBS_RU), o=o, O=o[0].upper() + o[1:], k=r.randint(3, 12), y=2025
        )
        return f"https://{host}{path}", provider, title

    def _link(self) -> tuple[str, str, str]:
        """A link: often one shared before (popular ones more), else a new one."""
        r = self.rng
        if self.links and r.random() < 0.35:
            index = min(int(r.paretovariate(1.2)) - 1, len(self.links) - 1)
            return self.links[-1 - index]
        link = self._new_link()
        self.links.append(link)
        return link

    def _spelling(self, url: str) -> str:
        """Another way people write the same address (normalised back by the link collection)."""
        r = self.rng
        roll = r.random()
        if roll < 0.10:
            joiner = "&" if "?" in url else "?"
            return f"{url}{joiner}utm_source=mastodon&utm_medium=social"
        if roll < 0.15:
            return url + "#comments"
        if roll < 0.18:
            scheme, rest = url.split("://", 1)
            host, _, path = rest.partition("/")
            return f"{scheme}://{host.upper()}/{path}"
        return url

    def _tags(self) -> list[str]:
        r = self.rng
        count = r.randint(1, 10)
        configured = min(len(self.tags), max(1, r.randint(1, count)))
        pool, weights, chosen = list(self.tags), list(self.tag_weights), []
        for _ in range(configured):
            i = r.choices(range(len(pool)), weights)[0]
            chosen.append(pool.pop(i))
            weights.pop(i)
        taken = {normalise_tag(c) for c in chosen}
        extra = [t for t in OTHER_TAGS if normalise_tag(t) not in taken]
        chosen += r.sample(extra, min(len(extra), count - configured))
        return chosen

    def post(self, created: dt.datetime, serial: int) -> Post:
        r = self.rng
        account = r.choices(self.accounts, self.account_weights)[0]
        host = account.url.split("/")[2]
        user = account.url.rsplit("@", 1)[1]
        lang = "ru" if r.random() < 0.85 else "en"
        words = WORDS_RU if lang == "ru" else WORDS_EN
        paragraphs = [escape(_sentence(r, words, 5, 12))]
        body = ". ".join(_sentence(r, words, 6, 18) for _ in range(r.randint(1, 5))) + "."
        mentions: tuple[Mention, ...] = ()
        if r.random() < 0.08:
            other = r.choice(self.accounts)
            mentions = (Mention(other.acct, other.url),)
            body = f"{mention_html(other)} {escape(body)}"
        else:
            body = escape(body)
        emojis: tuple[Emoji, ...] = ()
        if ":blobcat:" in account.display_name or r.random() < 0.03:
            emojis = (Emoji("blobcat", f"https://{host}/emoji/blobcat.png"),)
            body += " :blobcat:"
        paragraphs.append(body)
        card = None
        if r.random() < 0.85:
            links = [self._link() for _ in range(1 if r.random() < 0.85 else 2)]
            paragraphs.append(" ".join(link_html(self._spelling(url)) for url, _, _ in links))
            url, provider, title = links[0]
            if r.random() < 0.65:
                card = Card(url, title, _sentence(r, WORDS_RU, 8, 20) + ".", provider)
        tags = self._tags()
        paragraphs.append(" ".join(hashtag_html(host, t) for t in tags))
        media: tuple[Media, ...] = ()
        if r.random() < 0.1:
            media = (
                Media(
                    "image",
                    f"https://files.{host}/media/{serial}.png",
                    f"https://files.{host}/media/{serial}.small.png",
                    _sentence(r, words, 3, 10) if r.random() < 0.7 else "",
                ),
            )
        sid = (int(created.timestamp() * 1000) << 16) | (serial & 0xFFFF)
        edited = created + dt.timedelta(minutes=r.randint(2, 600)) if r.random() < 0.05 else None
        warning = _sentence(r, words, 2, 5) if r.random() < 0.04 else ""
        return Post(
            uri=f"https://{host}/users/{user}/statuses/{sid}",
            url=f"https://{host}/@{user}/{sid}",
            server=SERVER,
            created_at=format_time(created),
            edited_at=format_time(edited) if edited else None,
            language=lang,
            account=account,
            content="".join(f"<p>{p}</p>" for p in paragraphs),
            spoiler_text=warning,
            sensitive=bool(warning) or (bool(media) and r.random() < 0.2),
            tags=tuple(sorted({normalise_tag(t) for t in tags})),
            card=card,
            media=media,
            emojis=emojis,
            mentions=mentions,
            in_reply_to=str(sid - 4096) if r.random() < 0.03 else None,
            fetched_at=format_time(created + dt.timedelta(minutes=r.randint(5, 720))),
        )


def generate(
    n: int, seed: int = 1, tags: Sequence[str] = DEFAULT_TAGS, span_days: int = 365
) -> list[Post]:
    """``n`` posts over the ``span_days`` before :data:`END`, oldest first; deterministic."""
    if not tags:
        raise ValueError("generate() needs at least one configured tag")
    maker = _Maker(seed, tags)
    span_ms = span_days * 86_400_000
    start = END - dt.timedelta(milliseconds=span_ms)
    offsets = sorted(maker.rng.randrange(span_ms) for _ in range(n))
    return [
        maker.post(start + dt.timedelta(milliseconds=ms), serial)
        for serial, ms in enumerate(offsets)
    ]


def write_archive(root: Path, posts: Sequence[Post]) -> int:
    """Save ``posts`` under ``root`` with the plugin's ``Archive``. Returns the shards written."""
    archive = Archive.load(root)
    for post in posts:
        archive.put(post)
    return len(archive.save())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gen_archive", description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--span-days", type=int, default=365)
    parser.add_argument("--tags", nargs="+", default=list(DEFAULT_TAGS))
    parser.add_argument("--out", type=Path, required=True, help="archive directory to write")
    args = parser.parse_args(argv)
    posts = generate(args.posts, args.seed, args.tags, args.span_days)
    shards = write_archive(args.out, posts)
    print(f"gen_archive: {len(posts)} posts in {shards} shards under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
