import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Readiness, type ReadinessReport } from './readiness';

/** Liveness and readiness for orchestrators (Kubernetes probes) and operators. */
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** The process runs and its event loop answers. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'UP' } {
    return { status: 'UP' };
  }

  /** The service can take work: started, database and Kafka answer, its consumer is alive. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    response.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
