"""Every Excel upload answers a malformed workbook with 422 and the reason on the page, never a 500."""
from __future__ import annotations

import io

import pytest

from ..workbooks import malformed, sound
from .helpers import text

CASES = malformed(sound())


@pytest.mark.parametrize("url", ["/roster/import", "/holidays/import"])
def test_a_malformed_workbook_is_a_422_with_the_reason(client, auth, url):
    auth.as_("admin")
    for case, (data, words) in CASES.items():
        response = client.post(url, data={"file": (io.BytesIO(data), "bad.xlsx")}, content_type="multipart/form-data")
        assert response.status_code == 422, case
        assert words in text(response) and "不是有效的 Excel 工作簿" in text(response), case
