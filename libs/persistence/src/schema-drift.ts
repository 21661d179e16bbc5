import pg from 'pg';
import { MIGRATIONS_TABLE } from './migrate';
import { redactPassword } from './postgres-server';
import {
  loadPrismaDatamodel,
  type PrismaDatamodel,
  type PrismaDefaultFunction,
  type PrismaField,
  type PrismaIndex,
  type PrismaModel,
} from './prisma-datamodel';

export type SchemaDifferenceKind =
  | 'missing-table'
  | 'extra-table'
  | 'missing-column'
  | 'extra-column'
  | 'column-type'
  | 'column-nullability'
  | 'column-default'
  | 'primary-key'
  | 'missing-unique'
  | 'extra-unique'
  | 'missing-index'
  | 'extra-index'
  | 'index-mismatch'
  | 'missing-foreign-key'
  | 'extra-foreign-key'
  | 'foreign-key-action'
  | 'missing-enum'
  | 'extra-enum'
  | 'enum-values';

/** One way the database differs from what the Prisma schema describes. */
export interface SchemaDifference {
  kind: SchemaDifferenceKind;
  /** Table (or enum type, for enum differences) the difference is about. */
  table: string;
  column?: string;
  /** What the schema describes, when there is something to show. */
  expected?: string;
  /** What the database has. */
  actual?: string;
  /** One readable line. */
  message: string;
}

export interface CompareDatabaseOptions {
  databaseUrl: string;
  /** `schema.prisma`, or a folder of `.prisma` files. */
  schemaPath: string;
  /** PostgreSQL schema holding the service's tables; `public` by default. */
  dbSchema?: string;
  /** The migration runner's own table, which the Prisma schema does not describe. */
  migrationsTable?: string;
  /** Further tables that exist in the database on purpose without a model. */
  ignoreTables?: readonly string[];
  /** Database indexes Prisma cannot describe (expression indexes, say), by name. */
  ignoreIndexes?: readonly string[];
  /**
   * Columns the datamodel does not list, as `table.column`: Prisma leaves `Unsupported("…")`
   * fields (tsvector, say) out of the datamodel it hands to tools.
   */
  ignoreColumns?: readonly string[];
}

/**
 * Compares a database with a Prisma schema, as `prisma migrate diff` would if its engine could run
 * here: tables, columns (types incl. `@db.*`, nullability, defaults), primary keys, unique
 * constraints and indexes, indexes, foreign keys and enum types. Returns the differences; an
 * empty list means the migrations produce what the schema (and so the generated client) expects.
 */
export async function compareDatabaseToPrismaSchema(
  options: CompareDatabaseOptions,
): Promise<SchemaDifference[]> {
  const [datamodel, database] = await Promise.all([
    loadPrismaDatamodel(options.schemaPath),
    introspect(options.databaseUrl, options.dbSchema ?? 'public'),
  ]);
  const ignoredTables = new Set([
    options.migrationsTable ?? MIGRATIONS_TABLE,
    ...(options.ignoreTables ?? []),
  ]);
  const ignoredIndexes = new Set(options.ignoreIndexes ?? []);
  const ignoredColumns = new Set(options.ignoreColumns ?? []);
  for (const table of database.tables.values()) {
    table.indexes = table.indexes.filter((index) => !ignoredIndexes.has(index.name));
    for (const column of table.columns.keys()) {
      if (ignoredColumns.has(`${table.name}.${column}`)) table.columns.delete(column);
    }
  }
  return diff(datamodel, database, ignoredTables);
}

/** Throws a readable, one-line-per-difference report unless the database matches the schema. */
export async function assertDatabaseMatchesPrismaSchema(
  options: CompareDatabaseOptions,
): Promise<void> {
  const differences = await compareDatabaseToPrismaSchema(options);
  if (differences.length > 0) {
    throw new Error(formatSchemaDifferences(differences, options));
  }
}

