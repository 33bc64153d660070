"""A field's reader, made for its shape, reads what Field.value reads: one column, columns joined, alternatives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.feed.layout import Field, _reader

CELLS = st.lists(st.sampled_from(["", " ", "2026-07-01", " 12:00:00 ", "Pad Thai", "x y"]), min_size=4, max_size=4)
COLUMNS = st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple)


@given(row=CELLS, alternatives=st.lists(COLUMNS, min_size=1, max_size=3).map(tuple))
def test_a_fields_reader_reads_as_the_field_does(row, alternatives):
    found = Field("spec", alternatives)
    assert _reader(found)(row) == found.value(row)
