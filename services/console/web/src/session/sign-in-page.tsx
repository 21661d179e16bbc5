import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { asApiFailure } from '../shared/api-client';
import type { ApiFailure } from '../shared/api-client';
import { navigate, useLocation } from '../shared/router';
import { ErrorMessage, FormField } from '../shared/ui';
import { homePath, isPathOfRole, useSession } from './session-context';

export function SignInPage() {
  const { signIn } = useSession();
  const { search } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | string>();

  const submit = async () => {
    if (username.trim() === '' || password === '') {
      setError('请输入用户名和密码。');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const session = await signIn({ username: username.trim(), password });
      const next = search.get('next') ?? '';
      // Only a path of this role's own screens: a crafted ?next= must not lead off the site, and
      // a colleague's last page is no use to someone with another role.
      const safeNext =
        next.startsWith('/') && !next.startsWith('//') && isPathOfRole(session.staff.role, next)
          ? next
          : undefined;
      navigate(safeNext ?? homePath(session.staff.role), { replace: true });
    } catch (failure: unknown) {
      setError(asApiFailure(failure));
      setBusy(false);
    }
  };

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    void submit();
  };

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <div className="sign-in-brand">
          <span className="brand-mark" aria-hidden="true">
            通
          </span>
          <div>
            <h1>跨省通办业务系统</h1>
            <p>窗口受理 · 审查审批 · 运行监测</p>
          </div>
        </div>
        <form onSubmit={onSubmit} noValidate>
          <FormField label="用户名">
            <input
              data-testid="login-username"
              autoComplete="username"
              autoFocus
              value={username}
              onChange={(event) => {
                setUsername(event.target.value);
              }}
            />
          </FormField>
          <FormField label="密码">
            <input
              data-testid="login-password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => {
                setPassword(event.target.value);
              }}
            />
          </FormField>
          <ErrorMessage error={error} testId="login-error" />
          <button
            type="submit"
            className="button button-primary button-block"
            data-testid="login-submit"
            disabled={busy}
          >
            {busy ? '正在登录…' : '登录'}
          </button>
        </form>
        <p className="sign-in-footnote">
          工作人员账号由本地区管理员分配；请勿在公共电脑上保存密码。
        </p>
      </div>
    </main>
  );
}
