from django.urls import path

from egov.accounts import views

app_name = "accounts"
urlpatterns = [
    path("register/person/", views.register_natural_person, name="register_natural_person"),
    path("register/legal-person/", views.register_legal_person, name="register_legal_person"),
    path("login/", views.public_login, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/verify/", views.verify, name="verify"),
    path("me/verify/province/", views.verify_oidc, name="verify_oidc"),
    path("me/verify/province/done/", views.verify_oidc_done, name="verify_oidc_done"),
]
