import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { crossCheckRegion } from './region-cross-checks';
import { RegionFileError, type RegionFileProblem } from './region-file-error';
import { hostPortSchema, regionSchema, type Region } from './region.schema';

export interface LoadRegionOptions {
  /**
   * Exchange endpoints (`host:port`) by region code, replacing the file's: a partner's
   * `endpoint`, or this region's own `exchange.listen` when the code is its own. Tests run
   * exchanges on random ports and pass one map to every region; codes that are neither this
   * region nor one of its partners are ignored.
   */
  readonly endpointOverrides?: Readonly<Record<string, string>>;
  /** Where `TONGBAN_ENDPOINT_<code>` overrides are read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const REGION_FILE_EXTENSION = '.yaml';

/**
 * Reads and validates one region file (`deploy/regions/<code>.yaml`). Throws a `RegionFileError`
 * that names the file, the line, the field path and what is wrong, listing every problem at once
 * so that the administrator can fix the file in one pass. Endpoints are overridden by
 * `options.endpointOverrides`, then by the environment (`TONGBAN_ENDPOINT_<code>`), then the file.
 * Synchronous on purpose: it runs once at start-up, before anything listens.
 */
export function loadRegion(file: string, options: LoadRegionOptions = {}): Region {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RegionFileError([
      { file, path: '', message: `无法读取区域文件（${errorText(error)}），请检查路径和权限` },
    ]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new RegionFileError(
      document.errors.map((error) => ({
        file,
        path: '',
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML 语法错误：${error.message.split('\n')[0] ?? error.code}`,
      })),
    );
  }
  const locate = (path: readonly PropertyKey[]): RegionFileProblem => ({
    file,
    path: formatPath(path),
    ...lineOf(document, lineCounter, path),
    message: '',
  });

  const parsed = regionSchema.safeParse(document.toJS(), { error: regionErrorMessage });
  if (!parsed.success) {
    throw new RegionFileError(
      parsed.error.issues.map((issue) => ({ ...locate(issue.path), message: issue.message })),
    );
  }
  const region = parsed.data;
  const problems = crossCheckRegion(region).map((problem) => ({
    ...locate(problem.path),
    message: problem.message,
  }));
  const expectedCode = basename(file, extname(file));
  if (region.code !== expectedCode) {
    problems.unshift({
      ...locate(['code']),
      message: `文件名表明这是 ${expectedCode} 的区域文件，但 code 写的是 ${region.code}；文件应命名为 ${region.code}${REGION_FILE_EXTENSION}`,
    });
  }
  problems.push(...applyEndpointOverrides(region, file, options));
  if (problems.length > 0) throw new RegionFileError(problems);
  return region;
}

/**
 * Loads every `*.yaml` region file of a directory, ordered by region code. Problems of all files
 * are reported together in one `RegionFileError`.
 */
export function loadRegions(directory: string, options: LoadRegionOptions = {}): Region[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith(REGION_FILE_EXTENSION));
  } catch (error) {
    throw new RegionFileError([
      { file: directory, path: '', message: `无法读取区域目录（${errorText(error)}）` },
    ]);
  }
  if (names.length === 0) {
    throw new RegionFileError([
      { file: directory, path: '', message: `目录中没有 *${REGION_FILE_EXTENSION} 区域文件` },
    ]);
  }
  const regions: Region[] = [];
  const problems: RegionFileProblem[] = [];
  for (const name of names.sort()) {
    try {
      regions.push(loadRegion(join(directory, name), options));
    } catch (error) {
      if (!(error instanceof RegionFileError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new RegionFileError(problems);
  return regions.sort((a, b) => a.code.localeCompare(b.code));
}

function applyEndpointOverrides(
  region: Region,
  file: string,
  options: LoadRegionOptions,
): RegionFileProblem[] {
  const env = options.env ?? process.env;
  const problems: RegionFileProblem[] = [];
  const override = (code: string, path: string, apply: (endpoint: string) => void): void => {
    const fromOption = options.endpointOverrides?.[code];
    const variable = `TONGBAN_ENDPOINT_${code}`;
    const fromEnv = env[variable];
    const [value, origin] =
      fromOption !== undefined
        ? [fromOption, `endpointOverrides["${code}"]`]
        : fromEnv !== undefined && fromEnv !== ''
          ? [fromEnv, `环境变量 ${variable}`]
          : [undefined, ''];
    if (value === undefined) return;
    if (hostPortSchema.safeParse(value).success) apply(value);
    else {
      problems.push({
        file,
        path,
        message: `${origin} 的值“${value}”不是 主机:端口（如 127.0.0.1:7405），请修正该覆盖值`,
      });
    }
  };
  override(region.code, 'exchange.listen', (endpoint) => {
    region.exchange.listen = endpoint;
  });
  region.partners.forEach((partner, index) => {
    override(partner.code, `partners[${index}].endpoint`, (endpoint) => {
      partner.endpoint = endpoint;
    });
  });
  return problems;
}

/** `['items', 1, 'code']` → `items[1].code`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** The line of the node at `path`, or of its nearest existing parent (for a missing field). */
function lineOf(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): { line?: number } {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return { line: lineCounter.linePos(node.range[0]).line };
    }
  }
  return {};
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: 'true 或 false',
  array: '列表',
  object: '映射（键: 值）',
  undefined: '空',
  null: '空',
};

/**
 * Chinese messages for the schema's generic failures; messages written on a schema itself
 * (formats, ranges) take precedence. Without this an administrator would read zod's English.
 */
const regionErrorMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return '缺少此项（必填）';
      const input = issue.input;
      if (
        issue.expected === 'string' &&
        (typeof input === 'number' || typeof input === 'boolean')
      ) {
        return `应为文本，请加引号，如 "${String(input)}"`;
      }
      const actual = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
      return `应为${TYPE_NAMES[issue.expected] ?? issue.expected}，这里是${TYPE_NAMES[actual] ?? actual}`;
    }
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}（是否拼写错误？字段说明见 libs/domain/README.md）`;
    case 'invalid_value':
      return `应为以下之一：${issue.values.map(String).join('、')}`;
    case 'too_small':
      return `应不小于 ${String(issue.minimum)}`;
    case 'too_big':
      return `应不大于 ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
