// The frame around every signed-in screen: who is at the desk, in which region, and the screens
// their role may use. Hidden when printing, so a receipt prints as a clean A4 page.
import type { ReactNode } from 'react';
import type { Staff } from '../../../src/api/console-api';
import { ROLE_LABELS } from './labels';
import { Link, useLocation } from './router';
import { BrandMark } from './ui';

interface NavItem {
  to: string;
  label: string;
  testId: string;
  /** Active for these path prefixes. */
  matches: string[];
}

function navItems(staff: Staff): NavItem[] {
  switch (staff.role) {
    case 'CLERK':
      return [
        { to: '/desk/new', label: '新办件', testId: 'nav-new-case', matches: ['/desk/new'] },
        { to: '/desk/cases', label: '办件查询', testId: 'nav-cases', matches: ['/desk/cases'] },
      ];
    case 'REVIEWER':
    case 'APPROVER':
      return [{ to: '/review', label: '审查工作台', testId: 'nav-review', matches: ['/review'] }];
    case 'OPERATOR':
      return [
        { to: '/operations', label: '效能监测', testId: 'nav-dashboard', matches: ['/operations'] },
      ];
  }
}

export function Layout({
  staff,
  onSignOut,
  children,
}: {
  staff: Staff;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const { pathname } = useLocation();
  return (
    <div className="app">
      <header className="top-bar no-print">
        <div className="brand">
          <BrandMark />
          <span className="brand-name">跨省通办</span>
          <span className="brand-region">{staff.regionName}</span>
        </div>
        <nav className="main-nav" aria-label="主导航">
          {navItems(staff).map((item) => (
            <Link
              key={item.to}
              to={item.to}
              data-testid={item.testId}
              className={
                item.matches.some((prefix) => pathname.startsWith(prefix))
                  ? 'nav-link nav-link-active'
                  : 'nav-link'
              }
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span className="who-name" data-testid="staff-name">
            {staff.name}
          </span>
          <span className="who-role" data-testid="staff-role" data-role={staff.role}>
            {ROLE_LABELS[staff.role]}
          </span>
          <span className="who-region" data-testid="staff-region" data-region={staff.region}>
            {staff.regionName}（{staff.region}）
          </span>
          <button
            type="button"
            className="button button-quiet"
            data-testid="sign-out"
            onClick={onSignOut}
          >
            退出
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
