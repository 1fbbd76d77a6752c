"""Every word the pages show, in both languages: one table per language.

The page chrome (the header, pagination, a post's parts) comes first, then the words of the
week, day, archive, link, search and home pages. Keys ending ``_one``/``_few``/``_many``/
``_other`` are plural forms, chosen by :func:`.strings.plural` (CLDR, through Babel). A language
without a table falls back to English, and a missing word to the English word, so a theme may
use a new key before every language has it.
"""

from __future__ import annotations

from collections.abc import Mapping

EN: Mapping[str, str] = {
    # the page chrome
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
    # the week, day, archive, link, search and home pages
    "week_title": "Week {key}",
    "day_title": "{date}",
    "weeks_nav": "Weeks",
    "links_nav": "Links",
    "archive_title": "Archive",
    "archive_lede": "Every week of the digest, by year and month.",
    "period_nav": "Other periods",
    "previous_week": "Previous week",
    "next_week": "Next week",
    "previous_day": "Previous day",
    "next_day": "Next day",
    "whole_week": "The whole week",
    "tag_counts": "Posts per tag",
    "latest_week": "This week’s digest",
    "newest_links": "Newest links",
    "all_links": "All links",
    "links_title": "Links",
    "links_lede": "Every link the posts shared, newest first.",
    "links_month_title": "Links first shared in {month}",
    "links_domain_title": "Links to {domain}",
    "by_month": "By month",
    "by_domain": "By domain",
    "first_seen": "First shared",
    "last_seen": "last",
    "shared_in": "Shared in",
    "wayback": "Wayback Machine copy",
    "exports": "Download",
    "feeds": "Feeds",
    "feed_all": "All posts (Atom)",
    "feed_weeks": "Weekly digests (Atom)",
    "feed_tag": "#{tag} (Atom)",
    "links_count_one": "{count} link",
    "links_count_other": "{count} links",
    "shares_one": "shared by {count} post",
    "shares_other": "shared by {count} posts",
    "weeks_count_one": "{count} week",
    "weeks_count_other": "{count} weeks",
    "description_week": "Public fediverse posts of week {key} ({dates}), grouped by day.",
    "description_day": "Public fediverse posts of {date}.",
    "description_archive": "Every week of the digest, by year and month, with post counts.",
    "description_links": "Links shared in the posts of the digest, with dates, tags and copies.",
    "post_in_digest": "post of {date}",
    "summary": "The week in brief",
    "summary_posts": "Posts",
    "summary_authors": "Authors",
    "busiest_day": "Busiest day",
    "top_links": "Most shared links",
    "whole_week_posts": "All posts of the week",
    "authors_count_one": "{count} author",
    "authors_count_other": "{count} authors",
    "removal_title": "Removing a post",
    "removal_lede": "What this site keeps of your posts, and how to have one removed.",
    "removal_kept_title": "What the site keeps",
    "removal_kept": (
        "For each post: its text, content warning, hashtags and link preview, the "
        "descriptions and addresses of its media, the author’s name, handle and profile "
        "link, and when it was written and edited. Images stay on the author’s server."
    ),
    "removal_consent": (
        "Only public posts are kept, and never those of authors who opted out of search "
        "and indexing: discoverability turned off, “noindex”, or #nobot, #noarchive, "
        "#noindex or #nosearch in the profile."
    ),
    "removal_tags": "Hashtags collected:",
    "removal_servers": "Servers read:",
    "removal_how_title": "How to have a post removed",
    "removal_delete": (
        "Delete the post, or opt out as described above: it disappears from the site within {days}."
    ),
    "removal_ask": "Or ask the site’s maintainer:",
    "removal_issues": "the repository’s issues",
    "removal_history": (
        "A removed post leaves every page, feed and the link collection. Earlier versions "
        "of the archive stay in the repository’s history; on request the maintainer "
        "can purge the post from it too."
    ),
    "removal_days_one": "{count} day",
    "removal_days_other": "{count} days",
    "description_removal": "What this digest keeps of fediverse posts and how to have one removed.",
    "search_nav": "Search",
    "search_title": "Search",
    "search_lede": "Find posts by their words, tags, months and languages.",
    "search_label": "Words to find",
    "search_button": "Search",
    "search_any": "Any",
    "search_tag": "Tag",
    "search_month": "Month",
    "search_language": "Language",
    "search_noscript": "Search runs in your browser and needs JavaScript, which is off. "
    "Every other page of this site works without it: the archive lists every week.",
    "search_loading": "Searching…",
    "search_none": "Nothing found.",
    "search_failed": "Search could not load its index.",
    "search_results_one": "{count} post found",
    "search_results_other": "{count} posts found",
    "description_search": "Search the public fediverse posts of the digest.",
}

