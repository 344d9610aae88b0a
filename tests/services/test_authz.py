import pytest

from prepple.services.authz import (
    PERMISSIONS,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    VISITOR,
    Denied,
    Principal,
    may,
    permissions_of,
    require,
)


def p(*roles: str) -> Principal:
    return Principal(user_id=1, email="x@example.com", display_name="X", roles=frozenset(roles))


def test_visitor_gets_public_only():
    assert may(VISITOR, PUBLIC)
    assert not may(VISITOR, SIGNED_IN)
    assert not any(may(VISITOR, perm) for perm in PERMISSIONS)


def test_admin_holds_every_named_permission_but_not_unknown_ones():
    admin = p("admin")
    assert all(may(admin, perm) for perm in PERMISSIONS)
    assert not may(admin, "no.such.permission")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_each_role_holds_exactly_the_permissions_listing_it(role):
    principal = p(role)
    for perm, roles in PERMISSIONS.items():
        assert may(principal, perm) == (role in roles), (role, perm)


def test_seeker_is_refused_admin_with_clear_message():
    with pytest.raises(Denied) as err:
        require(p("seeker"), "admin.users.manage")
    assert err.value.message == "You don't have permission to do that."
    assert not err.value.needs_login


def test_visitor_is_asked_to_log_in():
    with pytest.raises(Denied) as err:
        require(VISITOR, SIGNED_IN)
    assert err.value.needs_login


def test_permissions_of_lists_support_tabs():
    assert permissions_of(p("support")) == ["admin.outbox", "admin.users.view", "admin.view"]
    assert permissions_of(p("seeker")) == []
