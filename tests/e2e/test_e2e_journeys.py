"""Every journey, in a real browser on a small phone: with JavaScript, without, by keyboard."""

import pytest

from tests.e2e import journeys, journeys_consultations, journeys_events, journeys_groups

JOURNEYS = (journeys.JOURNEYS + journeys_groups.JOURNEYS + journeys_events.JOURNEYS
            + journeys_consultations.JOURNEYS)


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.__name__)
def test_journey(journey, visitor, server):
    journey(visitor, server)
    assert visitor.checked, "a journey checks the pages it reaches"
