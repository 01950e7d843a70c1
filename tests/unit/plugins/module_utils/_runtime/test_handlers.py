"""Unit tests of _runtime.handlers.http_get against a real HTTP server on loopback."""

import http.server
import threading

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._runtime import handlers


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        routes = {'/ok': (200, None), '/missing': (404, None), '/error': (500, None),
                  '/moved': (302, '/ok'), '/away': (302, 'http://example.invalid/'), '/loop': (302, '/loop')}
        status, location = routes.get(self.path.split('?')[0], (200, None))
        self.send_response(status)
        if location:
            self.send_header('Location', location)
        self.send_header('X-Agent', self.headers.get('User-Agent', ''))
        self.end_headers()
        self.wfile.write(b'x' * 20000 if self.path == '/big' else self.headers.get('X-Test', '').encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % httpd.server_address[1]
    httpd.shutdown()


def test_success_headers_and_a_bounded_body(server):
    assert handlers.http_get(server + '/ok', {'X-Test': 'hello'}, 2) == (200, b'hello')
    status, body = handlers.http_get(server + '/big', {}, 2)
    assert status == 200 and len(body) == handlers.MAX_BODY


@pytest.mark.parametrize('path, status', [('/missing', 404), ('/error', 500)])
def test_failure_statuses(server, path, status):
    with pytest.raises(handlers.HTTPFailure) as info:
        handlers.http_get(server + path, {}, 2)
    assert info.value.status == status and str(info.value) == 'HTTP GET %s%s: %d' % (server, path, status)


def test_redirects_on_the_same_host_are_followed_and_others_end_the_request(server):
    assert handlers.http_get(server + '/moved', {}, 2) == (200, b'')
    assert handlers.http_get(server + '/away', {}, 2)[0] == 302
    with pytest.raises(handlers.HTTPFailure) as info:
        handlers.http_get(server + '/loop', {}, 2)
    assert 'stopped after 10 redirects' in str(info.value)


def test_no_answer():
    with pytest.raises(handlers.HTTPFailure) as info:
        handlers.http_get('http://127.0.0.1:1/', {}, 1)
    assert info.value.status is None and 'HTTP GET http://127.0.0.1:1/: ' in str(info.value)
