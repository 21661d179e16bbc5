import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import type * as Api from '../api/console-api';
import { Access, CurrentStaff } from '../auth/access';
import { DeskService, type UploadedFile } from './desk.service';

// Scans of materials: one file up to 20 MiB, at most 30 files a form (intake's own limits are
// the same or tighter and are checked again there).
const uploads = AnyFilesInterceptor({
  limits: { fileSize: 20 * 1024 * 1024, files: 30, fields: 10, fieldSize: 256 * 1024 },
});

/** The cross-province window (跨省通办窗口): clerks of the region only. */
@Controller('api/regions/:region/desk')
@Access('CLERK')
export class DeskController {
  constructor(@Inject(DeskService) private readonly desk: DeskService) {}

  @Get('partners')
  partners(@Param('region') region: string): Api.PartnersResponse {
    return this.desk.partners(region);
  }

  @Get('partners/:partner/catalog')
  catalog(
    @Param('region') region: string,
    @Param('partner') partner: string,
  ): Promise<Api.CatalogResponse> {
    return this.desk.catalog(region, partner);
  }

  @Post('cases')
  @UseInterceptors(uploads)
  submit(
    @Param('region') region: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: Record<string, unknown>,
    @UploadedFiles() files: UploadedFile[] | undefined,
  ): Promise<Api.CaseResponse> {
    return this.desk.submit(region, staff, body.application, files ?? []);
  }

  @Get('cases')
  search(
    @Param('region') region: string,
    @Query('query') query?: string,
    @Query('status') status?: string,
    @Query('pageToken') pageToken?: string,
  ): Promise<Api.CaseListResponse> {
    return this.desk.search(region, {
      ...(query === undefined ? {} : { query }),
      ...(status === undefined ? {} : { status }),
      ...(pageToken === undefined ? {} : { pageToken }),
    });
  }

  @Get('cases/:caseId')
  get(@Param('region') region: string, @Param('caseId') caseId: string): Promise<Api.CaseResponse> {
    return this.desk.get(region, caseId);
  }

  @Get('cases/:caseId/receipt')
  receipt(
    @Param('region') region: string,
    @Param('caseId') caseId: string,
  ): Promise<Api.ReceiptResponse> {
    return this.desk.receipt(region, caseId);
  }

  @Get('cases/:caseId/certificate')
  certificate(
    @Param('region') region: string,
    @Param('caseId') caseId: string,
  ): Promise<Api.CertificateResponse> {
    return this.desk.certificate(region, caseId);
  }

  @Post('cases/:caseId/supplement')
  @HttpCode(200)
  @UseInterceptors(uploads)
  supplement(
    @Param('region') region: string,
    @Param('caseId') caseId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: Record<string, unknown>,
    @UploadedFiles() files: UploadedFile[] | undefined,
  ): Promise<Api.CaseResponse> {
    return this.desk.supplement(region, staff, caseId, body.reply, files ?? []);
  }

  @Post('cases/:caseId/survey-media')
  @HttpCode(200)
  @UseInterceptors(uploads)
  surveyMedia(
    @Param('region') region: string,
    @Param('caseId') caseId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: Record<string, unknown>,
    @UploadedFiles() files: UploadedFile[] | undefined,
  ): Promise<Api.CaseResponse> {
    return this.desk.surveyMedia(region, staff, caseId, body.reply, files ?? []);
  }

  @Post('cases/:caseId/hand-over')
  @HttpCode(200)
  handOver(
    @Param('region') region: string,
    @Param('caseId') caseId: string,
    @CurrentStaff() staff: Api.Staff,
  ): Promise<Api.CaseResponse> {
    return this.desk.handOver(region, staff, caseId);
  }

  @Post('cases/:caseId/withdrawal')
  @HttpCode(200)
  withdraw(
    @Param('region') region: string,
    @Param('caseId') caseId: string,
    @CurrentStaff() staff: Api.Staff,
    @Body() body: unknown,
  ): Promise<Api.CaseResponse> {
    return this.desk.withdraw(region, staff, caseId, body);
  }
}
