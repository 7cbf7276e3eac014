from django.urls import path

from . import views

app_name = "stewardship"
urlpatterns = [
    path("", views.index, name="index"),
    path("funds/", views.funds, name="funds"),
    path("funds/new/", views.fund_year_new, name="fund_year_new"),
    path("funds/<int:pk>/", views.fund_year, name="fund_year"),
    path("funds/<int:pk>/ledger.xlsx", views.fund_year_xlsx, name="fund_year_xlsx"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("vouchers/<int:pk>/", views.voucher, name="voucher"),
    path("approvals/", views.approvals, name="approvals"),
    path("premises/", views.premises, name="premises"),
    path("premises/new/", views.premises_new, name="premises_new"),
    path("premises/<int:pk>/", views.premises_detail, name="premises_detail"),
    path("assets/", views.assets, name="assets"),
    path("assets/ledger.xlsx", views.assets_xlsx, name="assets_xlsx"),
    path("assets/new/", views.asset_new, name="asset_new"),
    path("assets/<int:pk>/", views.asset, name="asset"),
    path("inventories/new/", views.inventory_new, name="inventory_new"),
    path("inventories/<int:pk>/", views.inventory, name="inventory"),
    path("standards/", views.standards, name="standards"),
]
