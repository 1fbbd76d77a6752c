"""The words of the page chrome, in the site's language (``DEFAULT_LANG``).

Templates get them as ``t``: ``{{ t.skip }}``. A language without a catalogue
falls back to English; a missing word in a catalogue falls back to the English
word, so a theme may use a new key before every language has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from babel import Locale, UnknownLocaleError

EN: Mapping[str, str] = {
    "skip": "Skip to content",
    "tags_nav": "Tags",
    "pages_nav": "Pages",
    "pagination": "Pages of this digest",
    "newer": "Newer posts",
    "older": "Older posts",
    "page_of": "Page {number} of {count}",
    "posts_count_one": "{count} post",
    "posts_count_other": "{count} posts",
    "no_posts": "No posts yet.",
    "original": "Open the original post",
    "content_warning": "Content warning",
    "sensitive_media": "Sensitive media",
    "no_description": "Attachment without a description",
    "attachment": "Attachment",
    "video": "Video",
    "audio": "Audio",
    "client_info": "About this digest",
    "server": "Server",
    "servers": "Servers",
    "version": "Version",
    "repository": "Repository",
    "digests": "Tag digests",
    "latest": "latest post",
    "reply": "Reply",
    "description_tag": "Public fediverse posts tagged #{tag}, newest first, grouped by day.",
    "description_site": "Digests of public fediverse posts by hashtag.",
    "posts": "Posts",
    "updated": "Last post",
    "removal_link": "Remove a post from this site",
    "fetched": "Posts last fetched",
    "never_fetched": "Posts not fetched yet",
    "stale_notice": (
        "This digest may be out of date: its posts were last fetched {age} ago, "
        "so newer posts are missing."
    ),
}

RU: Mapping[str, str] = {
    "skip": "Перейти к содержимому",
    "tags_nav": "Теги",
    "pages_nav": "Страницы",
    "pagination": "Страницы дайджеста",
    "newer": "Новее",
    "older": "Старше",
    "page_of": "Страница {number} из {count}",
    "posts_count_one": "{count} пост",
    "posts_count_few": "{count} поста",
    "posts_count_many": "{count} постов",
    "posts_count_other": "{count} поста",
    "no_posts": "Постов пока нет.",
    "original": "Открыть оригинал",
    "content_warning": "Предупреждение о содержимом",
    "sensitive_media": "Чувствительные медиа",
    "no_description": "Вложение без описания",
    "attachment": "Вложение",
    "video": "Видео",
    "audio": "Аудио",
    "client_info": "Об этом дайджесте",
    "server": "Сервер",
    "servers": "Серверы",
    "version": "Версия",
    "repository": "Репозиторий",
    "digests": "Дайджесты тегов",
    "latest": "последний пост",
    "reply": "Ответ",
    "description_tag": "Публичные посты федиверса с тегом #{tag}: сначала новые, по дням.",
    "description_site": "Дайджесты публичных постов федиверса по хештегам.",
    "posts": "Посты",
    "updated": "Последний пост",
    "removal_link": "Как убрать пост с сайта",
    "fetched": "Посты загружены",
    "never_fetched": "Посты ещё не загружались",
    "stale_notice": (
        "Дайджест может быть устаревшим: посты последний раз загружались {age} назад, "
        "более новых здесь нет."
    ),
}

CATALOGUES: Mapping[str, Mapping[str, str]] = {"en": EN, "ru": RU}


def catalogue(lang: str) -> Mapping[str, str]:
    """The words for ``lang`` (``ru``, ``ru-RU``, ``en``…), English where missing."""
    base = lang.replace("_", "-").split("-")[0].lower()
    words = dict(EN)
    words.update(CATALOGUES.get(base, {}))
    return MappingProxyType(words)


def posts_count(words: Mapping[str, str], lang: str, count: int) -> str:
    """``"4 posts"``, ``"4 поста"``: the plural form ``lang`` needs (CLDR rules, by babel)."""
    try:
        form = Locale.parse(lang.replace("-", "_")).plural_form(count)
    except (ValueError, TypeError, UnknownLocaleError):
        form = "one" if count == 1 else "other"
    template = words.get(f"posts_count_{form}") or words["posts_count_other"]
    return template.format(count=count)