export function formatSchemaDifferences(
  differences: readonly SchemaDifference[],
  options: Pick<CompareDatabaseOptions, 'databaseUrl' | 'schemaPath'>,
): string {
  const count = `${differences.length} difference${differences.length === 1 ? '' : 's'}`;
  return [
    `Database ${redactPassword(options.databaseUrl)} does not match Prisma schema ${options.schemaPath} (${count}):`,
    ...differences.map((difference) => `  - [${difference.kind}] ${difference.message}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// What the database has

interface DbColumn {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}

interface DbIndex {
  name: string;
  /** Null where the index has an expression instead of a column. */
  columns: (string | null)[];
  descending: boolean[];
  unique: boolean;
  primary: boolean;
  method: string;
  predicate: string | null;
}

interface DbForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

interface DbTable {
  name: string;
  columns: Map<string, DbColumn>;
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
}

interface DbSchema {
  tables: Map<string, DbTable>;
  enums: Map<string, string[]>;
}

const REFERENTIAL_ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

async function introspect(databaseUrl: string, schema: string): Promise<DbSchema> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT c.relname AS table_name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
      [schema],
    );
    // Enum columns are reported by the enum's own name: format_type would prefix the schema
    // whenever it is not on the search path.
    const columns = await client.query<{
      table_name: string;
      column_name: string;
      type: string;
      not_null: boolean;
      default_value: string | null;
      identity: boolean;
    }>(
      `SELECT c.relname AS table_name, a.attname AS column_name,
              CASE WHEN t.typtype = 'e' THEN t.typname::text
                   WHEN et.typtype = 'e' THEN et.typname || '[]'
                   ELSE format_type(a.atttypid, a.atttypmod) END AS type,
              a.attnotnull AS not_null,
              pg_get_expr(d.adbin, d.adrelid) AS default_value,
              a.attidentity <> '' AS identity
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
      [schema],
    );
    // Key columns only (INCLUDE columns are payload, not part of what the index orders or enforces).
    const indexes = await client.query<{
      table_name: string;
      index_name: string;
      columns: (string | null)[];
      options: number[];
      unique: boolean;
      primary: boolean;
      method: string;
      predicate: string | null;
    }>(
      `SELECT t.relname AS table_name, i.relname AS index_name,
              ARRAY(SELECT a.attname::text
                      FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, pos)
                      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
                     WHERE k.pos <= x.indnkeyatts ORDER BY k.pos) AS columns,
              x.indoption::int2[] AS options,
              x.indisunique AS unique, x.indisprimary AS primary,
              am.amname AS method,
              pg_get_expr(x.indpred, x.indrelid) AS predicate
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_am am ON am.oid = i.relam
        WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')`,
      [schema],
    );
    const foreignKeys = await client.query<{
      table_name: string;
      constraint_name: string;
      columns: string[];
      referenced_table: string;
      referenced_columns: string[];
      on_delete: string;
      on_update: string;
    }>(
      `SELECT t.relname AS table_name, con.conname AS constraint_name,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, pos)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                     ORDER BY k.pos) AS columns,
              rt.relname AS referenced_table,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, pos)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                     ORDER BY k.pos) AS referenced_columns,
              con.confdeltype AS on_delete, con.confupdtype AS on_update
         FROM pg_constraint con
         JOIN pg_class t ON t.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_class rt ON rt.oid = con.confrelid
        WHERE n.nspname = $1 AND con.contype = 'f'`,
      [schema],
    );
    const enums = await client.query<{ enum_name: string; labels: string[] }>(
      `SELECT t.typname AS enum_name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t
         JOIN pg_namespace n ON n.oid = t.typnamespace
         JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = $1
        GROUP BY t.typname`,
      [schema],
    );

    const result: DbSchema = { tables: new Map(), enums: new Map() };
    for (const { table_name } of tables.rows) {
      result.tables.set(table_name, {
        name: table_name,
        columns: new Map(),
        indexes: [],
        foreignKeys: [],
      });
    }
    for (const row of columns.rows) {
      result.tables.get(row.table_name)?.columns.set(row.column_name, {
        name: row.column_name,
        type: normalizeDbType(row.type),
        notNull: row.not_null,
        default: row.default_value,
        identity: row.identity,
      });
    }
    for (const row of indexes.rows) {
      result.tables.get(row.table_name)?.indexes.push({
        name: row.index_name,
        columns: row.columns,
        // Bit 0 of each indoption entry is DESC.
        descending: row.options.slice(0, row.columns.length).map((option) => (option & 1) === 1),
        unique: row.unique,
        primary: row.primary,
        method: row.method,
        predicate: row.predicate,
      });
    }
    for (const row of foreignKeys.rows) {
      result.tables.get(row.table_name)?.foreignKeys.push({
        name: row.constraint_name,
        columns: row.columns,
        referencedTable: row.referenced_table,
        referencedColumns: row.referenced_columns,
        onDelete: REFERENTIAL_ACTIONS[row.on_delete] ?? row.on_delete,
        onUpdate: REFERENTIAL_ACTIONS[row.on_update] ?? row.on_update,
      });
    }
    for (const row of enums.rows) result.enums.set(row.enum_name, row.labels);
    return result;
  } finally {
    await client.end();
  }
}

