import os

from hypothesis import HealthCheck, settings

# Gradient checks are deterministic and moderately slow: no deadline, a modest
# number of examples (raise it with HYPOTHESIS_PROFILE=thorough).
settings.register_profile(
    "default", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# CI draws the same examples on every run (a landing never depends on luck); local runs
# keep exploring new ones and replay any failure from .hypothesis/.
settings.register_profile(
    "ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
