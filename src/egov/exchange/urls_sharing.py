"""Staff pages of data sharing, mounted at /staff/exchange/sharing/ (namespace ``exchange_sharing``)."""

from django.urls import path

from egov.exchange import views_sharing

app_name = "exchange_sharing"
urlpatterns = [
    path("", views_sharing.request_list, name="requests"),
    path("new/", views_sharing.request_new, name="request_new"),
    path("grants/", views_sharing.grant_list, name="grants"),
    path("grants/<int:grant_id>/", views_sharing.grant_detail, name="grant"),
    path("grants/<int:grant_id>/revoke/", views_sharing.grant_revoke, name="grant_revoke"),
    path("subscriptions/", views_sharing.subscription_list, name="subscriptions"),
    path("subscriptions/<int:subscription_id>/", views_sharing.subscription_detail, name="subscription"),
    path("subscriptions/<int:subscription_id>/replay/", views_sharing.subscription_replay,
         name="subscription_replay"),
    path("<str:number>/", views_sharing.request_detail, name="request"),
    path("<str:number>/decide/", views_sharing.request_decide, name="request_decide"),
    path("<str:number>/withdraw/", views_sharing.request_withdraw, name="request_withdraw"),
]
