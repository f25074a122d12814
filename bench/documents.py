"""Benchmark of the document pipeline: certificate rendering against a Latin-only floor, and signing.

``python bench/documents.py [SAMPLES]`` prints JSON. The floor is the same certificate template, data and
code path with the text replaced by Latin letters of about the same printed width (two letters per CJK
character, with word spaces, so that lines wrap where the Chinese ones do) and DejaVu Sans as the only
font; ``certificate_render_ms_median / weasyprint_floor_ms_median`` is then what the CJK fonts cost.
Samples are interleaved (certificate, floor, signing, certificate, …) so that load from other processes
hits all three alike. The holder's name has a character outside GB 2312 (堃), so the certificate needs
an extension font as well as the two core fonts. Font building, the signing key and the first render of
each kind happen in the warm-up and are not timed.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service_hall.documents import (
    Authority,
    CertificateData,
    SigningIdentity,
    mask_id_number,
    render_certificate,
    sign_pdf,
)
from service_hall.documents.rendering import certificate_context, render_latin_floor

SAMPLE_CERTIFICATE = CertificateData(
    certificate_number="JY13301850012345",
    certificate_name="食品经营许可证",
    holder_name="王堃",
    holder_id=mask_id_number("330185199001011234"),
    address="浙江省杭州市临安区於潜镇环南路88号",
    item_name="食品经营许可（仅销售预包装食品）",
    scope="预包装食品（不含冷藏冷冻食品）销售；散装食品（含冷藏冷冻食品）销售；保健食品销售。",
    conditions=(
        "经营场所面积不少于二十平方米",
        "具备与经营的食品品种、数量相适应的贮存设施设备",
        "建立健全食品安全管理制度",
    ),
    valid_from=dt.date(2025, 3, 1),
    valid_until=dt.date(2030, 2, 28),
    legal_basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第六条",
    authority=Authority.entrusted(department="临安县市场监督管理局", town="於潜镇人民政府"),
    issued_on=dt.date(2025, 3, 1),
    verification_url="https://zwfw.example.gov.cn/verify/JY13301850012345?c=8f3a9c",
)


def _timed(function: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def run(samples: int = 7) -> dict[str, float]:
    """Median milliseconds of rendering the sample certificate, of the Latin floor, and of signing the
    certificate, over ``samples`` interleaved runs after one warm-up of each.

    The three required figures are wall-clock. The ``*_cpu_ms_median`` figures are this process's CPU
    time for the same runs: on a machine busy with other work they stay put while wall-clock medians
    swing, so they tell a slow machine from a slow renderer.
    """
    context = certificate_context(SAMPLE_CERTIFICATE)
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as keys:
        identity = SigningIdentity.load_or_create(Path(keys), "临安县行政审批服务中心")
        pdf = render_certificate(SAMPLE_CERTIFICATE)
        render_latin_floor("certificate.html", context)
        sign_pdf(pdf, identity)
        render, floor, sign = [], [], []
        for _ in range(samples):
            render.append(_timed(lambda: render_certificate(SAMPLE_CERTIFICATE)))
            floor.append(_timed(
                lambda: render_latin_floor("certificate.html", certificate_context(SAMPLE_CERTIFICATE)),
            ))
            sign.append(_timed(lambda: sign_pdf(pdf, identity)))

    def median_ms(timings: list[tuple[float, float]], index: int) -> float:
        return round(statistics.median(timing[index] for timing in timings) * 1000, 2)

    render_ms, floor_ms = median_ms(render, 0), median_ms(floor, 0)
    render_cpu_ms, floor_cpu_ms = median_ms(render, 1), median_ms(floor, 1)
    return {
        "certificate_render_ms_median": render_ms,
        "weasyprint_floor_ms_median": floor_ms,
        "certificate_sign_ms_median": median_ms(sign, 0),
        "certificate_render_floor_ratio": round(render_ms / floor_ms, 3),
        "certificate_render_cpu_ms_median": render_cpu_ms,
        "weasyprint_floor_cpu_ms_median": floor_cpu_ms,
        "certificate_render_floor_cpu_ratio": round(render_cpu_ms / floor_cpu_ms, 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 7), indent=2))
