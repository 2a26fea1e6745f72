"""The portal's public pages, mounted at the root of the public site."""

app_name = "portal"
urlpatterns = []
