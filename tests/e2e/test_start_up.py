"""Starting a process reads no reference data: the lists are loaded when first asked."""

import subprocess
import sys

REFERENCE_DATA = ("pycountry", "iso4217", "babel", "stdnum")

PROBE = """
import pkgutil, sys
import oms.api.app, oms.cli, oms.domain
for module in pkgutil.walk_packages(oms.domain.__path__, "oms.domain."):
    __import__(module.name)
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))))
"""


def test_importing_the_app_the_cli_and_the_domain_loads_no_reference_data() -> None:
    probe = [sys.executable, "-c", PROBE, *REFERENCE_DATA]
    loaded = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
