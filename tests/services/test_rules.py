"""Rules shared by every layer: score bands, the answer-length target, and m:ss."""

import math

from prepple.services import delivery, recordings, reviews, rules, schedule
from prepple.services.feedback import engine


def test_one_m_ss_rule_cuts_whole_seconds_everywhere():
    cases = {
        None: "",
        0: "0:00",
        0.4: "0:00",
        5.999: "0:05",
        59.7: "0:59",  # the recorder's clock and the player read 0:59 at this moment
        60: "1:00",
        74.6: "1:14",
        75.0: "1:15",
        179.6: "2:59",  # still under the three-minute target
        3599.9: "59:59",
        3600: "60:00",
        -3: "0:00",
        math.nan: "0:00",
        math.inf: "0:00",
    }
    for seconds, label in cases.items():
        assert rules.clock(seconds) == label, seconds
    # The three formatters that rounded differently are now this one.
    for seconds in (0.5, 59.7, 74.6, 179.6):
        want = rules.clock(seconds)
        assert recordings.format_duration(seconds) == want
        assert reviews._clock(seconds) == want
        assert delivery._clock(seconds) == want


def test_thresholds_and_target_are_defined_once():
    assert rules.FAIR_SCORE < rules.STRONG_SCORE == schedule.STRONG_SCORE == 75
    assert rules.TARGET_SECONDS == (rules.TARGET_MIN, rules.TARGET_MAX) == (120, 180)
    assert engine.TARGET_SECONDS is rules.TARGET_SECONDS
    assert delivery._targets(math.nan, math.nan) == delivery._targets(0, 0) == (120.0, 180.0)
