import type { z } from 'zod';
import { invalidRequest } from './console-error';

/** Validates a request body; every problem is named, nothing is called with bad input. */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  message: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw invalidRequest(
    message,
    parsed.error.issues.map((issue) => ({
      field: issue.path.join('.'),
      code: 'REQUEST.INVALID_FIELD',
      message: issue.message,
    })),
  );
}
