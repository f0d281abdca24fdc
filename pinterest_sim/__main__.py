"""``python -m pinterest_sim --host 127.0.0.1 --port PORT``: serve the simulator on loopback.

Prints ``Pinterest simulator listening on http://HOST:PORT/v5`` once it accepts requests; stop it
with Ctrl-C. Every setting besides host and port comes from the environment:

  PINTEREST_SIM_TOKEN         bearer token the API accepts (default: demo-token)
  PINTEREST_SIM_SEED          seed of the simulated world and its numbers (default: 7)
  PINTEREST_SIM_REPORT_DELAY  seconds an async report stays IN_PROGRESS (default: 3)
  PINTEREST_SIM_BULK_DELAY    seconds a bulk download stays RUNNING (default: 2)
  PINTEREST_SIM_FAULTS        comma-separated name=value, e.g. "latency=0.15,error_rate=0.1":
                              latency (s), error_rate (0-1), error_status (503 or 500),
                              storm_429 (1/0), storm_reset_s, hang (s), hang_rate (0-1),
                              malformed_rate, truncated_rate, report_failure_rate,
                              bulk_failure_rate (0-1), seed
  PINTEREST_SIM_RATE_LIMITS   comma-separated name=value (requests per token):
                              ads_analytics=300, ads_read=1000, org_read=1000 (per minute),
                              per_second=100, trial=0 (1: trial tier, trial_per_day=1000 a
                              UTC day, 429s reset at midnight), enabled=1
  PINTEREST_SIM_REDIRECT_URIS comma-separated redirect URIs registered for the OAuth app
                              (default: any absolute http(s) URI)


The OAuth app is ``sim-app`` / ``sim-secret`` and the first refresh token ``sim-refresh-0``.
Sign-in: the authorize page is http://HOST:PORT/oauth/ (choose a simulated person, Allow or
Cancel); codes are exchanged at POST /v5/oauth/token. Personal tokens of the other people:
agency-token, analyst-token, finance-token, pinner-token (see pinterest_sim/users.py).
Test hooks (no auth): GET /_sim/stats, POST /_sim/reset-stats, GET and POST /_sim/faults,
POST /_sim/tokens ({"access_expired": bool, "refresh_revoked": bool}) and
POST /_sim/accounts/{id} ({"deleted": bool}).
"""

from __future__ import annotations

import argparse
import sys

from pinterest_sim.clock import SystemClock
from pinterest_sim.config import SimConfig
from pinterest_sim.server import SimServer
from pinterest_sim.simulator import Simulator

# The environment part of this module's docstring, shown by --help.
_ENVIRONMENT = (__doc__ or "").split("with Ctrl-C. ", 1)[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pinterest_sim", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A local Pinterest API v5 (ads, analytics, reports, bulk, OAuth) over HTTP.",
        epilog=_ENVIRONMENT)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8765,
                        help="port to listen on (default: 8765; 0 picks a free port)")
    args = parser.parse_args(argv)
    try:
        config = SimConfig.from_env()
    except ValueError as exc:  # a mistyped PINTEREST_SIM_* value: say which, no traceback
        parser.error(f"bad PINTEREST_SIM_* setting: {exc}")
    sim = Simulator(config, clock=SystemClock())
    server = SimServer(sim.responder, args.host, args.port)
    print(f"Pinterest simulator listening on {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
