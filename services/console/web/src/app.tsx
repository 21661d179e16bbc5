// The screens and who may see them. Each role lands on its own home screen after signing in; a
// path outside the role's screens shows a short explanation instead of a broken page.
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import type { StaffRole } from '../../src/api/console-api';
import { CaseDetailPage } from './desk/case-detail-page';
import { CaseSearchPage } from './desk/case-search-page';
import { NewCasePage } from './desk/new-case-page';
import { ReceiptPage } from './desk/receipt-page';
import { DashboardPage } from './operations/dashboard-page';
import { TaskDetailPage } from './review/task-detail-page';
import { TaskQueuePage } from './review/task-queue-page';
import { SIGN_IN_PATH, SessionProvider, homePath, useSession } from './session/session-context';
import { SignInPage } from './session/sign-in-page';
import { Layout } from './shared/layout';
import { ROLE_LABELS } from './shared/labels';
import { Link, matchPath, navigate, useLocation } from './shared/router';
import { Loading } from './shared/ui';

interface Route {
  path: string;
  roles: StaffRole[];
  render: (parameters: Record<string, string>) => ReactNode;
}

const CLERK: StaffRole[] = ['CLERK'];
const REVIEW: StaffRole[] = ['REVIEWER', 'APPROVER'];
const OPERATOR: StaffRole[] = ['OPERATOR'];

const ROUTES: Route[] = [
  { path: '/desk/new', roles: CLERK, render: () => <NewCasePage /> },
  { path: '/desk/cases', roles: CLERK, render: () => <CaseSearchPage /> },
  {
    path: '/desk/cases/:caseId',
    roles: CLERK,
    render: ({ caseId = '' }) => <CaseDetailPage key={caseId} caseId={caseId} />,
  },
  {
    path: '/desk/cases/:caseId/receipt',
    roles: CLERK,
    render: ({ caseId = '' }) => <ReceiptPage key={caseId} caseId={caseId} />,
  },
  { path: '/review', roles: REVIEW, render: () => <TaskQueuePage /> },
  {
    path: '/review/tasks/:taskId',
    roles: REVIEW,
    render: ({ taskId = '' }) => <TaskDetailPage key={taskId} taskId={taskId} />,
  },
  { path: '/operations', roles: OPERATOR, render: () => <DashboardPage /> },
];

export function App() {
  return (
    <SessionProvider>
      <Screens />
    </SessionProvider>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => {
    navigate(to, { replace: true });
  }, [to]);
  return null;
}

function Screens() {
  const { state, signOut } = useSession();
  const location = useLocation();

  if (state.status === 'loading') return <Loading what="登录状态" />;
  if (state.status === 'signed-out') {
    if (location.pathname === SIGN_IN_PATH) return <SignInPage />;
    const next = location.href === '/' ? '' : `?next=${encodeURIComponent(location.href)}`;
    return <Redirect to={`${SIGN_IN_PATH}${next}`} />;
  }

  const { staff } = state.session;
  const home = homePath(staff.role);
  if (location.pathname === '/' || location.pathname === SIGN_IN_PATH) {
    return <Redirect to={home} />;
  }

  let screen: ReactNode = <NotFound home={home} />;
  for (const route of ROUTES) {
    const parameters = matchPath(route.path, location.pathname);
    if (parameters === undefined) continue;
    screen = route.roles.includes(staff.role) ? (
      route.render(parameters)
    ) : (
      <Forbidden role={staff.role} home={home} />
    );
    break;
  }

  return (
    <Layout
      staff={staff}
      onSignOut={() => {
        void signOut();
      }}
    >
      {screen}
    </Layout>
  );
}

function Forbidden({ role, home }: { role: StaffRole; home: string }) {
  return (
    <div className="page page-message">
      <h1>无权访问</h1>
      <p>此页面不属于“{ROLE_LABELS[role]}”的工作范围。</p>
      <Link to={home} className="button button-primary">
        返回工作首页
      </Link>
    </div>
  );
}

function NotFound({ home }: { home: string }) {
  return (
    <div className="page page-message">
      <h1>页面不存在</h1>
      <p>请检查地址，或从工作首页进入。</p>
      <Link to={home} className="button button-primary">
        返回工作首页
      </Link>
    </div>
  );
}
