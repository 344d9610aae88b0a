"""The suite hashes passwords at a token Argon2 cost (tests/conftest.py); production must not.

These tests build settings the way a deployment does, without the suite's environment, and check
the parameters of the hash that is actually stored."""

import pytest
from argon2 import extract_parameters
from pydantic import ValidationError

from prepple.services import accounts
from prepple.settings import Settings, reset_settings_cache

PW = "correct horse battery"


@pytest.fixture
def deployment_env(monkeypatch):
    """The environment of a real deployment: none of the suite's test-only settings."""
    monkeypatch.delenv("PREPPLE_ARGON2_COST", raising=False)
    monkeypatch.setenv("PREPPLE_SECRET_KEY", "a-real-secret-" + "x" * 40)
    reset_settings_cache()
    yield monkeypatch
    reset_settings_cache()


@pytest.mark.parametrize("environment", ["production", "development"])
def test_deployments_hash_passwords_with_full_cost_argon2id(
    deployment_env, environment, session, make_user
):
    deployment_env.setenv("PREPPLE_ENVIRONMENT", environment)
    reset_settings_cache()
    assert Settings().argon2_cost == "strong"
    stored = accounts._hasher().hash(PW)
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    # pwdlib's recommended parameters (RFC 9106's second choice): 64 MiB, 3 passes, 4 lanes.
    assert params.memory_cost >= 65536 and params.time_cost >= 3 and params.parallelism >= 1
    assert extract_parameters(accounts._dummy_hash()).memory_cost >= 65536
    # And registration, the path that stores the hash, uses it.
    user = make_user("strong@example.com")
    assert extract_parameters(user.password_hash).memory_cost >= 65536


@pytest.mark.parametrize("environment", ["production", "development"])
def test_the_fast_setting_is_refused_outside_tests(deployment_env, environment):
    deployment_env.setenv("PREPPLE_ENVIRONMENT", environment)
    deployment_env.setenv("PREPPLE_ARGON2_COST", "fast")
    with pytest.raises(ValidationError, match="only for the test suite"):
        Settings()


def test_the_suite_itself_runs_at_the_token_cost(session, make_user):
    """The positive control: the speed-up is real (otherwise the tests above prove nothing)."""
    user = make_user("fast@example.com")
    assert extract_parameters(user.password_hash).memory_cost == accounts.FAST_ARGON2[
        "memory_cost"
    ]
    # A hash made at full cost (an account from production data) still verifies.
    strong = accounts._hasher_for("strong").hash(PW)
    assert accounts._hasher().verify(PW, strong)