RU: Mapping[str, str] = {
    # the page chrome
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
    # the week, day, archive, link, search and home pages
    "week_title": "Неделя {key}",
    "weeks_nav": "Недели",
    "links_nav": "Ссылки",
    "archive_title": "Архив",
    "archive_lede": "Все недели дайджеста по годам и месяцам.",
    "period_nav": "Другие периоды",
    "previous_week": "Предыдущая неделя",
    "next_week": "Следующая неделя",
    "previous_day": "Предыдущий день",
    "next_day": "Следующий день",
    "whole_week": "Вся неделя",
    "tag_counts": "Посты по тегам",
    "latest_week": "Дайджест недели",
    "newest_links": "Новые ссылки",
    "all_links": "Все ссылки",
    "links_title": "Ссылки",
    "links_lede": "Все ссылки из постов, сначала новые.",
    "links_month_title": "Ссылки, впервые появившиеся: {month}",
    "links_domain_title": "Ссылки на {domain}",
    "by_month": "По месяцам",
    "by_domain": "По доменам",
    "first_seen": "Впервые",
    "last_seen": "последний раз",
    "shared_in": "В постах",
    "wayback": "Копия в Wayback Machine",
    "exports": "Скачать",
    "feeds": "Ленты",
    "feed_all": "Все посты (Atom)",
    "feed_weeks": "Дайджесты по неделям (Atom)",
    "feed_tag": "#{tag} (Atom)",
    "links_count_one": "{count} ссылка",
    "links_count_few": "{count} ссылки",
    "links_count_many": "{count} ссылок",
    "links_count_other": "{count} ссылки",
    "shares_one": "в {count} посте",
    "shares_few": "в {count} постах",
    "shares_many": "в {count} постах",
    "shares_other": "в {count} поста",
    "weeks_count_one": "{count} неделя",
    "weeks_count_few": "{count} недели",
    "weeks_count_many": "{count} недель",
    "weeks_count_other": "{count} недели",
    "description_week": "Публичные посты федиверса за неделю {key} ({dates}), по дням.",
    "description_day": "Публичные посты федиверса за {date}.",
    "description_archive": "Все недели дайджеста по годам и месяцам, с числом постов.",
    "description_links": "Ссылки из постов дайджеста: даты, теги и архивные копии.",
    "post_in_digest": "пост за {date}",
    "summary": "Неделя вкратце",
    "summary_posts": "Посты",
    "summary_authors": "Авторы",
    "busiest_day": "Самый активный день",
    "top_links": "Самые популярные ссылки",
    "whole_week_posts": "Все посты недели",
    "authors_count_one": "{count} автор",
    "authors_count_few": "{count} автора",
    "authors_count_many": "{count} авторов",
    "authors_count_other": "{count} автора",
    "removal_title": "Удаление поста",
    "removal_lede": "Что этот сайт хранит из ваших постов и как убрать пост.",
    "removal_kept_title": "Что хранит сайт",
    "removal_kept": (
        "Для каждого поста: текст, предупреждение о содержимом, хештеги и превью ссылки, "
        "описания и адреса вложений, имя автора, его адрес и ссылку на профиль, время "
        "публикации и правки. Картинки остаются на сервере автора."
    ),
    "removal_consent": (
        "Хранятся только публичные посты и никогда — посты авторов, запретивших поиск и "
        "индексацию: выключенная рекомендация профиля, «noindex» или #nobot, #noarchive, "
        "#noindex, #nosearch в профиле."
    ),
    "removal_tags": "Собираемые хештеги:",
    "removal_servers": "Серверы-источники:",
    "removal_how_title": "Как убрать пост",
    "removal_delete": (
        "Удалите пост или запретите индексацию, как описано выше: он исчезнет с сайта "
        "в течение {days}."
    ),
    "removal_ask": "Или напишите владельцу сайта:",
    "removal_issues": "задачи (issues) репозитория",
    "removal_history": (
        "Убранный пост исчезает со всех страниц, из лент и коллекции ссылок. Прежние версии "
        "архива остаются в истории репозитория; по просьбе владелец сайта может вычистить "
        "пост и оттуда."
    ),
    "removal_days_one": "{count} дня",
    "removal_days_few": "{count} дней",
    "removal_days_many": "{count} дней",
    "removal_days_other": "{count} дня",
    "description_removal": "Что дайджест хранит из постов федиверса и как убрать пост.",
    "search_nav": "Поиск",
    "search_title": "Поиск",
    "search_lede": "Поиск постов по словам, тегам, месяцам и языкам.",
    "search_label": "Что найти",
    "search_button": "Найти",
    "search_any": "Любой",
    "search_tag": "Тег",
    "search_month": "Месяц",
    "search_language": "Язык",
    "search_noscript": "Поиск работает в браузере и требует JavaScript, а он выключен. "
    "Все остальные страницы сайта работают без него: в архиве есть каждая неделя.",
    "search_loading": "Ищем…",
    "search_none": "Ничего не найдено.",
    "search_failed": "Не удалось загрузить поисковый индекс.",
    "search_results_one": "Найден {count} пост",
    "search_results_few": "Найдено {count} поста",
    "search_results_many": "Найдено {count} постов",
    "search_results_other": "Найдено {count} поста",
    "description_search": "Поиск по публичным постам федиверса в дайджесте.",
}

TABLES: Mapping[str, Mapping[str, str]] = {"en": EN, "ru": RU}
