"""The page and the table around the recogniser, on pictures drawn here: no model needed.

Page preparation (the document found in a photo, the light evened and the seal's red taken out, the
table's border squared), ruling lines and merged cells, the table from text boxes' positions (a
lost rule found again, two cells' text cut apart), pages joined, and the text tidied.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from intake.readers.grid import CellValue, Grid, Merge
from intake.readers.workers.ocr_engine import TextBox
from intake.readers.workers.ocr_grid import calibrated, cut_at_gaps, ruled_table
from intake.readers.workers.ocr_join import join_pages
from intake.readers.workers.ocr_prepare import even_light, find_document, prepare, square_table, table_corners
from intake.readers.workers.ocr_rules import find_rules
from intake.readers.workers.ocr_text import closed, join_pieces, tidy

XS = [100, 300, 420, 800, 1100]  # column rules of the drawn table
YS = [200, 280, 360, 440, 520, 600]  # row rules


def ruled(lose: int | None = None, merge_unit: bool = True) -> np.ndarray:
    """A white 300 dpi page with a 5 x 4 ruled table; column rule `lose` missing; 单位 of rows 1-2 merged."""
    page = np.full((900, 1300), 255, np.uint8)
    for y in YS:
        cv2.line(page, (XS[0], y), (XS[-1], y), 0, 3)
    for i, x in enumerate(XS):
        if i != lose:
            cv2.line(page, (x, YS[0]), (x, YS[-1]), 0, 3)
    if merge_unit:
        cv2.line(page, (XS[2] + 3, YS[2]), (XS[3] - 3, YS[2]), 255, 5)  # no rule under row 1 in column 2
    return page


def box(text: str, x0: float, y: float, pitch: float = 30.0, conf: float = 0.99) -> TextBox:
    """A line of text starting at x0 with its characters pitch apart, centred on y."""
    chars = tuple((ch, x0 + pitch * (i + 0.5), conf) for i, ch in enumerate(text))
    return TextBox(text, conf, x0, y - 14, x0 + pitch * len(text), y + 14, chars)


def rows_of(table_rows: list[list[CellValue]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in table_rows]


def test_ruling_lines_give_rows_columns_and_the_merged_cell() -> None:
    rules = find_rules(ruled(), 300)
    assert rules is not None
    assert [round(y) for y in rules.rows] == YS
    assert [round(x) for x in rules.cols] == XS
    boxes = [
        box("姓名", 150, 240),
        box("性别", 330, 240),
        box("单位", 580, 240),
        box("手机", 900, 240),
        box("钱喆", 150, 320),
        box("男", 345, 320),
        box("四川省教育厅", 520, 360),  # the merged cell's text sits on the missing rule
        box("13808012345", 880, 320, pitch=16),
        box("黄珺", 150, 400),
        box("女", 345, 400),
        box("13982134567", 880, 400, pitch=16),
    ]
    table = ruled_table(boxes, rules)
    assert rows_of(table.rows)[:3] == [
        ["姓名", "性别", "单位", "手机"],
        ["钱喆", "男", "四川省教育厅", "13808012345"],
        ["黄珺", "女", "", "13982134567"],
    ]
    assert Merge(1, 2, 2, 2) in table.merges


def test_a_lost_column_rule_is_found_again_from_the_text() -> None:
    rules = find_rules(ruled(lose=2, merge_unit=False), 300)
    assert rules is not None and len(rules.cols) == 4  # the rule between 性别 and 单位 is gone
    boxes = [box("姓名", 150, 240), box("性别", 330, 240), box("单位", 580, 240)]
    units = ("四川省教育厅", "成都航空职业技术学院", "四川职业技术学院", "四川建筑职业技术学院")
    for r, unit in enumerate(units, 1):
        y = YS[r] + 40
        boxes += [box(f"人{r}", 150, y), box("女" if r % 2 else "男", 345, y), box(unit, 440, y, pitch=32)]
    table = ruled_table(boxes, rules)
    assert [row[1:3] for row in rows_of(table.rows)] == [
        ["性别", "单位"],
        ["女", "四川省教育厅"],
        ["男", "成都航空职业技术学院"],
        ["女", "四川职业技术学院"],
        ["男", "四川建筑职业技术学院"],
    ]


def test_two_cells_text_joined_by_the_detector_is_cut_apart() -> None:
    joined = TextBox(
        "男四川省教育厅",
        0.95,
        330,
        300,
        620,
        330,
        (("男", 345, 0.99), *((ch, 450 + 30 * i, 0.95) for i, ch in enumerate("四川省教育厅"))),
    )
    pieces = cut_at_gaps(joined)
    assert [p.text for p in pieces] == ["男", "四川省教育厅"]
    assert pieces[0].x1 < pieces[1].x0


@pytest.mark.parametrize(
    ("probability", "text", "flagged"),
    [
        (1.0, "13808012345", False),
        (0.97, "19908176320", True),
        (0.99, "1iangkun@cap.edu.cn", False),
        (0.72, "黃珺", True),
        (0.9, "黄珺", False),
    ],
)
def test_confidence_is_put_on_the_scale_extraction_reads(
    probability: float, text: str, flagged: bool
) -> None:
    threshold = 0.70 if any("\u4e00" <= ch <= "\u9fff" for ch in text) else 0.85
    assert (calibrated(probability, text) < threshold) is flagged


@pytest.mark.parametrize(
    ("raw", "tidied"),
    [
        ("四川工程职业技术学院（德阳校区", "四川工程职业技术学院（德阳校区）"),
        ("四川工程职业技术学院(德阳校区1", "四川工程职业技术学院（德阳校区）"),
        ("四川工程职业技术学院(德阳校区)）", "四川工程职业技术学院（德阳校区）"),
        ("（盖章）", "（盖章）"),
    ],
)
def test_a_bracket_a_wrapped_cell_lost_is_closed(raw: str, tidied: str) -> None:
    assert closed(raw) == tidied


def test_known_slips_are_tidied() -> None:
    assert tidy("2023-08-1209:30") == "2023-08-12 09:30"
    assert tidy("黃珺") == "黄珺"
    assert join_pieces("2023-08-12", "09:30") == "2023-08-12 09:30" and join_pieces("王", "喆") == "王喆"


def grid(rows: list[list[CellValue]], lines: list[str] | None = None) -> Grid:
    return Grid(
        source="扫描件.pdf",
        part="",
        rows=rows,
        lines=lines or [],
        kind="ocr",
        ocr=True,
        confidence={(r, c): 0.9 for r in range(len(rows)) for c in range(len(rows[r]))},
    )


def test_a_roster_over_two_pages_is_one_table_without_the_repeated_header() -> None:
    first = grid(
        [["姓名", "性别", "手机"], ["钱喆", "男", "13808012345"]], ["省级教育行政部门名称：四川省教育厅"]
    )
    # the second page read one more (empty) column, and its header in another order
    second = grid([["姓名", "手机", "性别", None], ["黄珺", "13982134567", "女", None]])
    [joined] = join_pages([first, None, second])
    assert joined.rows == [
        ["姓名", "性别", "手机"],
        ["钱喆", "男", "13808012345"],
        ["黄珺", "女", "13982134567", None],
    ]
    assert joined.confidence[(2, 2)] == 0.9


def test_a_second_receipt_on_the_next_page_is_not_joined() -> None:
    first = grid([["姓名", "性别"], ["钱喆", "男"]])
    other = grid([["序号", "名单"], ["1", "x"]], ["省级教育行政部门名称：河南省教育厅"])
    assert len(join_pages([first, other])) == 2


# --- the page ----------------------------------------------------------------------------------------


def photo_of(page: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page lying on a grey table, photographed at an angle: the photo and the page's corners in it."""
    h, w = page.shape[:2]
    corners = np.array([[260, 180], [1460, 230], [1540, 1900], [160, 1820]], np.float32)
    matrix = cv2.getPerspectiveTransform(np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32), corners)
    rgb = np.dstack([page] * 3)
    warped = cv2.warpPerspective(rgb, matrix, (1700, 2100), borderValue=(110, 115, 120))
    return warped.astype(np.uint8), corners


