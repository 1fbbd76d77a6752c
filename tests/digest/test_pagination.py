"""Stable pagination (issue 14), on plain data: numbered pages count from the oldest and hold
exactly ``per_page`` items, the index holds the rest, so new items change only the index."""

from __future__ import annotations

import pytest
from tag_digest.digest.grouping import INDEX, Page, full_pages, page_number, paginate
from tag_digest.digest.strings import catalogue, page_label


def newest_first(count: int) -> list[int]:
    """``count`` items named by their place from the oldest (1 …), newest first."""
    return list(range(count, 0, -1))


@pytest.mark.parametrize(
    ("count", "per_page", "expected"),
    [
        (0, 25, [(INDEX, [])]),
        (1, 25, [(INDEX, [1])]),
        (49, 25, [(INDEX, newest_first(49))]),
        (50, 25, [(INDEX, newest_first(50)[:25]), (1, newest_first(25))]),
        (74, 25, [(INDEX, newest_first(74)[:49]), (1, newest_first(25))]),
        (75, 25, [(INDEX, newest_first(75)[:25]), (2, newest_first(50)[:25]),
                  (1, newest_first(25))]),
        (5, 2, [(INDEX, [5, 4, 3]), (1, [2, 1])]),
        (1, 1, [(INDEX, [1])]),
        (2, 1, [(INDEX, [2]), (1, [1])]),
        (3, 1, [(INDEX, [3]), (2, [2]), (1, [1])]),
    ],
)  # fmt: skip
def test_hand_counted_pages(
    count: int, per_page: int, expected: list[tuple[int, list[int]]]
) -> None:
    pages = paginate(newest_first(count), per_page)
    assert [(p.number, list(p.items)) for p in pages] == expected


def walk(pages: list[Page[int]], start: Page[int], step: str) -> list[int]:
    """The page numbers met following ``step`` (``"older"``/``"newer"``) from ``start``."""
    by_number = {p.number: p for p in pages}
    seen, page = [start.number], start
    while (number := getattr(page, step)) is not None:
        seen.append(number)
        page = by_number[number]
    return seen


@pytest.mark.parametrize("per_page", [1, 2, 3, 5])
def test_every_count_up_to_several_pages(per_page: int) -> None:
    for count in range(0, 6 * per_page + 1):
        items = newest_first(count)
        pages = paginate(items, per_page)
        full = full_pages(count, per_page)
        index, numbered = pages[0], pages[1:]
        assert index.number == INDEX and [p.number for p in numbered] == list(range(full, 0, -1))
        # Every item on exactly one page, newest first across the pages.
        assert [i for p in pages for i in p.items] == items
        for page in numbered:
            assert len(page.items) == per_page
            assert page.first == (page.number - 1) * per_page + 1
            assert page.last == page.number * per_page
            assert list(page.items) == list(range(page.last, page.first - 1, -1))
        if count >= per_page:
            assert per_page <= len(index.items) <= 2 * per_page - 1
        if count < 2 * per_page:
            assert len(index.items) == count and full == 0
        assert index.last == count and index.first == full * per_page + 1
        # The one rule for "which page shows item i" agrees with the pages.
        shown = {item: page.number for page in pages for item in page.items}
        assert [page_number(i, count, per_page) for i in range(count)] == [shown[i] for i in items]
        # Older from the index: F, F-1 … 1; newer from page 1: 2 … F, then the index.
        assert walk(pages, index, "older") == [INDEX, *range(full, 0, -1)]
        if numbered:
            assert walk(pages, numbered[-1], "newer") == [*range(1, full + 1), INDEX]
        assert index.newer is None and all(p.older != INDEX for p in pages)


@pytest.mark.parametrize("per_page", [1, 2, 25])
def test_new_items_change_only_the_index_until_a_page_fills(per_page: int) -> None:
    for count in range(0, 4 * per_page):
        before = paginate(newest_first(count), per_page)
        for added in range(1, 2 * per_page + 1):
            after = {p.number: p for p in paginate(newest_first(count + added), per_page)}
            grew = full_pages(count + added, per_page) - full_pages(count, per_page)
            for page in before[1:]:  # the numbered pages: same number, same items
                again = after[page.number]
                assert (again.first, again.items) == (page.first, page.items)
                assert again.older == page.older
                if not grew or page.number < page.full:
                    assert again.newer == page.newer  # only the old page F links a new page F+1
            assert len(after) == len(before) + grew
            assert grew <= -(-added // per_page)  # a page per ``per_page`` new items at most
            if count >= per_page and count % per_page + added < per_page:
                assert grew == 0  # the index had room: no new numbered page


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="per_page"):
        paginate([1], 0)
    with pytest.raises(ValueError, match="per_page"):
        full_pages(3, 0)
    with pytest.raises(ValueError, match="item 3 is not one of 3"):
        page_number(3, 3, 2)


def test_page_labels_name_nothing_that_changes_once_full() -> None:
    pages = paginate(newest_first(7), 3)
    en, ru = catalogue("en"), catalogue("ru")
    assert [page_label(en, p) for p in pages] == [
        "Newest posts",
        "Page 1 · posts 1–3 from the oldest",
    ]
    assert page_label(ru, pages[1]) == "Страница 1 · посты 1–3 от самых ранних"
    assert page_label(en, pages[1], "links_") == "Page 1 · links 1–3 from the oldest"
    assert page_label(ru, pages[0], "links_") == "Самые новые ссылки"
