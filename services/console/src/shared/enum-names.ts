// Generated enums are numeric with reverse mappings (CaseStatus[14] === 'CASE_STATUS_COMPLETED');
// the console's API speaks the names without their prefix ('COMPLETED').

type NumericEnum = Record<string, string | number>;

export function enumName<Name extends string>(
  enumObject: NumericEnum,
  value: number,
  prefix: string,
  fallback: Name,
): Name {
  const full = enumObject[value];
  if (typeof full !== 'string' || !full.startsWith(prefix)) return fallback;
  const name = full.slice(prefix.length);
  return (name === 'UNSPECIFIED' ? fallback : name) as Name;
}

export function enumValue<Enum extends NumericEnum>(
  enumObject: Enum,
  prefix: string,
  name: string,
): Extract<Enum[keyof Enum], number> | undefined {
  const value = enumObject[`${prefix}${name}`];
  return typeof value === 'number' ? (value as Extract<Enum[keyof Enum], number>) : undefined;
}

export const iso = (date: Date | undefined): string | undefined => date?.toISOString();

/** Keeps the first 3 and last 4 characters of an ID number or credit code. */
export function maskIdentifier(identifier: string): string {
  if (identifier.length <= 7) return '*'.repeat(identifier.length);
  return `${identifier.slice(0, 3)}${'*'.repeat(identifier.length - 7)}${identifier.slice(-4)}`;
}
