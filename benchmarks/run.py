"""civicgraph's pipeline benchmark: every stage at 1×, 10×, 100×, 1000× Poznań and at national size.

    make bench                                    # = .venv/bin/python benchmarks/run.py (all sizes)
    .venv/bin/python benchmarks/run.py --sizes 1x,10x,100x --repeats 5
    .venv/bin/python benchmarks/run.py --sizes national-1y --max-seconds-per-stage 60
    .venv/bin/python benchmarks/run.py --sizes 100x --profile validate   # cProfile of one stage
    .venv/bin/python benchmarks/run.py --only-startup                    # `civicgraph build` wall + imports

Sizes are measured in triples: 1× is the real Poznań 2023 data (``data/``); the others are synthetic datasets
written by ``civicgraph synth`` (invented names, realistic shape), with as many members (and, beyond the
national one-year size, years) as give the wanted number of triples; ``national-1y`` and ``national-3y`` are
every local government (2,807) for one and three years. Each size runs in a fresh process
(``benchmarks/stages.py``), so that peak memory is per size; stages run ``--repeats`` times (fewer when they are
slow) and the table gives medians. Once a stage's median exceeds ``--max-seconds-per-stage`` at one size, it is
skipped at the larger ones ("skipped (>N s)"), so a run ends in bounded time.

Next to civicgraph's own stages the same run measures pyoxigraph's serializers on the same triples (the
reference of the write targets) and the baseline a user would otherwise write — rdflib parsing and serializing
Turtle, pyshacl validating the whole graph — and prints the ratios. Outputs: the tables on stdout (Markdown,
pasted into benchmarks/PIPELINE.md), progress on stderr, ``--json`` (raw results) and ``--plot`` (PNG, time
against triples per stage, log-log). Timings are of a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STAGES_SCRIPT = Path(__file__).resolve().parent / "stages.py"
DEFAULT_SIZES = "1x,10x,100x,1000x,national-1y,national-3y"
CALIBRATION_MEMBERS = 300
FIRST_YEAR, LAST_YEAR = 2021, 2023
HEAVY_LIBRARIES = ("rdflib", "pyshacl", "pyoxigraph", "yaml", "click", "owlrl", "jinja2", "httpx", "civicgraph")


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- sizes ------------------------------------------------------------------------------------------------------


@dataclass
class Size:
    name: str
    members: int | None  # None: the real data/ folder
    years: tuple[int, ...] = ()
    data: Path = ROOT / "data"
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return int(self.result.get("triples") or 0)


def plan_sizes(names: list[str], work: Path, seed: int) -> list[Size]:
    """Each size name as a data folder: Poznań itself, or synthetic members × years giving the triples wanted."""
    from civicgraph.source.synthetic import NATIONAL_SIZE

    poznan_triples, per_member_year = calibrate(work, seed) if any(n.endswith("x") for n in names) else (0, 0.0)
    sizes: list[Size] = []
    for name in names:
        if name == "1x":
            sizes.append(Size(name, None))
        elif name.endswith("x"):
            wanted = int(name[:-1]) * poznan_triples
            member_years = max(1, round(wanted / per_member_year))
            year_count = max(1, math.ceil(member_years / NATIONAL_SIZE))
            members = min(NATIONAL_SIZE, max(1, round(member_years / year_count)))
            sizes.append(Size(name, members, tuple(range(LAST_YEAR - year_count + 1, LAST_YEAR + 1))))
        elif name == "national-1y":
            sizes.append(Size(name, NATIONAL_SIZE, (LAST_YEAR,)))
        elif name == "national-3y":
            sizes.append(Size(name, NATIONAL_SIZE, tuple(range(FIRST_YEAR, LAST_YEAR + 1))))
        else:
            raise SystemExit(f"unknown size {name!r}: use Nx (N times Poznań), national-1y or national-3y")
    return sorted(sizes, key=lambda s: (s.members or 0) * max(1, len(s.years)))


def calibrate(work: Path, seed: int) -> tuple[int, float]:
    """Triples of Poznań 2023, and triples per synthetic member-year (from a 300-member dataset)."""
    from civicgraph.graph.build import build_graph
    from civicgraph.source.reader import read_dataset

    poznan_dataset = read_dataset(ROOT / "data")
    poznan = len(build_graph(poznan_dataset).plain)
    vocabularies = poznan - len(build_graph(poznan_dataset, vocabularies="none").plain)
    folder = synthetic_folder(work, CALIBRATION_MEMBERS, (LAST_YEAR,), seed)
    synthetic = len(build_graph(read_dataset(folder)).plain)
    per_member_year = (synthetic - vocabularies) / CALIBRATION_MEMBERS
    progress(f"calibration: Poznań 2023 = {poznan} triples; synthetic ≈ {per_member_year:.0f} triples per member-year")
    return poznan, per_member_year


def synthetic_folder(work: Path, members: int, years: tuple[int, ...], seed: int) -> Path:
    """The data folder of a synthetic size, generated once and reused while the generator is unchanged."""
    from civicgraph.source import synthetic as synth

    stamp = hashlib.sha256(Path(synth.__file__).read_bytes() + f"{members}:{years}:{seed}".encode()).hexdigest()
    folder = work / f"synth-m{members}-y{'-'.join(map(str, years))}-s{seed}"
    if (folder / ".bench-stamp").is_file() and (folder / ".bench-stamp").read_text() == stamp:
        return folder
    progress(f"generating {members} members × {len(years)} years into {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    synth.write_dataset(synth.generate(members, years, seed), folder)
    (folder / ".bench-stamp").write_text(stamp)
    return folder


# -- running the stages ---------------------------------------------------------------------------------------


def run_size(size: Size, args: argparse.Namespace, skip: dict[str, str]) -> None:
    command = [
        sys.executable,
        str(STAGES_SCRIPT),
        "--data",
        str(size.data),
        "--repeats",
        str(args.repeats),
        "--max-seconds",
        str(args.max_seconds_per_stage),
        "--repeat-budget",
        str(args.repeat_budget),
        "--hard-limit",
        str(args.max_seconds_per_stage * args.hard_factor),
        "--skip",
        "|".join(skip),
    ]
    for flag, wanted in (("--no-baseline", args.no_baseline), ("--no-serve", args.no_serve)):
        if wanted:
            command.append(flag)
    if args.profile:
        command += ["--profile", args.profile]
    load = os.getloadavg()[0]
    progress(f"{size.name}: running stages (load average {load:.2f})")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        progress(f"{size.name}: the stages process failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        size.result = {"triples": None, "stages": [], "error": done.stderr.strip()[-500:]}
        return
    size.result = json.loads(done.stdout)
    size.result["load_average"] = [load, os.getloadavg()[0]]
    progress(f"{size.name}: {size.triples} triples, {time.perf_counter() - started:.0f} s")
    for stage in size.result["stages"]:
        over = stage["median"] is not None and stage["median"] > args.max_seconds_per_stage
        if over or stage["status"].startswith("stopped"):
            skip[stage["name"]] = f"skipped (>{args.max_seconds_per_stage:g} s)"


# -- tables ---------------------------------------------------------------------------------------------------


def stage_names(sizes: list[Size]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for size in sizes:
        for stage in size.result.get("stages", []):
            seen.setdefault(stage["name"], stage["group"])
    return list(seen.items())


def stage_of(size: Size, name: str) -> dict[str, Any] | None:
    return next((s for s in size.result.get("stages", []) if s["name"] == name), None)


def cell(stage: dict[str, Any] | None) -> str:
    if stage is None:
        return "—"
    if stage["median"] is None:
        status = str(stage["status"])
        return status.split(":")[0] if status.startswith("not available") else status
    memory = f" · {stage['peak_rss_mb']:.0f} MB" if stage.get("peak_rss_mb") else ""
    cpu = f" (cpu {format_seconds(stage['cpu_median'])})" if stage.get("cpu_median") is not None else ""
    return f"{format_seconds(stage['median'])}{cpu}{memory} ×{len(stage['times'])}"


def format_seconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def sizes_table(sizes: list[Size]) -> str:
    rows = []
    for size in sizes:
        reports = next((s["detail"] for s in size.result.get("stages", []) if s["name"] == "read"), "")
        members = "Poznań 2023 (real data)" if size.members is None else f"{size.members} synthetic"
        years = ",".join(map(str, size.years)) or "2023"
        load = size.result.get("load_average", [float("nan")] * 2)
        rows.append([size.name, members, years, reports, f"{size.triples:,}", f"{load[0]:.1f} → {load[1]:.1f}"])
    return markdown_table(["size", "members", "years", "reports", "triples", "load average"], rows)


def stages_table(sizes: list[Size]) -> str:
    header = ["stage"] + [f"{s.name} ({s.triples:,} t)" for s in sizes]
    rows = [
        [f"{name}" if group == "pipeline" else f"{name} *({group.split(':')[0]})*"]
        + [cell(stage_of(s, name)) for s in sizes]
        for name, group in stage_names(sizes)
    ]
    return markdown_table(header, rows)


def per_triple_table(sizes: list[Size]) -> str:
    """µs per triple per size, and the largest size's cost per triple relative to the 10× size's."""
    measured = [s for s in sizes if s.triples]
    reference = next((s for s in measured if s.name == "10x"), measured[0] if measured else None)
    header = ["stage"] + [s.name for s in measured] + ["largest ÷ 10× (µs/triple)"]
    rows = []
    for name, _group in stage_names(sizes):
        per = {s.name: stage_of(s, name) for s in measured}
        values = {k: v["median"] / measured_triples(measured, k) * 1e6 for k, v in per.items() if v and v["median"]}
        row = [name] + [f"{values[s.name]:.2f}" if s.name in values else "—" for s in measured]
        largest = next((s.name for s in reversed(measured) if s.name in values), None)
        ratio = "—"
        if reference is not None and largest and reference.name in values and largest != reference.name:
            ratio = f"{values[largest] / values[reference.name]:.2f} ({largest})"
        rows.append([*row, ratio])
    return markdown_table(header, rows)


def measured_triples(sizes: list[Size], name: str) -> int:
    return next(s.triples for s in sizes if s.name == name)


RATIOS = (
    ("write ttl", "ox serialize ttl", "Turtle: ours ÷ pyoxigraph's serializer (target ≤ 2)"),
    ("write nt", "ox serialize nt", "N-Triples: ours ÷ pyoxigraph's serializer (target ≤ 2)"),
    ("write jsonld", "ox serialize jsonld", "JSON-LD: ours ÷ pyoxigraph's serializer (target ≤ 2)"),
    ("write ttl", "rdflib serialize ttl", "Turtle: ours ÷ rdflib serialize"),
    ("validate", "pyshacl whole graph", "validate: ours ÷ pyshacl on the whole graph"),
)
OURS = ("read", "build", "validate", "sort triples", "write ttl", "write nt", "write jsonld")
BASELINE = ("rdflib parse ttl", "pyshacl whole graph", "rdflib serialize ttl")


def ratios_table(sizes: list[Size]) -> str:
    header = ["ratio"] + [s.name for s in sizes]
    rows = []
    for ours, theirs, label in RATIOS:
        row = [label]
        for size in sizes:
            a, b = stage_of(size, ours), stage_of(size, theirs)
            ok = a and b and a["median"] and b["median"]
            row.append(f"{a['median'] / b['median']:.2f}" if ok else "—")  # type: ignore[index]
        rows.append(row)
    row = ["baseline (rdflib parse + pyshacl + rdflib serialize) ÷ ours (read … write jsonld)"]
    for size in sizes:
        ours_total = total(size, OURS)
        baseline_total = total(size, BASELINE)
        row.append(f"{baseline_total / ours_total:.2f}" if ours_total and baseline_total else "—")
    rows.append(row)
    return markdown_table(header, rows)


def total(size: Size, names: tuple[str, ...]) -> float | None:
    stages = [stage_of(size, name) for name in names]
    if not all(s and s["median"] is not None for s in stages):
        return None
    return sum(s["median"] for s in stages)  # type: ignore[index]


def targets(sizes: list[Size]) -> str:
    lines = []
    for size in sizes:
        full = total(size, OURS)
        peaks = [
            s["peak_rss_mb"] for s in size.result.get("stages", []) if s["group"] == "pipeline" and s["peak_rss_mb"]
        ]
        if full is not None:
            lines.append(
                f"- {size.name}: read … write (sum of stage medians) {format_seconds(full)}, "
                f"peak RSS {max(peaks):.0f} MB"
            )
    return "\n".join(lines)


# -- plot -----------------------------------------------------------------------------------------------------


def _core(name: str, group: str) -> bool:
    return group == "pipeline" and name in OURS


def _writer(name: str, _group: str) -> bool:
    return name.startswith("writer: ")


def _query_or_serve(name: str, _group: str) -> bool:
    return name.startswith(("query", "serve"))


def _baseline(_name: str, group: str) -> bool:
    return group.startswith("baseline")


def _reference(_name: str, group: str) -> bool:
    return group.startswith("reference")


PANELS: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    ("core stages: read → build → validate → write", _core),
    ("release writers (publish.WRITERS)", _writer),
    ("query library and server", _query_or_serve),
    ("baseline: rdflib + pyshacl", _baseline),
    ("reference: pyoxigraph", _reference),
)


def plot(sizes: list[Size], path: Path) -> None:
    """Time against triples, log-log, one panel per kind of stage; a dotted line of slope 1 marks linear growth."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measured = [s for s in sizes if s.triples]
    figure, axes = plt.subplots(2, 3, figsize=(19, 11))
    styles = [(marker, line) for line in ("-", "--", "-.") for marker in ("o", "s", "^", "D", "v", "P", "X")]
    xs = [s.triples for s in measured]
    for axis, (title, belongs) in zip(axes.flat, PANELS, strict=False):
        drawn = [(name, group) for name, group in stage_names(measured) if belongs(name, group)]
        for number, (name, _group) in enumerate(drawn):
            points = [(s.triples, st["median"]) for s in measured if (st := stage_of(s, name)) and st["median"]]
            if points:
                marker, line = styles[number % len(styles)]
                axis.plot(
                    *zip(*points, strict=True), marker=marker, linestyle=line, label=name.removeprefix("writer: ")
                )
        if len(xs) >= 2:
            axis.plot(xs, [x * 1e-5 for x in xs], linestyle=":", color="grey", label="linear: 10 µs per triple")
        axis.set(xscale="log", yscale="log", xlabel="triples", ylabel="median seconds (wall)", title=title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7, loc="upper left")
    axes.flat[-1].axis("off")
    axes.flat[-1].text(0.0, 0.9, "\n".join(f"{s.name}: {s.triples:,} triples" for s in measured), fontsize=10, va="top")
    figure.suptitle(f"civicgraph pipeline on {os.cpu_count()} cores: time against triples per stage (log-log)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# -- startup: `civicgraph build` from process start, and import times -------------------------------------------


def startup(args: argparse.Namespace) -> str:
    civicgraph = Path(sys.executable).parent / "civicgraph"
    out = Path(tempfile.mkdtemp(prefix="civicgraph-bench-dist-"))
    command = [str(civicgraph), "build", "--data", str(ROOT / "data"), "--out", str(out / "dist")]
    lines = ["### `civicgraph build` of Poznań 2023, from process start to dist/ written", ""]
    probe = subprocess.run(command, capture_output=True, text=True, check=False)
    lines.append(f"exit code {probe.returncode}: {probe.stderr.strip().splitlines()[-1] if probe.stderr else ''}")
    if shutil.which("hyperfine"):
        export = out / "hyperfine.json"
        subprocess.run(
            [
                "hyperfine",
                "--warmup",
                "2",
                "--runs",
                str(args.cli_runs),
                "--ignore-failure",
                "--style",
                "none",
                "--export-json",
                str(export),
                " ".join(command),
            ],
            capture_output=True,
            check=False,
        )
        times = json.loads(export.read_text())["results"][0]["times"]
        tool = "hyperfine"
    else:
        times = []
        for _ in range(args.cli_runs):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            times.append(time.perf_counter() - started)
        tool = "repeated subprocess runs"
    lines.append(
        f"wall: median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
        f"({len(times)} runs, {tool}; load average {os.getloadavg()[0]:.2f})"
    )
    lines += ["", "### Import time (`python -X importtime`), self time summed per top-level package", ""]
    lines.append(import_times(command))
    shutil.rmtree(out, ignore_errors=True)
    return "\n".join(lines)


def end_to_end(size: Size, args: argparse.Namespace) -> dict[str, Any]:
    """``civicgraph build`` of the size's data as a user runs it: wall time and the child's own peak RSS.

    This is the figure the targets name (national, one year: under 60 s and 4 GB; three years: under 3 minutes);
    the stage table shows where the time goes. Repeats until ``--repeat-budget`` is spent (at least once).
    """
    civicgraph = Path(sys.executable).parent / "civicgraph"
    out = Path(tempfile.mkdtemp(prefix="civicgraph-bench-e2e-"))
    command = [str(civicgraph), "build", "--data", str(size.data), "--out", str(out / "dist")]
    walls: list[float] = []
    peaks: list[float] = []
    spent, exit_code, last_line = 0.0, 0, ""
    while len(walls) < args.repeats and (not walls or spent < args.repeat_budget):
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert child.stderr is not None
        stderr = child.stderr.read()
        child.stderr.close()
        # wait4 reaps the child with its own rusage (RUSAGE_CHILDREN would mix in every earlier child).
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        walls.append(time.perf_counter() - started)
        spent += walls[-1]
        exit_code = child.returncode
        last_line = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        peaks.append(usage.ru_maxrss / 1024)
    files = sum(1 for path in (out / "dist").rglob("*") if path.is_file()) if (out / "dist").is_dir() else 0
    size_mb = sum(p.stat().st_size for p in (out / "dist").rglob("*") if p.is_file()) / 1e6 if files else 0.0
    shutil.rmtree(out, ignore_errors=True)
    progress(f"{size.name}: civicgraph build {statistics.median(walls):.1f} s (exit {exit_code})")
    return {"walls": walls, "peaks_mb": peaks, "exit": exit_code, "last_line": last_line, "files": files, "mb": size_mb}


def end_to_end_table(sizes: list[Size]) -> str:
    rows = []
    for size in sizes:
        e2e = size.result.get("end_to_end")
        if not e2e:
            continue
        walls, peaks = e2e["walls"], e2e["peaks_mb"]
        rows.append(
            [
                size.name,
                f"{size.triples:,}",
                f"{format_seconds(statistics.median(walls))} ({len(walls)} runs, max {format_seconds(max(walls))})",
                f"{max(peaks):.0f} MB" if peaks else "?",
                f"{e2e['files']:,} files, {e2e['mb']:.0f} MB",
                str(e2e["exit"]),
            ]
        )
    return markdown_table(["size", "triples", "wall (median)", "peak RSS", "dist/", "exit"], rows)


def import_times(command: list[str]) -> str:
    """Run the build once under ``-X importtime``; the median of 3 runs of each package's summed self time."""
    runs: list[dict[str, float]] = []
    for _ in range(3):
        done = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-c",
                "import sys; from civicgraph.cli.main import main; main()",
                *command[1:],
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        per_package: dict[str, float] = {}
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if found:
                package = found.group(4).split(".")[0]
                per_package[package] = per_package.get(package, 0.0) + int(found.group(1)) / 1000
        runs.append(per_package)
    packages = {p for run in runs for p in run}
    medians = {p: statistics.median(run.get(p, 0.0) for run in runs) for p in packages}
    everything = statistics.median(sum(run.values()) for run in runs)
    top = sorted(medians.items(), key=lambda item: -item[1])[:15]
    rows = [[name, f"{ms:.0f} ms", f"{ms / everything:.0%}"] for name, ms in top]
    rows.append(["all imports", f"{everything:.0f} ms", "100%"])
    return markdown_table(["package", "self time", "share"], rows)


# -- main -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--repeats", type=int, default=3, help="runs per stage; the table gives the median")
    parser.add_argument(
        "--max-seconds-per-stage",
        type=float,
        default=120.0,
        help="a stage slower than this at one size is skipped at the larger ones",
    )
    parser.add_argument(
        "--repeat-budget",
        type=float,
        default=30.0,
        help="stop repeating a stage once its runs took this many seconds",
    )
    parser.add_argument(
        "--hard-factor", type=float, default=3.0, help="a single run longer than factor × max-seconds is interrupted"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "civicgraph-bench",
        help="where synthetic data folders are kept between runs",
    )
    parser.add_argument("--no-baseline", action="store_true", help="leave out rdflib + pyshacl")
    parser.add_argument("--no-serve", action="store_true", help="leave out the HTTP server under load")
    parser.add_argument("--profile", help="cProfile this stage (e.g. validate) once per size and print the top")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "pipeline.png")
    parser.add_argument("--cli-runs", type=int, default=10, help="runs of `civicgraph build` for the startup wall")
    parser.add_argument("--no-startup", action="store_true", help="skip the `civicgraph build` wall and imports")
    parser.add_argument("--only-startup", action="store_true")
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="skip timing `civicgraph build` as a whole process per size"
    )
    parser.add_argument(
        "--from-json", type=Path, help="measure nothing: print the tables and draw the plot of an earlier --json"
    )
    args = parser.parse_args()
    if args.from_json is not None:
        report(load_results(args.from_json), args)
        return

    print(
        f"# civicgraph benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {library_versions()}\n"
    )
    if not args.no_startup:
        print(startup(args) + "\n")
    if args.only_startup:
        return
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = plan_sizes([n.strip() for n in args.sizes.split(",") if n.strip()], args.work, args.seed)
    skip: dict[str, str] = {}
    for size in sizes:
        if size.members is not None:
            size.data = synthetic_folder(args.work, size.members, size.years, args.seed)
        run_size(size, args, skip)
        if not args.no_end_to_end:
            size.result["end_to_end"] = end_to_end(size, args)
        if args.profile and size.result.get("profile"):
            print(f"### cProfile of `{args.profile}` at {size.name}\n\n```\n{size.result['profile']}```\n")
    report(sizes, args)


