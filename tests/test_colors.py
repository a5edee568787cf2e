"""One colour language: a bar that means "this group ranks it higher" is drawn in that group's
colour, the colour its legend gives it, and points the same way in the HTML and the workbook's
native chart; words and markers say it too."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, run


def _legend(page: str) -> dict[str, str]:
    """Group label -> colour, as the dot plot's legend draws them."""
    block = page[page.index('<div class="legend"') :]
    block = block[: block.index("</div>")]
    spans = re.findall(r"<span>(.*?)</span>", block, re.DOTALL)
    colours = {}
    for span in spans:
        found = re.search(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', span)
        assert found, span
        colours[span.rsplit("</svg>", 1)[1].strip()] = found[1]
    return colours


@pytest.mark.parametrize("example", ["acme-wide.xlsx", "acme-tidy.csv", "ratings.csv"])
def test_each_gap_bar_is_drawn_in_the_colour_of_the_group_that_ranks_it_higher(
    example: str,
) -> None:
    path = str(EXAMPLES / example)
    page = run("analyze", path, "-f", "html", "-q")[1]
    document = json.loads(run("analyze", path, "-f", "json", "-q")[1])
    labels = {d["id"]: d["label"] for d in document["instrument"]["dimensions"]}
    names = {g["id"]: g["label"] for g in json.loads(run("dimensions", "-f", "json")[1])["groups"]}
    names["all_others"] = "All others"
    sections = page.split('<section class="leader">')[1:]
    assert len(sections) == len(document["subjects"])
    checked = 0
    for section, subject in zip(sections, document["subjects"], strict=True):
        other = subject["evidence"]["group"] if subject["evidence"] else None
        if other is None:
            continue
        colours = _legend(section)
        own, theirs = colours["Self"], colours[names[other]]
        assert own != theirs
        mean = subject["blocks"][0]["mean_rank"]
        for dim in subject["blocks"][0]["dimensions"]:
            gap = mean["self"][dim] - mean[other][dim]  # > 0: the others rank it higher
            bar = re.search(
                rf'<rect class="bar[^"]*"[^>]*fill="(#[0-9A-Fa-f]{{6}})"[^>]*><title>'
                rf"{re.escape(labels[dim])}: ",
                section,
            )
            assert bar, (subject["subject"], dim)
            assert bar[1] == (theirs if gap >= 0 else own), (subject["subject"], dim, gap)
            checked += 1
        # the side says who ranks it higher; no sign says it the other way round from the
        # tables and the workbook (where + is the first group's, self's)
        assert not re.search(r'class="barlabel"[^>]*>[^<]*\([+-]', section)
        # colour is never alone: each side is named in its colour, with the group's marker
        assert re.search(rf"fill: {own}\">&larr; higher for Self</text>", section)
        assert re.search(rf"fill: {theirs}\">higher for {names[other]} &rarr;</text>", section)
        assert section.count('class="sidemark"') == 2
    assert checked >= 12


def test_the_workbook_chart_points_the_way_the_html_does_in_the_same_colours(
    tmp_path: Path,
) -> None:
    target = tmp_path / "w.xlsx"
    assert run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-o", str(target), "-q")[0] == 0
    document = json.loads(run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "json")[1])
    colours = _legend(run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "html")[1])
    with zipfile.ZipFile(target) as book:
        chart = book.read("xl/charts/chart1.xml").decode("utf-8")
    # the value axis runs high to low: a positive gap (self higher) lies to the left, where the
    # HTML puts self's bars; the category labels stand at that edge, off the bars
    value_axis = chart[chart.index("<valAx>") : chart.index("</valAx>")]
    assert '<orientation val="maxMin" />' in value_axis
    assert '<tickLblPos val="high" />' in chart[chart.index("<catAx>") : chart.index("</catAx>")]
    first = document["subjects"][0]["blocks"][0]
    comparison = first["comparisons"][0]
    assert (comparison["a"], comparison["b"]) == ("self", "manager")
    points = re.findall(r'<dPt><idx val="(\d+)" /><spPr><a:solidFill><a:srgbClr val="(\w+)"', chart)
    assert len(points) == len(first["dimensions"])
    for index, colour in points:
        gap = comparison["gaps"][first["dimensions"][int(index)]]  # > 0: self ranks it higher
        expected = colours["Self"] if gap > 0 else colours["Manager"]
        assert "#" + colour == expected.upper()


def test_one_palette_for_every_chart() -> None:
    html = (ROOT / "src" / "coachkit" / "render" / "html.py").read_text("utf-8")
    xlsx = (ROOT / "src" / "coachkit" / "render" / "xlsx.py").read_text("utf-8")
    template = (ROOT / "src" / "coachkit" / "render" / "templates" / "report.html.j2").read_text(
        "utf-8"
    )
    for text in (html, xlsx, template):  # colours come from the palette, never written in
        assert not re.search(r"#(?:0072B2|D55E00|E69F00|56B4E9)", text)


# Colour-vision deficiency simulation, Machado, Oliveira and Fernandes (2009), severity 1.0,
# applied to linear RGB; distances in CIELAB (D65): about 20 is plainly visible side by side.
_CVD = {
    "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
               (-0.003882, -0.048116, 1.051998)),
    "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
               (-0.011820, 0.042940, 0.968881)),
    "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
               (0.004733, 0.691367, 0.303900)),
}  # fmt: skip


def _lab(colour: str, kind: str) -> tuple[float, float, float]:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    seen = [min(max(sum(m * c for m, c in zip(row, linear, strict=True)), 0.0), 1.0)
            for row in _CVD[kind]]  # fmt: skip
    xyz = [
        sum(m * c for m, c in zip(row, seen, strict=True)) / white
        for row, white in zip(
            ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505)),
            (0.95047, 1.0, 1.08883),
            strict=True,
        )
    ]
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _distance(a: str, b: str, kind: str) -> float:
    return float(sum((p - q) ** 2 for p, q in zip(_lab(a, kind), _lab(b, kind), strict=True)))


def test_self_stands_apart_from_every_group_it_is_set_against_for_colour_blind_eyes() -> None:
    from coachkit.instruments import load_instrument
    from coachkit.render.colors import group_styles

    info = load_instrument()
    style = group_styles([*(g.id for g in info.groups), info.pooled.id])
    own = style["self"][1]
    for group in ("manager", "peer", "direct_report", "other", "all_others"):
        for kind in ("protan", "deutan"):  # the common deficiencies, about 1 man in 12
            assert _distance(own, style[group][1], kind) ** 0.5 >= 20, (group, kind)
    for kind in _CVD:  # the pair the summary and the gap chart set side by side, clearest
        assert _distance(own, style["all_others"][1], kind) ** 0.5 >= 60, kind
    assert len({shape for shape, _ in style.values()}) == len(style)  # a marker each, too
