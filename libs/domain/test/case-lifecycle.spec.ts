import { CaseStatus } from '@tongban/contracts/tongban/case/v1/case';
import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  DomainError,
  isTerminal,
  nextStatuses,
  statusLabel,
} from '../src';

const S = CaseStatus;
const name = (status: CaseStatus): string => CaseStatus[status].replace('CASE_STATUS_', '');

const REAL_STATUSES = Object.values(CaseStatus).filter(
  (value): value is CaseStatus =>
    typeof value === 'number' && value !== S.CASE_STATUS_UNSPECIFIED && value !== S.UNRECOGNIZED,
);
const TERMINAL = [S.CASE_STATUS_REJECTED, S.CASE_STATUS_COMPLETED, S.CASE_STATUS_WITHDRAWN];
const OPEN = REAL_STATUSES.filter((status) => !TERMINAL.includes(status));

// The lifecycle of ARCHITECTURE §4 with issue 4's additions (pre-review, survey rounds), written
// out independently of src/: for each status, every status it may move to (withdrawal included).
const LEGAL_NEXT: Readonly<Record<string, readonly string[]>> = {
  SUBMITTED: ['FORWARDED', 'WITHDRAWN'],
  FORWARDED: ['RECEIVED', 'WITHDRAWN'],
  RECEIVED: ['UNDER_REVIEW', 'WITHDRAWN'],
  UNDER_REVIEW: [
    'SUPPLEMENT_REQUESTED',
    'SURVEY_REQUIRED',
    'PRE_REVIEWED',
    'APPROVED',
    'REJECTED',
    'WITHDRAWN',
  ],
  PRE_REVIEWED: ['SUPPLEMENT_REQUESTED', 'SURVEY_REQUIRED', 'APPROVED', 'REJECTED', 'WITHDRAWN'],
  SUPPLEMENT_REQUESTED: ['SUPPLEMENTED', 'REJECTED', 'WITHDRAWN'],
  SUPPLEMENTED: [
    'SUPPLEMENT_REQUESTED',
    'SURVEY_REQUIRED',
    'PRE_REVIEWED',
    'APPROVED',
    'REJECTED',
    'WITHDRAWN',
  ],
  SURVEY_REQUIRED: ['SURVEYED', 'REJECTED', 'WITHDRAWN'],
  SURVEYED: [
    'SURVEY_REQUIRED',
    'SUPPLEMENT_REQUESTED',
    'PRE_REVIEWED',
    'APPROVED',
    'REJECTED',
    'WITHDRAWN',
  ],
  APPROVED: ['CERTIFICATE_ISSUED', 'WITHDRAWN'],
  CERTIFICATE_ISSUED: ['DISPATCHED', 'COMPLETED', 'WITHDRAWN'],
  DISPATCHED: ['DELIVERED', 'WITHDRAWN'],
  DELIVERED: ['COMPLETED', 'WITHDRAWN'],
  COMPLETED: [],
  REJECTED: [],
  WITHDRAWN: [],
};

