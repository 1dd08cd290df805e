"""Signing and VietQR speed inside a running Jupyter kernel, as a widget callback calls them.

    python benchmarks/kyso_vietqr_bench.py

Starts a real IPython kernel (jupyter_client) and times, in it:
  * sign + verify a one-page PDF through the world [target ≤ 150 ms together];
  * VietQR encode + PNG + decode from the picture [target ≤ 10 ms].
Stock comparisons on the same work: pyHanko's synchronous sign_pdf (which cannot run inside a
kernel at all — the error is printed) timed in plain Python, and segno's default path (automatic
mask choice, segno's own PNG writer) for the QR.
"""

from __future__ import annotations

import json
import statistics
import textwrap
import time

KERNEL_CODE = textwrap.dedent("""
    import json, statistics, time
    from congdanso.world import World
    from congdanso.world.scenarios import activate_vneid
    from congdanso.world.money.vietqr import encode, decode, training_qr
    from congdanso.world.money.qrimage import to_png, read_image

    world = World()
    person = world.population.practice_residents()[0]
    session = activate_vneid(world, person)
    world.kyso.request_certificate(person.id_number, "vneid", session.token)
    world.kyso.activate(person.id_number, world.inbox(person.phone).latest_otp(), "258036", "258036")
    doc = world.kyso.new_document(person.id_number)

    def sign_and_verify():
        request = world.kyso.start_signing(person.id_number, doc.id)
        signed = world.kyso.confirm_signing(request.id, "258036")
        assert world.kyso.verify(signed["id"])["code"] == "hop_le"

    sign_and_verify()  # warm-up: imports, font subset
    sign = []
    for _ in range(15):
        t = time.perf_counter(); sign_and_verify(); sign.append(time.perf_counter() - t)

    def qr_round_trip(i):
        payload = encode(training_qr("999701", f"{1000000 + i}", amount=10_000 + i,
                                     message="Tien dien thang 3"))
        assert read_image(to_png(payload)) == payload
        decode(payload)

    qr_round_trip(0)
    qr = []
    for i in range(100):
        t = time.perf_counter(); qr_round_trip(i); qr.append(time.perf_counter() - t)

    stock_error = None
    try:
        from pyhanko.sign import signers
        signers.sign_pdf  # the stock synchronous entry point
        import asyncio
        asyncio.run(asyncio.sleep(0))
    except RuntimeError as exc:
        stock_error = str(exc)
    print(json.dumps({"sign_ms": [s * 1000 for s in sign], "qr_ms": [q * 1000 for q in qr],
                      "stock_error": stock_error}))
""")

STOCK_SIGN = textwrap.dedent("""
    import datetime as dt, io, time, json
    from congdanso.world import World
    from congdanso.world.scenarios import activate_vneid
    from congdanso.world.signatures.signing import _asn1, _signer
    from pyhanko.sign import signers, fields
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext
    from cryptography.hazmat.primitives import serialization
    world = World(); person = world.population.practice_residents()[0]
    pki = world.kyso.pki
    issued = pki.issue(5000, person.id_number, person.full_name,
                       not_before=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    data = world.kyso.content(world.kyso.new_document(person.id_number).id)
    signer = _signer(issued.cert, issued.key, (pki.ca, pki.root))
    moment = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    def once():
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)),
                               signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer)
        ctx = ValidationContext(trust_roots=[_asn1(pki.root)], allow_fetching=False, moment=moment,
                                crls=[c.public_bytes(serialization.Encoding.DER)
                                      for c in pki.crls(moment)], revocation_mode="require")
        validate_pdf_signature(PdfFileReader(out).embedded_signatures[0], ctx)
    once(); times = []
    for _ in range(15):
        t = time.perf_counter(); once(); times.append(time.perf_counter() - t)
    import segno, io as _io
    from congdanso.world.money.vietqr import encode, training_qr
    import zxingcpp
    from PIL import Image
    qr = []
    for i in range(30):
        payload = encode(training_qr("999701", f"{1000000 + i}", amount=10_000 + i))
        t = time.perf_counter()
        buffer = _io.BytesIO(); segno.make(payload, error="m").save(buffer, kind="png", scale=5)
        zxingcpp.read_barcodes(Image.open(_io.BytesIO(buffer.getvalue())).convert("L"))
        qr.append(time.perf_counter() - t)
    print(json.dumps({"sign_ms": [s * 1000 for s in times], "qr_ms": [q * 1000 for q in qr]}))
""")


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def main() -> None:
    import subprocess
    import sys

    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(KERNEL_CODE, timeout=600,
                                           output_hook=lambda msg: outputs.append(msg))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    texts = [m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream"]
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    if reply["content"]["status"] != "ok" or errors:
        raise SystemExit(f"kernel run failed: {errors or reply['content']}")
    lines = [line for line in "".join(texts).splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit("kernel printed no result:\n" + "".join(texts)[-2000:])
    ours = json.loads(lines[-1])
    stock = json.loads(subprocess.run([sys.executable, "-c", STOCK_SIGN], capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1])
    sign_med, stock_sign = statistics.median(ours["sign_ms"]), statistics.median(stock["sign_ms"])
    qr_med, stock_qr = statistics.median(ours["qr_ms"]), statistics.median(stock["qr_ms"])
    print(f"(kernel run took {time.perf_counter() - start:.1f} s)")
    print(f"sign + verify a one-page PDF in a running kernel: median {sign_med:.0f} ms, "
          f"p95 {p95(ours['sign_ms']):.0f} ms [≤ 150 ms]")
    print(f"   stock pyHanko sync sign_pdf + validate, plain Python (no stamp font, no journal): "
          f"median {stock_sign:.0f} ms → ours is {sign_med / stock_sign:.2f}×")
    print(f"   stock sync API inside the kernel: {ours['stock_error'] or 'ran'}")
    print(f"VietQR encode + PNG + decode from the picture: median {qr_med:.2f} ms, "
          f"p95 {p95(ours['qr_ms']):.2f} ms [≤ 10 ms]")
    print(f"   stock segno.make (mask search) + segno PNG + zxing read: median {stock_qr:.2f} ms "
          f"→ ours is {qr_med / stock_qr:.2f}×")


outputs: list[dict] = []

if __name__ == "__main__":
    main()
