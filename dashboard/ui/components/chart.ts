/** The outcomes chart (uPlot): succeeded / retried / dead-lettered per minute. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { CHART_OUTCOMES, type ChartOutcome, type MetricsData } from '../../shared/api.js';

const SERIES: Readonly<Record<ChartOutcome, { label: string; stroke: string; fill: string }>> = {
  succeeded: { label: 'Succeeded', stroke: '#1a7f37', fill: 'rgba(26,127,55,0.08)' },
  retried: { label: 'Retried', stroke: '#b35900', fill: 'rgba(179,89,0,0.08)' },
  deadLettered: { label: 'Dead-lettered', stroke: '#cf222e', fill: 'rgba(207,34,46,0.10)' },
};

export function OutcomeChart(props: { readonly data: MetricsData }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 220,
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{}, { label: 'jobs / min', size: 50 }],
        series: [
          {},
          ...CHART_OUTCOMES.map((o) => ({
            label: SERIES[o].label,
            stroke: SERIES[o].stroke,
            fill: SERIES[o].fill,
            width: 1.5,
            points: { show: false },
          })),
        ],
      },
      [[...props.data.minutes], ...CHART_OUTCOMES.map((o) => [...props.data.totals[o]])],
      element,
    );
    return () => plot.destroy();
  }, [props.data]);
  return html`<div class="chart" ref=${box} data-testid="chart"></div>`;
}
