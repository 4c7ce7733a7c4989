"""A stacked column chart drawn as SVG on the server: no script, no outside network."""
from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#1f5fa8", "#d9822b", "#3a9b5c", "#b84a62", "#7a5cb8", "#2a9da8", "#9a8a2a", "#6b7280",
           "#e06666", "#4f7cac"]


def stacked_columns(columns: list[str], series: list[tuple[str, list[int]]], title: str,
                    width: int = 720, height: int = 300) -> Markup:
    """One column per label in `columns`, one coloured layer per series (label, values)."""
    left, bottom, top, legend_h = 36, 24, 10, 18 * ((len(series) + 1) // 2)
    plot_h = height - bottom - top
    totals = [sum(values[i] for _, values in series) for i in range(len(columns))]
    peak = max(totals, default=0) or 1
    step = (width - left - 10) / max(len(columns), 1)
    bar = max(4.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height + legend_h}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for tick in _ticks(peak):
        y = top + plot_h - tick / peak * plot_h
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ec"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6478">{tick}</text>')
    for i, label in enumerate(columns):
        x = left + i * step + (step - bar) / 2
        base = top + plot_h
        for s, (name, values) in enumerate(series):
            if not values[i]:
                continue
            h = values[i] / peak * plot_h
            base -= h
            parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)} · {escape(label)} : {values[i]}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" fill="#1d2433">{escape(label)}</text>')
    for s, (name, _) in enumerate(series):
        x = left + (s % 2) * (width / 2)
        y = height + 14 + (s // 2) * 18
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
                     f'<text x="{x + 18}" y="{y}" font-size="12" fill="#1d2433">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(peak: int) -> list[int]:
    step = max(1, round(peak / 4))
    return list(range(0, peak + 1, step))