// Why the less obvious ones are there.
const FORWARD: [CaseStatus, CaseStatus, string][] = [
  [S.CASE_STATUS_SUBMITTED, S.CASE_STATUS_FORWARDED, 'the exchange sends the case on'],
  [S.CASE_STATUS_FORWARDED, S.CASE_STATUS_RECEIVED, 'the handling region receipts it'],
  [S.CASE_STATUS_RECEIVED, S.CASE_STATUS_UNDER_REVIEW, 'review opens a task'],
  [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_SUPPLEMENT_REQUESTED, 'the reviewer asks for 补正'],
  [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_SURVEY_REQUIRED, 'the reviewer orders a survey'],
  [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_PRE_REVIEWED, 'pre-review / initial review passed'],
  [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_APPROVED, 'approved (秒批 or reviewer)'],
  [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_REJECTED, 'rejected'],
  [S.CASE_STATUS_PRE_REVIEWED, S.CASE_STATUS_SUPPLEMENT_REQUESTED, '补正 asked after pre-review'],
  [S.CASE_STATUS_PRE_REVIEWED, S.CASE_STATUS_SURVEY_REQUIRED, 'survey after pre-review'],
  [S.CASE_STATUS_PRE_REVIEWED, S.CASE_STATUS_APPROVED, 'approved (the second level)'],
  [S.CASE_STATUS_PRE_REVIEWED, S.CASE_STATUS_REJECTED, 'rejected at the second level'],
  [S.CASE_STATUS_SUPPLEMENT_REQUESTED, S.CASE_STATUS_SUPPLEMENTED, 'the applicant supplements'],
  [S.CASE_STATUS_SUPPLEMENT_REQUESTED, S.CASE_STATUS_REJECTED, 'the supplement period ran out'],
  [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_SUPPLEMENT_REQUESTED, 'a second round of 补正'],
  [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_SURVEY_REQUIRED, 'survey after the supplement'],
  [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_PRE_REVIEWED, 'pre-review passed after it'],
  [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_APPROVED, 'approved after the supplement'],
  [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_REJECTED, 'rejected after the supplement'],
  [S.CASE_STATUS_SURVEY_REQUIRED, S.CASE_STATUS_SURVEYED, 'the remote survey evidence came'],
  [S.CASE_STATUS_SURVEY_REQUIRED, S.CASE_STATUS_REJECTED, 'no survey evidence came'],
  [S.CASE_STATUS_SURVEYED, S.CASE_STATUS_SURVEY_REQUIRED, 'a checkpoint not visible: ask again'],
  [S.CASE_STATUS_SURVEYED, S.CASE_STATUS_SUPPLEMENT_REQUESTED, '补正 after the survey'],
  [S.CASE_STATUS_SURVEYED, S.CASE_STATUS_PRE_REVIEWED, 'pre-review passed after the survey'],
  [S.CASE_STATUS_SURVEYED, S.CASE_STATUS_APPROVED, 'approved after the survey'],
  [S.CASE_STATUS_SURVEYED, S.CASE_STATUS_REJECTED, 'rejected after the survey'],
  [S.CASE_STATUS_APPROVED, S.CASE_STATUS_CERTIFICATE_ISSUED, 'the e-certificate is issued'],
  [S.CASE_STATUS_CERTIFICATE_ISSUED, S.CASE_STATUS_DISPATCHED, 'the paper result is mailed'],
  [S.CASE_STATUS_CERTIFICATE_ISSUED, S.CASE_STATUS_COMPLETED, 'an electronic result completes'],
  [S.CASE_STATUS_DISPATCHED, S.CASE_STATUS_DELIVERED, 'the carrier delivers'],
  [S.CASE_STATUS_DELIVERED, S.CASE_STATUS_COMPLETED, 'delivery completes the case'],
];
const isLegal = (from: CaseStatus, to: CaseStatus): boolean =>
  LEGAL_NEXT[name(from)]?.includes(name(to)) ?? false;
const ALL_PAIRS = REAL_STATUSES.flatMap((from) =>
  REAL_STATUSES.map((to) => [name(from), name(to), from, to] as const),
);

describe('case lifecycle — the table itself', () => {
  it('lists every status exactly once, and FORWARD agrees with it', () => {
    expect(Object.keys(LEGAL_NEXT).sort()).toEqual(REAL_STATUSES.map(name).sort());
    for (const [from, to] of FORWARD)
      expect(isLegal(from, to), `${name(from)} → ${name(to)}`).toBe(true);
    const forwardCount = Object.values(LEGAL_NEXT)
      .flat()
      .filter((to) => to !== 'WITHDRAWN').length;
    expect(FORWARD).toHaveLength(forwardCount);
  });
});

describe('case lifecycle — every pair of statuses', () => {
  it.each(REAL_STATUSES.map((from) => [name(from), from] as const))(
    'nextStatuses(%s) is exactly its row of the table',
    (fromName, from) => {
      expect(nextStatuses(from).map(name).sort()).toEqual([...LEGAL_NEXT[fromName]!].sort());
    },
  );

  it.each(ALL_PAIRS.filter(([, , from, to]) => isLegal(from, to)))(
    '%s → %s is allowed',
    (_from, _to, from, to) => {
      expect(canTransition(from, to)).toBe(true);
      expect(() => {
        assertTransition(from, to);
      }).not.toThrow();
    },
  );

  it.each(ALL_PAIRS.filter(([, , from, to]) => !isLegal(from, to)))(
    '%s → %s is refused with CASE.ILLEGAL_TRANSITION and a Chinese message',
    (_from, _to, from, to) => {
      expect(canTransition(from, to)).toBe(false);
      let error: unknown;
      try {
        assertTransition(from, to);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'CASE.ILLEGAL_TRANSITION' });
      expect((error as Error).message).toContain(
        `办件状态不能从“${statusLabel(from)}”变更为“${statusLabel(to)}”：`,
      );
    },
  );
});

