"""30 workers text one factory number at the same moment, on the embedded default.

Each webhook is timed over HTTP (a threaded local server) at Twilio's pace of 1 SMS/s per
sender, then the time until every acknowledgement was handed to the channel. The webhook must
answer at once; the replies leave at the sender's pace, after the responses.

    GRIEVANCE_ENV=development .venv/bin/python bench/simultaneous.py [--messages 30] [--rate 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from scratch import TOKEN, build_app  # noqa: E402

from grievance.extensions import db  # noqa: E402
from grievance.models import Message  # noqa: E402
from grievance.queueing import drain_in_process_jobs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--rate", type=float, default=1.0, help="SMS per second per sender")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        app.config["SEND_RATE_SMS"] = args.rate
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/webhooks/twilio/messages"
        signed_url = "http://localhost/webhooks/twilio/messages"
        validator = RequestValidator(TOKEN)
        barrier, timings = threading.Barrier(args.messages), []

        def text(i: int) -> None:
            params = {"MessageSid": f"SM{i:032x}", "From": f"+62812{i:07d}", "To": "+622150000001",
                      "Body": "Saya belum menerima upah lembur bulan ini"}
            headers = {"X-Twilio-Signature": validator.compute_signature(signed_url, params),
                       "Host": "localhost"}
            barrier.wait()
            began = time.perf_counter()
            response = requests.post(url, data=params, headers=headers, timeout=60)
            timings.append(time.perf_counter() - began)
            assert response.status_code == 200, response.text

        began = time.perf_counter()
        threads = [threading.Thread(target=text, args=(i,)) for i in range(args.messages)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        drain_in_process_jobs(args.messages / args.rate + 60)
        replies_done = time.perf_counter() - began
        with app.app_context():
            handed = db.session.scalar(select(func.count(Message.id)).where(
                Message.direction == "outbound", Message.status != "queued"))
        server.shutdown()
    timings.sort()
    print(f"{args.messages} simultaneous messages to one number, embedded default, {args.rate:g} SMS/s per sender")
    print(f"webhook answered: min {timings[0]:.3f} s, median {statistics.median(timings):.3f} s, "
          f"max {timings[-1]:.3f} s")
    print(f"all {handed} replies handed to the channel after {replies_done:.1f} s")


if __name__ == "__main__":
    main()
