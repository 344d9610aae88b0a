"""The component gallery's sample data comes from the real services, and only admins get it."""

from prepple.state.gallery import GalleryState
from prepple.state.session import Refusal, SessionState
from tests.state.helpers import call, get, login_token, new_tree


def _open(user):
    root = new_tree(login_token(user) if user else "")
    call(root, SessionState, "refresh_viewer")
    return root, call(root, GalleryState, "load")


def test_admins_get_realistic_samples_of_every_exhibit(session, make_user):
    root, _ = _open(make_user("dee@example.com", roles=("admin",)))
    g = get(root, GalleryState)
    assert g.allowed
    kinds = {t.kind for t in g.tokens}
    assert {"word", "filler", "pause"} <= kinds, kinds
    assert len([t for t in g.tokens if t.kind != "pause"]) > 100
    assert {s.name for s in g.scores} >= {"Pace", "Fillers", "Structure"}
    assert g.tips and g.pace_series and g.items and g.bands
    assert {s.status for s in g.shares} == {"active", "revoked"} and g.ready
    assert g.loaded and g.has_feedback and g.comments and g.averages
    # The preview controls accept only real token values.
    call(root, GalleryState, "set_accent", "tomato")
    call(root, GalleryState, "set_radius", "full")
    call(root, GalleryState, "set_appearance", ["dark"])
    call(root, GalleryState, "set_frame", "phone")
    assert (g.accent, g.radius, g.appearance, g.frame) == ("tomato", "full", "dark", "phone")
    call(root, GalleryState, "set_accent", "url(javascript:alert(1))")
    call(root, GalleryState, "set_appearance", "sepia")
    assert (g.accent, g.appearance) == ("", "inherit")
    # The sample share panel shares nothing.
    call(root, GalleryState, "make_link", {})
    assert g.new_link.startswith("https://prepple.example.org/s/")


def test_seekers_and_visitors_get_nothing(session, make_user):
    root, result = _open(make_user("pat@example.com"))
    g = get(root, GalleryState)
    assert isinstance(result, Refusal) and not g.allowed and g.tokens == [] and g.comments == []
    root, result = _open(None)
    assert isinstance(result, Refusal) and get(root, GalleryState).tokens == []
