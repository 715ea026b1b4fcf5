from pathlib import Path

import pytest

from streams.ids import article_id
from streams.seeds import load_seed_dir, parse_seed_page

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CHROME = (
    "Hashtags",
    "Try Our AI Features",
    "Daily8",
    "No comments yet",
    "Related Articles",
    "minutes ago",
    "- The Hill",
)
WAGNER = "Wagner Group to End Operations in Mali Amid Rising Militancy"


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    return load_seed_dir(SEEDS)


def test_exactly_five_articles_in_page_order(articles: list[dict]) -> None:
    assert [(a["source"], a["title"]) for a in articles] == [
        (
            None,
            "Several killed as separatists clash with Malian army, Russian allies in "
            "the conflict-hit north",
        ),
        ("The Hill", "Bolton: Trump-Putin summit a 'great victory' for Moscow"),
        (
            "American Military News",
            "Trump, Putin To Meet In Alaska On Ukraine War; Zelenskyy Rejects Potential Land Swap",
        ),
        ("Time Magazine", "Zelensky Rejects Trump's Suggestion of Ceding Territory"),
        (None, WAGNER),
    ]
    assert [a["seed_file"] for a in articles] == [
        "000_f07b7dccda3677e4.txt",
        *["000_f07b7dccda3677e4.txt"] * 3,
        "001_9a916c0e96314c57.txt",
    ]


def test_records_have_raw_shape_and_content_ids(articles: list[dict]) -> None:
    for a in articles:
        assert set(a) == {"id", "title", "body", "source", "url", "published_at", "seed_file"}
        assert a["url"] is None and a["published_at"] is None
        assert a["id"] == article_id(a["title"], a["body"])
    assert len({a["id"] for a in articles}) == 5


def test_bodies_are_free_of_page_chrome_and_titles(articles: list[dict]) -> None:
    for a in articles:
        for chrome in CHROME:
            assert chrome not in a["body"], (a["title"], chrome)
        assert a["title"] not in a["body"]
    assert articles[0]["body"].startswith("The clashes began with a military offensive")
    assert articles[0]["body"].endswith("how many are part of the Africa Corps.")
    assert articles[1]["body"].startswith("Former national security adviser John Bolton")


def test_wagner_article_keeps_each_paragraph_once(articles: list[dict]) -> None:
    wagner = articles[4]
    paragraphs = wagner["body"].split("\n\n")
    assert len(paragraphs) == len(set(paragraphs)) == 6
    assert paragraphs[0].startswith("The Wagner Group has announced its withdrawal from Mali")
    assert paragraphs[1].startswith("Russian mercenaries claim mission completion")
    assert wagner["body"].count("over 30 soldiers reportedly lost their lives") == 1
    assert wagner["body"].count("Central African Republic") == 1


def test_parse_page_with_related_block_and_loader_order(tmp_path: Path) -> None:
    page = (
        "Main headline here\nMain body sentence one.\nComments\nRelated Articles\n\n"
        "Reuters\n2 hours ago\n- Reuters\nRelated headline\nRelated body.\nRelated body.\n"
    )
    got = parse_seed_page(page, "/some/dir/x.txt")
    assert [(a["title"], a["body"], a["source"], a["seed_file"]) for a in got] == [
        ("Main headline here", "Main body sentence one.", None, "x.txt"),
        ("Related headline", "Related body.", "Reuters", "x.txt"),
    ]
    (tmp_path / "b.txt").write_text("Second file\nBody B.", "utf-8")
    (tmp_path / "a.txt").write_text("First file\nBody A.", "utf-8")
    (tmp_path / "notes.md").write_text("Ignored\nNot a seed.", "utf-8")
    assert [a["title"] for a in load_seed_dir(tmp_path)] == ["First file", "Second file"]


def test_page_of_only_chrome_yields_nothing() -> None:
    assert parse_seed_page("Hashtags\n\nComments\nNo comments yet...\n", "empty.txt") == []
