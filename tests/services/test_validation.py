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
    with pytest.raises(InvalidInput, match="text-direction"):
        clean_display_name("evil\u202egnp.exe")
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
