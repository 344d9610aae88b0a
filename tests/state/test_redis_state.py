"""Scaled path: Reflex state kept in a real Redis server (several backend workers share it).

Our State classes go through Reflex's Redis state manager on the local test server: one
"worker" runs handlers and stores the states, a second one reads back exactly what was stored,
including the dataclass-typed vars. The browser flows run against a Redis-backed app too
(tests/e2e), which covers handlers reading one state from another through Redis."""

import os
import uuid

import pytest
from reflex.istate.manager.redis import StateManagerRedis
from reflex.istate.manager.token import BaseStateToken
from reflex_base.event.context import EventContext

from prepple.state.questions import QuestionsState
from prepple.state.session import SessionState
from tests.conftest import REQUIRE_SERVICES
from tests.state.helpers import login_token, run_async

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

    async def no_enqueue(*_args, **_kwargs):
        return None

    ident = uuid.uuid4().hex
    session_token = BaseStateToken(ident=ident, cls=SessionState)
    questions_token = BaseStateToken(ident=ident, cls=QuestionsState)

    worker1 = StateManagerRedis(redis=Redis.from_url(url))
    async with EventContext(token=ident, state_manager=worker1, enqueue_impl=no_enqueue):
        async with worker1.modify_state(session_token) as root:
            session = await root.get_state(SessionState)
            session.auth_token = token_value
            await SessionState.event_handlers["refresh_viewer"].fn(session)
    await worker1.close()

    worker2 = StateManagerRedis(redis=Redis.from_url(url))  # another backend process
    async with EventContext(token=ident, state_manager=worker2, enqueue_impl=no_enqueue):
        async with worker2.modify_state(questions_token) as root:
            questions = await root.get_state(QuestionsState)
            # The guard reads the token that worker 1 stored, from Redis.
            await QuestionsState.event_handlers["load"].fn(questions)
            await QuestionsState.event_handlers["search"].fn(questions, "conflict")
            stored = (questions.total, [q.id for q in questions.items], questions.items[0])
    await worker2.close()

    worker3 = StateManagerRedis(redis=Redis.from_url(url))
    async with EventContext(token=ident, state_manager=worker3, enqueue_impl=no_enqueue):
        root3 = await worker3.get_state(questions_token)
        questions3 = await root3.get_state(QuestionsState)
        read = (questions3.total, [q.id for q in questions3.items], questions3.items[0])
        viewer = (await worker3.get_state(session_token)).get_substate(
            SessionState.get_full_name().split(".")[1:]
        )
    await worker3.close()
    return stored, read, (viewer.viewer_name, viewer.auth_token == token_value)


def test_state_round_trips_through_real_redis(redis_url, session, make_user):
    user = make_user("redis@example.com", name="Rae")
    token = login_token(user)
    stored, read, viewer = run_async(_scenario(redis_url, token))
    assert stored[0] > 0
    assert read == stored
    assert viewer == ("Rae", True)
