/** The dashboard page: loads the server's configuration once, then shows the page the hash names. */
import { html } from 'htm/preact';
import { render } from 'preact';
import { API_PATHS, type DashboardConfig } from '../shared/api.js';
import { getJson } from './api.js';
import { ErrorNote } from './components/common.js';
import { useData } from './hooks.js';
import { DeadLettersPage } from './pages/dead-letters.js';
import { EnqueuePage } from './pages/enqueue.js';
import { JobDetailPage } from './pages/job-detail.js';
import { JobsPage } from './pages/jobs.js';
import { OverviewPage } from './pages/overview.js';
import { SchedulesPage } from './pages/schedules.js';
import { href, type Route, useRoute } from './router.js';
import './styles.css';

const NAV = [
  { section: '', label: 'Overview' },
  { section: 'jobs', label: 'Jobs' },
  { section: 'dead-letters', label: 'Dead letters' },
  { section: 'schedules', label: 'Schedules' },
  { section: 'enqueue', label: 'Enqueue', action: true },
] as const;

function Page(props: { readonly config: DashboardConfig; readonly route: Route }) {
  const { config, route } = props;
  const [section, id] = route.parts;
  switch (section) {
    case 'jobs':
      return id
        ? html`<${JobDetailPage} config=${config} jobId=${id} />`
        : html`<${JobsPage} config=${config} route=${route} />`;
    case 'dead-letters':
      return html`<${DeadLettersPage} config=${config} route=${route} />`;
    case 'schedules':
      return html`<${SchedulesPage} config=${config} />`;
    case 'enqueue':
      return html`<${EnqueuePage} config=${config} route=${route} />`;
    default:
      return html`<${OverviewPage} config=${config} />`;
  }
}

function App() {
  const route = useRoute();
  const { data: config, error } = useData(() => getJson<DashboardConfig>(API_PATHS.config), []);
  const section = route.parts[0] ?? '';
  return html`
    <nav class="top">
      <a class="brand" href="#/">Hangar</a>
      ${NAV.filter((n) => !('action' in n) || !config?.readOnly).map(
        (n) =>
          html`<a href=${href(n.section ? [n.section] : [])} class=${section === n.section ? 'active' : ''}>${n.label}</a>`,
      )}
      <span class="target">
        ${config ? html`<span class=${`badge target-${config.target.kind}`}>${config.target.label}</span>` : null}
        ${config?.readOnly ? html`<span class="badge read-only" data-testid="read-only">read-only</span>` : null}
      </span>
    </nav>
    <main>
      <${ErrorNote} error=${error} />
      ${config ? html`<${Page} config=${config} route=${route} />` : null}
    </main>`;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
