"""The nearest-rank percentile against its definition: the smallest value that at least p% of the values
are at most."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from common.statistics import nearest_rank, percentile, tally_percentile

PERCENTS = st.sampled_from([1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100])


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=300), PERCENTS)
def test_the_percentile_is_the_smallest_value_that_p_percent_are_at_most(values, percent):
    p = percentile(values, percent)
    assert 100 * sum(v <= p for v in values) >= percent * len(values)
    assert all(
        100 * sum(v <= smaller for v in values) < percent * len(values) for smaller in {v for v in values if v < p}
    )


@given(st.dictionaries(st.integers(0, 5000), st.integers(1, 40), min_size=1, max_size=80), PERCENTS)
def test_a_tally_gives_the_percentile_of_the_values_it_counts(counts, percent):
    values = [value for value, count in counts.items() for _ in range(count)]
    assert tally_percentile(sorted(counts.items()), len(values), percent) == percentile(values, percent)


def test_ranks_of_one_count_and_of_many_agree_and_ten_orders_have_their_ninth_as_p90():
    totals = np.arange(0, 500)
    assert nearest_rank(totals, 90).tolist() == [nearest_rank(int(n), 90) for n in totals]
    assert nearest_rank(10, 90) == 9 and nearest_rank(11, 90) == 10 and nearest_rank(0, 90) == 1
    assert percentile([], 90) is None and tally_percentile([], 0, 90) is None
