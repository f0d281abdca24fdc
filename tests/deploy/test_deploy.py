"""deploy/: the nginx configuration renders into something Debian's nginx accepts, refuses bad
settings with a sentence, and run-replicas.sh brings Redis, a replica and nginx up behind one
address and takes them all down again."""

from __future__ import annotations

import datetime
import http.client
import http.server
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from deploy.nginx import ProxyConfigError, ProxySettings, prepare_runtime_dir, render

REPO_ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
SCRIPT = REPO_ROOT / "deploy" / "run-replicas.sh"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_accepts(config: str, runtime_dir: Path) -> subprocess.CompletedProcess[str]:
    path = runtime_dir / "nginx.conf"
    path.write_text(config)
    return subprocess.run([NGINX, "-t", "-c", str(path), "-p", str(runtime_dir)],
                          capture_output=True, text=True, timeout=30, check=False)


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_the_rendered_configuration_passes_nginx_t(tmp_path: Path) -> None:
    prepare_runtime_dir(tmp_path)
    config = render(ProxySettings(upstreams=("127.0.0.1:8501", "127.0.0.1:8502", "localhost:8503"),
                                  runtime_dir=tmp_path, listen=f"127.0.0.1:{free_port()}"))
    checked = nginx_accepts(config, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "hash $replica_key consistent;" in config
    assert config.count("        server 127.0.0.1:85") == 2
    assert "server_tokens off;" in config
    assert "@@" not in config


def test_with_tls_it_redirects_plain_http_and_marks_the_cookie_secure(tmp_path: Path) -> None:
    prepare_runtime_dir(tmp_path)
    cert, key = self_signed(tmp_path)
    config = render(ProxySettings(upstreams=("127.0.0.1:8501",), runtime_dir=tmp_path,
                                  listen=str(free_port()), tls_cert=cert, tls_key=key,
                                  http_redirect_port=free_port()))
    checked = nginx_accepts(config, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "ssl http2;" in config
    assert "return 308 https://$host$request_uri;" in config
    assert "SameSite=Lax; Secure" in config
    assert "Strict-Transport-Security" in config


@pytest.mark.parametrize(("change", "says"), [
    ({"upstreams": ()}, "at least one replica"),
    ({"upstreams": ("127.0.0.1:8501; include /etc/passwd",)}, "Not a replica address"),
    ({"upstreams": ("a:1", "a:1")}, "twice"),
    ({"listen": "80 default_server"}, "--listen"),
    ({"max_body": "2g;"}, "--max-body"),
    ({"runtime_dir": Path("/tmp/with space")}, "Paths must be absolute"),
    ({"tls_cert": Path("/etc/ssl/c.pem")}, "both --tls-cert and --tls-key"),
])
def test_unusable_settings_are_refused_with_a_sentence(
    tmp_path: Path, change: dict[str, object], says: str
) -> None:
    settings = {"upstreams": ("127.0.0.1:8501",), "runtime_dir": tmp_path, **change}
    with pytest.raises(ProxyConfigError, match=says):
        render(ProxySettings(**settings))  # type: ignore[arg-type]


def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PINTEREST_DASHBOARD_FRAME_ANCESTORS": "'self'; script-src *"}
    done = subprocess.run(
        [sys.executable, "-m", "deploy.nginx", "--upstream", "127.0.0.1:8501",
         "--runtime-dir", str(tmp_path)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "PINTEREST_DASHBOARD_FRAME_ANCESTORS" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_run_replicas_starts_redis_replicas_and_nginx_and_stops_them(tmp_path: Path) -> None:
    """Demo mode (no Pinterest setting), one replica: the app answers through nginx with the
    headers; SIGTERM to the script stops Redis, the replica and nginx."""
    proxy_port, replica_port, redis_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINTEREST_")}
    env.update({"PROXY_LISTEN": f"127.0.0.1:{proxy_port}",
                "FIRST_REPLICA_PORT": str(replica_port), "REDIS_PORT": str(redis_port),
                "RUN_DIR": str(tmp_path / "run"), "PYTHON": sys.executable})
    script = subprocess.Popen(["bash", str(SCRIPT), "1"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        headers = None
        while time.monotonic() < deadline and script.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{proxy_port}/", timeout=2) as page:
                    headers = page.headers
                    break
            except OSError:
                time.sleep(0.5)
        assert headers is not None, "nginx did not answer"
        assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
        assert "dashboard_replica=" in (headers.get("Set-Cookie") or "")
        log = (tmp_path / "run" / "nginx" / "access.log").read_text()
        assert f"replica=127.0.0.1:{replica_port}" in log
        with socket.create_connection(("127.0.0.1", redis_port), timeout=2) as redis:
            redis.sendall(b"PING\r\n")
            assert redis.recv(16).startswith(b"+PONG")
    finally:
        script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(script.pid, signal.SIGKILL)
            raise
    for port in (proxy_port, replica_port, redis_port):
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass


class _Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"replica"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_tls_through_nginx_hsts_secure_cookie_and_redirect(tmp_path: Path) -> None:
    """nginx terminates TLS in front of a replica: the answer carries HSTS and a Secure replica
    cookie, and plain HTTP is redirected to https."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    runtime = tmp_path / "nginx"
    prepare_runtime_dir(runtime)
    tmp_path.chmod(0o755)
    cert, key = self_signed(tmp_path)
    tls_port, plain_port = free_port(), free_port()
    config = render(ProxySettings(
        upstreams=(f"127.0.0.1:{upstream.server_address[1]}",), runtime_dir=runtime,
        listen=f"127.0.0.1:{tls_port}", tls_cert=cert, tls_key=key,
        http_redirect_port=plain_port))
    (runtime / "nginx.conf").write_text(config)
    nginx = subprocess.Popen([NGINX, "-c", str(runtime / "nginx.conf"), "-p", str(runtime),
                              "-g", "daemon off;"], stderr=subprocess.DEVNULL,
                             start_new_session=True)
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{tls_port}/", timeout=2,
                                            context=insecure) as answer:
                    assert answer.read() == b"replica"
                    headers = answer.headers
                break
            except OSError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise
                time.sleep(0.2)
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        cookie = headers["Set-Cookie"] or ""
        assert cookie.startswith("dashboard_replica=") and cookie.endswith("; Secure")
        assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
        connection = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10)
        try:
            connection.request("GET", "/campaigns?account=1")
            redirect = connection.getresponse()
            assert redirect.status == 308
            assert redirect.headers["Location"] == "https://127.0.0.1/campaigns?account=1"
        finally:
            connection.close()
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()