/**
 * `format_type` leaves out a time precision that was never given, which PostgreSQL treats as 6;
 * spelling it out lets `@db.Timestamptz` and `@db.Timestamptz(6)` compare equal to both forms.
 */
function normalizeDbType(type: string): string {
  return type.replace(
    /^(timestamp|time)( with(?:out)? time zone)(\[\])?$/,
    (_match, base: string, zone: string, list: string | undefined) =>
      `${base}(6)${zone}${list ?? ''}`,
  );
}

// ---------------------------------------------------------------------------------------------
// What the schema describes

/** Prisma's PostgreSQL column type for each scalar without a `@db.*` attribute. */
const DEFAULT_COLUMN_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** The PostgreSQL type (as `format_type` spells it) of each `@db.*` attribute. */
const NATIVE_COLUMN_TYPES: Record<string, (args: string[]) => string> = {
  Text: () => 'text',
  VarChar: ([length]) =>
    length === undefined ? 'character varying' : `character varying(${length})`,
  Char: ([length]) => `character(${length ?? '1'})`,
  Uuid: () => 'uuid',
  Xml: () => 'xml',
  Inet: () => 'inet',
  Citext: () => 'citext',
  Bit: ([length]) => `bit(${length ?? '1'})`,
  VarBit: ([length]) => (length === undefined ? 'bit varying' : `bit varying(${length})`),
  Boolean: () => 'boolean',
  SmallInt: () => 'smallint',
  Integer: () => 'integer',
  Oid: () => 'oid',
  BigInt: () => 'bigint',
  Real: () => 'real',
  DoublePrecision: () => 'double precision',
  Decimal: ([precision, scale]) =>
    precision === undefined ? 'numeric' : `numeric(${precision},${scale ?? '0'})`,
  Money: () => 'money',
  Date: () => 'date',
  Time: ([precision]) => `time(${precision ?? '6'}) without time zone`,
  Timetz: ([precision]) => `time(${precision ?? '6'}) with time zone`,
  Timestamp: ([precision]) => `timestamp(${precision ?? '6'}) without time zone`,
  Timestamptz: ([precision]) => `timestamp(${precision ?? '6'}) with time zone`,
  Json: () => 'json',
  JsonB: () => 'jsonb',
  ByteA: () => 'bytea',
};

/** Defaults Prisma Client computes itself: a database default is allowed but not required. */
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);
const NOW_DEFAULT =
  /^(now\(\)|current_timestamp(\(\d\))?|transaction_timestamp\(\)|statement_timestamp\(\))$/i;

type ExpectedDefault =
  | { kind: 'none' }
  | { kind: 'optional' }
  | { kind: 'sequence' }
  | { kind: 'now' }
  | { kind: 'present'; shown: string }
  | { kind: 'value'; value: string };

interface ExpectedColumn {
  field: string;
  name: string;
  type: string;
  /** Undefined for lists: Prisma itself creates list columns nullable, so either is accepted. */
  nullable: boolean | undefined;
  default: ExpectedDefault;
}

