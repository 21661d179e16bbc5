import type { IntakeCase } from '../../prisma/generated/client';
import type { PrismaTx } from '../prisma/prisma.service';

/**
 * Reads a case and locks its row until the transaction ends, so a withdrawal at the window and a
 * status report from the handling region never both start from the same status.
 */
export async function lockCase(tx: PrismaTx, caseId: string): Promise<IntakeCase | null> {
  const locked = await tx.$queryRawUnsafe<{ id: string }[]>(
    'SELECT id FROM intake_case WHERE id = $1 FOR UPDATE',
    caseId,
  );
  return locked.length === 0 ? null : tx.intakeCase.findUnique({ where: { id: caseId } });
}
