"""Local servers that speak third-party wire formats, for tests (real HTTP on loopback)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = {
    "items": [
        {
            "dimension": "fit",
            "severity": "medium",
            "message": "Say why the deadline mattered.",
            "suggestion": "Name what was at stake for the customer.",
            "sentence": "",
        },
    ],
    "rewrite": {"original": "We fixed it.", "improved": "I found the slow query and fixed it."},
}


class FakeOpenAI(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, self.headers.get("Authorization"), body))
        if type(self).mode == "slow":
            time.sleep(3)
        if type(self).mode == "error":
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "boom", "type": "server_error"}}')
            return
        content = "not json at all" if type(self).mode == "garbage" else json.dumps(GOOD)
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
        data = json.dumps(payload).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)


def start_fake_openai(mode: str = "ok") -> ThreadingHTTPServer:
    """Serve a fresh FakeOpenAI on a free loopback port (stop with ``.shutdown()``).

    Each server gets its own handler class, so one test's mode never leaks into another;
    ``server.handler.mode`` and ``server.handler.requests`` control and record it."""
    handler = type("FakeOpenAIHandler", (FakeOpenAI,), {"mode": mode, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handler = handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
