// A small History-API router: the app has a handful of screens, which does not justify a routing
// library. The location is an external store (popstate + our own event), so every component that
// reads it re-renders when it changes.
import { useMemo, useSyncExternalStore } from 'react';
import type { AnchorHTMLAttributes, HTMLAttributes, MouseEvent, ReactNode } from 'react';

const NAVIGATED = 'tongban:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

function currentLocation(): string {
  return `${window.location.pathname}${window.location.search}`;
}

export interface AppLocation {
  pathname: string;
  search: URLSearchParams;
  /** Path and query, e.g. "/desk/cases?status=SUBMITTED". */
  href: string;
}

export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribe, currentLocation);
  return useMemo(() => {
    const url = new URL(href, window.location.origin);
    return { pathname: url.pathname, search: url.searchParams, href };
  }, [href]);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentLocation()) return;
  if (options.replace === true) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
  if (options.replace !== true) window.scrollTo(0, 0);
}

/** The named parameters of `pattern` ("/desk/cases/:caseId") in `pathname`, or undefined. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const wanted = pattern.split('/').filter((part) => part !== '');
  const actual = pathname.split('/').filter((part) => part !== '');
  if (wanted.length !== actual.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of wanted.entries()) {
    const value = actual[index] ?? '';
    if (part.startsWith(':')) parameters[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return parameters;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: string;
  children: ReactNode;
};

/** An in-app link: a real <a href> (middle click, copy link work), navigated without a reload. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const plainClick =
      event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
    if (event.defaultPrevented || !plainClick || rest.target === '_blank') return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={follow} {...rest}>
      {children}
    </a>
  );
}

/**
 * A table row that opens `to` wherever it is clicked. Its first cell, the case number, links there
 * for real, so the keyboard, middle click and "copy link" work too.
 */
export function LinkedRow({
  to,
  caseId,
  className,
  children,
  ...rest
}: HTMLAttributes<HTMLTableRowElement> & { to: string; caseId: string; children: ReactNode }) {
  return (
    <tr
      {...rest}
      className={`row-clickable${className === undefined ? '' : ` ${className}`}`}
      onClick={() => {
        navigate(to);
      }}
    >
      <td className="nowrap">
        <Link to={to} className="case-link">
          {caseId}
        </Link>
      </td>
      {children}
    </tr>
  );
}
