"""Documents: a report as PDF and the export of a period as XLSX, CSV or PDF."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.documents import export
from handlers.documents.export import export_button, export_files
from handlers.documents.report_pdf import send_pdf

__all__ = ["create_router", "export_button", "export_files", "send_pdf"]


def create_router() -> Router:
    return feature_router(
        "documents",
        export.create_router(),
    )