def report(sizes: list[Size], args: argparse.Namespace) -> None:
    method = next((s.result["peak_method"] for s in sizes if "peak_method" in s.result), "?")
    print("### Sizes\n\n" + sizes_table(sizes) + "\n")
    print(
        "### Stages: median wall time (median CPU time of the measuring process) · peak RSS of the process during "
        f"the stage ({method}) × number of runs\n"
    )
    print(stages_table(sizes) + "\n")
    print("### Cost per triple (µs); linear growth keeps a row constant\n\n" + per_triple_table(sizes) + "\n")
    print("### Ratios (time ÷ time on the same graph)\n\n" + ratios_table(sizes) + "\n")
    print("### Full build, our stages summed\n\n" + targets(sizes) + "\n")
    print(
        "### Full build end to end: `civicgraph build` as a process (load, build, validate, every writer), peak RSS "
        "of that process\n\n" + end_to_end_table(sizes) + "\n"
    )
    details = [(s.name, st["name"], st["detail"]) for s in sizes for st in s.result.get("stages", []) if st["detail"]]
    print("### Details\n\n" + "\n".join(f"- {size} · {stage}: {detail}" for size, stage, detail in details) + "\n")
    args.json.write_text(
        json.dumps([{"size": s.name, "members": s.members, "years": s.years, **s.result} for s in sizes], indent=1)
        + "\n"
    )
    plot(sizes, args.plot)
    progress(f"wrote {args.json} and {args.plot}")


def load_results(path: Path) -> list[Size]:
    sizes = []
    for entry in json.loads(path.read_text()):
        result = {k: v for k, v in entry.items() if k not in ("size", "members", "years")}
        sizes.append(Size(entry["size"], entry["members"], tuple(entry["years"] or ()), result=result))
    return sizes


def library_versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("rdflib", "pyshacl", "pyoxigraph"))


if __name__ == "__main__":
    main()
