"""Every server-rendered page, as one router the app includes: the back office (login,
Today, orders, account), its static files, and the customer's tracking page."""

from __future__ import annotations

from fastapi import APIRouter

from oms.web import account, assets, auth, order_page, orders_list, today, tracking
from oms.web.stock_list import router as stock_list
from oms.web.stock_row import router as stock_row

router = APIRouter(include_in_schema=False)
for module in (assets, auth, today, orders_list, order_page, account, tracking):
    router.include_router(module.router)
router.include_router(stock_list)  # the stock list and the backorders
router.include_router(stock_row)  # a stock row, its ledger, counts and adjustments
