"""Processing throughput of ONE worker process, end-to-end latency, and peak memory.

Not a test. Starts the production configuration of ``faults/stack.py`` (a private PostgreSQL and
Redis, gunicorn as the Procfile runs it, one RQ SimpleWorker of the Procfile's class, a stand-in for
Twilio that records every send) with factories in seven countries, and measures:

- throughput: the worker is frozen while a phase's webhooks are posted (stored and queued),
  then let go; messages per second = the phase's inbound messages / (last reply received by
  the stand-in − first message claimed). Replies are sent by the same worker process (the
  batch job that queued them sends them after its commit), so this is the whole path. Phases, in order:
    first   new workers' first messages: Indonesian, Khmer (unspaced), Burmese (Unicode and
            Zawgyi), Bengali, Arabic, Spanish, Vietnamese (with and without its marks), English
    answer  answers to the question each was asked (digits in Latin, Khmer, Burmese, Bengali
            and Arabic-Indic script), or more words on the case that opened at once
    follow  STATUS requests (in the worker's language) and messages to open cases
- latency: webhooks posted at a steady rate from new phones, the worker running; time from the
  webhook's post to the stand-in receiving her reply (p50, p99);
- peak RSS (VmHWM) of the gunicorn processes and of the worker process.

    .venv/bin/python bench/processing.py [--workers-per-language 60] [--rate N] [--seconds 10]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds a queue.py of its own: it must not shadow the standard library's.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import os
import statistics
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from faults.stack import ACCOUNT_SID, AUTH_TOKEN, FACTORY_NUMBER, Stack, TwilioStandIn, wait_until  # noqa: E402

# (country, factory number, first messages: some name their category, some do not)
COUNTRIES = {
    "ID": (FACTORY_NUMBER, ["Saya belum menerima upah lembur bulan ini", "Tolong saya, ada masalah di pabrik",
                            "Supervisor membentak kami setiap hari di jalur jahit"]),
    "KH": ("+85523900001", ["ខ្ញុំមិនទាន់បានទទួលប្រាក់ឈ្នួលថែមម៉ោងទេ", "សូមជួយខ្ញុំផង"]),
    "MM": ("+9519000001", ["ကျွန်မ လစာ မရသေးပါ", "ကၽြန္မ လစာ မရေသးပါ", "ကူညီပါ"]),  # Unicode; Zawgyi
    "BD": ("+88029000001", ["আমি এই মাসের ওভারটাইমের মজুরি পাইনি", "দয়া করে সাহায্য করুন"]),
    "JO": ("+96265000001", ["لم أستلم أجر العمل الإضافي هذا الشهر", "أرجو المساعدة"]),
    "NI": ("+50522000001", ["No me han pagado las horas extra este mes", "Necesito ayuda por favor"]),
    "VN": ("+842839000001", ["Tôi chưa nhận được tiền làm thêm giờ tháng này",
                             "toi chua nhan duoc tien luong thang nay", "Xin giúp tôi"]),
}
PREFIX = {"ID": "+62812", "KH": "+85512", "MM": "+95970", "BD": "+880170", "JO": "+96279", "NI": "+5058",
          "VN": "+8490"}
# An answer to a numbered question, in the digits of her script.
DIGIT_TWO = {"ID": "2", "KH": "២", "MM": "၂", "BD": "২", "JO": "٢", "NI": "2", "VN": "2"}
STATUS = {"ID": "CEK", "KH": "ស្ថានភាព", "MM": "အခြေအနေ", "BD": "অবস্থা", "JO": "حالة", "NI": "ESTADO",
          "VN": "TRẠNG THÁI"}
MORE = {"ID": "Sudah tiga minggu belum dibayar", "KH": "បីសប្តាហ៍ហើយនៅតែមិនទាន់បានបើក", "MM": "သုံးပတ် ရှိပြီ",
        "BD": "তিন সপ্তাহ হয়ে গেছে", "JO": "مرت ثلاثة أسابيع", "NI": "Ya van tres semanas sin pago",
        "VN": "Đã ba tuần rồi chưa được trả"}


class TimedStandIn(TwilioStandIn):
    """The stand-in, noting when each send arrived (wall clock, as the database's timestamps)."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.arrived: list[tuple[float, str]] = []

    def record(self, form: dict) -> dict:
        message = super().record(form)
        with self.lock:
            self.arrived.append((time.time(), form.get("To")))
        return message


class Bench:
    def __init__(self, directory: Path) -> None:
        import faults.stack as stack_module

        stack_module.TwilioStandIn = TimedStandIn  # the stack builds its stand-in by this name
        self.stack = Stack(directory, workers=0)
        for country, (number, _) in COUNTRIES.items():
            if number != FACTORY_NUMBER:
                self.stack.flask("factories", "add", "--code", f"{country}-0001", "--name", f"Factory {country}",
                                 "--country", country, "--number", number)
        self.worker = self.stack.start_worker(0)
        self.stack.workers.append(self.worker)
        self.url = f"http://127.0.0.1:{self.stack.web_port}/webhooks/twilio/messages"
        self.serial = 0
        self.lock = threading.Lock()

    def post(self, sender: str, to: str, body: str) -> int:
        from twilio.request_validator import RequestValidator

        with self.lock:
            self.serial += 1
            sid = f"SM{self.serial:032x}"
        params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": to, "Body": body,
                  "NumMedia": "0"}
        request = urllib.request.Request(self.url, data=urllib.parse.urlencode(params).encode(), headers={
            "X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(self.url, params),
            "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def pending(self) -> tuple[int, int]:
        """(inbound not yet processed, outbound not yet sent)."""
        (unprocessed, unsent), = self.stack.postgres.query(
            "SELECT count(*) FILTER (WHERE direction = 'inbound' AND processed_at IS NULL), "
            "count(*) FILTER (WHERE direction = 'outbound' AND sent_at IS NULL AND status = 'queued') FROM messages")
        return unprocessed, unsent

    def phase(self, name: str, posts: list[tuple[str, str, str]]) -> dict:
        """Posts while the worker is frozen (SIGSTOP: RQ's suspension waits for the dequeue it
        is blocked in), then lets it work them off."""
        os.kill(self.worker.pid, signal.SIGSTOP)
        before = time.time()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda post: self.post(*post), posts))
        assert statuses.count(200) == len(posts), f"{name}: webhooks answered {set(statuses)}"
        assert wait_until(lambda: self.pending()[0] >= len(posts), 60), f"{name}: not all stored"
        sent_before = len(self.stack.twilio.arrived)
        os.kill(self.worker.pid, signal.SIGCONT)
        assert wait_until(lambda: self.pending() == (0, 0), 600, step=0.1), f"{name}: not all processed"
        time.sleep(0.3)
        (first_claim,), = self.stack.postgres.query(
            "SELECT extract(epoch FROM min(processed_at)) FROM messages WHERE direction = 'inbound' "
            f"AND created_at >= to_timestamp({before})")
        arrived = self.stack.twilio.arrived[sent_before:]
        last_send = max(at for at, _ in arrived)
        seconds = last_send - float(first_claim)
        return {"phase": name, "messages": len(posts), "replies": len(arrived), "seconds": seconds,
                "rate": len(posts) / seconds}

    def steady(self, rate: float, seconds: float, offset: int) -> list[float]:
        """New workers' first messages at a steady rate; seconds from post to her first reply."""
        senders: list[tuple[float, str]] = []
        threads = []
        start = time.monotonic()
        countries = list(COUNTRIES)
        for n in range(int(rate * seconds)):
            country = countries[n % len(countries)]
            number, firsts = COUNTRIES[country]
            phone = f"{PREFIX[country]}{offset + n:07d}"
            body = firsts[n % len(firsts)]
            at = start + n / rate
            time.sleep(max(0.0, at - time.monotonic()))
            senders.append((time.time(), phone))
            thread = threading.Thread(target=self.post, args=(phone, number, body))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(60)
        wanted = {phone for _, phone in senders}
        assert wait_until(lambda: wanted <= {to for _, to in self.stack.twilio.arrived}, 120), "replies missing"
        first_reply: dict[str, float] = {}
        for at, to in self.stack.twilio.arrived:
            if to in wanted:
                first_reply.setdefault(to, at)
        return [first_reply[phone] - posted for posted, phone in senders]

    def peak_rss_mib(self) -> dict[str, float]:
        def hwm(pid: int) -> float:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
            return 0.0

        master = self.stack.web.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        web = [hwm(int(pid)) for pid in children]
        return {"web master": hwm(master), "web worker (max)": max(web), "worker": hwm(self.worker.pid)}

    def close(self) -> None:
        self.stack.close()