function tableName(model: PrismaModel): string {
  return model.dbName ?? model.name;
}

function columnName(field: PrismaField): string {
  return field.dbName ?? field.name;
}

function expectedColumn(field: PrismaField, datamodel: PrismaDatamodel): ExpectedColumn {
  const prismaEnum = datamodel.enums.find((candidate) => candidate.name === field.type);
  let type: string;
  if (prismaEnum !== undefined) {
    type = prismaEnum.dbName ?? prismaEnum.name;
  } else if (field.nativeType) {
    const [name, args] = field.nativeType;
    type = NATIVE_COLUMN_TYPES[name]?.(args) ?? name.toLowerCase();
  } else {
    type = DEFAULT_COLUMN_TYPES[field.type] ?? field.type.toLowerCase();
  }
  return {
    field: field.name,
    name: columnName(field),
    type: field.isList ? `${type}[]` : type,
    nullable: field.isList ? undefined : !field.isRequired,
    default: expectedDefault(field, datamodel),
  };
}

function isDefaultFunction(value: PrismaField['default']): value is PrismaDefaultFunction {
  return typeof value === 'object' && !Array.isArray(value);
}

function expectedDefault(field: PrismaField, datamodel: PrismaDatamodel): ExpectedDefault {
  const value = field.default;
  if (value === undefined) return { kind: 'none' };
  if (isDefaultFunction(value)) {
    if (value.name === 'autoincrement' || value.name === 'sequence') return { kind: 'sequence' };
    if (value.name === 'now') return { kind: 'now' };
    if (CLIENT_SIDE_DEFAULTS.has(value.name)) return { kind: 'optional' };
    const args = value.args.map((arg) => JSON.stringify(arg)).join(', ');
    return { kind: 'present', shown: `${value.name}(${args})` };
  }
  if (Array.isArray(value)) return { kind: 'present', shown: JSON.stringify(value) };
  if (field.kind === 'enum') {
    const prismaEnum = datamodel.enums.find((candidate) => candidate.name === field.type);
    const enumValue = prismaEnum?.values.find((candidate) => candidate.name === value);
    return { kind: 'value', value: enumValue?.dbName ?? String(value) };
  }
  if (field.type === 'DateTime') return { kind: 'present', shown: String(value) };
  return { kind: 'value', value: String(value) };
}

