import pytest

from prepple.services.validation import (
    InvalidInput,
    check_password,
    clean_display_name,
    clean_email,
    clean_query,
    clean_text,
)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Ann@Example.COM", "ann@example.com"),
        ("  bob@example.org  ", "bob@example.org"),
        ("zoë@exämple.de", "zoë@exämple.de"),
    ],
)
def test_clean_email_accepts_and_normalises(raw, expected):
    assert clean_email(raw) == expected


@pytest.mark.parametrize(
    "raw,message",
    [
        ("", "E-mail is required."),
        ("   ", "E-mail is required."),
        ("no-at-sign", "Enter an e-mail address"),
        ("a@b", "Enter an e-mail address"),
        ("two@@example.com", "Enter an e-mail address"),
        ("x" * 300 + "@example.com", "at most 254"),
        ("bad\x00@example.com", "characters we can't store"),
        (None, "E-mail is required."),
        (12345, "must be text"),
    ],
)
def test_clean_email_refuses_with_clear_message(raw, message):
    with pytest.raises(InvalidInput) as err:
        clean_email(raw)
    assert message in err.value.message
    assert err.value.field == "email"


def test_display_name_refuses_markup_and_bidi_overrides():
    with pytest.raises(InvalidInput, match="< or >"):
        clean_display_name("<script>alert(1)</script>")
    assert clean_display_name("evil\u202egnp.exe") == "evilgnp.exe"  # override removed
    assert clean_display_name("  Zoë   van\tder Berg ") == "Zoë van der Berg"
    assert clean_display_name("محمد 🙂") == "محمد 🙂"


def test_clean_text_normalises_unicode_to_nfc():
    decomposed = "Zoe\u0308"
    assert clean_text(decomposed, field="f", label="F", max_len=10) == "Zoë"


@pytest.mark.parametrize(
    "pw,message",
    [
        ("", "required"),
        ("short", "at least 10"),
        ("a" * 20, "too easy"),
        ("x" * 300 + "abcd", "at most 256"),
        ("abcdefghij\x07", "can't store"),
    ],
)
def test_check_password_refuses_weak_or_odd(pw, message):
    with pytest.raises(InvalidInput, match=message):
        check_password(pw, min_length=10)


def test_check_password_keeps_spaces_and_unicode():
    assert check_password("  lange Straße 🙂 ", min_length=10) == "  lange Straße 🙂 "


def test_clean_query_never_raises_and_caps():
    assert clean_query(None) == ""
    assert clean_query({"$ne": 1}) == ""
    assert clean_query("  con\x00flict  ") == "conflict"
    assert len(clean_query("y" * 10_000)) == 200


# --- the one text-cleaning rule (issue 11): hostile input is cleaned where it enters ------------

HOSTILE = [
    ("Situation\u202e: txt.exe", "Situation: txt.exe"),  # right-to-left override
    ("bell\x07 and esc\x1b[31mred", "bell and esc[31mred"),  # BEL, ESC (C0)
    ("c1\x85\x9bcontrol", "c1\ncontrol"),  # NEL becomes a line break, CSI (C1) goes
    ("iso\u2066late\u2069d \u2067x\u2068y", "isolated xy"),  # bidi isolates
    ("zero\u200bwidth\u2060join\ufeffer", "zerowidthjoiner"),
    ("a\u200db\u200cc", "abc"),  # joiners between Latin letters only hide things
    ("line1\r\nline2\rline3\u2028line4", "line1\nline2\nline3\nline4"),
    ("nul\x00byte", "nulbyte"),
]

KEPT = [
    "👩\u200d💻 pair-programmed; 👨\u200d👩\u200d👧 family; 👍🏽 ok; 🏳\ufe0f\u200d🌈",
    "北京で会議をしました。数据迁移完成",
    "Zoë, naïve café, Ångström, Dvořák",
    "مرحبا بالعالم — עברית — فارسی\u200cها",  # RTL scripts; ZWNJ inside a Persian word
    "क्\u200dष and ക്\u200d",  # ZWJ in Devanagari / Malayalam
    "tabs\tand\nnewlines",
    "\u200fRLM mark kept",
]


@pytest.mark.parametrize("raw,expected", HOSTILE)
def test_scrub_removes_controls_bidi_and_invisible(raw, expected):
    from prepple.services.validation import scrub

    assert scrub(raw) == expected


@pytest.mark.parametrize("text", KEPT)
def test_scrub_keeps_real_unicode_intact(text):
    from prepple.services.validation import scrub

    assert scrub(text) == text


def test_scrub_normalises_nfc_and_single_line():
    from prepple.services.validation import scrub

    assert scrub("Zoe\u0308\nnext\tcol", multiline=False) == "Zoë next col"


def test_display_name_drops_isolates_and_zero_width():
    assert clean_display_name("Ad\u2066min\u2069\u200b \u200bteam") == "Admin team"
    assert clean_display_name("\u2067\u200b\u2069 Ann") == "Ann"
    with pytest.raises(InvalidInput, match="required"):
        clean_display_name("\u202e\u200b\u2066")


def test_clean_text_strips_hostile_characters_from_comments():
    assert (
        clean_text("Nice\x1b[2J\u202e work\x07", field="c", label="C", max_len=50, multiline=True)
        == "Nice[2J work"
    )


def test_plan_sections_and_story_titles_are_cleaned_where_they_enter(session, make_user):
    from sqlmodel import select

    from prepple.models import Question
    from prepple.services import planner

    user = make_user(name="Rtl\u2067\u200b")
    assert user.display_name == "Rtl"
    qid = session.exec(select(Question.id)).first()
    view, _ = planner.plan_save(
        session=session,
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections={"situation": "We\u202e shipped\x07 \x1b 👩\u200d💻 北京", "task": "x"},
    )
    assert view.sections["situation"] == "We shipped  👩\u200d💻 北京"
    story = planner.story_create(
        session=session, user_id=user.id, title="Story\u2066\u200b one", notes="a\x00b"
    )
    assert story.title == "Story one" and story.notes == "ab"
