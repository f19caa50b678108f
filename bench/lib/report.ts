/** The SVG plot of throughput over time, and markdown helpers. */

export interface Series {
  label: string;
  color: string;
  points: Array<[number, number]>;
}

export interface HLine {
  label: string;
  color: string;
  y: number;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A plain SVG line chart: x in seconds, y in events/s. */
export function lineChart(title: string, series: Series[], lines: HLine[], xLabel: string, yLabel: string): string {
  const W = 860;
  const H = 420;
  const L = 80;
  const R = 20;
  const T = 40;
  const B = 70;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).concat(lines.map((l) => l.y));
  const xMax = niceMax(Math.max(1, ...xs));
  const yMax = niceMax(Math.max(1, ...ys) * 1.05);
  const x = (v: number): number => L + (v / xMax) * (W - L - R);
  const y = (v: number): number => H - B - (v / yMax) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = (yMax / 5) * i;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  for (let i = 0; i <= 10; i++) {
    const v = (xMax / 10) * i;
    out.push(`<text x="${x(v)}" y="${H - B + 18}" text-anchor="middle">${Math.round(v * 10) / 10}</text>`);
  }
  out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - B + 38}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  for (const l of lines) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(l.y)}" y2="${y(l.y)}" stroke="${l.color}" stroke-dasharray="6 4"/>`);
  }
  for (const s of series) {
    const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
  }
  const legend = [...series.map((s) => ({ label: s.label, color: s.color, dash: false })), ...lines.map((l) => ({ label: l.label, color: l.color, dash: true }))];
  legend.forEach((item, i) => {
    const lx = L + 10 + (i % 3) * 260;
    const ly = H - 18 + Math.floor(i / 3) * 0 - (legend.length > 3 && i < 3 ? 14 : 0);
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${item.color}" stroke-width="2"${item.dash ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${esc(item.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cell = (v: string | number): string => (typeof v === 'number' ? v.toLocaleString('en-US') : v);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