describe('case lifecycle — legal transitions', () => {
  it.each(FORWARD.map(([from, to, why]) => [name(from), name(to), why, from, to] as const))(
    '%s → %s (%s)',
    (_from, _to, _why, from, to) => {
      expect(canTransition(from, to)).toBe(true);
      expect(() => {
        assertTransition(from, to);
      }).not.toThrow();
    },
  );

  it.each(OPEN.map((from) => [name(from), from] as const))(
    '%s → WITHDRAWN (the applicant withdraws while the case is open)',
    (_, from) => {
      expect(canTransition(from, S.CASE_STATUS_WITHDRAWN)).toBe(true);
    },
  );

  it('walks the golden path of an INSTANT item mailed to the applicant', () => {
    const path = [
      S.CASE_STATUS_SUBMITTED,
      S.CASE_STATUS_FORWARDED,
      S.CASE_STATUS_RECEIVED,
      S.CASE_STATUS_UNDER_REVIEW,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_CERTIFICATE_ISSUED,
      S.CASE_STATUS_DISPATCHED,
      S.CASE_STATUS_DELIVERED,
      S.CASE_STATUS_COMPLETED,
    ];
    for (let i = 1; i < path.length; i++) {
      assertTransition(path[i - 1]!, path[i]!);
    }
  });

  it('lists the next statuses in lifecycle order, withdrawal last', () => {
    expect(nextStatuses(S.CASE_STATUS_UNDER_REVIEW)).toEqual([
      S.CASE_STATUS_SUPPLEMENT_REQUESTED,
      S.CASE_STATUS_SURVEY_REQUIRED,
      S.CASE_STATUS_PRE_REVIEWED,
      S.CASE_STATUS_APPROVED,
      S.CASE_STATUS_REJECTED,
      S.CASE_STATUS_WITHDRAWN,
    ]);
  });
});

