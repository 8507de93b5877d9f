"""The targets (reported against, never asserted) and the printed table."""

from dataclasses import dataclass

import numpy as np

from benchmark.load import THINK_SECONDS
from benchmark.steps import Measure, Reference

# Targets from the issue: reported against, never asserted.
ANALYSIS_SECONDS = 2.0


WORKBOOK_SECONDS = 10.0


WORKBOOK_FLOOR_RATIO = 1.5


WORKBOOK_PEAK_MB = 500.0


SAVE_P95_MS = 100.0


FILTER_WARM_SECONDS = 0.5


FILTER_COLD_SECONDS = 1.5


ROUNDS_5_SECONDS = 5.0


@dataclass
class Target:
    key: str
    name: str
    target: str
    measured: str
    met: bool


def targets(steps, load, dashboard=None, busy_load=None):
    """The issue's targets with what was measured: reported, never asserted.
    `busy_load` is the second survey load (PostgreSQL, more people)."""
    by_name = {step.name: step for step in steps}
    analysis, workbook = by_name["analysis"], by_name["full_workbook"]
    floor = next(ref for ref in workbook.references if ref.kind == "floor")
    floor_ratio = floor.ratio(workbook.seconds)
    return [
        Target(
            "analysis",
            "analysis (frame + gap tables)",
            f"< {ANALYSIS_SECONDS:g} s",
            f"{analysis.seconds:.2f} s",
            analysis.seconds < ANALYSIS_SECONDS,
        ),
        Target(
            "workbook_seconds",
            "full workbook time",
            f"< {WORKBOOK_SECONDS:g} s",
            f"{workbook.seconds:.2f} s",
            workbook.seconds < WORKBOOK_SECONDS,
        ),
        Target(
            "workbook_floor",
            "full workbook against the bare dump",
            f"≤ {WORKBOOK_FLOOR_RATIO:g}× floor",
            f"{floor_ratio:.2f}×",
            floor_ratio <= WORKBOOK_FLOOR_RATIO,
        ),
        Target(
            "workbook_memory",
            "full workbook peak memory",
            f"< {WORKBOOK_PEAK_MB:g} MB peak",
            f"{workbook.peak_mb:.0f} MB",
            workbook.peak_mb < WORKBOOK_PEAK_MB,
        ),
        *_load_targets(load, ""),
        *(_load_targets(busy_load, "_busy") if busy_load else []),
        *_dashboard_targets(dashboard or {}),
    ]


def _load_targets(load, suffix):
    p95, answers = load["save_post_ms"]["p95"], load["answers"]
    people = f"{load['respondents']} respondents"
    return [
        Target(
            "save_p95" + suffix,
            f"section save p95, {people}",
            f"p95 < {SAVE_P95_MS:g} ms",
            "no saves" if p95 is None else f"{p95:.0f} ms",
            p95 is not None and p95 < SAVE_P95_MS,
        ),
        Target(
            "lost_answers" + suffix,
            f"lost answers, {people}",
            "0 lost",
            f"{answers['lost']} of {answers['sent']} sent",
            answers["lost"] == 0 and answers["sent"] > 0,
        ),
    ]


def _dashboard_targets(dashboard):
    found = []
    for key, name, limit in (
        (
            "dashboard_filter_warm",
            "filter change, page + 4 charts, data unchanged",
            FILTER_WARM_SECONDS,
        ),
        ("dashboard_filter_cold", "filter change after an answer changed", FILTER_COLD_SECONDS),
        ("rounds_compared_5", "five rounds compared (snapshots)", ROUNDS_5_SECONDS),
    ):
        if key in dashboard:
            seconds = dashboard[key]["seconds"]
            found.append(Target(key, name, f"< {limit:g} s", f"{seconds:.2f} s", seconds < limit))
    servers = dashboard.get("two_servers")
    if servers and "seen_on_other_server" in servers:
        found.append(
            Target(
                "two_servers",
                "answer saved on one server, seen on the other",
                "seen at once; job done",
                f"{servers['submitted_before']} → {servers['submitted_after']} submitted; "
                f"job {servers['job_seconds']:.1f} s",
                servers["seen_on_other_server"] and bool(servers["job_files"]),
            )
        )
    return found


STEP_TARGETS = {
    "analysis": ["analysis"],
    "full_workbook": ["workbook_seconds", "workbook_memory"],
}


REFERENCE_TARGETS = {("full_workbook", "floor"): "workbook_floor"}


ROW = "{:<53} {:>8} {:>8} {:>8} {:>7}  {:<16} {}"


def _verdict(met):
    return "met" if met else "not met"


def _mb(value):
    return "—" if value is None else f"{value:.0f}"


def _ms(value):
    return "—" if value is None else f"{value:.0f} ms"


def _other_load_lines(shares):
    """A warning when other processes took a noticeable share of the CPUs."""
    busy = [
        f"{share:.0%} of the CPUs during the {name.replace('_', ' ')}"
        for name, share in shares.items()
        if share is not None and share > 0.1
    ]
    if not busy:
        return []
    return [
        f"Warning: other processes (a database server counts) used {' and '.join(busy)}; "
        "these timings are inflated."
    ]


