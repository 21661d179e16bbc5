import type { PrismaService } from '../prisma/prisma.service';
import { WITH_ROUNDS, type TaskWithRounds } from './task-view';

export type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `taskId` can name a task at all (the column is a UUID). */
export function isTaskId(taskId: string): boolean {
  return UUID.test(taskId);
}

/**
 * Locks the task row for the rest of the transaction and reads it with its rounds: a double
 * click, two reviewers or an arriving supplement wait for each other instead of both acting.
 */
export async function lockTask(tx: Tx, taskId: string): Promise<TaskWithRounds | null> {
  if (!isTaskId(taskId)) return null;
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM review_task WHERE id = ${taskId}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.reviewTask.findUnique({ where: { id: taskId }, include: WITH_ROUNDS });
}

/** As {@link lockTask}, by the case the task belongs to. */
export async function lockTaskOfCase(tx: Tx, caseId: string): Promise<TaskWithRounds | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM review_task WHERE case_id = ${caseId} FOR UPDATE`;
  const [row] = locked;
  if (row === undefined) return null;
  return tx.reviewTask.findUnique({ where: { id: row.id }, include: WITH_ROUNDS });
}

export async function readTask(tx: Tx, taskId: string): Promise<TaskWithRounds> {
  return tx.reviewTask.findUniqueOrThrow({ where: { id: taskId }, include: WITH_ROUNDS });
}
