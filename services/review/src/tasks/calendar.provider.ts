import type { Provider } from '@nestjs/common';
import { chinaDay, HolidayCalendar, loadHolidayCalendar } from '@tongban/domain';
import { ServiceContext } from '@tongban/service-kit';

/**
 * The State Council's holiday calendar, read once at start: every deadline of this service is
 * counted in its working days.
 */
export const calendarProvider: Provider = {
  provide: HolidayCalendar,
  inject: [ServiceContext],
  useFactory: (context: ServiceContext): HolidayCalendar => {
    const calendar = loadHolidayCalendar();
    const year = Number(chinaDay(context.clock.now()).date.slice(0, 4));
    for (const covered of [year, year + 1]) {
      if (!calendar.covers(covered)) {
        context.logger.warn(
          { year: covered },
          'the holiday calendar has no data for this year: deadlines there count weekends only',
        );
      }
    }
    return calendar;
  },
};
