import { Channel } from '@tongban/contracts/tongban/case/v1/case';
import type { CaseChannel } from '../../prisma/generated/client';

const TO_PROTO: Record<CaseChannel, Channel> = {
  WINDOW: Channel.CHANNEL_WINDOW,
  ONLINE: Channel.CHANNEL_ONLINE,
  TERMINAL: Channel.CHANNEL_TERMINAL,
};

/** What the operator reads for each channel on the dashboard. */
const LABELS: Record<CaseChannel, string> = {
  WINDOW: '窗口',
  ONLINE: '网上',
  TERMINAL: '自助终端',
};

const FROM_PROTO = new Map(
  Object.entries(TO_PROTO).map(([channel, proto]) => [proto, channel as CaseChannel]),
);

/**
 * The stored channel of a checked submission's; undefined for UNSPECIFIED, which the checks
 * refuse before anything is stored.
 */
export function channelFromProto(channel: Channel): CaseChannel | undefined {
  return FROM_PROTO.get(channel);
}

export function channelLabel(channel: CaseChannel): string {
  return LABELS[channel];
}
