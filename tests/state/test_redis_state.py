"""Scaled path: Reflex state kept in a real Redis server (several backend workers share it).

Runs our State classes through Reflex's Redis state manager on the local test server: a handler
runs inside ``modify_state``, and a second manager (another worker) reads back exactly what the
first stored, including the dataclass-typed vars."""

import os
import uuid

import pytest
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken

from prepple.state.questions import QuestionsState
from prepple.state.session import SessionState
from tests.conftest import REQUIRE_SERVICES
from tests.state.helpers import get, login_token, run_async

REDIS_URL = os.environ.get("PREPPLE_TEST_REDIS_URL", "")


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("PREPPLE_TEST_REDIS_URL is not set but services are required")
        pytest.skip("no Redis (run the suite with `make test`)")
    return REDIS_URL


async def _scenario(url: str, token_value: str) -> tuple:
    from redis.asyncio import Redis

    ident = uuid.uuid4().hex
    token = BaseStateToken(ident=ident, cls=QuestionsState)
    worker1 = StateManagerRedis(redis=Redis.from_url(url))
    async with worker1.modify_state(token) as root:
        get(root, SessionState).auth_token = token_value
        questions = get(root, QuestionsState)
        QuestionsState.event_handlers["load"].fn(questions)
        QuestionsState.event_handlers["search"].fn(questions, "conflict")
        SessionState.event_handlers["refresh_viewer"].fn(get(root, SessionState))
        stored = (questions.total, [q.id for q in questions.items], questions.items[0])
    await worker1.close()

    worker2 = StateManagerRedis(redis=Redis.from_url(url))
    root2 = await worker2.get_state(token)
    questions2 = get(root2, QuestionsState)
    read = (questions2.total, [q.id for q in questions2.items], questions2.items[0])
    viewer = get(root2, SessionState).viewer_name
    await worker2.close()
    return stored, read, viewer


def test_state_round_trips_through_real_redis(redis_url, session, make_user):
    user = make_user("redis@example.com", name="Rae")
    token = login_token(user)
    stored, read, viewer = run_async(_scenario(redis_url, token))
    assert stored[0] > 0
    assert read == stored
    assert viewer == "Rae"