def report_table(report):
    """The report as a readable table (the JSON has every number)."""
    sizes, load, queries = report["sizes"], report["load"], report["queries"]
    goals = {target["key"]: target for target in report["targets"]}

    def goal(key):
        return (goals[key]["target"], _verdict(goals[key]["met"])) if key else ("", "")

    out = [
        f"Benchmark: {sizes['responses']:,} responses × {sizes['items']} items = "
        f"{sizes['answers']:,} answers on {sizes['database']} "
        f"({sizes['cpus']} CPUs, Python {sizes['python']}, Django {sizes['django']})",
        "Seconds come from a plain run of each step, peak MB from a separate run under "
        "tracemalloc (tracing slows a step down).",
        "Ratio = the step's seconds / the reference's seconds.",
        *_other_load_lines(report["other_processes_cpu_share"]),
        "",
        ROW.format("step", "seconds", "peak MB", "ref s", "ratio", "target", "verdict"),
        "-" * 115,
    ]
    for name, step in report["steps"].items():
        keys = STEP_TARGETS.get(name, [None])
        out.append(
            ROW.format(
                step["label"],
                f"{step['seconds']:.2f}",
                _mb(step["peak_mb"]),
                "",
                "",
                *goal(keys[0]),
            )
        )
        for key in keys[1:]:
            out.append(ROW.format("", "", "", "", "", *goal(key)))
        for part, seconds in step["parts"].items():
            out.append(ROW.format(f"    of which {part}", f"{seconds:.2f}", "", "", "", "", ""))
        for ref in step["references"]:
            measured = step["seconds"] if ref["compared_with"] is None else ref["compared_with"]
            out.append(
                ROW.format(
                    f"    {ref['kind']}: {ref['label']}",
                    "",
                    _mb(ref["peak_mb"]),
                    f"{ref['seconds']:.2f}",
                    f"{measured / ref['seconds']:.2f}×",
                    *goal(REFERENCE_TARGETS.get((name, ref["kind"]))),
                )
            )
    out += ["", *_load_lines("5 survey under load", load, goals, "")]
    if "load_busy" in report:
        out += ["", *_load_lines("5b the same, busier", report["load_busy"], goals, "_busy")]
    out += [
        "",
        "6 queries: section page GET {}, dashboard GET {} cold / {} warm (cached results)".format(
            queries["section_page_get"]["queries"],
            queries["dashboard_get_cold"]["queries"],
            queries["dashboard_get_warm"]["queries"],
        ),
        *_dashboard_lines(report),
        "",
        "Targets:",
    ]
    for target in report["targets"]:
        out.append(
            f"  {target['name']:<40} {target['target']:<16} {target['measured']:<22} "
            f"{_verdict(target['met'])}"
        )
    return "\n".join(out)


def _load_lines(title, load, goals, suffix):
    save_goal, lost_goal = goals["save_p95" + suffix], goals["lost_answers" + suffix]
    save, get, answers = load["save_post_ms"], load["section_get_ms"], load["answers"]
    return [
        f"{title}: {load['respondents']} respondents for {load['seconds']:.0f} s, "
        f"thinking {THINK_SECONDS[0]:g}–{THINK_SECONDS[1]:g} s between actions "
        f"({load['server']})",
        f"    section save POST   p50 {_ms(save['p50'])}, p95 {_ms(save['p95'])}, "
        f"max {_ms(save['max'])} ({save['count']} saves)   "
        f"{save_goal['target']}: {_verdict(save_goal['met'])}",
        f"    section page GET    p50 {_ms(get['p50'])}, p95 {_ms(get['p95'])}, "
        f"max {_ms(get['max'])} ({get['count']} pages)",
        f"    {load['requests_per_second']:.1f} requests/s, {load['errors']} errors",
        f"    answers: {answers['sent']} sent, {answers['stored']} stored, "
        f"{answers['mismatches']} missing or different   "
        f"{lost_goal['target']}: {_verdict(lost_goal['met'])}",
    ]


def _dashboard_lines(report):
    if "dashboard_filter_warm" not in report:
        return []
    warm, cold = report["dashboard_filter_warm"], report["dashboard_filter_cold"]
    lines = [
        "",
        "7 the dashboard through its views (page + 4 PNG charts):",
        f"    first view, nothing in memory      {report['dashboard_first_view']['seconds']:.2f} s",
        f"    filter change, data unchanged      {warm['seconds']:.2f} s (page {warm['page']:.2f}, "
        f"charts {warm['charts']:.2f}); {warm['floor_ratio']:.2f}× the raw fetch floor",
        f"    same, after an answer changed      {cold['seconds']:.2f} s (page {cold['page']:.2f}, "
        f"charts {cold['charts']:.2f}); {cold['floor_ratio']:.2f}× the raw fetch floor",
        f"    4 charts uncached / cached         {report['charts_uncached']['seconds']:.2f} s / "
        f"{report['charts_cached']['seconds']:.3f} s",
    ]
    if "rounds_compared_5" in report:
        compared = report["rounds_compared_5"]
        lines.append(
            f"    five rounds compared               {compared['seconds']:.2f} s from the "
            f"snapshot files, {compared['from_database_seconds']:.2f} s from the database"
        )
    servers = report.get("two_servers") or {}
    if "seen_on_other_server" in servers:
        lines.append(
            f"    two servers: {servers['submitted_before']} → {servers['submitted_after']} "
            "submitted on the other server's dashboard "
            f"({servers['dashboard_after_save_seconds']:.2f} s); "
            f"workbook job {servers['job_seconds']:.1f} s"
        )
    elif servers:
        lines.append(f"    two servers: {servers.get('skipped') or servers.get('failed')}")
    return lines


def jsonable(value):
    if isinstance(value, (Measure, Reference, Target)):
        return jsonable(value.__dict__)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
