"""A reference as someone types it: Crockford decoding (O as 0, I and L as 1), any case, with or
without the country and its dash, spaces tolerated."""

from __future__ import annotations

import pytest

from grievance.models.case import CROCKFORD, new_reference, read_reference


@pytest.mark.parametrize("typed, read", [
    ("KH-7Q4K2M", ("KH", "7Q4K2M")),
    ("kh-7q4k2m", ("KH", "7Q4K2M")),
    ("KH7Q4K2M", ("KH", "7Q4K2M")),
    ("  kh - 7q4 k2m ", ("KH", "7Q4K2M")),
    ("7Q4K2M", (None, "7Q4K2M")),
    ("ID-O1L0I9", ("ID", "011019")),  # O for 0, I and L for 1 in the code
    ("id-oiloi9", ("ID", "011019")),
    ("LS-LLLLLL", ("LS", "111111")),  # the country's letters stay letters
    ("ido1l0i9", ("ID", "011019")),
])
def test_typed_references_are_read(typed, read):
    assert read_reference(typed) == read


@pytest.mark.parametrize("typed", ["", "   ", "KH-7Q4K2", "KH-7Q4K2MX", "KH-7Q4K2U", "K1-7Q4K2M", "7Q4-K2M",
                                   "+6281298765432", "upah lembur", "KH_7Q4K2M"])
def test_what_cannot_be_a_reference_is_refused(typed):
    assert read_reference(typed) is None


def test_every_new_reference_reads_back_as_itself():
    for _ in range(200):
        reference = new_reference("KH")
        assert read_reference(reference) == ("KH", reference[3:])
        assert set(reference[3:]) <= set(CROCKFORD)
