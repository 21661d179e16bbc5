import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/access';
import { ConsoleContext } from '../console-context';

/** Liveness and readiness for orchestrators; ready when the console's database answers. */
@Controller('health')
@Public()
export class HealthController {
  constructor(@Inject(ConsoleContext) private readonly context: ConsoleContext) {}

  @Get('live')
  live(): { status: 'UP' } {
    return { status: 'UP' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    try {
      await this.context.pool.query('SELECT 1');
      return { ready: true, checks: { database: { ok: true } } };
    } catch (error) {
      response.status(503);
      return {
        ready: false,
        checks: {
          database: { ok: false, detail: error instanceof Error ? error.message : String(error) },
        },
      };
    }
  }
}
