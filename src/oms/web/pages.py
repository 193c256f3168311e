"""Every server-rendered page, as one router the app includes: the back office (login,
Today, orders, account), its static files, and the customer's tracking page."""

from __future__ import annotations

from fastapi import APIRouter

from oms.web import (
    account,
    assets,
    auth,
    channels,
    delivery_pages,
    driver,
    locations,
    lost_pages,
    mailbox,
    money_pages,
    order_edit_pages,
    order_page,
    order_problems,
    orders_list,
    planning_pages,
    products,
    purchase_order_form,
    purchasing_pages,
    report_business,
    report_flow,
    report_stock,
    reports,
    return_pages,
    return_policies,
    return_resolutions,
    service_pages,
    station,
    station_pack,
    stock_list,
    stock_row,
    supplier_pages,
    today,
    track_receipt,
    track_returns,
    tracking,
    users,
    webhooks,
)

router = APIRouter(include_in_schema=False)
# Before return_pages, whose /returns/{id} would otherwise take /returns/policies.
router.include_router(return_policies.router)
# Before order_page, whose POST /orders/{id}/{action} would otherwise take /orders/{id}/returns.
router.include_router(return_pages.router)
router.include_router(return_resolutions.router)
# Before order_page too: POST /orders/{id}/payments is a form of its own, not an action.
router.include_router(money_pages.router)
router.include_router(order_problems.router)  # POST /orders/{id}/problems, before order_page
router.include_router(lost_pages.router)  # declare a parcel lost, send it again
router.include_router(order_edit_pages.router)  # order edits before picking (order.edit)
# Before tracking, whose GET /track/{token:path} would otherwise take /track/{token}/return.
router.include_router(track_returns.router)
router.include_router(track_receipt.router)
for module in (assets, auth, today, orders_list, order_page, account, tracking):
    router.include_router(module.router)
for module in (station, station_pack):
    router.include_router(module.router)
for module in (delivery_pages, driver):  # local delivery: the dispatcher's and the driver's
    router.include_router(module.router)
for module in (stock_list, stock_row):  # the stock list, backorders, a stock row
    router.include_router(module.router)
for module in (products, locations, users):  # catalogue, locations, users (admin)
    router.include_router(module.router)
router.include_router(service_pages.router)  # the service queue, the customer view
router.include_router(reports.router)  # stage times, the bottleneck, late rates; CSV
router.include_router(report_flow.router)  # work in progress; open orders by age
router.include_router(report_business.router)  # perfect orders, returns, cash, loyalty
router.include_router(mailbox.router)  # the local mailbox folder (admin, without SMTP)
router.include_router(webhooks.router)  # webhooks, their logs, dead deliveries (admin)
router.include_router(channels.router)  # channels as records, their webhooks, CSV upload
router.include_router(report_stock.router)  # stock-out, overstock, dead stock, value at cost
# Before purchasing_pages, whose /purchase-orders/{id} would otherwise take /new.
router.include_router(purchase_order_form.router)  # planning (issue 13): a draft by hand
router.include_router(purchasing_pages.router)  # planning (issue 13): purchase orders
router.include_router(planning_pages.router)  # suggestions, understock, a product's chart
router.include_router(supplier_pages.router)  # planning (issue 13): suppliers