def scenario(per_language: int) -> tuple[list, list, list]:
    first, answer, follow = [], [], []
    for country, (number, firsts) in COUNTRIES.items():
        for n in range(per_language):
            phone = f"{PREFIX[country]}{n:07d}"
            first.append((phone, number, firsts[n % len(firsts)]))
            # Whether she was asked a question or her case opened at once, a digit answers
            # the question or joins her case: both are the path a survey blast's replies take.
            answer.append((phone, number, DIGIT_TWO[country]))
            follow.append((phone, number, STATUS[country] if n % 2 else MORE[country]))
    return first, answer, follow


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers-per-language", type=int, default=60, help="phones per country")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="steady webhooks per second for latency [half the first phase's rate]")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the steady run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grievance-bench-") as scratch:
        bench = Bench(Path(scratch))
        try:
            assert wait_until(lambda: bench.worker.poll() is None and "Listening on" in bench.stack.log("worker-0"),
                              120), bench.stack.log("worker-0")
            # Warm up: the first job loads the language models.
            bench.post(f"{PREFIX['ID']}9999999", FACTORY_NUMBER, "Halo")
            assert wait_until(lambda: bench.pending() == (0, 0) and bench.stack.twilio.arrived, 60)
            results = [bench.phase(name, posts)
                       for name, posts in zip(("first", "answer", "follow"), scenario(args.workers_per_language))]
            (cases,), = bench.stack.postgres.query("SELECT count(*) FROM cases")
            (replies,), = bench.stack.postgres.query("SELECT count(*) FROM messages WHERE direction = 'outbound'")
            # The steady run sends first messages, the dearest kind: half of what that phase reached.
            rate = args.rate or round(results[0]["rate"] / 2)
            latencies = bench.steady(rate, args.seconds, offset=1_000_000)
            rss = bench.peak_rss_mib()
        finally:
            bench.close()
    total = sum(r["messages"] for r in results)
    busy = sum(r["seconds"] for r in results)
    print(f"processing, one worker process (PostgreSQL + Redis, production configuration, {os.cpu_count()} cores)")
    for r in results:
        print(f"  {r['phase']:<7} {r['messages']:5d} inbound, {r['replies']:5d} replies sent in {r['seconds']:6.2f} s"
              f"  {r['rate']:7.1f} msg/s")
    print(f"  all     {total:5d} inbound in {busy:6.2f} s  {total / busy:7.1f} msg/s  ({cases} cases opened, {replies} replies)")
    print(f"end to end at {rate:g} msg/s for {args.seconds:g} s ({len(latencies)} first messages): "
          f"p50 {1000 * statistics.median(latencies):.0f} ms, p99 {1000 * percentile(latencies, 0.99):.0f} ms")
    print("peak RSS: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in rss.items()))


if __name__ == "__main__":
    main()
