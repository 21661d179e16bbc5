import type { Place } from './divisions';
import { between, type Random } from './seeded-random';

/** The carrier's own state names (a real carrier has its own; the adapter maps them). */
export type CarrierState = 'CREATED' | 'PICKED_UP' | 'IN_TRANSIT' | 'DELIVERED' | 'FAILED';

export interface PlannedEvent {
  state: CarrierState;
  /** Simulated time since the order was placed. */
  afterMs: number;
  location: string;
  description: string;
}

export interface ShipmentPlan {
  /** In order; the first is CREATED at 0, the last DELIVERED or FAILED. */
  events: PlannedEvent[];
  /** The delivery time promised at ordering (时效承诺), simulated time after the order. */
  promisedMs: number;
}

const HOUR = 3_600_000;

/**
 * Bounds of each leg in simulated hours, in the range of a national express service (次日达
 * within a province, 隔日达 across provinces). Every plan stays within the promise.
 */
const LEGS = {
  pickup: [1.5, 2.5],
  toFirstHub: [3, 6],
  betweenHubs: [8, 16],
  toDeliveryStation: [4, 8],
  lastMile: [1, 4],
  lossNoticed: [12, 24],
  returnToSender: [12, 30],
} as const satisfies Record<string, readonly [number, number]>;

const PROMISE_HOURS = { withinProvince: 24, acrossProvinces: 48 };

/**
 * The tracking events a parcel from `from` to `to` will produce: pickup in the sender's city,
 * one hub scan within a province or two across provinces (the sender's and the recipient's
 * provincial hub), out for delivery in the recipient's city, delivered. A lost parcel goes
 * missing after its last hub scan and ends FAILED; a returned one cannot be delivered at the
 * recipient's address, travels back and ends FAILED at the sender's (退回寄件方).
 */
export function planShipment(
  from: Place,
  to: Place,
  options: { lost: boolean; returned?: boolean; random: Random },
): ShipmentPlan {
  const { random } = options;
  let at = 0;
  const events: PlannedEvent[] = [];
  const add = (
    state: CarrierState,
    leg: readonly [number, number] | undefined,
    location: string,
    description: string,
  ): void => {
    if (leg) at += Math.round(between(random, leg[0], leg[1]) * HOUR);
    events.push({ state, afterMs: at, location, description });
  };

  add('CREATED', undefined, from.city, '通达速运已接单，等待快递员上门揽收');
  add('PICKED_UP', LEGS.pickup, from.city, `快递员已揽收，发往【${to.city}】`);
  const hubs = from.province === to.province ? [from] : [from, to];
  hubs.forEach((hub, index) => {
    const next = hubs[index + 1]?.hub ?? to.city;
    add(
      'IN_TRANSIT',
      index === 0 ? LEGS.toFirstHub : LEGS.betweenHubs,
      hub.hubCity,
      `快件已到达【${hub.hub}】，正发往【${next}】`,
    );
  });
  if (options.lost) {
    const lastHub = hubs[hubs.length - 1] ?? from;
    add(
      'FAILED',
      LEGS.lossNoticed,
      lastHub.hubCity,
      `快件在【${lastHub.hub}】转运途中遗失，已启动理赔，请联系寄件方`,
    );
  } else {
    add(
      'IN_TRANSIT',
      LEGS.toDeliveryStation,
      to.city,
      `快件已到达【${to.city}】营业点，快递员正在派送`,
    );
    if (options.returned === true) {
      add(
        'IN_TRANSIT',
        LEGS.lastMile,
        to.city,
        '派送不成功：收件地址无法投递，联系收件人未果，快件将退回寄件方',
      );
      add(
        'FAILED',
        LEGS.returnToSender,
        from.city,
        `快件已退回寄件方【${from.city}】：收件地址无法投递，请核对收件信息后重新寄送`,
      );
    } else {
      add('DELIVERED', LEGS.lastMile, to.city, '快件已签收，感谢使用通达速运');
    }
  }
  const promiseHours =
    from.province === to.province ? PROMISE_HOURS.withinProvince : PROMISE_HOURS.acrossProvinces;
  return { events, promisedMs: promiseHours * HOUR };
}
