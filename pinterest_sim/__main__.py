"""``python -m pinterest_sim --host 127.0.0.1 --port PORT``: serve the simulator on loopback.

Configuration comes from the environment (``PINTEREST_SIM_TOKEN``, ``PINTEREST_SIM_SEED``,
``PINTEREST_SIM_FAULTS``, ``PINTEREST_SIM_RATE_LIMITS``, ...; see ``SimConfig.from_env``).
"""

from __future__ import annotations

import argparse
import sys

from pinterest_sim.clock import SystemClock
from pinterest_sim.config import SimConfig
from pinterest_sim.server import SimServer
from pinterest_sim.simulator import Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pinterest_sim",
                                     description="Local Pinterest API v5 simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    args = parser.parse_args(argv)
    sim = Simulator(SimConfig.from_env(), clock=SystemClock())
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
