"""The results as Markdown: absolute numbers per system, then the ratios that matter."""

from __future__ import annotations

from typing import Any

from benchmarks.measure import Sample
from benchmarks.scenarios import SCENARIOS, Scenario

PROJECT, FLOOR, CEILING = "webstore", "Flask floor", "raw WSGI"
PEERS = ("DRF", "FastAPI")


def render(
    header: dict[str, Any],
    names: list[str],
    results: dict[tuple[str, str], Sample],
    scaling: dict[int, dict[str, float]],
    scale_out: dict[str, Any] | None,
    login_probe: dict[str, float] | None,
) -> str:
    peers = [peer for peer in PEERS if peer in names]
    ran = {scenario for scenario, _ in results}
    scenarios = [scenario for scenario in SCENARIOS if scenario.name in ran]
    lines = [f"- {key}: {value}" for key, value in header.items() if key != "notes"]
    lines += [f"- note: {note}" for note in header["notes"]]
    lines += ["", *_absolute(scenarios, names, results), ""]
    if CEILING in names and FLOOR in names:
        lines += [*_ratios(scenarios, peers, results), ""]
    lines += [*_memory(names, results), "", *_mixes(scenarios, names, results)]
    if login_probe is None:
        return "\n".join(lines)
    login = results[("login_view", PROJECT)]
    floor_login = results[("login_view", FLOOR)]
    lines += [
        "",
        f"login: {login.cpu_ms:.1f} ms server CPU per login; the Flask floor's login, one Argon2 "
        f"verify, {floor_login.cpu_ms:.1f} ms in the same rounds: "
        f"{login.cpu_ms - floor_login.cpu_ms:.1f} ms of other CPU "
        f"(one verify alone in a quiet process: {header['argon2_verify_ms']:.1f} ms)",
        "",
        f"login, other CPU (the login probe: Argon2 at its cheapest, same load): "
        f"{login_probe['cpu_ms']:.2f} ms per login, of which the verify is "
        f"{login_probe['verify_ms']:.2f} ms: **{login_probe['other_ms']:.2f} ms of other CPU**",
        "",
        *_scaling(scaling),
    ]
    if scale_out:
        lines += ["", "scale-out (two `webstore serve`, one PostgreSQL):"]
        lines += [f"- {key}: {value}" for key, value in scale_out.items()]
    return "\n".join(lines)


def _absolute(
    scenarios: list[Scenario], names: list[str], results: dict[tuple[str, str], Sample]
) -> list[str]:
    lines = [
        "| scenario | system | req/s | p50 ms | p99 ms | CPU ms/req | worker RSS MiB "
        "| peak worker RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        for name in names:
            s = results[(scenario.name, name)]
            lines.append(
                f"| {scenario.name} | {name} | {s.rate:.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} "
                f"| {s.cpu_ms:.2f} | {s.rss_mb:.0f} | {s.peak_rss_mb:.0f} |"
            )
    return lines


def _ratios(
    scenarios: list[Scenario], peers: list[str], results: dict[tuple[str, str], Sample]
) -> list[str]:
    versus = "".join(f" x {peer} |" for peer in peers)
    tails = " / ".join([PROJECT, *peers])
    lines = [
        f"| scenario |{versus} of ceiling | of Flask floor | p99 ms: {tails} |",
        "|---|" + "---:|" * (len(peers) + 2) + "---|",
    ]
    for scenario in scenarios:
        ours = results[(scenario.name, PROJECT)]
        others = [results[(scenario.name, peer)] for peer in peers]
        ceiling = results[(scenario.name, CEILING)]
        floor = results[(scenario.name, FLOOR)]
        cells = "".join(f" {ours.rate / other.rate:.2f}x |" for other in others)
        tail = " / ".join(f"{s.p99_ms:.1f}" for s in (ours, *others))
        lines.append(
            f"| {scenario.name} |{cells} {ours.rate / ceiling.rate:.2f} "
            f"| {ours.rate / floor.rate:.2f} | {tail} |"
        )
    return lines


def _memory(names: list[str], results: dict[tuple[str, str], Sample]) -> list[str]:
    """Each system's largest worker at its worst over the whole run."""
    apps = [name for name in names if name not in (FLOOR, CEILING)]
    peaks = {
        name: max(s.peak_rss_mb for (_, n), s in results.items() if n == name) for name in apps
    }
    return [
        "| peak resident memory of a worker, whole run | " + " | ".join(apps) + " |",
        "|---|" + "---:|" * len(apps),
        "| MiB | " + " | ".join(f"{peaks[name]:.0f}" for name in apps) + " |",
    ]


def _mixes(
    scenarios: list[Scenario], names: list[str], results: dict[tuple[str, str], Sample]
) -> list[str]:
    """What the many-customer scenarios' requests were, as drawn (all rounds)."""
    lines = []
    for scenario in scenarios:
        if scenario.mix is None:
            continue
        for name in names:
            listings, own, checkouts = results[(scenario.name, name)].drawn
            total = max(listings + own + checkouts, 1)
            lines.append(
                f"- {scenario.name}, {name}: {total} requests drawn, "
                f"{100 * listings / total:.0f} % listings, {100 * own / total:.0f} % own orders, "
                f"{100 * checkouts / total:.0f} % checkouts"
            )
    return lines


def _scaling(scaling: dict[int, dict[str, float]]) -> list[str]:
    columns = list(next(iter(scaling.values())))
    lines = [
        "| products, one client, median ms | " + " | ".join(columns) + " |",
        "|---:|" + "---:|" * len(columns),
    ]
    for size, times in scaling.items():
        cells = " | ".join(f"{ms:.1f}" for ms in times.values())
        slower = ", ".join(
            f"{peer} {times[peer] / times[PROJECT]:.1f}x" for peer in PEERS if peer in times
        )
        lines.append(f"| {size} | {cells}{f' (as long as ours: {slower})' if slower else ''} |")
    return lines
