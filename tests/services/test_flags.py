import pytest

from prepple.services import flags
from prepple.settings import reset_settings_cache


def test_defaults_then_override_then_back_to_default(session):
    assert flags.flag_enabled(session=session, name="registration") is True
    flags.flag_set(session=session, name="registration", enabled=False, actor_id=None)
    assert flags.flag_enabled(session=session, name="registration") is False
    with pytest.raises(flags.FeatureDisabled, match="registration"):
        flags.require_enabled(session=session, name="registration")
    view = {f.name: f for f in flags.flags_all(session=session)}["registration"]
    assert view.overridden and not view.enabled and view.default
    flags.flag_set(session=session, name="registration", enabled=None, actor_id=None)
    assert flags.flag_enabled(session=session, name="registration") is True


def test_settings_change_a_default(session, monkeypatch):
    monkeypatch.setenv("PREPPLE_FLAGS", '{"question_bank": false}')
    reset_settings_cache()
    assert flags.flag_enabled(session=session, name="question_bank") is False


def test_unknown_flag_refused(session):
    with pytest.raises(KeyError):
        flags.flag_set(session=session, name="warp_drive", enabled=True, actor_id=None)
    assert flags.flag_enabled(session=session, name="warp_drive") is False
