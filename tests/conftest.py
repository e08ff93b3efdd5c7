import sys
from pathlib import Path

# `from helpers import ...` works however pytest is started.
sys.path.insert(0, str(Path(__file__).parent))

# Property tests: a bounded default keeps `make test` fast; `make test-deep` sets
# HYPOTHESIS_PROFILE=deep for many more examples.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is in the `test` extra; without it the property tests skip
    pass
else:
    import os

    _quiet_checks = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=_quiet_checks)
    settings.register_profile("deep", max_examples=500, deadline=None, suppress_health_check=_quiet_checks)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
