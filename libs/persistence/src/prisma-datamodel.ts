import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPrismaCli } from './prisma-cli';

// The parts of Prisma's DMMF datamodel (the parsed schema handed to every generator) that the
// drift check reads. Field names and meanings are Prisma's.

export type PrismaDefaultValue = string | number | boolean | PrismaDefaultValue[];

/** A function default such as `autoincrement()`, `now()`, `uuid(4)`, `dbgenerated("…")`. */
export interface PrismaDefaultFunction {
  name: string;
  args: unknown[];
}

export interface PrismaField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  isUnique: boolean;
  isId: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  /** Scalar type (`String`, `DateTime`…), enum name or related model name. */
  type: string;
  /** `@db.Uuid` → `['Uuid', []]`, `@db.Timestamptz(6)` → `['Timestamptz', ['6']]`. */
  nativeType?: [string, string[]] | null;
  default?: PrismaDefaultFunction | PrismaDefaultValue;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface PrismaModel {
  name: string;
  dbName: string | null;
  schema: string | null;
  fields: PrismaField[];
}

export interface PrismaIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  /** Only when the schema names it (`map:`); otherwise Prisma's default name applies. */
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}

export interface PrismaEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}

export interface PrismaDatamodel {
  models: PrismaModel[];
  enums: PrismaEnum[];
  indexes: PrismaIndex[];
}

const GENERATOR_NAME = 'tongban_datamodel_export';

/**
 * A Prisma generator, run by `prisma generate` as a child process that speaks JSON-RPC (requests
 * on stdin, replies on stderr). It writes the datamodel Prisma hands it to its `output` path.
 * Plain CommonJS so it runs on bare Node; written to a temporary folder for each use.
 */
const EXPORT_GENERATOR_SOURCE = `'use strict';
const fs = require('node:fs');
const readline = require('node:readline');
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  const reply = (body) =>
    process.stderr.write(JSON.stringify({ jsonrpc: '2.0', id: request.id, ...body }) + '\\n');
  try {
    if (request.method === 'getManifest') {
      reply({ result: { manifest: { prettyName: 'datamodel export', requiresEngines: [] } } });
    } else if (request.method === 'generate') {
      const { generator, dmmf } = request.params;
      fs.writeFileSync(generator.output.value, JSON.stringify(dmmf.datamodel));
      reply({ result: null });
    }
  } catch (error) {
    reply({ error: { code: -32000, message: String((error && error.stack) || error) } });
  }
});
`;

const GENERATED_DIRS = new Set(['generated', 'node_modules']);

const cache = new Map<string, Promise<PrismaDatamodel>>();

/**
 * Parses a Prisma schema (a file, or a folder of `.prisma` files) with Prisma's own parser and
 * returns its datamodel. The Prisma CLI has no command that prints it and `@prisma/internals` is
 * not a dependency, so this runs `prisma generate` (offline) on a copy of the schema with one extra
 * generator that receives the datamodel and saves it. Results are cached per schema content.
 */
export async function loadPrismaDatamodel(schemaPath: string): Promise<PrismaDatamodel> {
  const files = await readSchemaFiles(path.resolve(schemaPath));
  const key = createHash('sha256').update(JSON.stringify(files)).digest('hex');
  let loaded = cache.get(key);
  if (loaded === undefined) {
    loaded = exportDatamodel(files);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

async function readSchemaFiles(schemaPath: string): Promise<[string, string][]> {
  if (!(await stat(schemaPath)).isDirectory()) {
    return [['schema.prisma', await readFile(schemaPath, 'utf8')]];
  }
  const entries = await readdir(schemaPath, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.prisma'))
    // A generated client may carry a copy of the schema; it is output, not part of the schema.
    .filter((entry) => !entry.parentPath.split(path.sep).some((part) => GENERATED_DIRS.has(part)))
    .map((entry) => path.relative(schemaPath, path.join(entry.parentPath, entry.name)))
    .sort();
  return Promise.all(
    files.map(async (file): Promise<[string, string]> => [
      file,
      await readFile(path.join(schemaPath, file), 'utf8'),
    ]),
  );
}

async function exportDatamodel(files: [string, string][]): Promise<PrismaDatamodel> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'tongban-datamodel-'));
  try {
    const generatorPath = path.join(workDir, 'export-datamodel.cjs');
    const outputPath = path.join(workDir, 'datamodel.json');
    await writeFile(generatorPath, EXPORT_GENERATOR_SOURCE);
    // Prisma starts generators through a shell; quoting keeps paths with spaces intact.
    const command = `"${process.execPath}" "${generatorPath}"`;
    const generatorBlock = `generator ${GENERATOR_NAME} {\n  provider = ${JSON.stringify(command)}\n  output   = ${JSON.stringify(outputPath)}\n}\n`;

    // A single-file schema stays one file (the block appended), so Prisma reads it exactly as in
    // the service; a folder schema gets the block as one more file.
    const [single] = files;
    let schemaArg: string;
    if (files.length === 1 && single !== undefined) {
      schemaArg = path.join(workDir, 'schema.prisma');
      await writeFile(schemaArg, `${single[1]}\n${generatorBlock}`);
    } else {
      schemaArg = path.join(workDir, 'schema');
      const withGenerator: [string, string][] = [
        ...files,
        [`${GENERATOR_NAME}.prisma`, generatorBlock],
      ];
      for (const [file, content] of withGenerator) {
        await mkdir(path.dirname(path.join(schemaArg, file)), { recursive: true });
        await writeFile(path.join(schemaArg, file), content);
      }
    }
    await runPrismaCli(['generate', '--schema', schemaArg, '--generator', GENERATOR_NAME], {
      cwd: workDir,
    });
    return JSON.parse(await readFile(outputPath, 'utf8')) as PrismaDatamodel;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
