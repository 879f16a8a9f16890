"""`out/report.html`: the story's figures as PNG files beside one static page."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402

from dao.chain.units import ETHER


def _values_figure(path: Path, epoch: int, report, label_of: dict, roles: dict) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, (title, game) in zip(
        axes, (("data providers", report.data_values), ("model builders", report.model_values)), strict=True
    ):
        players = game["players"]
        names = [label_of.get(p["name"], p["name"]) for p in players]
        values = [p["value"] for p in players]
        errors = [
            [p["value"] - p["ci_low"] for p in players],
            [p["ci_high"] - p["value"] for p in players],
        ]
        colors = ["tab:green" if roles.get(n, "").startswith("honest") else "tab:red" for n in names]
        ax.bar(range(len(values)), values, yerr=errors, color=colors, capsize=3)
        ax.set_xticks(range(len(values)), names, rotation=45, ha="right")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_title(f"epoch {epoch}: {title} (green honest, red not)")
        ax.set_ylabel("Shapley value (negative log-loss)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _ownership_figure(path: Path, outcome) -> None:
    dao = outcome.dao
    rows = [
        (name, int(dao.shares.balanceOf(account)) / ETHER)
        for name, account in outcome.cast.items()
        if int(dao.shares.balanceOf(account))
    ]
    rows.sort(key=lambda row: -row[1])
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.barh([name for name, _ in rows][::-1], [amount for _, amount in rows][::-1], color="tab:blue")
    ax.set_xlabel("shares")
    ax.set_title("ownership after the last epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _dividends_figure(path: Path, outcome) -> None:
    labels = [label for label, _ in outcome.dividends_timeline]
    totals = [wei / ETHER for _, wei in outcome.dividends_timeline]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.step(range(len(totals)), totals, where="post", marker="o")
    ax.set_xticks(range(len(totals)), labels, rotation=30, ha="right")
    ax.set_ylabel("ETH distributed to holders (cumulative)")
    ax.set_title("dividends over time")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _score_figure(path: Path, outcome) -> None:
    epochs = sorted(outcome.reports)
    losses = [-outcome.reports[e].metamodel_score for e in epochs]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, losses, marker="o")
    ax.set_xticks(epochs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation log-loss (lower is better)")
    ax.set_title("metamodel score per epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def static_vs_live_html(epoch: int, report, label_of: dict | None = None) -> str:
    """A live-scored epoch's values on the committed hold-out (static) beside its values on the
    outcome rows posted after the metamodel commitment (live, the ones paid); "" for a static one."""
    live = report.live
    if not live or "static" not in live:
        return ""
    label_of = label_of or {}
    rows = []
    for game, title in (("data", "data provider"), ("model", "model builder")):
        published = report.data_values if game == "data" else report.model_values
        live_values = {p["name"]: p["value"] for p in published["players"]}
        for player in live["static"][game]:
            name = player["name"]
            label = label_of.get(name, name)
            rows.append(
                f"<tr><td>{html.escape(str(label))}</td><td>{title}</td>"
                f"<td>{player['value']:.4f}</td><td>{live_values.get(name, float('nan')):.4f}</td></tr>"
            )
    summary = (
        f"scored live on {live['accepted_rows']} outcome rows posted after the metamodel commitment at "
        f"block {live['commitment_block']} and by block {live['period_end_block']} "
        f"({live['extensions_used']} extension(s), {len(live['refused_rows'])} rows refused); "
        f"meta-learner {html.escape(live['meta_learner'])}; metamodel score static "
        f"{live['static']['metamodel_score']:.4f}, live {report.metamodel_score:.4f}"
    )
    return (
        f"<h2>Static vs live values, epoch {epoch}</h2><p>{summary}</p>"
        "<table><tr><th>contribution</th><th>role</th><th>static (hold-out)</th>"
        f"<th>live (paid)</th></tr>{''.join(rows)}</table>"
    )


def write_report(out_dir: Path, outcome) -> Path:
    """Write the PNG figures and `report.html` into `out_dir`; returns the page's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = []
    for epoch, report in sorted(outcome.reports.items()):
        label_of = {f"#{cid}": name for (e, name), cid in outcome.contribution_ids.items() if e == epoch}
        name = f"values-epoch-{epoch}.png"
        _values_figure(out_dir / name, epoch, report, label_of, outcome.roles_in(epoch))
        figures.append((f"Contribution values, epoch {epoch}", name))
    for title, name, draw in (
        ("Ownership", "ownership.png", _ownership_figure),
        ("Dividends over time", "dividends.png", _dividends_figure),
        ("Metamodel score per epoch", "score.png", _score_figure),
    ):
        draw(out_dir / name, outcome)
        figures.append((title, name))
    reports = "".join(
        f"<li>epoch {e}: <code>{html.escape(cid)}</code> — verified: "
        f"{'yes' if outcome.verified.get(e) else 'no'}</li>"
        for e, cid in sorted(outcome.report_cids.items())
    )
    body = "".join(
        f'<h2>{html.escape(title)}</h2><img src="{html.escape(name)}" alt="{html.escape(title)}">'
        for title, name in figures
    )
    body += "".join(
        static_vs_live_html(
            epoch,
            report,
            {f"#{cid}": name for (e, name), cid in outcome.contribution_ids.items() if e == epoch},
        )
        for epoch, report in sorted(outcome.reports.items())
    )
    page = out_dir / "report.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Metamodel DAO report</title>"
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}img{max-width:100%}"
        "td,th{padding:2px 10px;text-align:right}</style>"
        f"</head><body><h1>Metamodel DAO: the story in figures</h1><ul>{reports}</ul>{body}</body></html>\n"
    )
    return page
