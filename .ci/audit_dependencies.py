"""Fail on a known vulnerability in the locked dependencies; say so plainly when they could not be checked.

pip-audit asks PyPI's JSON API for each package's advisories. Where that API cannot be reached (a network that
only mirrors the package index), pip-audit marks every package "could not be audited" and still reports "no known
vulnerabilities": this script turns that into an explicit SKIPPED line instead of a silent pass or a failure.
"""

import json
import subprocess
import sys
import tempfile


def main(requirements: str) -> int:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        run = subprocess.run(
            [sys.executable, "-m", "pip_audit", "-r", requirements, "--no-deps", "--disable-pip",
             "--progress-spinner", "off", "--timeout", "10", "-f", "json", "-o", report.name],
            capture_output=True, text=True,
        )
        try:
            dependencies = json.load(open(report.name))["dependencies"]
        except (ValueError, KeyError):
            print(f"pip-audit: SKIPPED, the vulnerability service could not be used:\n{run.stderr.strip()}")
            return 0

    vulnerable = [d for d in dependencies if d.get("vulns")]
    unaudited = [d for d in dependencies if "skip_reason" in d]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        return 1
    audited = len(dependencies) - len(unaudited)
    if audited == 0:
        print(f"pip-audit: SKIPPED, none of the {len(dependencies)} locked packages could be looked up "
              "(PyPI's vulnerability data is unreachable from this network); see docs/security.md")
    else:
        print(f"pip-audit: no known vulnerabilities in {audited} packages ({len(unaudited)} could not be looked up)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
