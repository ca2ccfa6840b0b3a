from __future__ import annotations

from hypothesis import settings

from tests.store_machine import StoreMachine

TestInMemoryStore = StoreMachine.TestCase
TestInMemoryStore.settings = settings(max_examples=75, stateful_step_count=30, deadline=None)
