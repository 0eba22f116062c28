"""Hypothesis profiles (MyGrad's scheme): `ci` small and derandomized, `dev` (default) more, `intense` many.
Pick one with HYPOTHESIS_PROFILE=ci|dev|intense; scripts/test.sh sets `ci`."""
import os

from hypothesis import HealthCheck, Phase, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.filter_too_much])
settings.register_profile("ci", max_examples=12, derandomize=True, print_blob=True,
                          phases=[p for p in Phase if p is not Phase.explain], **_common)
settings.register_profile("dev", max_examples=40, **_common)
settings.register_profile("intense", max_examples=500, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
