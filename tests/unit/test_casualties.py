import pytest

from streams.tag.casualties import Casualties, extract_casualties


@pytest.mark.parametrize(
    ("sentence", "killed", "wounded", "claimed"),
    [
        (
            "Early on August 9, a Russian drone hit a minibus in the suburbs of the southern city "
            "of Kherson, killing at least two civilian passengers and wounding 16.",
            2,
            16,
            False,
        ),
        (
            "This announcement follows a series of deadly attacks, including a recent incident in "
            "Boulikessi where over 30 soldiers reportedly lost their lives.",
            30,
            None,
            False,
        ),
        ("The separatists reported they killed 'dozens' of Malian soldiers.", 12, None, True),
        ("Several killed as separatists clash with Malian army", None, None, False),
        ("Hundreds were killed and tens were injured.", 100, 10, False),
        ("Tens of civilians were killed.", 10, None, False),
        ("Three people died and twelve were wounded.", 3, 12, False),
        ("The death toll rose to 45 on Sunday.", 45, None, False),
        ("The death toll ranges from one hundred to several hundred.", 100, None, False),
        ("Two hundred people were killed.", 200, None, False),
        ("Between 10 and 15 people were killed.", 10, None, False),
        ("Gunmen killed 1,200 villagers.", 1200, None, False),
        ("The statement acknowledged the death of three of their members.", 3, None, False),
        ("Many were killed in the raid.", None, None, False),
        ("In 2015 rebels killed 12 people.", 12, None, False),
        ("The army said it killed 40 militants.", 40, None, True),
        ("The group claims to have killed twenty soldiers.", 20, None, True),
        ("Fourteen wounded.", None, 14, False),
        ("Talks resumed in Geneva.", None, None, False),
        ("Terrorists murdered and beheaded five people on Tuesday.", 5, None, False),
        ("Gunmen shot dead 12 villagers.", 12, None, False),
    ],
)
def test_acled_conventions(
    sentence: str, killed: int | None, wounded: int | None, claimed: bool
) -> None:
    assert extract_casualties(sentence) == Casualties(killed, wounded, claimed)


def test_conflicting_figures_take_the_lowest() -> None:
    sentence = "Officials said 8 were killed, while locals said 20 people were killed."
    assert extract_casualties(sentence).killed == 8


@pytest.mark.parametrize(
    "sentence",
    [
        "“Many men fought,” he said; 'dozens' and \"Twenty-three\" were killed.",
        "At least 1,200 (some 30) x-5 _5 ² twenty-threes a few İı ſeven KILLED",
    ],
)
def test_quantity_starts_are_those_of_whole_words(sentence: str) -> None:
    # The C pre-scan must keep exactly the words the plain per-word test keeps.
    from streams.tag.casualties import _starts
    from streams.tag.quantities import STARTERS, TOKEN

    expected = [
        m.start()
        for m in TOKEN.finditer(sentence)
        if (w := m.group().lstrip("'\"").lower())[:1].isdigit() or w in STARTERS
    ]
    assert _starts(sentence) == expected


def _eval_sentences() -> list[str]:
    from pathlib import Path

    from streams.evaluate import load_items
    from streams.text.clean import split_sentences

    items = load_items(sorted((Path(__file__).resolve().parents[1] / "eval").glob("*.jsonl")))
    return [s for item in items for s in split_sentences(item["body"])]


def test_patterns_are_searched_where_their_words_open() -> None:
    # A Leads pattern is tried only where one of its words opens: it must find all that
    # the regex finds, so every match has to open with one of them.
    from streams.tag import casualties, events
    from streams.text.scan import Leads

    patterns = [
        *casualties._KILLED,
        *casualties._WOUNDED,
        *casualties._CLAIM,
        casualties._CLAIM_WORD,
        casualties._VICTIM_SIDE,
        casualties._CUMULATIVE,
        events._BACKGROUND,
    ]
    assert all(isinstance(p, Leads) for p in patterns)
    extra = [
        "The death toll rose to 12; the toll of the flood reached 30. Deaths of 4, bodies of 9.",
        "Kill 3, KILLED 4 and killing 'dozens', executing 5, claims the lives of 16, claimed 2.",
        "Wounding 3, injuring at least 40, wounds 2 and WOUNDED five; injures 1-2.",
        "Since the war began, SO FAR this year, In 2015 and since 1999, days after, Last week.",
        "The army SAID its troops killed 40; witnesses and Locals claimed, boasts, touted it.",
        "Another attack, a separate attack, a Series of strikes; previously, earlier this year.",
        "İstanbul ſince ı: the War has killed 3, conflict has killed 4 in total, overall 5.",
    ]
    for sentence in [*_eval_sentences(), *extra]:
        for p in patterns:
            expected = [m.span() for m in p.pattern.finditer(sentence)]
            assert [m.span() for m in p.finditer(sentence)] == expected, (p.pattern, sentence)
            assert p.search(sentence) == bool(expected)
