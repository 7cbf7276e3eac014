import pytest

from core.durations import human_minutes


@pytest.mark.parametrize("minutes, said", [
    (None, "—"), (0, "0 分钟"), (30, "30 分钟"), (59.6, "60 分钟"), (60, "1 小时"), (90, "约 1.5 小时"),
    (125, "约 2 小时"), (600, "10 小时"), (755, "约 13 小时"), (1435, "约 1 天"), (1440, "1 天"),
    (2160, "约 1.5 天"), (4320, "3 天"), (20000, "约 14 天"),
])
def test_durations_read_as_people_say_them(minutes, said):
    assert human_minutes(minutes) == said
