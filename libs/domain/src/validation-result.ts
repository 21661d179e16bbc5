/**
 * The answer of an input check at the window: either the value as it should be stored, or a
 * stable code with a message the clerk can act on. A result rather than an exception because a
 * wrong digit typed at the window is expected, not exceptional.
 */
export type ValidationResult<Code extends string> =
  | { readonly ok: true; readonly normalized: string }
  | { readonly ok: false; readonly code: Code; readonly message: string };
