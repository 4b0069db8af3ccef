/** Hash routes (`#/jobs/<id>?…`): every page has a link that survives a reload, no server routes needed. */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments after `#/`: `['jobs', '01J…']`. */
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?');
  return {
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** `#/jobs/<id>?status=dead` from parts and query. */
export function href(
  parts: readonly string[],
  query: Readonly<Record<string, string | undefined>> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.size > 0 ? `?${params}` : '';
  return `#/${parts.map(encodeURIComponent).join('/')}${search}`;
}
