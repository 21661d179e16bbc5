import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryMethod, PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { CertificateBody } from '@tongban/contracts/tongban/certificate/v1/certificate';
import type { CertificateIssued } from '@tongban/contracts/tongban/certificate/v1/events';
import {
  ShipmentState as ProtoShipmentState,
  type Shipment as ProtoShipment,
  type TrackingEvent as ProtoTrackingEvent,
} from '@tongban/contracts/tongban/logistics/v1/logistics';
import { findItem } from '@tongban/domain';
import { PoisonMessageError, type ConsumedEvent } from '@tongban/kafka';
import { ServiceContext } from '@tongban/service-kit';
import type { Shipment, ShipmentState, TrackingEvent } from '../../prisma/generated/client';
import { CarrierAdapter } from '../carrier/carrier.adapter';
import { SenderAddresses } from '../carrier/sender-addresses';
import { PrismaService } from '../prisma/prisma.service';
import { currentTraceParent } from './case-trace';
import { LogisticsError } from './logistics-error';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

export const STATE_TO_PROTO: Record<ShipmentState, ProtoShipmentState> = {
  CREATED: ProtoShipmentState.SHIPMENT_STATE_CREATED,
  PICKED_UP: ProtoShipmentState.SHIPMENT_STATE_PICKED_UP,
  IN_TRANSIT: ProtoShipmentState.SHIPMENT_STATE_IN_TRANSIT,
  DELIVERED: ProtoShipmentState.SHIPMENT_STATE_DELIVERED,
  FAILED: ProtoShipmentState.SHIPMENT_STATE_FAILED,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is mailed when the certificate names no type. */
const DEFAULT_CONTENTS = '政务服务办理结果';

/**
 * Mail delivery of results (邮寄办): a shipment for every issued certificate whose applicant chose
 * MAIL. The row is written first, in the consumer's inbox transaction; CarrierOrders then orders
 * the parcel from the carrier under the shipment's id.
 */
@Injectable()
export class ShipmentsService implements OnApplicationBootstrap {
  constructor(
    @Inject(ServiceContext) private readonly context: ServiceContext,
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CarrierAdapter) private readonly carrier: CarrierAdapter,
    @Inject(SenderAddresses) private readonly senders: SenderAddresses,
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
   * Opens the shipment of an issued certificate when it is to be mailed (inside the consumer's
   * inbox transaction); the carrier order follows after the commit.
   */
  async open(event: ConsumedEvent<CertificateIssued>, tx: Tx): Promise<void> {
    const issued = event.payload;
    if (issued.delivery?.method !== DeliveryMethod.DELIVERY_METHOD_MAIL) return;
    const caseId = issued.caseId;
    const recipient = issued.delivery.address;
    if (caseId === '' || !recipient || !isComplete(recipient)) {
      // Intake refuses MAIL without a full address; one arriving here is a bug upstream.
      throw new PoisonMessageError(
        'EVENT.INVALID_PAYLOAD',
        `CertificateIssued of case ${caseId || '(none)'} asks for MAIL without a complete postal address`,
      );
    }
    const body = certificateBody(issued);
    const itemCode = body?.itemCode ?? '';
    const contents =
      nonEmpty(body?.certificateType) ??
      nonEmpty(findItem(this.context.region, itemCode)?.certificateType) ??
      DEFAULT_CONTENTS;
    const now = new Date();
    // A second CertificateIssued of the same case (a new event id, say a re-issue) finds the
    // first shipment: one parcel per case.
    const created = await tx.shipment.createMany({
      data: [
        {
          id: randomUUID(),
          caseId,
          originRegion: issued.originRegion,
          certificateId: issued.certificateId,
          carrier: this.carrier.carrier,
          contents,
          sender: Buffer.from(PostalAddress.encode(this.senders.forItem(itemCode)).finish()),
          recipient: Buffer.from(PostalAddress.encode(recipient).finish()),
          createdAt: now,
          nextOrderAt: now,
          correlationId: event.metadata.correlationId,
          causationId: event.metadata.eventId,
          traceParent: currentTraceParent(),
        },
      ],
      skipDuplicates: true,
    });
    if (created.count === 0) {
      this.context.logger.info({ caseId }, 'case already has a shipment; not mailing twice');
      return;
    }
    this.context.logger.info({ caseId }, 'shipment opened; ordering from the carrier');
  }

  /** The shipment by its id or its case's id, with its tracking events. */
  async get(request: { shipmentId?: string; caseId?: string }): Promise<ShipmentWithTracking> {
    const shipmentId = request.shipmentId?.trim() ?? '';
    const caseId = request.caseId?.trim() ?? '';
    if (shipmentId === '' && caseId === '') {
      throw new LogisticsError('LOGISTICS.SHIPMENT_KEY_REQUIRED', '请提供邮件编号或案件编号。');
    }
    const include = { tracking: { orderBy: { sequence: 'asc' as const } } };
    const shipment =
      shipmentId !== ''
        ? UUID.test(shipmentId)
          ? await this.prisma.shipment.findUnique({ where: { id: shipmentId }, include })
          : null
        : await this.prisma.shipment.findUnique({ where: { caseId }, include });
    if (!shipment) {
      throw new LogisticsError(
        'LOGISTICS.SHIPMENT_NOT_FOUND',
        shipmentId !== ''
          ? `邮件 ${shipmentId} 不存在。`
          : `案件 ${caseId} 没有邮寄记录：申请人未选择邮寄送达，或证照尚未出具。`,
      );
    }
    return shipment;
  }

  toProto(shipment: ShipmentWithTracking): ProtoShipment {
    const tracking = shipment.tracking.map((event): ProtoTrackingEvent => ({
      state: STATE_TO_PROTO[event.state],
      at: event.at,
      location: event.location,
      description: event.description,
    }));
    // A refused order has no carrier event; the clerk still sees why nothing was mailed.
    if (shipment.state === 'FAILED' && tracking.length === 0) {
      tracking.push({
        state: ProtoShipmentState.SHIPMENT_STATE_FAILED,
        at: shipment.failedAt ?? shipment.createdAt,
        location: '',
        description: shipment.failureReason ?? '',
      });
    }
    return {
      shipmentId: shipment.id,
      caseId: shipment.caseId,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber ?? '',
      state: STATE_TO_PROTO[shipment.state],
      address: PostalAddress.decode(shipment.recipient),
      tracking,
      createdAt: shipment.createdAt,
    };
  }
}

export type ShipmentWithTracking = Shipment & { tracking: TrackingEvent[] };

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

function isComplete(address: PostalAddress): boolean {
  return [address.recipient, address.phone, address.divisionCode, address.line, address.postalCode]
    .map((field) => field.trim())
    .every((field) => field !== '');
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
