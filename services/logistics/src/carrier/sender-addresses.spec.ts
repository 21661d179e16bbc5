import path from 'node:path';
import { loadRegion } from '@tongban/domain';
import { describe, expect, it } from 'vitest';
import {
  PLACEHOLDER_SENDER_PHONE,
  PLACEHOLDER_SENDER_POSTAL_CODE,
  SenderAddresses,
} from './sender-addresses';

const qianjiang = loadRegion(path.resolve(__dirname, '../../../../deploy/regions/429005.yaml'));

describe('sender of a mailed result', () => {
  it('is the issuing department at the region’s service centre, as configured', () => {
    const senders = new SenderAddresses(
      {
        LOGISTICS_SENDER_PHONE: '0728-6221234',
        LOGISTICS_SENDER_POSTAL_CODE: '433100',
        LOGISTICS_SENDER_LINE: '湖北省潜江市园林街道章华中路1号',
      },
      qianjiang,
    );
    expect(senders.forItem('PENSION_TRANSFER')).toEqual({
      recipient: '潜江市人力资源和社会保障局',
      phone: '0728-6221234',
      divisionCode: '429005',
      line: '湖北省潜江市园林街道章华中路1号',
      postalCode: '433100',
    });
    expect(senders.placeholders).toEqual([]);
  });

  it('falls back to the service centre and to placeholders it reports', () => {
    const senders = new SenderAddresses({}, qianjiang);
    expect(senders.forItem('NOT_IN_THE_CATALOG')).toEqual({
      recipient: '潜江市政务服务中心',
      phone: PLACEHOLDER_SENDER_PHONE,
      divisionCode: '429005',
      line: '湖北省潜江市政务服务中心',
      postalCode: PLACEHOLDER_SENDER_POSTAL_CODE,
    });
    expect(senders.placeholders).toEqual([
      'LOGISTICS_SENDER_PHONE',
      'LOGISTICS_SENDER_POSTAL_CODE',
    ]);
  });
});
