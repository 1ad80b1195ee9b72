"""moto's server on 127.0.0.1, for code in other processes (`AWS_ENDPOINT_URL=http://...`).

moto's `ThreadedMotoServer` application, bound in the caller's thread (a port in use is an
error at once) and only on loopback. It shares moto's state with this process.
"""

from __future__ import annotations

import errno
import logging
import threading
from typing import TYPE_CHECKING, Any

from course_cli.errors import UsageError

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

HOST = "127.0.0.1"
HOST_REGION = "us-east-1"


class SandboxPortInUseError(UsageError):
    """The port asked for is taken by another program."""


class MotoServer:
    """moto's AWS endpoints over HTTP on `127.0.0.1:port` (port 0: a free one)."""

    def __init__(self, port: int = 0) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # werkzeug logs every request on stderr; the sandbox's own output says what matters.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app: Any = DomainDispatcherApplication(create_backend_app)
        _check_port_free(port)
        try:  # a race lost since the check: werkzeug exits rather than raising
            self._server: BaseWSGIServer = make_server(
                HOST, port, app, threaded=True, request_handler=MotoRequestHandler
            )
        except SystemExit:  # werkzeug exits instead of raising for some bind errors
            raise SandboxPortInUseError(f"port {port} is in use") from None
        self.port: int = self._server.server_address[1]
        # A short poll: `stop` waits for the loop to notice, 0.5 s at the default interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="course-moto-server",
            daemon=True,
        )
        self._thread.start()

    def prepare(self, services: tuple[str, ...]) -> None:
        """Build moto's handlers of `services` (signing names, e.g. "apigateway") now, in a
        thread of their own: moto builds each on its first request, and another process's
        first call would wait for it. Returns at once."""
        app = self._server.app

        def build() -> None:
            for service in services:
                scope = f"Credential=x/20240101/{HOST_REGION}/{service}/aws4_request"
                app.get_application(  # type: ignore[attr-defined]
                    {
                        "PATH_INFO": "/",
                        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 {scope}, Signature=x",
                        "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.ListTables",
                    }
                )

        threading.Thread(target=build, name="course-moto-prepare", daemon=True).start()

    @property
    def endpoint_url(self) -> str:
        """What `AWS_ENDPOINT_URL` must say for boto3 and the AWS CLI to use this server."""
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def _check_port_free(port: int) -> None:
    """Bind once ourselves: werkzeug prints and exits on a taken port instead of raising."""
    import socket

    if port == 0:
        return
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind((HOST, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SandboxPortInUseError(
                f"port {port} is in use; the sandbox cannot listen there",
                hint="choose another --port, or leave it out to take a free one",
            ) from None
        raise UsageError(f"the sandbox cannot listen on {HOST}:{port}: {exc.strerror}") from None
    finally:
        probe.close()
