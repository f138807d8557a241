"""deploy/nginx.conf in front of two instances that share a database and Redis, over TLS
with a self-signed certificate: plain HTTP redirects to HTTPS, HSTS on every answer,
HTTP/2 offered; sticky by a cookie (not by address), long-polling and WebSocket both
through it, and what one instance's resident writes reaches the other's. Behind a trusted
proxy the app sees each resident's own address."""

from __future__ import annotations

import collections
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio  # type: ignore[import-untyped]
from flask import Flask
from flask.testing import FlaskClient
from processes import app_env, free_port, serving

from .conftest import NS, open_meeting

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
ROUTE = "facilitate_route"


def site_for(http: int, https: int, ports: list[int], certificate: Path, key: Path) -> str:
    """The example file as shipped, pointed at this test's ports, instances and certificate."""
    text = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in ports)
    for pattern, replacement in [
        (r"(?:    server 127\.0\.0\.1:\d+;\n)+", servers),
        (r"listen 80;", f"listen 127.0.0.1:{http};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        (r"ssl_certificate \S+;", f"ssl_certificate {certificate};"),
        (r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};"),
    ]:
        text, found = re.subn(pattern, replacement, text)
        assert found == 1, pattern
    return text


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, its own authority: the clients trust exactly it."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return certificate, key


def trusting(certificate: Path) -> requests.Session:
    """A session that trusts exactly ``certificate``: not the environment's CA bundle
    (REQUESTS_CA_BUNDLE would override ``verify``), nor any proxy it names."""
    web = requests.Session()
    web.trust_env = False
    web.verify = str(certificate)
    return web


@pytest.fixture
def proxy(
    app: Flask, app_config: dict[str, Any], redis_url: str, meeting_id: int, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: apt-get install -y nginx-light (make test does)")
    open_meeting(app, meeting_id)
    common = {
        "SECRET_KEY": "deploy-tests",
        "DATABASE_URL": app_config["DATABASE_URL"],
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        "SOCKETIO_CHANNEL": f"facilitate-test-{secrets.token_hex(6)}",
        "TRUSTED_PROXIES": "1",
        "HTTPS": "1",
    }
    http, https = free_port(), free_port()
    ports = [free_port(), free_port()]
    certificate, key = self_signed(tmp_path)
    (tmp_path / "site.conf").write_text(site_for(http, https, ports, certificate, key))
    (tmp_path / "nginx.conf").write_text(
        f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
daemon off;
worker_processes 1;
events {{}}
http {{
    log_format routed '$cookie_{ROUTE} $upstream_addr $uri';
    access_log {tmp_path}/access.log routed;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {tmp_path}/site.conf;
}}
"""
    )
    with ExitStack() as stack:
        for n, port in enumerate(ports):
            env = app_env(tmp_path, PORT=str(port), **common)
            stack.enter_context(serving(env, tmp_path / f"server-{n}.log"))
        server = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            stderr=subprocess.DEVNULL,  # its error_log is in tmp_path
        )
        stack.callback(server.wait, 10)
        stack.callback(server.terminate)
        url = f"https://127.0.0.1:{https}"
        web = trusting(certificate)
        for _ in range(50):
            try:
                web.get(f"{url}/join", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield {
            "url": url,
            "http_url": f"http://127.0.0.1:{http}",
            "https_port": https,
            "certificate": certificate,
            "web": web,
            "ports": ports,
            "log": tmp_path / "access.log",
        }


def routes(log: Path, keys: list[str]) -> dict[str, set[str]]:
    """Which instances served each of ``keys``, from nginx's access log.

    nginx writes a request's line after sending its response, so wait for them."""
    deadline = time.monotonic() + 10
    while True:
        served = collections.defaultdict(set)
        for line in log.read_text().splitlines():
            cookie, upstream, _ = line.split(" ", 2)
            served[cookie].add(upstream)
        if all(served[key] for key in keys) or time.monotonic() > deadline:
            return served
        time.sleep(0.05)


def test_plain_http_redirects_to_https(proxy: dict[str, Any]) -> None:
    answer = proxy["web"].get(f"{proxy['http_url']}/join?code=AB", allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/join?code=AB"


def test_https_answers_carry_hsts_and_secure_cookies(proxy: dict[str, Any]) -> None:
    for path in ("/join", "/socket.io/?EIO=4&transport=polling"):
        answer = proxy["web"].get(f"{proxy['url']}{path}", timeout=5)
        assert answer.ok, path
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000", path
        cookies = answer.raw.headers.getlist("Set-Cookie")
        route = [c for c in cookies if c.startswith(f"{ROUTE}=")]
        assert route, path
        assert all("Secure" in c for c in route), path
    # HTTPS=1 reaches the app: its own cookies are Secure too.
    login = proxy["web"].get(f"{proxy['url']}/login", timeout=5)
    session_cookies = [c for c in login.raw.headers.getlist("Set-Cookie") if "session=" in c]
    assert session_cookies
    assert all("Secure" in c for c in session_cookies)


def test_https_offers_http2(proxy: dict[str, Any]) -> None:
    context = ssl.create_default_context(cafile=str(proxy["certificate"]))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", proxy["https_port"]), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_sticky_by_cookie_spread_over_instances(proxy: dict[str, Any]) -> None:
    web = proxy["web"]
    first = web.get(f"{proxy['url']}/join", timeout=5)
    assert first.status_code == 200
    assert ROUTE in first.cookies  # a browser without one is given a key
    keys = [secrets.token_hex(8) for _ in range(16)]
    for _ in range(3):
        for key in keys:
            web.cookies.clear()
            assert web.get(f"{proxy['url']}/join", cookies={ROUTE: key}, timeout=5).ok
    served = routes(proxy["log"], keys)
    assert all(len(served[key]) == 1 for key in keys)  # each key stays on one instance
    used = {next(iter(served[key])) for key in keys}
    assert used == {f"127.0.0.1:{port}" for port in proxy["ports"]}  # and keys spread


def test_residents_on_two_instances_through_the_proxy_see_each_other(
    proxy: dict[str, Any], meeting_id: int, join: Callable[..., str]
) -> None:
    keys: dict[str, str] = {}
    while len(keys) < 2:  # a key for each instance
        key = secrets.token_hex(8)
        # A fresh session each time: the key must be the only route cookie sent.
        trusting(proxy["certificate"]).get(f"{proxy['url']}/join", cookies={ROUTE: key}, timeout=5)
        keys.setdefault(next(iter(routes(proxy["log"], [key])[key])), key)
    (anna_key, bo_key) = keys.values()
    heard: list[Any] = []
    # Both transports through TLS, trusting exactly the test's certificate.
    anna, bo = (socketio.Client(http_session=trusting(proxy["certificate"])) for _ in "ab")
    bo.on("contribution", heard.append, namespace=NS)
    try:
        anna.connect(
            proxy["url"],
            namespaces=[NS],
            auth={"token": join(meeting_id, "Anna")},
            headers={"Cookie": f"{ROUTE}={anna_key}"},
            transports=["websocket"],
            wait_timeout=5,
        )
        bo.connect(
            proxy["url"],
            namespaces=[NS],
            auth={"token": join(meeting_id, "Bo")},
            headers={"Cookie": f"{ROUTE}={bo_key}"},
            transports=["polling"],  # a phone whose network blocks WebSockets
            wait_timeout=5,
        )
        answer = anna.call(
            "contribution_add", {"client_id": "via-nginx", "text": "Hörs det?"}, namespace=NS
        )
        assert answer["ok"] is True
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [c["text"] for c in heard] == ["Hörs det?"]
    finally:
        for client in (anna, bo):
            client.disconnect()
    served = routes(proxy["log"], [anna_key, bo_key])
    assert len(served[anna_key] | served[bo_key]) == 2  # really on two instances


LIMITED = {"RATELIMIT_ENABLED": True, "JOIN_FAILURE_LIMIT": "3 per minute"}


def missed_join(client: FlaskClient, address: str) -> int:
    """A join with a wrong code, from ``address`` as a proxy in front would forward it."""
    response = client.post(
        "/api/v1/join", json={"join_code": "ZZZZ2222"}, headers={"X-Forwarded-For": address}
    )
    return response.status_code


@pytest.mark.parametrize("app_config", [{**LIMITED, "TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_a_trusted_proxy_limits_count_each_resident(client: FlaskClient) -> None:
    assert [missed_join(client, "203.0.113.5") for _ in range(4)] == [404, 404, 404, 429]
    assert missed_join(client, "203.0.113.6") == 404  # another resident behind the same proxy


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True)
def test_without_trusted_proxy_forwarded_address_is_ignored(client: FlaskClient) -> None:
    # Not spoofable: a client cannot escape the limit by making up addresses.
    assert [missed_join(client, f"203.0.113.{n}") for n in range(4)] == [404, 404, 404, 429]