/** `'{}'::jsonb` → `{}`, `'SUBMITTED'::case_status` → `SUBMITTED`, `(-1)` → `-1`. */
function literalOfDefault(expression: string): string {
  let literal = expression.trim();
  for (;;) {
    const withoutCast = literal.replace(/::[\w\s."]+(\(\d+(,\d+)?\))?(\[\])?$/, '').trim();
    const withoutParens = /^\(.*\)$/.test(withoutCast)
      ? withoutCast.slice(1, -1).trim()
      : withoutCast;
    if (withoutParens === literal) break;
    literal = withoutParens;
  }
  const quoted = /^'(.*)'$/s.exec(literal);
  return quoted?.[1] !== undefined ? quoted[1].replace(/''/g, "'") : literal;
}

function sameLiteral(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  const [a, b] = [Number(expected), Number(actual)];
  if (expected.trim() !== '' && actual.trim() !== '' && !Number.isNaN(a) && a === b) return true;
  try {
    // JSON defaults: PostgreSQL keeps jsonb in its own spelling (`{"a": 1}` for `{"a":1}`).
    return JSON.stringify(JSON.parse(expected)) === JSON.stringify(JSON.parse(actual));
  } catch {
    return false;
  }
}

function describeDefault(expected: ExpectedDefault): string {
  switch (expected.kind) {
    case 'none':
      return 'no default';
    case 'optional':
      return 'no database default needed';
    case 'sequence':
      return 'autoincrement() (a sequence or identity)';
    case 'now':
      return 'now()';
    case 'present':
      return expected.shown;
    case 'value':
      return JSON.stringify(expected.value);
  }
}

function defaultMatches(expected: ExpectedDefault, column: DbColumn): boolean {
  const actual = column.default;
  switch (expected.kind) {
    case 'none':
      return actual === null && !column.identity;
    case 'optional':
      return true;
    case 'sequence':
      return column.identity || (actual !== null && /^nextval\(/i.test(actual));
    case 'now':
      return actual !== null && NOW_DEFAULT.test(actual.trim());
    case 'present':
      return actual !== null || column.identity;
    case 'value':
      return actual !== null && sameLiteral(expected.value, literalOfDefault(actual));
  }
}

// ---------------------------------------------------------------------------------------------
// The comparison

const list = (columns: readonly (string | null)[]): string =>
  `(${columns.map((column) => column ?? '<expression>').join(', ')})`;

function sameColumns(a: readonly (string | null)[], b: readonly (string | null)[]): boolean {
  return a.length === b.length && a.every((column, i) => column === b[i]);
}

function diff(
  datamodel: PrismaDatamodel,
  database: DbSchema,
  ignoredTables: ReadonlySet<string>,
): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  const modelsByName = new Map(datamodel.models.map((model) => [model.name, model]));

  // Enum types
  const schemaEnums = new Set<string>();
  for (const prismaEnum of datamodel.enums) {
    const name = prismaEnum.dbName ?? prismaEnum.name;
    schemaEnums.add(name);
    const expected = prismaEnum.values.map((value) => value.dbName ?? value.name);
    const actual = database.enums.get(name);
    if (actual === undefined) {
      differences.push({
        kind: 'missing-enum',
        table: name,
        expected: expected.join(', '),
        message: `enum type "${name}" (enum ${prismaEnum.name}) is missing`,
      });
      continue;
    }
    const missing = expected.filter((value) => !actual.includes(value));
    const extra = actual.filter((value) => !expected.includes(value));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length > 0 ? `lacks ${missing.join(', ')}` : '',
        extra.length > 0 ? `has extra ${extra.join(', ')}` : '',
      ].filter((part) => part !== '');
      differences.push({
        kind: 'enum-values',
        table: name,
        expected: expected.join(', '),
        actual: actual.join(', '),
        message: `enum type "${name}": the database ${parts.join(' and ')}`,
      });
    }
  }
  for (const [name, values] of database.enums) {
    if (!schemaEnums.has(name)) {
      differences.push({
        kind: 'extra-enum',
        table: name,
        actual: values.join(', '),
        message: `enum type "${name}" exists in the database but not in the schema`,
      });
    }
  }

  // Tables
  const schemaTables = new Set<string>();
  for (const model of datamodel.models) {
    const name = tableName(model);
    schemaTables.add(name);
    const table = database.tables.get(name);
    if (table === undefined) {
      differences.push({
        kind: 'missing-table',
        table: name,
        message: `table "${name}" (model ${model.name}) is missing`,
      });
      continue;
    }
    differences.push(...diffTable(model, table, datamodel, modelsByName));
  }
  for (const name of database.tables.keys()) {
    if (!schemaTables.has(name) && !ignoredTables.has(name)) {
      differences.push({
        kind: 'extra-table',
        table: name,
        message: `table "${name}" exists in the database but no model maps to it`,
      });
    }
  }
  return differences;
}