def test_the_document_is_found_in_a_photo() -> None:
    page = np.full((1754, 1240), 235, np.uint8)
    page[100:1000, 0:1240] = np.minimum(ruled()[:, 30:1270], 235)
    picture, corners = photo_of(page)
    found = find_document(picture)
    assert found is not None
    assert float(np.abs(found - corners).max()) < 20


def test_a_scan_is_no_photo() -> None:
    assert find_document(np.dstack([ruled()] * 3)) is None


def test_a_red_seal_and_a_shadow_become_white_paper_and_the_print_stays() -> None:
    image = Image.new("RGB", (1200, 800), (240, 236, 226))
    draw = ImageDraw.Draw(image)
    for x in range(100, 700, 30):  # print: strokes of characters
        draw.line((x, 100, x + 12, 140), fill=(20, 20, 20), width=4)
    draw.ellipse((300, 300, 700, 700), outline=(214, 38, 48), width=12)  # the seal's ring
    pixels = np.asarray(image).astype(np.float32)
    pixels[:, 800:] *= 0.55  # a shadow over the right of the page
    draw2 = np.clip(pixels, 0, 255).astype(np.uint8)
    gray = even_light(draw2)
    assert gray[120, 106] < 100  # the print
    assert gray[300, 500] > 200  # the seal's ring, on its top
    assert gray[500, 1000] > 230  # the paper in the shadow


def test_a_turned_or_keystoned_table_is_squared() -> None:
    page = ruled()
    h, w = page.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 1.8, 1.0)
    turned = np.asarray(cv2.warpAffine(page, matrix, (w, h), borderValue=255), dtype=np.uint8)
    corners = table_corners(turned, 300)
    assert corners is not None
    square = square_table(turned, 300)
    assert square is not None
    rules = find_rules(square, 300)
    assert rules is not None and len(rules.rows) == len(YS) and len(rules.cols) == len(XS)
    tl, tr = table_corners(square, 300)[:2]  # type: ignore[index]  # found on the squared page: not None
    assert abs(float(tl[1] - tr[1])) <= 2  # the top rule is level now
    assert (
        abs(
            math.degrees(
                math.atan2(float(corners[1][1] - corners[0][1]), float(corners[1][0] - corners[0][0]))
            )
        )
        > 1
    )


def test_a_photo_is_prepared_into_a_flat_page_about_300_dpi() -> None:
    page = np.full((1754, 1240), 235, np.uint8)
    page[100:1000, 0:1240] = np.minimum(ruled()[:, 30:1270], 235)
    picture, _corners = photo_of(page)
    prepared = prepare(Image.fromarray(picture), None, 64_000_000)
    assert prepared.flattened and 250 <= prepared.dpi <= 350
    rules = find_rules(prepared.gray, prepared.dpi)
    assert rules is not None and len(rules.rows) == len(YS) and len(rules.cols) == len(XS)
