"""Render deploy/nginx.conf.template for N dashboard replicas behind one address.

    python -m deploy.nginx --upstream 127.0.0.1:8501 --upstream 127.0.0.1:8502 \
        --listen 8080 --runtime-dir /var/lib/pinterest-dashboard/nginx > nginx.conf
    nginx -c "$PWD/nginx.conf" -t

The Content-Security-Policy is the app's own (web/headers.py: Streamlit's inline script hash
from the installed Streamlit, `frame-ancestors` from PINTEREST_DASHBOARD_FRAME_ANCESTORS), so
render again after upgrading Streamlit or changing that setting. With --tls-cert/--tls-key the
proxy terminates TLS on the --listen port, answers plain HTTP on --http-redirect-port with a
redirect, marks the replica cookie Secure and sends Strict-Transport-Security.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from web.headers import HeaderSettingError, content_security_policy, frame_ancestors

TEMPLATE: Final = Path(__file__).with_name("nginx.conf.template")
HSTS_MAX_AGE_S: Final = 31_536_000  # one year
# host:port with a host name, IPv4 address or [IPv6] address; nothing nginx could read as syntax.
_UPSTREAM: Final = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}")
_LISTEN: Final = re.compile(r"(?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):)?[0-9]{1,5}")
_SERVER_NAME: Final = re.compile(r"[A-Za-z0-9.*_-]+(?: [A-Za-z0-9.*_-]+)*")
_SIZE: Final = re.compile(r"[0-9]{1,6}[kKmM]?")
_SAFE_PATH: Final = re.compile(r"/[A-Za-z0-9._/+-]*")


class ProxyConfigError(ValueError):
    """A setting the proxy configuration cannot be rendered with (the message says which)."""


@dataclass(frozen=True)
class ProxySettings:
    upstreams: tuple[str, ...]  # host:port of each replica
    runtime_dir: Path  # pid, logs and nginx's temp files
    log_dir: Path | None = None  # error.log and access.log; default: runtime_dir
    logs_to_console: bool = False  # error log to stderr, access log to stdout (containers)
    listen: str = "8080"  # [address:]port the browsers connect to
    server_name: str = "_"
    max_body: str = "2m"
    frame_ancestors: str = "'self'"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    http_redirect_port: int = 80

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def check(self) -> None:
        if not self.upstreams:
            raise ProxyConfigError("Give at least one replica (--upstream host:port).")
        for upstream in self.upstreams:
            if not _UPSTREAM.fullmatch(upstream):
                raise ProxyConfigError(f"Not a replica address (host:port): {upstream!r}.")
        if len(set(self.upstreams)) != len(self.upstreams):
            raise ProxyConfigError("The same replica is listed twice.")
        if not _LISTEN.fullmatch(self.listen):
            raise ProxyConfigError(f"--listen must be a port or address:port: {self.listen!r}.")
        if not _SERVER_NAME.fullmatch(self.server_name):
            raise ProxyConfigError(f"Not a server name: {self.server_name!r}.")
        if not _SIZE.fullmatch(self.max_body):
            raise ProxyConfigError(f"--max-body must look like 2m or 512k: {self.max_body!r}.")
        paths = [self.runtime_dir, self.log_dir, self.tls_cert, self.tls_key]
        for path in (p for p in paths if p is not None):
            if not _SAFE_PATH.fullmatch(str(path)):
                raise ProxyConfigError(
                    f"Paths must be absolute, without spaces, quotes or ';': {str(path)!r}.")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ProxyConfigError("TLS needs both --tls-cert and --tls-key.")
        if not 0 < self.http_redirect_port < 65536:
            raise ProxyConfigError("--http-redirect-port must be a TCP port.")


def render(settings: ProxySettings) -> str:
    """The nginx.conf text for these settings (ProxyConfigError when one is unusable)."""
    settings.check()
    csp = content_security_policy(settings.frame_ancestors)
    if '"' in csp or "\\" in csp:  # web/headers.py only admits sources without quotes
        raise ProxyConfigError("The Content-Security-Policy cannot be quoted for nginx.")
    servers = "\n".join(f"        server {upstream} max_fails=1 fail_timeout=5s;"
                        for upstream in settings.upstreams)
    if settings.tls:
        listen = (f"        listen {settings.listen} ssl http2;\n"
                  f"        ssl_certificate {settings.tls_cert};\n"
                  f"        ssl_certificate_key {settings.tls_key};\n"
                  "        ssl_protocols TLSv1.2 TLSv1.3;\n"
                  "        ssl_session_cache shared:dashboard_tls:10m;")
        hsts = (f'        add_header Strict-Transport-Security "max-age={HSTS_MAX_AGE_S}" '
                "always;")
        address = settings.listen.rpartition(":")[0]  # the same address as --listen, if any
        redirect_listen = (f"{address}:{settings.http_redirect_port}" if address
                           else str(settings.http_redirect_port))
        redirect = ("    server {\n"
                    f"        listen {redirect_listen};\n"
                    f"        server_name {settings.server_name};\n"
                    "        return 308 https://$host$request_uri;\n"
                    "    }\n")
    else:
        listen, hsts, redirect = f"        listen {settings.listen};", "", ""
    log_dir = settings.log_dir or settings.runtime_dir
    fields = {
        "RUNTIME_DIR": str(settings.runtime_dir),
        "ERROR_LOG": "stderr" if settings.logs_to_console else f"{log_dir}/error.log",
        "ACCESS_LOG": "/dev/stdout" if settings.logs_to_console else f"{log_dir}/access.log",
        "MAX_BODY": settings.max_body,
        "COOKIE_SECURE": "; Secure" if settings.tls else "",
        "UPSTREAM_SERVERS": servers,
        "REDIRECT_SERVER": redirect,
        "LISTEN": listen,
        "SERVER_NAME": settings.server_name,
        "CSP": csp,
        "HSTS": hsts,
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in fields.items():
        text = text.replace(f"@@{name}@@", value)
    left = re.findall(r"@@[A-Z_]+@@", text)
    if left:
        raise ProxyConfigError(f"The template has fields this renderer does not fill: {left}.")
    return text


def prepare_runtime_dir(runtime_dir: Path) -> None:
    """Create the runtime folder nginx expects, open to its workers (they may run as another
    user; nginx creates its temp folders inside and gives them to the workers)."""
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o755)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.nginx",
        description="Render the nginx configuration for N dashboard replicas.")
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                        help="a replica's address (repeat for each replica)")
    parser.add_argument("--runtime-dir", type=Path, required=True,
                        help="absolute folder for nginx's pid, logs and temp files")
    parser.add_argument("--log-dir", type=Path, default=None,
                        help="folder of error.log and access.log (default: the runtime folder)")
    parser.add_argument("--logs-to-console", action="store_true",
                        help="error log to stderr, access log to stdout (in a container)")
    parser.add_argument("--listen", default="8080", help="[address:]port (default 8080)")
    parser.add_argument("--server-name", default="_", help="host name(s) (default: any)")
    parser.add_argument("--max-body", default="2m", help="largest request body (default 2m)")
    parser.add_argument("--tls-cert", type=Path, default=None)
    parser.add_argument("--tls-key", type=Path, default=None)
    parser.add_argument("--http-redirect-port", type=int, default=80,
                        help="with TLS: the plain-HTTP port that redirects (default 80)")
    parser.add_argument("--output", type=Path, default=None, help="file to write (default stdout)")
    parser.add_argument("--create-runtime-dir", action="store_true",
                        help="also create the runtime folder and its temp folders here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = ProxySettings(
            upstreams=tuple(args.upstream),
            runtime_dir=args.runtime_dir,
            log_dir=args.log_dir,
            logs_to_console=args.logs_to_console,
            listen=args.listen,
            server_name=args.server_name,
            max_body=args.max_body,
            frame_ancestors=frame_ancestors(),
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            http_redirect_port=args.http_redirect_port,
        )
        text = render(settings)
    except (ProxyConfigError, HeaderSettingError) as exc:
        print(f"deploy.nginx: {exc}", file=sys.stderr)
        return 2
    if args.create_runtime_dir:
        prepare_runtime_dir(settings.runtime_dir)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
