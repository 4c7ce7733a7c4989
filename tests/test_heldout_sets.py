"""The committed held-out sets stay scoreable: well-formed, and fair to a perfect anonymiser."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from check_heldout import check_folder  # noqa: E402


@pytest.mark.parametrize("folder", ["heldout", "heldout2", "heldout3"])
def test_held_out_folder_is_well_formed(folder: str) -> None:
    assert check_folder(BENCH / folder) == []
