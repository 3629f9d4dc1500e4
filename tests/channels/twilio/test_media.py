"""A photo a worker sends is kept as a reference and shown only to those who may see her case."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, Message
from tests import factories
from tests.conftest import TWILIO_SID, TWILIO_TOKEN, csrf_token, inbound_params, sign

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
MEDIA_PATH = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM{'c' * 32}/Media/ME{'d' * 32}"
BIG_PATH = MEDIA_PATH + "big"


class TwilioMediaHost(BaseHTTPRequestHandler):
    """Stands in for Twilio's media host: answers only with the account's credentials."""

    def do_GET(self):
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        body = PNG if self.path == MEDIA_PATH else b"x" * 4096
        self.send_response(200 if self.path in (MEDIA_PATH, BIG_PATH) else 404)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def media_host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), TwilioMediaHost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_photo_is_shown_to_the_picc_of_her_factory_only(make_app, media_host, run_jobs):
    app = make_app(TWILIO_API_BASE_URL=media_host, MEDIA_MAX_BYTES=1024)
    with app.app_context():
        factories.factory(code="IDN-0001", number="+622150000001")
        factories.factory(code="IDN-0002", name="PT Lain", number="+622150000002")
        factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
        factories.picc_member(email="budi@example.org", factory_code="IDN-0002")
        params = inbound_params("Upah lembur saya dipotong, ini fotonya")
        params.update({"NumMedia": "2", "MediaUrl0": "https://api.twilio.com" + MEDIA_PATH,
                       "MediaContentType0": "image/png", "MediaUrl1": "https://api.twilio.com" + BIG_PATH,
                       "MediaContentType1": "image/png"})
        url = "http://localhost/webhooks/twilio/messages"
        http = app.test_client()
        assert http.post("/webhooks/twilio/messages", data=params,
                         headers={"X-Twilio-Signature": sign(url, params)}).status_code == 200
        run_jobs()
        case = db.session.scalar(select(Case))
        message = db.session.scalar(select(Message).where(Message.direction == "inbound"))

        def signed_in(email):
            client = app.test_client()
            token = csrf_token(client.get("/login").get_data(as_text=True))
            client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
            return client

        ani, budi = signed_in("ani@example.org"), signed_in("budi@example.org")
        page = ani.get(f"/cases/{case.reference}").get_data(as_text=True)
        photo = ani.get(f"/cases/{case.reference}/media/{message.id}/0")
        too_big = ani.get(f"/cases/{case.reference}/media/{message.id}/1")
        other = budi.get(f"/cases/{case.reference}/media/{message.id}/0")

    assert "Lampiran 1 (image/png)" in page  # Indonesian: her factory's country
    assert photo.status_code == 200 and photo.data == PNG and photo.mimetype == "image/png"
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert too_big.status_code == 413 and "larger than 1024 bytes" in too_big.get_data(as_text=True)
    assert other.status_code == 404


def test_a_media_url_outside_twilio_is_never_fetched(app):
    from grievance.channels.twilio.media import MediaUnavailable, fetch_media

    with pytest.raises(MediaUnavailable, match="not a Twilio media URL"):
        fetch_media("http://169.254.169.254/latest/meta-data/")
