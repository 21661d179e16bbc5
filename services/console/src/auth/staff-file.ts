import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { StaffRole } from '../api/console-api';
import { isPasswordHash } from './password-hash';

const ROLES = ['CLERK', 'REVIEWER', 'APPROVER', 'OPERATOR'] as const satisfies readonly StaffRole[];

const account = z
  .object({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lower-case letters, digits, . _ -'),
    name: z.string().min(1).max(40),
    region: z.string().regex(/^\d{6}$/, 'must be a 6-digit region code'),
    role: z.enum(ROLES),
    passwordHash: z.string().refine(isPasswordHash, 'must be scrypt$N$r$p$salt$key').optional(),
    // Local development only: the console hashes it at start. Never for a real deployment.
    password: z.string().min(12, 'must be at least 12 characters').optional(),
  })
  .refine((value) => (value.passwordHash === undefined) !== (value.password === undefined), {
    message: 'needs exactly one of passwordHash and password',
  });

const staffFile = z.array(account).min(1, 'lists no account');

export type StaffFileAccount = z.infer<typeof account>;

/** Reads the staff file; a mistake names the account and the field. */
export function readStaffFile(file: string, servedRegions: readonly string[]): StaffFileAccount[] {
  let parsedYaml: unknown;
  try {
    parsedYaml = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `staff file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const parsed = staffFile.safeParse(parsedYaml);
  if (!parsed.success) {
    throw new Error(
      `staff file ${file} is invalid:\n${parsed.error.issues
        .map((issue) => `  - ${issue.path.join('.') || '(file)'}: ${issue.message}`)
        .join('\n')}`,
    );
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of parsed.data) {
    if (seen.has(entry.username)) problems.push(`${entry.username}: listed twice`);
    seen.add(entry.username);
    if (!servedRegions.includes(entry.region)) {
      problems.push(`${entry.username}: region ${entry.region} is not served by this console`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `staff file ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return parsed.data;
}
