import type { Page } from 'playwright-core';
import type { PlotView } from '../../renderer/charts.ts';

export type { PlotView };

export type ChartName = 'memory' | 'cpu';

/** What `window.difyMonitorCharts().plots` says a chart draws (renderer/charts.ts, plotOf). */
export async function plotOf(page: Page, chart: ChartName): Promise<PlotView | null> {
  const plots = await page.evaluate(
    () => (window.difyMonitorCharts?.()['plots'] ?? null) as Record<ChartName, PlotView | null> | null,
  );
  return plots?.[chart] ?? null;
}

/**
 * How many pixels of the line colour the chart's canvas holds in the column at time `ts`,
 * inside the plot area. Read from the canvas itself, so it is what Chart.js really drew.
 */
export async function linePixelsAt(
  page: Page,
  chart: ChartName,
  plot: PlotView,
  ts: number,
): Promise<number> {
  const px =
    plot.area.left + ((ts - plot.xMin) / (plot.xMax - plot.xMin)) * (plot.area.right - plot.area.left);
  return page.evaluate(
    ({ id, px, top, bottom }) => {
      const canvas = document.getElementById(id) as HTMLCanvasElement;
      const ratio = canvas.width / canvas.clientWidth;
      const probe = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
      probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--chart-line').trim();
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      const y0 = Math.ceil(top * ratio);
      const height = Math.floor((bottom - top) * ratio);
      const column = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
        Math.round(px * ratio),
        y0,
        1,
        height,
      ).data;
      let hits = 0;
      for (let i = 0; i < column.length; i += 4) {
        const distance =
          Math.abs((column[i] ?? 0) - (r ?? 0)) +
          Math.abs((column[i + 1] ?? 0) - (g ?? 0)) +
          Math.abs((column[i + 2] ?? 0) - (b ?? 0));
        if ((column[i + 3] ?? 0) > 128 && distance < 90) hits++;
      }
      return hits;
    },
    { id: `chart-${chart}`, px, top: plot.area.top, bottom: plot.area.bottom },
  );
}