function diffTable(
  model: PrismaModel,
  table: DbTable,
  datamodel: PrismaDatamodel,
  modelsByName: ReadonlyMap<string, PrismaModel>,
): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  const at = (column: string) => `"${table.name}"."${column}"`;
  const columnOf = new Map(model.fields.map((field) => [field.name, columnName(field)]));
  const columnsOf = (fields: readonly string[]) =>
    fields.map((field) => columnOf.get(field) ?? field);

  // Columns
  const schemaColumns = new Set<string>();
  for (const field of model.fields) {
    if (field.kind === 'object') continue;
    const expected = expectedColumn(field, datamodel);
    schemaColumns.add(expected.name);
    const column = table.columns.get(expected.name);
    if (column === undefined) {
      differences.push({
        kind: 'missing-column',
        table: table.name,
        column: expected.name,
        expected: expected.type,
        message: `column ${at(expected.name)} (field ${model.name}.${field.name}) is missing`,
      });
      continue;
    }
    if (column.type !== expected.type) {
      differences.push({
        kind: 'column-type',
        table: table.name,
        column: column.name,
        expected: expected.type,
        actual: column.type,
        message: `column ${at(column.name)} is ${column.type}, the schema expects ${expected.type}`,
      });
    }
    if (expected.nullable !== undefined && expected.nullable === column.notNull) {
      const describe = (nullable: boolean) => (nullable ? 'nullable' : 'NOT NULL');
      differences.push({
        kind: 'column-nullability',
        table: table.name,
        column: column.name,
        expected: describe(expected.nullable),
        actual: describe(!column.notNull),
        message: `column ${at(column.name)} is ${describe(!column.notNull)}, the schema expects ${describe(expected.nullable)}`,
      });
    }
    if (!defaultMatches(expected.default, column)) {
      const actual = column.identity ? 'an identity' : (column.default ?? 'no default');
      differences.push({
        kind: 'column-default',
        table: table.name,
        column: column.name,
        expected: describeDefault(expected.default),
        actual,
        message: `column ${at(column.name)} has ${actual === 'no default' ? actual : `default ${actual}`}, the schema expects ${describeDefault(expected.default)}`,
      });
    }
  }
  for (const column of table.columns.keys()) {
    if (!schemaColumns.has(column)) {
      differences.push({
        kind: 'extra-column',
        table: table.name,
        column,
        message: `column ${at(column)} exists in the database but no field maps to it`,
      });
    }
  }

  // Primary key, unique constraints and indexes
  const modelIndexes = datamodel.indexes.filter((index) => index.model === model.name);
  const unmatched = [...table.indexes];
  const take = (predicate: (index: DbIndex) => boolean): DbIndex | undefined => {
    const position = unmatched.findIndex(predicate);
    return position < 0 ? undefined : unmatched.splice(position, 1)[0];
  };

  const expectedKey = modelIndexes.find((index) => index.type === 'id');
  const primary = take((index) => index.primary);
  if (expectedKey !== undefined || primary !== undefined) {
    const expected = expectedKey === undefined ? [] : columnsOf(fieldNames(expectedKey));
    if (primary === undefined || !sameColumns(expected, primary.columns)) {
      differences.push({
        kind: 'primary-key',
        table: table.name,
        expected: expectedKey === undefined ? 'none' : list(expected),
        actual: primary === undefined ? 'none' : list(primary.columns),
        message:
          primary === undefined
            ? `table "${table.name}" has no primary key, the schema expects ${list(expected)}`
            : expectedKey === undefined
              ? `table "${table.name}" has primary key ${list(primary.columns)}, the schema declares none`
              : `table "${table.name}" has primary key ${list(primary.columns)}, the schema expects ${list(expected)}`,
      });
    }
  }

  for (const index of modelIndexes.filter((candidate) => candidate.type === 'unique')) {
    const columns = columnsOf(fieldNames(index));
    const found = take((candidate) => candidate.unique && sameColumns(candidate.columns, columns));
    if (found === undefined) {
      differences.push({
        kind: 'missing-unique',
        table: table.name,
        expected: list(columns),
        message: `table "${table.name}" has no unique constraint or index on ${list(columns)}`,
      });
    } else {
      differences.push(...indexDetails(table.name, index, found, columns));
    }
  }

  for (const index of modelIndexes.filter((candidate) => candidate.type === 'normal')) {
    const columns = columnsOf(fieldNames(index));
    const found = take((candidate) => !candidate.unique && sameColumns(candidate.columns, columns));
    if (found === undefined) {
      differences.push({
        kind: 'missing-index',
        table: table.name,
        expected: list(columns),
        message: `table "${table.name}" has no index on ${list(columns)}`,
      });
    } else {
      differences.push(...indexDetails(table.name, index, found, columns));
    }
  }

  for (const index of unmatched) {
    differences.push({
      kind: index.unique ? 'extra-unique' : 'extra-index',
      table: table.name,
      actual: `${index.name} ${list(index.columns)}`,
      message: `table "${table.name}" has ${index.unique ? 'unique index' : 'index'} "${index.name}" on ${list(index.columns)} that the schema does not declare`,
    });
  }

  // Foreign keys
  const unmatchedKeys = [...table.foreignKeys];
  for (const field of model.fields) {
    const from = field.relationFromFields ?? [];
    if (field.kind !== 'object' || from.length === 0) continue;
    const target = modelsByName.get(field.type);
    if (target === undefined) continue;
    const targetColumns = new Map(target.fields.map((f) => [f.name, columnName(f)]));
    const columns = columnsOf(from);
    const referencedTable = tableName(target);
    const referencedColumns = (field.relationToFields ?? []).map(
      (name) => targetColumns.get(name) ?? name,
    );
    const shown = `${table.name}${list(columns)} → ${referencedTable}${list(referencedColumns)}`;
    const position = unmatchedKeys.findIndex(
      (key) =>
        sameColumns(key.columns, columns) &&
        key.referencedTable === referencedTable &&
        sameColumns(key.referencedColumns, referencedColumns),
    );
    const key = position < 0 ? undefined : unmatchedKeys.splice(position, 1)[0];
    if (key === undefined) {
      differences.push({
        kind: 'missing-foreign-key',
        table: table.name,
        expected: shown,
        message: `foreign key ${shown} (relation ${model.name}.${field.name}) is missing`,
      });
      continue;
    }
    for (const [rule, stated, actual] of [
      ['ON DELETE', field.relationOnDelete, key.onDelete],
      ['ON UPDATE', field.relationOnUpdate, key.onUpdate],
    ] as const) {
      const expected = stated === undefined ? undefined : referentialAction(stated);
      if (expected !== undefined && expected !== actual) {
        differences.push({
          kind: 'foreign-key-action',
          table: table.name,
          expected: `${rule} ${expected}`,
          actual: `${rule} ${actual}`,
          message: `foreign key ${shown} is ${rule} ${actual}, the schema expects ${rule} ${expected}`,
        });
      }
    }
  }
  for (const key of unmatchedKeys) {
    differences.push({
      kind: 'extra-foreign-key',
      table: table.name,
      actual: key.name,
      message: `foreign key "${key.name}" ${table.name}${list(key.columns)} → ${key.referencedTable}${list(key.referencedColumns)} is not a relation in the schema`,
    });
  }
  return differences;
}

