import {
  createParamDecorator,
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Staff, StaffRole } from '../api/console-api';
import { ConsoleError, notSignedIn } from '../shared/console-error';
import { SESSION_COOKIE, SessionService } from './session.service';

const ACCESS = 'tongban:access';

type AccessRule = { public: true } | { roles: readonly StaffRole[] };

/** Open to anyone (sign-in itself, health). */
export const Public = () => SetMetadata(ACCESS, { public: true } satisfies AccessRule);

/**
 * Staff of the route's `:region` holding one of these roles. Checked on the server for every
 * call: a clerk of 411700 asking for 429005's review queue gets 403, whatever the web app shows.
 */
export const Access = (...roles: StaffRole[]) =>
  SetMetadata(ACCESS, { roles } satisfies AccessRule);

export interface StaffRequest extends Request {
  staff?: Staff;
  sessionToken?: string;
}

/** The signed-in staff account of the request (set by the guard). */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): Staff => {
  const staff = context.switchToHttp().getRequest<StaffRequest>().staff;
  if (!staff) throw notSignedIn();
  return staff;
});

export function sessionToken(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

/** Every route is closed unless it says who may use it; deny by default. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SessionService) private readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<StaffRequest>();
    const token = sessionToken(request);
    const staff = token === undefined ? undefined : await this.sessions.resolve(token);
    if (staff && token !== undefined) {
      request.staff = staff;
      request.sessionToken = token;
    }
    if (rule && 'public' in rule) return true;
    if (!staff) throw notSignedIn();
    if (!rule) {
      throw new ConsoleError(403, 'AUTH.FORBIDDEN', '没有权限执行此操作。');
    }
    const region = request.params.region;
    if (typeof region === 'string' && region !== staff.region) {
      throw new ConsoleError(
        403,
        'AUTH.WRONG_REGION',
        `您的账号属于${staff.regionName}，不能查看或办理${region}的业务。`,
      );
    }
    if (!rule.roles.includes(staff.role)) {
      throw new ConsoleError(403, 'AUTH.WRONG_ROLE', '您的岗位没有此项权限。');
    }
    return true;
  }
}
