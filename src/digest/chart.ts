// The trend chart: the readiness score per week as a PNG, drawn on the server with @napi-rs/canvas (Skia; prebuilt
// binaries come as npm packages, no browser). Labels follow the digest's language; Japanese needs a CJK font among the
// system fonts (the Docker image installs IPAGothic; Debian's fonts-noto-cjk works too), which Skia picks by family.
import type { Lang } from '../search/text.js';
import type { TrendPoint } from './log.js';

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Language of the labels (ISMS_DIGEST_LANG); default English. */
  lang?: Lang;
}

const labels: Record<Lang, { title: string; score: string; week: string; empty: string }> = {
  en: { title: 'ISMS audit-readiness score by week', score: 'score (0-100)', week: 'ISO week', empty: 'No weekly snapshots yet' },
  ja: { title: 'ISMS 審査準備度スコアの推移（週ごと）', score: 'スコア（0〜100）', week: 'ISO 週番号', empty: '週ごとの記録はまだありません' },
};

/** Japanese-capable families first (any one installed is enough), then Latin ones for the English chart. */
const families = '"IPAGothic", "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "DejaVu Sans", "Liberation Sans", Arial, sans-serif';

const colors = { background: '#ffffff', grid: '#e3e6ea', axis: '#5f6b7a', text: '#1d2733', line: '#1f6feb', point: '#0b4fb3' };

/** A line chart of the score (0-100) per ISO week, with axis labels, week labels and each value. */
export async function renderTrendChart(points: TrendPoint[], opts: ChartOptions = {}): Promise<Buffer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const width = opts.width ?? 900;
  const height = opts.height ?? 420;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  const t = labels[opts.lang ?? 'en'];
  const font = (px: number, weight = '') => `${weight} ${px}px ${opts.lang === 'ja' ? families : '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'}`.trim();
  const pad = { left: 70, right: 30, top: 60, bottom: 70 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const y = (score: number) => pad.top + plotH - (score / 100) * plotH;

  g.fillStyle = colors.background;
  g.fillRect(0, 0, width, height);
  g.fillStyle = colors.text;
  g.font = font(20, 'bold');
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  g.fillText(opts.title ?? t.title, pad.left, 32);

  // Horizontal grid and the y axis (score 0-100, every 20).
  g.font = font(13);
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let s = 0; s <= 100; s += 20) {
    g.strokeStyle = s === 0 ? colors.axis : colors.grid;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(pad.left, y(s));
    g.lineTo(pad.left + plotW, y(s));
    g.stroke();
    g.fillStyle = colors.axis;
    g.fillText(String(s), pad.left - 10, y(s));
  }
  g.save();
  g.translate(20, pad.top + plotH / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = 'center';
  g.fillText(t.score, 0, 0);
  g.restore();
  g.strokeStyle = colors.axis;
  g.beginPath();
  g.moveTo(pad.left, pad.top);
  g.lineTo(pad.left, pad.top + plotH);
  g.stroke();

  if (!points.length) {
    g.textAlign = 'center';
    g.fillStyle = colors.axis;
    g.font = font(16);
    g.fillText(t.empty, pad.left + plotW / 2, pad.top + plotH / 2);
    return canvas.encode('png');
  }

  // One slot per week; the x axis names the ISO week, and the year under the first week of each year.
  const step = plotW / points.length;
  const x = (i: number) => pad.left + step * (i + 0.5);
  g.textAlign = 'center';
  g.textBaseline = 'top';
  points.forEach((p, i) => {
    const [year, week] = p.week.split('-');
    g.fillStyle = colors.text;
    g.font = font(13);
    g.fillText(week ?? p.week, x(i), pad.top + plotH + 8);
    if (i === 0 || points[i - 1]!.week.slice(0, 4) !== year) {
      g.fillStyle = colors.axis;
      g.font = font(12);
      g.fillText(year ?? '', x(i), pad.top + plotH + 26);
    }
  });
  g.fillStyle = colors.axis;
  g.font = font(13);
  g.fillText(t.week, pad.left + plotW / 2, pad.top + plotH + 46);

  // The line, the points and each value above its point.
  g.strokeStyle = colors.line;
  g.lineWidth = 3;
  g.beginPath();
  points.forEach((p, i) => (i ? g.lineTo(x(i), y(p.score)) : g.moveTo(x(i), y(p.score))));
  g.stroke();
  g.textBaseline = 'bottom';
  points.forEach((p, i) => {
    g.fillStyle = colors.point;
    g.beginPath();
    g.arc(x(i), y(p.score), 5, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = colors.text;
    g.font = font(13, i === points.length - 1 ? 'bold' : '');
    g.fillText(String(p.score), x(i), y(p.score) - 9);
  });
  return canvas.encode('png');
}