function fieldNames(index: PrismaIndex): string[] {
  return index.fields.map((field) => field.name);
}

/** Prisma's action names (`Cascade`, `SetNull`, `NoAction`…) in SQL spelling. */
function referentialAction(prismaAction: string): string {
  return prismaAction.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/** Name (when the schema fixes one with `map:`), access method and sort order of a matched index. */
function indexDetails(
  table: string,
  expected: PrismaIndex,
  actual: DbIndex,
  columns: readonly string[],
): SchemaDifference[] {
  const problems: string[] = [];
  if (expected.dbName !== undefined && expected.dbName !== actual.name) {
    problems.push(`is named "${actual.name}", the schema names it "${expected.dbName}"`);
  }
  const method = (expected.algorithm ?? 'BTree').toLowerCase();
  if (method !== actual.method)
    problems.push(`uses ${actual.method}, the schema expects ${method}`);
  const descending = expected.fields.map((field) => field.sortOrder === 'desc');
  if (!descending.every((desc, i) => desc === (actual.descending[i] ?? false))) {
    problems.push('has a different sort order than the schema');
  }
  return problems.map((problem) => ({
    kind: 'index-mismatch',
    table,
    expected: `${expected.dbName ?? ''} ${list(columns)}`.trim(),
    actual: `${actual.name} ${list(actual.columns)}`,
    message: `index on "${table}"${list(columns)} ${problem}`,
  }));
}
