"""The portal's staff pages (政务公开 handled by staff), mounted at /staff/disclosure/."""

app_name = "portal_staff"
urlpatterns = []
