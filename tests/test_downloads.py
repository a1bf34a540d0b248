"""Tables written as the CSV and Excel files people download."""

import numpy as np
import pandas as pd
import pyarrow as pa
from downloads_support import as_downloaded

from thinktank import browse


def test_list_cells_are_written_as_people_type_them_with_missing_entries_left_empty():
    frame = pd.DataFrame({
        "sparkline": pd.Series([[1.5, None, 2.0], None], dtype=pd.ArrowDtype(pa.list_(pa.float64()))),
        "groups": [np.array(["locality", "age_band"]), np.array([], dtype=str)],
        "figures": [np.array([3.0, np.nan]), np.array([7023.0])],
    })
    for kind, rows in as_downloaded(frame).items():
        assert [row["sparkline"] for row in rows] == ["1.5, , 2", ""], kind
        assert [row["groups"] for row in rows] == ["locality, age_band", ""], kind
        assert [row["figures"] for row in rows] == ["3, ", "7023"], kind


def test_the_catalogue_download_lists_breakdowns_as_text_in_csv_and_excel(store):
    indicators = browse.indicators(store.cursor())
    for kind, rows in as_downloaded(indicators).items():
        eh01 = next(row for row in rows if row["id"] == "EH01")
        assert eh01["breakdowns"] == "locality, age_band", kind
        assert eh01["priority_names"] == "Early help", kind
