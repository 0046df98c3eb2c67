"""How passwords are hashed: Argon2id with the parameters this service states (docs/security.md, "Passwords")."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane.

    One lane: a login takes one core, never all of them (Django's own parameters, 8 lanes of 100 MiB, run eight
    threads per login on a machine of two cores). The algorithm's name stays Django's ("argon2"), so a hash made with
    other parameters is verified and, on its user's next login, re-made with these (must_update compares them).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
