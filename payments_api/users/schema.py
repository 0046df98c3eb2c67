from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class UserJWTScheme(SimpleJWTScheme):
    target_class = "payments_api.users.authentication.UserJWTAuthentication"
