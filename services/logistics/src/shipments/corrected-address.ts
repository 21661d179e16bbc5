import type { PostalAddress } from '@tongban/contracts/tongban/case/v1/case';
import { LogisticsError } from './logistics-error';

// What carriers check on a waybill (see the carrier simulator's README): a corrected address
// the carrier would refuse is refused here, before a new parcel is ordered with it.
const PHONE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const DIVISION_CODE = /^[1-9]\d{5}$/;
const POSTAL_CODE = /^\d{6}$/;

/** A corrected address for a RESEND, trimmed; LOGISTICS.INVALID_ADDRESS naming every problem. */
export function correctedAddress(address: PostalAddress): PostalAddress {
  const trimmed: PostalAddress = {
    recipient: address.recipient.trim(),
    phone: address.phone.trim(),
    divisionCode: address.divisionCode.trim(),
    line: address.line.trim(),
    postalCode: address.postalCode.trim(),
  };
  const problems = [
    trimmed.recipient === '' || trimmed.recipient.length > 50 ? '收件人（1–50 字）' : undefined,
    PHONE.test(trimmed.phone) ? undefined : '联系电话（手机号 11 位，固定电话带区号）',
    DIVISION_CODE.test(trimmed.divisionCode) ? undefined : '所在区县（6 位行政区划代码）',
    trimmed.line === '' || trimmed.line.length > 200 ? '详细地址（1–200 字）' : undefined,
    POSTAL_CODE.test(trimmed.postalCode) ? undefined : '邮政编码（6 位数字）',
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new LogisticsError(
      'LOGISTICS.INVALID_ADDRESS',
      `新地址不完整或格式不正确：${problems.join('、')}。请更正后再重新寄送。`,
    );
  }
  return trimmed;
}

/** Whether a stored address can go on a waybill at all (the origin window's may be missing). */
export function hasAddress(address: PostalAddress): boolean {
  return address.recipient.trim() !== '' && address.line.trim() !== '';
}