describe('case lifecycle — refused transitions', () => {
  it('allows nothing into or out of UNSPECIFIED and UNRECOGNIZED', () => {
    const all = [S.CASE_STATUS_UNSPECIFIED, ...REAL_STATUSES, S.UNRECOGNIZED];
    for (const odd of [S.CASE_STATUS_UNSPECIFIED, S.UNRECOGNIZED]) {
      for (const other of all) {
        expect(canTransition(odd, other), `${name(odd)} → ${name(other)}`).toBe(false);
        expect(canTransition(other, odd), `${name(other)} → ${name(odd)}`).toBe(false);
      }
    }
    expect(() => {
      assertTransition(S.UNRECOGNIZED, S.CASE_STATUS_SUBMITTED);
    }).toThrow('当前状态未知，请联系运维人员。');
  });

  it.each(TERMINAL.map((from) => [name(from), from] as const))(
    'nothing leaves %s, not even a withdrawal, and the clerk is told why',
    (_, from) => {
      expect(nextStatuses(from)).toEqual([]);
      for (const to of REAL_STATUSES) {
        expect(canTransition(from, to)).toBe(false);
        expect(() => {
          assertTransition(from, to);
        }).toThrow(
          `办件已终结（${statusLabel(from)}），不能再变更状态；如需继续办理，请重新受理新的办件。`,
        );
      }
    },
  );

  it.each(
    [
      [S.CASE_STATUS_SUBMITTED, S.CASE_STATUS_RECEIVED],
      [S.CASE_STATUS_SUBMITTED, S.CASE_STATUS_APPROVED],
      [S.CASE_STATUS_RECEIVED, S.CASE_STATUS_APPROVED],
      [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_SURVEYED],
      [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_SUPPLEMENTED],
      [S.CASE_STATUS_APPROVED, S.CASE_STATUS_DISPATCHED],
      [S.CASE_STATUS_APPROVED, S.CASE_STATUS_COMPLETED],
      [S.CASE_STATUS_DISPATCHED, S.CASE_STATUS_COMPLETED],
    ].map(([from, to]) => [name(from!), name(to!), from!, to!] as const),
  )('refuses skipping steps: %s → %s', (_from, _to, from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it.each(
    [
      [S.CASE_STATUS_FORWARDED, S.CASE_STATUS_SUBMITTED],
      [S.CASE_STATUS_UNDER_REVIEW, S.CASE_STATUS_RECEIVED],
      [S.CASE_STATUS_SUPPLEMENTED, S.CASE_STATUS_UNDER_REVIEW],
      [S.CASE_STATUS_PRE_REVIEWED, S.CASE_STATUS_UNDER_REVIEW],
      [S.CASE_STATUS_APPROVED, S.CASE_STATUS_PRE_REVIEWED],
      [S.CASE_STATUS_APPROVED, S.CASE_STATUS_UNDER_REVIEW],
      [S.CASE_STATUS_APPROVED, S.CASE_STATUS_REJECTED],
      [S.CASE_STATUS_CERTIFICATE_ISSUED, S.CASE_STATUS_APPROVED],
      [S.CASE_STATUS_DELIVERED, S.CASE_STATUS_DISPATCHED],
    ].map(([from, to]) => [name(from!), name(to!), from!, to!] as const),
  )('refuses going backwards: %s → %s', (_from, _to, from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('refuses staying in the same status (a repeated event is the inbox’s job)', () => {
    for (const status of REAL_STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('refuses anything into or out of UNSPECIFIED', () => {
    expect(canTransition(S.CASE_STATUS_UNSPECIFIED, S.CASE_STATUS_SUBMITTED)).toBe(false);
    expect(canTransition(S.CASE_STATUS_SUBMITTED, S.CASE_STATUS_UNSPECIFIED)).toBe(false);
  });

  it('throws CASE.ILLEGAL_TRANSITION naming both statuses and what is possible instead', () => {
    let error: unknown;
    try {
      assertTransition(S.CASE_STATUS_SUBMITTED, S.CASE_STATUS_APPROVED);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'CASE.ILLEGAL_TRANSITION' });
    expect((error as Error).message).toBe(
      '办件状态不能从“已受理”变更为“审批通过”：当前只能变更为：已转递、已撤回。',
    );
  });

  it('tells the clerk a finished case cannot change any more', () => {
    expect(() => {
      assertTransition(S.CASE_STATUS_COMPLETED, S.CASE_STATUS_WITHDRAWN);
    }).toThrow(/办件已终结（已办结），不能再变更状态/);
  });
});

describe('case lifecycle — terminal states and labels', () => {
  it('knows COMPLETED, REJECTED and WITHDRAWN as the only terminal states', () => {
    expect(REAL_STATUSES.filter(isTerminal)).toEqual(TERMINAL);
  });

  it('gives every status a distinct Chinese label', () => {
    const labels = REAL_STATUSES.map(statusLabel);
    expect(new Set(labels).size).toBe(REAL_STATUSES.length);
    for (const label of labels) expect(label).toMatch(/^[\u4e00-\u9fff]+$/);
  });

  it.each([
    [S.CASE_STATUS_SUBMITTED, '已受理'],
    [S.CASE_STATUS_FORWARDED, '已转递'],
    [S.CASE_STATUS_SUPPLEMENT_REQUESTED, '待补正'],
    [S.CASE_STATUS_CERTIFICATE_ISSUED, '已出证'],
    [S.CASE_STATUS_COMPLETED, '已办结'],
    [S.CASE_STATUS_WITHDRAWN, '已撤回'],
  ] as const)('labels %i as %s', (status, label) => {
    expect(statusLabel(status)).toBe(label);
  });

  it('labels an unknown status from a newer partner as 未知状态', () => {
    expect(statusLabel(S.UNRECOGNIZED)).toBe('未知状态');
    // Binary decoding keeps enum numbers this version does not know.
    const decodedFromNewerPartner: CaseStatus = JSON.parse('99') as CaseStatus;
    expect(statusLabel(decodedFromNewerPartner)).toBe('未知状态');
  });
});
