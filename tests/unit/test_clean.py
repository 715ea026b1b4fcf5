from streams.text.clean import clean_lines, clean_text, is_boilerplate, split_sentences


def test_unicode_controls_and_quotes_are_normalised() -> None:
    text = "Kidal\u00a0region\u200b said \u2018dozens\u2019 \u201cdied\u201d\x07."
    assert clean_text(text) == "Kidal region said 'dozens' \"died\"."


def test_html_is_stripped_and_entities_unescaped() -> None:
    html = "<p>First &amp; <b>bold</b></p><script>var x = 1;</script><p>Second<br>Third</p>"
    assert clean_text(html) == "First & bold\n\nSecond\n\nThird"


def test_boilerplate_lines_come_from_the_data_file() -> None:
    page = (
        "Real news.\nHashtags\n\nNo comments yet...\n23 minutes ago\nRelated Articles\nMore news."
    )
    assert clean_lines(page) == ["Real news.", "More news."]
    assert is_boilerplate("Explore what Daily8 AI can do for you:")
    assert not is_boilerplate("Comments were made by the minister.")


def test_repeated_paragraphs_keep_first_occurrence() -> None:
    text = "Para one.\nPara two is here.\n  para TWO   is here!\nPara one.\nPara three."
    assert clean_text(text) == "Para one.\n\nPara two is here.\n\nPara three."


def test_title_lines_are_dropped() -> None:
    text = "Lede sentence.\nBig Title\n\nBig Title\nBody."
    assert clean_text(text, title="Big Title") == "Lede sentence.\n\nBody."
    assert clean_text(text) == "Lede sentence.\n\nBig Title\n\nBody."


def test_split_sentences_respects_abbreviations_and_initials() -> None:
    text = (
        "Mr. Smith met Gen. Jones in the U.S. capital. U.S. officials said John F. Kennedy "
        "was there. They left at 3.5 km/h! 'Was it?' she asked.\nNew paragraph"
    )
    assert split_sentences(text) == [
        "Mr. Smith met Gen. Jones in the U.S. capital.",
        "U.S. officials said John F. Kennedy was there.",
        "They left at 3.5 km/h!",
        "'Was it?' she asked.",
        "New paragraph",
    ]


def test_split_sentences_breaks_after_acronym_before_pronoun() -> None:
    assert split_sentences("He flew to the U.S. He met them.") == [
        "He flew to the U.S.",
        "He met them.",
    ]


def test_split_sentences_keeps_closing_quotes() -> None:
    assert split_sentences("'A great victory for Putin.' 'He is a rogue,' he added.") == [
        "'A great victory for Putin.'",
        "'He is a rogue,' he added.",
    ]


def test_tail_spans_match_a_split_of_the_tail_alone() -> None:
    from streams.text.clean import sentence_spans, tail_spans

    title = "Rebels attack Kidal. Dozens flee"
    for body in ("Mr. Smith left. He said so.", "'Quoted.' Then more.", " padded.", "", "\nx. Y"):
        for text in (f"{title}\n\n{body}", f"{title} {body}", body, f"x{body}"):
            if text.endswith(body):
                assert tail_spans(text, body) == sentence_spans(body), (text, body)


def test_line_keys_decompose_only_the_non_ascii_characters() -> None:
    import unicodedata

    from streams.text.clean import _decomposed_ascii

    lines = [
        "Goïta — l’armée a dit « non » ?",
        "ﬁnal Ⅻ ½ ＡＢＣ cafe\u0301 e\u0301\u0323 x\u0323\u0301 ?? İı ſ",
        "\ud800 lone ? surrogate",
        "Ж" * 70 + " é" * 3,
        "plain ascii? yes",
    ]
    for line in lines:
        expected = unicodedata.normalize("NFKD", line).encode("ascii", "ignore")
        assert _decomposed_ascii(line) == expected, line


def test_texts_that_may_hide_characters() -> None:
    from streams.text.clean import _may_hide

    invisible = ["a\u200bb", "soft\u00adhyphen", "bell\x07", "x\x7f", "tag\U000e0041", "\ufeff"]
    for text in invisible:
        assert _may_hide(text + " — é"), text
        assert _may_hide("é" * 80 + text), text  # past the few non-ASCII looked at one by one
    for text in ["plain\ttext\nline", "Goïta — l’armée ?", "?" * 3, "Ж" * 100]:
        assert not _may_hide(text), text
