import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import type { SessionResponse } from '../api/console-api';
import { ConsoleContext } from '../console-context';
import { ConsoleError, notSignedIn } from '../shared/console-error';
import { parseBody } from '../shared/parse-body';
import { Public, type StaffRequest } from './access';
import { SESSION_COOKIE, SessionService } from './session.service';

const signInBody = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(256),
});

@Controller('api/session')
@Public()
export class SessionController {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(ConsoleContext) private readonly context: ConsoleContext,
  ) {}

  @Post()
  @HttpCode(200)
  async signIn(
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponse> {
    const { username, password } = parseBody(signInBody, body, '请输入用户名和密码。');
    const session = await this.sessions.signIn(username, password);
    if (!session) {
      throw new ConsoleError(401, 'AUTH.INVALID_CREDENTIALS', '用户名或密码不正确。');
    }
    response.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      // Strict: no other site can make the browser send it (cross-site request forgery).
      sameSite: 'strict',
      secure: this.context.config.CONSOLE_SECURE_COOKIE,
      path: '/',
      maxAge: this.sessions.idleSeconds * 1000,
    });
    return this.view(session.staff);
  }

  @Get()
  current(@Req() request: StaffRequest): SessionResponse {
    if (!request.staff) throw notSignedIn();
    return this.view(request.staff);
  }

  @Delete()
  @HttpCode(204)
  async signOut(
    @Req() request: StaffRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    if (request.sessionToken !== undefined) await this.sessions.signOut(request.sessionToken);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  private view(staff: SessionResponse['staff']): SessionResponse {
    const zipkin = this.context.config.ZIPKIN_URL;
    return {
      staff,
      ...(zipkin ? { zipkinUrl: new URL('/zipkin', zipkin).toString() } : {}),
    };
  }
}
