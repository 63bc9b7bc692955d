import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def clock(time_machine):
    """The clock frozen 5 seconds into a 30-second step, so that moves of a few seconds (past the pause after a wrong
    code) stay inside it; codes are computed at this clock."""
    start = (int(timezone.now().timestamp()) // 30) * 30 + 5
    time_machine.move_to(dt.datetime.fromtimestamp(start, tz=dt.UTC), tick=False)
    return time_machine
