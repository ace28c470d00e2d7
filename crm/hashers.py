"""Password hashing: Argon2id with costs chosen for a sign-in that answers quickly.

Django's Argon2 defaults (100 MiB, 2 passes, 8 lanes) take about 0.3 s per check on this
project's two-core server, on top of the rest of the request; the PBKDF2 hasher before them
took 0.5-0.9 s. These costs are OWASP's minimum Argon2id configuration (19 MiB, 2 passes,
1 lane): about 35 ms per check here, with memory hardness that keeps guessing on GPUs
expensive. Hashes made with other costs, or by the PBKDF2 hasher, are rewritten with these
at the user's next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id (the variant Django uses) at 19 MiB, two passes, one lane."""

    memory_cost = 19456  # KiB
    time_cost = 2
    parallelism = 1
