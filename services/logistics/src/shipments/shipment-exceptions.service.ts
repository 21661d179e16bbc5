import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import {
  Resolution,
  type ResolveExceptionRequest,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import { ServiceContext } from '@tongban/service-kit';
import type { Shipment, ShipmentResolution } from '../../prisma/generated/client';
import { CarrierAdapter } from '../carrier/carrier.adapter';
import { PrismaService } from '../prisma/prisma.service';
import { CarrierOrders } from './carrier-orders.service';
import { correctedAddress, hasAddress } from './corrected-address';
import { LogisticsError } from './logistics-error';
import { ShipmentEvents } from './shipment-events';
import { applicantSideAddress, WITH_TRACKING, type ShipmentWithTracking } from './shipment-proto';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RESOLUTIONS = new Map<Resolution, ShipmentResolution>([
  [Resolution.RESOLUTION_RESEND, 'RESEND'],
  [Resolution.RESOLUTION_CLOSE, 'CLOSE'],
]);

/** Long enough for what happened and who was called; a note, not a report. */
export const MAX_NOTE_LENGTH = 500;

export interface ResolvedException {
  shipment: ShipmentWithTracking;
  /** For RESEND: the new parcel, waiting for the carrier's answer. */
  replacement?: ShipmentWithTracking;
}

/**
 * A person resolves a parcel that failed (lost, returned, refused, or a window without an
 * address): RESEND orders a new parcel, to a corrected address if given, with its own tracking
 * number and events; CLOSE records what happened instead. Checked first, then one transaction:
 * a refused request changes nothing.
 */
@Injectable()
export class ShipmentExceptions {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CarrierAdapter) private readonly carrier: CarrierAdapter,
    @Inject(ShipmentEvents) private readonly events: ShipmentEvents,
    @Inject(CarrierOrders) private readonly orders: CarrierOrders,
  ) {}

  async resolve(request: ResolveExceptionRequest): Promise<ResolvedException> {
    const shipmentId = request.shipmentId.trim();
    if (shipmentId === '') {
      throw new LogisticsError('LOGISTICS.SHIPMENT_KEY_REQUIRED', '请提供要处理的邮件编号。');
    }
    const resolution = RESOLUTIONS.get(request.resolution);
    if (resolution === undefined) {
      throw new LogisticsError(
        'LOGISTICS.RESOLUTION_REQUIRED',
        '请选择处理方式：重新寄送（RESEND）或结案（CLOSE）。',
      );
    }
    const resolvedBy = request.resolvedBy.trim();
    if (resolvedBy === '') {
      throw new LogisticsError(
        'LOGISTICS.STAFF_ACCOUNT_REQUIRED',
        '处理人账号缺失，请重新登录后再处理邮件异常。',
      );
    }
    const note = request.note.trim();
    if (note === '') {
      throw new LogisticsError(
        'LOGISTICS.NOTE_REQUIRED',
        resolution === 'CLOSE'
          ? '结案时请在备注中说明结果如何处理（如已当面交付申请人）。'
          : '请在备注中说明重新寄送的原因（如已与申请人核实地址）。',
      );
    }
    if (note.length > MAX_NOTE_LENGTH) {
      throw new LogisticsError(
        'LOGISTICS.NOTE_TOO_LONG',
        `备注最多 ${MAX_NOTE_LENGTH} 字，当前 ${note.length} 字，请精简后再提交。`,
      );
    }
    let corrected: PostalAddress | undefined;
    if (request.address) {
      if (resolution === 'CLOSE') {
        throw new LogisticsError(
          'LOGISTICS.INVALID_ADDRESS',
          '结案不再寄送，无需填写地址；如需寄往新地址，请选择重新寄送。',
        );
      }
      corrected = correctedAddress(request.address);
    }
    if (!UUID.test(shipmentId)) throw notFound(shipmentId);

    const outcome = await this.prisma.$transaction(async (tx): Promise<ResolvedException> => {
      // The row lock orders this against a second person resolving the same parcel.
      await tx.$queryRaw`SELECT id FROM shipment WHERE id = ${shipmentId}::uuid FOR UPDATE`;
      const shipment = await tx.shipment.findUnique({ where: { id: shipmentId } });
      if (!shipment) throw notFound(shipmentId);
      if (shipment.exception !== 'OPEN') throw noOpenException(shipment);
      const now = new Date();
      const resolved = {
        exception: 'RESOLVED' as const,
        resolution,
        resolutionNote: note,
        resolvedBy,
        resolvedAt: now,
      };
      if (resolution === 'CLOSE') {
        const closed = await tx.shipment.update({
          where: { id: shipment.id },
          data: { ...resolved, resolutionPublishedAt: now },
        });
        await this.events.publish(tx, [this.events.exceptionResolved(closed)]);
        return { shipment: await withTracking(tx, closed.id) };
      }
      const replacement = await tx.shipment.create({
        data: this.replacementOf(shipment, corrected, now),
      });
      // ShipmentExceptionResolved follows when the carrier answered the new order, with its
      // tracking number (CarrierOrders).
      await tx.shipment.update({
        where: { id: shipment.id },
        data: { ...resolved, replacedBy: replacement.id },
      });
      // Read here: once committed, the order loop may store the new tracking number any moment,
      // and the answer shows the resolution as it was made.
      return {
        shipment: await withTracking(tx, shipment.id),
        replacement: await withTracking(tx, replacement.id),
      };
    });

    this.context.logger.info(
      {
        caseId: outcome.shipment.caseId,
        kind: outcome.shipment.kind,
        resolution,
        resolvedBy,
        addressCorrected: corrected !== undefined,
      },
      'shipment exception resolved',
    );
    if (outcome.replacement) this.orders.wake();
    return outcome;
  }

  /** The next parcel of the same kind, to the corrected address or the old one. */
  private replacementOf(shipment: Shipment, corrected: PostalAddress | undefined, now: Date) {
    const address = corrected ?? applicantSideAddress(shipment);
    if (!hasAddress(address)) {
      throw new LogisticsError(
        'LOGISTICS.ADDRESS_REQUIRED',
        shipment.toWindow
          ? '受理地窗口地址未配置，重新寄送时请填写窗口的收件地址。'
          : '原邮件没有可用的地址，重新寄送时请填写地址。',
      );
    }
    const encoded = new Uint8Array(PostalAddress.encode(address).finish());
    const pickup = shipment.kind === 'MATERIALS_PICKUP';
    return {
      id: randomUUID(),
      caseId: shipment.caseId,
      kind: shipment.kind,
      attempt: shipment.attempt + 1,
      originRegion: shipment.originRegion,
      certificateId: shipment.certificateId,
      toWindow: shipment.toWindow,
      carrier: this.carrier.carrier,
      contents: shipment.contents,
      // The department's side stays as it was; the applicant's side is what a person corrects.
      sender: pickup ? encoded : shipment.sender,
      recipient: pickup ? shipment.recipient : encoded,
      createdAt: now,
      nextOrderAt: now,
      correlationId: shipment.correlationId,
      causationId: shipment.causationId,
      traceParent: shipment.traceParent,
    };
  }
}

function withTracking(tx: Tx, id: string): Promise<ShipmentWithTracking> {
  return tx.shipment.findUniqueOrThrow({ where: { id }, include: WITH_TRACKING });
}

function notFound(shipmentId: string): LogisticsError {
  return new LogisticsError('LOGISTICS.SHIPMENT_NOT_FOUND', `邮件 ${shipmentId} 不存在。`);
}

function noOpenException(shipment: Shipment): LogisticsError {
  const why =
    shipment.exception === 'RESOLVED'
      ? `已由 ${shipment.resolvedBy ?? '他人'} 处理（${shipment.resolution === 'RESEND' ? '重新寄送' : '结案'}）`
      : '没有异常（未丢失、未退回）';
  return new LogisticsError(
    'LOGISTICS.NO_OPEN_EXCEPTION',
    `邮件 ${shipment.id} ${why}，无需再处理。请刷新待处理列表。`,
  );
}
