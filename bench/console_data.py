"""A store of SIZE submission versions for the console's benchmark: every period's provinces, each
version a roster of 3-8 people with realistic fields (some rejected, a few read by OCR), with its
message record; shaped as the daemon stores them (Store.add_submission, Store.record_message)."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from bench.filing import file_processed
from rules.notice import Notice
from rules.verdict import Status
from storage.records import StoredVerdict
from storage.store import Store

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂喆珺堃玥"


def roster(rng: random.Random, province: str, count: int) -> list[dict]:
    people = []
    for i in range(count):
        people.append(
            {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "gender": rng.choice("男女"),
                "unit": f"{province}省教育厅" if i < 2 else f"{province}第{i}职业技术学院",
                "title": rng.choice(["处长", "科长", "主任", "教师"]),
                "mobile": f"13{rng.randrange(10**9):09d}",
                "email": f"user{rng.randrange(10**6)}@example.cn",
                "arrival": "2023-07-14T15:00",
                "leader": i == 0,
            }
        )
    return people


def verdict(rng: random.Random, program: str, period: int, province: str) -> dict:
    status = Status.REJECTED if rng.random() < 0.2 else Status.ACCEPTED
    problems = []
    if status is Status.REJECTED:
        problems.append(
            {"code": "bad_mobile", "severity": "error", "row": 3, "field": "mobile", "message": "手机号无效"}
        )
    if rng.random() < 0.05:
        problems.append(
            {
                "code": "ocr_uncertain",
                "severity": "warning",
                "row": 4,
                "field": "mobile",
                "message": "识别把握不大",
            }
        )
    return {
        "status": status,
        "program": program,
        "period": period,
        "province": province,
        "participants": roster(rng, province, rng.randint(3, 8)),
        "problems": problems,
    }


def fill(store: Store, notice: Notice, size: int, seed: int = 13) -> None:
    """SIZE versions spread over every (period, admitted province), oldest first."""
    rng = random.Random(seed)
    groups = [(p.program, p.number, province, p) for p in notice.periods for province in p.provinces]
    for i in range(size):
        program, number, province, period = groups[i % len(groups)]
        received = (period.deadline - timedelta(days=20) + timedelta(seconds=97 * i)).isoformat()
        data = verdict(rng, program, number, province)
        stored = StoredVerdict.from_json(data)
        sha = hashlib.sha256(f"console-bench-{seed}-{i}".encode()).hexdigest()
        sender = f"{abs(hash(province)) % 1000}@example.cn"
        file_processed(store, stored, sha=sha, sender=sender, received=received, where=("bench", 1, i + 1))
