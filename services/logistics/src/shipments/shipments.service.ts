import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryMethod, PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { CertificateBody } from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import type { PreReviewPassed } from '@tongban/contracts/tongban/review/v1/events';
import { findItem } from '@tongban/domain';
import { PoisonMessageError, type ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { Prisma } from '../../prisma/generated/client';
import { CarrierAdapter } from '../carrier/carrier.adapter';
import { SenderAddresses } from '../carrier/sender-addresses';
import { PrismaService } from '../prisma/prisma.service';
import { currentTraceParent } from './case-trace';
import { LogisticsError } from './logistics-error';
import { ShipmentEvents } from './shipment-events';
import { WITH_TRACKING, type ShipmentWithTracking } from './shipment-proto';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is mailed when the certificate names no type. */
const DEFAULT_CONTENTS = '政务服务办理结果';

/**
 * At most this many shipments answer a ListShipments without a case id: the contract has no
 * pages, and a console list of a whole region's parcels is read from the newest.
 */
export const REGION_LIST_LIMIT = 500;

/** Why a result for the origin window cannot be mailed, for the person who resolves it. */
export const NO_WINDOW_ADDRESS = 'LOGISTICS.NO_WINDOW_ADDRESS';

/**
 * Mail both ways (邮寄办): a shipment for every issued certificate whose applicant chose MAIL or
 * pickup at the origin window, and one for the original materials when pre-review passed with a
 * pickup address. The row is written first, in the consumer's inbox transaction; CarrierOrders
 * then orders the parcel from the carrier under the shipment's id.
 */
@Injectable()
export class ShipmentsService implements OnApplicationBootstrap {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CarrierAdapter) private readonly carrier: CarrierAdapter,
    @Inject(SenderAddresses) private readonly senders: SenderAddresses,
    @Inject(ShipmentEvents) private readonly events: ShipmentEvents,
  ) {}

  onApplicationBootstrap(): void {
    const { placeholders } = this.senders;
    if (placeholders.length > 0) {
      this.context.logger.warn(
        { settings: placeholders },
        'waybills carry placeholder sender details; set these to the mailing office’s',
      );
    }
  }

  /**
   * Opens the result shipment of an issued certificate that is to be mailed to the applicant or
   * to the origin window (inside the consumer's inbox transaction); the carrier order follows
   * after the commit.
   */
  async openResult(event: ConsumedEvent<CertificateIssued>, tx: Tx): Promise<void> {
    const issued = event.payload;
    const method = issued.delivery?.method;
    if (
      method !== DeliveryMethod.DELIVERY_METHOD_MAIL &&
      method !== DeliveryMethod.DELIVERY_METHOD_WINDOW_PICKUP
    ) {
      return;
    }
    const caseId = issued.caseId;
    if (caseId === '') {
      throw new PoisonMessageError('EVENT.INVALID_PAYLOAD', 'CertificateIssued without a case id');
    }
    const body = certificateBody(issued);
    const itemCode = body?.itemCode ?? '';
    const contents =
      nonEmpty(body?.certificateType) ??
      nonEmpty(findItem(this.context.region, itemCode)?.certificateType) ??
      DEFAULT_CONTENTS;
    const common = {
      caseId,
      kind: 'RESULT' as const,
      originRegion: issued.originRegion,
      certificateId: issued.certificateId,
      contents,
      sender: encode(this.senders.forItem(itemCode)),
    };

    if (method === DeliveryMethod.DELIVERY_METHOD_MAIL) {
      const recipient = issued.delivery?.address;
      if (!recipient) {
        // Intake refuses MAIL without an address; one arriving here is a bug upstream. An
        // address the carrier cannot use is the carrier's to refuse: that opens an exception a
        // person can resolve with a corrected address.
        throw new PoisonMessageError(
          'EVENT.INVALID_PAYLOAD',
          `CertificateIssued of case ${caseId} asks for MAIL without a postal address`,
        );
      }
      await this.open(event, tx, { ...common, recipient: encode(recipient) });
      return;
    }

    if (issued.originRegion === this.context.regionCode) {
      // The applicant collects the result at this region's own window: nothing travels.
      this.context.logger.info({ caseId }, 'result for pickup at this region’s window; no parcel');
      return;
    }
    const partner = this.context.region.partners.find((p) => p.code === issued.originRegion);
    if (partner?.window) {
      await this.open(event, tx, { ...common, toWindow: true, recipient: encode(partner.window) });
      return;
    }
    // Without the window's address the result cannot travel; completing silently would leave the
    // applicant waiting at a window that never gets it. A person supplies the address (RESEND)
    // or records how the result was handed over (CLOSE).
    const reason = `本地区域文件未配置受理地${partner ? `${partner.name}（${partner.code}）` : ` ${issued.originRegion} `}的跨省通办窗口地址，办理结果无法寄往窗口。请核实窗口地址后重新寄送（填写窗口地址），或结案并注明交付方式。`;
    const now = new Date();
    const opened = await this.open(event, tx, {
      ...common,
      toWindow: true,
      recipient: new Uint8Array(0),
      state: 'FAILED',
      nextOrderAt: null,
      failedAt: now,
      failureCode: NO_WINDOW_ADDRESS,
      failureReason: reason,
      exception: 'OPEN',
      exceptionReason: reason,
      exceptionOpenedAt: now,
    });
    if (opened) {
      this.context.logger.warn(
        { caseId, originRegion: issued.originRegion },
        'origin window has no address in the region file; exception opened',
      );
      await this.events.publish(tx, [this.events.exception(opened)]);
    }
  }

  /**
   * Opens the pickup of the original materials when pre-review passed with a pickup address:
   * the carrier collects them at the applicant's and delivers them to the department.
   */
  async openPickup(event: ConsumedEvent<PreReviewPassed>, tx: Tx): Promise<void> {
    const passed = event.payload;
    const pickup = passed.materialsPickup;
    // The item needs no originals, or the applicant hands them in at the window.
    if (!pickup) return;
    if (passed.caseId === '') {
      throw new PoisonMessageError('EVENT.INVALID_PAYLOAD', 'PreReviewPassed without a case id');
    }
    const item = findItem(this.context.region, passed.itemCode);
    await this.open(event, tx, {
      caseId: passed.caseId,
      kind: 'MATERIALS_PICKUP',
      originRegion: passed.originRegion,
      certificateId: null,
      contents: `${item?.name ?? '政务服务事项'}申请材料原件`.slice(0, 200),
      sender: encode(pickup),
      recipient: encode(this.senders.forItem(passed.itemCode)),
    });
  }

  /**
   * Writes the first parcel of its kind for the case, ready to be ordered unless `row` says
   * otherwise; undefined when the case already has it (a repeated or second event).
   */
  private async open(
    event: ConsumedEvent<unknown>,
    tx: Tx,
    row: Omit<
      Prisma.ShipmentCreateManyInput,
      'id' | 'carrier' | 'createdAt' | 'correlationId' | 'causationId' | 'traceParent'
    >,
  ) {
    const now = new Date();
    const [created] = await tx.shipment.createManyAndReturn({
      data: [
        {
          id: randomUUID(),
          carrier: this.carrier.carrier,
          createdAt: now,
          nextOrderAt: now,
          correlationId: event.metadata.correlationId,
          causationId: event.metadata.eventId,
          traceParent: currentTraceParent(),
          ...row,
        },
      ],
      skipDuplicates: true,
    });
    const { caseId, kind } = row;
    if (!created) {
      this.context.logger.info({ caseId, kind }, 'case already has this parcel; not sending twice');
      return undefined;
    }
    this.context.logger.info({ caseId, kind }, 'shipment opened');
    return created;
  }

  /** The shipment by its id, or the case's current result shipment, with tracking events. */
  async get(request: { shipmentId?: string; caseId?: string }): Promise<ShipmentWithTracking> {
    const shipmentId = request.shipmentId?.trim() ?? '';
    const caseId = request.caseId?.trim() ?? '';
    if (shipmentId === '' && caseId === '') {
      throw new LogisticsError('LOGISTICS.SHIPMENT_KEY_REQUIRED', '请提供邮件编号或案件编号。');
    }
    const shipment =
      shipmentId !== ''
        ? UUID.test(shipmentId)
          ? await this.prisma.shipment.findUnique({
              where: { id: shipmentId },
              include: WITH_TRACKING,
            })
          : null
        : await this.prisma.shipment.findFirst({
            where: { caseId, kind: 'RESULT' },
            orderBy: { attempt: 'desc' },
            include: WITH_TRACKING,
          });
    if (!shipment) {
      throw new LogisticsError(
        'LOGISTICS.SHIPMENT_NOT_FOUND',
        shipmentId !== ''
          ? `邮件 ${shipmentId} 不存在。`
          : `案件 ${caseId} 没有结果邮寄记录：申请人未选择邮寄送达或窗口领取，或证照尚未出具。`,
      );
    }
    return shipment;
  }

  /**
   * A case's parcels in the order they were opened; without a case, the region's open exceptions
   * oldest first (the work queue) or its newest shipments.
   */
  async list(request: {
    caseId?: string;
    openExceptionsOnly?: boolean;
  }): Promise<ShipmentWithTracking[]> {
    const caseId = request.caseId?.trim() ?? '';
    const openOnly = request.openExceptionsOnly === true;
    const where = {
      ...(caseId !== '' ? { caseId } : {}),
      ...(openOnly ? { exception: 'OPEN' as const } : {}),
    };
    if (caseId !== '') {
      return this.prisma.shipment.findMany({
        where,
        orderBy: [{ createdAt: 'asc' }, { kind: 'asc' }, { attempt: 'asc' }],
        include: WITH_TRACKING,
      });
    }
    return this.prisma.shipment.findMany({
      where,
      orderBy: openOnly
        ? [{ exceptionOpenedAt: 'asc' }, { id: 'asc' }]
        : [{ createdAt: 'desc' }, { id: 'asc' }],
      take: REGION_LIST_LIMIT,
      include: WITH_TRACKING,
    });
  }
}

function encode(address: PostalAddress): Uint8Array<ArrayBuffer> {
  return new Uint8Array(PostalAddress.encode(PostalAddress.fromPartial(address)).finish());
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

/** The signed content, for the item and certificate type; undefined when it cannot be read. */
function certificateBody(issued: CertificateIssued): CertificateBody | undefined {
  if (!issued.certificate) return undefined;
  try {
    return CertificateBody.decode(issued.certificate.body);
  } catch {
    return undefined;
  }
}
