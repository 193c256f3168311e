"""Files the pages and the API hand out for saving: one way to answer each kind."""

from __future__ import annotations

from fastapi.responses import Response


def csv_download(text: str, filename: str) -> Response:
    """A CSV table to save as `filename` (UTF-8)."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
