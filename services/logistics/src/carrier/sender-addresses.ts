import type { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { findItem, type Region } from '@tongban/domain';
import type { LogisticsConfig } from '../logistics-config';

/**
 * Stand-ins for a sender phone and postal code nobody configured: valid in form, so a carrier
 * takes the order, and plainly nobody's. The region file names departments but has no postal
 * details yet; until it does, a deployment sets LOGISTICS_SENDER_PHONE / _POSTAL_CODE.
 */
export const PLACEHOLDER_SENDER_PHONE = '000-0000000';
export const PLACEHOLDER_SENDER_POSTAL_CODE = '000000';

/**
 * Who sends a case's result: the item's issuing department, from the region's 政务服务中心 (where
 * results are handed to couriers), with the deployment's phone, postal code and street.
 */
export class SenderAddresses {
  private readonly phone: string;
  private readonly postalCode: string;
  private readonly line: string;
  /** The settings left to placeholders, for a warning at start. */
  readonly placeholders: string[];

  constructor(
    config: Pick<
      LogisticsConfig,
      'LOGISTICS_SENDER_PHONE' | 'LOGISTICS_SENDER_POSTAL_CODE' | 'LOGISTICS_SENDER_LINE'
    >,
    private readonly region: Region,
  ) {
    this.phone = config.LOGISTICS_SENDER_PHONE ?? PLACEHOLDER_SENDER_PHONE;
    this.postalCode = config.LOGISTICS_SENDER_POSTAL_CODE ?? PLACEHOLDER_SENDER_POSTAL_CODE;
    this.line = config.LOGISTICS_SENDER_LINE ?? `${region.province}${region.name}政务服务中心`;
    this.placeholders = [
      ...(config.LOGISTICS_SENDER_PHONE === undefined ? ['LOGISTICS_SENDER_PHONE'] : []),
      ...(config.LOGISTICS_SENDER_POSTAL_CODE === undefined
        ? ['LOGISTICS_SENDER_POSTAL_CODE']
        : []),
    ];
  }

  /** The sender of results of `itemCode`; the service centre itself for an item not in the catalog. */
  forItem(itemCode: string): PostalAddress {
    return {
      recipient: findItem(this.region, itemCode)?.department ?? `${this.region.name}政务服务中心`,
      phone: this.phone,
      divisionCode: this.region.code,
      line: this.line,
      postalCode: this.postalCode,
    };
  }
}
