import { useState } from 'react';
import { Form, SubmitButton, TextField, useAction } from '../shared/forms';
import { navigate, useLocation } from '../shared/router';
import { BrandMark, ErrorMessage } from '../shared/ui';
import { homePath, isPathOfRole, useSession } from './session-context';

export function SignInPage() {
  const { signIn } = useSession();
  const { search } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, setError, perform } = useAction();

  const submit = async () => {
    if (username.trim() === '' || password === '') {
      setError('请输入用户名和密码。');
      return;
    }
    await perform(
      async () => {
        const session = await signIn({ username: username.trim(), password });
        const next = search.get('next') ?? '';
        // Only a path of this role's own screens: a crafted ?next= must not lead off the site,
        // and a colleague's last page is no use to someone with another role.
        const safeNext =
          next.startsWith('/') && !next.startsWith('//') && isPathOfRole(session.staff.role, next)
            ? next
            : undefined;
        navigate(safeNext ?? homePath(session.staff.role), { replace: true });
      },
      { leaving: true },
    );
  };

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <div className="sign-in-brand">
          <BrandMark />
          <div>
            <h1>跨省通办业务系统</h1>
            <p>窗口受理 · 审查审批 · 运行监测</p>
          </div>
        </div>
        <Form onSubmit={submit}>
          <TextField
            label="用户名"
            testId="login-username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={setUsername}
          />
          <TextField
            label="密码"
            testId="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
          />
          <ErrorMessage error={error} testId="login-error" />
          <SubmitButton
            testId="login-submit"
            busy={busy}
            busyLabel="正在登录…"
            className="button button-primary button-block"
          >
            登录
          </SubmitButton>
        </Form>
        <p className="sign-in-footnote">
          工作人员账号由本地区管理员分配；请勿在公共电脑上保存密码。
        </p>
      </div>
    </main>
  );
}
